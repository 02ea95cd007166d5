//! `/ask [topic] [tier]`: a question now.

use crate::store::Conn;

use crate::bank::Tier;
use crate::engine::dispatch::{Core, Ctx};
use crate::engine::event::Outbound;
use crate::engine::select::Pick;
use crate::engine::Error;
use crate::store::{ChannelRowId, MemberId};

impl Core {
    /// Posts a question of `topic` (id or alias) and `tier` in the channel, chosen by
    /// [`Core::pick_and_post`], unless the member hit the `/ask` rate limit
    /// ([`crate::engine::limits::ASKS_PER_WINDOW`]). `blind`: answers go in privately and are
    /// revealed together at the close.
    pub(crate) async fn ask(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        (channel, member): (ChannelRowId, MemberId),
        topic: Option<&str>,
        tier: Option<Tier>,
        blind: bool,
    ) -> Result<Vec<Outbound>, Error> {
        self.check_ask_rate(conn, channel, member, ctx.now).await?;
        let workspace = crate::engine::questions::workspace_of(&ctx.channel);
        let topic = self.resolve_topic_in(conn, &workspace, topic).await?;
        let (post, q) = self
            .pick_and_post(
                conn,
                &Pick {
                    channel,
                    topic: topic.as_deref(),
                    tier,
                    schedule: None,
                    asked_by: Some(member),
                    blind,
                },
                ctx.now,
            )
            .await?;
        Ok(vec![self.post_outbound(&ctx.channel, &post, &q)])
    }
}
