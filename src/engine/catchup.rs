//! Catch-up after downtime. Discord's gateway and Slack's Socket Mode deliver only to a connected
//! bot, so on every (re)connect the adapter reads back each open post's thread (its messages and
//! the vote reactions on them) into a [`ThreadSnapshot`] and hands it to [`Engine::catch_up`],
//! which applies it through the writer like any event, in one transaction:
//!
//! - a message never handled is an answer, scored and acknowledged as if it had just arrived, but
//!   at its **own** timestamp: written before the post closed, it is on time, even if the post
//!   closed while the bot was down;
//! - a stored answer whose text differs is re-scored (when the edit was made while the post was
//!   open, or the answer was late anyway; an edit after the close is ignored silently);
//! - a stored answer whose message is missing from a complete listing is withdrawn;
//! - an answer's votes are set to what the platform shows (votes added and removed).
//!
//! Every step is idempotent: a message is remembered as handled (`processed_events`), edits and
//! votes compare with the stored state, so applying the same snapshot twice changes nothing and
//! sends nothing the second time. Posts of a platform that has not caught up since the process
//! started are not closed by [`Engine::tick`] (see [`Engine::hold_for_catch_up`]), so a reveal
//! after downtime includes the answers written during it.

use std::collections::{BTreeSet, HashSet};
use std::future::Future;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use tokio::sync::{oneshot, watch};
use tracing::{error, info, warn};

use crate::engine::dispatch::{Core, Ctx, Job};
use crate::engine::event::{Actor, ChannelRef, Outbound};
use crate::engine::{Engine, Error};
use crate::store::{self, ChannelRowId, Conn, PostId};

/// Messages read per post and per (re)connect at most. One page is 100 messages on Discord and
/// 200 on Slack (their API maxima), so a typical thread costs one call; a thread longer than
/// this is read up to the limit (logged), and then nothing is withdrawn for it (the listing is
/// incomplete).
pub const MAX_MESSAGES_PER_POST: usize = 1_000;

/// An open post's thread, to read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenThread {
    /// The post.
    pub post: PostId,
    /// The channel the question was posted in.
    pub channel: ChannelRef,
    /// The platform's thread id (Discord: the thread channel; Slack: `CHANNEL:THREAD_TS`).
    pub thread: String,
    /// The message ids of the post's answers when it was listed: pass them on as
    /// [`ThreadSnapshot::known_answers`].
    pub answers: Vec<String>,
}

/// Who reacted to a message with one vote emoji, as the platform shows it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenVoters {
    /// The emoji as the live events name it (Discord: the Unicode emoji; Slack: `+1`).
    pub emoji: String,
    /// Everyone who reacted with it (bots and the author are left out by the engine).
    pub voters: Vec<Actor>,
}

/// A message of a thread, as the platform shows it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenMessage {
    /// The message id (as in live events: Discord snowflake, Slack `CHANNEL:TS`).
    pub message: String,
    /// Its author.
    pub author: Actor,
    /// Its current text.
    pub text: String,
    /// When it was written (Discord `timestamp`, Slack `ts`).
    pub at: DateTime<Utc>,
    /// When it was last edited, if it was.
    pub edited_at: Option<DateTime<Utc>>,
    /// Its vote reactions, every vote emoji it has with all their users (a vote emoji that is
    /// absent has no voters); `None` when they could not be read (then votes are left alone).
    pub votes: Option<Vec<SeenVoters>>,
}

/// A thread read back after a (re)connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadSnapshot {
    /// The platform and the channel of the post.
    pub channel: ChannelRef,
    /// The thread id.
    pub thread: String,
    /// Its messages (any order; they are applied oldest first).
    pub messages: Vec<SeenMessage>,
    /// Every message of the thread was read (false when [`MAX_MESSAGES_PER_POST`] was reached):
    /// only a complete listing withdraws answers whose messages are missing.
    pub complete: bool,
    /// The answers' message ids from [`OpenThread::answers`], listed before the thread was
    /// read: only these can be withdrawn for missing from the listing, so an answer that arrives
    /// live while the thread is being read is never taken for a deleted one.
    pub known_answers: Vec<String>,
}

/// Catch-up state kept by the engine: platforms whose posts wait for their first catch-up, and
/// how many catch-up passes the adapters have finished.
pub(crate) struct Holds {
    held: Mutex<HashSet<String>>,
    passes: watch::Sender<u64>,
}

impl Default for Holds {
    fn default() -> Holds {
        Holds {
            held: Mutex::new(HashSet::new()),
            passes: watch::channel(0).0,
        }
    }
}

impl Holds {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Engine {
    /// Holds back closing `platform`'s posts (and running its channels' schedules, which close
    /// the previous post) until [`Engine::caught_up`] is called for it. An adapter calls this
    /// before it connects for the first time, so that posts which closed while the bot was down
    /// are revealed after the answers written meanwhile are in.
    pub fn hold_for_catch_up(&self, platform: &str) {
        self.core.catchup.lock().insert(platform.to_string());
    }

