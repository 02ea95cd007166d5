//! Posts: questions asked in a channel, with the message and thread they live in.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{AnswerId, At, ChannelRowId, Conn, MemberId, PostId, Result, ScheduleId};
use crate::bank::Tier;

/// A post row: a question asked in a channel.
#[derive(Debug, Clone)]
pub struct PostRow {
    /// Row id (the post number people see).
    pub id: PostId,
    /// Channel row id.
    pub channel: ChannelRowId,
    /// Bank question id.
    pub question_id: String,
    /// Topic id.
    pub topic: String,
    /// Tier.
    pub tier: Tier,
    /// Schedule that posted it, if any.
    pub schedule: Option<ScheduleId>,
    /// Platform message id, once posted.
    pub message_id: Option<String>,
    /// Platform thread id, once opened.
    pub thread_id: Option<String>,
    /// When it was posted.
    pub posted_at: DateTime<Utc>,
    /// When it closes for points.
    pub closes_at: DateTime<Utc>,
    /// When it was closed (revealed), if it was.
    pub closed_at: Option<DateTime<Utc>>,
    /// The channel's IANA time zone (an answer's local day is taken in it).
    pub time_zone: String,
    /// Answers are submitted privately and revealed together at the close (migration 0004).
    pub blind: bool,
}

impl PostRow {
    /// Whether answers at `now` still earn points.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.closed_at.is_none() && now < self.closes_at
    }
}

#[derive(FromRow)]
struct RawPost {
    id: PostId,
    channel: ChannelRowId,
    question_id: String,
    topic: String,
    tier: Tier,
    schedule: Option<ScheduleId>,
    message_id: Option<String>,
    thread_id: Option<String>,
    posted_at: At,
    closes_at: At,
    closed_at: Option<At>,
    time_zone: String,
    blind: bool,
}

impl From<RawPost> for PostRow {
    fn from(r: RawPost) -> PostRow {
        PostRow {
            id: r.id,
            channel: r.channel,
            question_id: r.question_id,
            topic: r.topic,
            tier: r.tier,
            schedule: r.schedule,
            message_id: r.message_id,
            thread_id: r.thread_id,
            posted_at: r.posted_at.0,
            closes_at: r.closes_at.0,
            closed_at: r.closed_at.map(|t| t.0),
            time_zone: r.time_zone,
            blind: r.blind,
        }
    }
}

const POST_COLUMNS: &str = "p.id, p.channel, p.question_id, p.topic, p.tier, p.schedule, \
     p.message_id, p.thread_id, p.posted_at, p.closes_at, p.closed_at, c.time_zone, p.blind";

/// Runs `SELECT <post columns> FROM posts p <clause>` with the binds given, into
/// `fetch_optional` (`one`) or `fetch_all` (`many`).
macro_rules! posts {
    (one, $conn:expr, $clause:expr $(, $bind:expr)*) => {{
        let sql = format!("SELECT {POST_COLUMNS} FROM posts p JOIN channels c ON c.id = p.channel {}", $clause);
        on!($conn, |c| {
            let raw: Option<RawPost> = sqlx::query_as(&sql)$(.bind($bind))*.fetch_optional(c).await?;
            Ok(raw.map(PostRow::from))
        })
    }};
    (many, $conn:expr, $clause:expr $(, $bind:expr)*) => {{
        let sql = format!("SELECT {POST_COLUMNS} FROM posts p JOIN channels c ON c.id = p.channel {}", $clause);
        on!($conn, |c| {
            let raw: Vec<RawPost> = sqlx::query_as(&sql)$(.bind($bind))*.fetch_all(c).await?;
            Ok(raw.into_iter().map(PostRow::from).collect())
        })
    }};
}

/// What a new post holds.
#[derive(Debug, Clone)]
pub struct NewPost<'a> {
    /// Channel row id.
    pub channel: ChannelRowId,
    /// Bank question id.
    pub question_id: &'a str,
    /// Topic id.
    pub topic: &'a str,
    /// Tier.
    pub tier: Tier,
    /// Schedule that posts it.
    pub schedule: Option<ScheduleId>,
    /// Who asked (for `/ask`).
    pub asked_by: Option<MemberId>,
    /// When.
    pub posted_at: DateTime<Utc>,
    /// When it closes.
    pub closes_at: DateTime<Utc>,
}

