//! The reading half of a connection: `hello`, rate limits, parsing, forwarding commands to
//! the café actor. One function per frame ([`Reader::message`]) says whether to go on.

use super::Ws;
use crate::cafe::{now_millis, CafeHandle, CloseReason, ConnId, ConnLink, Msg};
use crate::App;
use cafe_shared::limits::MAX_FRAME_BYTES;
use cafe_shared::{
    ClientFrame, CloseCode, ErrorCode, PersonId, ResumePoint, ServerFrame, PROTOCOL_VERSION,
};
use futures_util::stream::SplitStream;
use futures_util::StreamExt;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tungstenite::Message;

/// How long a connection the server closed keeps reading (and discarding) while it waits
/// for the peer's close frame. Dropping the socket while the peer's frames are still
/// unread makes the kernel answer with a reset, which can overtake the `bye` and the close
/// frame: the client then sees 1006 and never learns why.
pub(super) const DRAIN: Duration = Duration::from_secs(2);

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

/// A connection after its `hello` was accepted.
pub(super) struct Session {
    pub(super) handle: CafeHandle,
    person: Option<PersonId>,
}

/// How reading ended.
pub(super) struct ReadEnd {
    /// Set once `hello` was accepted: the actor must be told the connection left.
    pub(super) session: Option<Session>,
    /// The peer closed or the socket failed: nothing more will come to read.
    pub(super) peer_gone: bool,
}

/// The reader's state across frames.
struct Reader<'a> {
    link: &'a Arc<ConnLink>,
    app: &'a Arc<App>,
    conn: ConnId,
    /// Messages per second.
    bucket: Bucket,
    /// Tolerated misbehaviour (bad frames, messages over the rate) before closing.
    strikes: Bucket,
    session: Option<Session>,
}

pub(super) async fn read_loop(
    stream: &mut SplitStream<Ws>,
    link: &Arc<ConnLink>,
    app: &Arc<App>,
    conn: ConnId,
) -> ReadEnd {
    let t = &app.config.tuning;
    let mut r = Reader {
        link,
        app,
        conn,
        bucket: Bucket::new(t.rate_per_sec, t.rate_burst),
        strikes: Bucket::new(t.strike_refill_per_sec, t.strike_burst),
        session: None,
    };
    let hello_deadline = Instant::now() + t.hello_timeout;
    let mut peer_gone = false;
    loop {
        let next = tokio::select! {
            _ = link.closed().cancelled() => break,
            _ = tokio::time::sleep_until(hello_deadline), if r.session.is_none() => {
                link.close(CloseReason::new(
                    CloseCode::HelloTimeout,
                    ErrorCode::HelloRequired,
                    "no hello within the time allowed",
                ));
                break;
            }
            m = stream.next() => m,
        };
        match next {
            Some(Ok(msg)) => {
                if r.message(msg).await.is_break() {
                    break;
                }
            }
            Some(Err(e)) => {
                match read_error(&e) {
                    Some(reason) => link.close(reason),
                    None => {
                        tracing::debug!(conn, error = %e, "socket read failed");
                        peer_gone = true;
                    }
                }
                break;
            }
            None => {
                peer_gone = true;
                break;
            }
        }
    }
    ReadEnd {
        session: r.session,
        peer_gone,
    }
}

/// The close a read error deserves, or `None` when the peer is simply gone.
fn read_error(e: &tungstenite::Error) -> Option<CloseReason> {
    use tungstenite::error::ProtocolError;
    match e {
        // The peer sent more than `max_message_size` / `max_frame_size`.
        tungstenite::Error::Capacity(_) => Some(CloseReason::new(
            CloseCode::TooBig,
            ErrorCode::TooLarge,
            format!("messages are at most {MAX_FRAME_BYTES} bytes"),
        )),
        tungstenite::Error::Utf8(_) => Some(CloseReason::new(
            CloseCode::InvalidPayload,
            ErrorCode::Malformed,
            "text messages must be valid UTF-8",
        )),
        // The TCP connection ended without a close frame: nobody is left to tell.
        tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake) => None,
        tungstenite::Error::Protocol(p) => Some(CloseReason::new(
            CloseCode::ProtocolError,
            ErrorCode::Malformed,
            format!("WebSocket protocol error: {p}"),
        )),
        _ => None,
    }
}

/// Reads and discards until the peer answers our close frame (or the socket ends), for at
/// most `within`. See [`DRAIN`].
pub(super) async fn drain(stream: &mut SplitStream<Ws>, within: Duration) {
    let _ = tokio::time::timeout(within, async {
        while let Some(r) = stream.next().await {
            if let Err(
                tungstenite::Error::ConnectionClosed
                | tungstenite::Error::AlreadyClosed
                | tungstenite::Error::Io(_),
            ) = r
            {
                break;
            }
        }
    })
    .await;
}

fn frame_error(code: ErrorCode, message: impl Into<String>) -> ServerFrame {
    ServerFrame::Error {
        code,
        message: message.into(),
    }
}

