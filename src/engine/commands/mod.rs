//! Commands, one file per group: [`ask`] (`/ask`), [`qotd`] (`/qotd ...`), [`board`]
//! (`/leaderboard`, `/stats`), [`stats`] (the `/stats` chart and the weekly leaderboard card),
//! [`privacy`] (`/privacy export`, `/privacy forget`), [`question`] (`/question ...`), [`thread`]
//! (`/hint`, `/reveal`), [`blind`] (blind questions: private answers, the Answer form, the
//! reveal one answer a message). The two
//! dispatchers here route a parsed [`Command`]: [`Core::command`] for those that write (in the
//! writer's transaction), [`Core::read_command`] for those that only read (on the read pool).

mod ask;
mod blind;
pub(crate) use blind::blind_reveal;
pub use blind::{AnswerForm, REVEAL_ANSWER_CHARS};
mod board;
pub use board::BOARD_LINES;
mod privacy;
pub(crate) use privacy::ForgetRequests;
pub use privacy::FORGET_CONFIRM_MINUTES;
mod stats;
pub use stats::{card_text, stats_text, STATS_WEEKS};
mod qotd;
mod question;
mod thread;

use crate::store::Conn;

use crate::engine::dispatch::{Core, Ctx};
use crate::engine::event::Outbound;
use crate::engine::{command, Command, Error, Privacy, Qotd};
use crate::store;

impl Core {
    /// A command that writes, in the writer's transaction `conn`.
    pub(crate) async fn command(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        command: Command,
    ) -> Result<Vec<Outbound>, Error> {
        let channel = store::channel_id(
            conn,
            &ctx.channel.platform,
            &ctx.channel.id,
            ctx.channel.workspace.as_deref(),
        )
        .await?;
        let member = self.member(conn, &ctx.channel.platform, &ctx.actor).await?;
        match command {
            Command::Ask { topic, tier, blind } => {
                self.ask(conn, ctx, (channel, member), topic.as_deref(), tier, blind)
                    .await
            }
            Command::Qotd(q) => self.qotd(conn, ctx, channel, q).await,
            Command::Hint => self.hint(conn, ctx, channel, member).await,
            Command::Reveal => self.reveal(conn, ctx, channel).await,
            Command::Privacy(Privacy::Forget { confirm }) => {
                self.privacy_forget(conn, ctx, member, confirm).await
            }
            Command::Question(q) => self.question_command(conn, ctx, member, q).await,
            // Reads never reach the writer; answered the same way should one arrive.
            read @ (Command::Help
            | Command::Leaderboard { .. }
            | Command::Stats { .. }
            | Command::Privacy(Privacy::Export)) => self.read_command(conn, ctx, read).await,
        }
    }

    /// A command that only reads, on a read connection.
    pub(crate) async fn read_command(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        command: Command,
    ) -> Result<Vec<Outbound>, Error> {
        let channel = store::find_channel(conn, &ctx.channel.platform, &ctx.channel.id).await?;
        match command {
            Command::Help => Ok(vec![ctx.private(command::HELP.to_string())]),
            Command::Leaderboard {
                period,
                tier,
                workspace,
            } => {
                self.leaderboard(conn, ctx, channel, period, tier, workspace)
                    .await
            }
            Command::Stats { user } => self.stats(conn, ctx, channel, user).await,
            Command::Qotd(Qotd::Status) => self.qotd_status(conn, ctx, channel).await,
            Command::Privacy(Privacy::Export) => self.privacy_export(conn, ctx).await,
            other => Err(Error::Internal(store::StoreError::Corrupt(format!(
                "{other:?} is not a read-only command"
            )))),
        }
    }
}
