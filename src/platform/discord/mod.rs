//! The Discord adapter (poise on serenity): slash commands and gateway events become engine
//! [`Inbound`]s; engine [`Outbound`]s become REST calls (messages with embeds, public threads,
//! reactions, ephemeral follow-ups and DMs).
//!
//! Choices (documented in `deploy/discord.md`): every interaction is deferred ephemerally at once
//! (Discord wants an answer within 3 seconds); what only the invoker should see is an ephemeral
//! follow-up; feedback on an answer (which arrives as a message, not an interaction) is a DM, and
//! the answer is marked in the thread with a ✅ (or ⏰ when late) reaction.
//! Gateway events may repeat after a reconnect: the engine applies each once (interactions by
//! id, messages, edits, deletions and reactions by the state they lead to).

use std::sync::Arc;

use poise::serenity_prelude as serenity;
use secrecy::{ExposeSecret, SecretString};
use serenity::{
    AutoArchiveDuration, ChannelId, CreateAttachment, CreateEmbed, CreateMessage, CreateThread,
    FullEvent, GatewayIntents, Http, MessageId, Permissions, ReactionType, UserId,
};
mod blind;
mod catchup;
mod deliver;
mod privacy;
mod question;

pub use deliver::{deliver, no_pings};
use deliver::{deliver_one, reply};

use tracing::{error, info, warn};

use crate::bank::Tier;
use crate::engine::{
    command, Actor, ChannelRef, Command, Engine, Inbound, Outbound, Period, Qotd, ShardSet,
};

/// The platform name stored for Discord channels and members.
pub const PLATFORM: &str = "discord";

/// The permissions the bot needs in a channel: view channel, send messages, create public
/// threads, send messages in threads, embed links, attach files (the weekly leaderboard card),
/// add reactions, read message history.
pub fn required_permissions() -> Permissions {
    Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::CREATE_PUBLIC_THREADS
        | Permissions::SEND_MESSAGES_IN_THREADS
        | Permissions::EMBED_LINKS
        | Permissions::ATTACH_FILES
        | Permissions::ADD_REACTIONS
        | Permissions::READ_MESSAGE_HISTORY
}

/// The gateway intents: guilds, guild messages, guild message reactions and the privileged
/// message-content intent (answers are message text).
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS
        | GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::GUILD_MESSAGE_REACTIONS
        | GatewayIntents::MESSAGE_CONTENT
}

/// The OAuth2 URL that adds the bot to a server with exactly [`required_permissions`].
pub fn invite_url(client_id: u64) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={client_id}&scope=bot%20applications.commands&permissions={}",
        required_permissions().bits()
    )
}

/// The application (client) id encoded in a bot token's first segment (base64 of the id).
pub fn client_id_from_token(token: &str) -> Option<u64> {
    use base64::Engine as _;
    let first = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(first.trim_end_matches('='))
        .ok()?;
    String::from_utf8(bytes).ok()?.parse().ok()
}

/// How to reach Discord.
#[derive(Debug, Clone)]
pub struct DiscordConfig {
    /// The bot token (never printed: `Debug` shows `[REDACTED]`).
    pub token: SecretString,
    /// REST base replacing `https://discord.com` (a rate-limit proxy, or a fake in tests).
    pub api_url: Option<String>,
    /// Register commands in this guild only (fast, for development); globally otherwise.
    pub guild_id: Option<u64>,
    /// Members with this role may use `/qotd` and `/reveal`, as well as those with Manage Server.
    pub manager_role: Option<u64>,
    /// The gateway shards this process holds; `None`: all of them, as many as Discord
    /// recommends (`GET /gateway/bot`), in this process.
    pub shards: Option<ShardSet>,
}

/// Shared state of the poise framework.
pub struct Data {
    engine: Arc<Engine>,
    manager_role: Option<u64>,
}

type Error = Box<dyn std::error::Error + Send + Sync>;
type Context<'a> = poise::Context<'a, Data, Error>;

/// A tier, as a slash-command choice.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum TierChoice {
    /// Junior.
    #[name = "junior"]
    Junior,
    /// Mid.
    #[name = "mid"]
    Mid,
    /// Senior.
    #[name = "senior"]
    Senior,
    /// Staff.
    #[name = "staff"]
    Staff,
}

