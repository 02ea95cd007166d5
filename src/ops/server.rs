//! The operations endpoints, served by axum on `--metrics-addr`:
//!
//! - `GET /healthz`: `200` when the store answers and every configured platform is connected,
//!   `503` otherwise; the JSON body says which, e.g.
//!   `{"status":"ok","store":"ok","platforms":{"discord":"connected"}}` or
//!   `{"status":"unavailable","store":"ok","platforms":{"slack":"disconnected"}}`.
//! - `GET /metrics`: the Prometheus text format, rendered by `metrics-exporter-prometheus`
//!   (see [`super::metrics`]); the platform-connection gauge is refreshed on each scrape.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::PrometheusHandle;
use serde::Serialize;

use crate::store::{self, Pool};

/// Asks whether one platform is connected right now.
pub type Probe = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

/// What the endpoints look at: the store, each configured platform's probe (by platform name:
/// `discord`, `slack`), and the metrics handle.
#[derive(Clone)]
pub struct OpsState {
    /// The database (the write pool: the one whose lock matters).
    pub pool: Pool,
    /// One probe per configured platform.
    pub platforms: Vec<(&'static str, Probe)>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
}

/// The `/healthz` body.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Health {
    /// `ok` or `unavailable`.
    pub status: String,
    /// `ok`, or the store's error.
    pub store: String,
    /// Each configured platform: `connected` or `disconnected`.
    pub platforms: BTreeMap<String, String>,
}

impl OpsState {
    /// Runs every check: the store with [`store::ping`], each platform with its probe (also
    /// setting the connection gauge). Healthy when all pass.
    pub async fn health(&self) -> (bool, Health) {
        let store = match store::ping(&self.pool).await {
            Ok(()) => "ok".to_string(),
            Err(e) => e.to_string(),
        };
        let mut healthy = store == "ok";
        let mut platforms = BTreeMap::new();
        for (name, probe) in &self.platforms {
            let up = probe().await;
            super::metrics::platform_connected(name, up);
            healthy &= up;
            let state = if up { "connected" } else { "disconnected" };
            platforms.insert(name.to_string(), state.to_string());
        }
        let status = if healthy { "ok" } else { "unavailable" };
        (
            healthy,
            Health {
                status: status.into(),
                store,
                platforms,
            },
        )
    }
}

async fn healthz(State(state): State<OpsState>) -> Response {
    let (healthy, body) = state.health().await;
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

async fn metrics(State(state): State<OpsState>) -> Response {
    for (name, probe) in &state.platforms {
        super::metrics::platform_connected(name, probe().await);
    }
    state.metrics.run_upkeep();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// The router: `/healthz` and `/metrics`.
pub fn router(state: OpsState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// Binds `addr` (port 0 picks a free port) and serves [`router`] in the background until
/// `stop` resolves; returns the address actually bound.
///
/// Errors: the address could not be bound (in use, or not this machine's).
pub async fn serve(
    addr: SocketAddr,
    state: OpsState,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router(state))
            .with_graceful_shutdown(stop)
            .await
        {
            tracing::error!(error = %e, "the metrics server stopped");
        }
    });
    Ok((bound, task))
}
