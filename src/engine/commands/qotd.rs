//! `/qotd schedule|pause|resume|now|status|remove`: the channel's question of the day and its
//! weekly leaderboard.

use crate::store::Conn;
use chrono_tz::Tz;

use crate::engine::dispatch::{Core, Ctx};
use crate::engine::event::Outbound;
use crate::engine::{render, Error, Qotd, UserError};
use crate::schedule::{parse_time_zone, CronSpec, ScheduleError};
use crate::store::{self, ChannelRowId, NewSchedule, ScheduleKind, ScheduleRow};

impl Core {
    /// Every `/qotd` subcommand but `status` (a read, [`Core::qotd_status`]); all but `status`
    /// need the manage permission.
    pub(crate) async fn qotd(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        channel: ChannelRowId,
        q: Qotd,
    ) -> Result<Vec<Outbound>, Error> {
        if !matches!(q, Qotd::Status) && !ctx.actor.can_manage {
            return Err(UserError::NotAllowed("/qotd").into());
        }
        match q {
            Qotd::Schedule {
                cron,
                tier,
                topic,
                time_zone,
                blind,
            } => {
                let tz_name = match time_zone {
                    Some(t) => t,
                    None => store::channel(conn, channel).await?.time_zone,
                };
                let spec = CronSpec::parse(&cron, &tz_name)?;
                let workspace = crate::engine::questions::workspace_of(&ctx.channel);
                let topic_id = self
                    .resolve_topic_in(conn, &workspace, topic.as_deref())
                    .await?;
                let candidates = self.candidates(conn, &workspace, topic_id.as_deref(), tier);
                if candidates.await?.is_empty() {
                    return Err(self.no_question(topic_id.as_deref(), tier).into());
                }
                let tz = spec.time_zone();
                let tz_name = tz.name().to_string();
                let Some(next) = spec.next_after(ctx.now) else {
                    return Err(ScheduleError::NeverFires(cron).into());
                };
                store::set_channel_time_zone(conn, channel, &tz_name).await?;
                let schedule = store::upsert_schedule(
                    conn,
                    &NewSchedule {
                        channel,
                        kind: ScheduleKind::Question,
                        cron: spec.expr(),
                        time_zone: &tz_name,
                        tier,
                        topic: topic_id.as_deref(),
                        next_run_at: next,
                    },
                    ctx.now,
                )
                .await?;
                store::set_schedule_blind(conn, schedule, blind).await?;
                let board = CronSpec::parse(&self.config.leaderboard_cron, &tz_name)?;
                if let Some(board_next) = board.next_after(ctx.now) {
                    store::upsert_schedule(
                        conn,
                        &NewSchedule {
                            channel,
                            kind: ScheduleKind::Leaderboard,
                            cron: board.expr(),
                            time_zone: &tz_name,
                            tier: None,
                            topic: None,
                            next_run_at: board_next,
                        },
                        ctx.now,
                    )
                    .await?;
                }
                let text = format!(
                    "📅 Question of the day scheduled: {}{} {} questions, cron `{}` ({}). Next: {}. The weekly leaderboard is posted here at `{}`.",
                    if blind { "blind " } else { "" },
                    tier.map_or("any-tier".to_string(), |t| t.to_string()),
                    topic_id.as_deref().map_or("any-topic".to_string(), |t| format!("`{t}`")),
                    spec.expr(),
                    tz_name,
                    render::local_time(next, tz),
                    self.config.leaderboard_cron,
                );
                Ok(vec![Outbound::ChannelMessage {
                    channel: ctx.channel.clone(),
                    text,
                }])
            }
            Qotd::Pause | Qotd::Resume => {
                let pause = matches!(q, Qotd::Pause);
                let s = question_schedule(conn, channel).await?;
                for kind in [ScheduleKind::Question, ScheduleKind::Leaderboard] {
                    let next = if pause {
                        None
                    } else {
                        let cron = match store::schedule_of(conn, channel, kind).await? {
                            Some(row) => row.cron,
                            None => continue,
                        };
                        CronSpec::parse(&cron, &s.time_zone)?.next_after(ctx.now)
                    };
                    store::set_paused(conn, channel, kind, pause, next).await?;
                }
                let text = if pause {
                    "⏸ Question of the day paused. `/qotd resume` starts it again.".to_string()
                } else {
                    let next = CronSpec::parse(&s.cron, &s.time_zone)?.next_after(ctx.now);
                    format!(
                        "▶ Question of the day resumed. Next: {}.",
                        next.map_or("never".into(), |n| render::local_time(
                            n,
                            parse_time_zone(&s.time_zone).unwrap_or(Tz::UTC)
                        ))
                    )
                };
                Ok(vec![Outbound::ChannelMessage {
                    channel: ctx.channel.clone(),
                    text,
                }])
            }
            Qotd::Now => {
                let s = question_schedule(conn, channel).await?;
                self.post_scheduled(conn, &ctx.channel, &s, ctx.now).await
            }
            Qotd::Status => self.qotd_status(conn, ctx, Some(channel)).await,
            Qotd::Remove => {
                if store::remove_schedules(conn, channel).await? == 0 {
                    return Err(UserError::NoSchedule.into());
                }
                Ok(vec![Outbound::ChannelMessage {
                    channel: ctx.channel.clone(),
                    text: "🗑 Question of the day and weekly leaderboard removed from this channel."
                        .into(),
                }])
            }
        }
    }

    /// `/qotd status`: the schedule and its next run, privately (a read).
    pub(crate) async fn qotd_status(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        channel: Option<ChannelRowId>,
    ) -> Result<Vec<Outbound>, Error> {
        let Some(channel) = channel else {
            return Err(UserError::NoSchedule.into());
        };
        let s = question_schedule(conn, channel).await?;
        let tz = parse_time_zone(&s.time_zone).unwrap_or(Tz::UTC);
        let blind = store::schedule_blind(conn, s.id).await?;
        let text = format!(
            "📅 `{}` in {} · tier: {} · topic: {} · {}{} · next: {}",
            s.cron,
            s.time_zone,
            s.tier.map_or("any".to_string(), |t| t.to_string()),
            s.topic.as_deref().unwrap_or("any"),
            if blind { "blind · " } else { "" },
            if s.paused { "paused" } else { "active" },
            if s.paused {
                "after /qotd resume".to_string()
            } else {
                render::local_time(s.next_run_at, tz)
            }
        );
        Ok(vec![ctx.private(text)])
    }
}

/// The channel's question schedule, or the user error saying how to create one.
async fn question_schedule(conn: &mut Conn, channel: ChannelRowId) -> Result<ScheduleRow, Error> {
    store::schedule_of(conn, channel, ScheduleKind::Question)
        .await?
        .ok_or_else(|| UserError::NoSchedule.into())
}
