//! The Slack adapter (slack-morphism, Socket Mode, so no public URL is needed): slash commands and
//! Events API envelopes become engine [`Inbound`]s; engine [`Outbound`]s become Web API calls
//! (`chat.postMessage` with Block Kit, replies in `thread_ts`, `chat.postEphemeral`,
//! `reactions.add`).
//!
//! Ids: Slack message timestamps are unique per channel only, so the adapter joins them with the
//! channel: a message or thread id is `CHANNEL:TS`. Slash commands are acknowledged at once (an
//! empty ack within Slack's 3 seconds) and the work runs after the ack. Retried events are applied
//! once: commands by `trigger_id`, messages, edits, deletions and reactions by the state they lead
//! to. Who may run `/qotd` and `/reveal`: workspace admins and owners, or members of a configured
//! user group.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use slack_morphism::prelude::*;
use tracing::{error, info, warn};

use crate::engine::{command, Actor, ChannelRef, Engine, Inbound, Outbound};
use crate::platform::retry::{self, Verdict};

mod blind;
mod catchup;
pub use catchup::{time_of_ts, RATE_LIMIT_RETRIES};
mod files;
mod import;
mod question;
mod redeliver;
pub use redeliver::{question_metadata, QUESTION_EVENT};

/// The platform name stored for Slack channels and members.
pub const PLATFORM: &str = "slack";

/// The default Web API base.
pub const DEFAULT_API_URL: &str = "https://slack.com/api";

/// How to reach Slack.
#[derive(Debug, Clone)]
pub struct SlackConfig {
    /// Bot token (`xoxb-...`) for the Web API (never printed: `Debug` shows `[REDACTED]`).
    pub bot_token: SecretString,
    /// App-level token (`xapp-...`) for Socket Mode (never printed).
    pub app_token: SecretString,
    /// Web API base, e.g. `https://slack.com/api` (Slack's government cloud has its own).
    pub api_url: String,
    /// A prefix for command names where `/ask` is taken: with `iv-`, the commands are `/iv-ask`,
    /// `/iv-qotd`, ... (as registered in the app manifest).
    pub command_prefix: String,
    /// Members of this user group (id) may use `/qotd` and `/reveal`, besides admins and owners.
    pub manager_group: Option<String>,
    /// How long to wait before trying Socket Mode again after a failed (re)connection
    /// ([`DEFAULT_RECONNECT_AFTER`] in production; whole seconds, at least 1).
    pub reconnect_after: std::time::Duration,
}

/// slack-morphism's own wait between Socket Mode connection attempts: 30 s.
pub const DEFAULT_RECONNECT_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Clone)]
struct State {
    engine: Arc<Engine>,
    token: SlackApiToken,
    bot_user: Option<String>,
    config: SlackConfig,
    /// User id → display name, from `users.info` (events carry only the id).
    names: Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>,
    /// Whether the Socket Mode connection is up, as far as slack-morphism shows it: set by
    /// every `hello` (a new connection), cleared by a WebSocket error (an abrupt drop, which
    /// slack-morphism reports before it reconnects). A clean close by Slack (its periodic
    /// refresh) or a ping timeout is not reported; the reconnection's `hello` follows it.
    connected: Arc<std::sync::atomic::AtomicBool>,
}

/// Whether a listener error is the Socket Mode connection breaking (slack-morphism reports a
/// broken WebSocket as a protocol error whose message starts `Slack WSS error`, then
/// reconnects), not one bad event.
fn is_connection_error(err: &(dyn std::error::Error + 'static)) -> bool {
    matches!(
        err.downcast_ref::<slack_morphism::errors::SlackClientError>(),
        Some(slack_morphism::errors::SlackClientError::SocketModeProtocolError(e))
            if e.message.starts_with("Slack WSS error")
    )
}

/// The name Slack shows for a member: display name, else real name, else user name.
fn name_of(user: &SlackUser) -> Option<String> {
    user.profile
        .as_ref()
        .and_then(|p| {
            p.display_name
                .clone()
                .filter(|n| !n.is_empty())
                .or(p.real_name.clone())
        })
        .or(user.name.clone())
}

impl State {
    fn remember(&self, user: &str, name: &str) {
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user.to_string(), name.to_string());
    }
}

