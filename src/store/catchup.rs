//! What catch-up after downtime reads and records (`engine::catchup`): the open posts of a
//! platform with their threads, a post's answers by message, an answer's voters, and the steps
//! of posting a question (message first, thread second) so a crash between them is completed
//! rather than posted twice.

use sqlx::SqliteConnection;

use super::{AnswerId, PostId, Result};

/// An open post's thread on one platform.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenThreadRow {
    /// The post.
    pub post: PostId,
    /// The platform's id of the channel the question was posted in.
    pub channel_id: String,
    /// The channel's Discord guild id or Slack team id, when known.
    pub workspace_id: Option<String>,
    /// The platform's thread id.
    pub thread_id: String,
}

/// The `processed_events` id under which a thread message is remembered as handled (so a
/// catch-up never applies it twice): `message:` and the platform's message id.
pub fn message_event_id(message: &str) -> String {
    format!("message:{message}")
}

/// Posts of `platform` that are not closed and have a thread, oldest first.
pub async fn open_threads(
    conn: &mut SqliteConnection,
    platform: &str,
) -> Result<Vec<OpenThreadRow>> {
    Ok(sqlx::query_as(
        "SELECT p.id AS post, c.channel_id, c.workspace_id, p.thread_id FROM posts p
         JOIN channels c ON c.id = p.channel
         WHERE c.platform = ? AND p.closed_at IS NULL AND p.thread_id IS NOT NULL
         ORDER BY p.id",
    )
    .bind(platform)
    .fetch_all(conn)
    .await?)
}

/// A post's answers: (answer, platform message id), oldest first.
pub async fn answer_messages(
    conn: &mut SqliteConnection,
    post: PostId,
) -> Result<Vec<(AnswerId, String)>> {
    Ok(
        sqlx::query_as("SELECT id, message_id FROM answers WHERE post = ? ORDER BY id")
            .bind(post)
            .fetch_all(conn)
            .await?,
    )
}

/// An answer's votes: (voter's platform user id, emoji).
pub async fn votes_on(
    conn: &mut SqliteConnection,
    answer: AnswerId,
) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT u.user_id, v.emoji FROM votes v JOIN users u ON u.id = v.voter
         WHERE v.answer = ? ORDER BY u.user_id, v.emoji",
    )
    .bind(answer)
    .fetch_all(conn)
    .await?)
}

/// Records a post's platform message before its thread is opened (the first of two steps);
/// [`super::attach_post`] records both once the thread exists.
pub async fn record_post_message(
    conn: &mut SqliteConnection,
    post: PostId,
    message_id: &str,
) -> Result<()> {
    sqlx::query("UPDATE posts SET message_id = ? WHERE id = ? AND thread_id IS NULL")
        .bind(message_id)
        .bind(post)
        .execute(conn)
        .await?;
    Ok(())
}

/// The platform message a post was already posted as, if any.
pub async fn post_message(conn: &mut SqliteConnection, post: PostId) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT message_id FROM posts WHERE id = ?")
            .bind(post)
            .fetch_optional(conn)
            .await?
            .flatten(),
    )
}
