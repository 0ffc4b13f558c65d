//! One WebSocket connection: the socket is split into a reader (this task: hello, rate
//! limit, parsing, forwarding commands to the café actor) and a writer task (drains the
//! bounded outbound queue, coalescing what is queued into one flush, and says `bye`).

use crate::cafe::{encode, now_millis, CafeHandle, CloseReason, ConnId, ConnLink, Out};
use crate::http::ApiError;
use crate::App;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use bytes::Bytes;
use cafe_shared::limits::MAX_FRAME_BYTES;
use cafe_shared::{ClientFrame, ErrorCode, PersonId, ServerFrame, PROTOCOL_VERSION};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tungstenite::protocol::frame::{CloseFrame, Frame};
use tungstenite::protocol::{Role, WebSocketConfig};
use tungstenite::{Message, Utf8Bytes};

type Ws = WebSocketStream<TokioIo<Upgraded>>;

/// Client frames are small JSON commands; a bigger one (up to `MAX_FRAME_BYTES`) grows the
/// buffer while it is read. Every idle socket keeps this much, so it stays small.
const READ_BUFFER: usize = 2 * 1024;
/// tungstenite writes to the socket once this much is buffered (or on flush). Its buffer
/// never shrinks, so every socket keeps up to this plus one `CHUNK` for good: the heap
/// profile of 5,000 idle sockets showed it as the largest cost (~9 KiB each at 8 KiB).
/// Coalesced frames still go out in one wake-up, only in a few more `write`s.
const WRITE_BUFFER: usize = 4 * 1024;
/// Largest payload handed to tungstenite in one frame, for the same reason: a 900 KB
/// snapshot sent whole would stay allocated per socket; bigger messages go out as
/// fragments of this size.
const CHUNK: usize = 4 * 1024;
/// Frames written per flush at most, so one connection cannot hog its writer forever.
const COALESCE_MAX: usize = 256;
/// Bytes fed per flush at most: besides the frame count, so a burst of big frames is
/// written out (and its memory released) before more is taken off the queue.
const COALESCE_BYTES: usize = 64 * 1024;

/// GET /ws: checks the handshake, the origin and shutdown, answers 101 and runs the
/// connection on the upgraded socket. The upgrade is done here rather than by axum's
/// `WebSocketUpgrade` because axum's `Message` cannot send a fragment.
pub async fn upgrade(State(app): State<Arc<App>>, req: Request) -> Response {
    let (mut parts, _body) = req.into_parts();
    let key = match handshake_key(&parts.headers) {
        Ok(k) => k,
        Err(refused) => return refused.into_response(),
    };
    if !app.origin_allowed(&parts.headers) {
        return ApiError::new(
            ErrorCode::Forbidden,
            "this page's origin may not open a café connection",
        )
        .into_response();
    }
    if app.shutdown.is_cancelled() {
        return ApiError::new(
            ErrorCode::ServerRestarting,
            "the server is restarting; reconnect shortly",
        )
        .into_response();
    }
    // Present only on HTTP/1.1 connections served with upgrades enabled (axum::serve).
    let Some(on_upgrade) = parts.extensions.remove::<OnUpgrade>() else {
        return upgrade_required("this connection cannot be upgraded to a WebSocket");
    };
    let Ok(accept) = HeaderValue::try_from(tungstenite::handshake::derive_accept_key(&key)) else {
        return ApiError::new(ErrorCode::Internal, "the handshake could not be answered")
            .into_response();
    };
    let guard = app.connections.token();
    tokio::spawn(async move {
        let upgraded = match on_upgrade.await {
            Ok(u) => u,
            Err(e) => {
                tracing::debug!(error = %e, "WebSocket upgrade failed");
                return;
            }
        };
        let config = WebSocketConfig::default()
            .read_buffer_size(READ_BUFFER)
            .write_buffer_size(WRITE_BUFFER)
            .max_message_size(Some(MAX_FRAME_BYTES))
            .max_frame_size(Some(MAX_FRAME_BYTES));
        let socket =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config))
                .await;
        run(socket, app).await;
        drop(guard);
    });
    let mut res = Response::new(Body::empty());
    *res.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = res.headers_mut();
    h.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    res
}