/// A member's display name, from the cache or `users.info`; the id when Slack does not say.
async fn display_name(client: &SlackHyperClient, state: &State, user: &str) -> String {
    if let Some(n) = state
        .names
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(user)
    {
        return n.clone();
    }
    let session = client.open_session(&state.token);
    match session
        .users_info(&SlackApiUsersInfoRequest::new(user.to_string().into()))
        .await
    {
        Ok(info) => {
            let name = name_of(&info.user).unwrap_or_else(|| user.to_string());
            state.remember(user, &name);
            name
        }
        Err(e) => {
            warn!(error = %e, "users.info failed");
            user.to_string()
        }
    }
}

type CallbackResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

async fn state_of(states: &SlackClientEventsUserState) -> Option<State> {
    states.read().await.get_user_state::<State>().cloned()
}

/// Splits a `CHANNEL:TS` id.
fn split_id(id: &str) -> Option<(&str, &str)> {
    id.split_once(':')
}

fn join_id(channel: &str, ts: &str) -> String {
    format!("{channel}:{ts}")
}

/// `text` with Slack's three control characters escaped (`&` → `&amp;`, `<` → `&lt;`,
/// `>` → `&gt;`), as Slack's "Formatting text for app surfaces" asks for any text that is not
/// meant as markup: a member's display name or answer quoted back (`<!channel>`,
/// `<https://evil|click>`, `<@U123>`) then shows as typed and never notifies or links.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether a failed Web API call is worth repeating: rate limited (HTTP 429, with Slack's
/// `Retry-After` seconds) or a server error (HTTP 5xx).
fn verdict(e: &slack_morphism::errors::SlackClientError) -> Verdict {
    match e {
        slack_morphism::errors::SlackClientError::RateLimitError(r) => {
            Verdict::Retry(r.retry_after)
        }
        slack_morphism::errors::SlackClientError::HttpError(h) => {
            retry::verdict_for_status(h.status_code.as_u16(), None)
        }
        _ => Verdict::Fail,
    }
}

/// Slack reaction names for the engine's marks.
fn reaction_name(emoji: &str) -> String {
    match emoji {
        "✅" => "white_check_mark".into(),
        "⏰" => "alarm_clock".into(),
        "👍" => "+1".into(),
        other => other.trim_matches(':').into(),
    }
}

/// Turns a Slack message event into an engine event: replies in a thread are answers, edits
/// (`message_changed`) re-score and deletions (`message_deleted`) withdraw. `bot_user` is this
/// bot's own user id.
pub fn inbound_message(event: &SlackMessageEvent, bot_user: Option<&str>) -> Option<Inbound> {
    let channel_id = event.origin.channel.as_ref()?.to_string();
    let channel = ChannelRef::new(PLATFORM, &channel_id);
    let actor = |sender: &SlackMessageSender| -> Option<Actor> {
        let user = sender.user.as_ref()?.to_string();
        Some(Actor {
            is_bot: sender.bot_id.is_some() || bot_user == Some(user.as_str()),
            name: sender
                .user_profile
                .as_ref()
                .and_then(|p| p.display_name.clone().or(p.real_name.clone()))
                .unwrap_or_else(|| user.clone()),
            id: user,
            can_manage: false,
        })
    };
    match &event.subtype {
        None | Some(SlackMessageEventType::ThreadBroadcast) => {
            let thread_ts = event.origin.thread_ts.as_ref()?;
            Some(Inbound::Message {
                channel,
                thread: join_id(&channel_id, thread_ts.as_ref()),
                message: join_id(&channel_id, event.origin.ts.as_ref()),
                actor: actor(&event.sender)?,
                text: event.content.as_ref()?.text.clone().unwrap_or_default(),
            })
        }
        Some(SlackMessageEventType::MessageChanged) => {
            let edited = event.message.as_ref()?;
            let thread_ts = event
                .origin
                .thread_ts
                .as_ref()
                .map_or_else(|| edited.ts.to_string(), |t| t.to_string());
            Some(Inbound::MessageEdited {
                channel,
                thread: join_id(&channel_id, &thread_ts),
                message: join_id(&channel_id, edited.ts.as_ref()),
                actor: actor(&edited.sender)?,
                text: edited.content.as_ref()?.text.clone().unwrap_or_default(),
            })
        }
        Some(SlackMessageEventType::MessageDeleted) => Some(Inbound::MessageDeleted {
            channel,
            message: join_id(&channel_id, event.deleted_ts.as_ref()?.as_ref()),
        }),
        _ => None,
    }
}

