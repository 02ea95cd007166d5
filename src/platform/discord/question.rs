//! `/question ...` as Discord slash commands: the server's own questions. `add` and `suggest`
//! open a **modal** (prompt, tier, topic, reference answer, optional follow-up: Discord's limit
//! of five inputs); the submitted modal is deferred ephemerally and the engine's replies are
//! ephemeral follow-ups on it. `import` takes a `.toml` attachment (downloaded from Discord's
//! CDN, at most [`MAX_IMPORT_BYTES`]). The rest are plain subcommands whose replies are
//! ephemeral (`export` attaches one TOML file per topic).

use std::time::Duration;

use poise::serenity_prelude as serenity;
use poise::Modal as _;
use serenity::futures::StreamExt as _;
use serenity::{
    CreateInteractionResponse, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
};
use tracing::{error, warn};

use super::{clip, deliver_one, run_command, Context, Error, PLATFORM};
use crate::engine::{
    Actor, ChannelRef, Command, ImportSource, Inbound, Outbound, QuestionCmd, QuestionForm,
};

/// The largest question file `/question import` downloads (the whole bank is about 600 KB in
/// 54 files; one topic's file is a few KB).
pub const MAX_IMPORT_BYTES: u32 = 1024 * 1024;

/// How long a question modal waits for its submission (Discord keeps a modal open until the
/// member closes it; 30 minutes is ample to write a question).
const MODAL_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The question form (Discord allows five inputs in a modal).
#[derive(Debug, poise::Modal)]
#[name = "A question for this server"]
struct QuestionModal {
    #[name = "Question"]
    #[placeholder = "Why does our team squash commits before merging?"]
    #[paragraph]
    #[max_length = 1000]
    prompt: String,
    #[name = "Tier (junior, mid, senior or staff)"]
    #[placeholder = "mid"]
    #[max_length = 20]
    tier: String,
    #[name = "Topic (e.g. gil, or a new one)"]
    #[placeholder = "team process"]
    #[max_length = 60]
    topic: String,
    #[name = "Reference answer (answers are scored on it)"]
    #[paragraph]
    #[min_length = 40]
    #[max_length = 4000]
    reference: String,
    #[name = "Follow-up question (optional)"]
    #[paragraph]
    #[max_length = 500]
    follow_up: Option<String>,
}

/// The server's own questions: add, suggest, import, list, remove, export, review.
#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "question_add",
        "question_suggest",
        "question_import",
        "question_list",
        "question_remove",
        "question_export",
        "question_review",
        "question_approve",
        "question_reject"
    ),
    subcommand_required
)]
pub async fn question(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Add a question of this server's own (a form opens; needs Manage Server).
#[poise::command(slash_command, guild_only, rename = "add")]
pub async fn question_add(ctx: Context<'_>) -> Result<(), Error> {
    form_command(ctx, true).await
}

/// Suggest a question for this server (a form opens); a manager approves it.
#[poise::command(slash_command, guild_only, rename = "suggest")]
pub async fn question_suggest(ctx: Context<'_>) -> Result<(), Error> {
    form_command(ctx, false).await
}

/// Import questions from a .toml file in the bank's format (needs Manage Server).
#[poise::command(slash_command, guild_only, rename = "import")]
pub async fn question_import(
    ctx: Context<'_>,
    #[description = "A .toml file in the question bank's format (docs/question-format.md)"]
    file: serenity::Attachment,
) -> Result<(), Error> {
    // Acknowledge within Discord's 3 seconds before the download (`run_command` then finds the
    // interaction deferred and does not defer again).
    ctx.defer_ephemeral().await?;
    let source = if file.size > MAX_IMPORT_BYTES {
        ImportSource::Failed {
            name: file.filename.clone(),
            error: format!(
                "it has {} bytes, more than the {MAX_IMPORT_BYTES} a question file may have",
                file.size
            ),
        }
    } else {
        match file.download().await {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => ImportSource::Fetched {
                    name: file.filename.clone(),
                    text,
                },
                Err(_) => ImportSource::Failed {
                    name: file.filename.clone(),
                    error: "it is not UTF-8 text".into(),
                },
            },
            Err(e) => {
                warn!(error = %e, "could not download an attachment");
                ImportSource::Failed {
                    name: file.filename.clone(),
                    error: "Discord did not give me the file; try again".into(),
                }
            }
        }
    };
    run_command(ctx, Command::Question(QuestionCmd::Import(source))).await
}

/// This server's own questions.
#[poise::command(slash_command, guild_only, rename = "list")]
pub async fn question_list(ctx: Context<'_>) -> Result<(), Error> {
    run_command(ctx, Command::Question(QuestionCmd::List)).await
}

/// Remove one of this server's questions (needs Manage Server).
#[poise::command(slash_command, guild_only, rename = "remove")]
pub async fn question_remove(
    ctx: Context<'_>,
    #[description = "The question's id, e.g. custom-3 (see /question list)"] id: String,
) -> Result<(), Error> {
    run_command(ctx, Command::Question(QuestionCmd::Remove(id))).await
}

