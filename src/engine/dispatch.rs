//! The engine's shared state and its one ordered write path.
//!
//! [`Engine::handle`] sorts an event three ways (see `docs/design.md`):
//! - **reads** (`/leaderboard`, `/stats`, `/qotd status`, `/help`) run at once on the read pool,
//!   beside whatever is being written;
//! - **chatter** (bots, reactions that are not votes, messages in threads that are not a
//!   question's, events in channels the bot never posted in) is dropped before it costs a write
//!   transaction;
//! - everything else goes into one bounded queue, in arrival order, to the single writer task,
//!   which applies the events waiting, in order, in one transaction (answers are scored before
//!   they are queued). Events of one channel are therefore applied in the order they arrived
//!   (and so are all events: one writer, as rust-lang/bors does); SQLite allows one writer at a
//!   time anyway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::SeedableRng;
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{error, info_span, warn, Instrument};

use crate::bank::Bank;
use crate::engine::event::{Actor, ChannelRef, Inbound, Outbound};
use crate::engine::triage::{Known, Triage};
use crate::engine::{Command, EngineConfig, Error, Qotd};
use crate::schedule::Clock;
use crate::store::{self, Conn, MemberId, Pool, PostId, StoreError};

/// Events waiting for the writer at most; a full queue makes adapters wait (back-pressure)
/// instead of growing memory without bound.
pub const QUEUE_CAPACITY: usize = 1024;

/// Events the writer applies in one transaction at most. A batch only forms from events that
/// are already waiting, so a lone event is never delayed; 64 keeps a batch's replies prompt
/// while a burst's commits are shared.
pub const BATCH_MAX: usize = 64;

/// What every handler needs: the pools, the bank, the settings, the clock. Handlers are methods
/// on it, one file per feature (`commands/`, `answers.rs`, `tick.rs`, `select.rs`).
pub(crate) struct Core {
    /// Writes (only the writer task writes, so transactions never race).
    pub(crate) write: Pool,
    /// Reads beside the writer.
    pub(crate) read: Pool,
    pub(crate) bank: Arc<Bank>,
    pub(crate) config: EngineConfig,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rng: Mutex<StdRng>,
    /// How many inbound events have been applied, dropped or found to be repeats so far.
    handled: watch::Sender<u64>,
    /// Member row ids the writer has stored, by (platform, platform user id), with the display
    /// name stored: an event from a known member with an unchanged name costs no upsert. Only
    /// the writer uses it; it is emptied when a transaction rolls back (an id it learnt there
    /// may not exist) and when it reaches [`MEMBER_CACHE_MAX`] entries.
    members: Mutex<HashMap<(String, String), (MemberId, String)>>,
    /// What the triage has learnt from the store that can never become false again, so that
    /// later events skip the read (see [`Known`]).
    pub(crate) known: Mutex<Known>,
    /// Catch-up state: platforms whose closes wait for their catch-up, and the passes done.
    pub(crate) catchup: super::catchup::Holds,
    /// `/privacy forget` requests waiting for their confirmation (`commands/privacy.rs`).
    pub(crate) forget_requests: super::commands::ForgetRequests,
    /// Workspaces' own questions, compiled (`questions.rs`).
    pub(crate) custom: super::questions::CustomCache,
}

/// Members the writer remembers at most (a few MB); past it, the cache starts again empty.
const MEMBER_CACHE_MAX: usize = 100_000;

/// Who, where and when an event happened: passed to every handler instead of long argument
/// lists.
pub(crate) struct Ctx {
    pub(crate) channel: ChannelRef,
    /// The thread the event happened in, if any.
    pub(crate) thread: Option<String>,
    pub(crate) actor: Actor,
    pub(crate) now: DateTime<Utc>,
}

impl Ctx {
    /// A reply only the actor sees, where the event happened.
    pub(crate) fn private(&self, text: String) -> Outbound {
        Outbound::Private {
            channel: self.channel.clone(),
            thread: self.thread.clone(),
            user: self.actor.id.clone(),
            text,
        }
    }
}

/// Where the writer sends an event's outcome.
pub(crate) type Reply = oneshot::Sender<Result<Vec<Outbound>, Error>>;

