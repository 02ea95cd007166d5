//! `/privacy export` and `/privacy forget [confirm]` as Discord slash commands (the replies are
//! ephemeral: the export arrives as an ephemeral follow-up with the JSON file attached).

use super::{run_command, Context, Error};
use crate::engine::{Command, Privacy};

/// Your data on this server: export it, or have it deleted.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("privacy_export", "privacy_forget"),
    subcommand_required
)]
pub async fn privacy(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Your answers, scores, votes and hints on this server as a JSON file (only you see it).
#[poise::command(slash_command, guild_only, rename = "export")]
pub async fn privacy_export(ctx: Context<'_>) -> Result<(), Error> {
    run_command(ctx, Command::Privacy(Privacy::Export)).await
}

/// Delete your answers, votes, hints and name on this server (run once to see what, then with
/// confirm).
#[poise::command(slash_command, guild_only, rename = "forget")]
pub async fn privacy_forget(
    ctx: Context<'_>,
    #[description = "True to go ahead (after a first run without it has listed what goes)"]
    confirm: Option<bool>,
) -> Result<(), Error> {
    let confirm = confirm.unwrap_or(false);
    run_command(ctx, Command::Privacy(Privacy::Forget { confirm })).await
}
