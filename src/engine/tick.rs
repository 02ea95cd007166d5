//! The scheduler tick: closes questions whose time is up (revealing them) and runs due schedules
//! (the question of the day, the weekly leaderboard). Runs in the writer task like any event.

use crate::store::Conn;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use tracing::warn;

use crate::engine::commands::BOARD_LINES;
use crate::engine::dispatch::{channel_ref, Core};
use crate::engine::event::{ChannelRef, Outbound};
use crate::engine::select::Pick;
use crate::engine::{points, render, Error, Period};
use crate::schedule::{parse_time_zone, CronSpec};
use crate::store::{self, BoardScope, PostRow, ScheduleKind, ScheduleRow};

/// Where a schedule whose cron never fires again is parked: far enough never to come due
/// (100 years of 365 days).
const NEVER: Duration = Duration::days(36_500);

impl Core {
    /// See [`crate::engine::Engine::tick`]. Closing expired posts is one transaction; each due
    /// schedule's run is claimed and carried out in a transaction of its own. Channels another
    /// process owns ([`crate::engine::Ownership`]) are left to it.
    pub(crate) async fn tick(&self) -> Result<Vec<Outbound>, Error> {
        let now = self.clock.now();
        let mut out = Vec::new();
        let mut tx = self.write.begin_write().await?;
        for post in store::posts_to_close(&mut tx, now).await? {
            // Another process holds this channel's shard or platform (`shards.rs`).
            let channel = channel_ref(&store::channel(&mut tx, post.channel).await?);
            if !self.config.ownership.owns(&channel) {
                continue;
            }
            // A post of a platform still catching up closes after its catch-up, so that its
            // reveal includes what was written while the bot was down (`catchup.rs`).
            if self.held_back(&mut tx, post.channel).await? {
                continue;
            }
            out.extend(self.close(&mut tx, &post, now).await?);
        }
        tx.commit().await?;
        let due = {
            let mut conn = self.write.acquire().await?;
            store::due_schedules(&mut conn, now).await?
        };
        for s in due {
            let mut tx = self.write.begin_write().await?;
            let channel = channel_ref(&store::channel(&mut tx, s.channel).await?);
            if !self.config.ownership.owns(&channel) {
                continue; // another process's shard or platform (`shards.rs`)
            }
            if self.held_back(&mut tx, s.channel).await? {
                continue; // runs (closing the previous post) once the platform caught up
            }
            let spec = match CronSpec::parse(&s.cron, &s.time_zone) {
                Ok(spec) => spec,
                Err(e) => {
                    warn!(schedule = %s.id, error = %e, "stored schedule no longer parses; pausing it");
                    store::set_paused(&mut tx, s.channel, s.kind, true, None).await?;
                    tx.commit().await?;
                    continue;
                }
            };
            let next = spec.next_after(now).unwrap_or(now + NEVER);
            if !store::claim_run(&mut tx, s.id, s.next_run_at, next).await? {
                continue;
            }
            crate::ops::metrics::schedule_lag(
                (now - s.next_run_at).num_milliseconds() as f64 / 1e3,
            );
            match s.kind {
                ScheduleKind::Question => {
                    match self.post_scheduled(&mut tx, &channel, &s, now).await {
                        Ok(actions) => out.extend(actions),
                        Err(Error::User(e)) => {
                            warn!(schedule = %s.id, error = %e, "scheduled run found no question")
                        }
                        Err(e) => return Err(e),
                    }
                }
                ScheduleKind::Leaderboard => {
                    out.extend(self.weekly_board(&mut tx, channel, &s, now).await?);
                }
            }
            tx.commit().await?;
        }
        Ok(out)
    }

    /// The weekly leaderboard post: the week that just ended (it is posted at the start of a
    /// week). A week without answers gets no post: an empty board is noise.
    async fn weekly_board(
        &self,
        conn: &mut Conn,
        channel: ChannelRef,
        s: &ScheduleRow,
        now: DateTime<Utc>,
    ) -> Result<Option<Outbound>, Error> {
        let tz = parse_time_zone(&s.time_zone).unwrap_or(Tz::UTC);
        let last_week = now - Duration::weeks(1);
        let days = points::period_days(Period::Week, last_week, tz);
        let rows = store::board(
            conn,
            BoardScope::Channel(s.channel),
            days,
            None,
            BOARD_LINES,
        )
        .await?;
        let standings = points::standings(rows);
        if standings.is_empty() {
            return Ok(None);
        }
        let label = points::period_label(Period::Week, last_week, tz);
        let text = render::leaderboard(&standings, &label, None, true);
        let card = (label.as_str(), text);
        let post = self
            .weekly_card(conn, channel, s.channel, &standings, card, (last_week, tz))
            .await?;
        Ok(Some(post))
    }

    /// A question schedule's run: closes its open posts (revealing them), then posts the next
    /// question. Used by the scheduler and by `/qotd now`.
    pub(crate) async fn post_scheduled(
        &self,
        conn: &mut Conn,
        channel: &ChannelRef,
        s: &ScheduleRow,
        now: DateTime<Utc>,
    ) -> Result<Vec<Outbound>, Error> {
        let mut out = Vec::new();
        for open in store::open_posts_of_schedule(conn, s.id).await? {
            out.extend(self.close(conn, &open, now).await?);
        }
        let pick = Pick {
            channel: s.channel,
            topic: s.topic.as_deref(),
            tier: s.tier,
            schedule: Some(s.id),
            asked_by: None,
            blind: store::schedule_blind(conn, s.id).await?,
        };
        let (post, q) = self.pick_and_post(conn, &pick, now).await?;
        out.push(self.post_outbound(channel, &post, &q));
        Ok(out)
    }

    /// Closes a post: marks it closed and reveals the reference answer and the best answers.
    pub(crate) async fn close(
        &self,
        conn: &mut Conn,
        post: &PostRow,
        now: DateTime<Utc>,
    ) -> Result<Vec<Outbound>, Error> {
        if !store::close_post(conn, post.id, now).await? {
            return Ok(Vec::new());
        }
        let channel = channel_ref(&store::channel(conn, post.channel).await?);
        let answers =
            store::scored_answers_in(conn, store::AnswerScope::Post(post.id), None, None).await?;
        let q = self.question(conn, &post.question_id).await?;
        if post.blind {
            return Ok(
                super::commands::blind_reveal(conn, post, q.as_deref(), channel, &answers).await?,
            );
        }
        let text = render::reveal(post, q.as_deref(), &answers);
        Ok(vec![Outbound::ThreadReply {
            channel,
            post: post.id,
            thread: post.thread_id.clone(),
            text,
        }])
    }
}
