//! The store: SQLite through sqlx, the only module with SQL.
//!
//! Functions are free functions over a `&mut SqliteConnection`, so the engine runs them in a
//! transaction (`&mut *tx`) or on a pooled connection alike. Times are `DateTime<Utc>` in Rust
//! and INTEGER milliseconds in SQLite. Migrations live in `migrations/` and are embedded with
//! [`MIGRATOR`].

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{FromRow, SqliteConnection, SqlitePool};

use crate::bank::Tier;

/// The embedded migrations of `migrations/`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The default database when neither `DATABASE_URL` nor `--database` is given: a file in the
/// working directory, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://interview-bot.db";

/// Store failures. All of them are internal (the user sees an apology; the log has the detail).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite or the driver failed.
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back (e.g. an unknown tier name).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
}

/// Result alias for store calls.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Opens (creating if missing) the database at `url` (`sqlite://path`, `sqlite::memory:`), in WAL
/// mode with foreign keys on, and runs the migrations.
///
/// In-memory databases get a single connection (each connection would otherwise be a separate,
/// empty database).
pub async fn open(url: &str) -> Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .foreign_keys(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5));
    let memory = url.contains(":memory:") || url.contains("mode=memory");
    let pool = SqlitePoolOptions::new()
        .max_connections(if memory { 1 } else { 4 })
        .min_connections(if memory { 1 } else { 0 })
        .idle_timeout(if memory {
            None
        } else {
            Some(Duration::from_secs(600))
        })
        .max_lifetime(if memory {
            None
        } else {
            Some(Duration::from_secs(3600))
        })
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Milliseconds since the Unix epoch.
pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The instant `ms` milliseconds after the Unix epoch.
pub fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

fn tier(s: &str) -> Result<Tier> {
    Tier::from_word(s).ok_or_else(|| StoreError::Corrupt(format!("tier `{s}`")))
}

// ---- channels and users ----

/// Row id of a channel, creating it on first sight.
pub async fn channel_id(
    conn: &mut SqliteConnection,
    platform: &str,
    channel: &str,
    workspace: Option<&str>,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO channels (platform, channel_id, workspace_id) VALUES (?, ?, ?)
         ON CONFLICT (platform, channel_id)
         DO UPDATE SET workspace_id = COALESCE(excluded.workspace_id, workspace_id)
         RETURNING id",
    )
    .bind(platform)
    .bind(channel)
    .bind(workspace)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// A channel row.
#[derive(Debug, Clone, FromRow)]
pub struct ChannelRow {
    /// Row id.
    pub id: i64,
    /// Platform name.
    pub platform: String,
    /// The platform's channel id.
    pub channel_id: String,
    /// IANA time zone used for weeks and rendering.
    pub time_zone: String,
}

/// The channel with this row id.
pub async fn channel(conn: &mut SqliteConnection, id: i64) -> Result<ChannelRow> {
    Ok(
        sqlx::query_as("SELECT id, platform, channel_id, time_zone FROM channels WHERE id = ?")
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}

/// Sets a channel's IANA time zone.
pub async fn set_channel_time_zone(conn: &mut SqliteConnection, id: i64, tz: &str) -> Result<()> {
    sqlx::query("UPDATE channels SET time_zone = ? WHERE id = ?")
        .bind(tz)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Row id of a member, creating it on first sight and keeping the display name current (a bare
/// platform id, which is all some events carry, never replaces a known name).
pub async fn user_id(
    conn: &mut SqliteConnection,
    platform: &str,
    user: &str,
    display_name: &str,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (platform, user_id, display_name) VALUES (?, ?, ?)
         ON CONFLICT (platform, user_id) DO UPDATE SET display_name =
             CASE WHEN excluded.display_name = users.user_id THEN users.display_name
                  ELSE excluded.display_name END
         RETURNING id",
    )
    .bind(platform)
    .bind(user)
    .bind(display_name)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Finds a member of a platform by platform id or display name (case-insensitive).
pub async fn find_user(
    conn: &mut SqliteConnection,
    platform: &str,
    who: &str,
) -> Result<Option<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, display_name FROM users
         WHERE platform = ? AND (user_id = ? OR lower(display_name) = lower(?))
         ORDER BY user_id = ? DESC LIMIT 1",
    )
    .bind(platform)
    .bind(who)
    .bind(who)
    .bind(who)
    .fetch_optional(conn)
    .await?)
}

