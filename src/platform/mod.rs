//! Platform adapters: each turns its platform's events into [`crate::engine::Inbound`] and
//! renders [`crate::engine::Outbound`]: [`console`] (a channel in the terminal, offline),
//! [`discord`] (poise on serenity) and [`slack`] (slack-morphism, Socket Mode).

pub mod console;
pub mod discord;
pub mod pictures;
pub mod retry;
pub mod slack;
