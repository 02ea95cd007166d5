//! The production scheduler loop (`app::tick_loop`, what `interview-bot run` runs): a due
//! schedule is posted through it and delivered, and the loop stops when asked (on SQLite, and on
//! PostgreSQL when it is installed).

mod common;

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use interview_bot::app;
use interview_bot::engine::{command, Actor, ChannelRef, Engine, Inbound, Outbound};
use interview_bot::schedule::ManualClock;
use interview_bot::store;
use tokio::sync::{mpsc, oneshot};

#[tokio::test]
async fn the_tick_loop_posts_a_due_schedule_and_stops_when_asked() {
    for db in common::databases("the_tick_loop_posts_a_due_schedule_and_stops_when_asked").await {
        println!(
            "the_tick_loop_posts_a_due_schedule_and_stops_when_asked on {}",
            db.backend
        );
        the_tick_loop_posts_a_due_schedule_and_stops_when_asked_on(&db.url).await;
    }
}

async fn the_tick_loop_posts_a_due_schedule_and_stops_when_asked_on(url: &str) {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap(),
    ));
    let pool = store::open(url).await.unwrap();
    let engine = Arc::new(Engine::new(
        pool,
        common::bank(),
        common::config(),
        clock.clone(),
    ));
    let out = engine
        .handle(Inbound::Command {
            id: "i1".into(),
            channel: ChannelRef::new("test", "general"),
            thread: None,
            actor: Actor {
                id: "u-admin".into(),
                name: "admin".into(),
                is_bot: false,
                can_manage: true,
            },
            command: command::parse("/qotd schedule \"0 9 * * *\" mid").unwrap(),
        })
        .await
        .unwrap();
    assert!(matches!(out[0], Outbound::ChannelMessage { .. }), "{out:?}");
    clock.advance(Duration::hours(1));

    let (delivered, mut batches) = mpsc::unbounded_channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let looping = tokio::spawn({
        let engine = engine.clone();
        async move {
            let deliver = |actions: Vec<Outbound>| {
                let delivered = delivered.clone();
                async move {
                    let _ = delivered.send(actions);
                }
            };
            let stop = async {
                let _ = stopped.await;
            };
            app::tick_loop(&engine, std::time::Duration::from_millis(5), deliver, stop).await;
        }
    });
    // The first tick runs at once and finds the 09:00 run due.
    let first = batches.recv().await.unwrap();
    let posted: Vec<_> = first
        .iter()
        .filter_map(|a| match a {
            Outbound::PostQuestion { card, .. } => Some(card),
            _ => None,
        })
        .collect();
    assert_eq!(posted.len(), 1, "{first:?}");
    assert!(posted[0].scheduled);
    // Later ticks find nothing more to do at the same time: the run was claimed once.
    let second = batches.recv().await.unwrap();
    assert!(second.is_empty(), "{second:?}");
    stop.send(()).unwrap();
    looping.await.unwrap();
}
