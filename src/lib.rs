//! interview-bot: a Discord and Slack bot for study groups that practise technical interviews.
//!
//! Layers (see `docs/design.md` for the event flow, ordering and transactions): [`bank`]
//! (questions, loaded once), [`checker`] (pure scoring), [`store`] (SQLite, the only place with
//! SQL), [`engine`] (platform-neutral rules), [`schedule`] (cron + IANA time zones),
//! [`platform`] (adapters: console, Discord and Slack), [`app`] (running as a service: config,
//! start-up with retries, the tick loop), [`ops`] (metrics, `/healthz`).

pub mod app;
pub mod bank;
pub mod bench;
pub mod charts;
pub mod checker;
pub mod cli;
pub mod engine;
pub mod ops;
pub mod platform;
pub mod schedule;
pub mod store;
