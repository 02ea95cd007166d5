//! Platform adapters: each turns its platform's events into [`crate::engine::Inbound`] and
//! renders [`crate::engine::Outbound`]. Only the console exists so far; Discord and Slack follow.

pub mod console;
pub mod discord;
pub mod slack;
