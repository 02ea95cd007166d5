//! Rendering engine actions with Discord's REST API: questions as embeds with a public thread,
//! thread replies, channel messages, private replies (a DM, since answers are messages, not
//! interactions), reactions and files (message attachments, multipart uploads).
//!
//! Every message goes out with an empty `allowed_mentions` ([`no_pings`]): text the bot sends
//! may quote member-written names and answers, and `@everyone` or `<@id>` in them must never
//! ping. Every REST call is retried on 429 and 5xx ([`crate::platform::retry`]); a message
//! carries a nonce Discord enforces, so a retry after a 5xx that did post it returns that message
//! instead of posting a second one.

use super::*;
use crate::platform::pictures;
use crate::platform::retry::{self, Verdict};
use poise::serenity_prelude::{CreateAllowedMentions, Nonce};

/// An `allowed_mentions` that allows nothing: no `@everyone`/`@here`, no role or user pings,
/// whatever the text contains (Discord API, "Allowed Mentions Object": `{"parse": []}`).
pub fn no_pings() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
}

/// A message with `content`, clipped to Discord's limit, that pings nobody and that Discord
/// de-duplicates by its nonce (a random 64-bit number; nonces are up to 25 characters).
fn message(content: &str) -> CreateMessage {
    CreateMessage::new()
        .content(clip(content))
        .allowed_mentions(no_pings())
        .nonce(Nonce::String(rand::random::<u64>().to_string()))
        .enforce_nonce(true)
}

/// Whether a failed REST call is worth repeating: 429 (reaching here only with serenity's own
/// rate limiter disabled, i.e. behind a REST proxy) and 5xx.
pub(super) fn verdict(e: &serenity::Error) -> Verdict {
    match e {
        serenity::Error::Http(::serenity::http::HttpError::UnsuccessfulRequest(r)) => {
            retry::verdict_for_status(r.status_code.as_u16(), None)
        }
        _ => Verdict::Fail,
    }
}

fn parse_id(s: &str) -> Option<u64> {
    s.parse().ok().filter(|&n| n != 0)
}

/// Where a reply goes: the thread when there is one, else the channel itself.
fn reply_target(channel: &ChannelRef, thread: Option<&str>) -> Option<u64> {
    thread.and_then(parse_id).or_else(|| parse_id(&channel.id))
}

/// Renders the Discord actions among `actions` with Discord's REST API (other platforms'
/// actions are left to their adapters). Failures are logged, never fatal.
pub async fn deliver(http: &Http, engine: &Engine, actions: Vec<Outbound>) {
    let actions: Vec<Outbound> = actions
        .into_iter()
        .filter(|a| a.platform() == PLATFORM)
        .collect();
    for a in pictures::draw_all(actions).await {
        deliver_one(http, engine, a).await;
    }
}