fn inbound_reaction(
    user: &SlackUserId,
    reaction: &SlackReactionName,
    item: &SlackReactionsItem,
    bot_user: Option<&str>,
    add: bool,
) -> Option<Inbound> {
    let SlackReactionsItem::Message(m) = item else {
        return None;
    };
    let channel_id = m.origin.channel.as_ref()?.to_string();
    let actor = Actor {
        id: user.to_string(),
        name: user.to_string(),
        is_bot: bot_user == Some(user.0.as_str()),
        can_manage: false,
    };
    let (channel, message, emoji) = (
        ChannelRef::new(PLATFORM, &channel_id),
        join_id(&channel_id, m.origin.ts.as_ref()),
        reaction.0.clone(),
    );
    Some(Inbound::reaction(add, channel, message, emoji, actor))
}

/// Turns an Events API event body into an engine event: messages as in [`inbound_message`],
/// `reaction_added` and `reaction_removed` on a message into reactions; anything else is `None`.
/// `bot_user` is this bot's own user id. Pure (no I/O): the display name of a member is looked
/// up afterwards.
pub fn inbound_event(body: &SlackEventCallbackBody, bot_user: Option<&str>) -> Option<Inbound> {
    match body {
        SlackEventCallbackBody::Message(m) => inbound_message(m, bot_user),
        SlackEventCallbackBody::ReactionAdded(r) => {
            inbound_reaction(&r.user, &r.reaction, &r.item, bot_user, true)
        }
        SlackEventCallbackBody::ReactionRemoved(r) => {
            inbound_reaction(&r.user, &r.reaction, &r.item, bot_user, false)
        }
        _ => None,
    }
}

/// Interactions (Socket Mode allows one handler): each part picks its own by callback or
/// action id: the Answer button and form of a blind question ([`blind`]), and the `/question`
/// forms ([`question`]); anything else is ignored.
async fn on_interaction(
    event: SlackInteractionEvent,
    client: Arc<SlackHyperClient>,
    states: SlackClientEventsUserState,
) -> CallbackResult<()> {
    question::on_interaction(event.clone(), client.clone(), states.clone()).await?;
    blind::on_interaction(event, client, states).await
}

async fn on_push_event(
    event: SlackPushEventCallback,
    client: Arc<SlackHyperClient>,
    states: SlackClientEventsUserState,
) -> CallbackResult<()> {
    let Some(state) = state_of(&states).await else {
        return Ok(());
    };
    let Some(mut inbound) = inbound_event(&event.event, state.bot_user.as_deref()) else {
        return Ok(());
    };
    // Socket Mode hands envelopes to this callback one at a time, in order, and acknowledges
    // each when the callback returns. The event takes its place in the engine's order here,
    // before returning, so a deletion can never overtake its message; applying it and
    // delivering the replies happen after the acknowledgement.
    if let Inbound::Message { actor, .. }
    | Inbound::MessageEdited { actor, .. }
    | Inbound::ReactionAdded { actor, .. }
    | Inbound::ReactionRemoved { actor, .. } = &mut inbound
    {
        if !actor.is_bot && actor.name == actor.id {
            // A cached name costs nothing; an unknown member costs one users.info call.
            actor.name = display_name(&client, &state, &actor.id).await;
        }
    }
    match state.engine.submit(inbound).await {
        Ok(pending) => {
            tokio::spawn(async move {
                match pending.outcome().await {
                    Ok(actions) => deliver(&client, &state, actions).await,
                    Err(e) => error!(error = %e, "Slack event failed"),
                }
            });
        }
        Err(e) => error!(error = %e, "Slack event failed"),
    }
    Ok(())
}

async fn on_command(
    event: SlackCommandEvent,
    client: Arc<SlackHyperClient>,
    states: SlackClientEventsUserState,
) -> CallbackResult<SlackCommandEventResponse> {
    if let Some(state) = state_of(&states).await {
        tokio::spawn(async move { run_command(&client, &state, event).await });
    }
    // An empty acknowledgement within Slack's 3 seconds; the answer follows.
    Ok(SlackCommandEventResponse::new(SlackMessageContent::new()))
}