/// A job for the writer task.
pub(crate) enum Job {
    Event(Box<Queued>, Reply),
    Tick(Reply),
    /// A thread read back after a (re)connect (`catchup.rs`), applied on its own.
    CatchUp(Box<super::catchup::ThreadSnapshot>, Reply),
}

/// An event waiting for the writer, with what could be worked out before it.
#[derive(Clone)]
pub(crate) struct Queued {
    event: Inbound,
    /// The checker's report on a message in a question's thread, made by the submitting task:
    /// scoring is pure, so it runs beside the writer instead of inside its transaction.
    scored: Option<Scored>,
}

/// A checker report made ahead, with the question it is for.
#[derive(Clone)]
pub(crate) struct Scored {
    pub(crate) question_id: String,
    pub(crate) report: crate::checker::Report,
    /// `report` as stored (JSON), also made before the writer's turn.
    pub(crate) report_json: String,
}

impl Scored {
    /// Scores `text` as an answer to `question`.
    pub(crate) fn new(question: &crate::bank::Question, text: &str) -> Scored {
        let report = crate::engine::limits::check_capped(&question.rubric, text);
        Scored {
            question_id: question.id.clone(),
            report_json: serde_json::to_string(&report).unwrap_or_default(),
            report,
        }
    }
}

/// The engine. One per process; share it behind an `Arc`. Create it inside a Tokio runtime (it
/// starts its writer task); the task ends when the engine is dropped.
pub struct Engine {
    pub(crate) core: Arc<Core>,
    pub(crate) queue: mpsc::Sender<Job>,
    /// How many posts the platforms have attached (posted) so far.
    attached: watch::Sender<u64>,
}

/// An event accepted by [`Engine::submit`], in its place in the order; await
/// [`Pending::outcome`] for what to do.
pub struct Pending {
    state: PendingState,
    timer: crate::ops::metrics::EventTimer,
}

enum PendingState {
    Done(Vec<Outbound>),
    Read(Arc<Core>, Box<Inbound>),
    Queued(oneshot::Receiver<Result<Vec<Outbound>, Error>>),
}

impl Pending {
    /// The actions to deliver once the event has been applied.
    ///
    /// Errors: only [`Error::Internal`] (what the member did wrong comes back as a private
    /// [`Outbound`]), including "the engine stopped" when the writer task is gone.
    pub async fn outcome(self) -> Result<Vec<Outbound>, Error> {
        let result = match self.state {
            PendingState::Done(out) => Ok(out),
            PendingState::Read(core, event) => {
                let span = span_of(&event);
                let result = core.read_only(*event).instrument(span).await;
                core.handled.send_modify(|n| *n += 1);
                result
            }
            PendingState::Queued(rx) => rx.await.unwrap_or_else(|_| Err(stopped())),
        };
        self.timer.finish(result.is_ok());
        result
    }
}

fn stopped() -> Error {
    Error::Internal(StoreError::Corrupt(
        "the engine's writer task has stopped".into(),
    ))
}

fn span_of(event: &Inbound) -> tracing::Span {
    let channel = event.channel();
    match event.actor() {
        Some(actor) => {
            info_span!("inbound", platform = %channel.platform, channel = %channel.id, user = %actor.id)
        }
        None => info_span!("inbound", platform = %channel.platform, channel = %channel.id),
    }
}

