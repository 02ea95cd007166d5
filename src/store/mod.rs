//! The store: SQLite through sqlx, the only module with SQL.
//!
//! Functions are free functions over a `&mut SqliteConnection`, so the engine runs them in a
//! transaction (`&mut *tx`) or on a pooled connection alike. One file per table group:
//! [`channels`] (channels, members, processed events), [`schedules`], [`posts`], [`answers`]
//! (answers, votes, hints, the one scored-answer query) and [`rollups`] (what boards and stats
//! read). Row ids are newtypes and tiers and schedule kinds sqlx types ([`types`]); times are
//! `DateTime<Utc>` in Rust and INTEGER milliseconds in SQLite. Migrations live in
//! `migrations/sqlite/` and are embedded with [`MIGRATOR`]; the PostgreSQL dialect of the same
//! schema is [`PG_MIGRATOR`] (`migrations/postgres/`).
//!
//! SQLite runs in WAL mode: one writer at a time, any number of readers beside it. [`open`]
//! gives the pool writes go through; [`read_pool`] gives a second pool for reads, so a
//! leaderboard never waits for a write transaction (nor a write for a leaderboard).

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub mod answers;
pub mod catchup;
pub mod channels;
pub mod custom;
pub mod maintenance;
pub mod members;
pub mod posts;
pub mod rollups;
pub mod schedules;
pub mod types;

pub use answers::*;
pub use catchup::*;
pub use channels::*;
pub use maintenance::{backup, ping, prune_processed_events, BackupSummary};
pub use members::{
    forget_counts, forget_member, member_days, member_export, ForgetCounts, MemberExport,
    MemberScope,
};
pub use posts::*;
pub use rollups::{board, member_topics, rebuild_rollups, BoardRow, BoardScope, TopicTotals};
pub use schedules::*;
pub use types::*;

/// A connection (pooled, or a transaction's `&mut *tx`): what every store function runs on.
/// The engine names this, never a sqlx type.
pub type Conn = sqlx::SqliteConnection;

/// A pool of connections to the database ([`open`], [`read_pool`]).
pub type Pool = SqlitePool;

/// The embedded SQLite migrations of `migrations/sqlite/` (moved there unchanged from
/// `migrations/`: sqlx keys an applied migration by version and checksum, not by path, so
/// existing databases keep opening).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The embedded PostgreSQL migrations of `migrations/postgres/`: the same schema as
/// [`MIGRATOR`]'s, version for version, in PostgreSQL's dialect (BIGINT identity row ids,
/// `timestamptz` times, BOOLEAN flags, PL/pgSQL rollup triggers). Runs on a `PgPool` (sqlx's
/// `postgres` feature). No store function uses it yet: it is the foundation of the second
/// backend (issue 12; `docs/design.md`, "PostgreSQL").
pub static PG_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The default database when neither `DATABASE_URL` nor `--database` is given: a file in the
/// working directory, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://interview-bot.db";

/// How long a connection waits for SQLite's write lock before failing (another process on the
/// same file; within one process writes are already serialised by the engine's writer task).
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections of the write pool: writes are serialised, the rest serve attach and tests.
const WRITE_CONNECTIONS: u32 = 4;
/// Connections of the read pool: reads run beside the writer, up to this many at once.
const READ_CONNECTIONS: u32 = 4;
/// Idle pooled connections are closed after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);
/// Pooled connections are replaced after this long.
const MAX_LIFETIME: Duration = Duration::from_secs(3600);

/// Store failures. All of them are internal (the user sees an apology; the log has the detail).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite or the driver failed.
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back, or a row that must exist is missing.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// A backup could not be written (the message says why and what to do).
    #[error("backup failed: {0}")]
    Backup(String),
}

// A driver error reaching the engine (a pool or transaction call) is an internal failure; the
// conversion lives here so that the engine names no sqlx type.
impl From<sqlx::Error> for crate::engine::Error {
    fn from(e: sqlx::Error) -> Self {
        crate::engine::Error::Internal(StoreError::Sqlx(e))
    }
}

/// Result alias for store calls.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Opens (creating if missing) the database at `url` (`sqlite://path`, `sqlite::memory:`), in WAL
/// mode with foreign keys on, runs the migrations, and derives the rollups once if the database
/// predates them. Returns the pool writes go through (see [`read_pool`] for reads).
///
/// In-memory databases get a single connection (each connection would otherwise be a separate,
/// empty database).
///
/// Errors: the URL is malformed, the file cannot be opened or created, or a migration fails.
pub async fn open(url: &str) -> Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .foreign_keys(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(BUSY_TIMEOUT);
    let memory = url.contains(":memory:") || url.contains("mode=memory");
    let pool = SqlitePoolOptions::new()
        .max_connections(if memory { 1 } else { WRITE_CONNECTIONS })
        // See `read_pool`: no liveness ping on every acquire.
        .test_before_acquire(false)
        .min_connections(if memory { 1 } else { 0 })
        .idle_timeout((!memory).then_some(IDLE_TIMEOUT))
        .max_lifetime((!memory).then_some(MAX_LIFETIME))
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    rollups::build_if_needed(&pool).await?;
    Ok(pool)
}

/// A pool for reads beside `write` (from [`open`]): the same database file and settings, its
/// own connections, opened lazily. An in-memory database has only the one connection, so its
/// read pool is the write pool itself.
pub fn read_pool(write: &SqlitePool) -> SqlitePool {
    if write.options().get_max_connections() <= 1 {
        return write.clone();
    }
    let options = (*write.connect_options()).clone();
    SqlitePoolOptions::new()
        .max_connections(READ_CONNECTIONS)
        // An SQLite connection is a file handle in this process: it cannot go stale as a
        // network connection can, so the liveness ping sqlx sends on every acquire by default
        // (a round trip to the connection's worker thread) is pure cost.
        .test_before_acquire(false)
        .idle_timeout(IDLE_TIMEOUT)
        .max_lifetime(MAX_LIFETIME)
        .connect_lazy_with(options)
}
