//! Catch-up after downtime on Slack: on every Socket Mode `hello` (first connection and each
//! reconnect), each open post's thread is read back with `conversations.replies` (`oldest` =
//! the question's `ts`, 200 a page, following `next_cursor`, up to [`MAX_MESSAGES_PER_POST`]).
//! A message's vote reactions come with it; when Slack lists fewer users than a reaction's
//! count (history responses may truncate the list), `reactions.get` with `full` gives them all.
//! A call answered with HTTP 429 is retried after its `Retry-After` (at most
//! [`RATE_LIMIT_RETRIES`] times).

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::*;
use crate::engine::catchup::{
    OpenThread, SeenMessage, SeenVoters, ThreadSnapshot, MAX_MESSAGES_PER_POST,
};
use slack_morphism::errors::SlackClientError;

/// Messages per `conversations.replies` page (Slack recommends no more than 200).
const PAGE: u16 = 200;

/// Times a rate-limited call is retried before the thread is left for the next connect.
pub const RATE_LIMIT_RETRIES: usize = 3;

/// The wait when a 429 carries no `Retry-After` (Slack always sends one; this is a fallback),
/// and the longest wait honoured.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The Socket Mode `hello` callback: starts a catch-up pass beside the listener. (Generic over
/// the event, whose type slack-morphism does not export by name.)
pub(super) async fn on_hello<Hello: Send>(
    _event: Hello,
    client: Arc<SlackHyperClient>,
    states: SlackClientEventsUserState,
) {
    if let Some(state) = state_of(&states).await {
        state
            .connected
            .store(true, std::sync::atomic::Ordering::SeqCst);
        tokio::spawn(async move { catch_up(&client, &state).await });
    }
}

/// Calls `call` again after Slack's `Retry-After` while it is rate limited.
pub(super) async fn with_retry_after<T, F, Fut>(what: &str, mut call: F) -> ClientResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ClientResult<T>>,
{
    let mut retries = 0;
    loop {
        match call().await {
            Err(SlackClientError::RateLimitError(e)) if retries < RATE_LIMIT_RETRIES => {
                retries += 1;
                let wait = e
                    .retry_after
                    .unwrap_or(DEFAULT_RETRY_AFTER)
                    .min(MAX_RETRY_AFTER);
                warn!(
                    call = what,
                    ?wait,
                    retries,
                    "rate limited by Slack; waiting"
                );
                tokio::time::sleep(wait).await;
            }
            other => return other,
        }
    }
}

/// A Slack `ts` ("1772440123.000100": seconds and microseconds) as a time.
pub fn time_of_ts(ts: &str) -> Option<DateTime<Utc>> {
    let (secs, frac) = ts.split_once('.').unwrap_or((ts, "0"));
    let micros: u32 = format!("{frac:0<6}").get(..6)?.parse().ok()?;
    DateTime::from_timestamp(secs.parse().ok()?, micros * 1_000)
}

/// Reads every open Slack post's thread and applies it; delivers what the engine returns.
/// Failures are logged per thread (that thread is caught up at the next connect). Ends with
/// [`Engine::caught_up`].
pub(super) async fn catch_up(client: &SlackHyperClient, state: &State) {
    state
        .engine
        .catch_up_pass(
            PLATFORM,
            |t| async move { read_thread(client, state, &t).await },
            |actions| deliver(client, state, actions),
        )
        .await;
}

