//! Rollups: points, answers and checker-score sums per member, kept beside the answers so that a
//! leaderboard or `/stats` reads a few hundred rows however long the history is. Migration
//! `0002_scale.sql` holds the three tables and the triggers that keep them: each change to an
//! answer or its votes updates them inside the statement that makes it, so in its transaction,
//! with no extra round trip. The points formula there is the one of
//! [`crate::engine::points::points`] (the view `answer_points`).
//!
//! - `rollup_topics` (channel, member, topic): every answer, late ones too (`/stats`);
//! - `rollup_members` (channel, member, tier): on-time answers, all time;
//! - `rollup_days` (channel, local day, member, tier): on-time answers per local day (weeks and
//!   months). The day is stored with the answer (`answers.day`), computed in Rust from the
//!   channel's IANA time zone; when that zone changes, [`rebuild_channel_days`] derives the
//!   channel's days again.
//!
//! This module derives the rollups from scratch ([`rebuild_rollups`], for databases that predate
//! them) and reads them ([`board`], [`member_topics`]).

use chrono_tz::Tz;
use sqlx::FromRow;

use super::{AnswerId, At, ChannelRowId, Conn, MemberId, Pool, Result};
use crate::bank::Tier;
use crate::engine::points;
use crate::schedule::parse_time_zone;

/// Answers whose day is derived per round trip when backfilling.
const BACKFILL_PAGE: i64 = 10_000;

/// Turns the triggers on (`true`) or off for the rest of the caller's transaction.
async fn maintain(conn: &mut Conn, on: bool) -> Result<()> {
    on!(conn, |c| {
        sqlx::query("UPDATE rollup_state SET built = $1")
            .bind(on)
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Writes `answers.day` (the local date in the channel's time zone) for the answers of `channel`
/// (all of them), or of every channel where it is missing (`None`).
async fn derive_days(conn: &mut Conn, channel: Option<ChannelRowId>) -> Result<()> {
    on!(conn, |c| {
        let mut after = AnswerId(0);
        loop {
            let rows: Vec<(AnswerId, At, String)> = sqlx::query_as(
                "SELECT a.id, a.answered_at, c.time_zone
             FROM answers a JOIN posts p ON p.id = a.post JOIN channels c ON c.id = p.channel
             WHERE a.id > $1 AND (CASE WHEN $2 IS NULL THEN a.day IS NULL ELSE p.channel = $3 END)
             ORDER BY a.id LIMIT $4",
            )
            .bind(after)
            .bind(channel)
            .bind(channel)
            .bind(BACKFILL_PAGE)
            .fetch_all(&mut *c)
            .await?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            after = last.0;
            for (id, at, tz) in &rows {
                let tz = parse_time_zone(tz).unwrap_or(Tz::UTC);
                sqlx::query("UPDATE answers SET day = $1 WHERE id = $2")
                    .bind(points::local_day(at.0, tz))
                    .bind(id)
                    .execute(&mut *c)
                    .await?;
            }
        }
    })
}

/// Inserts the aggregated daily rows of `channel` (or of every channel) from `answer_points`.
async fn insert_days(conn: &mut Conn, channel: Option<ChannelRowId>) -> Result<()> {
    on!(conn, |c| {
        sqlx::query(
            "INSERT INTO rollup_days (channel, day, member, tier, answers, points, score_sum)
         SELECT channel, day, author, tier, COUNT(*), SUM(points), SUM(score) FROM answer_points
         WHERE late = FALSE AND day IS NOT NULL AND ($1 IS NULL OR channel = $2)
         GROUP BY channel, day, author, tier",
        )
        .bind(channel)
        .bind(channel)
        .execute(c)
        .await?;
        Ok(())
    })
}

/// Derives a channel's days again in its (new) time zone, on `conn` (so in the caller's
/// transaction). Linear in the channel's answers; runs when `/qotd schedule` changes the zone.
pub async fn rebuild_channel_days(conn: &mut Conn, channel: ChannelRowId) -> Result<()> {
    maintain(conn, false).await?;
    derive_days(conn, Some(channel)).await?;
    on!(conn, |c| {
        sqlx::query("DELETE FROM rollup_days WHERE channel = $1")
            .bind(channel)
            .execute(c)
            .await?;
    });
    insert_days(conn, Some(channel)).await?;
    maintain(conn, true).await
}

/// Derives every rollup from the stored answers and votes, in one transaction: first the days
/// missing on older answers, then the three tables, aggregated in SQL. [`super::open`] runs it
/// once on a database that predates the rollups; a benchmark that writes history straight into
/// SQLite runs it after.
///
/// Errors: the database failed (nothing is changed then).
pub async fn rebuild_rollups(pool: &Pool) -> Result<()> {
    let mut tx = pool.begin().await?;
    maintain(&mut tx, false).await?;
    derive_days(&mut tx, None).await?;
    on!(&mut tx, |c| {
        for table in ["rollup_days", "rollup_members", "rollup_topics"] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *c)
                .await?;
        }
        // `late` is 0/1 in SQLite and BOOLEAN in PostgreSQL: the CASE counts both; the sums
        // of BIGINT are NUMERIC in PostgreSQL, stored back as BIGINT by the INSERT.
        sqlx::query(
            "INSERT INTO rollup_topics (channel, member, topic, answers, late, points, score_sum)
             SELECT channel, author, topic, COUNT(*), SUM(CASE WHEN late THEN 1 ELSE 0 END),
                    SUM(points), SUM(score)
             FROM answer_points GROUP BY channel, author, topic",
        )
        .execute(&mut *c)
        .await?;
        sqlx::query(
            "INSERT INTO rollup_members (channel, member, tier, answers, points, score_sum)
             SELECT channel, author, tier, COUNT(*), SUM(points), SUM(score)
             FROM answer_points WHERE late = FALSE GROUP BY channel, author, tier",
        )
        .execute(&mut *c)
        .await?;
    });
    insert_days(&mut tx, None).await?;
    maintain(&mut tx, true).await?;
    tx.commit().await?;
    Ok(())
}

/// Runs [`rebuild_rollups`] if the rollups were never derived on this database.
pub(super) async fn build_if_needed(pool: &Pool) -> Result<()> {
    let built: bool = on_pool!(pool, |p| {
        sqlx::query_scalar("SELECT built FROM rollup_state WHERE id = 1")
            .fetch_one(p)
            .await?
    });
    if !built {
        rebuild_rollups(pool).await?;
    }
    Ok(())
}

// ---- reads ----

/// Which channels a board covers.
#[derive(Debug, Clone, Copy)]
pub enum BoardScope<'a> {
    /// One channel.
    Channel(ChannelRowId),
    /// Every channel of a workspace (Slack team, Discord guild) on a platform; each channel's
    /// answers fall on days of its own time zone.
    Workspace {
        /// Platform name.
        platform: &'a str,
        /// Slack team id or Discord guild id.
        workspace: &'a str,
    },
}

/// One member's line on a board: on-time answers only.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct BoardRow {
    /// Member row id.
    pub member: MemberId,
    /// Display name.
    pub name: String,
    /// Total points.
    pub points: i64,
    /// On-time answers.
    pub answers: i64,
    /// Sum of their checker scores (for the average).
    pub score_sum: i64,
}

