//! Question selection: which question a channel gets next, and the post that carries it.

use crate::store::Conn;
use chrono::{DateTime, Utc};
use rand::seq::SliceRandom;
use tracing::info;

use crate::bank::{Question, Tier};
use crate::engine::dispatch::Core;
use crate::engine::event::{ChannelRef, Outbound, QuestionCard};
use crate::engine::questions::QuestionRef;
use crate::engine::{render, Error, UserError};
use crate::store::{self, ChannelRowId, MemberId, NewPost, PostRow, ScheduleId};

/// What to pick a question for.
pub(crate) struct Pick<'a> {
    pub(crate) channel: ChannelRowId,
    /// Topic id (already resolved), or any.
    pub(crate) topic: Option<&'a str>,
    pub(crate) tier: Option<Tier>,
    /// The schedule posting it, or `None` for `/ask`.
    pub(crate) schedule: Option<ScheduleId>,
    /// Who asked (for `/ask`).
    pub(crate) asked_by: Option<MemberId>,
    /// Answers go in privately and are revealed together at the close.
    pub(crate) blind: bool,
}

impl Core {
    /// Chooses a question (never asked in this channel first, else the one asked longest ago;
    /// random among equals) and inserts its post.
    ///
    /// Errors: [`UserError::NoQuestion`] when nothing matches the filters.
    pub(crate) async fn pick_and_post(
        &self,
        conn: &mut Conn,
        pick: &Pick<'_>,
        now: DateTime<Utc>,
    ) -> Result<(PostRow, QuestionRef<'_>), Error> {
        let (topic, tier) = (pick.topic, pick.tier);
        // The bank's questions and the channel's workspace's own (never another workspace's).
        let workspace = store::custom::channel_workspace(conn, pick.channel).await?;
        let mut candidates = self.candidates(conn, &workspace, topic, tier).await?;
        if candidates.is_empty() && topic.is_some() && pick.schedule.is_some() {
            // A scheduled topic that left the bank: fall back to any topic of the tier.
            candidates = self.candidates(conn, &workspace, None, tier).await?;
        }
        if candidates.is_empty() {
            return Err(self.no_question(topic, tier).into());
        }
        let history = store::question_history(conn, pick.channel).await?;
        let last = |q: &Question| history.iter().find(|(id, _)| *id == q.id).map(|(_, t)| *t);
        let oldest = candidates.iter().map(|q| last(q)).min().flatten();
        let mut pool: Vec<QuestionRef<'_>> = candidates
            .into_iter()
            .filter(|q| last(q) == oldest)
            .collect();
        let q = {
            let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
            // `choose` over the indices: the same draw as over the pool itself, so a seeded
            // run picks what it picked before custom questions existed.
            let pick = (0..pool.len())
                .collect::<Vec<_>>()
                .choose(&mut *rng)
                .copied();
            pick.map(|i| pool.swap_remove(i))
        };
        let Some(q) = q else {
            return Err(self.no_question(topic, tier).into());
        };
        let mut post = store::insert_post(
            conn,
            &NewPost {
                channel: pick.channel,
                question_id: &q.id,
                topic: &q.topic,
                tier: q.tier,
                schedule: pick.schedule,
                asked_by: pick.asked_by,
                posted_at: now,
                closes_at: now + self.config.close_after,
            },
        )
        .await?;
        if pick.blind {
            store::set_post_blind(conn, post.id).await?;
            post.blind = true;
        }
        info!(post = %post.id, question = %q.id, "question posted");
        Ok((post, q))
    }

    /// The "no such question" error, listing the tiers the topic does have.
    pub(crate) fn no_question(&self, topic: Option<&str>, tier: Option<Tier>) -> UserError {
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

    /// The action that posts a question and opens its thread.
    pub(crate) fn post_outbound(
        &self,
        channel: &ChannelRef,
        post: &PostRow,
        q: &QuestionRef<'_>,
    ) -> Outbound {
        let card = QuestionCard {
            post: post.id,
            question_id: q.id.clone(),
            topic_id: q.topic.clone(),
            topic_name: q.topic_name(&self.bank),
            tier: q.tier,
            prompt: q.prompt.clone(),
            closes_at: post.closes_at,
            scheduled: post.schedule.is_some(),
            blind: post.blind,
        };
        Outbound::PostQuestion {
            channel: channel.clone(),
            text: render::question(&card),
            thread_name: format!("#{} {} ({})", post.id, card.topic_name, card.tier),
            card,
        }
    }
}