pub(super) async fn deliver_one(http: &Http, engine: &Engine, action: Outbound) {
    let result: Result<(), Error> =
        async {
            match action {
                Outbound::PostQuestion {
                    channel,
                    card,
                    thread_name,
                    ..
                } => {
                    let Some(channel) = parse_id(&channel.id) else {
                        return Ok(());
                    };
                    let embed = CreateEmbed::new()
                    .title(format!(
                        "{} Question #{}",
                        if card.scheduled { "📅 Question of the day ·" } else { "❓" },
                        card.post
                    ))
                    .description(card.prompt.clone())
                    .field("Topic", card.topic_name.clone(), true)
                    .field("Tier", card.tier.to_string(), true)
                    .field(
                        "Closes",
                        format!("<t:{}:R>", card.closes_at.timestamp()),
                        true,
                    )
                    .footer(serenity::CreateEmbedFooter::new(if card.blind {
                        super::blind::BLIND_FOOTER
                    } else {
                        "Answer in the thread: explain how and why, not only what. /hint if stuck."
                    }));
                    // Each step is recorded before the next: a question posted before the
                    // process stopped gets its thread now instead of a second message.
                    let posted = engine
                        .posted_message(card.post)
                        .await?
                        .as_deref()
                        .and_then(parse_id);
                    let message_id = match posted {
                        Some(id) => MessageId::new(id),
                        None => {
                            let mut create = CreateMessage::new()
                                .embed(embed)
                                .allowed_mentions(no_pings())
                                .nonce(Nonce::String(format!("post-{}", card.post)))
                                .enforce_nonce(true);
                            if card.blind {
                                create =
                                    create.components(vec![super::blind::answer_row(card.post)]);
                            }
                            let message = retry::with_retry("send question", verdict, || {
                                ChannelId::new(channel).send_message(http, create.clone())
                            })
                            .await?;
                            engine
                                .record_post_message(card.post, &message.id.to_string())
                                .await?;
                            message.id
                        }
                    };
                    let thread = retry::with_retry("create thread", verdict, || {
                        ChannelId::new(channel).create_thread_from_message(
                            http,
                            message_id,
                            CreateThread::new(thread_name.clone())
                                .auto_archive_duration(AutoArchiveDuration::OneDay),
                        )
                    })
                    .await?;
                    engine
                        .attach(card.post, &message_id.to_string(), &thread.id.to_string())
                        .await?;
                }
                Outbound::ThreadReply {
                    channel,
                    thread,
                    text,
                    ..
                } => {
                    if let Some(t) = reply_target(&channel, thread.as_deref()) {
                        let m = message(&text);
                        retry::with_retry("thread reply", verdict, || {
                            ChannelId::new(t).send_message(http, m.clone())
                        })
                        .await?;
                    }
                }
                Outbound::RevealAnswer {
                    channel,
                    thread,
                    answer,
                    text,
                    ..
                } => {
                    // Recorded at once, so that 👍 on the revealed answer counts for its author.
                    if let Some(t) = reply_target(&channel, thread.as_deref()) {
                        let m = message(&text);
                        let sent = retry::with_retry("reveal answer", verdict, || {
                            ChannelId::new(t).send_message(http, m.clone())
                        })
                        .await?;
                        engine.attach_revealed(answer, &sent.id.to_string()).await?;
                    }
                }
                Outbound::ChannelMessage { channel, text } => {
                    if let Some(c) = parse_id(&channel.id) {
                        let m = message(&text);
                        retry::with_retry("channel message", verdict, || {
                            ChannelId::new(c).send_message(http, m.clone())
                        })
                        .await?;
                    }
                }
                Outbound::Private { user, text, .. } => {
                    if let Some(u) = parse_id(&user) {
                        let m = message(&text);
                        retry::with_retry("direct message", verdict, || {
                            UserId::new(u).direct_message(http, m.clone())
                        })
                        .await?;
                    }
                }
                Outbound::File {
                    channel,
                    thread,
                    user,
                    file,
                    text,
                } => deliver_file(http, (&channel, thread, user), file, &text).await?,
                // Every caller passes actions through `pictures::draw_all` first.
                Outbound::Picture { .. } => warn!("an undrawn picture reached delivery; skipped"),
                Outbound::React {
                    channel,
                    message,
                    emoji,
                } => {
                    if let (Some(c), Some(m)) = (parse_id(&channel.id), parse_id(&message)) {
                        // Adding a reaction is idempotent (PUT), so a repeat never doubles it.
                        retry::with_retry("add reaction", verdict, || {
                            ChannelId::new(c).create_reaction(
                                http,
                                MessageId::new(m),
                                ReactionType::Unicode(emoji.clone()),
                            )
                        })
                        .await?;
                    }
                }
            }
            Ok(())
        }
        .await;
    if let Err(e) = result {
        warn!(error = %e, "a Discord call failed");
    }
}

/// A file with its text: to a DM when private (outside an interaction, whose own reply is
/// ephemeral: see `run_command`), else to the thread or channel; when the channel refuses the
/// attachment (no Attach Files) the text still goes.
async fn deliver_file(
    http: &Http,
    (channel, thread, user): (&ChannelRef, Option<String>, Option<String>),
    file: crate::engine::Attachment,
    text: &str,
) -> Result<(), Error> {
    let message = CreateMessage::new()
        .content(clip(text))
        .add_file(CreateAttachment::bytes(file.bytes, file.name));
    if let Some(u) = user {
        if let Some(u) = parse_id(&u) {
            UserId::new(u).direct_message(http, message).await?;
        }
        return Ok(());
    }
    if let Some(t) = reply_target(channel, thread.as_deref()) {
        let channel = ChannelId::new(t);
        if let Err(e) = channel.send_message(http, message).await {
            warn!(error = %e, "a Discord attachment failed; sending the text");
            let text = CreateMessage::new().content(clip(text));
            channel.send_message(http, text).await?;
        }
    }
    Ok(())
}

/// Sends an interaction reply (the first response or a follow-up, as poise decides), retried
/// on 429 and 5xx like every other call ([`retry::with_retry`]), so a short outage does not
/// drop a member's feedback.
pub(super) async fn reply(ctx: Context<'_>, reply: poise::CreateReply) -> Result<(), Error> {
    retry::with_retry("interaction reply", verdict, || ctx.send(reply.clone())).await?;
    Ok(())
}