/// Whether a comma-separated header lists `token` (case-insensitive), in any of its values.
fn header_has_token(headers: &HeaderMap, name: HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// 426 names what to upgrade to (RFC 9110 §15.5.22).
fn upgrade_required(message: &str) -> Response {
    let mut res = ApiError {
        code: ErrorCode::Malformed,
        message: message.to_owned(),
        status: StatusCode::UPGRADE_REQUIRED,
    }
    .into_response();
    let h = res.headers_mut();
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    res
}

/// Why a request to /ws is not a WebSocket handshake.
enum Refused {
    NotWebSocket,
    Version,
    Key,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::NotWebSocket => upgrade_required("/ws only speaks WebSocket"),
            Refused::Version => {
                // RFC 6455 §4.4: 426 with the versions the server speaks.
                let mut res = upgrade_required("only WebSocket version 13 is spoken");
                res.headers_mut().insert(
                    header::SEC_WEBSOCKET_VERSION,
                    HeaderValue::from_static("13"),
                );
                res
            }
            Refused::Key => ApiError::new(
                ErrorCode::Malformed,
                "Sec-WebSocket-Key is missing or not 16 bytes in base64",
            )
            .into_response(),
        }
    }
}

/// The client's `Sec-WebSocket-Key` if the request is a WebSocket handshake (RFC 6455
/// §4.2.1).
fn handshake_key(headers: &HeaderMap) -> Result<Vec<u8>, Refused> {
    if !header_has_token(headers, header::UPGRADE, "websocket")
        || !header_has_token(headers, header::CONNECTION, "upgrade")
    {
        return Err(Refused::NotWebSocket);
    }
    if headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_none_or(|v| v.as_bytes().trim_ascii() != b"13")
    {
        return Err(Refused::Version);
    }
    let key = headers
        .get(header::SEC_WEBSOCKET_KEY)
        .map(|k| k.as_bytes().trim_ascii())
        .unwrap_or_default();
    // The key must be 16 random bytes in base64; anything else is not a real client.
    let decoded = base64::engine::general_purpose::STANDARD.decode(key);
    if !decoded.is_ok_and(|d| d.len() == 16) {
        return Err(Refused::Key);
    }
    Ok(key.to_vec())
}

/// A token bucket: `rate` per second, at most `burst` saved up.
struct Bucket {
    tokens: f64,
    burst: f64,
    rate: f64,
    last: Instant,
}

