//! Keeping the database healthy while the bot runs: a liveness probe for `/healthz`
//! ([`ping`]), retention of processed-event ids ([`prune_processed_events`]) and online
//! backups ([`backup`], SQLite `VACUUM INTO`).

use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use super::{At, Conn, Pool, Result, StoreError, BUSY_TIMEOUT};

/// How long a processed-event id (an interaction or Slack event id, kept so that a repeat is
/// applied once) is kept. Platforms redeliver within minutes (Slack retries an unacknowledged
/// event up to three times: at once, after 1 minute and after 5 minutes; a Discord interaction
/// token lives 15 minutes), so 30 days is far beyond any repeat and keeps the table small.
pub const PROCESSED_EVENTS_KEPT: Duration = Duration::days(30);

/// Answers one trivial query: `Ok` when the database is reachable and not locked beyond the busy
/// timeout.
///
/// Errors: the pool could not give a connection, or the database failed.
pub async fn ping(pool: &Pool) -> Result<()> {
    on_pool!(pool, |p| {
        sqlx::query("SELECT 1").execute(p).await?;
    });
    Ok(())
}

/// Deletes processed-event ids recorded before `before`; returns how many went.
///
/// Errors: the database failed.
pub async fn prune_processed_events(conn: &mut Conn, before: DateTime<Utc>) -> Result<u64> {
    on!(conn, |c| {
        let done = sqlx::query("DELETE FROM processed_events WHERE processed_at < $1")
            .bind(At(before))
            .execute(c)
            .await?;
        Ok(done.rows_affected())
    })
}

/// What [`backup`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// Size of the copy, bytes.
    pub bytes: u64,
    /// Answers in the copy.
    pub answers: i64,
    /// Posts (questions asked) in the copy.
    pub posts: i64,
}

/// Writes a consistent copy of the database at `url` (`sqlite://path`) to the new file `dest`
/// with SQLite's `VACUUM INTO`, safe while the bot is running: it reads one snapshot (WAL lets
/// the bot keep writing meanwhile) and the copy has the write-ahead log folded in. The copy is
/// then opened and checked (`PRAGMA quick_check`) and its answers and posts counted.
///
/// Errors: the database does not exist (it is never created here), `dest` already exists (it
/// is never overwritten), SQLite failed, or the copy failed its check. A `postgres://` URL is
/// refused with what to run instead: PostgreSQL's own `pg_dump`, which copies a consistent
/// snapshot of a live database just as well.
pub async fn backup(url: &str, dest: &Path) -> Result<BackupSummary> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Err(StoreError::Backup(
            "this database is PostgreSQL: back it up with PostgreSQL's own tool, e.g. \
             `pg_dump --format=custom --file=interview-bot.dump \"$DATABASE_URL\"` \
             (restore with pg_restore)"
                .into(),
        ));
    }
    if dest.exists() {
        return Err(StoreError::Backup(format!(
            "{} already exists; remove it or choose another file name",
            dest.display()
        )));
    }
    let dest_text = dest.to_str().ok_or_else(|| {
        StoreError::Backup(format!(
            "{} is not valid UTF-8; choose another file name",
            dest.display()
        ))
    })?;
    let options = SqliteConnectOptions::from_str(url)?;
    if !options.get_filename().exists() {
        return Err(StoreError::Backup(format!(
            "there is no database at {}; pass --database (or set DATABASE_URL) with the bot's database URL",
            options.get_filename().display()
        )));
    }
    let mut conn = options
        .create_if_missing(false)
        .busy_timeout(BUSY_TIMEOUT)
        .connect()
        .await?;
    sqlx::query("VACUUM INTO $1")
        .bind(dest_text)
        .execute(&mut conn)
        .await?;
    conn.close().await?;

    let mut copy = SqliteConnectOptions::new()
        .filename(dest)
        .create_if_missing(false)
        .read_only(true)
        .connect()
        .await?;
    let check: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut copy)
        .await?;
    if check != "ok" {
        return Err(StoreError::Backup(format!(
            "the copy {} failed its integrity check: {check}",
            dest.display()
        )));
    }
    let answers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM answers")
        .fetch_one(&mut copy)
        .await?;
    let posts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM posts")
        .fetch_one(&mut copy)
        .await?;
    copy.close().await?;
    let bytes = std::fs::metadata(dest)
        .map_err(|e| StoreError::Backup(format!("reading {}: {e}", dest.display())))?
        .len();
    Ok(BackupSummary {
        bytes,
        answers,
        posts,
    })
}
