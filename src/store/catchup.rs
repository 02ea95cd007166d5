//! What catch-up after downtime reads and records (`engine::catchup`): the open posts of a
//! platform with their threads, a post's answers by message, an answer's voters, and the steps
//! of posting a question (message first, thread second) so a crash between them is completed
//! rather than posted twice.

use super::{AnswerId, Conn, PostId, Result};

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
pub async fn open_threads(conn: &mut Conn, platform: &str) -> Result<Vec<OpenThreadRow>> {
    on!(conn, |c| {
        Ok(sqlx::query_as(
            "SELECT p.id AS post, c.channel_id, c.workspace_id, p.thread_id FROM posts p
         JOIN channels c ON c.id = p.channel
         WHERE c.platform = $1 AND p.closed_at IS NULL AND p.thread_id IS NOT NULL
         ORDER BY p.id",
        )
        .bind(platform)
        .fetch_all(c)
        .await?)
    })
}

/// A post's answers: (answer, platform message id), oldest first.
pub async fn answer_messages(conn: &mut Conn, post: PostId) -> Result<Vec<(AnswerId, String)>> {
    on!(conn, |c| {
        Ok(
            sqlx::query_as("SELECT id, message_id FROM answers WHERE post = $1 ORDER BY id")
                .bind(post)
                .fetch_all(c)
                .await?,
        )
    })
}

/// An answer's votes: (voter's platform user id, emoji).
pub async fn votes_on(conn: &mut Conn, answer: AnswerId) -> Result<Vec<(String, String)>> {
    on!(conn, |c| {
        Ok(sqlx::query_as(
            "SELECT u.user_id, v.emoji FROM votes v JOIN users u ON u.id = v.voter
         WHERE v.answer = $1 ORDER BY u.user_id, v.emoji",
        )
        .bind(answer)
        .fetch_all(c)
        .await?)
    })
}

/// Records a post's platform message before its thread is opened (the first of two steps);
/// [`super::attach_post`] records both once the thread exists.
pub async fn record_post_message(conn: &mut Conn, post: PostId, message_id: &str) -> Result<()> {
    on!(conn, |c| {
        sqlx::query("UPDATE posts SET message_id = $1 WHERE id = $2 AND thread_id IS NULL")
            .bind(message_id)
            .bind(post)
            .execute(c)
            .await?;
        Ok(())
    })
}

/// The platform message a post was already posted as, if any.
pub async fn post_message(conn: &mut Conn, post: PostId) -> Result<Option<String>> {
    on!(conn, |c| {
        Ok(
            sqlx::query_scalar("SELECT message_id FROM posts WHERE id = $1")
                .bind(post)
                .fetch_optional(c)
                .await?
                .flatten(),
        )
    })
}
