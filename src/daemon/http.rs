//! The daemon's HTTP listener: `/healthz` (alive), `/readyz` (store and queues reachable),
//! `/metrics` (Prometheus text format). Loopback only unless configured otherwise.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio_util::sync::CancellationToken;

use super::Shared;
use crate::metrics;

/// Bind the listener (so the caller learns the port before serving starts).
pub async fn bind(listen: &str) -> anyhow::Result<tokio::net::TcpListener> {
    let addr: SocketAddr = listen
        .parse()
        .map_err(|_| anyhow::anyhow!("http.listen \"{listen}\" is not IP:PORT"))?;
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr} (http.listen): {e}"))
}

/// Serve until `stop` is cancelled.
pub async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .with_state(shared);
    axum::serve(listener, app)
        .with_graceful_shutdown(stop.cancelled_owned())
        .await?;
    Ok(())
}

async fn readyz(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    match shared.check_ready().await {
        Ok(()) => (StatusCode::OK, "ready\n".to_string()),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {reason}\n"),
        ),
    }
}

async fn metrics_text(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    shared.refresh_gauges().await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        shared.metrics.render(),
    )
}

/// Declare the counters so `/metrics` shows them from the start.
pub fn declare(m: &metrics::Metrics) {
    m.add(metrics::EVENTS_PUBLISHED, &[], 0);
}