/// Records a platform event id; `false` when it was already recorded (a repeat to ignore).
pub async fn mark_event(
    conn: &mut SqliteConnection,
    platform: &str,
    event_id: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO processed_events (platform, event_id, processed_at) VALUES (?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(platform)
    .bind(event_id)
    .bind(ms(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ---- schedules ----

/// Whether a schedule posts questions or the weekly leaderboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleKind {
    /// The question of the day.
    Question,
    /// The weekly leaderboard.
    Leaderboard,
}

impl ScheduleKind {
    fn as_str(self) -> &'static str {
        match self {
            ScheduleKind::Question => "question",
            ScheduleKind::Leaderboard => "leaderboard",
        }
    }
}

/// A schedule row.
#[derive(Debug, Clone)]
pub struct ScheduleRow {
    /// Row id.
    pub id: i64,
    /// Channel row id.
    pub channel: i64,
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
    id: i64,
    channel: i64,
    kind: String,
    cron: String,
    time_zone: String,
    tier: Option<String>,
    topic: Option<String>,
    paused: bool,
    next_run_at: i64,
}

impl TryFrom<RawSchedule> for ScheduleRow {
    type Error = StoreError;
    fn try_from(r: RawSchedule) -> Result<ScheduleRow> {
        Ok(ScheduleRow {
            id: r.id,
            channel: r.channel,
            kind: if r.kind == "leaderboard" {
                ScheduleKind::Leaderboard
            } else {
                ScheduleKind::Question
            },
            cron: r.cron,
            time_zone: r.time_zone,
            tier: r.tier.as_deref().map(tier).transpose()?,
            topic: r.topic,
            paused: r.paused,
            next_run_at: from_ms(r.next_run_at),
        })
    }
}

const SCHEDULE_COLUMNS: &str =
    "id, channel, kind, cron, time_zone, tier, topic, paused, next_run_at";

/// What a new or replaced schedule holds.
#[derive(Debug, Clone)]
pub struct NewSchedule<'a> {
    /// Channel row id.
    pub channel: i64,
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
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO schedules (channel, kind, cron, time_zone, tier, topic, paused, next_run_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)
         ON CONFLICT (channel, kind) DO UPDATE SET
             cron = excluded.cron, time_zone = excluded.time_zone, tier = excluded.tier,
             topic = excluded.topic, paused = 0, next_run_at = excluded.next_run_at
         RETURNING id",
    )
    .bind(s.channel)
    .bind(s.kind.as_str())
    .bind(s.cron)
    .bind(s.time_zone)
    .bind(s.tier.map(Tier::as_str))
    .bind(s.topic)
    .bind(ms(s.next_run_at))
    .bind(ms(now))
    .fetch_one(conn)
    .await?)
}

/// The channel's schedule of this kind.
pub async fn schedule_of(
    conn: &mut SqliteConnection,
    channel: i64,
    kind: ScheduleKind,
) -> Result<Option<ScheduleRow>> {
    let raw: Option<RawSchedule> = sqlx::query_as(&format!(
        "SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE channel = ? AND kind = ?"
    ))
    .bind(channel)
    .bind(kind.as_str())
    .fetch_optional(conn)
    .await?;
    raw.map(ScheduleRow::try_from).transpose()
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
    raw.into_iter().map(ScheduleRow::try_from).collect()
}