impl Reader<'_> {
    /// Handles one message from the peer; `Break` ends the connection (the close reason,
    /// if any, is already on the link).
    async fn message(&mut self, msg: Message) -> ControlFlow<()> {
        let text = match msg {
            Message::Text(t) => t,
            Message::Binary(_) => {
                self.strike()?;
                self.link.push_frame(&frame_error(
                    ErrorCode::Malformed,
                    "frames are JSON text messages",
                ));
                return ControlFlow::Continue(());
            }
            // tungstenite answers pings itself; reading yields whole messages only (raw
            // frames are for sending).
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {
                return ControlFlow::Continue(())
            }
            Message::Close(_) => return ControlFlow::Break(()),
        };
        if !self.bucket.take() {
            self.app.metrics.rejects.inc();
            self.strike()?;
            let frame = match ClientFrame::parse(&text) {
                Ok(ClientFrame::Command { id, .. }) => ServerFrame::Reject {
                    id,
                    code: ErrorCode::RateLimited,
                    message: "too many messages; slow down and send this again".into(),
                },
                _ => frame_error(ErrorCode::RateLimited, "too many messages; slow down"),
            };
            self.link.push_frame(&frame);
            return ControlFlow::Continue(());
        }
        match ClientFrame::parse(&text) {
            Ok(frame) => self.frame(frame).await,
            Err(fe) => {
                self.strike()?;
                let frame = match fe.id {
                    Some(id) => {
                        self.app.metrics.rejects.inc();
                        ServerFrame::Reject {
                            id,
                            code: fe.code,
                            message: fe.message,
                        }
                    }
                    None => frame_error(fe.code, fe.message),
                };
                self.link.push_frame(&frame);
                ControlFlow::Continue(())
            }
        }
    }

    /// One well-formed frame.
    async fn frame(&mut self, frame: ClientFrame) -> ControlFlow<()> {
        match frame {
            ClientFrame::Hello {
                protocol,
                token,
                resume,
            } => {
                if self.session.is_some() {
                    self.link.push_frame(&frame_error(
                        ErrorCode::Conflict,
                        "hello was already accepted on this connection",
                    ));
                    return ControlFlow::Continue(());
                }
                match hello(self.app, self.link, self.conn, protocol, &token, resume).await {
                    Ok(s) => self.session = Some(s),
                    Err(reason) => {
                        self.link.close(reason);
                        return ControlFlow::Break(());
                    }
                }
            }
            ClientFrame::Command { id, command } => {
                let Some(s) = &self.session else {
                    self.link.push_frame(&frame_error(
                        ErrorCode::HelloRequired,
                        "send hello with your token first",
                    ));
                    return ControlFlow::Continue(());
                };
                self.app.metrics.commands.inc();
                let Some(person) = s.person else {
                    self.app.metrics.rejects.inc();
                    self.link.push_frame(&ServerFrame::Reject {
                        id,
                        code: ErrorCode::Forbidden,
                        message: "the projector only watches".into(),
                    });
                    return ControlFlow::Continue(());
                };
                let msg = Msg::Command {
                    conn: self.conn,
                    person,
                    id,
                    command,
                };
                if s.handle.send(msg).await.is_err() {
                    self.link.close(CloseReason::new(
                        CloseCode::Resync,
                        ErrorCode::Resync,
                        "the café restarted; reconnect and resume",
                    ));
                    return ControlFlow::Break(());
                }
            }
            ClientFrame::Ping { t } => {
                self.link.push_frame(&ServerFrame::Pong {
                    t,
                    server_time: now_millis(),
                });
            }
            ClientFrame::Bye => {
                self.link.close(CloseReason {
                    bye: false,
                    ..CloseReason::new(CloseCode::Normal, ErrorCode::Internal, "bye")
                });
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }

    /// Counts one misbehaviour; past the tolerance the connection is closed with 1008.
    fn strike(&mut self) -> ControlFlow<()> {
        if self.strikes.take() {
            return ControlFlow::Continue(());
        }
        self.link.close(CloseReason::new(
            CloseCode::PolicyViolation,
            ErrorCode::RateLimited,
            "too many messages or bad frames",
        ));
        ControlFlow::Break(())
    }
}

async fn hello(
    app: &Arc<App>,
    link: &Arc<ConnLink>,
    conn: ConnId,
    protocol: u32,
    token: &str,
    resume: Option<ResumePoint>,
) -> Result<Session, CloseReason> {
    if protocol != PROTOCOL_VERSION {
        return Err(CloseReason::new(
            CloseCode::ProtocolVersion,
            ErrorCode::ProtocolVersion,
            format!("this server speaks protocol {PROTOCOL_VERSION}; reload the page"),
        ));
    }
    let claims = app.keys.verify(token).map_err(|e| match e {
        crate::auth::TokenError::Expired => CloseReason::new(
            CloseCode::TokenExpired,
            ErrorCode::TokenExpired,
            e.to_string(),
        ),
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
                    CloseCode::Internal,
                    ErrorCode::Internal,
                    "the café could not be loaded; try again",
                ));
            }
        };
        match handle
            .attach(conn, person, claims.grant(), resume, link.clone())
            .await
        {
            Ok(Ok(())) => return Ok(Session { handle, person }),
            Ok(Err(r)) if r.code == ErrorCode::Unauthorized => {
                return Err(CloseReason::unauthorized(r.message))
            }
            Ok(Err(r)) => return Err(CloseReason::new(CloseCode::Resync, r.code, r.message)),
            Err(_) => continue,
        }
    }
    Err(CloseReason::new(
        CloseCode::Resync,
        ErrorCode::Resync,
        "the café restarted; reconnect",
    ))
}
