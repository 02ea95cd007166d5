//! Answers, votes and hints. The triggers of migration 0002 keep the rollups
//! ([`super::rollups`]) in step with every change made here, in the same transaction.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection};

use super::{from_ms, ms, AnswerId, ChannelRowId, MemberId, PostId, Result};
use crate::bank::Tier;

/// An answer row.
#[derive(Debug, Clone, FromRow)]
pub struct AnswerRow {
    /// Row id.
    pub id: AnswerId,
    /// Post row id.
    pub post: PostId,
    /// Author's user row id.
    pub author: MemberId,
    /// Author's display name.
    pub author_name: String,
    /// Author's platform user id.
    pub author_platform_id: String,
    /// Platform message id of the answer.
    pub message_id: String,
    /// The answer text.
    pub body: String,
    /// Checker score 0–100.
    pub score: i64,
    /// The checker's report, JSON.
    pub report: String,
    /// Arrived after the post closed.
    pub late: bool,
}

const ANSWER_COLUMNS: &str = "a.id, a.post, a.author, u.display_name AS author_name, \
     u.user_id AS author_platform_id, a.message_id, a.body, a.score, a.report, a.late";

/// The member's answer to a post.
pub async fn answer_of(
    conn: &mut SqliteConnection,
    post: PostId,
    author: MemberId,
) -> Result<Option<AnswerRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ANSWER_COLUMNS} FROM answers a JOIN users u ON u.id = a.author
         WHERE a.post = ? AND a.author = ?"
    ))
    .bind(post)
    .bind(author)
    .fetch_optional(conn)
    .await?)
}

/// The answer whose message is `message_id` on `platform` (index `answers_by_message`).
pub async fn answer_by_message(
    conn: &mut SqliteConnection,
    platform: &str,
    message_id: &str,
) -> Result<Option<AnswerRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ANSWER_COLUMNS} FROM answers a JOIN users u ON u.id = a.author
         JOIN posts p ON p.id = a.post JOIN channels c ON c.id = p.channel
         WHERE a.message_id = ? AND c.platform = ?"
    ))
    .bind(message_id)
    .bind(platform)
    .fetch_optional(conn)
    .await?)
}

/// What a new or replacing answer holds.
#[derive(Debug, Clone)]
pub struct NewAnswer<'a> {
    /// Post row id.
    pub post: PostId,
    /// Author's user row id.
    pub author: MemberId,
    /// Platform message id.
    pub message_id: &'a str,
    /// The text.
    pub body: &'a str,
    /// Checker score.
    pub score: u8,
    /// Checker report, JSON.
    pub report: &'a str,
    /// After close.
    pub late: bool,
    /// When.
    pub at: DateTime<Utc>,
    /// `at`'s local date in the channel's time zone (see [`crate::engine::points::local_day`]).
    pub day: i32,
    /// The member's current answer to the post, `(id, message id)`, as read in this
    /// transaction ([`answer_of`]); `None` if they have none.
    pub replaces: Option<(AnswerId, &'a str)>,
}

/// Inserts the member's answer, or replaces their earlier one (`a.replaces`: a new message
/// replaces it and drops its votes, which were for other text). Returns the answer row id.
pub async fn upsert_answer(conn: &mut SqliteConnection, a: &NewAnswer<'_>) -> Result<AnswerId> {
    if let Some((id, message)) = a.replaces {
        if message != a.message_id {
            sqlx::query("DELETE FROM votes WHERE answer = ?")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO answers (post, author, message_id, body, score, report, late, answered_at, day)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (post, author) DO UPDATE SET
             message_id = excluded.message_id, body = excluded.body, score = excluded.score,
             report = excluded.report, late = excluded.late, answered_at = excluded.answered_at,
             day = excluded.day, edited_at = NULL
         RETURNING id",
    )
    .bind(a.post)
    .bind(a.author)
    .bind(a.message_id)
    .bind(a.body)
    .bind(i64::from(a.score))
    .bind(a.report)
    .bind(a.late)
    .bind(ms(a.at))
    .bind(a.day)
    .fetch_one(&mut *conn)
    .await?)
}

/// Replaces an answer's text and score after an edit (keeps its votes and lateness).
pub async fn edit_answer(
    conn: &mut SqliteConnection,
    answer: AnswerId,
    body: &str,
    score: u8,
    report: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("UPDATE answers SET body = ?, score = ?, report = ?, edited_at = ? WHERE id = ?")
        .bind(body)
        .bind(i64::from(score))
        .bind(report)
        .bind(ms(at))
        .bind(answer)
        .execute(conn)
        .await?;
    Ok(())
}