/// Whether a member may manage schedules: a workspace admin or owner, or in the manager group.
async fn can_manage(
    client: &SlackHyperClient,
    state: &State,
    user: &SlackUserId,
) -> (bool, String) {
    let session = client.open_session(&state.token);
    let (mut allowed, mut name) = (false, user.to_string());
    match session
        .users_info(&SlackApiUsersInfoRequest::new(user.clone()))
        .await
    {
        Ok(info) => {
            let flags = &info.user.flags;
            allowed = flags.is_admin.unwrap_or(false) || flags.is_owner.unwrap_or(false);
            if let Some(n) = name_of(&info.user) {
                state.remember(user.as_ref(), &n);
                name = n;
            }
        }
        Err(e) => warn!(error = %e, "users.info failed"),
    }
    if !allowed {
        if let Some(group) = &state.config.manager_group {
            let req = SlackApiUserGroupsUsersListRequest::new(group.clone().into());
            if let Ok(members) = session.usergroups_users_list(&req).await {
                allowed = members.users.iter().any(|u| u == user);
            }
        }
    }
    (allowed, name)
}

async fn run_command(client: &SlackHyperClient, state: &State, event: SlackCommandEvent) {
    let name = event.command.0.trim_start_matches('/');
    let name = name
        .strip_prefix(state.config.command_prefix.as_str())
        .unwrap_or(name);
    let line = format!("/{name} {}", event.text.clone().unwrap_or_default());
    let channel = ChannelRef {
        platform: PLATFORM.into(),
        id: event.channel_id.to_string(),
        workspace: Some(event.team_id.to_string()),
    };
    let user = event.user_id.to_string();
    let private = |text: String| Outbound::Private {
        channel: channel.clone(),
        thread: None,
        user: user.clone(),
        text,
    };
    if question::open_form(client, state, &event, &line).await {
        return;
    }
    let mut command = match command::parse(&line) {
        Ok(c) => c,
        Err(e) => {
            deliver(client, state, vec![private(e.to_string())]).await;
            return;
        }
    };
    import::fetch(client, state, &mut command).await;
    let (allowed, display) = can_manage(client, state, &event.user_id).await;
    let inbound = Inbound::Command {
        id: event.trigger_id.to_string(),
        channel: channel.clone(),
        thread: None,
        actor: Actor {
            id: user.clone(),
            name: display,
            is_bot: false,
            can_manage: allowed,
        },
        command,
    };
    match state.engine.handle(inbound).await {
        Ok(actions) => deliver(client, state, actions).await,
        Err(e) => {
            error!(error = %e, "Slack command failed");
            deliver(
                client,
                state,
                vec![private(
                    "Sorry, something went wrong on my side. Please try again in a minute.".into(),
                )],
            )
            .await;
        }
    }
}