impl From<TierChoice> for Tier {
    fn from(t: TierChoice) -> Tier {
        match t {
            TierChoice::Junior => Tier::Junior,
            TierChoice::Mid => Tier::Mid,
            TierChoice::Senior => Tier::Senior,
            TierChoice::Staff => Tier::Staff,
        }
    }
}

/// A leaderboard period, as a slash-command choice.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum PeriodChoice {
    /// This ISO week.
    #[name = "week"]
    Week,
    /// This month.
    #[name = "month"]
    Month,
    /// All time.
    #[name = "all"]
    All,
}

fn choices(names: Vec<String>) -> serenity::CreateAutocompleteResponse {
    serenity::CreateAutocompleteResponse::new().set_choices(
        names
            .into_iter()
            .map(serenity::AutocompleteChoice::from)
            .collect(),
    )
}

/// Topic ids for the topic option: the server's own topics, then the bank's prefix and typo
/// matches (Discord shows at most 25).
async fn autocomplete_topic(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let guild = ctx.guild_id().map(|g| g.to_string());
    let engine = &ctx.data().engine;
    let topics = engine.topic_choices(PLATFORM, guild.as_deref(), partial, 25);
    choices(topics.await.unwrap_or_else(|e| {
        warn!(error = %e, "topic autocomplete failed");
        engine.bank().nearest_topics(partial, 25)
    }))
}

/// IANA time zone names containing what was typed.
async fn autocomplete_time_zone(
    _ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let p = partial.to_lowercase();
    choices(
        chrono_tz::TZ_VARIANTS
            .iter()
            .map(|tz| tz.name())
            .filter(|n| n.to_lowercase().contains(&p))
            .take(25)
            .map(str::to_string)
            .collect(),
    )
}

/// Hands a command to the engine and delivers what it returns.
async fn run_command(ctx: Context<'_>, command: Command) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let member = ctx.author_member().await;
    let manager_role = ctx.data().manager_role;
    let can_manage = member.as_ref().is_some_and(|m| {
        m.permissions
            .is_some_and(|p| p.manage_guild() || p.administrator())
            || manager_role.is_some_and(|r| m.roles.iter().any(|role| role.get() == r))
    });
    let author = ctx.author();
    let channel_id = ctx.channel_id();
    let event = Inbound::Command {
        id: ctx.id().to_string(),
        channel: ChannelRef {
            platform: PLATFORM.into(),
            id: channel_id.to_string(),
            workspace: ctx.guild_id().map(|g| g.to_string()),
        },
        thread: Some(channel_id.to_string()),
        actor: Actor {
            id: author.id.to_string(),
            name: author
                .global_name
                .clone()
                .unwrap_or_else(|| author.name.clone()),
            is_bot: author.bot,
            can_manage,
        },
        command,
    };
    let engine = &ctx.data().engine;
    let actions = match engine.handle(event).await {
        Ok(a) => a,
        Err(e) => {
            error!(error = %e, "command failed");
            reply(
                ctx,
                poise::CreateReply::default()
                    .content(
                        "Sorry, something went wrong on my side. Please try again in a minute.",
                    )
                    .ephemeral(true),
            )
            .await?;
            return Ok(());
        }
    };
    let mut replied = false;
    for action in crate::platform::pictures::draw_all(actions).await {
        match action {
            Outbound::Private { user, text, .. } if user == author.id.to_string() => {
                reply(
                    ctx,
                    poise::CreateReply::default()
                        .content(clip(&text))
                        .ephemeral(true),
                )
                .await?;
                replied = true;
            }
            Outbound::File {
                user: Some(user),
                file,
                text,
                ..
            } if user == author.id.to_string() => {
                reply(
                    ctx,
                    poise::CreateReply::default()
                        .content(clip(&text))
                        .attachment(serenity::CreateAttachment::bytes(file.bytes, file.name))
                        .ephemeral(true),
                )
                .await?;
                replied = true;
            }
            other => deliver_one(ctx.http(), engine, other).await,
        }
    }
    if !replied {
        reply(
            ctx,
            poise::CreateReply::default()
                .content("Done ✅")
                .ephemeral(true),
        )
        .await?;
    }
    Ok(())
}

/// Discord's message length limit is 2,000 characters.
fn clip(text: &str) -> String {
    if text.chars().count() <= 2000 {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(1990).collect::<String>())
    }
}

