//! The chatter filter ("triage"): sorts a write event before it reaches the writer, dropping
//! chatter, scoring answers, and remembering what it learnt from the store that stays true for
//! good, so that later events skip the read.

use std::collections::{HashMap, HashSet};

use crate::engine::dispatch::{Core, Scored};
use crate::engine::event::{ChannelRef, Inbound};
use crate::engine::Error;
use crate::store;

/// Facts the triage read from the store that stay true for good: a question's thread belongs to
/// its post (posts are never deleted and never change thread), and a channel where the bot has
/// posted stays one (channel rows are never deleted). Only such positive facts are kept, so
/// the cache can only skip a read whose answer is already known; an unknown thread or channel
/// is always looked up. A busy channel's answers and votes then cost no read before the writer.
#[derive(Default)]
pub(crate) struct Known {
    /// (platform, thread id) → the id of the question whose thread it is.
    threads: HashMap<(String, String), String>,
    /// (platform, channel id) of channels the bot has posted in, or question threads.
    channels: HashSet<(String, String)>,
}

/// Entries [`Known`] keeps at most in each of its two maps (a few MB); past it, that map starts
/// again empty.
const KNOWN_MAX: usize = 100_000;

impl Known {
    pub(crate) fn thread(&self, platform: &str, thread: &str) -> Option<String> {
        self.threads
            .get(&(platform.to_string(), thread.to_string()))
            .cloned()
    }

    pub(crate) fn add_thread(&mut self, platform: &str, thread: &str, question: &str) {
        if self.threads.len() >= KNOWN_MAX {
            self.threads.clear();
        }
        self.threads.insert(
            (platform.to_string(), thread.to_string()),
            question.to_string(),
        );
    }

    pub(crate) fn channel(&self, platform: &str, channel: &str) -> bool {
        let key = (platform.to_string(), channel.to_string());
        self.channels.contains(&key) || self.threads.contains_key(&key)
    }

    pub(crate) fn add_channel(&mut self, platform: &str, channel: &str) {
        if self.channels.len() >= KNOWN_MAX {
            self.channels.clear();
        }
        self.channels
            .insert((platform.to_string(), channel.to_string()));
    }
}

/// What [`Core::triage`] decides for a write event.
pub(crate) enum Triage {
    /// Chatter: drop it.
    Drop,
    /// Queue it for the writer.
    Apply(Option<Scored>),
}

impl Core {
    /// Sorts a write event. Chatter is dropped before it costs a write transaction: a bot's
    /// message or reaction, a reaction that is not a vote, a message in a thread that is not a
    /// question's, an edit, deletion or reaction in a channel where the bot never posted. This
    /// is decided on facts that do not change while the event waits for the writer (a
    /// question's thread exists before anyone can write in it), so dropping early never
    /// reorders anything. A message in a question's thread is scored here, beside the writer.
    pub(crate) async fn triage(&self, event: &Inbound) -> Result<Triage, Error> {
        if event.actor().is_some_and(|a| a.is_bot) {
            return Ok(Triage::Drop);
        }
        if let Inbound::Message {
            channel,
            thread,
            text,
            ..
        } = event
        {
            let Some(question) = self.thread_question(&channel.platform, thread).await? else {
                return Ok(Triage::Drop);
            };
            return Ok(Triage::Apply(
                self.question_read(&question)
                    .await?
                    .map(|q| Scored::new(&q, text)),
            ));
        }
        let drop = match event {
            Inbound::Command { .. } | Inbound::Message { .. } | Inbound::PrivateAnswer { .. } => {
                false
            }
            // An edit may name the edited message's own id as its thread (Slack's
            // `message_changed` does): it is chatter only outside every question channel.
            Inbound::MessageEdited {
                channel, thread, ..
            } => {
                self.thread_question(&channel.platform, thread)
                    .await?
                    .is_none()
                    && !self.knows_channel(channel).await?
            }
            Inbound::ReactionAdded { emoji, channel, .. }
            | Inbound::ReactionRemoved { emoji, channel, .. } => {
                !self.config.vote_emoji.iter().any(|e| e == emoji)
                    || !self.knows_channel(channel).await?
            }
            Inbound::MessageDeleted { channel, .. } => !self.knows_channel(channel).await?,
        };
        Ok(if drop {
            Triage::Drop
        } else {
            Triage::Apply(None)
        })
    }

    /// The id of the question whose thread `thread` is, from [`Known`] or else the read pool
    /// (index `posts_by_thread`).
    async fn thread_question(&self, platform: &str, thread: &str) -> Result<Option<String>, Error> {
        if let Some(q) = self.lock_known().thread(platform, thread) {
            return Ok(Some(q));
        }
        let mut conn = self.read.acquire().await?;
        let post = store::post_by_thread(&mut conn, platform, thread).await?;
        Ok(post.map(|post| {
            self.lock_known()
                .add_thread(platform, thread, &post.question_id);
            post.question_id
        }))
    }

    /// Whether the bot has posted in this channel, or it is a question's thread (Discord
    /// reports thread messages under the thread's id): [`Known`], or else the read pool.
    async fn knows_channel(&self, channel: &ChannelRef) -> Result<bool, Error> {
        if self.lock_known().channel(&channel.platform, &channel.id) {
            return Ok(true);
        }
        let mut conn = self.read.acquire().await?;
        let known = store::find_channel(&mut conn, &channel.platform, &channel.id)
            .await?
            .is_some();
        drop(conn);
        if known {
            self.lock_known()
                .add_channel(&channel.platform, &channel.id);
            return Ok(true);
        }
        Ok(self
            .thread_question(&channel.platform, &channel.id)
            .await?
            .is_some())
    }

    fn lock_known(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }
}
