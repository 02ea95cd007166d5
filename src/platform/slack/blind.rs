//! Blind answers on Slack: a blind question carries an **Answer** button (a Block Kit actions
//! block, action id `blind-answer`, value the post number); its `block_actions` interaction opens
//! a modal with `views.open` (the interaction's `trigger_id`, valid for 3 seconds) holding one
//! multi-line input prefilled with the member's current answer; the modal's `view_submission`
//! becomes an [`Inbound::PrivateAnswer`] and the feedback goes by `chat.postEphemeral`. Needs
//! interactivity enabled in the app (`settings.interactivity.is_enabled: true`; Socket Mode
//! delivers the interactions, no request URL). (Slack API, "Handling user interaction", "Modals",
//! "views.open".)

use slack_morphism::prelude::*;
use tracing::{error, warn};

use super::{
    deliver, display_name, escape_text, retry, state_of, verdict, Actor, CallbackResult,
    ChannelRef, Inbound, Outbound, State, PLATFORM,
};
use crate::engine::AnswerForm;
use crate::store::PostId;

/// The Answer button's action id; its value is the post number.
pub const ANSWER_ACTION: &str = "blind-answer";

/// The modal's callback id; its private metadata is `<post> <channel id> <team id>` (a
/// `view_submission` carries neither channel nor message).
const ANSWER_VIEW: &str = "blind-answer";

/// The block and action ids of the modal's text input.
const ANSWER_INPUT: &str = "answer";

/// A plain-text input holds at most 3,000 characters, its initial value too (Slack API,
/// "Plain-text input element": `max_length` up to 3000).
const INPUT_MAX_CHARS: usize = 3000;

/// A modal's title holds at most 24 characters (Slack API, "Modal view": `title`).
const TITLE_MAX_CHARS: usize = 24;

/// The actions block with a blind post's Answer button.
pub(super) fn answer_block(post: PostId) -> SlackBlock {
    let button = SlackBlockButtonElement::new(pt!("✍ Answer"))
        .with_action_id(ANSWER_ACTION.into())
        .with_value(post.to_string())
        .with_style(SlackBlockButtonStyle::Primary);
    SlackActionsBlock::new(vec![button.into()]).into()
}

/// `text` cut to `n` characters.
fn cut(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}

/// Socket Mode's interaction callback: the Answer button and its modal; anything else is
/// acknowledged and ignored. Returns quickly (Slack acknowledges the envelope when it returns;
/// an empty acknowledgement of a `view_submission` closes the modal).
pub(super) async fn on_interaction(
    event: SlackInteractionEvent,
    client: std::sync::Arc<SlackHyperClient>,
    states: SlackClientEventsUserState,
) -> CallbackResult<()> {
    let Some(state) = state_of(&states).await else {
        return Ok(());
    };
    match event {
        SlackInteractionEvent::BlockActions(e) => on_button(&client, &state, e).await,
        SlackInteractionEvent::ViewSubmission(e) => on_view_submission(&client, &state, e).await,
        _ => {}
    }
    Ok(())
}

