//! Schedules: the question of the day and the weekly leaderboard, with their durable next run.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection};

use super::{from_ms, ms, ChannelRowId, Result, ScheduleId, ScheduleKind};
use crate::bank::Tier;

/// A schedule row.
#[derive(Debug, Clone)]
pub struct ScheduleRow {
    /// Row id.
    pub id: ScheduleId,
    /// Channel row id.
    pub channel: ChannelRowId,
    /// Question or leaderboard.
    pub kind: ScheduleKind,
    /// Five-field cron expression as written.
    pub cron: String,
    /// IANA time zone.
    pub time_zone: String,
    /// Tier filter.
    pub tier: Option<Tier>,
    /// Topic filter.
    pub topic: Option<String>,
    /// Paused schedules do not run.
    pub paused: bool,
    /// Next due instant.
    pub next_run_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct RawSchedule {
    id: ScheduleId,
    channel: ChannelRowId,
    kind: ScheduleKind,
    cron: String,
    time_zone: String,
    tier: Option<Tier>,
    topic: Option<String>,
    paused: bool,
    next_run_at: i64,
}

impl From<RawSchedule> for ScheduleRow {
    fn from(r: RawSchedule) -> ScheduleRow {
        ScheduleRow {
            id: r.id,
            channel: r.channel,
            kind: r.kind,
            cron: r.cron,
            time_zone: r.time_zone,
            tier: r.tier,
            topic: r.topic,
            paused: r.paused,
            next_run_at: from_ms(r.next_run_at),
        }
    }
}

const SCHEDULE_COLUMNS: &str =
    "id, channel, kind, cron, time_zone, tier, topic, paused, next_run_at";

/// What a new or replaced schedule holds.
#[derive(Debug, Clone)]
pub struct NewSchedule<'a> {
    /// Channel row id.
    pub channel: ChannelRowId,
    /// Question or leaderboard.
    pub kind: ScheduleKind,
    /// Five-field cron expression.
    pub cron: &'a str,
    /// IANA time zone.
    pub time_zone: &'a str,
    /// Tier filter.
    pub tier: Option<Tier>,
    /// Topic filter.
    pub topic: Option<&'a str>,
    /// First due instant.
    pub next_run_at: DateTime<Utc>,
}

/// Creates or replaces the channel's schedule of this kind (unpaused); returns its row id.
pub async fn upsert_schedule(
    conn: &mut SqliteConnection,
    s: &NewSchedule<'_>,
    now: DateTime<Utc>,
) -> Result<ScheduleId> {
    Ok(sqlx::query_scalar(
        "INSERT INTO schedules (channel, kind, cron, time_zone, tier, topic, paused, next_run_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)
         ON CONFLICT (channel, kind) DO UPDATE SET
             cron = excluded.cron, time_zone = excluded.time_zone, tier = excluded.tier,
             topic = excluded.topic, paused = 0, next_run_at = excluded.next_run_at
         RETURNING id",
    )
    .bind(s.channel)
    .bind(s.kind)
    .bind(s.cron)
    .bind(s.time_zone)
    .bind(s.tier)
    .bind(s.topic)
    .bind(ms(s.next_run_at))
    .bind(ms(now))
    .fetch_one(conn)
    .await?)
}

/// The channel's schedule of this kind.
pub async fn schedule_of(
    conn: &mut SqliteConnection,
    channel: ChannelRowId,
    kind: ScheduleKind,
) -> Result<Option<ScheduleRow>> {
    let raw: Option<RawSchedule> = sqlx::query_as(&format!(
        "SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE channel = ? AND kind = ?"
    ))
    .bind(channel)
    .bind(kind)
    .fetch_optional(conn)
    .await?;
    Ok(raw.map(ScheduleRow::from))
}

/// Unpaused schedules due at `now`, oldest due first.
pub async fn due_schedules(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> Result<Vec<ScheduleRow>> {
    let raw: Vec<RawSchedule> = sqlx::query_as(&format!(
        "SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE paused = 0 AND next_run_at <= ?
         ORDER BY next_run_at, id"
    ))
    .bind(ms(now))
    .fetch_all(conn)
    .await?;
    Ok(raw.into_iter().map(ScheduleRow::from).collect())
}

/// Claims a due run: moves `next_run_at` from `expected` to `next` only if nobody else did.
/// Returns `false` when the run was already claimed (by another process, or before a restart).
pub async fn claim_run(
    conn: &mut SqliteConnection,
    schedule: ScheduleId,
    expected: DateTime<Utc>,
    next: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query("UPDATE schedules SET next_run_at = ? WHERE id = ? AND next_run_at = ?")
        .bind(ms(next))
        .bind(schedule)
        .bind(ms(expected))
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Pauses or resumes a channel's schedules; on resume `next_run_at` is set to `next` so that a
/// long pause does not cause a catch-up post. Returns how many schedules changed.
pub async fn set_paused(
    conn: &mut SqliteConnection,
    channel: ChannelRowId,
    kind: ScheduleKind,
    paused: bool,
    next: Option<DateTime<Utc>>,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE schedules SET paused = ?, next_run_at = COALESCE(?, next_run_at)
         WHERE channel = ? AND kind = ?",
    )
    .bind(paused)
    .bind(next.map(ms))
    .bind(channel)
    .bind(kind)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Removes every schedule of a channel; returns how many there were.
pub async fn remove_schedules(conn: &mut SqliteConnection, channel: ChannelRowId) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM schedules WHERE channel = ?")
        .bind(channel)
        .execute(conn)
        .await?
        .rows_affected())
}

/// The earliest instant after which something is due: an unpaused schedule's next run or an open
/// post's closing time.
pub async fn next_due(conn: &mut SqliteConnection) -> Result<Option<DateTime<Utc>>> {
    let t: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(t) FROM (
             SELECT MIN(next_run_at) AS t FROM schedules WHERE paused = 0
             UNION ALL
             SELECT MIN(closes_at) AS t FROM posts WHERE closed_at IS NULL)",
    )
    .fetch_one(conn)
    .await?;
    Ok(t.map(from_ms))
}