impl Engine {
    /// An engine over an opened store (see [`store::open`]); reads get their own pool beside it
    /// ([`store::read_pool`]). Starts the writer task, so it must be called inside a Tokio
    /// runtime.
    pub fn new(pool: Pool, bank: Arc<Bank>, config: EngineConfig, clock: Arc<dyn Clock>) -> Engine {
        let rng = match config.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_entropy(),
        };
        let core = Arc::new(Core {
            read: store::read_pool(&pool),
            write: pool,
            bank,
            config,
            clock,
            rng: Mutex::new(rng),
            handled: watch::channel(0).0,
            members: Mutex::new(HashMap::new()),
            known: Mutex::new(Known::default()),
            catchup: Default::default(),
            forget_requests: Default::default(),
            custom: Default::default(),
        });
        let (queue, jobs) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(writer(core.clone(), jobs));
        Engine {
            core,
            queue,
            attached: watch::channel(0).0,
        }
    }

    /// A counter of inbound events handled so far, for waiting on "the event was applied"
    /// without sleeping (tests, health checks).
    pub fn handled(&self) -> watch::Receiver<u64> {
        self.core.handled.subscribe()
    }

    /// A counter of posts attached to their platform message and thread so far.
    pub fn attached(&self) -> watch::Receiver<u64> {
        self.attached.subscribe()
    }

    /// The bank.
    pub fn bank(&self) -> &Bank {
        &self.core.bank
    }

    /// The store's write pool (for tests and maintenance).
    pub fn pool(&self) -> &Pool {
        &self.core.write
    }

    /// The store's read pool (reads beside the writer).
    pub fn read_pool(&self) -> &Pool {
        &self.core.read
    }

    /// The current time on the engine's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.core.clock.now()
    }

    /// Applies one inbound event and returns what to do: [`Engine::submit`] then
    /// [`Pending::outcome`].
    ///
    /// Errors only for internal failures (the store); whatever the member did wrong comes back
    /// as a private [`Outbound`] explaining it.
    pub async fn handle(&self, event: Inbound) -> Result<Vec<Outbound>, Error> {
        self.submit(event).await?.outcome().await
    }

    /// Takes an event's place in the order and returns without waiting for it to be applied:
    /// an adapter that must return quickly (Slack acknowledges an envelope when its callback
    /// returns) submits in the callback and awaits the outcome elsewhere, and events still apply
    /// in the order they were submitted. Waits only when [`QUEUE_CAPACITY`] events are queued.
    ///
    /// Errors: the chatter check could not read the store, or the engine stopped.
    pub async fn submit(&self, event: Inbound) -> Result<Pending, Error> {
        let timer = crate::ops::metrics::EventTimer::start(&event);
        if is_read(&event) {
            return Ok(Pending {
                state: PendingState::Read(self.core.clone(), Box::new(event)),
                timer,
            });
        }
        let scored = match self.core.triage(&event).await? {
            Triage::Drop => {
                self.core.handled.send_modify(|n| *n += 1);
                return Ok(Pending {
                    state: PendingState::Done(Vec::new()),
                    timer,
                });
            }
            Triage::Apply(scored) => scored,
        };
        let (tx, rx) = oneshot::channel();
        self.queue
            .send(Job::Event(Box::new(Queued { event, scored }), tx))
            .await
            .map_err(|_| stopped())?;
        Ok(Pending {
            state: PendingState::Queued(rx),
            timer,
        })
    }

    /// Runs whatever is due at the clock's current time, through the writer like any event:
    /// closes expired posts (revealing the reference answer) and runs due schedules. Each due
    /// schedule runs at most once per call, however many runs a downtime skipped (it catches up
    /// once).
    ///
    /// Errors: the store failed.
    pub async fn tick(&self) -> Result<Vec<Outbound>, Error> {
        let (tx, rx) = oneshot::channel();
        self.queue
            .send(Job::Tick(tx))
            .await
            .map_err(|_| stopped())?;
        rx.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// Records where the platform put a post (its message and thread).
    ///
    /// Errors: the store failed.
    pub async fn attach(
        &self,
        post: PostId,
        message_id: &str,
        thread_id: &str,
    ) -> Result<(), Error> {
        let mut conn = self.core.write.acquire().await?;
        store::attach_post(&mut conn, post, message_id, thread_id).await?;
        self.attached.send_modify(|n| *n += 1);
        crate::ops::metrics::post_attached();
        Ok(())
    }

    /// Posts that were created but never delivered (the process stopped between the two):
    /// call after a restart and deliver them again. Only channels this process owns
    /// ([`crate::engine::Ownership`]); the others are the owning process's to deliver.
    ///
    /// Errors: the store failed.
    pub async fn undelivered(&self) -> Result<Vec<Outbound>, Error> {
        let mut conn = self.core.read.acquire().await?;
        let posts = store::undelivered_posts(&mut conn).await?;
        let mut out = Vec::new();
        for p in posts {
            let channel = channel_ref(&store::channel(&mut conn, p.channel).await?);
            if !self.core.config.ownership.owns(&channel) {
                continue; // another process's shard or platform delivers it
            }
            if let Some(q) = self.core.question(&mut conn, &p.question_id).await? {
                out.push(self.core.post_outbound(&channel, &p, &q));
            }
        }
        Ok(out)
    }

    /// The earliest instant at which [`Engine::tick`] has something to do, if any.
    ///
    /// Errors: the store failed.
    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>, Error> {
        let mut conn = self.core.read.acquire().await?;
        Ok(store::next_due(&mut conn).await?)
    }
}

