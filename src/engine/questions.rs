//! Where the engine finds a question by id: the bank, or a workspace's own questions
//! (`custom-<n>`, stored in `custom_questions`). Custom questions are loaded from their stored
//! TOML on first use and kept, compiled, in [`CustomCache`]: a stored question's text never
//! changes (only its status does), so the cache never goes stale; it is emptied when a write
//! transaction rolls back, since an id it learnt there may be reused.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, Mutex};

use crate::bank::{custom, Question, Tier, TopicLookup, CUSTOM_ID_PREFIX};
use crate::engine::dispatch::Core;
use crate::engine::event::ChannelRef;
use crate::engine::{Error, UserError};
use crate::store::custom::{self as stored, CustomStatus, Workspace};
use crate::store::{Conn, StoreError};

/// A question from the bank (borrowed) or a workspace's own (shared, compiled once).
pub(crate) enum QuestionRef<'a> {
    Bank(&'a Question),
    Custom(Arc<Custom>),
}

/// A workspace's own question, compiled, with its topic's display name (a workspace's own
/// topic is in no bank).
pub(crate) struct Custom {
    question: Question,
    topic_name: String,
}

impl Deref for QuestionRef<'_> {
    type Target = Question;
    fn deref(&self) -> &Question {
        match self {
            QuestionRef::Bank(q) => q,
            QuestionRef::Custom(c) => &c.question,
        }
    }
}

impl QuestionRef<'_> {
    /// The display name of the question's topic.
    pub(crate) fn topic_name(&self, bank: &crate::bank::Bank) -> String {
        match self {
            QuestionRef::Custom(c) => c.topic_name.clone(),
            QuestionRef::Bank(q) => bank
                .topic(&q.topic)
                .map_or_else(|| q.topic.clone(), |t| t.name.clone()),
        }
    }
}

/// Compiled custom questions by number, at most [`CUSTOM_CACHE_MAX`] (past it the cache starts
/// again empty, as the member cache does).
#[derive(Default)]
pub(crate) struct CustomCache(Mutex<HashMap<i64, Arc<Custom>>>);

/// Custom questions kept compiled at most (a reference-mode rubric is a few KB).
const CUSTOM_CACHE_MAX: usize = 10_000;

impl CustomCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<Custom>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, n: i64) -> Option<Arc<Custom>> {
        self.lock().get(&n).cloned()
    }

    fn put(&self, n: i64, q: Arc<Custom>) {
        let mut map = self.lock();
        if map.len() >= CUSTOM_CACHE_MAX {
            map.clear();
        }
        map.insert(n, q);
    }

    /// Forgets everything (a write transaction rolled back).
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }
}

/// The number of a custom question id (`custom-7` → 7).
pub(crate) fn custom_number(id: &str) -> Option<i64> {
    id.strip_prefix(CUSTOM_ID_PREFIX)?.parse().ok()
}

/// The workspace a command was given in.
pub(crate) fn workspace_of(channel: &ChannelRef) -> Workspace {
    Workspace {
        platform: channel.platform.clone(),
        id: channel.workspace.clone().unwrap_or_default(),
    }
}

