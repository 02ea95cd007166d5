//! Running the bot like a service: Prometheus metrics ([`metrics`]) and the HTTP endpoints
//! `/healthz` and `/metrics` ([`server`]). Backups and retention are store functions
//! (`store::maintenance`); the tick loop that prunes is `app::tick_loop`.

pub mod metrics;
pub mod server;
