//! The engine: the study-group rules, platform-neutral.
//!
//! Adapters turn platform events into [`Inbound`] and render the [`Outbound`] actions the engine
//! returns. The engine owns the store, the bank, the checker settings and a [`Clock`]; it never
//! imports a platform library. Every inbound event is applied in one SQLite transaction, and
//! repeats are harmless: commands are de-duplicated by their platform id, messages, edits,
//! deletions and reactions by the state they lead to.

pub mod command;
pub mod points;
pub mod render;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use sqlx::{SqliteConnection, SqlitePool};
use tracing::{info, info_span, warn, Instrument};

use crate::bank::{Bank, Question, Tier, TopicLookup};
use crate::checker;
use crate::schedule::{parse_time_zone, Clock, CronSpec, ScheduleError};
use crate::store::{self, NewAnswer, NewPost, NewSchedule, PostRow, ScheduleKind, StoreError};

pub use command::{Command, Period, Qotd};

/// A channel on a platform. `id` is the platform's channel id (for Slack, the channel id; for
/// Discord, the channel where questions are posted).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChannelRef {
    /// `console`, `discord` or `slack`.
    pub platform: String,
    /// The platform's channel id.
    pub id: String,
    /// Discord guild id or Slack team id, when known.
    pub workspace: Option<String>,
}

impl ChannelRef {
    /// A channel without a workspace.
    pub fn new(platform: &str, id: &str) -> ChannelRef {
        ChannelRef {
            platform: platform.into(),
            id: id.into(),
            workspace: None,
        }
    }
}

/// Who did something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The platform's user id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Bots (including this one) never answer or vote.
    pub is_bot: bool,
    /// May manage schedules and reveal (Discord: Manage Server or a configured role; Slack:
    /// workspace admin or a configured user group).
    pub can_manage: bool,
}

/// A platform event, made neutral.
///
/// Thread and message ids are the adapter's: unique within the platform (a Slack adapter joins
/// channel and `ts`).
#[derive(Debug, Clone)]
pub enum Inbound {
    /// A command (slash command or typed `/ask ...`).
    Command {
        /// Platform id of the interaction (applied once).
        id: String,
        /// Where it was given.
        channel: ChannelRef,
        /// The thread it was given in, if any (for `/hint` and `/reveal`).
        thread: Option<String>,
        /// Who.
        actor: Actor,
        /// What.
        command: Command,
    },
    /// A new message in a thread.
    Message {
        /// The platform (and parent channel, where known).
        channel: ChannelRef,
        /// The thread.
        thread: String,
        /// The message id.
        message: String,
        /// Who wrote it.
        actor: Actor,
        /// Its text.
        text: String,
    },
    /// A message was edited.
    MessageEdited {
        /// The platform.
        channel: ChannelRef,
        /// The thread.
        thread: String,
        /// The message id.
        message: String,
        /// Who edited it.
        actor: Actor,
        /// The new text.
        text: String,
    },
    /// A message was deleted.
    MessageDeleted {
        /// The platform.
        channel: ChannelRef,
        /// The message id.
        message: String,
    },
    /// A reaction was added to a message.
    ReactionAdded {
        /// The platform.
        channel: ChannelRef,
        /// The message reacted to.
        message: String,
        /// The emoji (Unicode, or the platform's name such as `+1`).
        emoji: String,
        /// Who reacted.
        actor: Actor,
    },
    /// A reaction was removed.
    ReactionRemoved {
        /// The platform.
        channel: ChannelRef,
        /// The message.
        message: String,
        /// The emoji.
        emoji: String,
        /// Who removed it.
        actor: Actor,
    },
}

/// A question as an adapter shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionCard {
    /// Post number.
    pub post: i64,
    /// Bank question id.
    pub question_id: String,
    /// Topic id.
    pub topic_id: String,
    /// Topic display name.
    pub topic_name: String,
    /// Tier.
    pub tier: Tier,
    /// The question.
    pub prompt: String,
    /// When it closes for points.
    pub closes_at: DateTime<Utc>,
    /// Posted by a schedule (question of the day) rather than `/ask`.
    pub scheduled: bool,
}

