//! Answers, votes and hints. The triggers of migration 0002 keep the rollups
//! ([`super::rollups`]) in step with every change made here, in the same transaction.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{AnswerId, At, ChannelRowId, Conn, MemberId, PostId, Result};
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
    conn: &mut Conn,
    post: PostId,
    author: MemberId,
) -> Result<Option<AnswerRow>> {
    on!(conn, |c| {
        Ok(sqlx::query_as(&format!(
            "SELECT {ANSWER_COLUMNS} FROM answers a JOIN users u ON u.id = a.author
         WHERE a.post = $1 AND a.author = $2"
        ))
        .bind(post)
        .bind(author)
        .fetch_optional(c)
        .await?)
    })
}

/// The answer whose message is `message_id` on `platform` (index `answers_by_message`).
pub async fn answer_by_message(
    conn: &mut Conn,
    platform: &str,
    message_id: &str,
) -> Result<Option<AnswerRow>> {
    on!(conn, |c| {
        Ok(sqlx::query_as(&format!(
            "SELECT {ANSWER_COLUMNS} FROM answers a JOIN users u ON u.id = a.author
         JOIN posts p ON p.id = a.post JOIN channels c ON c.id = p.channel
         WHERE a.message_id = $1 AND c.platform = $2"
        ))
        .bind(message_id)
        .bind(platform)
        .fetch_optional(c)
        .await?)
    })
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
pub async fn upsert_answer(conn: &mut Conn, a: &NewAnswer<'_>) -> Result<AnswerId> {
    on!(conn, |c| {
        if let Some((id, message)) = a.replaces {
            if message != a.message_id {
                sqlx::query("DELETE FROM votes WHERE answer = $1")
                    .bind(id)
                    .execute(&mut *c)
                    .await?;
            }
        }
        Ok(sqlx::query_scalar(
        "INSERT INTO answers (post, author, message_id, body, score, report, late, answered_at, day)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
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
    .bind(At(a.at))
    .bind(a.day)
    .fetch_one(&mut *c)
    .await?)
    })
}

/// Replaces an answer's text and score after an edit (keeps its votes and lateness).
pub async fn edit_answer(
    conn: &mut Conn,
    answer: AnswerId,
    body: &str,
    score: u8,
    report: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    on!(conn, |c| {
        sqlx::query(
            "UPDATE answers SET body = $1, score = $2, report = $3, edited_at = $4 WHERE id = $5",
        )
        .bind(body)
        .bind(i64::from(score))
        .bind(report)
        .bind(At(at))
        .bind(answer)
        .execute(c)
        .await?;
        Ok(())
    })
}

/// Withdraws an answer (and its votes: deleted first, so that each vote's trigger sees the
/// answer it belonged to).
pub async fn delete_answer(conn: &mut Conn, answer: AnswerId) -> Result<()> {
    on!(conn, |c| {
        sqlx::query("DELETE FROM votes WHERE answer = $1")
            .bind(answer)
            .execute(&mut *c)
            .await?;
        sqlx::query("DELETE FROM answers WHERE id = $1")
            .bind(answer)
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Adds `voter`'s vote with `emoji` to the answer whose message is `message_id` on
/// `platform`, in one statement (the lookup by index `answers_by_message` and the insert): `false`
/// when there is no such answer, when it is the voter's own (`voter_platform_id` is its author's
/// platform user id), or when the vote was already there.
pub async fn add_vote_by_message(
    conn: &mut Conn,
    platform: &str,
    message_id: &str,
    voter: MemberId,
    voter_platform_id: &str,
    emoji: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    on!(conn, |c| {
        let done = sqlx::query(
            "INSERT INTO votes (answer, voter, emoji, voted_at)
         SELECT a.id, $1, $2, $3 FROM answers a JOIN users u ON u.id = a.author
         JOIN posts p ON p.id = a.post JOIN channels c ON c.id = p.channel
         WHERE a.message_id = $4 AND c.platform = $5 AND u.user_id <> $6
         ON CONFLICT DO NOTHING",
        )
        .bind(voter)
        .bind(emoji)
        .bind(At(at))
        .bind(message_id)
        .bind(platform)
        .bind(voter_platform_id)
        .execute(c)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Removes a vote; `false` if there was none.
pub async fn remove_vote(
    conn: &mut Conn,
    answer: AnswerId,
    voter: MemberId,
    emoji: &str,
) -> Result<bool> {
    on!(conn, |c| {
        let done = sqlx::query("DELETE FROM votes WHERE answer = $1 AND voter = $2 AND emoji = $3")
            .bind(answer)
            .bind(voter)
            .bind(emoji)
            .execute(c)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Counts one more hint for a member on a post; returns how many they had before this one.
pub async fn next_hint(conn: &mut Conn, post: PostId, member: MemberId) -> Result<i64> {
    on!(conn, |c| {
        let given: i64 = sqlx::query_scalar(
            "INSERT INTO hints (post, member, given) VALUES ($1, $2, 1)
         ON CONFLICT (post, member) DO UPDATE SET given = hints.given + 1
         RETURNING given",
        )
        .bind(post)
        .bind(member)
        .fetch_one(c)
        .await?;
        Ok(given - 1)
    })
}

/// The answer's message id for a member (by display name or platform id) on a post.
pub async fn answer_message_of(
    conn: &mut Conn,
    post: PostId,
    member: &str,
) -> Result<Option<String>> {
    on!(conn, |c| {
        Ok(sqlx::query_scalar(
            "SELECT a.message_id FROM answers a JOIN users u ON u.id = a.author
         WHERE a.post = $1 AND (lower(u.display_name) = lower($2) OR u.user_id = $3)",
        )
        .bind(post)
        .bind(member)
        .bind(member)
        .fetch_optional(c)
        .await?)
    })
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
    answered_at: At,
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
            answered_at: r.answered_at.0,
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
    conn: &mut Conn,
    scope: AnswerScope<'_>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<ScoredAnswer>> {
    on!(conn, |c| {
        // The scope's parameters come first, the time bounds after them (`$from`, `$to`).
        let (filter, from_at, to_at) = match scope {
            AnswerScope::Channel(_) => ("p.channel = $1", 2, 3),
            AnswerScope::Post(_) => ("a.post = $1", 2, 3),
            AnswerScope::Workspace { .. } => ("c.platform = $1 AND c.workspace_id = $2", 3, 4),
        };
        let sql = format!(
            "SELECT a.id, a.author, u.display_name AS author_name, a.post, p.channel,
                p.tier, p.topic, a.score, a.late, a.answered_at,
                (SELECT COUNT(DISTINCT v.voter) FROM votes v WHERE v.answer = a.id) AS voters,
                p.schedule IS NOT NULL AS scheduled
         FROM answers a JOIN posts p ON p.id = a.post JOIN users u ON u.id = a.author
         JOIN channels c ON c.id = p.channel
         WHERE {filter} AND a.answered_at >= ${from_at} AND a.answered_at < ${to_at}
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
            .bind(from.map_or(At::MIN, At))
            .bind(to.map_or(At::MAX, At))
            .fetch_all(c)
            .await?;
        Ok(raw.into_iter().map(ScoredAnswer::from).collect())
    })
}

/// Every answer in a channel answered in `[from, to)`, with its distinct voter count.
pub async fn scored_answers(
    conn: &mut Conn,
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
    conn: &mut Conn,
    channel: ChannelRowId,
    author: MemberId,
) -> Result<Vec<(PostId, bool, bool)>> {
    on!(conn, |c| {
        /// Posts read per round trip.
        const PAGE: i64 = 64;
        let mut out: Vec<(PostId, bool, bool)> = Vec::new();
        loop {
            let (before_at, before_id) = match out.last() {
                Some(_) => {
                    let last = out.len() - 1;
                    let row: (At, i64) =
                        sqlx::query_as("SELECT posted_at, id FROM posts WHERE id = $1")
                            .bind(out[last].0)
                            .fetch_one(&mut *c)
                            .await?;
                    row
                }
                None => (At::MAX, i64::MAX),
            };
            let rows: Vec<(PostId, bool, bool)> = sqlx::query_as(
            "SELECT p.id,
                    EXISTS (SELECT 1 FROM answers a WHERE a.post = p.id AND a.author = $1 AND a.late = FALSE),
                    p.closed_at IS NULL
             FROM posts p WHERE p.channel = $2 AND p.schedule IS NOT NULL
               AND (p.posted_at < $3 OR (p.posted_at = $4 AND p.id < $5))
             ORDER BY p.posted_at DESC, p.id DESC LIMIT $6",
        )
        .bind(author)
        .bind(channel)
        .bind(before_at)
        .bind(before_at)
        .bind(before_id)
        .bind(PAGE)
        .fetch_all(&mut *c)
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
    })
}