    /// Marks a catch-up pass of `platform` as finished (whether or not every thread could be
    /// read): its posts close again at the next tick, and [`Engine::catch_up_passes`] counts it.
    pub fn caught_up(&self, platform: &str) {
        self.core.catchup.lock().remove(platform);
        self.core.catchup.passes.send_modify(|n| *n += 1);
    }

    /// One catch-up pass of `platform`, as an adapter runs it on every (re)connect: for each
    /// open post, `read` fetches its thread back (`Ok(None)`: nothing to apply),
    /// [`Engine::catch_up`] applies it and `deliver` sends what the engine returns. A thread
    /// that cannot be read or applied is logged and skipped (the next connect reads it again);
    /// the pass ends with [`Engine::caught_up`] whatever failed.
    pub async fn catch_up_pass<E, R, RF, D, DF>(&self, platform: &str, read: R, deliver: D)
    where
        E: std::fmt::Display,
        R: Fn(OpenThread) -> RF,
        RF: Future<Output = Result<Option<ThreadSnapshot>, E>>,
        D: Fn(Vec<Outbound>) -> DF,
        DF: Future<Output = ()>,
    {
        match self.open_threads(platform).await {
            Ok(threads) => {
                for t in threads {
                    let post = t.post;
                    match read(t).await {
                        Ok(Some(snapshot)) => match self.catch_up(snapshot).await {
                            Ok(actions) => deliver(actions).await,
                            Err(e) => error!(error = %e, %post, platform, "catch-up failed"),
                        },
                        Ok(None) => {}
                        Err(e) => {
                            warn!(error = %e, %post, platform, "could not read a thread back")
                        }
                    }
                }
            }
            Err(e) => error!(error = %e, platform, "catch-up could not list open posts"),
        }
        self.caught_up(platform);
    }

    /// A counter of finished catch-up passes (all platforms), for waiting without sleeping.
    pub fn catch_up_passes(&self) -> watch::Receiver<u64> {
        self.core.catchup.passes.subscribe()
    }

    /// The emoji that count as votes (what an adapter reads reactions for).
    pub fn vote_emoji(&self) -> &[String] {
        &self.core.config.vote_emoji
    }

    /// The open posts of `platform` that have a thread: what to read back on (re)connect.
    /// With several processes, only those of channels this process owns
    /// ([`crate::engine::Ownership`]: its Discord shards); the others' are read by theirs.
    ///
    /// Errors: the store failed.
    pub async fn open_threads(&self, platform: &str) -> Result<Vec<OpenThread>, Error> {
        let mut conn = self.core.read.acquire().await?;
        let mut out = Vec::new();
        for r in store::open_threads(&mut conn, platform).await? {
            let channel = ChannelRef {
                platform: platform.into(),
                id: r.channel_id,
                workspace: r.workspace_id,
            };
            if !self.core.config.ownership.owns(&channel) {
                continue;
            }
            let answers = store::answer_messages(&mut conn, r.post).await?;
            out.push(OpenThread {
                post: r.post,
                channel,
                thread: r.thread_id,
                // A blind answer's private id is on no platform message: never "missing".
                answers: answers
                    .into_iter()
                    .map(|(_, m)| m)
                    .filter(|m| !store::is_private_message(m))
                    .collect(),
            });
        }
        Ok(out)
    }

    /// Applies a thread read back after a (re)connect (see the module documentation) in the
    /// writer's order, in one transaction, and returns what to deliver (acknowledgements and
    /// feedback for answers not seen before, feedback for re-scored edits).
    ///
    /// Errors: the store failed (nothing of the snapshot is applied then).
    pub async fn catch_up(&self, snapshot: ThreadSnapshot) -> Result<Vec<Outbound>, Error> {
        let (tx, rx) = oneshot::channel();
        self.queue
            .send(Job::CatchUp(Box::new(snapshot), tx))
            .await
            .map_err(|_| stopped())?;
        rx.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// Records that a post's question message was posted, before its thread is opened: if the
    /// process stops in between, [`Engine::undelivered`] returns the post again and the adapter
    /// completes it on this message instead of posting it twice.
    ///
    /// Errors: the store failed.
    pub async fn record_post_message(&self, post: PostId, message: &str) -> Result<(), Error> {
        let mut conn = self.core.write.acquire().await?;
        Ok(store::record_post_message(&mut conn, post, message).await?)
    }

    /// The message a post was already posted as (see [`Engine::record_post_message`]).
    ///
    /// Errors: the store failed.
    pub async fn posted_message(&self, post: PostId) -> Result<Option<String>, Error> {
        let mut conn = self.core.read.acquire().await?;
        Ok(store::post_message(&mut conn, post).await?)
    }
}

fn stopped() -> Error {
    Error::Internal(store::StoreError::Corrupt(
        "the engine's writer task has stopped".into(),
    ))
}

impl Core {
    /// Whether closing and schedules of this channel wait for its platform's catch-up.
    pub(crate) async fn held_back(
        &self,
        conn: &mut Conn,
        channel: ChannelRowId,
    ) -> Result<bool, Error> {
        if self.catchup.lock().is_empty() {
            return Ok(false);
        }
        let platform = store::channel(conn, channel).await?.platform;
        Ok(self.catchup.lock().contains(&platform))
    }