/// Something for an adapter to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// Post a question in a channel and open a thread on it; then call [`Engine::attach`].
    PostQuestion {
        /// Where.
        channel: ChannelRef,
        /// What.
        card: QuestionCard,
        /// Plain-text rendering (for platforms without rich messages).
        text: String,
        /// A name for the thread.
        thread_name: String,
    },
    /// A message in a question's thread, seen by everyone.
    ThreadReply {
        /// The platform and channel.
        channel: ChannelRef,
        /// The post.
        post: i64,
        /// The thread, when the post has one.
        thread: Option<String>,
        /// Text.
        text: String,
    },
    /// A message in the channel, seen by everyone (leaderboards, schedule changes).
    ChannelMessage {
        /// Where.
        channel: ChannelRef,
        /// Text.
        text: String,
    },
    /// A message only `user` sees (ephemeral on Discord and Slack).
    Private {
        /// Where the user is.
        channel: ChannelRef,
        /// Thread, when the reply belongs in one.
        thread: Option<String>,
        /// The platform user id.
        user: String,
        /// Text.
        text: String,
    },
    /// Add a reaction to a message.
    React {
        /// The platform and channel.
        channel: ChannelRef,
        /// The message.
        message: String,
        /// The emoji.
        emoji: String,
    },
}

impl Inbound {
    /// A reaction added (`add`) or removed by `actor` on `message`.
    pub fn reaction(
        add: bool,
        channel: ChannelRef,
        message: String,
        emoji: String,
        actor: Actor,
    ) -> Inbound {
        if add {
            Inbound::ReactionAdded {
                channel,
                message,
                emoji,
                actor,
            }
        } else {
            Inbound::ReactionRemoved {
                channel,
                message,
                emoji,
                actor,
            }
        }
    }
}

impl Outbound {
    /// The platform the action is for (`console`, `discord`, `slack`): when several platforms
    /// run in one process, each renders only its own.
    pub fn platform(&self) -> &str {
        match self {
            Outbound::PostQuestion { channel, .. }
            | Outbound::ThreadReply { channel, .. }
            | Outbound::ChannelMessage { channel, .. }
            | Outbound::Private { channel, .. }
            | Outbound::React { channel, .. } => &channel.platform,
        }
    }
}

/// Engine settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// How long a post stays open for points (default 24 h).
    pub close_after: Duration,
    /// Emoji that count as votes (default 👍, with Slack's `+1` and `thumbsup` names).
    pub vote_emoji: Vec<String>,
    /// Cron for the weekly leaderboard, in the schedule's time zone (default Monday 09:00).
    pub leaderboard_cron: String,
    /// Reaction marking a scored answer.
    pub scored_emoji: String,
    /// Reaction marking a late answer (scored, no points).
    pub late_emoji: String,
    /// Seed for question choice; `None` seeds from the operating system.
    pub seed: Option<u64>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            close_after: Duration::hours(24),
            vote_emoji: vec!["👍".into(), "+1".into(), "thumbsup".into()],
            leaderboard_cron: "0 9 * * 1".into(),
            scored_emoji: "✅".into(),
            late_emoji: "⏰".into(),
            seed: None,
        }
    }
}

/// Engine failures that are not the user's doing (logged; the user sees an apology).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for EngineError {
    fn from(e: sqlx::Error) -> Self {
        EngineError::Store(StoreError::Sqlx(e))
    }
}

