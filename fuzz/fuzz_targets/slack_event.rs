//! The Slack adapter's mapping from an Events API event body (JSON, as Socket Mode delivers it)
//! to an engine event, on any JSON slack-morphism accepts: never panics, and the ids it builds
//! are `CHANNEL:TS`.
#![no_main]

use interview_bot::engine::Inbound;
use interview_bot::platform::slack;
use libfuzzer_sys::fuzz_target;
use slack_morphism::prelude::SlackEventCallbackBody;

fuzz_target!(|data: &[u8]| {
    let [bot, json @ ..] = data else {
        return;
    };
    let Ok(body) = serde_json::from_slice::<SlackEventCallbackBody>(json) else {
        return;
    };
    let bot_user = (bot % 2 == 1).then_some("UBOT");
    if let Some(inbound) = slack::inbound_event(&body, bot_user) {
        let message = match &inbound {
            Inbound::Message { message, .. }
            | Inbound::MessageEdited { message, .. }
            | Inbound::MessageDeleted { message, .. }
            | Inbound::ReactionAdded { message, .. }
            | Inbound::ReactionRemoved { message, .. } => message,
            other => panic!("a Slack event became {other:?}"),
        };
        assert!(message.contains(':'), "{message}");
    }
});
