//! The store: SQLite or PostgreSQL through sqlx, the only module with SQL.
//!
//! Functions are free functions over a `&mut` [`Conn`], so the engine runs them in a
//! transaction (`&mut tx`, from [`Pool::begin_write`]) or on a pooled connection alike; each
//! body is written once and compiled for both drivers ([`backend`], the `on!` macro). One file
//! per table group:
//! [`channels`] (channels, members, processed events), [`schedules`], [`posts`], [`answers`]
//! (answers, votes, hints, the one scored-answer query) and [`rollups`] (what boards and stats
//! read). Row ids are newtypes and tiers and schedule kinds sqlx types ([`types`]); times are
//! `DateTime<Utc>` in Rust, INTEGER milliseconds in SQLite and `timestamptz` in PostgreSQL
//! ([`At`]). Migrations live in `migrations/sqlite/` and `migrations/postgres/` and are embedded
//! with [`MIGRATOR`] and [`PG_MIGRATOR`]; [`open`] picks the backend by the URL's scheme.
//!
//! SQLite runs in WAL mode: one writer at a time, any number of readers beside it. [`open`]
//! gives the pool writes go through; [`read_pool`] gives a second pool for reads, so a
//! leaderboard never waits for a write transaction (nor a write for a leaderboard). On
//! PostgreSQL readers never wait for writers either (MVCC), so reads use the same pool.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

#[macro_use]
pub mod backend;
pub mod answers;
pub mod blind;
pub mod catchup;
pub mod channels;
pub mod copy;
pub mod custom;
pub mod maintenance;
pub mod members;
pub mod posts;
pub mod rollups;
pub mod schedules;
pub mod types;

pub use answers::*;
pub use backend::{Backend, Conn, Driver, Pool, Tx};
pub use blind::*;
pub use catchup::*;
pub use channels::*;
pub use copy::{copy_sqlite_to_postgres, CopySummary};
pub use maintenance::{backup, ping, prune_processed_events, BackupSummary};
pub use members::{
    forget_counts, forget_member, member_days, member_export, ForgetCounts, MemberExport,
    MemberScope,
};
pub use posts::*;
pub use rollups::{board, member_topics, rebuild_rollups, BoardRow, BoardScope, TopicTotals};
pub use schedules::*;
pub use types::*;

/// The embedded SQLite migrations of `migrations/sqlite/` (moved there unchanged from
/// `migrations/`: sqlx keys an applied migration by version and checksum, not by path, so
/// existing databases keep opening).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The embedded PostgreSQL migrations of `migrations/postgres/`: the same schema as
/// [`MIGRATOR`]'s, version for version, in PostgreSQL's dialect (BIGINT identity row ids,
/// `timestamptz` times, BOOLEAN flags, PL/pgSQL rollup triggers). [`open`] runs it on a
/// `postgres://` database (`docs/design.md`, "PostgreSQL").
pub static PG_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The default database when neither `DATABASE_URL` nor `--database` is given: a file in the
/// working directory, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://interview-bot.db";

/// How long a connection waits for SQLite's write lock before failing (another process on the
/// same file; within one process writes are already serialised by the engine's writer task),
/// and on PostgreSQL for a row or table lock another session holds (`lock_timeout`).
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections of the write pool: writes are serialised, the rest serve attach and tests.
const WRITE_CONNECTIONS: u32 = 4;
/// Connections of the read pool: reads run beside the writer, up to this many at once.
const READ_CONNECTIONS: u32 = 4;
/// Idle pooled connections are closed after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);
/// Pooled connections are replaced after this long.
const MAX_LIFETIME: Duration = Duration::from_secs(3600);
/// Connections of a PostgreSQL pool (writes and reads share it, see [`read_pool`]): the writer
/// task holds one at a time, reads take the rest. Each is a server process, so a deployment of
/// several bot processes needs `max_connections` (100 by default) above processes × this.
const PG_CONNECTIONS: u32 = 8;
/// How long a PostgreSQL connection may wait for a pooled connection (or to connect).
const PG_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// Store failures. All of them are internal (the user sees an apology; the log has the detail).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database or the driver failed.
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
    /// `migrate-db` could not copy (the message says why and what to do).
    #[error("copy failed: {0}")]
    Copy(String),
    /// The database URL names no backend this store has (the message says what to set).
    #[error("unsupported database URL: {0}")]
    Url(String),
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

