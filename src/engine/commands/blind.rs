//! Blind answers (issue 13, part 1): a blind post (`/ask ... blind`, or a schedule set with
//! `blind`) takes its answers privately and reveals them together when it closes.
//!
//! - A private answer ([`Inbound::PrivateAnswer`](crate::engine::Inbound::PrivateAnswer): a
//!   Discord or Slack modal, the console's `answers privately:`) is scored by the same checker and
//!   stored like a thread answer (one per member per post, a second replaces the first while the
//!   post is open), under the private message id [`store::private_message_id`]; the feedback goes
//!   to its author alone.
//! - A message written in a blind post's thread while it is open is not an answer: its writer is
//!   told privately to use the Answer button, with their text echoed back so nothing is lost.
//! - At the close ([`blind_reveal`]) the thread gets the reference answer and then one message per
//!   answer, best first ([`Outbound::RevealAnswer`]); the adapter records each message's id
//!   ([`Engine::attach_revealed`]) in place of the private one, so 👍 on it counts through the
//!   usual vote path.

use chrono_tz::Tz;
use tracing::info;

use crate::bank::Question;
use crate::engine::dispatch::{Core, Ctx, Scored};
use crate::engine::event::{ChannelRef, Outbound};
use crate::engine::{limits, points, render, Engine, Error};
use crate::schedule::parse_time_zone;
use crate::store::{self, AnswerId, Conn, NewAnswer, PostId, PostRow, ScoredAnswer, StoreError};

/// Characters of an answer shown in its reveal message at most: Discord's message limit is
/// 2,000 characters (Discord API, "Create Message": `content` up to 2000), less room for the
/// header line.
pub const REVEAL_ANSWER_CHARS: usize = 1_800;

/// Characters of a thread message echoed back to its writer at most (the rest is cut, said so):
/// the echo is a Discord DM, limited to 2,000 characters like any message.
const ECHO_CHARS: usize = 1_500;

/// The last sentence of [`render::feedback`], which speaks of thread messages.
const EDIT_HINT: &str = "\nEdit your message to improve it while the question is open.";

/// What a member who opens a blind post's answer form gets ([`Engine::answer_form`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerForm {
    /// The post takes private answers: show the form.
    Open {
        /// The post.
        post: PostId,
        /// The question, for the form's heading.
        prompt: String,
        /// The member's current answer, to prefill the form (a new submission replaces it).
        current: Option<String>,
    },
    /// No form: why, in words for the member (closed, not blind, unknown post).
    Refused(String),
}

impl Engine {
    /// What to show `user` (a platform user id on `platform`) who pressed a blind post's Answer
    /// button: the form with their current answer, or why not. A read on the read pool.
    ///
    /// Errors: the store failed.
    pub async fn answer_form(
        &self,
        platform: &str,
        post: PostId,
        user: &str,
    ) -> Result<AnswerForm, Error> {
        let mut conn = self.core.read.acquire().await?;
        let Some(row) = store::post(&mut conn, post).await? else {
            return Ok(AnswerForm::Refused(format!(
                "Question #{post} is not known here."
            )));
        };
        if !row.blind {
            return Ok(AnswerForm::Refused(format!(
                "Question #{post} takes answers in its thread: write yours there."
            )));
        }
        if !row.is_open(self.now()) {
            return Ok(AnswerForm::Refused(format!(
                "Question #{post} is closed: its answers were revealed in the thread."
            )));
        }
        let prompt = self
            .bank()
            .question(&row.question_id)
            .map_or_else(String::new, |q| q.prompt.clone());
        let current = store::private_answer_text(&mut conn, post, platform, user).await?;
        Ok(AnswerForm::Open {
            post,
            prompt,
            current,
        })
    }