/// Inserts a post; returns it.
pub async fn insert_post(conn: &mut Conn, p: &NewPost<'_>) -> Result<PostRow> {
    on!(conn, |c| {
        let time_zone: String = sqlx::query_scalar("SELECT time_zone FROM channels WHERE id = $1")
            .bind(p.channel)
            .fetch_one(&mut *c)
            .await?;
        let id: PostId = sqlx::query_scalar(
        "INSERT INTO posts (channel, question_id, topic, tier, schedule, asked_by, posted_at, closes_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(p.channel)
    .bind(p.question_id)
    .bind(p.topic)
    .bind(p.tier)
    .bind(p.schedule)
    .bind(p.asked_by)
    .bind(At(p.posted_at))
    .bind(At(p.closes_at))
    .fetch_one(&mut *c)
    .await?;
        Ok(PostRow {
            id,
            channel: p.channel,
            question_id: p.question_id.to_string(),
            topic: p.topic.to_string(),
            tier: p.tier,
            schedule: p.schedule,
            message_id: None,
            thread_id: None,
            posted_at: p.posted_at,
            closes_at: p.closes_at,
            closed_at: None,
            time_zone,
            blind: false,
        })
    })
}

/// Records where the platform put a post: its message and its thread.
pub async fn attach_post(
    conn: &mut Conn,
    post: PostId,
    message_id: &str,
    thread_id: &str,
) -> Result<()> {
    on!(conn, |c| {
        sqlx::query("UPDATE posts SET message_id = $1, thread_id = $2 WHERE id = $3")
            .bind(message_id)
            .bind(thread_id)
            .bind(post)
            .execute(c)
            .await?;
        Ok(())
    })
}

/// The post with this row id.
pub async fn post(conn: &mut Conn, id: PostId) -> Result<Option<PostRow>> {
    posts!(one, conn, "WHERE p.id = $1", id)
}

/// The post whose thread is `thread_id` on `platform` (index `posts_by_thread`).
pub async fn post_by_thread(
    conn: &mut Conn,
    platform: &str,
    thread_id: &str,
) -> Result<Option<PostRow>> {
    posts!(
        one,
        conn,
        "WHERE p.thread_id = $1 AND c.platform = $2",
        thread_id,
        platform
    )
}

/// A member's earlier answer to a post: what a new answer to it needs to know.
#[derive(Debug, Clone, FromRow)]
pub struct PriorAnswer {
    /// Row id.
    pub id: AnswerId,
    /// Platform message id of that answer.
    pub message_id: String,
    /// Its checker score 0–100.
    pub score: i64,
    /// Whether it arrived after the post closed.
    pub late: bool,
}

#[derive(FromRow)]
struct RawPostWithAnswer {
    #[sqlx(flatten)]
    post: RawPost,
    prior_id: Option<AnswerId>,
    prior_message: Option<String>,
    prior_score: Option<i64>,
    prior_late: Option<bool>,
}

/// The post whose thread is `thread_id` on `platform`, with `author`'s answer to it if there is
/// one: everything a new message in a thread needs, in one query (index `posts_by_thread`, then
/// the answers' unique (post, author) key) instead of two round trips to the database.
pub async fn post_by_thread_with_answer(
    conn: &mut Conn,
    platform: &str,
    thread_id: &str,
    author: MemberId,
) -> Result<Option<(PostRow, Option<PriorAnswer>)>> {
    on!(conn, |c| {
        let sql = format!(
            "SELECT {POST_COLUMNS}, a.id AS prior_id, a.message_id AS prior_message,
                a.score AS prior_score, a.late AS prior_late
         FROM posts p JOIN channels c ON c.id = p.channel
         LEFT JOIN answers a ON a.post = p.id AND a.author = $1
         WHERE p.thread_id = $2 AND c.platform = $3"
        );
        let raw: Option<RawPostWithAnswer> = sqlx::query_as(&sql)
            .bind(author)
            .bind(thread_id)
            .bind(platform)
            .fetch_optional(c)
            .await?;
        Ok(raw.map(|r| {
            let prior = match (r.prior_id, r.prior_message) {
                (Some(id), Some(message_id)) => Some(PriorAnswer {
                    id,
                    message_id,
                    score: r.prior_score.unwrap_or(0),
                    late: r.prior_late.unwrap_or(false),
                }),
                _ => None,
            };
            (PostRow::from(r.post), prior)
        }))
    })
}

/// The channel's most recent post still open at `now`.
pub async fn latest_open_post(
    conn: &mut Conn,
    channel: ChannelRowId,
    now: DateTime<Utc>,
) -> Result<Option<PostRow>> {
    posts!(
        one,
        conn,
        "WHERE p.channel = $1 AND p.closed_at IS NULL AND p.closes_at > $2
         ORDER BY p.posted_at DESC, p.id DESC LIMIT 1",
        channel,
        At(now)
    )
}

/// The newest post of a channel (open or not).
pub async fn latest_post(conn: &mut Conn, channel: ChannelRowId) -> Result<Option<PostRow>> {
    posts!(
        one,
        conn,
        "WHERE p.channel = $1 ORDER BY p.posted_at DESC, p.id DESC LIMIT 1",
        channel
    )
}

/// Posts due to close: not closed yet and `closes_at <= now`, oldest first.
pub async fn posts_to_close(conn: &mut Conn, now: DateTime<Utc>) -> Result<Vec<PostRow>> {
    posts!(
        many,
        conn,
        "WHERE p.closed_at IS NULL AND p.closes_at <= $1 ORDER BY p.closes_at, p.id",
        At(now)
    )
}

/// Open posts of a schedule (to close them when the schedule posts its next question).
pub async fn open_posts_of_schedule(conn: &mut Conn, schedule: ScheduleId) -> Result<Vec<PostRow>> {
    posts!(
        many,
        conn,
        "WHERE p.schedule = $1 AND p.closed_at IS NULL ORDER BY p.id",
        schedule
    )
}

/// Posts created but never delivered to the platform, or posted without their thread (the
/// process stopped between the steps): delivered or completed after a restart.
pub async fn undelivered_posts(conn: &mut Conn) -> Result<Vec<PostRow>> {
    posts!(
        many,
        conn,
        "WHERE (p.message_id IS NULL OR p.thread_id IS NULL) AND p.closed_at IS NULL ORDER BY p.id"
    )
}

/// Every post of a channel, oldest first.
pub async fn posts_in_channel(conn: &mut Conn, channel: ChannelRowId) -> Result<Vec<PostRow>> {
    posts!(
        many,
        conn,
        "WHERE p.channel = $1 ORDER BY p.posted_at, p.id",
        channel
    )
}

/// Marks a post closed at `now`; `false` if it was closed already.
pub async fn close_post(conn: &mut Conn, post: PostId, now: DateTime<Utc>) -> Result<bool> {
    on!(conn, |c| {
        let done =
            sqlx::query("UPDATE posts SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL")
                .bind(At(now))
                .bind(post)
                .execute(c)
                .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// When each question was last posted in a channel: `(question id, last posted)`.
pub async fn question_history(
    conn: &mut Conn,
    channel: ChannelRowId,
) -> Result<Vec<(String, DateTime<Utc>)>> {
    on!(conn, |c| {
        let rows: Vec<(String, At)> = sqlx::query_as(
            "SELECT question_id, MAX(posted_at) FROM posts WHERE channel = $1 GROUP BY question_id",
        )
        .bind(channel)
        .fetch_all(c)
        .await?;
        Ok(rows.into_iter().map(|(q, t)| (q, t.0)).collect())
    })
}

/// When `member` asked (`/ask`) in `channel` at or after `since`, oldest first: the window the
/// engine's per-member rate limit counts (one index range on `posts_channel`).
pub async fn asks_since(
    conn: &mut Conn,
    channel: ChannelRowId,
    member: MemberId,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>> {
    on!(conn, |c| {
        let rows: Vec<At> = sqlx::query_scalar(
            "SELECT posted_at FROM posts WHERE channel = $1 AND posted_at >= $2 AND asked_by = $3
         ORDER BY posted_at",
        )
        .bind(channel)
        .bind(At(since))
        .bind(member)
        .fetch_all(&mut *c)
        .await?;
        Ok(rows.into_iter().map(|t| t.0).collect())
    })
}
