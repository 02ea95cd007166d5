//! Message components and modals on the fake Discord (blind answers): a member pressing a
//! button on a message (`INTERACTION_CREATE` of type 3, MESSAGE_COMPONENT) and submitting a
//! modal (type 5, MODAL_SUBMIT), with the interaction callbacks the bot answered them with
//! (`POST /interactions/{id}/{token}/callback`: type 9 opens a modal, type 4 is a message,
//! flag 64 makes it ephemeral). Payload shapes follow Discord's API documentation (v10,
//! "Interactions: Receiving and Responding", "Message Components"). The button and the input
//! rows of the bot's own messages are in the recorded bodies of `POST /channels/{c}/messages`.
#![allow(dead_code)]

use serde_json::{json, Value};

use super::fake_discord::{self as fake, Call, FakeDiscord, BOT, CHANNEL, GUILD};

/// Interaction callback type 4: a message in response.
pub const CHANNEL_MESSAGE: u64 = 4;
/// Interaction callback type 9: open a modal.
pub const MODAL: u64 = 9;
/// Message flag 64: only the member who interacted sees it.
pub const EPHEMERAL: u64 = 64;

/// What every interaction payload carries (serenity requires these fields).
fn base(id: u64, kind: u64, who: Value, channel: u64, data: Value) -> Value {
    json!({
        "id": id.to_string(), "application_id": BOT.to_string(), "type": kind, "data": data,
        "guild_id": GUILD.to_string(), "channel_id": channel.to_string(),
        "channel": {"id": channel.to_string(), "type": if channel == CHANNEL { 0 } else { 11 }},
        "member": who, "token": format!("token-{id}"), "version": 1,
        "app_permissions": "2248473465835073", "locale": "en-US", "guild_locale": "en-US",
        "entitlements": [], "authorizing_integration_owners": {"0": GUILD.to_string()},
        "context": 0, "attachment_size_limit": 8388608
    })
}

impl FakeDiscord {
    /// `member` (a [`fake::member`] object) presses the button `custom_id` on the bot's
    /// message `message` in `channel`; returns the interaction id.
    pub fn press_button(&self, member: Value, channel: u64, message: u64, custom_id: &str) -> u64 {
        let id = self.id();
        let mut payload = base(
            id,
            3,
            member,
            channel,
            json!({"custom_id": custom_id, "component_type": 2}),
        );
        payload["message"] =
            fake::message(message, channel, fake::user(BOT, "interview-bot", true), "");
        self.dispatch("INTERACTION_CREATE", payload);
        id
    }

    /// `member` submits the modal `custom_id` with one text input per `(input custom id,
    /// value)`; returns the interaction id.
    pub fn modal_submit(
        &self,
        member: Value,
        channel: u64,
        custom_id: &str,
        inputs: &[(&str, &str)],
    ) -> u64 {
        let id = self.id();
        let rows: Vec<Value> = inputs
            .iter()
            .map(|(input, value)| {
                json!({"type": 1, "components": [{"type": 4, "custom_id": input, "value": value}]})
            })
            .collect();
        let payload = base(
            id,
            5,
            member,
            channel,
            json!({"custom_id": custom_id, "components": rows}),
        );
        self.dispatch("INTERACTION_CREATE", payload);
        id
    }

    /// Waits for the bot's callback to interaction `id` and returns its body
    /// (`{"type": .., "data": ..}`).
    pub async fn callback(&self, id: u64) -> Value {
        let path = format!("/interactions/{id}/token-{id}/callback");
        let calls = self
            .wait_for(&format!("the callback of interaction {id}"), |c| {
                c.iter().any(|c| c.path.ends_with(&path))
            })
            .await;
        callback_of(&calls, id).expect("waited for it")
    }
}

/// The callback body of interaction `id` among `calls`, if it was answered.
pub fn callback_of(calls: &[Call], id: u64) -> Option<Value> {
    let path = format!("/interactions/{id}/token-{id}/callback");
    calls
        .iter()
        .find(|c| c.method == "POST" && c.path.ends_with(&path))
        .map(|c| c.body.clone())
}
