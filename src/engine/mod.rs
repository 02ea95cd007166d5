//! The engine: the study-group rules, platform-neutral. This file is its index.
//!
//! Adapters turn platform events into [`Inbound`] and render the [`Outbound`] actions the engine
//! returns; the engine never imports a platform library. Where to find things:
//!
//! | file | what it holds |
//! |---|---|
//! | [`event`] | [`Inbound`] events, [`Outbound`] actions (files: [`Attachment`]), [`ChannelRef`], [`Actor`], [`QuestionCard`] |
//! | [`dispatch`] | [`Engine`] (the handle adapters hold), the one ordered write path (read pool, chatter filter, the writer task with group commit), the per-event context |
//! | `triage` | the chatter filter before the writer: drops chatter, scores answers, remembers question threads and known channels |
//! | [`config`] | [`EngineConfig`] and its defaults |
//! | [`shards`] | which channels' scheduled work this process does (Discord shards, platforms) |
//! | [`error`] | [`Error`]: [`UserError`] (shown to the member) or internal (logged) |
//! | [`limits`] | the per-member `/ask` rate limit and the answer size cap |
//! | [`command`] | the typed [`Command`] and its parser |
//! | [`question_command`] | `/question ...` (the workspace's own questions): [`QuestionCmd`] and its parser |
//! | `questions` | finding a question by id (bank or `custom-<n>`), a workspace's candidates and topics |
//! | `commands/` | one file per command group: `ask`, `qotd`, `board` (`/leaderboard`, `/stats`), `stats` (the `/stats` chart and the weekly leaderboard card, drawn by [`crate::charts`]), `privacy` (`/privacy export`, `/privacy forget`), `thread` (`/hint`, `/reveal`) |
//! | `answers` | answers, edits, deletions, votes |
//! | `commands/blind.rs` | blind answers: private answers, the Answer form ([`AnswerForm`]), the reveal one message per answer |
//! | [`catchup`] | catch-up after downtime: a thread read back on (re)connect, reconciled |
//! | `tick` | the scheduler tick: closing and revealing posts, scheduled questions, the weekly board |
//! | `select` | which question a channel gets next |
//! | [`points`] | the points formula, periods, standings, streaks |
//! | [`render`] | every text people see |
//!
//! Event flow, ordering guarantees and transaction boundaries: `docs/design.md`. In short: reads
//! run on a read pool beside the writer; chatter is dropped before a transaction; every other
//! event goes through one bounded queue to one writer task and is applied in one SQLite
//! transaction, in arrival order. Repeats are harmless: commands are de-duplicated by their
//! platform id, messages, edits, deletions and reactions by the state they lead to.

mod answers;
pub mod catchup;
pub mod command;
mod commands;
pub mod config;
pub mod dispatch;
pub mod error;
pub mod event;
pub mod limits;
pub mod points;
pub mod question_command;
mod questions;
pub mod render;
mod select;
pub mod shards;
mod tick;
mod triage;

pub use command::{Command, Period, Privacy, Qotd};
pub use commands::{
    card_text, stats_text, AnswerForm, FORGET_CONFIRM_MINUTES, REVEAL_ANSWER_CHARS, STATS_WEEKS,
};
pub use config::{EngineConfig, DEFAULT_CLOSE_AFTER_HOURS, DEFAULT_LEADERBOARD_CRON};
pub use dispatch::{Engine, Pending, BATCH_MAX, QUEUE_CAPACITY};
pub use error::{Error, UserError};
pub use event::{Actor, Attachment, ChannelRef, Inbound, Outbound, QuestionCard};
pub use question_command::{ImportSource, QuestionCmd, QuestionForm};
pub use shards::{Ownership, ShardSet};
