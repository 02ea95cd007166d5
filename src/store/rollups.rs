//! Rollups: points, answers and checker-score sums per member, kept beside the answers so that a
//! leaderboard or `/stats` reads a few hundred rows however long the history is (migration
//! `0002_scale.sql` describes the three tables).
//!
//! Each answer contributes (the points formula of [`crate::engine::points::points`]):
//! - to `rollup_topics` (channel, member, topic): always, late answers too (`/stats` counts them);
//! - to `rollup_days` (channel, local day, member, tier) and `rollup_members` (channel, member,
//!   tier): only when on time (late answers earn nothing and boards count on-time answers).
//!
//! [`retract`] takes an answer's contribution out and [`record`] puts it back; the functions of
//! [`super::answers`] call them around every change on the same connection, so in the same
//! transaction as the change. A local day is the answer's date in its channel's IANA time zone,
//! so a channel whose time zone changes gets its days derived again
//! ([`rebuild_channel_days`]).

use std::collections::HashMap;

use chrono_tz::Tz;
use sqlx::{FromRow, SqliteConnection, SqlitePool};

use super::answers::{scored_answers_in, AnswerScope, ScoredAnswer};
use super::{AnswerId, ChannelRowId, MemberId, Result};
use crate::bank::Tier;
use crate::engine::points;
use crate::schedule::parse_time_zone;

/// An answer's contribution to the rollups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Totals {
    answers: i64,
    late: i64,
    points: i64,
    score_sum: i64,
}

impl Totals {
    fn of(a: &ScoredAnswer) -> Totals {
        Totals {
            answers: 1,
            late: i64::from(a.late),
            points: points::points(a.score, a.tier, a.voters, a.late),
            score_sum: a.score,
        }
    }

    fn add(&mut self, o: Totals) {
        self.answers += o.answers;
        self.late += o.late;
        self.points += o.points;
        self.score_sum += o.score_sum;
    }

    fn times(self, sign: i64) -> Totals {
        Totals {
            answers: self.answers * sign,
            late: self.late * sign,
            points: self.points * sign,
            score_sum: self.score_sum * sign,
        }
    }
}

fn day_of(a: &ScoredAnswer) -> i32 {
    let tz = parse_time_zone(&a.time_zone).unwrap_or(Tz::UTC);
    points::local_day(a.answered_at, tz)
}

async fn add_topic(
    conn: &mut SqliteConnection,
    (channel, member, topic): (ChannelRowId, MemberId, &str),
    t: Totals,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO rollup_topics (channel, member, topic, answers, late, points, score_sum)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (channel, member, topic) DO UPDATE SET
             answers = answers + excluded.answers, late = late + excluded.late,
             points = points + excluded.points, score_sum = score_sum + excluded.score_sum",
    )
    .bind(channel)
    .bind(member)
    .bind(topic)
    .bind(t.answers)
    .bind(t.late)
    .bind(t.points)
    .bind(t.score_sum)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn add_day(
    conn: &mut SqliteConnection,
    (channel, day, member, tier): (ChannelRowId, i32, MemberId, Tier),
    t: Totals,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO rollup_days (channel, day, member, tier, answers, points, score_sum)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (channel, day, member, tier) DO UPDATE SET
             answers = answers + excluded.answers, points = points + excluded.points,
             score_sum = score_sum + excluded.score_sum",
    )
    .bind(channel)
    .bind(day)
    .bind(member)
    .bind(tier)
    .bind(t.answers)
    .bind(t.points)
    .bind(t.score_sum)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn add_member(
    conn: &mut SqliteConnection,
    (channel, member, tier): (ChannelRowId, MemberId, Tier),
    t: Totals,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO rollup_members (channel, member, tier, answers, points, score_sum)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (channel, member, tier) DO UPDATE SET
             answers = answers + excluded.answers, points = points + excluded.points,
             score_sum = score_sum + excluded.score_sum",
    )
    .bind(channel)
    .bind(member)
    .bind(tier)
    .bind(t.answers)
    .bind(t.points)
    .bind(t.score_sum)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Adds (`sign` 1) or removes (`sign` -1) one answer's contribution; rows left with no answers
/// are deleted so that boards never list a member with nothing.
async fn apply(conn: &mut SqliteConnection, a: &ScoredAnswer, sign: i64) -> Result<()> {
    let t = Totals::of(a).times(sign);
    add_topic(conn, (a.channel, a.author, &a.topic), t).await?;
    if !a.late {
        add_day(conn, (a.channel, day_of(a), a.author, a.tier), t).await?;
        add_member(conn, (a.channel, a.author, a.tier), t).await?;
    }
    if sign < 0 {
        for table in ["rollup_topics", "rollup_days", "rollup_members"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE channel = ? AND member = ? AND answers = 0"
            ))
            .bind(a.channel)
            .bind(a.author)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Adds an answer's current contribution (after it was stored or changed).
pub async fn record(conn: &mut SqliteConnection, answer: AnswerId) -> Result<()> {
    if let Some(a) = scored_answers_in(conn, AnswerScope::Answer(answer), None, None)
        .await?
        .pop()
    {
        apply(conn, &a, 1).await?;
    }
    Ok(())
}

/// Takes an answer's current contribution out (before it changes or goes).
pub async fn retract(conn: &mut SqliteConnection, answer: AnswerId) -> Result<()> {
    if let Some(a) = scored_answers_in(conn, AnswerScope::Answer(answer), None, None)
        .await?
        .pop()
    {
        apply(conn, &a, -1).await?;
    }
    Ok(())
}

/// Which rollup tables a rebuild writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tables {
    All,
    Days,
}

