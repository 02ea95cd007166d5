//! Re-delivering posts after a crash without posting them twice.
//!
//! Posting a question on Slack is one call (`chat.postMessage`) followed by recording its `ts`
//! ([`Engine::attach`]). A process that stops between the two leaves a post that
//! [`Engine::undelivered`] offers again at the next start; posted blindly, the channel would
//! show the question twice. Slack has no idempotency key for `chat.postMessage`, so every
//! question carries message metadata naming its post ([`question_metadata`]:
//! `event_type` [`QUESTION_EVENT`], `event_payload.post`), and before re-delivering a post the
//! adapter reads the channel's recent history (`conversations.history` with
//! `include_all_metadata`, the newest [`HISTORY_LIMIT`] messages) for a message of ours with
//! that metadata; when there is one, that message is recorded as the post's and nothing is
//! posted. When the history cannot be read the post is delivered anyway: a question shown
//! twice is better than one never shown.

use std::collections::HashMap;

use slack_morphism::prelude::*;
use tracing::{info, warn};

use super::{catchup::with_retry_after, join_id, State};
use crate::engine::Outbound;
use crate::store::PostId;

/// The metadata `event_type` on every question the bot posts.
pub const QUESTION_EVENT: &str = "interview_bot_question";

/// How many of a channel's newest messages are searched for an already posted question (one
/// page of `conversations.history`, whose maximum is 1,000; a restart comes soon after the
/// crash, so the question is among the newest).
pub const HISTORY_LIMIT: u16 = 200;

/// The metadata naming `post`, attached to its question message.
pub fn question_metadata(post: PostId) -> SlackMessageMetadata {
    SlackMessageMetadata::new(QUESTION_EVENT.into())
        .with_event_payload(HashMap::from([("post".to_string(), post.to_string())]))
}

/// Of `pending` (from [`crate::engine::Engine::undelivered`]), attaches the questions already
/// in their channel and returns the actions still to deliver, in order.
pub(super) async fn skip_posted(
    client: &SlackHyperClient,
    state: &State,
    pending: Vec<Outbound>,
) -> Vec<Outbound> {
    let session = client.open_session(&state.token);
    let mut out = Vec::with_capacity(pending.len());
    for action in pending {
        let Outbound::PostQuestion { channel, card, .. } = &action else {
            out.push(action);
            continue;
        };
        if channel.platform != super::PLATFORM {
            out.push(action);
            continue;
        }
        let req = SlackApiConversationsHistoryRequest::new()
            .with_channel(channel.id.clone().into())
            .with_limit(HISTORY_LIMIT)
            .with_include_all_metadata(true);
        let history = match with_retry_after("conversations.history", || {
            session.conversations_history(&req)
        })
        .await
        {
            Ok(h) => h,
            Err(e) => {
                warn!(error = %e, post = %card.post, "could not read the channel to check for an earlier post; posting");
                out.push(action);
                continue;
            }
        };
        let post = card.post.to_string();
        let found = history.messages.iter().find(|m| {
            m.content.metadata.as_ref().is_some_and(|md| {
                md.event_type == QUESTION_EVENT
                    && md
                        .event_payload
                        .as_ref()
                        .and_then(|p| p.get("post"))
                        .is_some_and(|p| *p == post)
            })
        });
        match found {
            Some(m) => {
                let id = join_id(channel.id.as_str(), m.origin.ts.0.as_str());
                match state.engine.attach(card.post, &id, &id).await {
                    Ok(()) => {
                        info!(post = %card.post, "question already posted before a restart; recorded, not posted again")
                    }
                    Err(e) => {
                        warn!(error = %e, post = %card.post, "could not record an earlier post")
                    }
                }
            }
            None => out.push(action),
        }
    }
    out
}