impl Core {
    /// The question with this id, from the bank or, for `custom-<n>`, the store (whatever its
    /// status: a removed question's posts still render).
    ///
    /// Errors: the store failed, or a stored question no longer loads.
    pub(crate) async fn question(
        &self,
        conn: &mut Conn,
        id: &str,
    ) -> Result<Option<QuestionRef<'_>>, Error> {
        let Some(n) = custom_number(id) else {
            return Ok(self.bank.question(id).map(QuestionRef::Bank));
        };
        if let Some(q) = self.custom.get(n) {
            return Ok(Some(QuestionRef::Custom(q)));
        }
        let Some(row) = stored::custom_question(conn, n).await? else {
            return Ok(None);
        };
        let q = custom::load_stored(n, &row.topic, &row.doc, &self.bank)
            .map_err(|e| Error::Internal(StoreError::Corrupt(e.to_string())))?;
        let q = Arc::new(Custom {
            question: q,
            topic_name: row.topic_name,
        });
        self.custom.put(n, q.clone());
        Ok(Some(QuestionRef::Custom(q)))
    }

    /// [`Core::question`] on the read pool (for the triage before the writer); a bank question
    /// or a cached custom one costs no connection.
    pub(crate) async fn question_read(&self, id: &str) -> Result<Option<QuestionRef<'_>>, Error> {
        match custom_number(id) {
            None => Ok(self.bank.question(id).map(QuestionRef::Bank)),
            Some(n) => match self.custom.get(n) {
                Some(q) => Ok(Some(QuestionRef::Custom(q))),
                None => {
                    let mut conn = self.read.acquire().await?;
                    self.question(&mut conn, id).await
                }
            },
        }
    }

    /// The questions a channel of `workspace` may get for the topic id and tier: the bank's and
    /// the workspace's live custom questions.
    pub(crate) async fn candidates(
        &self,
        conn: &mut Conn,
        workspace: &Workspace,
        topic: Option<&str>,
        tier: Option<Tier>,
    ) -> Result<Vec<QuestionRef<'_>>, Error> {
        let mut out: Vec<QuestionRef<'_>> = self
            .bank
            .filter(topic, tier)
            .into_iter()
            .map(QuestionRef::Bank)
            .collect();
        let rows =
            stored::custom_questions(conn, workspace, CustomStatus::Live, topic, tier).await?;
        for row in rows {
            if let Some(q) = self
                .question(conn, &format!("{CUSTOM_ID_PREFIX}{}", row.n))
                .await?
            {
                out.push(q);
            }
        }
        Ok(out)
    }

    /// A topic id from what was typed: a bank topic (id or alias, any case) or one of the
    /// workspace's own topics (id or name, any case).
    ///
    /// Errors: [`UserError::UnknownTopic`] with the nearest topic ids of both.
    pub(crate) async fn resolve_topic_in(
        &self,
        conn: &mut Conn,
        workspace: &Workspace,
        topic: Option<&str>,
    ) -> Result<Option<String>, Error> {
        let Some(t) = topic else { return Ok(None) };
        let suggestions = match self.bank.lookup_topic(t) {
            TopicLookup::Found(topic) => return Ok(Some(topic.id.clone())),
            TopicLookup::Unknown(suggestions) => suggestions,
        };
        let own = stored::custom_topics(conn, workspace).await?;
        let key = t.trim().to_lowercase();
        if let Some((id, _)) = own
            .iter()
            .find(|(id, name)| *id == key || name.to_lowercase() == key || *id == custom::slug(t))
        {
            return Ok(Some(id.clone()));
        }
        let mut near: Vec<String> = own
            .into_iter()
            .map(|(id, _)| id)
            .filter(|id| {
                strsim::normalized_damerau_levenshtein(id, &key) > 0.5 || id.starts_with(&key)
            })
            .collect();
        near.extend(suggestions);
        near.truncate(3);
        Err(UserError::UnknownTopic {
            topic: t.to_string(),
            suggestions: near,
        }
        .into())
    }

    /// Topic ids for autocomplete in a workspace: its own topics first, then the bank's nearest.
    pub(crate) async fn topic_choices(
        &self,
        conn: &mut Conn,
        workspace: &Workspace,
        partial: &str,
        n: usize,
    ) -> Result<Vec<String>, Error> {
        let key = partial.trim().to_lowercase();
        let mut out: Vec<String> = stored::custom_topics(conn, workspace)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .filter(|id| id.contains(&key))
            .collect();
        let bank: Vec<String> = if key.is_empty() {
            self.bank.topics().iter().map(|t| t.id.clone()).collect()
        } else {
            self.bank.nearest_topics(&key, n)
        };
        let more: Vec<String> = bank.into_iter().filter(|id| !out.contains(id)).collect();
        out.extend(more);
        out.truncate(n);
        Ok(out)
    }
}

impl crate::engine::Engine {
    /// Topic ids for a topic option's autocomplete in a workspace (Discord guild, Slack team;
    /// `None` for none): the workspace's own topics containing `partial` first, then the bank's
    /// nearest (prefix and typo matches), `n` at most. On the read pool.
    ///
    /// Errors: the store failed.
    pub async fn topic_choices(
        &self,
        platform: &str,
        workspace: Option<&str>,
        partial: &str,
        n: usize,
    ) -> Result<Vec<String>, Error> {
        let workspace = Workspace {
            platform: platform.to_string(),
            id: workspace.unwrap_or_default().to_string(),
        };
        let mut conn = self.core.read.acquire().await?;
        self.core
            .topic_choices(&mut conn, &workspace, partial, n)
            .await
    }
}