/// The Answer button: `views.open` with the form while the post is open, else an ephemeral
/// note saying why not.
async fn on_button(client: &SlackHyperClient, state: &State, e: SlackInteractionBlockActionsEvent) {
    let Some(post) = e
        .actions
        .iter()
        .flatten()
        .find(|a| a.action_id.0 == ANSWER_ACTION)
        .and_then(|a| a.value.as_deref()?.parse().ok())
        .map(PostId)
    else {
        return;
    };
    let (Some(user), Some(channel)) = (e.user.as_ref(), e.channel.as_ref()) else {
        return;
    };
    let (user, channel) = (user.id.to_string(), channel.id.to_string());
    let form = match state.engine.answer_form(PLATFORM, post, &user).await {
        Ok(form) => form,
        Err(err) => {
            error!(error = %err, "answer form failed");
            AnswerForm::Refused(
                "Sorry, something went wrong on my side. Please try again in a minute.".into(),
            )
        }
    };
    let private = |text: String| Outbound::Private {
        channel: ChannelRef::new(PLATFORM, &channel),
        thread: None,
        user: user.clone(),
        text,
    };
    let (post, prompt, current) = match form {
        AnswerForm::Open {
            post,
            prompt,
            current,
        } => (post, prompt, current),
        AnswerForm::Refused(text) => return deliver(client, state, vec![private(text)]).await,
    };
    let mut input = SlackBlockPlainTextInputElement::new()
        .with_action_id(ANSWER_INPUT.into())
        .with_multiline(true)
        .with_max_length(INPUT_MAX_CHARS as u64);
    if let Some(current) = current {
        input = input.with_initial_value(cut(&current, INPUT_MAX_CHARS));
    }
    let blocks: Vec<SlackBlock> = vec![
        SlackSectionBlock::new()
            .with_text(md!("{}", escape_text(&prompt)))
            .into(),
        SlackInputBlock::new(pt!("Your answer: how and why, not only what"), input.into())
            .with_block_id(ANSWER_INPUT.into())
            .into(),
    ];
    let view = SlackView::Modal(
        SlackModalView::new(
            pt!(
                "{}",
                cut(&format!("Question #{post} (blind)"), TITLE_MAX_CHARS)
            ),
            blocks,
        )
        .with_submit(pt!("Submit"))
        .with_close(pt!("Cancel"))
        .with_callback_id(ANSWER_VIEW.into())
        .with_private_metadata(format!("{post} {channel} {}", e.team.id)),
    );
    let req = SlackApiViewsOpenRequest::new(e.trigger_id.clone(), view);
    let session = client.open_session(&state.token);
    if let Err(err) = retry::with_retry("views.open", verdict, || session.views_open(&req)).await {
        warn!(error = %err, "views.open failed");
    }
}

/// The modal's submission: submitted to the engine before returning (so it keeps its place in
/// the order); the feedback is delivered afterwards, by `chat.postEphemeral`.
async fn on_view_submission(
    client: &std::sync::Arc<SlackHyperClient>,
    state: &State,
    e: SlackInteractionViewSubmissionEvent,
) {
    let SlackView::Modal(modal) = &e.view.view else {
        return;
    };
    if modal.callback_id.as_ref().map(|c| c.0.as_str()) != Some(ANSWER_VIEW) {
        return;
    }
    let meta = modal.private_metadata.clone().unwrap_or_default();
    let mut parts = meta.split(' ');
    let (Some(post), Some(channel), team) = (
        parts.next().and_then(|p| p.parse().ok()).map(PostId),
        parts.next(),
        parts.next(),
    ) else {
        return;
    };
    let text = e
        .view
        .state_params
        .state
        .as_ref()
        .and_then(|s| s.values.get(&ANSWER_INPUT.into()))
        .and_then(|block| block.get(&ANSWER_INPUT.into()))
        .and_then(|v| v.value.clone())
        .unwrap_or_default();
    let user = e.user.id.to_string();
    let name = display_name(client, state, &user).await;
    let event = Inbound::PrivateAnswer {
        // A new modal has a new view id; a redelivered submission has the same id and hash.
        id: format!(
            "view:{}:{}",
            e.view.state_params.id, e.view.state_params.hash
        ),
        channel: ChannelRef {
            platform: PLATFORM.into(),
            id: channel.to_string(),
            workspace: team.map(str::to_string),
        },
        post,
        actor: Actor {
            id: user,
            name,
            is_bot: false,
            can_manage: false,
        },
        text,
    };
    match state.engine.submit(event).await {
        Ok(pending) => {
            let (client, state) = (client.clone(), state.clone());
            tokio::spawn(async move {
                match pending.outcome().await {
                    Ok(actions) => deliver(&client, &state, actions).await,
                    Err(err) => error!(error = %err, "Slack private answer failed"),
                }
            });
        }
        Err(err) => error!(error = %err, "Slack private answer failed"),
    }
}
