//! Catch-up after downtime on Discord: on READY and RESUMED, each open post's thread is read
//! back with `GET /channels/{thread}/messages?after=` (100 a page, oldest page first, up to
//! [`MAX_MESSAGES_PER_POST`]) and the users of each vote reaction with
//! `GET /channels/{thread}/messages/{message}/reactions/{emoji}` (100 a page), then handed to
//! [`Engine::catch_up`]. In production serenity's rate limiter paces these calls (it is only
//! disabled when a REST proxy is configured, which then owns the limits).

use chrono::{DateTime, Utc};
use poise::serenity_prelude::{GetMessages, Message, MessageType, Timestamp, User};

use super::*;
use crate::engine::catchup::{
    OpenThread, SeenMessage, SeenVoters, ThreadSnapshot, MAX_MESSAGES_PER_POST,
};

/// Messages (and reaction users) per page: Discord's maximum for both routes.
const PAGE: u8 = 100;

fn time_of(t: &Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), 0).unwrap_or_default()
}

fn actor_of(user: &User, bot: UserId) -> Actor {
    Actor {
        id: user.id.to_string(),
        name: user
            .global_name
            .clone()
            .unwrap_or_else(|| user.name.clone()),
        is_bot: user.bot || user.id == bot,
        can_manage: false,
    }
}

/// Reads every open Discord post's thread and applies it; delivers what the engine returns.
/// Failures are logged per thread (that thread is caught up at the next connect). Ends with
/// [`Engine::caught_up`], so posts held back for the catch-up close at the next tick.
pub async fn catch_up(http: &Http, engine: &Engine, bot: UserId) {
    engine
        .catch_up_pass(
            PLATFORM,
            |t| async move { read_thread(http, engine, &t, bot).await },
            |actions| deliver(http, engine, actions),
        )
        .await;
}

async fn read_thread(
    http: &Http,
    engine: &Engine,
    open: &OpenThread,
    bot: UserId,
) -> Result<Option<ThreadSnapshot>, Error> {
    let thread = open.thread.as_str();
    let Some(thread_id) = thread.parse::<u64>().ok().filter(|&n| n != 0) else {
        return Ok(None);
    };
    let thread_channel = ChannelId::new(thread_id);
    // Every message of a thread is newer than the thread itself.
    let mut after = MessageId::new(thread_id);
    let mut read: Vec<Message> = Vec::new();
    let mut complete = true;
    loop {
        let page = thread_channel
            .messages(http, GetMessages::new().after(after).limit(PAGE))
            .await?;
        let full = page.len() == usize::from(PAGE);
        match page.iter().map(|m| m.id).max() {
            Some(newest) => after = newest,
            None => break,
        }
        read.extend(page);
        if !full {
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
        if !matches!(m.kind, MessageType::Regular | MessageType::InlineReply) {
            continue;
        }
        let author = actor_of(&m.author, bot);
        let votes = if author.is_bot {
            None
        } else {
            voters(http, engine, thread_channel, &m, bot).await
        };
        messages.push(SeenMessage {
            message: m.id.to_string(),
            author,
            text: m.content.clone(),
            at: time_of(&m.timestamp),
            edited_at: m.edited_timestamp.as_ref().map(time_of),
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

/// The users of each vote reaction on `m`; `None` if any page could not be read.
async fn voters(
    http: &Http,
    engine: &Engine,
    thread: ChannelId,
    m: &Message,
    bot: UserId,
) -> Option<Vec<SeenVoters>> {
    let mut seen = Vec::new();
    for r in &m.reactions {
        let emoji = emoji_name(&r.reaction_type);
        if !engine.vote_emoji().contains(&emoji) {
            continue;
        }
        let mut voters = Vec::new();
        let mut after: Option<UserId> = None;
        loop {
            let page = match thread
                .reaction_users(http, m.id, r.reaction_type.clone(), Some(PAGE), after)
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    warn!(error = %e, message = %m.id, "could not read a reaction's users; votes left as they are");
                    return None;
                }
            };
            let full = page.len() == usize::from(PAGE);
            after = page.iter().map(|u| u.id).max();
            voters.extend(page.iter().map(|u| actor_of(u, bot)));
            if !full || after.is_none() {
                break;
            }
        }
        seen.push(SeenVoters { emoji, voters });
    }
    Some(seen)
}
