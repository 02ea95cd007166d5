//! Schedules: the question of the day and the weekly leaderboard, with their durable next run.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{At, ChannelRowId, Conn, Result, ScheduleId, ScheduleKind};
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
    next_run_at: At,
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
            next_run_at: r.next_run_at.0,
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
    conn: &mut Conn,
    s: &NewSchedule<'_>,
    now: DateTime<Utc>,
) -> Result<ScheduleId> {
    on!(conn, |c| {
        Ok(sqlx::query_scalar(
        "INSERT INTO schedules (channel, kind, cron, time_zone, tier, topic, paused, next_run_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7, $8)
         ON CONFLICT (channel, kind) DO UPDATE SET
             cron = excluded.cron, time_zone = excluded.time_zone, tier = excluded.tier,
             topic = excluded.topic, paused = FALSE, next_run_at = excluded.next_run_at
         RETURNING id",
    )
    .bind(s.channel)
    .bind(s.kind)
    .bind(s.cron)
    .bind(s.time_zone)
    .bind(s.tier)
    .bind(s.topic)
    .bind(At(s.next_run_at))
    .bind(At(now))
    .fetch_one(c)
    .await?)
    })
}

/// The channel's schedule of this kind.
pub async fn schedule_of(
    conn: &mut Conn,
    channel: ChannelRowId,
    kind: ScheduleKind,
) -> Result<Option<ScheduleRow>> {
    on!(conn, |c| {
        let raw: Option<RawSchedule> = sqlx::query_as(&format!(
            "SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE channel = $1 AND kind = $2"
        ))
        .bind(channel)
        .bind(kind)
        .fetch_optional(c)
        .await?;
        Ok(raw.map(ScheduleRow::from))
    })
}

/// Unpaused schedules due at `now`, oldest due first.
pub async fn due_schedules(conn: &mut Conn, now: DateTime<Utc>) -> Result<Vec<ScheduleRow>> {
    on!(conn, |c| {
        let raw: Vec<RawSchedule> = sqlx::query_as(&format!(
            "SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE paused = FALSE AND next_run_at <= $1
         ORDER BY next_run_at, id"
        ))
        .bind(At(now))
        .fetch_all(c)
        .await?;
        Ok(raw.into_iter().map(ScheduleRow::from).collect())
    })
}

/// Claims a due run: moves `next_run_at` from `expected` to `next` only if nobody else did.
/// Returns `false` when the run was already claimed (by another process, or before a restart).
pub async fn claim_run(
    conn: &mut Conn,
    schedule: ScheduleId,
    expected: DateTime<Utc>,
    next: DateTime<Utc>,
) -> Result<bool> {
    on!(conn, |c| {
        let done =
            sqlx::query("UPDATE schedules SET next_run_at = $1 WHERE id = $2 AND next_run_at = $3")
                .bind(At(next))
                .bind(schedule)
                .bind(At(expected))
                .execute(c)
                .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Pauses or resumes a channel's schedules; on resume `next_run_at` is set to `next` so that a
/// long pause does not cause a catch-up post. Returns how many schedules changed.
pub async fn set_paused(
    conn: &mut Conn,
    channel: ChannelRowId,
    kind: ScheduleKind,
    paused: bool,
    next: Option<DateTime<Utc>>,
) -> Result<u64> {
    on!(conn, |c| {
        let done = sqlx::query(
            "UPDATE schedules SET paused = $1, next_run_at = COALESCE($2, next_run_at)
         WHERE channel = $3 AND kind = $4",
        )
        .bind(paused)
        .bind(next.map(At))
        .bind(channel)
        .bind(kind)
        .execute(c)
        .await?;
        Ok(done.rows_affected())
    })
}

/// Removes every schedule of a channel; returns how many there were.
pub async fn remove_schedules(conn: &mut Conn, channel: ChannelRowId) -> Result<u64> {
    on!(conn, |c| {
        Ok(sqlx::query("DELETE FROM schedules WHERE channel = $1")
            .bind(channel)
            .execute(c)
            .await?
            .rows_affected())
    })
}

/// The earliest instant after which something is due: an unpaused schedule's next run or an open
/// post's closing time.
pub async fn next_due(conn: &mut Conn) -> Result<Option<DateTime<Utc>>> {
    on!(conn, |c| {
        let t: Option<At> = sqlx::query_scalar(
            "SELECT MIN(t) FROM (
             SELECT MIN(next_run_at) AS t FROM schedules WHERE paused = FALSE
             UNION ALL
             SELECT MIN(closes_at) AS t FROM posts WHERE closed_at IS NULL) AS due",
        )
        .fetch_one(c)
        .await?;
        Ok(t.map(|t| t.0))
    })
}
