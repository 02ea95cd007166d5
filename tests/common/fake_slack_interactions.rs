//! Interactivity on the fake Slack (blind answers): a member pressing a Block Kit button
//! (`block_actions`) and submitting a modal (`view_submission`), both delivered over Socket Mode
//! as `interactive` envelopes, and the answer to `views.open` (the opened view with the `id`,
//! `team_id`, `hash` and `state` Slack adds). Payload shapes follow Slack's API documentation
//! ("Handling user interaction", "Reference: interaction payloads", "views.open").
#![allow(dead_code)]

use serde_json::{json, Value};

use super::fake_slack::{FakeSlack, CHANNEL};

/// `views.open`'s answer: the requested `view` as Slack returns it, with a view id made from
/// `ts` (unique per call).
pub fn opened(view: &Value, ts: &str) -> Value {
    let mut view = view.clone();
    view["id"] = json!(format!("V{}", ts.replace('.', "")));
    view["team_id"] = json!("T1");
    view["hash"] = json!(format!("h{ts}"));
    view["state"] = json!({"values": {}});
    json!({"ok": true, "view": view})
}

impl FakeSlack {
    /// `user` presses the button `action_id` (with `value`) on the message `message_ts` in the
    /// study-group channel; returns the envelope id.
    pub fn press_button(
        &self,
        user: &str,
        message_ts: &str,
        action_id: &str,
        value: &str,
    ) -> String {
        self.envelope(
            "interactive",
            json!({
                "type": "block_actions", "team": {"id": "T1", "domain": "study"},
                "user": {"id": user, "username": user.to_lowercase(), "team_id": "T1"},
                "api_app_id": "A1", "token": "x",
                "container": {"type": "message", "message_ts": message_ts, "channel_id": CHANNEL,
                              "is_ephemeral": false},
                "trigger_id": format!("trigger-{user}-{message_ts}"),
                "channel": {"id": CHANNEL, "name": "study-group"},
                "response_url": "https://hooks.slack.invalid/actions/x",
                "actions": [{"type": "button", "action_id": action_id, "block_id": "b1",
                             "text": {"type": "plain_text", "text": "Answer"}, "value": value,
                             "action_ts": "1772440500.000001"}]
            }),
            0,
        )
    }

    /// `user` submits the `n`-th opened view with `value` in its input (`block_id` and
    /// `action_id` both `input`); returns the envelope id.
    pub fn submit_view(&self, user: &str, n: usize, input: &str, value: &str) -> String {
        let requested = self.opened_views()[n].clone();
        let mut view = opened(&requested, &format!("{n}.0"))["view"].clone();
        view["state"] =
            json!({"values": {input: {input: {"type": "plain_text_input", "value": value}}}});
        self.envelope(
            "interactive",
            json!({
                "type": "view_submission", "team": {"id": "T1", "domain": "study"},
                "user": {"id": user, "username": user.to_lowercase(), "team_id": "T1"},
                "api_app_id": "A1", "token": "x", "trigger_id": format!("trigger-submit-{user}-{n}"),
                "view": view
            }),
            0,
        )
    }
}