impl Bucket {
    fn new(rate: f64, burst: f64) -> Self {
        Self {
            tokens: burst,
            burst,
            rate,
            last: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        let dt = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + dt * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

struct Session {
    handle: CafeHandle,
    person: Option<PersonId>,
}

async fn run(socket: Ws, app: Arc<App>) {
    app.metrics.connections.inc();
    let conn: ConnId = app.next_conn.fetch_add(1, Ordering::Relaxed);
    let (sink, stream) = socket.split();
    let (tx, rx) = mpsc::channel(app.config.tuning.outbound_queue.max(1));
    let link = Arc::new(ConnLink::new(tx, app.metrics.clone()));
    let writer = tokio::spawn(write_loop(sink, rx, link.clone(), app.clone()));
    let session = read_loop(stream, &link, &app, conn).await;
    if let Some(s) = session {
        // The actor may be gone already (shutdown); nothing to undo then.
        let _ = s.handle.send(crate::cafe::Msg::Detach { conn }).await;
    }
    link.finish();
    let _ = writer.await;
    app.metrics.connections.dec();
}

fn frame_error(code: ErrorCode, message: impl Into<String>) -> ServerFrame {
    ServerFrame::Error {
        code,
        message: message.into(),
    }
}

/// The capacity error means the peer sent more than `max_message_size` / `max_frame_size`.
fn is_too_big(e: &tungstenite::Error) -> bool {
    matches!(e, tungstenite::Error::Capacity(_))
}

async fn read_loop(
    mut stream: SplitStream<Ws>,
    link: &Arc<ConnLink>,
    app: &Arc<App>,
    conn: ConnId,
) -> Option<Session> {
    let t = &app.config.tuning;
    let mut bucket = Bucket::new(t.rate_per_sec, t.rate_burst);
    let mut strikes = Bucket::new(t.strike_refill_per_sec, t.strike_burst);
    let hello_deadline = Instant::now() + t.hello_timeout;
    let mut session: Option<Session> = None;
    loop {
        let next = tokio::select! {
            _ = link.closed().cancelled() => break,
            _ = tokio::time::sleep_until(hello_deadline), if session.is_none() => {
                link.close(CloseReason::new(
                    4008,
                    ErrorCode::HelloRequired,
                    "no hello within the time allowed",
                    true,
                ));
                break;
            }
            m = stream.next() => m,
        };
        let msg = match next {
            None => break,
            Some(Ok(m)) => m,
            Some(Err(e)) => {
                if is_too_big(&e) {
                    link.close(CloseReason::new(
                        1009,
                        ErrorCode::TooLarge,
                        format!("messages are at most {MAX_FRAME_BYTES} bytes"),
                        true,
                    ));
                } else {
                    tracing::debug!(conn, error = %e, "socket read failed");
                }
                break;
            }
        };
        let text = match msg {
            Message::Text(t) => t,
            Message::Binary(_) => {
                if !strikes.take() {
                    close_policy(link);
                    break;
                }
                link.push_frame(&frame_error(
                    ErrorCode::Malformed,
                    "frames are JSON text messages",
                ));
                continue;
            }
            // tungstenite answers pings itself.
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Close(_) => break,
            // Reading yields whole messages only; raw frames are for sending.
            Message::Frame(_) => continue,
        };
        if !bucket.take() {
            app.metrics.rejects.inc();
            if !strikes.take() {
                close_policy(link);
                break;
            }
            let frame = match ClientFrame::parse(&text) {
                Ok(ClientFrame::Command { id, .. }) => ServerFrame::Reject {
                    id,
                    code: ErrorCode::RateLimited,
                    message: "too many messages; slow down and send this again".into(),
                },
                _ => frame_error(ErrorCode::RateLimited, "too many messages; slow down"),
            };
            link.push_frame(&frame);
            continue;
        }
        let frame = match ClientFrame::parse(&text) {
            Ok(f) => f,
            Err(fe) => {
                if !strikes.take() {
                    close_policy(link);
                    break;
                }
                let frame = match fe.id {
                    Some(id) => {
                        app.metrics.rejects.inc();
                        ServerFrame::Reject {
                            id,
                            code: fe.code,
                            message: fe.message,
                        }
                    }
                    None => frame_error(fe.code, fe.message),
                };
                link.push_frame(&frame);
                continue;
            }
        };
        match frame {
            ClientFrame::Hello {
                protocol,
                token,
                resume,
            } => {
                if session.is_some() {
                    link.push_frame(&frame_error(
                        ErrorCode::Conflict,
                        "hello was already accepted on this connection",
                    ));
                    continue;
                }
                match hello(app, link, conn, protocol, &token, resume).await {
                    Ok(s) => session = Some(s),
                    Err(reason) => {
                        link.close(reason);
                        break;
                    }
                }
            }
            ClientFrame::Command { id, command } => {
                let Some(s) = &session else {
                    link.push_frame(&frame_error(
                        ErrorCode::HelloRequired,
                        "send hello with your token first",
                    ));
                    continue;
                };
                app.metrics.commands.inc();
                let Some(person) = s.person else {
                    app.metrics.rejects.inc();
                    link.push_frame(&ServerFrame::Reject {
                        id,
                        code: ErrorCode::Forbidden,
                        message: "the projector only watches".into(),
                    });
                    continue;
                };
                let msg = crate::cafe::Msg::Command {
                    conn,
                    person,
                    id,
                    command,
                };
                if s.handle.send(msg).await.is_err() {
                    link.close(CloseReason::new(
                        4000,
                        ErrorCode::Resync,
                        "the café restarted; reconnect and resume",
                        true,
                    ));
                    break;
                }
            }
            ClientFrame::Ping { t } => {
                link.push_frame(&ServerFrame::Pong {
                    t,
                    server_time: now_millis(),
                });
            }
            ClientFrame::Bye => {
                link.close(CloseReason {
                    bye: false,
                    ..CloseReason::new(1000, ErrorCode::Internal, "bye", false)
                });
                break;
            }
        }
    }
    session
}

fn close_policy(link: &ConnLink) {
    link.close(CloseReason::new(
        1008,
        ErrorCode::RateLimited,
        "too many messages or bad frames",
        true,
    ));
}

async fn hello(
    app: &Arc<App>,
    link: &Arc<ConnLink>,
    conn: ConnId,
    protocol: u32,
    token: &str,
    resume: Option<cafe_shared::ResumePoint>,
) -> Result<Session, CloseReason> {
    if protocol != PROTOCOL_VERSION {
        return Err(CloseReason::new(
            4004,
            ErrorCode::ProtocolVersion,
            format!("this server speaks protocol {PROTOCOL_VERSION}; reload the page"),
            false,
        ));
    }
    let claims = app.keys.verify(token).map_err(|e| match e {
        crate::auth::TokenError::Expired => {
            CloseReason::new(4002, ErrorCode::TokenExpired, e.to_string(), false)
        }
        crate::auth::TokenError::Invalid => CloseReason::unauthorized(e.to_string()),
    })?;
    let person = claims.person();
    // Twice: the café may have been unloaded (idle) between finding and attaching.
    for _ in 0..2 {
        let handle = match app.registry.get(&claims.cafe_id()).await {
            Ok(Some(h)) => h,
            Ok(None) => {
                return Err(CloseReason::unauthorized(
                    "this token's café does not exist",
                ))
            }
            Err(e) => {
                tracing::warn!(error = %e, "loading a café failed");
                return Err(CloseReason::new(
                    1011,
                    ErrorCode::Internal,
                    "the café could not be loaded; try again",
                    true,
                ));
            }
        };
        match handle.attach(conn, person, resume, link.clone()).await {
            Ok(Ok(())) => return Ok(Session { handle, person }),
            Ok(Err(r)) if r.code == ErrorCode::Unauthorized => {
                return Err(CloseReason::unauthorized(r.message))
            }
            Ok(Err(r)) => return Err(CloseReason::new(4000, r.code, r.message, true)),
            Err(_) => continue,
        }
    }
    Err(CloseReason::new(
        4000,
        ErrorCode::Resync,
        "the café restarted; reconnect",
        true,
    ))
}

/// The sending half, plus what a fragmented message needs to survive a cancelled send.
struct Writer {
    sink: SplitSink<Ws, Message>,
    /// A message going out in fragments: its bytes and how many of them were fed. No
    /// other data frame may start before its last fragment (RFC 6455 §5.4), and a close
    /// request can interrupt feeding it, so the goodbye finishes it first.
    partial: Option<(Bytes, usize)>,
    /// Bytes fed since the last flush, for `COALESCE_BYTES`.
    fed: usize,
}

impl Writer {
    async fn out(&mut self, out: Out) -> Result<(), tungstenite::Error> {
        match out {
            Out::Frame(b) => self.text(b).await,
            Out::Frames(v) => {
                for b in v {
                    self.text(b).await?;
                }
                Ok(())
            }
            Out::Shared(v) => {
                for b in v.iter() {
                    self.text(b.clone()).await?;
                }
                Ok(())
            }
        }
    }

    /// One text message: whole if it fits a chunk, else as fragments.
    async fn text(&mut self, text: Utf8Bytes) -> Result<(), tungstenite::Error> {
        if text.len() <= CHUNK {
            self.fed += text.len();
            return self.sink.feed(Message::Text(text)).await;
        }
        self.partial = Some((Bytes::from(text), 0));
        self.finish_partial().await
    }

    /// Feeds the rest of a fragmented message. `feed` either hands a frame over or (when
    /// cancelled while waiting for room) does not, so the offset is exact after any await.
    async fn finish_partial(&mut self) -> Result<(), tungstenite::Error> {
        while let Some((bytes, sent)) = self.partial.as_mut() {
            let start = *sent;
            let mut end = (start + CHUNK).min(bytes.len());
            // Cut between characters (continuation bytes are 0b10xxxxxx): the protocol
            // allows splitting one, but clients that check each fragment need not cope.
            while end < bytes.len() && end > start + 4 && bytes[end] & 0xC0 == 0x80 {
                end -= 1;
            }
            let fin = end == bytes.len();
            let opcode = if start == 0 {
                OpCode::Data(Data::Text)
            } else {
                OpCode::Data(Data::Continue)
            };
            let frame = Frame::message(bytes.slice(start..end), opcode, fin);
            self.sink.feed(Message::Frame(frame)).await?;
            self.fed += end - start;
            if fin {
                self.partial = None;
            } else if let Some((_, sent)) = self.partial.as_mut() {
                *sent = end;
            }
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), tungstenite::Error> {
        self.fed = 0;
        self.sink.flush().await
    }
}

async fn write_loop(
    sink: SplitSink<Ws, Message>,
    mut rx: mpsc::Receiver<Out>,
    link: Arc<ConnLink>,
    app: Arc<App>,
) {
    let mut w = Writer {
        sink,
        partial: None,
        fed: 0,
    };
    let shutdown = app.shutdown.clone();
    // Created once: every poll of a `cancelled()` future takes the token's mutex (and the
    // shutdown token is shared by every socket), so they are polled only when the queue is
    // empty or a send is stuck, and a plain atomic catches a close on every wake-up.
    let closed = link.closed().cancelled();
    let stop = shutdown.cancelled();
    tokio::pin!(closed, stop);
    loop {
        if link.is_closing() {
            break;
        }
        // The queue first: on shutdown the cafés stop producing, so the queue empties soon,
        // and a restarting goodbye delivers what is queued anyway.
        let out = tokio::select! {
            biased;
            out = rx.recv() => match out {
                Some(o) => o,
                None => break,
            },
            _ = &mut closed => break,
            _ = &mut stop => {
                link.close(CloseReason::restarting());
                break;
            }
        };
        // Feed what is already queued (up to a frame and a byte budget), then flush once.
        // A close request interrupts a flush to a peer that stopped reading; tungstenite
        // keeps the unsent bytes and `Writer` the unsent fragments.
        let send = async {
            w.out(out).await?;
            let mut n = 0;
            while n < COALESCE_MAX && w.fed < COALESCE_BYTES {
                match rx.try_recv() {
                    Ok(more) => {
                        w.out(more).await?;
                        n += 1;
                    }
                    Err(_) => break,
                }
            }
            w.flush().await
        };
        let done = tokio::select! {
            biased;
            r = send => Some(r),
            _ = &mut closed => None,
            _ = &mut stop => {
                link.close(CloseReason::restarting());
                None
            }
        };
        match done {
            Some(Ok(())) => {}
            Some(Err(_)) => {
                link.finish();
                return;
            }
            None => break,
        }
    }
    if let Some(reason) = link.reason() {
        let goodbye = async {
            w.finish_partial().await?;
            if reason.code == 1012 {
                // Restarting: deliver what is already queued first, so a client that
                // resumes after the restart is missing as little as possible.
                while let Ok(more) = rx.try_recv() {
                    w.out(more).await?;
                }
            }
            if reason.bye {
                let bye = encode(&ServerFrame::Bye {
                    code: reason.error,
                    message: reason.message.clone(),
                    reconnect: reason.reconnect,
                });
                w.text(bye).await?;
            }
            // Close reasons are limited to 123 bytes by the protocol.
            let mut text: String = reason.message.clone();
            while text.len() > 120 {
                text.pop();
            }
            w.sink
                .send(Message::Close(Some(CloseFrame {
                    code: CloseCode::from(reason.code),
                    reason: Utf8Bytes::from(text),
                })))
                .await
        };
        // A peer that does not read gets dropped rather than waited for.
        let _ = tokio::time::timeout(Duration::from_secs(5), goodbye).await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), w.sink.close()).await;
}
