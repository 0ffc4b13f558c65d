//! One WebSocket connection: the socket is split into a reader (this task: hello, rate
//! limit, parsing, forwarding commands to the café actor) and a writer task (drains the
//! bounded outbound queue, coalescing what is queued into one flush, and says `bye`).

use crate::cafe::{encode, now_millis, CafeHandle, CloseReason, ConnId, ConnLink, Out};
use crate::App;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use cafe_shared::limits::MAX_FRAME_BYTES;
use cafe_shared::{ClientFrame, ErrorCode, PersonId, ServerFrame, PROTOCOL_VERSION};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Socket buffers stay small: 150 phones on weak links should cost little memory each.
const SOCKET_BUFFER: usize = 8 * 1024;
/// Frames written per flush at most, so one connection cannot hog its writer forever.
const COALESCE_MAX: usize = 256;

pub async fn upgrade(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !app.origin_allowed(&headers) {
        return crate::http::ApiError::new(
            ErrorCode::Forbidden,
            "this page's origin may not open a café connection",
        )
        .into_response();
    }
    if app.shutdown.is_cancelled() {
        return crate::http::ApiError::new(
            ErrorCode::ServerRestarting,
            "the server is restarting; reconnect shortly",
        )
        .into_response();
    }
    let guard = app.connections.token();
    ws.read_buffer_size(SOCKET_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| async move {
            run(socket, app).await;
            drop(guard);
        })
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

async fn run(socket: WebSocket, app: Arc<App>) {
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

/// axum wraps tungstenite's error; its capacity variant means the peer sent more than
/// `max_message_size` / `max_frame_size`.
fn is_too_big(e: &axum::Error) -> bool {
    use std::error::Error as _;
    matches!(
        e.source()
            .and_then(|s| s.downcast_ref::<tungstenite::Error>()),
        Some(tungstenite::Error::Capacity(_))
    )
}

async fn read_loop(
    mut stream: SplitStream<WebSocket>,
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

async fn write_loop(
    mut sink: SplitSink<WebSocket, Message>,
    mut rx: mpsc::Receiver<Out>,
    link: Arc<ConnLink>,
    app: Arc<App>,
) {
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
        // Feed everything already queued, then flush once. A close request interrupts a
        // flush to a peer that stopped reading; tungstenite keeps the unsent bytes.
        let send = async {
            feed(&mut sink, out).await?;
            let mut n = 0;
            while n < COALESCE_MAX {
                match rx.try_recv() {
                    Ok(more) => {
                        feed(&mut sink, more).await?;
                        n += 1;
                    }
                    Err(_) => break,
                }
            }
            sink.flush().await
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
            if reason.code == 1012 {
                // Restarting: deliver what is already queued first, so a client that
                // resumes after the restart is missing as little as possible.
                while let Ok(more) = rx.try_recv() {
                    feed(&mut sink, more).await?;
                }
            }
            if reason.bye {
                let bye = encode(&ServerFrame::Bye {
                    code: reason.error,
                    message: reason.message.clone(),
                    reconnect: reason.reconnect,
                });
                sink.feed(Message::Text(bye)).await?;
            }
            // Close reasons are limited to 123 bytes by the protocol.
            let mut text: String = reason.message.clone();
            while text.len() > 120 {
                text.pop();
            }
            sink.send(Message::Close(Some(CloseFrame {
                code: reason.code,
                reason: Utf8Bytes::from(text),
            })))
            .await
        };
        // A peer that does not read gets dropped rather than waited for.
        let _ = tokio::time::timeout(Duration::from_secs(5), goodbye).await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
}

async fn feed(sink: &mut SplitSink<WebSocket, Message>, out: Out) -> Result<(), axum::Error> {
    match out {
        Out::Frame(b) => sink.feed(Message::Text(b)).await,
        Out::Frames(v) => {
            for b in v {
                sink.feed(Message::Text(b)).await?;
            }
            Ok(())
        }
        Out::Shared(v) => {
            for b in v.iter() {
                sink.feed(Message::Text(b.clone())).await?;
            }
            Ok(())
        }
    }
}
