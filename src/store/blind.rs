//! Blind answers (migration `0004_blind.sql`): which posts and question schedules are blind, the
//! private message id a blind answer is stored under until its reveal, and the revealed
//! message's id recorded in its place (so votes on the revealed message find the answer through
//! the usual vote path, `add_vote_by_message`).

use super::{AnswerId, Conn, PostId, Result, ScheduleId};

/// How a blind answer's `answers.message_id` starts until its reveal posts it. Discord message
/// ids are numbers and Slack's are `channel:ts` and the console's `m…`/`r…`, so no platform
/// message id starts like this.
pub const PRIVATE_MESSAGE_PREFIX: &str = "private:";

/// The message id a blind answer is stored under until its reveal:
/// `private:<post>:<the member's platform user id>`, one per member per post (a replacement
/// keeps it).
pub fn private_message_id(post: PostId, user: &str) -> String {
    format!("{PRIVATE_MESSAGE_PREFIX}{post}:{user}")
}

/// Whether `message_id` is a blind answer's private id (not revealed yet): no platform
/// message carries it, so it can be neither reacted to nor read back.
pub fn is_private_message(message_id: &str) -> bool {
    message_id.starts_with(PRIVATE_MESSAGE_PREFIX)
}

/// Marks a post blind (after [`super::insert_post`], in the same transaction).
pub async fn set_post_blind(conn: &mut Conn, post: PostId) -> Result<()> {
    on!(conn, |c| {
        sqlx::query("UPDATE posts SET blind = TRUE WHERE id = $1")
            .bind(post)
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Sets whether a question schedule posts blind questions (after
/// [`super::upsert_schedule`], in the same transaction).
pub async fn set_schedule_blind(conn: &mut Conn, schedule: ScheduleId, blind: bool) -> Result<()> {
    on!(conn, |c| {
        sqlx::query("UPDATE schedules SET blind = $1 WHERE id = $2")
            .bind(blind)
            .bind(schedule)
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Whether a schedule posts blind questions (`false` when there is no such schedule).
pub async fn schedule_blind(conn: &mut Conn, schedule: ScheduleId) -> Result<bool> {
    on!(conn, |c| {
        let blind: Option<bool> = sqlx::query_scalar("SELECT blind FROM schedules WHERE id = $1")
            .bind(schedule)
            .fetch_optional(c)
            .await?;
        Ok(blind.unwrap_or(false))
    })
}

/// Records the message a blind answer was revealed as, in place of its private id; `false` when
/// the answer is gone (withdrawn meanwhile) or was already revealed. The answer keeps its
/// score, lateness and day, so the rollups do not change (migration 0002's triggers watch
/// neither column); migration 0003's trigger marks the new message id as handled.
pub async fn reveal_answer_message(
    conn: &mut Conn,
    answer: AnswerId,
    message_id: &str,
) -> Result<bool> {
    on!(conn, |c| {
        let done = sqlx::query(
            "UPDATE answers SET message_id = $1
             WHERE id = $2 AND substr(message_id, 1, length($3)) = $4",
        )
        .bind(message_id)
        .bind(answer)
        .bind(PRIVATE_MESSAGE_PREFIX)
        .bind(PRIVATE_MESSAGE_PREFIX)
        .execute(c)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// A member's current blind answer text to a post, by platform user id (to prefill the
/// answer form when they open it again).
pub async fn private_answer_text(
    conn: &mut Conn,
    post: PostId,
    platform: &str,
    user: &str,
) -> Result<Option<String>> {
    on!(conn, |c| {
        Ok(sqlx::query_scalar(
            "SELECT a.body FROM answers a JOIN users u ON u.id = a.author
             WHERE a.post = $1 AND u.platform = $2 AND u.user_id = $3",
        )
        .bind(post)
        .bind(platform)
        .bind(user)
        .fetch_optional(c)
        .await?)
    })
}

/// A post's answers with their texts: `(answer, body)`, for the reveal of a blind post.
pub async fn answer_bodies(conn: &mut Conn, post: PostId) -> Result<Vec<(AnswerId, String)>> {
    on!(conn, |c| {
        Ok(
            sqlx::query_as("SELECT id, body FROM answers WHERE post = $1 ORDER BY id")
                .bind(post)
                .fetch_all(c)
                .await?,
        )
    })
}
