//! Answers and votes: a message in a question's thread is scored by the checker, an edit
//! re-scores it, a deletion withdraws it, a 👍 from another member is a vote. Each runs in the
//! writer's transaction; the store's triggers keep the rollups in step in the same transaction.

use crate::store::Conn;
use chrono_tz::Tz;
use tracing::{debug, info};

use crate::engine::dispatch::{Core, Ctx, Scored};
use crate::engine::event::{ChannelRef, Outbound};
use crate::engine::{limits, points, render, Error};
use crate::schedule::parse_time_zone;
use crate::store::{self, NewAnswer};

impl Core {
    /// A new message in a thread: scored if the thread is a question's (with `scored`, the
    /// report made before it was queued, when it is for this question).
    pub(crate) async fn answer(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        message: &str,
        text: &str,
        scored: Option<&Scored>,
    ) -> Result<Vec<Outbound>, Error> {
        let (actor, platform) = (&ctx.actor, &ctx.channel.platform);
        let Some(thread) = ctx.thread.as_deref() else {
            return Ok(Vec::new());
        };
        if actor.is_bot {
            return Ok(Vec::new());
        }
        let user = self.member(conn, platform, actor).await?;
        let Some((post, existing)) =
            store::post_by_thread_with_answer(conn, platform, thread, user).await?
        else {
            return Ok(Vec::new());
        };
        if post.blind {
            return self
                .blind_thread_message(conn, ctx, &post, message, text)
                .await;
        }
        let Some(q) = self.question(conn, &post.question_id).await? else {
            return Ok(Vec::new());
        };
        // A message is remembered as handled (`processed_events`), so that a catch-up after
        // downtime never applies it again: by trigger when it is stored (migration 0003), here
        // when it is not.
        let mark = store::message_event_id(message);
        let late = !post.is_open(ctx.now);
        if let Some(existing) = &existing {
            if existing.message_id == message {
                // The same message again (a repeated or late gateway event): edits arrive as
                // edits, so a repeat must not turn an edited answer back.
                return Ok(Vec::new());
            }
            if late && !existing.late {
                // Talk in the thread after the reveal must not replace an on-time answer.
                store::mark_event(conn, platform, &mark, ctx.now).await?;
                return Ok(vec![ctx.private(format!(
                    "Question #{} is closed; your scored answer ({}/100) stays as it was.",
                    post.id, existing.score
                ))]);
            }
        }
        let fresh;
        let (report, report_json) = match scored {
            Some(s) if s.question_id == q.id => (&s.report, s.report_json.as_str()),
            _ => {
                fresh = Scored::new(&q, text);
                (&fresh.report, fresh.report_json.as_str())
            }
        };
        // What is stored is what was scored: at most `limits::MAX_ANSWER_BYTES`.
        let text = limits::capped(text).0;
        if report.words == 0 {
            store::mark_event(conn, platform, &mark, ctx.now).await?;
            return Ok(vec![ctx.private(
                "I could not find any words in that message, so it was not scored. Write your answer as text in this thread.".into(),
            )]);
        }
        store::upsert_answer(
            conn,
            &NewAnswer {
                post: post.id,
                author: user,
                message_id: message,
                body: text,
                score: report.score,
                report: report_json,
                late,
                at: ctx.now,
                day: points::local_day(
                    ctx.now,
                    parse_time_zone(&post.time_zone).unwrap_or(Tz::UTC),
                ),
                replaces: existing.as_ref().map(|e| (e.id, e.message_id.as_str())),
            },
        )
        .await?;
        info!(post = %post.id, score = report.score, late, "answer scored");
        crate::ops::metrics::answer_scored(&ctx.channel.platform, report.score);
        Ok(vec![
            Outbound::React {
                channel: ctx.channel.clone(),
                message: message.to_string(),
                emoji: if late {
                    self.config.late_emoji.clone()
                } else {
                    self.config.scored_emoji.clone()
                },
            },
            ctx.private(render::feedback(&post, &q, report, late)),
        ])
    }

    /// An edited message: re-scores the answer while its question is open (or if it was late).
    pub(crate) async fn edit(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        message: &str,
        text: &str,
    ) -> Result<Vec<Outbound>, Error> {
        let Some(answer) = store::answer_by_message(conn, &ctx.channel.platform, message).await?
        else {
            // An edit of a message we never scored (e.g. sent while the bot was offline):
            // treat it as the answer.
            return self.answer(conn, ctx, message, text, None).await;
        };
        let (body, _) = limits::capped(text);
        if answer.body == body || ctx.actor.is_bot {
            return Ok(Vec::new());
        }
        let Some(post) = store::post(conn, answer.post).await? else {
            return Ok(Vec::new());
        };
        if !post.is_open(ctx.now) && !answer.late {
            return Ok(vec![ctx.private(format!(
                "Question #{} is closed, so your edit was not re-scored: your answer keeps its score of {}.",
                post.id, answer.score
            ))]);
        }
        let Some(q) = self.question(conn, &post.question_id).await? else {
            return Ok(Vec::new());
        };
        let report = limits::check_capped(&q.rubric, text);
        let report_json = serde_json::to_string(&report).unwrap_or_default();
        store::edit_answer(conn, answer.id, body, report.score, &report_json, ctx.now).await?;
        info!(post = %post.id, score = report.score, "answer re-scored after edit");
        Ok(vec![ctx.private(render::feedback(
            &post,
            &q,
            &report,
            answer.late,
        ))])
    }

    /// A deleted message: withdraws the answer it was, if any (and its votes).
    pub(crate) async fn withdraw(
        &self,
        conn: &mut Conn,
        channel: &ChannelRef,
        message: &str,
    ) -> Result<Vec<Outbound>, Error> {
        if let Some(a) = store::answer_by_message(conn, &channel.platform, message).await? {
            store::delete_answer(conn, a.id).await?;
            info!(answer = %a.id, "answer withdrawn");
        }
        Ok(Vec::new())
    }

    /// A reaction added (`add`) or removed: a vote when it is a vote emoji on someone else's
    /// answer.
    pub(crate) async fn vote(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        message: &str,
        emoji: &str,
        add: bool,
    ) -> Result<Vec<Outbound>, Error> {
        let actor = &ctx.actor;
        if actor.is_bot || !self.config.vote_emoji.iter().any(|e| e == emoji) {
            return Ok(Vec::new());
        }
        let platform = &ctx.channel.platform;
        if add {
            // One statement finds the answer and adds the vote (a vote costs one round trip).
            let voter = self.member(conn, platform, actor).await?;
            if !store::add_vote_by_message(
                conn, platform, message, voter, &actor.id, emoji, ctx.now,
            )
            .await?
            {
                debug!(
                    message,
                    "no vote added: not an answer, the voter's own, or a repeat"
                );
            }
            return Ok(Vec::new());
        }
        let Some(answer) = store::answer_by_message(conn, platform, message).await? else {
            return Ok(Vec::new());
        };
        if answer.author_platform_id == actor.id {
            return Ok(Vec::new());
        }
        let voter = self.member(conn, platform, actor).await?;
        store::remove_vote(conn, answer.id, voter, emoji).await?;
        Ok(Vec::new())
    }
}