async fn rebuild_channel(
    conn: &mut SqliteConnection,
    channel: ChannelRowId,
    tables: Tables,
) -> Result<()> {
    let answers = scored_answers_in(conn, AnswerScope::Channel(channel), None, None).await?;
    let mut days: HashMap<(i32, MemberId, Tier), Totals> = HashMap::new();
    let mut members: HashMap<(MemberId, Tier), Totals> = HashMap::new();
    let mut topics: HashMap<(MemberId, &str), Totals> = HashMap::new();
    for a in &answers {
        let t = Totals::of(a);
        if tables == Tables::All {
            topics.entry((a.author, &a.topic)).or_default().add(t);
        }
        if !a.late {
            days.entry((day_of(a), a.author, a.tier))
                .or_default()
                .add(t);
            if tables == Tables::All {
                members.entry((a.author, a.tier)).or_default().add(t);
            }
        }
    }
    for ((day, member, tier), t) in days {
        add_day(conn, (channel, day, member, tier), t).await?;
    }
    for ((member, tier), t) in members {
        add_member(conn, (channel, member, tier), t).await?;
    }
    for ((member, topic), t) in topics {
        add_topic(conn, (channel, member, topic), t).await?;
    }
    Ok(())
}

/// Derives a channel's daily rollup again (after its time zone changed), on `conn` (so in the
/// caller's transaction). Linear in the channel's answers.
pub async fn rebuild_channel_days(
    conn: &mut SqliteConnection,
    channel: ChannelRowId,
) -> Result<()> {
    sqlx::query("DELETE FROM rollup_days WHERE channel = ?")
        .bind(channel)
        .execute(&mut *conn)
        .await?;
    rebuild_channel(conn, channel, Tables::Days).await
}

/// Derives every rollup from the stored answers and votes, in one transaction, one channel at a
/// time (memory bounded by the largest channel). [`super::open`] runs it once on a database that
/// predates the rollups; a benchmark that writes history straight into SQLite runs it after.
///
/// Errors: the database failed (nothing is changed then).
pub async fn rebuild_rollups(pool: &SqlitePool) -> Result<()> {
    let mut tx = pool.begin().await?;
    for table in ["rollup_days", "rollup_members", "rollup_topics"] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *tx)
            .await?;
    }
    let channels: Vec<ChannelRowId> = sqlx::query_scalar("SELECT id FROM channels ORDER BY id")
        .fetch_all(&mut *tx)
        .await?;
    for c in channels {
        rebuild_channel(&mut tx, c, Tables::All).await?;
    }
    sqlx::query("UPDATE rollup_state SET built = 1")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Runs [`rebuild_rollups`] if the rollups were never derived on this database.
pub(super) async fn build_if_needed(pool: &SqlitePool) -> Result<()> {
    let built: i64 = sqlx::query_scalar("SELECT built FROM rollup_state WHERE id = 1")
        .fetch_one(pool)
        .await?;
    if built == 0 {
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
    conn: &mut SqliteConnection,
    scope: BoardScope<'_>,
    days: Option<(i32, i32)>,
    tier: Option<Tier>,
    limit: i64,
) -> Result<Vec<BoardRow>> {
    let channels = match scope {
        BoardScope::Channel(_) => "r.channel = ?",
        BoardScope::Workspace { .. } => {
            "r.channel IN (SELECT id FROM channels WHERE platform = ? AND workspace_id = ?)"
        }
    };
    let (table, range) = match days {
        Some(_) => ("rollup_days", "AND r.day >= ? AND r.day < ?"),
        None => ("rollup_members", ""),
    };
    let sql = format!(
        "SELECT r.member, u.display_name AS name, SUM(r.points) AS points,
                SUM(r.answers) AS answers, SUM(r.score_sum) AS score_sum
         FROM {table} r JOIN users u ON u.id = r.member
         WHERE {channels} {range} AND (? IS NULL OR r.tier = ?)
         GROUP BY r.member
         HAVING SUM(r.answers) > 0
         ORDER BY points DESC, answers DESC, name, r.member
         LIMIT ?"
    );
    let mut q = sqlx::query_as::<_, BoardRow>(&sql);
    q = match scope {
        BoardScope::Channel(c) => q.bind(c),
        BoardScope::Workspace {
            platform,
            workspace,
        } => q.bind(platform).bind(workspace),
    };
    if let Some((from, to)) = days {
        q = q.bind(from).bind(to);
    }
    Ok(q.bind(tier).bind(tier).bind(limit).fetch_all(conn).await?)
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
    conn: &mut SqliteConnection,
    channel: ChannelRowId,
    member: MemberId,
) -> Result<Vec<TopicTotals>> {
    Ok(sqlx::query_as(
        "SELECT topic, answers, late, points, score_sum FROM rollup_topics
         WHERE channel = ? AND member = ? ORDER BY topic",
    )
    .bind(channel)
    .bind(member)
    .fetch_all(conn)
    .await?)
}
