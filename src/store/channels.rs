//! Channels, members and the processed-event log.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection};

use super::{ms, ChannelRowId, MemberId, Result};

/// Row id of a channel, creating it on first sight (and recording its workspace when known).
pub async fn channel_id(
    conn: &mut SqliteConnection,
    platform: &str,
    channel: &str,
    workspace: Option<&str>,
) -> Result<ChannelRowId> {
    Ok(sqlx::query_scalar(
        "INSERT INTO channels (platform, channel_id, workspace_id) VALUES (?, ?, ?)
         ON CONFLICT (platform, channel_id)
         DO UPDATE SET workspace_id = COALESCE(excluded.workspace_id, workspace_id)
         RETURNING id",
    )
    .bind(platform)
    .bind(channel)
    .bind(workspace)
    .fetch_one(conn)
    .await?)
}

/// Row id of a channel the bot has seen, without creating it (for reads).
pub async fn find_channel(
    conn: &mut SqliteConnection,
    platform: &str,
    channel: &str,
) -> Result<Option<ChannelRowId>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM channels WHERE platform = ? AND channel_id = ?")
            .bind(platform)
            .bind(channel)
            .fetch_optional(conn)
            .await?,
    )
}

/// A channel row.
#[derive(Debug, Clone, FromRow)]
pub struct ChannelRow {
    /// Row id.
    pub id: ChannelRowId,
    /// Platform name.
    pub platform: String,
    /// The platform's channel id.
    pub channel_id: String,
    /// Discord guild id or Slack team id, when known.
    pub workspace_id: Option<String>,
    /// IANA time zone used for weeks and rendering.
    pub time_zone: String,
}

/// The channel with this row id.
pub async fn channel(conn: &mut SqliteConnection, id: ChannelRowId) -> Result<ChannelRow> {
    Ok(sqlx::query_as(
        "SELECT id, platform, channel_id, workspace_id, time_zone FROM channels WHERE id = ?",
    )
    .bind(id)
    .fetch_one(conn)
    .await?)
}

/// Sets a channel's IANA time zone. When it changes, the channel's daily rollups are derived
/// again in the new zone's days (in the caller's transaction; a cost once per change, linear in
/// the channel's answers).
pub async fn set_channel_time_zone(
    conn: &mut SqliteConnection,
    id: ChannelRowId,
    tz: &str,
) -> Result<()> {
    let changed = sqlx::query("UPDATE channels SET time_zone = ? WHERE id = ? AND time_zone <> ?")
        .bind(tz)
        .bind(id)
        .bind(tz)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        > 0;
    if changed {
        super::rollups::rebuild_channel_days(conn, id).await?;
    }
    Ok(())
}

/// Row id of a member, creating it on first sight and keeping the display name current (a bare
/// platform id, which is all some events carry, never replaces a known name).
pub async fn user_id(
    conn: &mut SqliteConnection,
    platform: &str,
    user: &str,
    display_name: &str,
) -> Result<MemberId> {
    Ok(sqlx::query_scalar(
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
    .await?)
}

/// Row id of a member by platform user id, without creating it (for reads).
pub async fn member_by_platform_id(
    conn: &mut SqliteConnection,
    platform: &str,
    user: &str,
) -> Result<Option<MemberId>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM users WHERE platform = ? AND user_id = ?")
            .bind(platform)
            .bind(user)
            .fetch_optional(conn)
            .await?,
    )
}

/// Finds a member of a platform by platform id or display name (case-insensitive); both are
/// index hits (`users` unique key, `users_by_name`).
pub async fn find_user(
    conn: &mut SqliteConnection,
    platform: &str,
    who: &str,
) -> Result<Option<(MemberId, String)>> {
    if let Some(found) =
        sqlx::query_as("SELECT id, display_name FROM users WHERE platform = ? AND user_id = ?")
            .bind(platform)
            .bind(who)
            .fetch_optional(&mut *conn)
            .await?
    {
        return Ok(Some(found));
    }
    Ok(sqlx::query_as(
        "SELECT id, display_name FROM users
         WHERE platform = ? AND lower(display_name) = lower(?) ORDER BY id LIMIT 1",
    )
    .bind(platform)
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
