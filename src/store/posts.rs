//! Posts: questions asked in a channel, with the message and thread they live in.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection};

use super::{from_ms, ms, AnswerId, ChannelRowId, MemberId, PostId, Result, ScheduleId};
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
    posted_at: i64,
    closes_at: i64,
    closed_at: Option<i64>,
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
            posted_at: from_ms(r.posted_at),
            closes_at: from_ms(r.closes_at),
            closed_at: r.closed_at.map(from_ms),
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
        let raw: Option<RawPost> = sqlx::query_as(&sql)$(.bind($bind))*.fetch_optional($conn).await?;
        Ok(raw.map(PostRow::from))
    }};
    (many, $conn:expr, $clause:expr $(, $bind:expr)*) => {{
        let sql = format!("SELECT {POST_COLUMNS} FROM posts p JOIN channels c ON c.id = p.channel {}", $clause);
        let raw: Vec<RawPost> = sqlx::query_as(&sql)$(.bind($bind))*.fetch_all($conn).await?;
        Ok(raw.into_iter().map(PostRow::from).collect())
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
pub async fn insert_post(conn: &mut SqliteConnection, p: &NewPost<'_>) -> Result<PostRow> {
    let time_zone: String = sqlx::query_scalar("SELECT time_zone FROM channels WHERE id = ?")
        .bind(p.channel)
        .fetch_one(&mut *conn)
        .await?;
    let id: PostId = sqlx::query_scalar(
        "INSERT INTO posts (channel, question_id, topic, tier, schedule, asked_by, posted_at, closes_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(p.channel)
    .bind(p.question_id)
    .bind(p.topic)
    .bind(p.tier)
    .bind(p.schedule)
    .bind(p.asked_by)
    .bind(ms(p.posted_at))
    .bind(ms(p.closes_at))
    .fetch_one(&mut *conn)
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
}

/// Records where the platform put a post: its message and its thread.
pub async fn attach_post(
    conn: &mut SqliteConnection,
    post: PostId,
    message_id: &str,
    thread_id: &str,
) -> Result<()> {
    sqlx::query("UPDATE posts SET message_id = ?, thread_id = ? WHERE id = ?")
        .bind(message_id)
        .bind(thread_id)
        .bind(post)
        .execute(conn)
        .await?;
    Ok(())
}

/// The post with this row id.
pub async fn post(conn: &mut SqliteConnection, id: PostId) -> Result<Option<PostRow>> {
    posts!(one, conn, "WHERE p.id = ?", id)
}

/// The post whose thread is `thread_id` on `platform` (index `posts_by_thread`).
pub async fn post_by_thread(
    conn: &mut SqliteConnection,
    platform: &str,
    thread_id: &str,
) -> Result<Option<PostRow>> {
    posts!(
        one,
        conn,
        "WHERE p.thread_id = ? AND c.platform = ?",
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
    conn: &mut SqliteConnection,
    platform: &str,
    thread_id: &str,
    author: MemberId,
) -> Result<Option<(PostRow, Option<PriorAnswer>)>> {
    let sql = format!(
        "SELECT {POST_COLUMNS}, a.id AS prior_id, a.message_id AS prior_message,
                a.score AS prior_score, a.late AS prior_late
         FROM posts p JOIN channels c ON c.id = p.channel
         LEFT JOIN answers a ON a.post = p.id AND a.author = ?
         WHERE p.thread_id = ? AND c.platform = ?"
    );
    let raw: Option<RawPostWithAnswer> = sqlx::query_as(&sql)
        .bind(author)
        .bind(thread_id)
        .bind(platform)
        .fetch_optional(conn)
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
}

/// The channel's most recent post still open at `now`.
pub async fn latest_open_post(
    conn: &mut SqliteConnection,
    channel: ChannelRowId,
    now: DateTime<Utc>,
) -> Result<Option<PostRow>> {
    posts!(
        one,
        conn,
        "WHERE p.channel = ? AND p.closed_at IS NULL AND p.closes_at > ?
         ORDER BY p.posted_at DESC, p.id DESC LIMIT 1",
        channel,
        ms(now)
    )
}

/// The newest post of a channel (open or not).
pub async fn latest_post(
    conn: &mut SqliteConnection,
    channel: ChannelRowId,
) -> Result<Option<PostRow>> {
    posts!(
        one,
        conn,
        "WHERE p.channel = ? ORDER BY p.posted_at DESC, p.id DESC LIMIT 1",
        channel
    )
}

/// Posts due to close: not closed yet and `closes_at <= now`, oldest first.
pub async fn posts_to_close(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> Result<Vec<PostRow>> {
    posts!(
        many,
        conn,
        "WHERE p.closed_at IS NULL AND p.closes_at <= ? ORDER BY p.closes_at, p.id",
        ms(now)
    )
}

/// Open posts of a schedule (to close them when the schedule posts its next question).
pub async fn open_posts_of_schedule(
    conn: &mut SqliteConnection,
    schedule: ScheduleId,
) -> Result<Vec<PostRow>> {
    posts!(
        many,
        conn,
        "WHERE p.schedule = ? AND p.closed_at IS NULL ORDER BY p.id",
        schedule
    )
}

/// Posts created but never delivered to the platform, or posted without their thread (the
/// process stopped between the steps): delivered or completed after a restart.
pub async fn undelivered_posts(conn: &mut SqliteConnection) -> Result<Vec<PostRow>> {
    posts!(
        many,
        conn,
        "WHERE (p.message_id IS NULL OR p.thread_id IS NULL) AND p.closed_at IS NULL ORDER BY p.id"
    )
}

/// Every post of a channel, oldest first.
pub async fn posts_in_channel(
    conn: &mut SqliteConnection,
    channel: ChannelRowId,
) -> Result<Vec<PostRow>> {
    posts!(
        many,
        conn,
        "WHERE p.channel = ? ORDER BY p.posted_at, p.id",
        channel
    )
}

/// Marks a post closed at `now`; `false` if it was closed already.
pub async fn close_post(
    conn: &mut SqliteConnection,
    post: PostId,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query("UPDATE posts SET closed_at = ? WHERE id = ? AND closed_at IS NULL")
        .bind(ms(now))
        .bind(post)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// When each question was last posted in a channel: `(question id, last posted)`.
pub async fn question_history(
    conn: &mut SqliteConnection,
    channel: ChannelRowId,
) -> Result<Vec<(String, DateTime<Utc>)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT question_id, MAX(posted_at) FROM posts WHERE channel = ? GROUP BY question_id",
    )
    .bind(channel)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(q, t)| (q, from_ms(t))).collect())
}

/// When `member` asked (`/ask`) in `channel` at or after `since`, oldest first: the window the
/// engine's per-member rate limit counts (one index range on `posts_channel`).
pub async fn asks_since(
    conn: &mut SqliteConnection,
    channel: ChannelRowId,
    member: MemberId,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>> {
    let rows: Vec<i64> = sqlx::query_scalar(
        "SELECT posted_at FROM posts WHERE channel = ? AND posted_at >= ? AND asked_by = ?
         ORDER BY posted_at",
    )
    .bind(channel)
    .bind(ms(since))
    .bind(member)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(from_ms).collect())
}