/// Renders engine actions with Slack's Web API. Engine text is escaped ([`escape_text`]); each
/// call is retried on 429 and 5xx ([`retry::with_retry`]). Failures are logged, never fatal.
async fn deliver(client: &SlackHyperClient, state: &State, actions: Vec<Outbound>) {
    let session = client.open_session(&state.token);
    for action in super::pictures::draw_all(actions).await {
        let result: Result<(), Box<dyn std::error::Error + Send + Sync>> = async {
            match action {
                Outbound::PostQuestion { channel, card, text, .. } => {
                    let mut blocks: Vec<SlackBlock> = vec![
                        SlackHeaderBlock::new(pt!(
                            "{} Question #{}",
                            if card.scheduled { "📅 Question of the day ·" } else { "❓" },
                            card.post
                        ))
                        .into(),
                        SlackSectionBlock::new().with_text(md!("{}", escape_text(&card.prompt))).into(),
                        SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
                            SlackBlockMarkDownText::new(format!(
                                "*Topic:* {} · *Tier:* {} · closes <!date^{}^{{date_short_pretty}} {{time}}|soon> · {}, `/hint` if stuck",
                                escape_text(&card.topic_name),
                                card.tier,
                                card.closes_at.timestamp(),
                                if card.blind { "blind: press *Answer* to answer privately, all answers are revealed in the thread at the close" } else { "answer in the thread" }
                            )),
                        )])
                        .into(),
                    ];
                    if card.blind {
                        blocks.push(blind::answer_block(card.post));
                    }
                    let req = SlackApiChatPostMessageRequest::new(
                        channel.id.clone().into(),
                        SlackMessageContent::new()
                            .with_text(escape_text(&text))
                            .with_blocks(blocks)
                            .with_metadata(redeliver::question_metadata(card.post)),
                    );
                    let resp = retry::with_retry("chat.postMessage", verdict, || session.chat_post_message(&req)).await?;
                    let id = join_id(resp.channel.as_ref(), resp.ts.as_ref());
                    state.engine.attach(card.post, &id, &id).await?;
                }
                Outbound::ThreadReply { channel, thread, text, .. } => {
                    let mut req = SlackApiChatPostMessageRequest::new(
                        channel.id.clone().into(),
                        SlackMessageContent::new().with_text(escape_text(&text)),
                    );
                    if let Some((ch, ts)) = thread.as_deref().and_then(split_id) {
                        req = SlackApiChatPostMessageRequest::new(
                            ch.to_string().into(),
                            req.content.clone(),
                        )
                        .with_thread_ts(ts.to_string().into());
                    }
                    retry::with_retry("chat.postMessage", verdict, || session.chat_post_message(&req)).await?;
                }
                Outbound::RevealAnswer { channel, thread, answer, text, .. } => {
                    // Recorded at once, so that a 👍 on the revealed answer counts for its author.
                    let content = SlackMessageContent::new().with_text(escape_text(&text));
                    let req = match thread.as_deref().and_then(split_id) {
                        Some((ch, ts)) => SlackApiChatPostMessageRequest::new(ch.to_string().into(), content)
                            .with_thread_ts(ts.to_string().into()),
                        None => SlackApiChatPostMessageRequest::new(channel.id.clone().into(), content),
                    };
                    let resp = retry::with_retry("chat.postMessage", verdict, || session.chat_post_message(&req)).await?;
                    let id = join_id(resp.channel.as_ref(), resp.ts.as_ref());
                    state.engine.attach_revealed(answer, &id).await?;
                }
                Outbound::ChannelMessage { channel, text } => {
                    let req = SlackApiChatPostMessageRequest::new(
                        channel.id.clone().into(),
                        SlackMessageContent::new().with_text(escape_text(&text)),
                    );
                    retry::with_retry("chat.postMessage", verdict, || session.chat_post_message(&req)).await?;
                }
                Outbound::Private { channel, thread, user, text } => {
                    let (ch, thread_ts) = match thread.as_deref().and_then(split_id) {
                        Some((ch, ts)) => (ch.to_string(), Some(ts.to_string())),
                        None => (channel.id.clone(), None),
                    };
                    let mut req = SlackApiChatPostEphemeralRequest::new(
                        ch.into(),
                        user.into(),
                        SlackMessageContent::new().with_text(escape_text(&text)),
                    );
                    if let Some(ts) = thread_ts {
                        req = req.with_thread_ts(ts.into());
                    }
                    retry::with_retry("chat.postEphemeral", verdict, || session.chat_post_ephemeral(&req)).await?;
                }
                Outbound::File { channel, thread, user, file, text } => {
                    let (thread, user) = (thread.as_deref(), user.as_deref());
                    files::deliver_file(&session, &channel, thread, user, (&file, &text)).await?;
                }
                // `deliver` drew every picture above (`pictures::draw_all`).
                Outbound::Picture { .. } => warn!("an undrawn picture reached delivery; skipped"),
                Outbound::React { message, emoji, .. } => {
                    if let Some((ch, ts)) = split_id(&message) {
                        let req = SlackApiReactionsAddRequest::new(
                            ch.to_string().into(),
                            SlackReactionName(reaction_name(&emoji)),
                            ts.to_string().into(),
                        );
                        retry::with_retry("reactions.add", verdict, || session.reactions_add(&req)).await?;
                    }
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = result {
            warn!(error = %e, "a Slack call failed");
        }
    }
}