/// Claims a due run: moves `next_run_at` from `expected` to `next` only if nobody else did.
/// Returns `false` when the run was already claimed (by another process, or before a restart).
pub async fn claim_run(
    conn: &mut SqliteConnection,
    schedule: i64,
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
    channel: i64,
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
    .bind(kind.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Removes every schedule of a channel; returns how many there were.
pub async fn remove_schedules(conn: &mut SqliteConnection, channel: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM schedules WHERE channel = ?")
        .bind(channel)
        .execute(conn)
        .await?
        .rows_affected())
}

// ---- posts ----

/// A post row: a question asked in a channel.
#[derive(Debug, Clone)]
pub struct PostRow {
    /// Row id (the post number people see).
    pub id: i64,
    /// Channel row id.
    pub channel: i64,
    /// Bank question id.
    pub question_id: String,
    /// Topic id.
    pub topic: String,
    /// Tier.
    pub tier: Tier,
    /// Schedule that posted it, if any.
    pub schedule: Option<i64>,
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
}

impl PostRow {
    /// Whether answers at `now` still earn points.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.closed_at.is_none() && now < self.closes_at
    }
}

#[derive(FromRow)]
struct RawPost {
    id: i64,
    channel: i64,
    question_id: String,
    topic: String,
    tier: String,
    schedule: Option<i64>,
    message_id: Option<String>,
    thread_id: Option<String>,
    posted_at: i64,
    closes_at: i64,
    closed_at: Option<i64>,
}

impl TryFrom<RawPost> for PostRow {
    type Error = StoreError;
    fn try_from(r: RawPost) -> Result<PostRow> {
        Ok(PostRow {
            id: r.id,
            channel: r.channel,
            question_id: r.question_id,
            topic: r.topic,
            tier: tier(&r.tier)?,
            schedule: r.schedule,
            message_id: r.message_id,
            thread_id: r.thread_id,
            posted_at: from_ms(r.posted_at),
            closes_at: from_ms(r.closes_at),
            closed_at: r.closed_at.map(from_ms),
        })
    }
}

const POST_COLUMNS: &str = "p.id, p.channel, p.question_id, p.topic, p.tier, p.schedule, \
     p.message_id, p.thread_id, p.posted_at, p.closes_at, p.closed_at";

/// What a new post holds.
#[derive(Debug, Clone)]
pub struct NewPost<'a> {
    /// Channel row id.
    pub channel: i64,
    /// Bank question id.
    pub question_id: &'a str,
    /// Topic id.
    pub topic: &'a str,
    /// Tier.
    pub tier: Tier,
    /// Schedule that posts it.
    pub schedule: Option<i64>,
    /// Who asked (for `/ask`).
    pub asked_by: Option<i64>,
    /// When.
    pub posted_at: DateTime<Utc>,
    /// When it closes.
    pub closes_at: DateTime<Utc>,
}

/// Inserts a post; returns its row id.
pub async fn insert_post(conn: &mut SqliteConnection, p: &NewPost<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO posts (channel, question_id, topic, tier, schedule, asked_by, posted_at, closes_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(p.channel)
    .bind(p.question_id)
    .bind(p.topic)
    .bind(p.tier.as_str())
    .bind(p.schedule)
    .bind(p.asked_by)
    .bind(ms(p.posted_at))
    .bind(ms(p.closes_at))
    .fetch_one(conn)
    .await?)
}

