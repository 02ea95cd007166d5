//! `/hint` and `/reveal`: commands about one question, given in its thread (or after `/ask`,
//! about the channel's newest open question).

use crate::store::Conn;

use crate::checker;
use crate::engine::dispatch::{Core, Ctx};
use crate::engine::event::Outbound;
use crate::engine::{Error, UserError};
use crate::store::{self, ChannelRowId, MemberId, PostRow};

impl Core {
    /// The next hint for a concept the member's answer is missing (privately).
    pub(crate) async fn hint(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        channel: ChannelRowId,
        member: MemberId,
    ) -> Result<Vec<Outbound>, Error> {
        let Some(post) = self.context_post(conn, ctx, channel).await? else {
            return Err(UserError::NotInThread("/hint").into());
        };
        let Some(q) = self.question(conn, &post.question_id).await? else {
            return Ok(vec![
                ctx.private("This question is no longer in the bank.".into())
            ]);
        };
        let missed: Vec<usize> = match store::answer_of(conn, post.id, member).await? {
            Some(a) => checker::check(&q.rubric, &a.body)
                .concepts
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.matched)
                .map(|(i, _)| i)
                .collect(),
            None => (0..q.rubric.concepts().count()).collect(),
        };
        if missed.is_empty() {
            return Ok(vec![ctx.private(
                "Your answer already covers every concept in the rubric: nothing left to hint. Try the follow-up when the question closes.".into(),
            )]);
        }
        let n = store::next_hint(conn, post.id, member).await? as usize;
        let shown = n.min(missed.len() - 1);
        let text = format!(
            "Hint {} of {} for question #{}: {}",
            shown + 1,
            missed.len(),
            post.id,
            q.rubric
                .concepts()
                .nth(missed[shown])
                .map_or("", |c| c.hint.as_str())
        );
        Ok(vec![ctx.private(text)])
    }

    /// Closes the question now and reveals it (needs the manage permission).
    pub(crate) async fn reveal(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        channel: ChannelRowId,
    ) -> Result<Vec<Outbound>, Error> {
        if !ctx.actor.can_manage {
            return Err(UserError::NotAllowed("/reveal").into());
        }
        let Some(post) = self.context_post(conn, ctx, channel).await? else {
            return Err(UserError::NotInThread("/reveal").into());
        };
        self.close(conn, &post, ctx.now).await
    }

    /// The post a thread-bound command refers to: the thread's, else the channel's latest open.
    async fn context_post(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        channel: ChannelRowId,
    ) -> Result<Option<PostRow>, Error> {
        if let Some(thread) = &ctx.thread {
            if let Some(p) = store::post_by_thread(conn, &ctx.channel.platform, thread).await? {
                return Ok(Some(p));
            }
        }
        Ok(store::latest_open_post(conn, channel, ctx.now).await?)
    }
}