    /// Records the message a blind answer was revealed as ([`Outbound::RevealAnswer`]), so that
    /// votes on it count for the answer's author. One statement (autocommit), like
    /// [`Engine::attach`].
    ///
    /// Errors: the store failed.
    pub async fn attach_revealed(&self, answer: AnswerId, message_id: &str) -> Result<(), Error> {
        let mut conn = self.core.write.acquire().await?;
        if !store::reveal_answer_message(&mut conn, answer, message_id).await? {
            info!(answer = %answer, "revealed answer already recorded or withdrawn");
        }
        Ok(())
    }
}

impl Core {
    /// A private answer to a blind post, in the writer's transaction: scored, stored (replacing
    /// the member's earlier one) while the post is open, feedback to the member alone.
    pub(crate) async fn private_answer(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        post: PostId,
        text: &str,
    ) -> Result<Vec<Outbound>, Error> {
        if ctx.actor.is_bot {
            return Ok(Vec::new());
        }
        let row = match store::post(conn, post).await? {
            Some(row) => row,
            None => {
                return Ok(vec![
                    ctx.private(format!("Question #{post} is not known here."))
                ])
            }
        };
        let channel = store::channel(conn, row.channel).await?;
        if channel.platform != ctx.channel.platform || channel.channel_id != ctx.channel.id {
            return Ok(vec![ctx.private(format!(
                "Question #{post} belongs to another channel; answer it there."
            ))]);
        }
        if !row.blind {
            return Ok(vec![ctx.private(format!(
                "Question #{post} takes answers in its thread, not privately: write yours there. Your text:\n{}",
                quote(text)
            ))]);
        }
        let Some(q) = self.bank.question(&row.question_id) else {
            return Ok(vec![
                ctx.private("This question is no longer in the bank.".into())
            ]);
        };
        let scored = Scored::new(q, text);
        let report = &scored.report;
        if report.words == 0 {
            return Ok(vec![ctx.private(
                "I could not find any words in that answer, so it was not scored; your earlier answer, if any, stays.".into(),
            )]);
        }
        if !row.is_open(ctx.now) {
            return Ok(vec![ctx.private(format!(
                "Question #{post} is closed and its answers were revealed, so this one was not stored. How it would have scored:\n{}",
                feedback(&row, q, &scored, true)
            ))]);
        }
        let user = self.member(conn, &ctx.channel.platform, &ctx.actor).await?;
        let existing = store::answer_of(conn, post, user).await?;
        let message = store::private_message_id(post, &ctx.actor.id);
        let body = limits::capped(text).0;
        store::upsert_answer(
            conn,
            &NewAnswer {
                post,
                author: user,
                message_id: &message,
                body,
                score: report.score,
                report: &scored.report_json,
                late: false,
                at: ctx.now,
                day: points::local_day(ctx.now, parse_time_zone(&row.time_zone).unwrap_or(Tz::UTC)),
                replaces: existing.as_ref().map(|e| (e.id, e.message_id.as_str())),
            },
        )
        .await?;
        info!(post = %post, score = report.score, replaced = existing.is_some(), "private answer scored");
        crate::ops::metrics::answer_scored(&ctx.channel.platform, report.score);
        let mut text = feedback(&row, q, &scored, false);
        if existing.is_some() {
            text = format!("Your earlier answer was replaced by this one.\n{text}");
        }
        Ok(vec![ctx.private(text)])
    }

    /// A message in a blind post's thread: not an answer. While the post is open its writer is
    /// told privately to use the Answer button, with their text echoed back; after the reveal
    /// it is discussion and nothing happens. Either way it is remembered as handled, so a
    /// catch-up does not see it again.
    pub(crate) async fn blind_thread_message(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        post: &PostRow,
        message: &str,
        text: &str,
    ) -> Result<Vec<Outbound>, Error> {
        let mark = store::message_event_id(message);
        store::mark_event(conn, &ctx.channel.platform, &mark, ctx.now).await?;
        if !post.is_open(ctx.now) || text.trim().is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![ctx.private(format!(
            "Question #{} takes answers privately, so your message in the thread was not scored: press **Answer** under the question (console: `{} answers privately: ...`) and paste it there. Every answer is revealed in the thread when the question closes. Your text:\n{}",
            post.id,
            ctx.actor.name,
            quote(text)
        ))])
    }
}

