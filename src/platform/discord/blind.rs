//! Blind answers on Discord: a blind question's message carries an **Answer** button (a message
//! component, custom id `blind-answer:<post>`); pressing it opens a modal (interaction response
//! type 9) with one long text input, prefilled with the member's current answer; the modal's
//! submission becomes an [`Inbound::PrivateAnswer`] and the feedback is the interaction's
//! ephemeral response (type 4, flag 64): one call, exempt from the global rate limit, unlike a
//! DM. (Discord API, "Interactions: Receiving and Responding" and "Message Components".)

use poise::serenity_prelude::{
    ActionRowComponent, ButtonStyle, ComponentInteraction, CreateActionRow, CreateButton,
    CreateInputText, CreateInteractionResponse, CreateInteractionResponseMessage, CreateModal,
    InputTextStyle, Interaction, ModalInteraction,
};

use super::deliver::{deliver_one, no_pings};
use super::{clip, Actor, ChannelRef, Engine, Http, Inbound, Outbound, PLATFORM};
use crate::engine::AnswerForm;
use crate::store::PostId;
use tracing::{error, warn};

/// The Answer button's custom id prefix (`blind-answer:<post>`); the modal's custom id is the
/// same, so its submission names the post.
pub const ANSWER_BUTTON: &str = "blind-answer";

/// The custom id of the modal's text input.
const ANSWER_INPUT: &str = "answer";

/// A text input holds at most 4,000 characters, its prefilled value too (Discord API, "Text
/// Inputs": `max_length` 1–4000, `value` up to 4000).
const INPUT_MAX_CHARS: u16 = 4000;

/// A text input's placeholder holds at most 100 characters (same page).
const PLACEHOLDER_MAX_CHARS: usize = 100;

/// The embed footer of a blind question.
pub const BLIND_FOOTER: &str =
    "Blind: press Answer to answer privately; every answer is revealed in the thread at the close.";

/// The action row with a blind post's Answer button.
pub fn answer_row(post: PostId) -> CreateActionRow {
    CreateActionRow::Buttons(vec![CreateButton::new(format!("{ANSWER_BUTTON}:{post}"))
        .label("Answer")
        .emoji('✍')
        .style(ButtonStyle::Primary)])
}

/// The post named by an Answer button's or modal's custom id.
fn post_of(custom_id: &str) -> Option<PostId> {
    let n = custom_id.strip_prefix(ANSWER_BUTTON)?.strip_prefix(':')?;
    n.parse().ok().map(PostId)
}

/// `text` cut to `n` characters.
fn cut(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}

/// Handles the interactions of blind answers (the Answer button, its modal); other
/// interactions (slash commands, autocomplete: poise's) are left alone. Failures are logged.
pub(super) async fn on_interaction(http: &Http, engine: &Engine, interaction: &Interaction) {
    let result = match interaction {
        Interaction::Component(c) if post_of(&c.data.custom_id).is_some() => {
            on_button(http, engine, c).await
        }
        Interaction::Modal(m) if post_of(&m.data.custom_id).is_some() => {
            on_modal_submit(http, engine, m).await
        }
        _ => Ok(()),
    };
    if let Err(e) = result {
        warn!(error = %e, "a blind-answer interaction failed");
    }
}

/// An ephemeral interaction response (type 4 with flag 64) that pings nobody.
fn ephemeral(text: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(clip(text))
            .allowed_mentions(no_pings())
            .ephemeral(true),
    )
}

/// The Answer button: the modal (prefilled with the member's current answer) while the post is
/// open, else an ephemeral note saying why not.
async fn on_button(
    http: &Http,
    engine: &Engine,
    c: &ComponentInteraction,
) -> Result<(), poise::serenity_prelude::Error> {
    let Some(post) = post_of(&c.data.custom_id) else {
        return Ok(());
    };
    let response = match engine
        .answer_form(PLATFORM, post, &c.user.id.to_string())
        .await
    {
        Ok(AnswerForm::Open {
            post,
            prompt,
            current,
        }) => {
            let mut input = CreateInputText::new(
                InputTextStyle::Paragraph,
                "Your answer: how and why, not only what",
                ANSWER_INPUT,
            )
            .max_length(INPUT_MAX_CHARS)
            .placeholder(cut(&prompt, PLACEHOLDER_MAX_CHARS));
            if let Some(current) = current {
                input = input.value(cut(&current, usize::from(INPUT_MAX_CHARS)));
            }
            CreateInteractionResponse::Modal(
                CreateModal::new(
                    format!("{ANSWER_BUTTON}:{post}"),
                    format!("Question #{post} (blind)"),
                )
                .components(vec![CreateActionRow::InputText(input)]),
            )
        }
        Ok(AnswerForm::Refused(text)) => ephemeral(&text),
        Err(e) => {
            error!(error = %e, "answer form failed");
            ephemeral("Sorry, something went wrong on my side. Please try again in a minute.")
        }
    };
    c.create_response(http, response).await
}

/// The modal's submission: scored by the engine; the member's feedback is the ephemeral
/// response, anything else is delivered as usual.
async fn on_modal_submit(
    http: &Http,
    engine: &Engine,
    m: &ModalInteraction,
) -> Result<(), poise::serenity_prelude::Error> {
    let Some(post) = post_of(&m.data.custom_id) else {
        return Ok(());
    };
    let text = m
        .data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|c| match c {
            ActionRowComponent::InputText(t) if t.custom_id == ANSWER_INPUT => t.value.clone(),
            _ => None,
        })
        .unwrap_or_default();
    let user = m.user.id.to_string();
    let event = Inbound::PrivateAnswer {
        id: m.id.to_string(),
        channel: ChannelRef {
            platform: PLATFORM.into(),
            id: m.channel_id.to_string(),
            workspace: m.guild_id.map(|g| g.to_string()),
        },
        post,
        actor: Actor {
            id: user.clone(),
            name: m
                .user
                .global_name
                .clone()
                .unwrap_or_else(|| m.user.name.clone()),
            is_bot: m.user.bot,
            can_manage: false,
        },
        text,
    };
    let mut reply = None;
    match engine.handle(event).await {
        Ok(actions) => {
            for action in actions {
                match action {
                    Outbound::Private { user: u, text, .. } if u == user && reply.is_none() => {
                        reply = Some(text);
                    }
                    other => deliver_one(http, engine, other).await,
                }
            }
        }
        Err(e) => {
            error!(error = %e, "private answer failed");
            reply = Some(
                "Sorry, something went wrong on my side, so your answer was not stored. Please submit it again in a minute.".into(),
            );
        }
    }
    let reply = reply.unwrap_or_else(|| "Received (already applied).".into());
    m.create_response(http, ephemeral(&reply)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_ids_name_the_post() {
        assert_eq!(post_of("blind-answer:42"), Some(PostId(42)));
        assert_eq!(post_of("blind-answer:x"), None);
        assert_eq!(post_of("other:42"), None);
        assert_eq!(post_of("blind-answer42"), None);
    }
}