/// Post a question now; random topic and/or tier where omitted.
#[poise::command(slash_command, guild_only)]
pub async fn ask(
    ctx: Context<'_>,
    #[description = "Topic (e.g. gil, decorators, asyncio)"]
    #[autocomplete = "autocomplete_topic"]
    topic: Option<String>,
    #[description = "Seniority tier"] tier: Option<TierChoice>,
    #[description = "Answers go in privately (an Answer button) and are revealed together at the close"]
    blind: Option<bool>,
) -> Result<(), Error> {
    run_command(
        ctx,
        Command::Ask {
            topic,
            tier: tier.map(Tier::from),
            blind: blind.unwrap_or(false),
        },
    )
    .await
}

/// The question of the day in this channel (needs Manage Server).
#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "qotd_schedule",
        "qotd_pause",
        "qotd_resume",
        "qotd_now",
        "qotd_status",
        "qotd_remove"
    ),
    subcommand_required
)]
pub async fn qotd(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Schedule a question in this channel, e.g. cron "0 9 * * 1-5" (09:00 on weekdays).
#[poise::command(slash_command, guild_only, rename = "schedule")]
pub async fn qotd_schedule(
    ctx: Context<'_>,
    #[description = "Five-field cron: minute hour day month weekday, e.g. 0 9 * * 1-5"]
    cron: String,
    #[description = "Seniority tier"] tier: TierChoice,
    #[description = "IANA time zone, e.g. Europe/Berlin"]
    #[autocomplete = "autocomplete_time_zone"]
    timezone: String,
    #[description = "Only this topic"]
    #[autocomplete = "autocomplete_topic"]
    topic: Option<String>,
    #[description = "Its questions take answers privately, revealed together at the close"]
    blind: Option<bool>,
) -> Result<(), Error> {
    let q = Qotd::Schedule {
        cron,
        tier: Some(tier.into()),
        topic,
        time_zone: Some(timezone),
        blind: blind.unwrap_or(false),
    };
    run_command(ctx, Command::Qotd(q)).await
}

/// Pause the question of the day.
#[poise::command(slash_command, guild_only, rename = "pause")]
pub async fn qotd_pause(ctx: Context<'_>) -> Result<(), Error> {
    run_command(ctx, Command::Qotd(Qotd::Pause)).await
}

/// Resume the question of the day.
#[poise::command(slash_command, guild_only, rename = "resume")]
pub async fn qotd_resume(ctx: Context<'_>) -> Result<(), Error> {
    run_command(ctx, Command::Qotd(Qotd::Resume)).await
}

/// Post the scheduled question now.
#[poise::command(slash_command, guild_only, rename = "now")]
pub async fn qotd_now(ctx: Context<'_>) -> Result<(), Error> {
    run_command(ctx, Command::Qotd(Qotd::Now)).await
}

/// Show the schedule and its next run.
#[poise::command(slash_command, guild_only, rename = "status")]
pub async fn qotd_status(ctx: Context<'_>) -> Result<(), Error> {
    run_command(ctx, Command::Qotd(Qotd::Status)).await
}

/// Remove the schedule and the weekly leaderboard.
#[poise::command(slash_command, guild_only, rename = "remove")]
pub async fn qotd_remove(ctx: Context<'_>) -> Result<(), Error> {
    run_command(ctx, Command::Qotd(Qotd::Remove)).await
}

/// The leaderboard of this channel.
#[poise::command(slash_command, guild_only)]
pub async fn leaderboard(
    ctx: Context<'_>,
    #[description = "week (default), month or all"] period: Option<PeriodChoice>,
    #[description = "Only questions of this tier"] tier: Option<TierChoice>,
    #[description = "Every channel of this server instead of this channel"] server: Option<bool>,
) -> Result<(), Error> {
    let period = match period {
        None | Some(PeriodChoice::Week) => Period::Week,
        Some(PeriodChoice::Month) => Period::Month,
        Some(PeriodChoice::All) => Period::All,
    };
    let workspace = server.unwrap_or(false);
    run_command(
        ctx,
        Command::Leaderboard {
            period,
            tier: tier.map(Tier::from),
            workspace,
        },
    )
    .await
}

/// A member's points, answers, average score, streak, strongest and weakest topics.
#[poise::command(slash_command, guild_only)]
pub async fn stats(
    ctx: Context<'_>,
    #[description = "Whose statistics (yours by default)"] user: Option<serenity::User>,
) -> Result<(), Error> {
    run_command(
        ctx,
        Command::Stats {
            user: user.map(|u| u.id.to_string()),
        },
    )
    .await
}

/// In a question's thread: the next hint for what your answer is missing (only you see it).
#[poise::command(slash_command, guild_only)]
pub async fn hint(ctx: Context<'_>) -> Result<(), Error> {
    run_command(ctx, Command::Hint).await
}

/// Close this question now and reveal the reference answer (needs Manage Server).
#[poise::command(slash_command, guild_only)]
pub async fn reveal(ctx: Context<'_>) -> Result<(), Error> {
    run_command(ctx, Command::Reveal).await
}

/// What this bot does and how to use it.
#[poise::command(slash_command)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    ctx.send(
        poise::CreateReply::default()
            .content(command::HELP)
            .ephemeral(true),
    )
    .await?;
    Ok(())
}