/// Withdraws an answer (and its votes: deleted first, so that each vote's trigger sees the
/// answer it belonged to).
pub async fn delete_answer(conn: &mut SqliteConnection, answer: AnswerId) -> Result<()> {
    sqlx::query("DELETE FROM votes WHERE answer = ?")
        .bind(answer)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM answers WHERE id = ?")
        .bind(answer)
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds `voter`'s vote with `emoji` to the answer whose message is `message_id` on
/// `platform`, in one statement (the lookup by index `answers_by_message` and the insert): `false`
/// when there is no such answer, when it is the voter's own (`voter_platform_id` is its author's
/// platform user id), or when the vote was already there.
pub async fn add_vote_by_message(
    conn: &mut SqliteConnection,
    platform: &str,
    message_id: &str,
    voter: MemberId,
    voter_platform_id: &str,
    emoji: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO votes (answer, voter, emoji, voted_at)
         SELECT a.id, ?, ?, ? FROM answers a JOIN users u ON u.id = a.author
         JOIN posts p ON p.id = a.post JOIN channels c ON c.id = p.channel
         WHERE a.message_id = ? AND c.platform = ? AND u.user_id <> ?
         ON CONFLICT DO NOTHING",
    )
    .bind(voter)
    .bind(emoji)
    .bind(ms(at))
    .bind(message_id)
    .bind(platform)
    .bind(voter_platform_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a vote; `false` if there was none.
pub async fn remove_vote(
    conn: &mut SqliteConnection,
    answer: AnswerId,
    voter: MemberId,
    emoji: &str,
) -> Result<bool> {
    let done = sqlx::query("DELETE FROM votes WHERE answer = ? AND voter = ? AND emoji = ?")
        .bind(answer)
        .bind(voter)
        .bind(emoji)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts one more hint for a member on a post; returns how many they had before this one.
pub async fn next_hint(conn: &mut SqliteConnection, post: PostId, member: MemberId) -> Result<i64> {
    let given: i64 = sqlx::query_scalar(
        "INSERT INTO hints (post, member, given) VALUES (?, ?, 1)
         ON CONFLICT (post, member) DO UPDATE SET given = given + 1
         RETURNING given",
    )
    .bind(post)
    .bind(member)
    .fetch_one(conn)
    .await?;
    Ok(given - 1)
}

/// The answer's message id for a member (by display name or platform id) on a post.
pub async fn answer_message_of(
    conn: &mut SqliteConnection,
    post: PostId,
    member: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT a.message_id FROM answers a JOIN users u ON u.id = a.author
         WHERE a.post = ? AND (lower(u.display_name) = lower(?) OR u.user_id = ?)",
    )
    .bind(post)
    .bind(member)
    .bind(member)
    .fetch_optional(conn)
    .await?)
}

// ---- the scored-answer view ----

/// One answer with what points need: the post's tier and topic, lateness, distinct voters.
#[derive(Debug, Clone)]
pub struct ScoredAnswer {
    /// Answer row id.
    pub id: AnswerId,
    /// Author's user row id.
    pub author: MemberId,
    /// Author's display name.
    pub author_name: String,
    /// Post row id.
    pub post: PostId,
    /// The post's channel.
    pub channel: ChannelRowId,
    /// Post tier.
    pub tier: Tier,
    /// Post topic id.
    pub topic: String,
    /// Checker score 0–100.
    pub score: i64,
    /// After close.
    pub late: bool,
    /// When answered.
    pub answered_at: DateTime<Utc>,
    /// Distinct members who voted (any configured emoji).
    pub voters: i64,
    /// Whether the post came from a schedule.
    pub scheduled: bool,
}

#[derive(FromRow)]
struct RawScored {
    id: AnswerId,
    author: MemberId,
    author_name: String,
    post: PostId,
    channel: ChannelRowId,
    tier: Tier,
    topic: String,
    score: i64,
    late: bool,
    answered_at: i64,
    voters: i64,
    scheduled: bool,
}

impl From<RawScored> for ScoredAnswer {
    fn from(r: RawScored) -> ScoredAnswer {
        ScoredAnswer {
            id: r.id,
            author: r.author,
            author_name: r.author_name,
            post: r.post,
            channel: r.channel,
            tier: r.tier,
            topic: r.topic,
            score: r.score,
            late: r.late,
            answered_at: from_ms(r.answered_at),
            voters: r.voters,
            scheduled: r.scheduled,
        }
    }
}

/// Which answers a [`scored_answers`] call reads.
#[derive(Debug, Clone, Copy)]
pub enum AnswerScope<'a> {
    /// One channel.
    Channel(ChannelRowId),
    /// One post (for the reveal).
    Post(PostId),
    /// Every channel of a workspace (Slack team, Discord guild) on a platform.
    Workspace {
        /// Platform name.
        platform: &'a str,
        /// Slack team id or Discord guild id.
        workspace: &'a str,
    },
}