/// Commands that only read: they run on the read pool, never wait for the writer, and are not
/// recorded as processed (repeating one repeats a reply, nothing else).
fn is_read(event: &Inbound) -> bool {
    matches!(
        event,
        Inbound::Command {
            command: Command::Help
                | Command::Leaderboard { .. }
                | Command::Stats { .. }
                | Command::Privacy(crate::engine::Privacy::Export)
                | Command::Qotd(Qotd::Status),
            ..
        }
    )
}

/// The writer task: applies queued jobs in queue order. Events already waiting are applied
/// together, in order, in one transaction ([`BATCH_MAX`] at most; "group commit"), which saves
/// a commit per event when many arrive at once; a tick is applied on its own, in its place.
async fn writer(core: Arc<Core>, mut jobs: mpsc::Receiver<Job>) {
    let mut batch = Vec::new();
    while let Some(job) = jobs.recv().await {
        let mut solo = None;
        match job {
            Job::Event(event, reply) => {
                batch.push((event, reply));
                while batch.len() < BATCH_MAX {
                    match jobs.try_recv() {
                        Ok(Job::Event(event, reply)) => batch.push((event, reply)),
                        Ok(other) => {
                            solo = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                core.apply_batch(std::mem::take(&mut batch)).await;
            }
            other => solo = Some(other),
        }
        match solo {
            Some(Job::Tick(reply)) => {
                let _ = reply.send(core.tick().await);
            }
            Some(Job::CatchUp(snapshot, reply)) => {
                let _ = reply.send(core.apply_catch_up(*snapshot).await);
            }
            Some(Job::Event(..)) | None => {}
        }
    }
}

impl Core {
    /// Applies a batch of write events in one transaction, in order, and answers each. If any
    /// fails (internally), the batch is rolled back and each event applied in a transaction of
    /// its own, so one failing event never takes the others with it.
    async fn apply_batch(&self, batch: Vec<(Box<Queued>, Reply)>) {
        let together = async {
            let mut tx = self.write.begin_write().await?;
            let mut outs = Vec::with_capacity(batch.len());
            for (queued, _) in &batch {
                let span = span_of(&queued.event);
                let Queued { event, scored } = (**queued).clone();
                outs.push(
                    self.apply(&mut tx, event, scored.as_ref())
                        .instrument(span)
                        .await?,
                );
            }
            tx.commit().await?;
            Ok::<_, Error>(outs)
        }
        .await;
        match together {
            Ok(outs) => {
                for ((_, reply), out) in batch.into_iter().zip(outs) {
                    self.handled.send_modify(|n| *n += 1);
                    let _ = reply.send(Ok(out));
                }
            }
            Err(e) => {
                self.forget_members();
                if batch.len() > 1 {
                    warn!(error = %e, events = batch.len(), "batch failed; applying its events one by one");
                }
                for (queued, reply) in batch {
                    let Queued { event, scored } = *queued;
                    let span = span_of(&event);
                    let result = async {
                        let mut tx = self.write.begin_write().await?;
                        let out = self.apply(&mut tx, event, scored.as_ref()).await?;
                        tx.commit().await?;
                        Ok(out)
                    }
                    .instrument(span)
                    .await;
                    if let Err(e) = &result {
                        self.forget_members();
                        error!(error = %e, "event failed");
                    }
                    self.handled.send_modify(|n| *n += 1);
                    let _ = reply.send(result);
                }
            }
        }
    }

    /// Applies one write event on `conn` (inside the writer's transaction). A user error is
    /// turned into a private reply and its changes stay (the command counts as processed).
    async fn apply(
        &self,
        conn: &mut Conn,
        event: Inbound,
        scored: Option<&Scored>,
    ) -> Result<Vec<Outbound>, Error> {
        let now = self.clock.now();
        let tx = conn;
        let out = match event {
            Inbound::Command {
                id,
                channel,
                thread,
                actor,
                command,
            } => {
                if !store::mark_event(&mut *tx, &channel.platform, &id, now).await? {
                    tracing::info!(event = %id, "repeated command ignored");
                    Vec::new()
                } else {
                    let ctx = Ctx {
                        channel,
                        thread,
                        actor,
                        now,
                    };
                    match self.command(&mut *tx, &ctx, command).await {
                        Ok(out) => out,
                        Err(Error::User(e)) => vec![ctx.private(e.to_string())],
                        Err(e) => return Err(e),
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
                let ctx = Ctx {
                    channel,
                    thread: Some(thread),
                    actor,
                    now,
                };
                self.answer(&mut *tx, &ctx, &message, &text, scored).await?
            }
            Inbound::MessageEdited {
                channel,
                thread,
                message,
                actor,
                text,
            } => {
                let ctx = Ctx {
                    channel,
                    thread: Some(thread),
                    actor,
                    now,
                };
                self.edit(&mut *tx, &ctx, &message, &text).await?
            }
            Inbound::MessageDeleted { channel, message } => {
                self.withdraw(&mut *tx, &channel, &message).await?
            }
            Inbound::ReactionAdded {
                channel,
                message,
                emoji,
                actor,
            } => {
                let ctx = Ctx {
                    channel,
                    thread: None,
                    actor,
                    now,
                };
                self.vote(&mut *tx, &ctx, &message, &emoji, true).await?
            }
            Inbound::ReactionRemoved {
                channel,
                message,
                emoji,
                actor,
            } => {
                let ctx = Ctx {
                    channel,
                    thread: None,
                    actor,
                    now,
                };
                self.vote(&mut *tx, &ctx, &message, &emoji, false).await?
            }
            Inbound::PrivateAnswer {
                id,
                channel,
                post,
                actor,
                text,
            } => {
                if !store::mark_event(&mut *tx, &channel.platform, &id, now).await? {
                    Vec::new()
                } else {
                    let ctx = Ctx {
                        channel,
                        thread: None,
                        actor,
                        now,
                    };
                    self.private_answer(&mut *tx, &ctx, post, &text).await?
                }
            }
        };
        Ok(out)
    }

    /// The member's row id, stored (or its display name updated) on `conn` when the writer has
    /// not seen them with this name yet. A bare platform id as the name never replaces a known
    /// name (see [`store::user_id`]).
    pub(crate) async fn member(
        &self,
        conn: &mut Conn,
        platform: &str,
        actor: &Actor,
    ) -> Result<MemberId, Error> {
        let key = (platform.to_string(), actor.id.clone());
        if let Some((id, name)) = self.lock_members().get(&key) {
            if *name == actor.name || actor.name == actor.id {
                return Ok(*id);
            }
        }
        let id = store::user_id(conn, platform, &actor.id, &actor.name).await?;
        let mut members = self.lock_members();
        if members.len() >= MEMBER_CACHE_MAX {
            members.clear();
        }
        members.insert(key, (id, actor.name.clone()));
        Ok(id)
    }

    fn lock_members(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(String, String), (MemberId, String)>> {
        self.members.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn forget_members(&self) {
        self.lock_members().clear();
        self.custom.clear();
    }

    /// Runs a read-only command on the read pool.
    async fn read_only(&self, event: Inbound) -> Result<Vec<Outbound>, Error> {
        let Inbound::Command {
            channel,
            thread,
            actor,
            command,
            ..
        } = event
        else {
            return Ok(Vec::new());
        };
        let ctx = Ctx {
            channel,
            thread,
            actor,
            now: self.clock.now(),
        };
        let mut conn = self.read.acquire().await?;
        match self.read_command(&mut conn, &ctx, command).await {
            Ok(out) => Ok(out),
            Err(Error::User(e)) => Ok(vec![ctx.private(e.to_string())]),
            Err(e) => Err(e),
        }
    }
}

/// The neutral reference of a stored channel.
pub(crate) fn channel_ref(row: &store::ChannelRow) -> ChannelRef {
    ChannelRef {
        platform: row.platform.clone(),
        id: row.channel_id.clone(),
        workspace: row.workspace_id.clone(),
    }
}