/// Records where the platform put a post: its message and its thread.
pub async fn attach_post(
    conn: &mut SqliteConnection,
    post: i64,
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
pub async fn post(conn: &mut SqliteConnection, id: i64) -> Result<Option<PostRow>> {
    let raw: Option<RawPost> = sqlx::query_as(&format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE p.id = ?"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    raw.map(PostRow::try_from).transpose()
}

/// The post whose thread is `thread_id` on `platform`.
pub async fn post_by_thread(
    conn: &mut SqliteConnection,
    platform: &str,
    thread_id: &str,
) -> Result<Option<PostRow>> {
    let raw: Option<RawPost> = sqlx::query_as(&format!(
        "SELECT {POST_COLUMNS} FROM posts p JOIN channels c ON c.id = p.channel
         WHERE c.platform = ? AND p.thread_id = ?"
    ))
    .bind(platform)
    .bind(thread_id)
    .fetch_optional(conn)
    .await?;
    raw.map(PostRow::try_from).transpose()
}

/// The channel's most recent post still open at `now`.
pub async fn latest_open_post(
    conn: &mut SqliteConnection,
    channel: i64,
    now: DateTime<Utc>,
) -> Result<Option<PostRow>> {
    let raw: Option<RawPost> = sqlx::query_as(&format!(
        "SELECT {POST_COLUMNS} FROM posts p
         WHERE p.channel = ? AND p.closed_at IS NULL AND p.closes_at > ?
         ORDER BY p.posted_at DESC, p.id DESC LIMIT 1"
    ))
    .bind(channel)
    .bind(ms(now))
    .fetch_optional(conn)
    .await?;
    raw.map(PostRow::try_from).transpose()
}

/// Posts due to close: not closed yet and `closes_at <= now`, oldest first.
pub async fn posts_to_close(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> Result<Vec<PostRow>> {
    let raw: Vec<RawPost> = sqlx::query_as(&format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE p.closed_at IS NULL AND p.closes_at <= ?
         ORDER BY p.closes_at, p.id"
    ))
    .bind(ms(now))
    .fetch_all(conn)
    .await?;
    raw.into_iter().map(PostRow::try_from).collect()
}

/// Open posts of a schedule (to close them when the schedule posts its next question).
pub async fn open_posts_of_schedule(
    conn: &mut SqliteConnection,
    schedule: i64,
) -> Result<Vec<PostRow>> {
    let raw: Vec<RawPost> = sqlx::query_as(&format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE p.schedule = ? AND p.closed_at IS NULL
         ORDER BY p.id"
    ))
    .bind(schedule)
    .fetch_all(conn)
    .await?;
    raw.into_iter().map(PostRow::try_from).collect()
}

/// Posts created but never delivered to the platform (no message id): re-sent after a restart.
pub async fn undelivered_posts(conn: &mut SqliteConnection) -> Result<Vec<PostRow>> {
    let raw: Vec<RawPost> = sqlx::query_as(&format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE p.message_id IS NULL AND p.closed_at IS NULL
         ORDER BY p.id"
    ))
    .fetch_all(conn)
    .await?;
    raw.into_iter().map(PostRow::try_from).collect()
}

/// Marks a post closed at `now`; `false` if it was closed already.
pub async fn close_post(
    conn: &mut SqliteConnection,
    post: i64,
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
    channel: i64,
) -> Result<Vec<(String, DateTime<Utc>)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT question_id, MAX(posted_at) FROM posts WHERE channel = ? GROUP BY question_id",
    )
    .bind(channel)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(q, t)| (q, from_ms(t))).collect())
}

/// Every post of a channel, oldest first.
pub async fn posts_in_channel(conn: &mut SqliteConnection, channel: i64) -> Result<Vec<PostRow>> {
    let raw: Vec<RawPost> = sqlx::query_as(&format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE p.channel = ? ORDER BY p.posted_at, p.id"
    ))
    .bind(channel)
    .fetch_all(conn)
    .await?;
    raw.into_iter().map(PostRow::try_from).collect()
}

// ---- answers ----

