//! Pictures are drawn at delivery, by the adapter, not by the engine.
//!
//! The engine answers `/stats` and the weekly post with an [`Outbound::Picture`]: the numbers
//! and a text carrying them. Drawing the PNG (plotters, about 3 ms of CPU for the 800×640
//! `/stats` chart) would otherwise run inside the engine's read and count against its latency
//! (issue 10's 5 ms p99 for `/stats`), and on the async runtime's worker thread. Here every
//! adapter turns pictures into files just before it delivers them, on tokio's blocking pool
//! ([`draw_all`]).

use crate::charts::ChartError;
use crate::engine::{Attachment, Outbound};

/// `action` with a picture drawn: [`Outbound::Picture`] becomes [`Outbound::File`] (a PNG),
/// or, when drawing fails or panics, its text alone ([`Outbound::Private`] when it was for one
/// member, else [`Outbound::ChannelMessage`]). Every other action is returned unchanged.
pub fn draw(action: Outbound) -> Outbound {
    let Outbound::Picture {
        channel,
        thread,
        user,
        picture,
        text,
    } = action
    else {
        return action;
    };
    let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| picture.png()))
        .unwrap_or_else(|_| Err(ChartError::Draw("the drawing code panicked".into())));
    match drawn {
        Ok(bytes) => Outbound::File {
            channel,
            thread,
            user,
            file: Attachment {
                name: picture.file_name().into(),
                mime: "image/png".into(),
                bytes,
            },
            text,
        },
        Err(e) => {
            tracing::warn!(error = %e, picture = picture.file_name(), "a picture could not be drawn; sending its text");
            match user {
                Some(user) => Outbound::Private {
                    channel,
                    thread,
                    user,
                    text,
                },
                None => Outbound::ChannelMessage { channel, text },
            }
        }
    }
}

/// [`draw`] over `actions`, in order, on tokio's blocking pool when there is a picture among
/// them (drawing is CPU work: it must not hold an async worker thread). Without one the
/// actions are returned as they are, with no thread hop.
pub async fn draw_all(actions: Vec<Outbound>) -> Vec<Outbound> {
    if !actions
        .iter()
        .any(|a| matches!(a, Outbound::Picture { .. }))
    {
        return actions;
    }
    // `draw` catches a panic in the drawing code, so the task itself cannot fail; should the
    // runtime refuse it (shutting down), the actions are drawn here instead of being lost.
    let (tx, rx) = tokio::sync::oneshot::channel();
    let kept = std::sync::Arc::new(std::sync::Mutex::new(Some(actions)));
    let theirs = kept.clone();
    let task = tokio::task::spawn_blocking(move || {
        let taken = theirs.lock().map(|mut a| a.take()).unwrap_or(None);
        if let Some(actions) = taken {
            let _ = tx.send(actions.into_iter().map(draw).collect::<Vec<_>>());
        }
    });
    let _ = task.await;
    match rx.await {
        Ok(drawn) => drawn,
        Err(_) => {
            let left = kept.lock().map(|mut a| a.take()).unwrap_or(None);
            left.unwrap_or_default().into_iter().map(draw).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{Picture, TopicScore, WeekPoints};
    use crate::engine::ChannelRef;

    fn channel() -> ChannelRef {
        ChannelRef {
            platform: "console".into(),
            id: "c".into(),
            workspace: None,
        }
    }

    fn stats() -> Outbound {
        Outbound::Picture {
            channel: channel(),
            thread: None,
            user: Some("alice".into()),
            picture: Picture::Stats {
                title: "alice".into(),
                weeks: vec![WeekPoints {
                    label: "W10".into(),
                    points: 12,
                }],
                topics: vec![TopicScore {
                    name: "GIL".into(),
                    score: 70.0,
                }],
            },
            text: "alice: 12 points".into(),
        }
    }

    #[tokio::test]
    async fn draw_all_turns_pictures_into_png_files_in_order() {
        let note = Outbound::ChannelMessage {
            channel: channel(),
            text: "before".into(),
        };
        let drawn = draw_all(vec![note.clone(), stats()]).await;
        assert_eq!(drawn.len(), 2);
        assert_eq!(drawn[0], note);
        match &drawn[1] {
            Outbound::File {
                user, file, text, ..
            } => {
                assert_eq!(user.as_deref(), Some("alice"));
                assert_eq!(file.name, "stats.png");
                assert_eq!(file.mime, "image/png");
                assert!(file.bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
                assert_eq!(text, "alice: 12 points");
            }
            other => panic!("not drawn: {other:?}"),
        }
    }

    #[tokio::test]
    async fn draw_all_without_pictures_returns_the_actions_unchanged() {
        let actions = vec![Outbound::ChannelMessage {
            channel: channel(),
            text: "hello".into(),
        }];
        assert_eq!(draw_all(actions.clone()).await, actions);
    }
}
