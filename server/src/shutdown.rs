//! Serving until a shutdown signal, then stopping in order: stop accepting, say `bye`
//! (1012) to every socket, let the café actors write their final snapshots, close the store.

use crate::store::Store;
use crate::App;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;

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

pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    app: Arc<App>,
    store: Arc<dyn Store>,
) {
    let stop = app.shutdown.clone();
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { stop.cancelled().await })
    .await;
    if let Err(e) = served {
        tracing::error!(error = %e, "HTTP server failed");
    }
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
    store.close().await;
    tracing::info!("café server stopped");
}