/// Every slash command, in one explicit list.
pub fn commands() -> Vec<poise::Command<Data, Error>> {
    vec![
        ask(),
        qotd(),
        leaderboard(),
        stats(),
        hint(),
        reveal(),
        privacy::privacy(),
        question::question(),
        help(),
    ]
}

fn channel_ref(id: ChannelId) -> ChannelRef {
    ChannelRef::new(PLATFORM, &id.to_string())
}

fn emoji_name(r: &ReactionType) -> String {
    match r {
        ReactionType::Unicode(s) => s.clone(),
        ReactionType::Custom { name, id, .. } => name.clone().unwrap_or_else(|| id.to_string()),
        _ => String::new(),
    }
}

/// Turns a gateway event into an engine event, if it is one the engine cares about.
/// `bot` is this bot's own user id (its reactions never count).
pub fn inbound(event: &FullEvent, bot: UserId) -> Option<Inbound> {
    match event {
        FullEvent::Message { new_message: m } => Some(Inbound::Message {
            channel: channel_ref(m.channel_id),
            thread: m.channel_id.to_string(),
            message: m.id.to_string(),
            actor: Actor {
                id: m.author.id.to_string(),
                name: m
                    .author
                    .global_name
                    .clone()
                    .unwrap_or_else(|| m.author.name.clone()),
                is_bot: m.author.bot || m.author.id == bot,
                can_manage: false,
            },
            text: m.content.clone(),
        }),
        FullEvent::MessageUpdate { event, .. } => {
            let text = event.content.clone()?;
            let author = event.author.as_ref()?;
            Some(Inbound::MessageEdited {
                channel: channel_ref(event.channel_id),
                thread: event.channel_id.to_string(),
                message: event.id.to_string(),
                actor: Actor {
                    id: author.id.to_string(),
                    name: author
                        .global_name
                        .clone()
                        .unwrap_or_else(|| author.name.clone()),
                    is_bot: author.bot || author.id == bot,
                    can_manage: false,
                },
                text,
            })
        }
        FullEvent::MessageDelete {
            channel_id,
            deleted_message_id,
            ..
        } => Some(Inbound::MessageDeleted {
            channel: channel_ref(*channel_id),
            message: deleted_message_id.to_string(),
        }),
        FullEvent::ReactionAdd { add_reaction: r }
        | FullEvent::ReactionRemove {
            removed_reaction: r,
        } => {
            let user = r.user_id?;
            let member_is_bot = r.member.as_ref().is_some_and(|m| m.user.bot);
            let actor = Actor {
                id: user.to_string(),
                name: r
                    .member
                    .as_ref()
                    .map_or_else(|| user.to_string(), |m| m.user.name.clone()),
                is_bot: member_is_bot || user == bot,
                can_manage: false,
            };
            let (channel, message, emoji) = (
                channel_ref(r.channel_id),
                r.message_id.to_string(),
                emoji_name(&r.emoji),
            );
            let add = matches!(event, FullEvent::ReactionAdd { .. });
            Some(Inbound::reaction(add, channel, message, emoji, actor))
        }
        _ => None,
    }
}