    /// The writer's side of [`Engine::catch_up`]: one transaction.
    pub(crate) async fn apply_catch_up(
        &self,
        snapshot: ThreadSnapshot,
    ) -> Result<Vec<Outbound>, Error> {
        let result = async {
            let mut tx = self.write.begin_write().await?;
            let out = self.reconcile(&mut tx, snapshot).await?;
            tx.commit().await?;
            Ok::<_, Error>(out)
        }
        .await;
        if result.is_err() {
            self.forget_members();
        }
        result
    }

    async fn reconcile(
        &self,
        conn: &mut Conn,
        snapshot: ThreadSnapshot,
    ) -> Result<Vec<Outbound>, Error> {
        let now = self.clock.now();
        let platform = snapshot.channel.platform.clone();
        let Some(post) = store::post_by_thread(conn, &platform, &snapshot.thread).await? else {
            return Ok(Vec::new());
        };
        let mut messages = snapshot.messages;
        messages.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.message.cmp(&b.message)));
        let mut out = Vec::new();
        let (mut new, mut edited) = (0, 0);
        for m in messages.iter().filter(|m| !m.author.is_bot) {
            // A platform clock ahead of ours never makes a message later than now.
            let at = m.at.min(now);
            let mut ctx = Ctx {
                channel: snapshot.channel.clone(),
                thread: Some(snapshot.thread.clone()),
                actor: m.author.clone(),
                now: at,
            };
            match store::answer_by_message(conn, &platform, &m.message).await? {
                Some(answer) if answer.body != m.text => {
                    let when = m.edited_at.unwrap_or(now).clamp(at, now);
                    if answer.late || (post.closed_at.is_none() && when < post.closes_at) {
                        ctx.now = when;
                        out.extend(self.edit(conn, &ctx, &m.message, &m.text).await?);
                        edited += 1;
                    }
                }
                Some(_) => {}
                None => {
                    let id = store::message_event_id(&m.message);
                    if store::mark_event(conn, &platform, &id, now).await? {
                        out.extend(self.answer(conn, &ctx, &m.message, &m.text, None).await?);
                        new += 1;
                    }
                }
            }
        }
        let mut withdrawn = 0;
        if snapshot.complete {
            let present: HashSet<&str> = messages.iter().map(|m| m.message.as_str()).collect();
            for message in &snapshot.known_answers {
                if !present.contains(message.as_str())
                    && store::answer_by_message(conn, &platform, message)
                        .await?
                        .is_some()
                {
                    self.withdraw(conn, &snapshot.channel, message).await?;
                    withdrawn += 1;
                }
            }
        }
        let mut votes = 0;
        for m in &messages {
            votes += self
                .reconcile_votes(conn, &snapshot.channel, m, now)
                .await?;
        }
        info!(post = %post.id, read = messages.len(), new, edited, withdrawn, votes, complete = snapshot.complete, "thread caught up");
        Ok(out)
    }

    /// Sets an answer's votes to what the platform shows; returns how many votes changed.
    async fn reconcile_votes(
        &self,
        conn: &mut Conn,
        channel: &ChannelRef,
        m: &SeenMessage,
        now: DateTime<Utc>,
    ) -> Result<usize, Error> {
        let Some(seen) = &m.votes else {
            return Ok(0);
        };
        let Some(answer) = store::answer_by_message(conn, &channel.platform, &m.message).await?
        else {
            return Ok(0);
        };
        let is_vote = |e: &str| self.config.vote_emoji.iter().any(|v| v == e);
        let mut wanted = BTreeSet::new();
        let mut actors = Vec::new();
        for s in seen.iter().filter(|s| is_vote(&s.emoji)) {
            for voter in s.voters.iter().filter(|v| !v.is_bot) {
                if voter.id != answer.author_platform_id
                    && wanted.insert((voter.id.clone(), s.emoji.clone()))
                {
                    actors.push((voter.clone(), s.emoji.clone()));
                }
            }
        }
        let stored: BTreeSet<(String, String)> = store::votes_on(conn, answer.id)
            .await?
            .into_iter()
            .collect();
        let mut changed = 0;
        let ctx = |actor: Actor| Ctx {
            channel: channel.clone(),
            thread: None,
            actor,
            now,
        };
        for (actor, emoji) in actors {
            if !stored.contains(&(actor.id.clone(), emoji.clone())) {
                self.vote(conn, &ctx(actor), &m.message, &emoji, true)
                    .await?;
                changed += 1;
            }
        }
        for (voter, emoji) in stored.difference(&wanted) {
            let actor = Actor {
                id: voter.clone(),
                name: voter.clone(), // a bare id never replaces the stored name
                is_bot: false,
                can_manage: false,
            };
            self.vote(conn, &ctx(actor), &m.message, emoji, false)
                .await?;
            changed += 1;
        }
        Ok(changed)
    }
}
