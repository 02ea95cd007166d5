//! `/leaderboard [week|month|all] [tier] [workspace]` and `/stats [@member]`: reads of the
//! rollups (a few hundred rows at most, however long the history).

use crate::store::Conn;
use chrono_tz::Tz;

use crate::bank::Tier;
use crate::engine::dispatch::{Core, Ctx};
use crate::engine::event::Outbound;
use crate::engine::{points, render, Error, Period, UserError};
use crate::schedule::parse_time_zone;
use crate::store::{self, BoardScope, ChannelRowId};

/// Lines a leaderboard shows (the top ten: a board is a podium, not a census).
pub const BOARD_LINES: i64 = 10;

impl Core {
    /// The channel's (or with `workspace`, the workspace's) board for the period containing now.
    pub(crate) async fn leaderboard(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        channel: Option<ChannelRowId>,
        period: Period,
        tier: Option<Tier>,
        workspace: bool,
    ) -> Result<Vec<Outbound>, Error> {
        let tz = match channel {
            Some(c) => self.channel_tz(conn, c).await?,
            None => Tz::UTC,
        };
        let scope = match (workspace, ctx.channel.workspace.as_deref(), channel) {
            (true, Some(ws), _) => Some(BoardScope::Workspace {
                platform: &ctx.channel.platform,
                workspace: ws,
            }),
            (_, _, Some(c)) => Some(BoardScope::Channel(c)),
            // A channel the bot has never seen has no answers.
            _ => None,
        };
        let mut label = points::period_label(period, ctx.now, tz);
        if matches!(scope, Some(BoardScope::Workspace { .. })) {
            label.push_str(", every channel");
        }
        let standings = match scope {
            Some(scope) => {
                let days = points::period_days(period, ctx.now, tz);
                points::standings(store::board(conn, scope, days, tier, BOARD_LINES).await?)
            }
            None => Vec::new(),
        };
        Ok(vec![ctx.private(render::leaderboard(
            &standings, &label, tier, false,
        ))])
    }

    /// A member's statistics in this channel: yours, or `who`'s (display name or platform id).
    pub(crate) async fn stats(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        channel: Option<ChannelRowId>,
        who: Option<String>,
    ) -> Result<Vec<Outbound>, Error> {
        let platform = &ctx.channel.platform;
        let (member, name) = match who {
            None => (
                store::member_by_platform_id(conn, platform, &ctx.actor.id).await?,
                ctx.actor.name.clone(),
            ),
            Some(w) => match store::find_user(conn, platform, &w).await? {
                Some((id, name)) => (Some(id), name),
                None => return Err(UserError::UnknownMember(w).into()),
            },
        };
        let (topics, streak) = match (channel, member) {
            (Some(c), Some(m)) => (
                store::member_topics(conn, c, m).await?,
                points::streak(&store::scheduled_posts_answered(conn, c, m).await?),
            ),
            _ => (Vec::new(), 0),
        };
        let summary = render::stats(&name, &topics, streak, &self.bank);
        match (channel, member) {
            (Some(c), Some(m)) if !topics.is_empty() => Ok(vec![
                self.stats_picture(conn, ctx, (c, m), &name, &topics, summary)
                    .await?,
            ]),
            _ => Ok(vec![ctx.private(summary)]),
        }
    }

    /// A channel's IANA time zone (UTC when the stored name no longer parses).
    pub(crate) async fn channel_tz(
        &self,
        conn: &mut Conn,
        channel: ChannelRowId,
    ) -> Result<Tz, Error> {
        let row = store::channel(conn, channel).await?;
        Ok(parse_time_zone(&row.time_zone).unwrap_or(Tz::UTC))
    }
}