async fn on_event(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let (ctx, data) = (framework.serenity_context, framework.user_data);
    let bot = ctx.cache.current_user().id;
    if matches!(event, FullEvent::Ready { .. } | FullEvent::Resume { .. }) {
        // Read back what was written while disconnected (`catchup.rs`), beside the events.
        let (http, engine) = (ctx.http.clone(), data.engine.clone());
        tokio::spawn(async move { catchup::catch_up(&http, &engine, bot).await });
    }
    if let FullEvent::InteractionCreate { interaction } = event {
        blind::on_interaction(&ctx.http, &data.engine, interaction).await;
    }
    if let Some(inbound) = inbound(event, bot) {
        match data.engine.handle(inbound).await {
            Ok(actions) => deliver(&ctx.http, &data.engine, actions).await,
            Err(e) => error!(error = %e, "event failed"),
        }
    }
    Ok(())
}

/// A running Discord bot.
pub struct DiscordBot {
    /// The REST client (for delivering scheduled posts).
    pub http: Arc<Http>,
    /// Stops the gateway connection.
    pub shard_manager: Arc<serenity::ShardManager>,
    /// The client task.
    pub task: tokio::task::JoinHandle<()>,
}

impl DiscordBot {
    /// Delivers the Discord actions among `actions` (from [`Engine::tick`]).
    pub async fn deliver(&self, engine: &Engine, actions: Vec<Outbound>) {
        deliver(&self.http, engine, actions).await;
    }

    /// Whether every gateway shard is connected (READY or RESUMED and not since dropped), from
    /// serenity's shard runners: what `/healthz` reports.
    pub async fn connected(&self) -> bool {
        let runners = self.shard_manager.runners.lock().await;
        !runners.is_empty()
            && runners
                .values()
                .all(|r| r.stage == serenity::ConnectionStage::Connected)
    }

    /// Closes the gateway connection and waits for the client to stop.
    pub async fn shutdown(self) {
        self.shard_manager.shutdown_all().await;
        let _ = self.task.await;
    }
}

/// Connects to Discord (or the configured API URL), registers the slash commands, re-delivers
/// posts a previous run created but never posted, and starts the gateway in the background.
///
/// Errors: the client could not be built (e.g. the token is malformed).
pub async fn start(config: &DiscordConfig, engine: Arc<Engine>) -> Result<DiscordBot, Error> {
    let mut builder = serenity::HttpBuilder::new(config.token.expose_secret());
    if let Some(url) = &config.api_url {
        // The proxy replaces https://discord.com in REST URLs only with the limiter disabled.
        builder = builder
            .proxy(url.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    let http = builder.build();
    // Posts close only after the first catch-up has read back what was written meanwhile.
    engine.hold_for_catch_up(PLATFORM);
    let guild = config.guild_id;
    let data_engine = engine.clone();
    let manager_role = config.manager_role;
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands(),
            event_handler: |framework, event| Box::pin(on_event(framework, event)),
            // Interaction replies and follow-ups ping nobody either (poise's default allows
            // user pings).
            allowed_mentions: Some(deliver::no_pings()),
            on_error: |err| {
                Box::pin(async move {
                    if let Err(e) = poise::builtins::on_error(err).await {
                        error!(error = %e, "error while handling a command error");
                    }
                })
            },
            ..Default::default()
        })
        .initialize_owners(false)
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected to Discord");
                match guild {
                    Some(g) => {
                        poise::builtins::register_in_guild(
                            ctx,
                            &framework.options().commands,
                            g.into(),
                        )
                        .await?
                    }
                    None => {
                        poise::builtins::register_globally(ctx, &framework.options().commands)
                            .await?
                    }
                }
                if let Ok(pending) = data_engine.undelivered().await {
                    deliver(&ctx.http, &data_engine, pending).await;
                }
                Ok(Data {
                    engine: data_engine,
                    manager_role,
                })
            })
        })
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http, intents())
        .framework(framework)
        .await?;
    let http = client.http.clone();
    let shard_manager = client.shard_manager.clone();
    let shards = config.shards;
    let task = tokio::spawn(async move {
        let started = match shards {
            // serenity's range end is inclusive (`start_connection(start, end, total)`).
            Some(s) => {
                client
                    .start_shard_range(s.first()..s.last(), s.count())
                    .await
            }
            None => client.start_autosharded().await,
        };
        if let Err(e) = started {
            error!(error = %e, "the Discord client stopped");
        }
    });
    Ok(DiscordBot {
        http,
        shard_manager,
        task,
    })
}