/// A running Slack bot.
pub struct SlackBot {
    client: Arc<SlackHyperClient>,
    state: State,
    listener: Arc<SlackClientSocketModeListener<SlackClientHyperHttpsConnector>>,
}

impl SlackBot {
    /// Whether the Socket Mode connection is up (for `/healthz`; see `State::connected` for
    /// what slack-morphism lets the adapter see).
    pub fn is_connected(&self) -> bool {
        self.state
            .connected
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Delivers the Slack actions among `actions` (from [`Engine::tick`] or
    /// [`Engine::undelivered`]); other platforms' actions are left to their adapters.
    pub async fn deliver(&self, actions: Vec<Outbound>) {
        let mine: Vec<Outbound> = actions
            .into_iter()
            .filter(|a| a.platform() == PLATFORM)
            .collect();
        deliver(&self.client, &self.state, mine).await;
    }

    /// Closes the Socket Mode connection.
    pub async fn shutdown(self) {
        self.listener.shutdown().await;
    }
}

/// Connects to Slack in Socket Mode (asking `apps.connections.open` for the websocket URL),
/// learns the bot's own user id (`auth.test`), re-delivers undelivered Slack posts, and listens in
/// the background. slack-morphism reconnects by itself when the connection drops.
///
/// Errors: the HTTP client could not be built, or Socket Mode could not be opened.
pub async fn start(
    config: &SlackConfig,
    engine: Arc<Engine>,
) -> Result<SlackBot, Box<dyn std::error::Error + Send + Sync>> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http1()
        .build();
    let connector = SlackClientHyperConnector::with_connector(https)
        .with_slack_api_url(config.api_url.trim_end_matches('/'));
    let client = Arc::new(SlackClient::new(connector));
    let token = SlackApiToken::new(config.bot_token.expose_secret().clone().into());
    let bot_user = match client.open_session(&token).auth_test().await {
        Ok(me) => Some(me.user_id.to_string()),
        Err(e) => {
            warn!(error = %e, "auth.test failed; the bot's own reactions are recognised by bot_id only");
            None
        }
    };
    let state = State {
        engine: engine.clone(),
        token,
        bot_user,
        config: config.clone(),
        names: Default::default(),
        connected: Default::default(),
    };
    // Posts close only after the first catch-up has read back what was written meanwhile.
    engine.hold_for_catch_up(PLATFORM);
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_hello_events(catchup::on_hello)
        .with_command_events(on_command)
        .with_interaction_events(on_interaction)
        .with_push_events(on_push_event);
    let environment = Arc::new(
        SlackClientEventsListenerEnvironment::new(client.clone())
            .with_error_handler(|err, _client, states| {
                error!(error = %err, "Slack listener error");
                if is_connection_error(err.as_ref()) {
                    // The handler is synchronous: the state is read without waiting (the
                    // storage is written only at start-up).
                    if let Ok(states) = states.try_read() {
                        if let Some(state) = states.get_user_state::<State>() {
                            state
                                .connected
                                .store(false, std::sync::atomic::Ordering::SeqCst);
                            // Posts close again after the reconnection's catch-up has read
                            // back what was written in the gap (as at start).
                            state.engine.hold_for_catch_up(PLATFORM);
                        }
                    }
                }
                // Acknowledge anyway so that Slack does not redeliver a poison event forever.
                HttpStatusCode::OK
            })
            .with_user_state(state.clone()),
    );
    let listener = Arc::new(SlackClientSocketModeListener::new(
        &SlackClientSocketModeConfig::new()
            .with_max_connections_count(1)
            .with_reconnect_timeout_in_seconds(config.reconnect_after.as_secs().max(1)),
        environment,
        callbacks,
    ));
    let app_token = SlackApiToken::new(config.app_token.expose_secret().clone().into());
    listener.listen_for(&app_token).await?;
    listener.start().await;
    info!("connected to Slack (Socket Mode)");
    let bot = SlackBot {
        client,
        state,
        listener,
    };
    if let Ok(pending) = engine.undelivered().await {
        // A question posted just before a crash is recorded, not posted again.
        let pending = redeliver::skip_posted(&bot.client, &bot.state, pending).await;
        bot.deliver(pending).await;
    }
    Ok(bot)
}
