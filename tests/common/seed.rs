//! Seeds answered questions through the engine, as an adapter would, for tests that then drive
//! a platform through its fake: the question is asked and attached to `message`/`thread`, the
//! answer (the question's reference answer, mechanism-level) is written with `write` (into the
//! fake's history, so the adapter's catch-up finds it there) and handed to the engine.
#![allow(dead_code)]

use interview_bot::bank::Tier;
use interview_bot::engine::{Actor, ChannelRef, Command, Engine, Inbound, Outbound};

/// A member who may not manage.
pub fn actor(id: &str, name: &str) -> Actor {
    Actor {
        id: id.into(),
        name: name.into(),
        is_bot: false,
        can_manage: false,
    }
}

/// Asks a senior GIL question as `who` on `channel`, attaches it to `(message, thread)`, and
/// answers it: `write(thread, text)` stores the answer on the platform and returns its
/// message id.
pub async fn answered_question(
    engine: &Engine,
    channel: &ChannelRef,
    who: &Actor,
    (message, thread): (&str, &str),
    write: impl FnOnce(&str, &str) -> String,
) {
    let out = engine
        .handle(Inbound::Command {
            id: format!("seed-{message}"),
            channel: channel.clone(),
            thread: None,
            actor: who.clone(),
            command: Command::Ask {
                topic: Some("gil".into()),
                tier: Some(Tier::Senior),
                blind: false,
            },
        })
        .await
        .unwrap();
    let Some(Outbound::PostQuestion { card, .. }) = out.first() else {
        panic!("{out:?}")
    };
    engine.attach(card.post, message, thread).await.unwrap();
    let text = engine
        .bank()
        .question(&card.question_id)
        .unwrap()
        .reference_answer
        .clone();
    let id = write(thread, &text);
    engine
        .handle(Inbound::Message {
            channel: channel.clone(),
            thread: thread.into(),
            message: id,
            actor: who.clone(),
            text,
        })
        .await
        .unwrap();
}
