//! Serving until a shutdown signal, then stopping in order: stop accepting, say `bye`
//! (1012) to every socket, let the café actors write their final snapshots, close the store.

use crate::store::Store;
use crate::App;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Accepts connections and serves HTTP/1.1 on each until shutdown begins.
///
/// By hand rather than `axum::serve`, which sets no timer: without one hyper cannot time
/// out a connection that sends its headers slowly or nothing at all, and idle and slowloris
/// connections held file descriptors for ever (issue 10, #3). The header-read timeout runs
/// from the connection's start and again after each response, so it is the idle timeout too.
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    app: Arc<App>,
    store: Arc<dyn Store>,
) {
    accept_until_shutdown(listener, router, &app).await;
    // Make sure every socket was told, even if serving ended for another reason.
    app.shutdown.cancel();
    app.connections.close();
    let grace = app.config.tuning.shutdown_grace;
    if tokio::time::timeout(grace, app.connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("some connections did not close in time");
    }
    app.registry.shutdown().await;
    if let Some(c) = app.registry.cluster() {
        // The owners' goodbyes, so other nodes take their cafés over at once.
        let _ = c.nats.flush().await;
    }
    store.close().await;
    tracing::info!("café server stopped");
}

/// Serves `router` on `listener` with the main listener's protections (header-read and idle
/// timeout here, the body timeout in the router) until shutdown, then lets its connections
/// finish. `--metrics-addr` uses it: a scraper's port is as open to slowloris as the app's.
pub(crate) async fn serve_plain(listener: tokio::net::TcpListener, router: Router, app: Arc<App>) {
    accept_until_shutdown(listener, router, &app).await;
}

/// The accept loop both listeners share; returns once shutdown began and every connection
/// it accepted has ended (WebSockets are told `bye` separately, see `serve`).
async fn accept_until_shutdown(listener: tokio::net::TcpListener, router: Router, app: &App) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(app.config.tuning.header_read_timeout);
    let http = Arc::new(http);
    let conns = TaskTracker::new();
    loop {
        let (stream, peer) = tokio::select! {
            () = app.shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors (or a connection reset before accept): wait a
                    // little instead of spinning; the listener itself is fine.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        // Small frames (acks, broadcasts) must not wait for Nagle.
        let _ = stream.set_nodelay(true);
        let service =
            router
                .clone()
                .map_request(move |mut req: axum::extract::Request<Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(peer));
                    req
                });
        let http = http.clone();
        let stop = app.shutdown.clone();
        conns.spawn(async move {
            let conn = http
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
                .with_upgrades();
            let mut conn = std::pin::pin!(conn);
            let served = tokio::select! {
                r = conn.as_mut() => r,
                () = stop.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = served {
                tracing::debug!(error = %e, %peer, "HTTP connection ended");
            }
        });
    }
    drop(listener);
    conns.close();
    conns.wait().await;
}
