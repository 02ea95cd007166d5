//! `/question` on Slack: `/question add`, `/question suggest` and `/question import` typed
//! without arguments open a **modal** (`views.open` with the slash command's `trigger_id`); its
//! `view_submission` (an interactive envelope, handled here) becomes the engine command, and the
//! reply is an ephemeral message in the channel the command was typed in. With arguments
//! (`/question add tier=mid topic=gil prompt="..." reference="..."`) the command is parsed as
//! typed, like every other Slack command.
//!
//! Import: Slack delivers no file with a slash command. `/question import` alone opens a modal to
//! paste the file's **text**, up to [`MAX_PASTE_CHARS`] (Slack's limit for a text input);
//! `/question import <file id or link>` fetches a file shared in Slack (`super::import`).

use std::sync::Arc;

use slack_morphism::prelude::*;
use tracing::{error, warn};

use super::{can_manage, deliver, state_of, State, PLATFORM};
use crate::engine::{
    Actor, ChannelRef, Command, ImportSource, Inbound, Outbound, QuestionCmd, QuestionForm,
    UserError,
};

/// Callback ids of the question modals start with this.
pub const CALLBACK_PREFIX: &str = "question-";

/// Slack's longest plain-text input (`max_length` of a `plain_text_input`).
pub const MAX_PASTE_CHARS: u64 = 3000;

/// The name errors give a pasted file.
const PASTED_NAME: &str = "pasted.toml";

/// If `line` is `/question add`, `/question suggest` or `/question import` alone, opens its
/// modal and returns true (the command is then answered when the modal is submitted).
pub(super) async fn open_form(
    client: &SlackHyperClient,
    state: &State,
    event: &SlackCommandEvent,
    line: &str,
) -> bool {
    let words: Vec<String> = line.split_whitespace().map(|w| w.to_lowercase()).collect();
    let kind = match words.as_slice() {
        [q, k] if q == "/question" && matches!(k.as_str(), "add" | "suggest" | "import") => {
            k.clone()
        }
        _ => return false,
    };
    if kind != "suggest" && !can_manage(client, state, &event.user_id).await.0 {
        // No form to fill in only to be refused.
        let refusal = UserError::NotAllowed(if kind == "add" {
            "/question add"
        } else {
            "/question import"
        });
        let reply = Outbound::Private {
            channel: ChannelRef::new(PLATFORM, event.channel_id.as_ref()),
            thread: None,
            user: event.user_id.to_string(),
            text: refusal.to_string(),
        };
        deliver(client, state, vec![reply]).await;
        return true;
    }
    let input = |id: &str, label: &str, multiline: bool, max: u64| -> SlackBlock {
        SlackInputBlock::new(
            label.into(),
            SlackBlockPlainTextInputElement::new()
                .with_action_id(id.into())
                .with_multiline(multiline)
                .with_max_length(max)
                .into(),
        )
        .with_block_id(id.into())
        .into()
    };
    let (title, blocks) = if kind == "import" {
        let paste = "The .toml file's text (the bank's format)";
        (
            "Import questions",
            vec![input("toml", paste, true, MAX_PASTE_CHARS)],
        )
    } else {
        let mut follow_up = input("follow_up", "Follow-up question (optional)", true, 500);
        if let SlackBlock::Input(block) = &mut follow_up {
            block.optional = Some(true);
        }
        let title = if kind == "add" {
            "New question"
        } else {
            "Suggest a question"
        };
        let blocks = vec![
            input("prompt", "Question", true, 1000),
            input("tier", "Tier (junior, mid, senior or staff)", false, 20),
            input("topic", "Topic (e.g. gil, or a new one)", false, 60),
            input(
                "reference",
                "Reference answer (answers are scored on it)",
                true,
                MAX_PASTE_CHARS,
            ),
            follow_up,
        ];
        (title, blocks)
    };
    let view = SlackView::Modal(
        SlackModalView::new(title.into(), blocks)
            .with_submit("Save".into())
            .with_close("Cancel".into())
            .with_callback_id(format!("{CALLBACK_PREFIX}{kind}").into())
            // Where to answer once it is submitted.
            .with_private_metadata(event.channel_id.to_string()),
    );
    let session = client.open_session(&state.token);
    let request = SlackApiViewsOpenRequest::new(event.trigger_id.clone(), view);
    if let Err(e) = session.views_open(&request).await {
        warn!(error = %e, "views.open failed");
        let text = "I could not open the form; type the fields instead: `/question add tier=mid topic=gil prompt=\"...\" reference=\"...\"`";
        let reply = Outbound::Private {
            channel: ChannelRef::new(PLATFORM, event.channel_id.as_ref()),
            thread: None,
            user: event.user_id.to_string(),
            text: text.into(),
        };
        deliver(client, state, vec![reply]).await;
    }
    true
}

/// Interactive envelopes: a submitted question modal becomes the engine command (applied after
/// the acknowledgement, like slash commands); other interactions are ignored here.
pub(super) async fn on_interaction(
    event: SlackInteractionEvent,
    client: Arc<SlackHyperClient>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let SlackInteractionEvent::ViewSubmission(submission) = event else {
        return Ok(());
    };
    let SlackView::Modal(modal) = &submission.view.view else {
        return Ok(());
    };
    let Some(kind) = modal
        .callback_id
        .as_ref()
        .and_then(|c| c.0.strip_prefix(CALLBACK_PREFIX))
        .map(str::to_string)
    else {
        return Ok(());
    };
    let Some(state) = state_of(&states).await else {
        return Ok(());
    };
    let values = submission.view.state_params.state.clone().map(|s| s.values);
    let value = |id: &str| -> String {
        values
            .as_ref()
            .and_then(|v| v.get(&id.into()))
            .and_then(|a| a.get(&id.into()))
            .and_then(|v| v.value.clone())
            .unwrap_or_default()
    };
    let command = if kind == "import" {
        QuestionCmd::Import(ImportSource::Fetched {
            name: PASTED_NAME.into(),
            text: value("toml"),
        })
    } else {
        let follow_up = value("follow_up");
        let form = QuestionForm {
            prompt: value("prompt"),
            tier: value("tier"),
            topic: value("topic"),
            reference: value("reference"),
            follow_up: (!follow_up.trim().is_empty()).then_some(follow_up),
        };
        if kind == "add" {
            QuestionCmd::Add(form)
        } else {
            QuestionCmd::Suggest(form)
        }
    };
    let channel = ChannelRef {
        platform: PLATFORM.into(),
        id: modal.private_metadata.clone().unwrap_or_default(),
        workspace: Some(submission.team.id.to_string()),
    };
    // The view's id: a repeated delivery of the same submission applies once.
    let id = format!("view:{}", submission.view.state_params.id);
    let user = submission.user.id.clone();
    tokio::spawn(async move {
        let (allowed, name) = can_manage(&client, &state, &user).await;
        let inbound = Inbound::Command {
            id,
            channel: channel.clone(),
            thread: None,
            actor: Actor {
                id: user.to_string(),
                name,
                is_bot: false,
                can_manage: allowed,
            },
            command: Command::Question(command),
        };
        match state.engine.handle(inbound).await {
            Ok(actions) => deliver(&client, &state, actions).await,
            Err(e) => {
                error!(error = %e, "question form failed");
                let sorry = Outbound::Private {
                    channel,
                    thread: None,
                    user: user.to_string(),
                    text: "Sorry, something went wrong on my side; your question was not stored. Please try again in a minute.".into(),
                };
                deliver(&client, &state, vec![sorry]).await;
            }
        }
    });
    Ok(())
}