/// The reveal of a blind post at its close: the reference answer (and the follow-up to
/// discuss) in the thread, then one [`Outbound::RevealAnswer`] per on-time answer, best first
/// (points, then the earlier answer), each with its author, checker score and points.
///
/// Errors: the store failed reading the answers' texts.
pub(crate) async fn blind_reveal(
    conn: &mut Conn,
    post: &PostRow,
    q: Option<&Question>,
    channel: ChannelRef,
    answers: &[ScoredAnswer],
) -> Result<Vec<Outbound>, StoreError> {
    let ranked = points::ranked(answers);
    let mut header = format!(
        "🔔 Question #{} is closed. Its answers were given privately; ",
        post.id
    );
    header.push_str(&match ranked.len() {
        0 => "nobody answered this time.".to_string(),
        1 => "here is the one answer. 👍 it if it taught you something: votes count as usual."
            .to_string(),
        n => format!(
            "here are all {n}, best first. 👍 the ones that taught you something: votes count as usual."
        ),
    });
    if let Some(q) = q {
        header.push_str(&format!(
            "\n**Reference answer:**\n{}",
            q.reference_answer.trim()
        ));
        if let Some(f) = q.follow_ups.first() {
            header.push_str(&format!("\nTo discuss: {f}"));
        }
    }
    let mut out = vec![Outbound::ThreadReply {
        channel: channel.clone(),
        post: post.id,
        thread: post.thread_id.clone(),
        text: header,
    }];
    let bodies = store::answer_bodies(conn, post.id).await?;
    for (rank, (a, pts)) in ranked.iter().enumerate() {
        let body = bodies
            .iter()
            .find(|(id, _)| *id == a.id)
            .map_or("", |(_, b)| b.as_str());
        let place = match rank {
            0 => "🥇".to_string(),
            1 => "🥈".to_string(),
            2 => "🥉".to_string(),
            n => format!("{}.", n + 1),
        };
        out.push(Outbound::RevealAnswer {
            channel: channel.clone(),
            post: post.id,
            thread: post.thread_id.clone(),
            answer: a.id,
            text: format!(
                "{place} **{}** · checker {}/100 · {pts} points\n{}",
                a.author_name,
                a.score,
                clip(body, REVEAL_ANSWER_CHARS)
            ),
        });
    }
    Ok(out)
}

/// [`render::feedback`] for a private answer: its last line speaks of editing a message, which
/// a private answer replaces by submitting again.
fn feedback(post: &PostRow, q: &Question, scored: &Scored, late: bool) -> String {
    let text = render::feedback(post, q, &scored.report, late);
    let text = text.strip_suffix(EDIT_HINT).unwrap_or(&text).to_string();
    if late {
        text
    } else {
        format!("{text}\nTo change it, answer again (the Answer button) while the question is open: your new answer replaces this one.")
    }
}

/// `text` as a quote, at most [`ECHO_CHARS`] characters (saying how much was cut).
fn quote(text: &str) -> String {
    let clipped = clip(text, ECHO_CHARS);
    clipped
        .lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` cut to at most `n` characters, saying how many more there were.
fn clip(text: &str, n: usize) -> String {
    let count = text.chars().count();
    if count <= n {
        text.trim().to_string()
    } else {
        format!(
            "{}… ({} more characters)",
            text.chars().take(n).collect::<String>().trim_end(),
            count - n
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_and_quote_keep_short_text_and_say_what_was_cut() {
        assert_eq!(clip("  short  ", 10), "short");
        assert_eq!(clip("abcdefghij", 4), "abcd… (6 more characters)");
        assert_eq!(quote("one\ntwo"), "> one\n> two");
    }
}
