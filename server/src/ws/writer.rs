//! The sending half of a connection: drains the bounded outbound queue, coalescing what is
//! queued into one flush, and says goodbye (`bye`, then the close frame).

use super::Ws;
use crate::cafe::{encode, CloseReason, ConnLink, Out};
use crate::App;
use bytes::Bytes;
use cafe_shared::{CloseCode, ServerFrame};
use futures_util::stream::SplitSink;
use futures_util::SinkExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tungstenite::protocol::frame::coding::{CloseCode as WsCloseCode, Data, OpCode};
use tungstenite::protocol::frame::{CloseFrame, Frame};
use tungstenite::{Message, Utf8Bytes};

/// Largest payload handed to tungstenite in one frame: its write buffer never shrinks, so
/// a 900 KB snapshot sent whole would stay allocated per socket; bigger messages go out as
/// fragments of this size.
const CHUNK: usize = 4 * 1024;
/// Frames written per flush at most, so one connection cannot hog its writer forever.
const COALESCE_MAX: usize = 256;
/// Bytes fed per flush at most: besides the frame count, so a burst of big frames is
/// written out (and its memory released) before more is taken off the queue.
const COALESCE_BYTES: usize = 64 * 1024;

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

pub(super) async fn write_loop(
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
            if reason.code == CloseCode::Restarting {
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
                    reconnect: reason.reconnect(),
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
                    code: WsCloseCode::from(reason.code.code()),
                    reason: Utf8Bytes::from(text),
                })))
                .await
        };
        // A peer that does not read gets dropped rather than waited for.
        let _ = tokio::time::timeout(Duration::from_secs(5), goodbye).await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), w.sink.close()).await;
}