/// An answer row.
#[derive(Debug, Clone, FromRow)]
pub struct AnswerRow {
    /// Row id.
    pub id: i64,
    /// Post row id.
    pub post: i64,
    /// Author's user row id.
    pub author: i64,
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
    post: i64,
    author: i64,
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

/// The answer whose message is `message_id` on `platform`.
pub async fn answer_by_message(
    conn: &mut SqliteConnection,
    platform: &str,
    message_id: &str,
) -> Result<Option<AnswerRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ANSWER_COLUMNS} FROM answers a JOIN users u ON u.id = a.author
         JOIN posts p ON p.id = a.post JOIN channels c ON c.id = p.channel
         WHERE c.platform = ? AND a.message_id = ?"
    ))
    .bind(platform)
    .bind(message_id)
    .fetch_optional(conn)
    .await?)
}

/// What a new or replacing answer holds.
#[derive(Debug, Clone)]
pub struct NewAnswer<'a> {
    /// Post row id.
    pub post: i64,
    /// Author's user row id.
    pub author: i64,
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
}

/// Inserts the member's answer, or replaces their earlier one (a new message replaces it and
/// drops its votes, which were for other text). Returns the answer row id.
pub async fn upsert_answer(conn: &mut SqliteConnection, a: &NewAnswer<'_>) -> Result<i64> {
    let previous: Option<(i64, String)> =
        sqlx::query_as("SELECT id, message_id FROM answers WHERE post = ? AND author = ?")
            .bind(a.post)
            .bind(a.author)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some((id, message)) = &previous {
        if message != a.message_id {
            sqlx::query("DELETE FROM votes WHERE answer = ?")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO answers (post, author, message_id, body, score, report, late, answered_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (post, author) DO UPDATE SET
             message_id = excluded.message_id, body = excluded.body, score = excluded.score,
             report = excluded.report, late = excluded.late, answered_at = excluded.answered_at,
             edited_at = NULL
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
    .fetch_one(conn)
    .await?)
}

/// Replaces an answer's text and score after an edit (keeps its votes and lateness).
pub async fn edit_answer(
    conn: &mut SqliteConnection,
    answer: i64,
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

/// Withdraws an answer (and its votes).
pub async fn delete_answer(conn: &mut SqliteConnection, answer: i64) -> Result<()> {
    sqlx::query("DELETE FROM answers WHERE id = ?")
        .bind(answer)
        .execute(conn)
        .await?;
    Ok(())
}

// ---- votes ----

/// Records a vote; `false` if the same voter already voted with this emoji.
pub async fn add_vote(
    conn: &mut SqliteConnection,
    answer: i64,
    voter: i64,
    emoji: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO votes (answer, voter, emoji, voted_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(answer)
    .bind(voter)
    .bind(emoji)
    .bind(ms(at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a vote; `false` if there was none.
pub async fn remove_vote(
    conn: &mut SqliteConnection,
    answer: i64,
    voter: i64,
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

// ---- hints ----

/// Counts one more hint for a member on a post; returns how many they had before this one.
pub async fn next_hint(conn: &mut SqliteConnection, post: i64, member: i64) -> Result<i64> {
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

// ---- scoring views ----

/// One answer with what points need: the post's tier and topic, lateness, distinct voters.
#[derive(Debug, Clone, FromRow)]
pub struct ScoredAnswer {
    /// Author's user row id.
    pub author: i64,
    /// Author's display name.
    pub author_name: String,
    /// Post row id.
    pub post: i64,
    /// Post tier name.
    pub tier: String,
    /// Post topic id.
    pub topic: String,
    /// Checker score.
    pub score: i64,
    /// After close.
    pub late: bool,
    /// When answered, ms.
    pub answered_at: i64,
    /// Distinct members who voted (any configured emoji).
    pub voters: i64,
    /// Whether the post came from a schedule.
    pub scheduled: bool,
}

/// Every answer in a channel answered in `[from, to)`, with its distinct voter count.
pub async fn scored_answers(
    conn: &mut SqliteConnection,
    channel: i64,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<ScoredAnswer>> {
    Ok(sqlx::query_as(
        "SELECT a.author, u.display_name AS author_name, a.post, p.tier, p.topic, a.score, a.late,
                a.answered_at, (SELECT COUNT(DISTINCT v.voter) FROM votes v WHERE v.answer = a.id) AS voters,
                p.schedule IS NOT NULL AS scheduled
         FROM answers a JOIN posts p ON p.id = a.post JOIN users u ON u.id = a.author
         WHERE p.channel = ? AND a.answered_at >= ? AND a.answered_at < ?
         ORDER BY a.answered_at, a.id",
    )
    .bind(channel)
    .bind(from.map_or(i64::MIN, ms))
    .bind(to.map_or(i64::MAX, ms))
    .fetch_all(conn)
    .await?)
}

/// Every answer in every channel of a workspace (Slack team, Discord guild) on one platform,
/// answered in `[from, to)`.
pub async fn scored_answers_in_workspace(
    conn: &mut SqliteConnection,
    platform: &str,
    workspace: &str,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<ScoredAnswer>> {
    Ok(sqlx::query_as(
        "SELECT a.author, u.display_name AS author_name, a.post, p.tier, p.topic, a.score, a.late,
                a.answered_at, (SELECT COUNT(DISTINCT v.voter) FROM votes v WHERE v.answer = a.id) AS voters,
                p.schedule IS NOT NULL AS scheduled
         FROM answers a JOIN posts p ON p.id = a.post JOIN users u ON u.id = a.author
         JOIN channels c ON c.id = p.channel
         WHERE c.platform = ? AND c.workspace_id = ? AND a.answered_at >= ? AND a.answered_at < ?
         ORDER BY a.answered_at, a.id",
    )
    .bind(platform)
    .bind(workspace)
    .bind(from.map_or(i64::MIN, ms))
    .bind(to.map_or(i64::MAX, ms))
    .fetch_all(conn)
    .await?)
}

/// The answers to one post, with voters (for the reveal).
pub async fn answers_to_post(conn: &mut SqliteConnection, post: i64) -> Result<Vec<ScoredAnswer>> {
    Ok(sqlx::query_as(
        "SELECT a.author, u.display_name AS author_name, a.post, p.tier, p.topic, a.score, a.late,
                a.answered_at, (SELECT COUNT(DISTINCT v.voter) FROM votes v WHERE v.answer = a.id) AS voters,
                p.schedule IS NOT NULL AS scheduled
         FROM answers a JOIN posts p ON p.id = a.post JOIN users u ON u.id = a.author
         WHERE a.post = ? ORDER BY a.answered_at, a.id",
    )
    .bind(post)
    .fetch_all(conn)
    .await?)
}

/// Scheduled posts of a channel, newest first, with whether `author` answered each on time.
pub async fn scheduled_posts_answered(
    conn: &mut SqliteConnection,
    channel: i64,
    author: i64,
) -> Result<Vec<(i64, bool, bool)>> {
    let rows: Vec<(i64, bool, bool)> = sqlx::query_as(
        "SELECT p.id,
                EXISTS (SELECT 1 FROM answers a WHERE a.post = p.id AND a.author = ? AND a.late = 0),
                p.closed_at IS NULL
         FROM posts p WHERE p.channel = ? AND p.schedule IS NOT NULL
         ORDER BY p.posted_at DESC, p.id DESC",
    )
    .bind(author)
    .bind(channel)
    .fetch_all(conn)
    .await?;
    Ok(rows)
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

/// The answer's message id for a member (by display name or platform id) on a post.
pub async fn answer_message_of(
    conn: &mut SqliteConnection,
    post: i64,
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

/// The newest post of a channel (open or not).
pub async fn latest_post(conn: &mut SqliteConnection, channel: i64) -> Result<Option<PostRow>> {
    let raw: Option<RawPost> = sqlx::query_as(&format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE p.channel = ? ORDER BY p.posted_at DESC, p.id DESC LIMIT 1"
    ))
    .bind(channel)
    .fetch_optional(conn)
    .await?;
    raw.map(PostRow::try_from).transpose()
}