/// This server's questions as .toml files in the bank's format (needs Manage Server).
#[poise::command(slash_command, guild_only, rename = "export")]
pub async fn question_export(ctx: Context<'_>) -> Result<(), Error> {
    run_command(ctx, Command::Question(QuestionCmd::Export)).await
}

/// Suggestions waiting for review (needs Manage Server).
#[poise::command(slash_command, guild_only, rename = "review")]
pub async fn question_review(ctx: Context<'_>) -> Result<(), Error> {
    run_command(ctx, Command::Question(QuestionCmd::Review)).await
}

/// Approve a suggestion: it joins /ask and schedules (needs Manage Server).
#[poise::command(slash_command, guild_only, rename = "approve")]
pub async fn question_approve(
    ctx: Context<'_>,
    #[description = "The suggestion's id, e.g. custom-3 (see /question review)"] id: String,
) -> Result<(), Error> {
    run_command(ctx, Command::Question(QuestionCmd::Approve(id))).await
}

/// Reject a suggestion (needs Manage Server).
#[poise::command(slash_command, guild_only, rename = "reject")]
pub async fn question_reject(
    ctx: Context<'_>,
    #[description = "The suggestion's id, e.g. custom-3 (see /question review)"] id: String,
) -> Result<(), Error> {
    run_command(ctx, Command::Question(QuestionCmd::Reject(id))).await
}

/// Opens the question modal as the command's first response (a modal cannot follow a
/// deferral), waits for its submission, defers that ephemerally and hands the form to the
/// engine; the replies are ephemeral follow-ups on the submission.
async fn form_command(ctx: Context<'_>, add: bool) -> Result<(), Error> {
    let poise::Context::Application(app) = ctx else {
        return Ok(());
    };
    if add && !can_manage(&ctx, ctx.author_member().await.as_deref()) {
        // No form to fill in only to be refused: the engine answers with the permission note.
        let empty = QuestionCmd::Add(QuestionForm::default());
        return run_command(ctx, Command::Question(empty)).await;
    }
    let custom_id = format!("question-form-{}", app.interaction.id);
    let wanted = custom_id.clone();
    // Listening starts before the modal is shown, so a quick submission is never missed.
    let mut submissions =
        serenity::collector::ModalInteractionCollector::new(ctx.serenity_context())
            .filter(move |m| m.data.custom_id == wanted)
            .timeout(MODAL_TIMEOUT)
            .stream();
    app.interaction
        .create_response(ctx.http(), QuestionModal::create(None, custom_id))
        .await?;
    let Some(submitted) = submissions.next().await else {
        return Ok(());
    };
    submitted
        .create_response(
            ctx.http(),
            CreateInteractionResponse::Defer(
                CreateInteractionResponseMessage::new().ephemeral(true),
            ),
        )
        .await?;
    let modal = QuestionModal::parse(submitted.data.clone()).map_err(|e| -> Error { e.into() })?;
    let form = QuestionForm {
        prompt: modal.prompt,
        tier: modal.tier,
        topic: modal.topic,
        reference: modal.reference,
        follow_up: modal.follow_up,
    };
    let command = Command::Question(if add {
        QuestionCmd::Add(form)
    } else {
        QuestionCmd::Suggest(form)
    });
    let author = &submitted.user;
    let event = Inbound::Command {
        // The submission's own id: a repeated delivery of it applies once.
        id: submitted.id.to_string(),
        channel: ChannelRef {
            platform: PLATFORM.into(),
            id: submitted.channel_id.to_string(),
            workspace: submitted.guild_id.map(|g| g.to_string()),
        },
        thread: Some(submitted.channel_id.to_string()),
        actor: Actor {
            id: author.id.to_string(),
            name: author
                .global_name
                .clone()
                .unwrap_or_else(|| author.name.clone()),
            is_bot: author.bot,
            can_manage: can_manage(&ctx, submitted.member.as_ref()),
        },
        command,
    };
    let engine = &ctx.data().engine;
    let actions = match engine.handle(event).await {
        Ok(a) => a,
        Err(e) => {
            error!(error = %e, "question form failed");
            vec![]
        }
    };
    let mut replied = false;
    for action in actions {
        match action {
            Outbound::Private { text, .. } => {
                let reply = CreateInteractionResponseFollowup::new()
                    .content(clip(&text))
                    .ephemeral(true)
                    .allowed_mentions(super::no_pings());
                submitted.create_followup(ctx.http(), reply).await?;
                replied = true;
            }
            other => deliver_one(ctx.http(), engine, other).await,
        }
    }
    if !replied {
        let sorry = "Sorry, something went wrong on my side; your question was not stored. Please try again in a minute.";
        let reply = CreateInteractionResponseFollowup::new()
            .content(sorry)
            .ephemeral(true);
        submitted.create_followup(ctx.http(), reply).await?;
    }
    Ok(())
}

/// Manage Server, Administrator or the configured manager role (as for every command).
fn can_manage(ctx: &Context<'_>, member: Option<&serenity::Member>) -> bool {
    let role = ctx.data().manager_role;
    member.is_some_and(|m| {
        m.permissions
            .is_some_and(|p| p.manage_guild() || p.administrator())
            || role.is_some_and(|r| m.roles.iter().any(|x| x.get() == r))
    })
}
