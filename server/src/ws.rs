//! One WebSocket connection: the socket is split into a reader (`reader.rs`: hello, rate
//! limit, parsing, forwarding commands to the café actor) and a writer (`writer.rs`: drains
//! the bounded outbound queue, coalescing what is queued into one flush, and says `bye`).
//! `handshake.rs` checks the upgrade request.
//!
//! Every close the server starts is graceful: `bye`, the close frame, then the reader keeps
//! discarding what the peer still sends until its close frame arrives (at most
//! [`reader::DRAIN`]), so the peer reads the close code instead of a reset.

mod handshake;
mod reader;
mod writer;

use crate::cafe::{ConnId, ConnLink, Msg};
use crate::errors::ApiError;
use crate::App;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cafe_shared::limits::MAX_FRAME_BYTES;
use cafe_shared::ErrorCode;
use futures_util::StreamExt;
use handshake::{handshake_key, upgrade_required};
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tungstenite::protocol::{Role, WebSocketConfig};

type Ws = WebSocketStream<TokioIo<Upgraded>>;

/// Client frames are small JSON commands; a bigger one (up to `MAX_FRAME_BYTES`) grows the
/// buffer while it is read. Every idle socket keeps this much, so it stays small.
const READ_BUFFER: usize = 2 * 1024;
/// tungstenite writes to the socket once this much is buffered (or on flush). Its buffer
/// never shrinks, so every socket keeps up to this plus one `CHUNK` for good: the heap
/// profile of 5,000 idle sockets showed it as the largest cost (~9 KiB each at 8 KiB).
/// Coalesced frames still go out in one wake-up, only in a few more `write`s.
const WRITE_BUFFER: usize = 4 * 1024;

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

async fn run(socket: Ws, app: Arc<App>) {
    app.metrics.connections.inc();
    let conn: ConnId = app.next_conn.fetch_add(1, Ordering::Relaxed);
    let (sink, mut stream) = socket.split();
    let (tx, rx) = mpsc::channel(app.config.tuning.outbound_queue.max(1));
    let link = Arc::new(ConnLink::new(tx, app.metrics.clone()));
    let writer = tokio::spawn(writer::write_loop(sink, rx, link.clone(), app.clone()));
    let end = reader::read_loop(&mut stream, &link, &app, conn).await;
    if let Some(s) = end.session {
        // The actor may be gone already (shutdown); nothing to undo then.
        let _ = s.handle.send(Msg::Detach { conn }).await;
    }
    if !end.peer_gone && link.reason().is_some() {
        // The writer is sending `bye` and the close frame meanwhile.
        reader::drain(&mut stream, reader::DRAIN).await;
    }
    link.finish();
    let _ = writer.await;
    app.metrics.connections.dec();
}
