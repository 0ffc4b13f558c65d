//! `cafe-server`: runs the café server until SIGINT/SIGTERM, then shuts down gracefully.

use cafe_server::{Config, LogFormat};
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn,sqlx=warn"));
    let subscriber = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        LogFormat::Json => subscriber.json().init(),
        LogFormat::Text => subscriber.init(),
    }
    let server = match cafe_server::start(config).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot start");
            return std::process::ExitCode::FAILURE;
        }
    };
    // Tests and deployment scripts read this line to learn the port.
    println!("listening on {}", server.addr());
    cafe_server::shutdown::signal().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    std::process::ExitCode::SUCCESS
}
