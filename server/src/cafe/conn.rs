//! A connection as the café sees it: the bounded outbound queue ([`Out`]) to its writer,
//! and how it is ended ([`CloseReason`]). Shared by the actor, which pushes frames, and by
//! the WebSocket reader and writer (`crate::ws`).

use crate::metrics::Metrics;
use cafe_shared::{CloseCode, ErrorCode, Millis, ServerFrame};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tungstenite::Utf8Bytes;

pub type ConnId = u64;

/// Server clock in milliseconds since the Unix epoch.
pub fn now_millis() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Encodes a frame once; the bytes are shared by every connection that gets them.
pub fn encode(frame: &ServerFrame) -> Utf8Bytes {
    Utf8Bytes::from(frame.to_json())
}

/// One item on a connection's outbound queue. A batch counts as one item, so a resume of
/// thousands of events cannot by itself overflow the queue.
#[derive(Debug, Clone)]
pub enum Out {
    Frame(Utf8Bytes),
    Frames(Vec<Utf8Bytes>),
    /// A batch's frames for a whole audience: one allocation shared by every connection
    /// of that audience instead of one list per connection.
    Shared(Arc<[Utf8Bytes]>),
}

/// How the server ends a connection: the `bye` frame and the WebSocket close code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseReason {
    pub code: CloseCode,
    pub error: ErrorCode,
    pub message: String,
    /// Whether a `bye` frame precedes the close frame.
    pub bye: bool,
}

impl CloseReason {
    /// A `bye{error, message}` then close `code`; the bye's `reconnect` is the code's.
    pub fn new(code: CloseCode, error: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            error,
            message: message.into(),
            bye: true,
        }
    }

    /// The `reconnect` flag of the `bye`: whether trying again can help.
    pub fn reconnect(&self) -> bool {
        self.code.reconnect()
    }

    pub fn resync() -> Self {
        Self::new(
            CloseCode::Resync,
            ErrorCode::Resync,
            "you fell behind; reconnect and resume",
        )
    }

    pub fn restarting() -> Self {
        Self::new(
            CloseCode::Restarting,
            ErrorCode::ServerRestarting,
            "the server is restarting; reconnect shortly",
        )
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(CloseCode::Unauthorized, ErrorCode::Unauthorized, message)
    }
}

/// The actor's (and the reader's) way to reach one connection's writer.
pub struct ConnLink {
    tx: mpsc::Sender<Out>,
    closed: CancellationToken,
    /// Mirrors `closed` as a plain atomic: the writer checks it on every wake-up, and
    /// `CancellationToken::is_cancelled` takes a mutex (3.4 % of server CPU in big rooms).
    closing: AtomicBool,
    reason: Mutex<Option<CloseReason>>,
    metrics: Arc<Metrics>,
}

impl ConnLink {
    pub fn new(tx: mpsc::Sender<Out>, metrics: Arc<Metrics>) -> Self {
        Self {
            tx,
            closed: CancellationToken::new(),
            closing: AtomicBool::new(false),
            reason: Mutex::new(None),
            metrics,
        }
    }

    /// Queues without waiting. A full queue means the client cannot keep up: it is closed
    /// with 4000 and will resume from where it was.
    pub fn push(&self, out: Out) -> bool {
        match self.tx.try_send(out) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                if !self.is_closing() {
                    self.metrics.resync_closes.inc();
                }
                self.close(CloseReason::resync());
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    pub fn push_frame(&self, frame: &ServerFrame) -> bool {
        self.push(Out::Frame(encode(frame)))
    }

    /// Asks the writer to say `bye` and close. The first reason wins.
    pub fn close(&self, reason: CloseReason) {
        if let Ok(mut r) = self.reason.lock() {
            if r.is_none() {
                *r = Some(reason);
            }
        }
        self.closing.store(true, Ordering::Release);
        self.closed.cancel();
    }

    /// Ends the connection without a goodbye (the peer is gone already).
    pub fn finish(&self) {
        self.closing.store(true, Ordering::Release);
        self.closed.cancel();
    }

    /// Whether `close` or `finish` was called; cheap enough for every writer wake-up.
    pub fn is_closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }

    pub fn reason(&self) -> Option<CloseReason> {
        self.reason.lock().ok().and_then(|r| r.clone())
    }

    pub fn closed(&self) -> &CancellationToken {
        &self.closed
    }
}