/// The one scored-answer query: answers in `scope` answered in `[from, to)` (`None`: unbounded),
/// oldest first, each with its distinct voter count. Cost: linear in the answers it returns, so
/// boards and stats read the rollups instead; this serves reveals (one post) and checks.
pub async fn scored_answers_in(
    conn: &mut SqliteConnection,
    scope: AnswerScope<'_>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<ScoredAnswer>> {
    let filter = match scope {
        AnswerScope::Channel(_) => "p.channel = ?",
        AnswerScope::Post(_) => "a.post = ?",
        AnswerScope::Workspace { .. } => "c.platform = ? AND c.workspace_id = ?",
    };
    let sql = format!(
        "SELECT a.id, a.author, u.display_name AS author_name, a.post, p.channel,
                p.tier, p.topic, a.score, a.late, a.answered_at,
                (SELECT COUNT(DISTINCT v.voter) FROM votes v WHERE v.answer = a.id) AS voters,
                p.schedule IS NOT NULL AS scheduled
         FROM answers a JOIN posts p ON p.id = a.post JOIN users u ON u.id = a.author
         JOIN channels c ON c.id = p.channel
         WHERE {filter} AND a.answered_at >= ? AND a.answered_at < ?
         ORDER BY a.answered_at, a.id"
    );
    let query = sqlx::query_as::<_, RawScored>(&sql);
    let query = match scope {
        AnswerScope::Channel(c) => query.bind(c),
        AnswerScope::Post(p) => query.bind(p),
        AnswerScope::Workspace {
            platform,
            workspace,
        } => query.bind(platform).bind(workspace),
    };
    let raw = query
        .bind(from.map_or(i64::MIN, ms))
        .bind(to.map_or(i64::MAX, ms))
        .fetch_all(conn)
        .await?;
    Ok(raw.into_iter().map(ScoredAnswer::from).collect())
}

/// Every answer in a channel answered in `[from, to)`, with its distinct voter count.
pub async fn scored_answers(
    conn: &mut SqliteConnection,
    channel: ChannelRowId,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<ScoredAnswer>> {
    scored_answers_in(conn, AnswerScope::Channel(channel), from, to).await
}

/// Scheduled posts of a channel, newest first, with whether `author` answered each on time and
/// whether the post is still open: `(post, answered on time, open)`. Reads only as far back as
/// a streak can reach: it stops at the first scheduled post the member missed (after the newest).
pub async fn scheduled_posts_answered(
    conn: &mut SqliteConnection,
    channel: ChannelRowId,
    author: MemberId,
) -> Result<Vec<(PostId, bool, bool)>> {
    /// Posts read per round trip.
    const PAGE: i64 = 64;
    let mut out: Vec<(PostId, bool, bool)> = Vec::new();
    loop {
        let (before_at, before_id) = match out.last() {
            Some(_) => {
                let last = out.len() - 1;
                let row: (i64, i64) =
                    sqlx::query_as("SELECT posted_at, id FROM posts WHERE id = ?")
                        .bind(out[last].0)
                        .fetch_one(&mut *conn)
                        .await?;
                row
            }
            None => (i64::MAX, i64::MAX),
        };
        let rows: Vec<(PostId, bool, bool)> = sqlx::query_as(
            "SELECT p.id,
                    EXISTS (SELECT 1 FROM answers a WHERE a.post = p.id AND a.author = ? AND a.late = 0),
                    p.closed_at IS NULL
             FROM posts p WHERE p.channel = ? AND p.schedule IS NOT NULL
               AND (p.posted_at < ? OR (p.posted_at = ? AND p.id < ?))
             ORDER BY p.posted_at DESC, p.id DESC LIMIT ?",
        )
        .bind(author)
        .bind(channel)
        .bind(before_at)
        .bind(before_at)
        .bind(before_id)
        .bind(PAGE)
        .fetch_all(&mut *conn)
        .await?;
        let full = rows.len() as i64 == PAGE;
        let start = out.len();
        out.extend(rows);
        // A missed post after the newest ends every streak: nothing older matters.
        if out[start..]
            .iter()
            .enumerate()
            .any(|(i, &(_, answered, _))| !answered && start + i > 0)
            || !full
        {
            return Ok(out);
        }
    }
}
