//! Channels, members and the processed-event log.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{At, ChannelRowId, Conn, MemberId, Result};

/// Row id of a channel, creating it on first sight (and recording its workspace when known).
pub async fn channel_id(
    conn: &mut Conn,
    platform: &str,
    channel: &str,
    workspace: Option<&str>,
) -> Result<ChannelRowId> {
    on!(conn, |c| {
        Ok(sqlx::query_scalar(
            "INSERT INTO channels (platform, channel_id, workspace_id) VALUES ($1, $2, $3)
         ON CONFLICT (platform, channel_id)
         DO UPDATE SET workspace_id = COALESCE(excluded.workspace_id, channels.workspace_id)
         RETURNING id",
        )
        .bind(platform)
        .bind(channel)
        .bind(workspace)
        .fetch_one(c)
        .await?)
    })
}

/// Row id of a channel the bot has seen, without creating it (for reads).
pub async fn find_channel(
    conn: &mut Conn,
    platform: &str,
    channel: &str,
) -> Result<Option<ChannelRowId>> {
    on!(conn, |c| {
        Ok(
            sqlx::query_scalar("SELECT id FROM channels WHERE platform = $1 AND channel_id = $2")
                .bind(platform)
                .bind(channel)
                .fetch_optional(c)
                .await?,
        )
    })
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
pub async fn channel(conn: &mut Conn, id: ChannelRowId) -> Result<ChannelRow> {
    on!(conn, |c| {
        Ok(sqlx::query_as(
            "SELECT id, platform, channel_id, workspace_id, time_zone FROM channels WHERE id = $1",
        )
        .bind(id)
        .fetch_one(c)
        .await?)
    })
}

/// Sets a channel's IANA time zone. When it changes, the channel's daily rollups are derived
/// again in the new zone's days (in the caller's transaction; a cost once per change, linear in
/// the channel's answers).
pub async fn set_channel_time_zone(conn: &mut Conn, id: ChannelRowId, tz: &str) -> Result<()> {
    let changed = on!(conn, |c| {
        sqlx::query("UPDATE channels SET time_zone = $1 WHERE id = $2 AND time_zone <> $3")
            .bind(tz)
            .bind(id)
            .bind(tz)
            .execute(c)
            .await?
            .rows_affected()
    }) > 0;
    if changed {
        super::rollups::rebuild_channel_days(conn, id).await?;
    }
    Ok(())
}

/// Row id of a member, creating it on first sight and keeping the display name current (a bare
/// platform id, which is all some events carry, never replaces a known name).
pub async fn user_id(
    conn: &mut Conn,
    platform: &str,
    user: &str,
    display_name: &str,
) -> Result<MemberId> {
    on!(conn, |c| {
        Ok(sqlx::query_scalar(
            "INSERT INTO users (platform, user_id, display_name) VALUES ($1, $2, $3)
         ON CONFLICT (platform, user_id) DO UPDATE SET display_name =
             CASE WHEN excluded.display_name = users.user_id THEN users.display_name
                  ELSE excluded.display_name END
         RETURNING id",
        )
        .bind(platform)
        .bind(user)
        .bind(display_name)
        .fetch_one(c)
        .await?)
    })
}

/// Row id of a member by platform user id, without creating it (for reads).
pub async fn member_by_platform_id(
    conn: &mut Conn,
    platform: &str,
    user: &str,
) -> Result<Option<MemberId>> {
    on!(conn, |c| {
        Ok(
            sqlx::query_scalar("SELECT id FROM users WHERE platform = $1 AND user_id = $2")
                .bind(platform)
                .bind(user)
                .fetch_optional(c)
                .await?,
        )
    })
}

/// Finds a member of a platform by platform id or display name (case-insensitive); both are
/// index hits (`users` unique key, `users_by_name`).
pub async fn find_user(
    conn: &mut Conn,
    platform: &str,
    who: &str,
) -> Result<Option<(MemberId, String)>> {
    on!(conn, |c| {
        if let Some(found) = sqlx::query_as(
            "SELECT id, display_name FROM users WHERE platform = $1 AND user_id = $2",
        )
        .bind(platform)
        .bind(who)
        .fetch_optional(&mut *c)
        .await?
        {
            return Ok(Some(found));
        }
        Ok(sqlx::query_as(
            "SELECT id, display_name FROM users
         WHERE platform = $1 AND lower(display_name) = lower($2) ORDER BY id LIMIT 1",
        )
        .bind(platform)
        .bind(who)
        .fetch_optional(c)
        .await?)
    })
}

/// Records a platform event id; `false` when it was already recorded (a repeat to ignore).
pub async fn mark_event(
    conn: &mut Conn,
    platform: &str,
    event_id: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    on!(conn, |c| {
        let done = sqlx::query(
            "INSERT INTO processed_events (platform, event_id, processed_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        )
        .bind(platform)
        .bind(event_id)
        .bind(At(now))
        .execute(c)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}