/// Opens the database at `url` and runs its migrations; the backend follows the scheme:
///
/// - `sqlite://path`, `sqlite::memory:`: SQLite, created if missing, in WAL mode with foreign
///   keys on. In-memory databases get a single connection (each connection would otherwise be
///   a separate, empty database).
/// - `postgres://…` or `postgresql://…` (sqlx's URL syntax: user, password, host or
///   `?host=/socket/folder`, port, database, `sslmode`): PostgreSQL; the database must exist.
///   Several processes may open it at once (sqlx's migrator holds an advisory lock while it
///   runs).
///
/// Then derives the rollups once if the database predates them. Returns the pool writes go
/// through (see [`read_pool`] for reads).
///
/// Errors: the URL is malformed or of another scheme, the database cannot be opened, created
/// or reached, or a migration fails.
pub async fn open(url: &str) -> Result<Pool> {
    let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        // A write waiting for another session's lock gives up after the same time as
        // SQLite's busy timeout: the event fails with a clear error and is not acknowledged,
        // instead of stalling every write queued behind it.
        let options = PgConnectOptions::from_str(url)?
            .options([("lock_timeout", format!("{}ms", BUSY_TIMEOUT.as_millis()))]);
        let pool = PgPoolOptions::new()
            .max_connections(PG_CONNECTIONS)
            .acquire_timeout(PG_ACQUIRE_TIMEOUT)
            .idle_timeout(IDLE_TIMEOUT)
            .max_lifetime(MAX_LIFETIME)
            .connect_with(options)
            .await?;
        // The migrator waits for another process's migration (an advisory lock) as long as it
        // takes, so that connection goes without the timeout and leaves the pool afterwards.
        let mut conn = pool.acquire().await?.detach();
        sqlx::query("SET lock_timeout = 0")
            .execute(&mut conn)
            .await?;
        PG_MIGRATOR.run(&mut conn).await?;
        let _ = sqlx::Connection::close(conn).await;
        Pool::Postgres(pool)
    } else if url.starts_with("sqlite:") {
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
        Pool::Sqlite(pool)
    } else {
        return Err(StoreError::Url(format!(
            "`{url}` is neither `sqlite://…` nor `postgres://…`: set DATABASE_URL (or \
             --database) to e.g. sqlite://interview-bot.db or postgres://user@host/dbname"
        )));
    };
    rollups::build_if_needed(&pool).await?;
    Ok(pool)
}

/// A pool for reads beside `write` (from [`open`]). SQLite: the same database file and
/// settings, its own connections, opened lazily, so a read never queues behind the writer's
/// connection; an in-memory database has only the one connection, so its read pool is the
/// write pool itself. PostgreSQL: the write pool itself (a clone), because readers there never
/// wait for writers and a second pool would only double the server processes per bot process.
pub fn read_pool(write: &Pool) -> Pool {
    let write = match write {
        Pool::Postgres(_) => return write.clone(),
        Pool::Sqlite(p) => p,
    };
    if write.options().get_max_connections() <= 1 {
        return Pool::Sqlite(write.clone());
    }
    let options = (*write.connect_options()).clone();
    Pool::Sqlite(
        SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            // An SQLite connection is a file handle in this process: it cannot go stale as a
            // network connection can, so the liveness ping sqlx sends on every acquire by
            // default (a round trip to the connection's worker thread) is pure cost.
            .test_before_acquire(false)
            .idle_timeout(IDLE_TIMEOUT)
            .max_lifetime(MAX_LIFETIME)
            .connect_lazy_with(options),
    )
}