async fn read_thread(
    client: &SlackHyperClient,
    state: &State,
    open: &OpenThread,
) -> ClientResult<Option<ThreadSnapshot>> {
    let thread = open.thread.as_str();
    let Some((channel_id, thread_ts)) = split_id(thread) else {
        return Ok(None);
    };
    let session = client.open_session(&state.token);
    let first = SlackApiConversationsRepliesRequest::new(
        channel_id.to_string().into(),
        thread_ts.to_string().into(),
    )
    .with_oldest(thread_ts.to_string().into())
    .with_limit(PAGE);
    let mut read = Vec::new();
    let mut cursor: Option<SlackCursorId> = None;
    let mut complete = true;
    loop {
        let req = match &cursor {
            Some(c) => first.clone().with_cursor(c.clone()),
            None => first.clone(),
        };
        let page = with_retry_after("conversations.replies", || {
            session.conversations_replies(&req)
        })
        .await?;
        read.extend(page.messages);
        cursor = page
            .response_metadata
            .and_then(|m| m.next_cursor)
            .filter(|c| !c.0.is_empty());
        if cursor.is_none() {
            break;
        }
        if read.len() >= MAX_MESSAGES_PER_POST {
            complete = false;
            warn!(
                thread,
                read = read.len(),
                "catch-up read limit reached; older answers are kept as they are"
            );
            break;
        }
    }
    let mut messages = Vec::new();
    for m in read {
        let ts = m.origin.ts.to_string();
        let answer_like = matches!(
            m.subtype,
            None | Some(SlackMessageEventType::ThreadBroadcast)
        );
        let Some(user) = m.sender.user.as_ref().map(|u| u.to_string()) else {
            continue;
        };
        if ts == thread_ts || !answer_like {
            continue;
        }
        let is_bot = m.sender.bot_id.is_some() || state.bot_user.as_deref() == Some(user.as_str());
        let name = if is_bot {
            user.clone()
        } else {
            display_name(client, state, &user).await
        };
        let votes = if is_bot {
            None
        } else {
            voters(
                client,
                state,
                channel_id,
                &ts,
                m.content.reactions.as_deref(),
            )
            .await
        };
        messages.push(SeenMessage {
            message: join_id(channel_id, &ts),
            author: Actor {
                id: user,
                name,
                is_bot,
                can_manage: false,
            },
            text: m.content.text.clone().unwrap_or_default(),
            at: time_of_ts(&ts).unwrap_or_default(),
            edited_at: m.edited.as_ref().and_then(|e| time_of_ts(e.ts.as_ref())),
            votes,
        });
    }
    Ok(Some(ThreadSnapshot {
        channel: open.channel.clone(),
        thread: thread.to_string(),
        messages,
        complete,
        known_answers: open.answers.clone(),
    }))
}

/// The users of each vote reaction on a message: from the history listing when it names them
/// all, else from `reactions.get` (`full`); `None` if that call failed.
async fn voters(
    client: &SlackHyperClient,
    state: &State,
    channel: &str,
    ts: &str,
    listed: Option<&[SlackReaction]>,
) -> Option<Vec<SeenVoters>> {
    let is_vote = |r: &SlackReaction| state.engine.vote_emoji().contains(&r.name.0);
    let listed = listed.unwrap_or_default();
    let truncated = listed.iter().any(|r| is_vote(r) && r.users.len() < r.count);
    let full;
    let reactions: &[SlackReaction] = if truncated {
        let session = client.open_session(&state.token);
        let req = SlackApiReactionsGetRequest::new()
            .with_channel(channel.to_string().into())
            .with_timestamp(ts.to_string().into())
            .with_full(true);
        match with_retry_after("reactions.get", || session.reactions_get(&req)).await {
            Ok(SlackApiReactionsGetResponse::Message(r)) => {
                full = r.message.content.reactions.unwrap_or_default();
                &full
            }
            Ok(_) => return None,
            Err(e) => {
                warn!(error = %e, "reactions.get failed; votes left as they are");
                return None;
            }
        }
    } else {
        listed
    };
    Some(
        reactions
            .iter()
            .filter(|r| is_vote(r))
            .map(|r| SeenVoters {
                emoji: r.name.0.clone(),
                voters: r
                    .users
                    .iter()
                    .map(|u| Actor {
                        id: u.to_string(),
                        name: u.to_string(),
                        is_bot: state.bot_user.as_deref() == Some(u.0.as_str()),
                        can_manage: false,
                    })
                    .collect(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::time_of_ts;

    #[test]
    fn a_slack_ts_is_seconds_and_microseconds() {
        let t = time_of_ts("1772440123.000100").unwrap();
        assert_eq!(t.timestamp(), 1_772_440_123);
        assert_eq!(t.timestamp_subsec_micros(), 100);
        assert_eq!(time_of_ts("12"), chrono::DateTime::from_timestamp(12, 0));
        assert_eq!(time_of_ts("x.1"), None);
    }
}