/// What a member did wrong, in words shown to them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    /// Unknown topic, with the nearest ids.
    #[error("unknown topic `{topic}`: did you mean {}? (`/ask` with no topic picks one at random)", .suggestions.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "))]
    UnknownTopic {
        /// What was typed.
        topic: String,
        /// Nearest topic ids.
        suggestions: Vec<String>,
    },
    /// No question matches the filters.
    #[error("no {tier} questions on `{topic}` yet; it has: {available}")]
    NoQuestion {
        /// Topic id or "any topic".
        topic: String,
        /// Tier asked for.
        tier: String,
        /// The tiers it does have.
        available: String,
    },
    /// A bad schedule.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// Needs the manage permission.
    #[error("only members who can manage this server or workspace can use `{0}`; ask one of them")]
    NotAllowed(&'static str),
    /// No schedule in this channel.
    #[error("this channel has no question schedule yet: `/qotd schedule \"0 9 * * 1-5\" mid Europe/Berlin` creates one")]
    NoSchedule,
    /// The command needs a question thread.
    #[error("use `{0}` inside a question's thread (or after `/ask`)")]
    NotInThread(&'static str),
    /// Nobody known by that name.
    #[error("no member called `{0}` has answered here yet")]
    UnknownMember(String),
    /// The command could not be parsed.
    #[error(transparent)]
    Parse(#[from] command::ParseError),
}

/// The engine. One per process; share it behind an `Arc`.
pub struct Engine {
    pool: SqlitePool,
    bank: Arc<Bank>,
    config: EngineConfig,
    clock: Arc<dyn Clock>,
    rng: Mutex<StdRng>,
    /// SQLite allows one writer; events are applied one at a time so transactions never race.
    writer: tokio::sync::Mutex<()>,
    /// How many inbound events have been applied (or found to be repeats) so far.
    handled: tokio::sync::watch::Sender<u64>,
    /// How many posts the platforms have attached (posted) so far.
    attached: tokio::sync::watch::Sender<u64>,
}

impl Engine {
    /// An engine over an opened store (see [`store::open`]).
    pub fn new(
        pool: SqlitePool,
        bank: Arc<Bank>,
        config: EngineConfig,
        clock: Arc<dyn Clock>,
    ) -> Engine {
        let rng = match config.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_entropy(),
        };
        Engine {
            pool,
            bank,
            config,
            clock,
            rng: Mutex::new(rng),
            writer: tokio::sync::Mutex::new(()),
            handled: tokio::sync::watch::channel(0).0,
            attached: tokio::sync::watch::channel(0).0,
        }
    }

    /// A counter of inbound events handled so far, for waiting on "the event was applied"
    /// without sleeping (tests, health checks).
    pub fn handled(&self) -> tokio::sync::watch::Receiver<u64> {
        self.handled.subscribe()
    }

    /// A counter of posts attached to their platform message and thread so far.
    pub fn attached(&self) -> tokio::sync::watch::Receiver<u64> {
        self.attached.subscribe()
    }

    /// The bank.
    pub fn bank(&self) -> &Bank {
        &self.bank
    }

    /// The store's pool (for read-only reports and tests).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The current time on the engine's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Applies one inbound event and returns what to do.
    ///
    /// Errors only for internal failures (the store); whatever the member did wrong comes back
    /// as a private [`Outbound`] explaining it.
    pub async fn handle(&self, event: Inbound) -> Result<Vec<Outbound>, EngineError> {
        let span = match &event {
            Inbound::Command { channel, actor, .. }
            | Inbound::Message { channel, actor, .. }
            | Inbound::MessageEdited { channel, actor, .. }
            | Inbound::ReactionAdded { channel, actor, .. }
            | Inbound::ReactionRemoved { channel, actor, .. } => {
                info_span!("inbound", platform = %channel.platform, channel = %channel.id, user = %actor.id)
            }
            Inbound::MessageDeleted { channel, .. } => {
                info_span!("inbound", platform = %channel.platform, channel = %channel.id)
            }
        };
        let _writer = self.writer.lock().await;
        let result = async {
            let now = self.clock.now();
            let mut tx = self.pool.begin().await?;
            let out = match event {
                Inbound::Command {
                    id,
                    channel,
                    thread,
                    actor,
                    command,
                } => {
                    if !store::mark_event(&mut tx, &channel.platform, &id, now).await? {
                        info!(event = %id, "repeated command ignored");
                        Vec::new()
                    } else {
                        let ctx = Ctx {
                            channel,
                            thread,
                            actor,
                            now,
                        };
                        match self.command(&mut tx, &ctx, command).await? {
                            Ok(out) => out,
                            Err(e) => vec![ctx.private(e.to_string())],
                        }
                    }
                }
                Inbound::Message {
                    channel,
                    thread,
                    message,
                    actor,
                    text,
                } => {
                    self.answer(&mut tx, &channel, &thread, &message, &actor, &text, now)
                        .await?
                }
                Inbound::MessageEdited {
                    channel,
                    thread,
                    message,
                    actor,
                    text,
                } => {
                    self.edit(&mut tx, &channel, &thread, &message, &actor, &text, now)
                        .await?
                }
                Inbound::MessageDeleted { channel, message } => {
                    if let Some(a) =
                        store::answer_by_message(&mut tx, &channel.platform, &message).await?
                    {
                        store::delete_answer(&mut tx, a.id).await?;
                        info!(answer = a.id, "answer withdrawn");
                    }
                    Vec::new()
                }
                Inbound::ReactionAdded {
                    channel,
                    message,
                    emoji,
                    actor,
                } => {
                    self.vote(&mut tx, &channel, &message, &emoji, &actor, now, true)
                        .await?
                }
                Inbound::ReactionRemoved {
                    channel,
                    message,
                    emoji,
                    actor,
                } => {
                    self.vote(&mut tx, &channel, &message, &emoji, &actor, now, false)
                        .await?
                }
            };
            tx.commit().await?;
            Ok(out)
        }
        .instrument(span)
        .await;
        self.handled.send_modify(|n| *n += 1);
        result
    }

    /// Records where the platform put a post (its message and thread).
    pub async fn attach(
        &self,
        post: i64,
        message_id: &str,
        thread_id: &str,
    ) -> Result<(), EngineError> {
        let mut conn = self.pool.acquire().await?;
        store::attach_post(&mut conn, post, message_id, thread_id).await?;
        self.attached.send_modify(|n| *n += 1);
        Ok(())
    }

    /// Posts that were created but never delivered (the process stopped between the two):
    /// call after a restart and deliver them again.
    pub async fn undelivered(&self) -> Result<Vec<Outbound>, EngineError> {
        let mut conn = self.pool.acquire().await?;
        let posts = store::undelivered_posts(&mut conn).await?;
        let mut out = Vec::new();
        for p in posts {
            let channel = store::channel(&mut conn, p.channel).await?;
            if let Some(q) = self.bank.question(&p.question_id) {
                out.push(self.post_outbound(&channel_ref(&channel), &p, q));
            }
        }
        Ok(out)
    }

    /// The earliest instant at which [`Engine::tick`] has something to do, if any.
    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>, EngineError> {
        let mut conn = self.pool.acquire().await?;
        Ok(store::next_due(&mut conn).await?)
    }

    /// Runs whatever is due at the clock's current time: closes expired posts (revealing the
    /// reference answer) and runs due schedules. Each due schedule runs at most once per call,
    /// however many runs a downtime skipped (it catches up once).
    pub async fn tick(&self) -> Result<Vec<Outbound>, EngineError> {
        let _writer = self.writer.lock().await;
        let now = self.clock.now();
        let mut out = Vec::new();
        let mut tx = self.pool.begin().await?;
        for post in store::posts_to_close(&mut tx, now).await? {
            out.extend(self.close(&mut tx, &post, now).await?);
        }
        tx.commit().await?;
        let due = {
            let mut conn = self.pool.acquire().await?;
            store::due_schedules(&mut conn, now).await?
        };
        for s in due {
            let mut tx = self.pool.begin().await?;
            let spec = match CronSpec::parse(&s.cron, &s.time_zone) {
                Ok(spec) => spec,
                Err(e) => {
                    warn!(schedule = s.id, error = %e, "stored schedule no longer parses; pausing it");
                    store::set_paused(&mut tx, s.channel, s.kind, true, None).await?;
                    tx.commit().await?;
                    continue;
                }
            };
            let next = spec.next_after(now).unwrap_or(now + Duration::days(36_500));
            if !store::claim_run(&mut tx, s.id, s.next_run_at, next).await? {
                continue;
            }
            let channel_row = store::channel(&mut tx, s.channel).await?;
            let channel = channel_ref(&channel_row);
            match s.kind {
                ScheduleKind::Question => {
                    match self.post_scheduled(&mut tx, &channel, &s, now).await? {
                        Ok(actions) => out.extend(actions),
                        Err(e) => {
                            warn!(schedule = s.id, error = %e, "scheduled run found no question")
                        }
                    }
                }
                ScheduleKind::Leaderboard => {
                    let tz = parse_time_zone(&s.time_zone).unwrap_or(Tz::UTC);
                    // Posted at the start of a week: show the week that just ended.
                    let last_week = now - Duration::days(7);
                    let (from, to) = points::period_range(Period::Week, last_week, tz);
                    let answers = store::scored_answers(&mut tx, s.channel, from, to).await?;
                    let standings = points::leaderboard(&answers, None);
                    // A week without answers gets no post: an empty board is noise.
                    if !standings.is_empty() {
                        let label = points::period_label(Period::Week, last_week, tz);
                        let text = render::leaderboard(&standings, &label, None, true);
                        out.push(Outbound::ChannelMessage { channel, text });
                    }
                }
            }
            tx.commit().await?;
        }
        Ok(out)
    }

    // ---- commands ----

    async fn command(
        &self,
        conn: &mut SqliteConnection,
        ctx: &Ctx,
        command: Command,
    ) -> Result<Result<Vec<Outbound>, UserError>, EngineError> {
        let channel = store::channel_id(
            conn,
            &ctx.channel.platform,
            &ctx.channel.id,
            ctx.channel.workspace.as_deref(),
        )
        .await?;
        let user =
            store::user_id(conn, &ctx.channel.platform, &ctx.actor.id, &ctx.actor.name).await?;
        match command {
            Command::Help => Ok(Ok(vec![ctx.private(command::HELP.to_string())])),
            Command::Ask { topic, tier } => {
                let topic_id = match self.resolve_topic(topic.as_deref()) {
                    Ok(t) => t,
                    Err(e) => return Ok(Err(e)),
                };
                Ok(
                    match self
                        .pick_and_post(
                            conn,
                            channel,
                            topic_id.as_deref(),
                            tier,
                            None,
                            Some(user),
                            ctx.now,
                        )
                        .await?
                    {
                        Ok((post, q)) => Ok(vec![self.post_outbound(&ctx.channel, &post, q)]),
                        Err(e) => Err(e),
                    },
                )
            }
            Command::Qotd(q) => self.qotd(conn, ctx, channel, q).await,
            Command::Leaderboard {
                period,
                tier,
                workspace,
            } => {
                let tz = self.channel_tz(conn, channel).await?;
                let (from, to) = points::period_range(period, ctx.now, tz);
                let scope = match (workspace, ctx.channel.workspace.as_deref()) {
                    (true, Some(ws)) => Some(ws),
                    _ => None,
                };
                let answers = match scope {
                    Some(ws) => {
                        store::scored_answers_in_workspace(
                            conn,
                            &ctx.channel.platform,
                            ws,
                            from,
                            to,
                        )
                        .await?
                    }
                    None => store::scored_answers(conn, channel, from, to).await?,
                };
                let mut label = points::period_label(period, ctx.now, tz);
                if scope.is_some() {
                    label.push_str(", every channel");
                }
                let standings = points::leaderboard(&answers, tier);
                Ok(Ok(vec![ctx.private(render::leaderboard(
                    &standings, &label, tier, false,
                ))]))
            }
            Command::Stats { user: who } => {
                let (member, name) = match who {
                    None => (user, ctx.actor.name.clone()),
                    Some(w) => match store::find_user(conn, &ctx.channel.platform, &w).await? {
                        Some(found) => found,
                        None => return Ok(Err(UserError::UnknownMember(w))),
                    },
                };
                let answers = store::scored_answers(conn, channel, None, None).await?;
                let mine: Vec<_> = answers.into_iter().filter(|a| a.author == member).collect();
                let posts = store::scheduled_posts_answered(conn, channel, member).await?;
                Ok(Ok(vec![ctx.private(render::stats(
                    &name,
                    &mine,
                    points::streak(&posts),
                    &self.bank,
                ))]))
            }
            Command::Hint => {
                let Some(post) = self.context_post(conn, ctx, channel).await? else {
                    return Ok(Err(UserError::NotInThread("/hint")));
                };
                let Some(q) = self.bank.question(&post.question_id) else {
                    return Ok(Ok(vec![
                        ctx.private("This question is no longer in the bank.".into())
                    ]));
                };
                let missed: Vec<usize> = match store::answer_of(conn, post.id, user).await? {
                    Some(a) => {
                        let report = checker::check(&q.rubric, &a.body);
                        report
                            .concepts
                            .iter()
                            .enumerate()
                            .filter(|(_, c)| !c.matched)
                            .map(|(i, _)| i)
                            .collect()
                    }
                    None => (0..q.concepts.len()).collect(),
                };
                if missed.is_empty() {
                    return Ok(Ok(vec![ctx.private(
                        "Your answer already covers every concept in the rubric: nothing left to hint. Try the follow-up when the question closes.".into(),
                    )]));
                }
                let n = store::next_hint(conn, post.id, user).await? as usize;
                let i = missed[n.min(missed.len() - 1)];
                let text = format!(
                    "Hint {} of {} for question #{}: {}",
                    n.min(missed.len() - 1) + 1,
                    missed.len(),
                    post.id,
                    q.concepts[i].hint
                );
                Ok(Ok(vec![ctx.private(text)]))
            }
            Command::Reveal => {
                if !ctx.actor.can_manage {
                    return Ok(Err(UserError::NotAllowed("/reveal")));
                }
                let Some(post) = self.context_post(conn, ctx, channel).await? else {
                    return Ok(Err(UserError::NotInThread("/reveal")));
                };
                let out = self.close(conn, &post, ctx.now).await?;
                Ok(Ok(out))
            }
        }
    }

    async fn qotd(
        &self,
        conn: &mut SqliteConnection,
        ctx: &Ctx,
        channel: i64,
        q: Qotd,
    ) -> Result<Result<Vec<Outbound>, UserError>, EngineError> {
        if !matches!(q, Qotd::Status) && !ctx.actor.can_manage {
            return Ok(Err(UserError::NotAllowed("/qotd")));
        }
        match q {
            Qotd::Schedule {
                cron,
                tier,
                topic,
                time_zone,
            } => {
                let tz_name = match time_zone {
                    Some(t) => t,
                    None => store::channel(conn, channel).await?.time_zone,
                };
                let spec = match CronSpec::parse(&cron, &tz_name) {
                    Ok(s) => s,
                    Err(e) => return Ok(Err(e.into())),
                };
                let topic_id = match self.resolve_topic(topic.as_deref()) {
                    Ok(t) => t,
                    Err(e) => return Ok(Err(e)),
                };
                if self.bank.filter(topic_id.as_deref(), tier).is_empty() {
                    return Ok(Err(self.no_question(topic_id.as_deref(), tier)));
                }
                let tz = spec.time_zone();
                let tz_name = tz.name().to_string();
                let Some(next) = spec.next_after(ctx.now) else {
                    return Ok(Err(ScheduleError::NeverFires(cron).into()));
                };
                store::set_channel_time_zone(conn, channel, &tz_name).await?;
                store::upsert_schedule(
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
                    "📅 Question of the day scheduled: {} {} questions, cron `{}` ({}). Next: {}. The weekly leaderboard is posted here at `{}`.",
                    tier.map_or("any-tier".to_string(), |t| t.to_string()),
                    topic_id.as_deref().map_or("any-topic".to_string(), |t| format!("`{t}`")),
                    spec.expr(),
                    tz_name,
                    render::local_time(next, tz),
                    self.config.leaderboard_cron,
                );
                Ok(Ok(vec![Outbound::ChannelMessage {
                    channel: ctx.channel.clone(),
                    text,
                }]))
            }
            Qotd::Pause | Qotd::Resume => {
                let pause = matches!(q, Qotd::Pause);
                let Some(s) = store::schedule_of(conn, channel, ScheduleKind::Question).await?
                else {
                    return Ok(Err(UserError::NoSchedule));
                };
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
                Ok(Ok(vec![Outbound::ChannelMessage {
                    channel: ctx.channel.clone(),
                    text,
                }]))
            }
            Qotd::Now => {
                let Some(s) = store::schedule_of(conn, channel, ScheduleKind::Question).await?
                else {
                    return Ok(Err(UserError::NoSchedule));
                };
                self.post_scheduled(conn, &ctx.channel, &s, ctx.now).await
            }
            Qotd::Status => {
                let Some(s) = store::schedule_of(conn, channel, ScheduleKind::Question).await?
                else {
                    return Ok(Err(UserError::NoSchedule));
                };
                let tz = parse_time_zone(&s.time_zone).unwrap_or(Tz::UTC);
                let text = format!(
                    "📅 `{}` in {} · tier: {} · topic: {} · {} · next: {}",
                    s.cron,
                    s.time_zone,
                    s.tier.map_or("any".to_string(), |t| t.to_string()),
                    s.topic.as_deref().unwrap_or("any"),
                    if s.paused { "paused" } else { "active" },
                    if s.paused {
                        "after /qotd resume".to_string()
                    } else {
                        render::local_time(s.next_run_at, tz)
                    }
                );
                Ok(Ok(vec![ctx.private(text)]))
            }
            Qotd::Remove => {
                let n = store::remove_schedules(conn, channel).await?;
                if n == 0 {
                    return Ok(Err(UserError::NoSchedule));
                }
                Ok(Ok(vec![Outbound::ChannelMessage {
                    channel: ctx.channel.clone(),
                    text: "🗑 Question of the day and weekly leaderboard removed from this channel."
                        .into(),
                }]))
            }
        }
    }

    // ---- answers and votes ----

    #[allow(clippy::too_many_arguments)]
    async fn answer(
        &self,
        conn: &mut SqliteConnection,
        channel: &ChannelRef,
        thread: &str,
        message: &str,
        actor: &Actor,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Outbound>, EngineError> {
        if actor.is_bot {
            return Ok(Vec::new());
        }
        let Some(post) = store::post_by_thread(conn, &channel.platform, thread).await? else {
            return Ok(Vec::new());
        };
        let Some(q) = self.bank.question(&post.question_id) else {
            return Ok(Vec::new());
        };
        let user = store::user_id(conn, &channel.platform, &actor.id, &actor.name).await?;
        let private = |text: String| private_in_thread(channel, thread, actor, text);
        let late = !post.is_open(now);
        if let Some(existing) = store::answer_of(conn, post.id, user).await? {
            if existing.message_id == message {
                // The same message again (a repeated or late gateway event): edits arrive as
                // edits, so a repeat must not turn an edited answer back.
                return Ok(Vec::new());
            }
            if late && !existing.late {
                // Talk in the thread after the reveal must not replace an on-time answer.
                return Ok(vec![private(format!(
                    "Question #{} is closed; your scored answer ({}/100) stays as it was.",
                    post.id, existing.score
                ))]);
            }
        }
        let report = checker::check(&q.rubric, text);
        if report.words == 0 {
            return Ok(vec![private(
                "I could not find any words in that message, so it was not scored. Write your answer as text in this thread.".into(),
            )]);
        }
        let report_json = serde_json::to_string(&report).unwrap_or_default();
        store::upsert_answer(
            conn,
            &NewAnswer {
                post: post.id,
                author: user,
                message_id: message,
                body: text,
                score: report.score,
                report: &report_json,
                late,
                at: now,
            },
        )
        .await?;
        info!(post = post.id, score = report.score, late, "answer scored");
        Ok(vec![
            Outbound::React {
                channel: channel.clone(),
                message: message.to_string(),
                emoji: if late {
                    self.config.late_emoji.clone()
                } else {
                    self.config.scored_emoji.clone()
                },
            },
            private(render::feedback(&post, q, &report, late)),
        ])
    }

    #[allow(clippy::too_many_arguments)]
    async fn edit(
        &self,
        conn: &mut SqliteConnection,
        channel: &ChannelRef,
        thread: &str,
        message: &str,
        actor: &Actor,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Outbound>, EngineError> {
        let Some(answer) = store::answer_by_message(conn, &channel.platform, message).await? else {
            // An edit of a message we never scored (e.g. sent while the bot was offline):
            // treat it as the answer.
            return self
                .answer(conn, channel, thread, message, actor, text, now)
                .await;
        };
        if answer.body == text || actor.is_bot {
            return Ok(Vec::new());
        }
        let Some(post) = store::post(conn, answer.post).await? else {
            return Ok(Vec::new());
        };
        let private = |text: String| private_in_thread(channel, thread, actor, text);
        if !post.is_open(now) && !answer.late {
            return Ok(vec![private(format!(
                "Question #{} is closed, so your edit was not re-scored: your answer keeps its score of {}.",
                post.id, answer.score
            ))]);
        }
        let Some(q) = self.bank.question(&post.question_id) else {
            return Ok(Vec::new());
        };
        let report = checker::check(&q.rubric, text);
        let report_json = serde_json::to_string(&report).unwrap_or_default();
        store::edit_answer(conn, answer.id, text, report.score, &report_json, now).await?;
        info!(
            post = post.id,
            score = report.score,
            "answer re-scored after edit"
        );
        Ok(vec![private(render::feedback(
            &post,
            q,
            &report,
            answer.late,
        ))])
    }

    #[allow(clippy::too_many_arguments)]
    async fn vote(
        &self,
        conn: &mut SqliteConnection,
        channel: &ChannelRef,
        message: &str,
        emoji: &str,
        actor: &Actor,
        now: DateTime<Utc>,
        add: bool,
    ) -> Result<Vec<Outbound>, EngineError> {
        if actor.is_bot || !self.config.vote_emoji.iter().any(|e| e == emoji) {
            return Ok(Vec::new());
        }
        let Some(answer) = store::answer_by_message(conn, &channel.platform, message).await? else {
            return Ok(Vec::new());
        };
        if answer.author_platform_id == actor.id {
            info!(answer = answer.id, "self-vote ignored");
            return Ok(Vec::new());
        }
        let voter = store::user_id(conn, &channel.platform, &actor.id, &actor.name).await?;
        if add {
            store::add_vote(conn, answer.id, voter, emoji, now).await?;
        } else {
            store::remove_vote(conn, answer.id, voter, emoji).await?;
        }
        Ok(Vec::new())
    }

    // ---- helpers ----

    /// A question schedule's run: closes its open posts (revealing them), then posts the next
    /// question. Used by the scheduler and by `/qotd now`.
    async fn post_scheduled(
        &self,
        conn: &mut SqliteConnection,
        channel: &ChannelRef,
        s: &store::ScheduleRow,
        now: DateTime<Utc>,
    ) -> Result<Result<Vec<Outbound>, UserError>, EngineError> {
        let mut out = Vec::new();
        for open in store::open_posts_of_schedule(conn, s.id).await? {
            out.extend(self.close(conn, &open, now).await?);
        }
        Ok(
            match self
                .pick_and_post(
                    conn,
                    s.channel,
                    s.topic.as_deref(),
                    s.tier,
                    Some(s.id),
                    None,
                    now,
                )
                .await?
            {
                Ok((post, q)) => {
                    out.push(self.post_outbound(channel, &post, q));
                    Ok(out)
                }
                Err(e) => Err(e),
            },
        )
    }

    /// Closes a post: marks it closed and reveals the reference answer and the best answers.
    async fn close(
        &self,
        conn: &mut SqliteConnection,
        post: &PostRow,
        now: DateTime<Utc>,
    ) -> Result<Vec<Outbound>, EngineError> {
        if !store::close_post(conn, post.id, now).await? {
            return Ok(Vec::new());
        }
        let channel = channel_ref(&store::channel(conn, post.channel).await?);
        let answers = store::answers_to_post(conn, post.id).await?;
        let text = render::reveal(post, self.bank.question(&post.question_id), &answers);
        Ok(vec![Outbound::ThreadReply {
            channel,
            post: post.id,
            thread: post.thread_id.clone(),
            text,
        }])
    }

    fn resolve_topic(&self, topic: Option<&str>) -> Result<Option<String>, UserError> {
        match topic {
            None => Ok(None),
            Some(t) => match self.bank.lookup_topic(t) {
                TopicLookup::Found(topic) => Ok(Some(topic.id.clone())),
                TopicLookup::Unknown(suggestions) => Err(UserError::UnknownTopic {
                    topic: t.to_string(),
                    suggestions,
                }),
            },
        }
    }

    fn no_question(&self, topic: Option<&str>, tier: Option<Tier>) -> UserError {
        let mut tiers: Vec<Tier> = self
            .bank
            .filter(topic, None)
            .iter()
            .map(|q| q.tier)
            .collect();
        tiers.sort();
        tiers.dedup();
        UserError::NoQuestion {
            topic: topic.unwrap_or("any topic").to_string(),
            tier: tier.map_or("".into(), |t| t.to_string()),
            available: tiers
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Chooses a question (never asked in this channel first, else the one asked longest ago;
    /// random among equals) and inserts its post.
    #[allow(clippy::too_many_arguments)]
    async fn pick_and_post(
        &self,
        conn: &mut SqliteConnection,
        channel: i64,
        topic: Option<&str>,
        tier: Option<Tier>,
        schedule: Option<i64>,
        asked_by: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Result<(PostRow, &Question), UserError>, EngineError> {
        let mut candidates = self.bank.filter(topic, tier);
        if candidates.is_empty() && topic.is_some() && schedule.is_some() {
            // A scheduled topic that left the bank: fall back to any topic of the tier.
            candidates = self.bank.filter(None, tier);
        }
        if candidates.is_empty() {
            return Ok(Err(self.no_question(topic, tier)));
        }
        let history = store::question_history(conn, channel).await?;
        let last = |q: &Question| history.iter().find(|(id, _)| *id == q.id).map(|(_, t)| *t);
        let oldest = candidates.iter().map(|q| last(q)).min().flatten();
        let pool: Vec<&Question> = candidates
            .into_iter()
            .filter(|q| last(q) == oldest)
            .collect();
        let q = {
            let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
            pool.choose(&mut *rng).copied()
        };
        let Some(q) = q else {
            return Ok(Err(self.no_question(topic, tier)));
        };
        let id = store::insert_post(
            conn,
            &NewPost {
                channel,
                question_id: &q.id,
                topic: &q.topic,
                tier: q.tier,
                schedule,
                asked_by,
                posted_at: now,
                closes_at: now + self.config.close_after,
            },
        )
        .await?;
        let post = store::post(conn, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("post {id} vanished")))?;
        info!(post = id, question = %q.id, "question posted");
        Ok(Ok((post, q)))
    }

    fn post_outbound(&self, channel: &ChannelRef, post: &PostRow, q: &Question) -> Outbound {
        let card = QuestionCard {
            post: post.id,
            question_id: q.id.clone(),
            topic_id: q.topic.clone(),
            topic_name: self
                .bank
                .topic(&q.topic)
                .map_or_else(|| q.topic.clone(), |t| t.name.clone()),
            tier: q.tier,
            prompt: q.prompt.clone(),
            closes_at: post.closes_at,
            scheduled: post.schedule.is_some(),
        };
        Outbound::PostQuestion {
            channel: channel.clone(),
            text: render::question(&card),
            thread_name: format!("#{} {} ({})", post.id, card.topic_name, card.tier),
            card,
        }
    }

    /// The post a thread-bound command refers to: the thread's, else the channel's latest open.
    async fn context_post(
        &self,
        conn: &mut SqliteConnection,
        ctx: &Ctx,
        channel: i64,
    ) -> Result<Option<PostRow>, EngineError> {
        if let Some(thread) = &ctx.thread {
            if let Some(p) = store::post_by_thread(conn, &ctx.channel.platform, thread).await? {
                return Ok(Some(p));
            }
        }
        Ok(store::latest_open_post(conn, channel, ctx.now).await?)
    }

    async fn channel_tz(
        &self,
        conn: &mut SqliteConnection,
        channel: i64,
    ) -> Result<Tz, EngineError> {
        let row = store::channel(conn, channel).await?;
        Ok(parse_time_zone(&row.time_zone).unwrap_or(Tz::UTC))
    }
}

impl From<ScheduleError> for EngineError {
    fn from(e: ScheduleError) -> Self {
        // Only reached for the configured leaderboard cron, which is checked at start-up.
        EngineError::Store(StoreError::Corrupt(e.to_string()))
    }
}

struct Ctx {
    channel: ChannelRef,
    thread: Option<String>,
    actor: Actor,
    now: DateTime<Utc>,
}

impl Ctx {
    fn private(&self, text: String) -> Outbound {
        Outbound::Private {
            channel: self.channel.clone(),
            thread: self.thread.clone(),
            user: self.actor.id.clone(),
            text,
        }
    }
}

/// A private reply to `actor` in a question's thread.
fn private_in_thread(channel: &ChannelRef, thread: &str, actor: &Actor, text: String) -> Outbound {
    Outbound::Private {
        channel: channel.clone(),
        thread: Some(thread.to_string()),
        user: actor.id.clone(),
        text,
    }
}

fn channel_ref(row: &store::ChannelRow) -> ChannelRef {
    ChannelRef {
        platform: row.platform.clone(),
        id: row.channel_id.clone(),
        workspace: None,
    }
}