/// The top `limit` members of a board over local days `[from, to)` (`None`: all time),
/// optionally of one tier, ranked by points, then answers, then name, then member id.
/// Reads `rollup_days` (days × active members × tiers rows) or `rollup_members` (members ×
/// tiers rows), never the answers.
pub async fn board(
    conn: &mut Conn,
    scope: BoardScope<'_>,
    days: Option<(i32, i32)>,
    tier: Option<Tier>,
    limit: i64,
) -> Result<Vec<BoardRow>> {
    // Parameters in order: the scope's (1 or 2), the day range's (0 or 2), the tier, the limit.
    let (channels, mut n) = match scope {
        BoardScope::Channel(_) => ("r.channel = $1", 1),
        BoardScope::Workspace { .. } => (
            "r.channel IN (SELECT id FROM channels WHERE platform = $1 AND workspace_id = $2)",
            2,
        ),
    };
    let (table, range) = match days {
        Some(_) => {
            n += 2;
            (
                "rollup_days",
                format!("AND r.day >= ${} AND r.day < ${n}", n - 1),
            )
        }
        None => ("rollup_members", String::new()),
    };
    let (tier_at, limit_at) = (n + 1, n + 2);
    // PostgreSQL's SUM of BIGINT is NUMERIC: cast back to what the row reads (i64). The name is
    // MIN(…) because PostgreSQL allows only aggregates of columns outside the GROUP BY (each
    // member has one name, so it is that name; SQLite keeps grouping by the index's order).
    let sql = format!(
        "SELECT r.member, MIN(u.display_name) AS name, CAST(SUM(r.points) AS BIGINT) AS points,
                CAST(SUM(r.answers) AS BIGINT) AS answers,
                CAST(SUM(r.score_sum) AS BIGINT) AS score_sum
         FROM {table} r JOIN users u ON u.id = r.member
         WHERE {channels} {range} AND (${tier_at} IS NULL OR r.tier = ${tier_at})
         GROUP BY r.member
         HAVING SUM(r.answers) > 0
         ORDER BY points DESC, answers DESC, name, r.member
         LIMIT ${limit_at}"
    );
    on!(conn, |c| {
        let mut q = sqlx::query_as::<_, BoardRow>(&sql);
        q = match scope {
            BoardScope::Channel(channel) => q.bind(channel),
            BoardScope::Workspace {
                platform,
                workspace,
            } => q.bind(platform).bind(workspace),
        };
        if let Some((from, to)) = days {
            q = q.bind(from).bind(to);
        }
        Ok(q.bind(tier).bind(limit).fetch_all(c).await?)
    })
}

/// A member's totals on one topic in one channel (late answers included in `answers`).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TopicTotals {
    /// Topic id.
    pub topic: String,
    /// Answers, late ones included.
    pub answers: i64,
    /// Late answers.
    pub late: i64,
    /// Points (late answers earn 0).
    pub points: i64,
    /// Sum of the checker scores of every answer.
    pub score_sum: i64,
}

/// A member's totals per topic in a channel (one row per topic answered; `rollup_topics`).
pub async fn member_topics(
    conn: &mut Conn,
    channel: ChannelRowId,
    member: MemberId,
) -> Result<Vec<TopicTotals>> {
    on!(conn, |c| {
        Ok(sqlx::query_as(
            "SELECT topic, answers, late, points, score_sum FROM rollup_topics
         WHERE channel = $1 AND member = $2 ORDER BY topic",
        )
        .bind(channel)
        .bind(member)
        .fetch_all(c)
        .await?)
    })
}
