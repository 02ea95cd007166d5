//! Running the bot as a service (`interview-bot run`): its configuration, starting each platform
//! with retries, and the scheduler tick loop. `main.rs` parses the command line and calls in.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use tokio::sync::RwLock;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use tracing::{error, info};

use crate::engine::shards::{ShardError, ShardSet};
use crate::engine::{Engine, Outbound};
use crate::ops::server::Probe;
use crate::platform::discord::DiscordBot;
use crate::platform::slack::SlackBot;
use crate::platform::{discord, slack};
use crate::store;

/// How often the scheduler looks for due schedules and closing questions unless configured
/// (seconds). Schedules are minute-granular (five-field cron), so twice a minute is on time.
pub const DEFAULT_TICK_SECONDS: u64 = 30;

/// The first wait before a platform that failed to start is tried again.
pub const RETRY_FIRST: Duration = Duration::from_secs(5);

/// The longest wait between start attempts (each failure doubles the wait up to this).
pub const RETRY_MAX: Duration = Duration::from_secs(300);

/// Everything `interview-bot run` is configured with: flags, each also read from the environment
/// variable named beside it. Tokens are [`SecretString`]s: `Debug` prints `[REDACTED]` and clap
/// never shows their values.
#[derive(clap::Args, Debug, Clone)]
pub struct RunConfig {
    /// The database: `sqlite://FILE` (created if missing; the default) or
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DBNAME` (the database must exist).
    #[arg(long, env = "DATABASE_URL", default_value = store::DEFAULT_DATABASE_URL)]
    pub database: String,
    /// Discord bot token.
    #[arg(long, env = "DISCORD_TOKEN", hide_env_values = true)]
    pub discord_token: Option<SecretString>,
    /// Base URL for Discord's REST API (a rate-limit proxy); the gateway URL is then asked
    /// from it too.
    #[arg(long, env = "DISCORD_API_URL")]
    pub discord_api_url: Option<String>,
    /// Register slash commands in this guild only (instant, for development).
    #[arg(long, env = "DISCORD_GUILD_ID")]
    pub discord_guild_id: Option<u64>,
    /// Members with this role may use /qotd and /reveal (besides Manage Server).
    #[arg(long, env = "DISCORD_MANAGER_ROLE_ID")]
    pub discord_manager_role_id: Option<u64>,
    /// The gateway shards this process holds, `N` or `N-M` (inclusive), when several
    /// processes share the bot (needs --discord-shard-count). Unset: one process, with as many
    /// shards as Discord recommends.
    #[arg(long, env = "DISCORD_SHARDS")]
    pub discord_shards: Option<String>,
    /// The total number of gateway shards across all processes (with --discord-shards).
    #[arg(long, env = "DISCORD_SHARD_COUNT")]
    pub discord_shard_count: Option<u32>,
    /// Slack bot token (xoxb-...).
    #[arg(long, env = "SLACK_BOT_TOKEN", hide_env_values = true)]
    pub slack_bot_token: Option<SecretString>,
    /// Slack app-level token (xapp-...) for Socket Mode.
    #[arg(long, env = "SLACK_APP_TOKEN", hide_env_values = true)]
    pub slack_app_token: Option<SecretString>,
    /// Slack Web API base (Slack's government cloud has its own).
    #[arg(long, env = "SLACK_API_URL", default_value = slack::DEFAULT_API_URL)]
    pub slack_api_url: String,
    /// Prefix of the Slack command names where `/ask` is taken (e.g. `iv-` for `/iv-ask`).
    #[arg(long, env = "SLACK_COMMAND_PREFIX", default_value = "")]
    pub slack_command_prefix: String,
    /// Members of this Slack user group (id) may use /qotd and /reveal, besides admins.
    #[arg(long, env = "SLACK_MANAGER_GROUP_ID")]
    pub slack_manager_group_id: Option<String>,
    /// Seconds between checks for due schedules and closing questions.
    #[arg(long, env = "INTERVIEW_BOT_TICK_SECONDS", default_value_t = DEFAULT_TICK_SECONDS)]
    pub tick_seconds: u64,
    /// Serve `/healthz` (200 when the database answers and every configured platform is
    /// connected, else 503; JSON says which) and Prometheus `/metrics` on this address, e.g.
    /// `127.0.0.1:9185`. Off when not given.
    #[arg(long, env = "INTERVIEW_BOT_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
}

fn present(token: &Option<SecretString>) -> Option<SecretString> {
    use secrecy::ExposeSecret;
    token
        .as_ref()
        .filter(|t| !t.expose_secret().trim().is_empty())
        .cloned()
}

impl RunConfig {
    /// Discord's settings, when its token is set.
    ///
    /// Errors: `--discord-shards` is malformed or does not fit `--discord-shard-count`
    /// (the message shows a good pair).
    pub fn discord(&self) -> Result<Option<discord::DiscordConfig>, ShardError> {
        let shards = match &self.discord_shards {
            Some(range) => Some(ShardSet::parse(range, self.discord_shard_count)?),
            None => None,
        };
        let Some(token) = present(&self.discord_token) else {
            return Ok(None);
        };
        Ok(Some(discord::DiscordConfig {
            token,
            api_url: self.discord_api_url.clone(),
            guild_id: self.discord_guild_id,
            manager_role: self.discord_manager_role_id,
            shards,
        }))
    }

    /// Slack's settings, when both its tokens are set.
    pub fn slack(&self) -> Option<slack::SlackConfig> {
        Some(slack::SlackConfig {
            bot_token: present(&self.slack_bot_token)?,
            app_token: present(&self.slack_app_token)?,
            api_url: self.slack_api_url.clone(),
            command_prefix: self.slack_command_prefix.clone(),
            manager_group: self.slack_manager_group_id.clone(),
            reconnect_after: slack::DEFAULT_RECONNECT_AFTER,
        })
    }

    /// The tick interval (at least one second).
    pub fn tick_every(&self) -> Duration {
        Duration::from_secs(self.tick_seconds.max(1))
    }
}

/// Where a started platform is kept once it is up (`None` until then).
pub type Slot<T> = Arc<RwLock<Option<T>>>;

/// Starts a platform in the background: calls `start` until it succeeds, waiting
/// [`RETRY_FIRST`] after the first failure and twice as long after each further one, up to
/// [`RETRY_MAX`]; then puts the platform in `slot`. Each platform retries on its own, so one that
/// cannot connect never holds up another. Failures are logged with `name`.
pub fn spawn_with_backoff<T, E, F, Fut>(
    name: &'static str,
    slot: Slot<T>,
    start: F,
) -> JoinHandle<()>
where
    T: Send + Sync + 'static,
    E: std::fmt::Display + Send,
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, E>> + Send,
{
    tokio::spawn(async move {
        let mut wait = RETRY_FIRST;
        loop {
            match start().await {
                Ok(platform) => {
                    *slot.write().await = Some(platform);
                    return;
                }
                Err(e) => error!(platform = name, error = %e, retry_in = ?wait, "did not start"),
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(RETRY_MAX);
        }
    })
}

/// A `/healthz` probe for Discord: connected when the bot has started and every gateway shard
/// is connected ([`DiscordBot::connected`]).
pub fn discord_probe(slot: Slot<DiscordBot>) -> Probe {
    Arc::new(move || {
        let slot = slot.clone();
        Box::pin(async move {
            match slot.read().await.as_ref() {
                Some(bot) => bot.connected().await,
                None => false,
            }
        })
    })
}

/// A `/healthz` probe for Slack: connected while the Socket Mode connection is up
/// ([`SlackBot::is_connected`]: from each `hello` until a WebSocket error; slack-morphism
/// reports no clean close, so the short gap of Slack's periodic refresh is not seen).
pub fn slack_probe(slot: Slot<SlackBot>) -> Probe {
    Arc::new(move || {
        let slot = slot.clone();
        Box::pin(async move {
            slot.read()
                .await
                .as_ref()
                .is_some_and(|bot| bot.is_connected())
        })
    })
}

/// How often retention looks for processed-event ids to prune (at most once per this interval
/// of the engine's clock; the first tick always does).
pub const PRUNE_EVERY: chrono::Duration = chrono::Duration::hours(1);

/// Retention, run from [`tick_loop`]: deletes processed-event ids older than
/// [`store::maintenance::PROCESSED_EVENTS_KEPT`] (30 days), at most once per [`PRUNE_EVERY`] of
/// the engine's clock.
#[derive(Debug, Default)]
pub struct Retention {
    last: Option<DateTime<Utc>>,
}

impl Retention {
    /// Prunes if due at the engine's current time; returns how many ids went (0 when not due).
    ///
    /// Errors: the store failed.
    pub async fn run(&mut self, engine: &Engine) -> store::Result<u64> {
        let now = engine.now();
        if self.last.is_some_and(|last| now - last < PRUNE_EVERY) {
            return Ok(0);
        }
        let mut conn = engine
            .pool()
            .acquire()
            .await
            .map_err(store::StoreError::Sqlx)?;
        let before = now - store::maintenance::PROCESSED_EVENTS_KEPT;
        let n = store::prune_processed_events(&mut conn, before).await?;
        self.last = Some(now);
        if n > 0 {
            info!(pruned = n, "processed-event ids older than 30 days removed");
        }
        crate::ops::metrics::pruned(n);
        Ok(n)
    }
}

/// The scheduler loop: every `every`, runs [`Engine::tick`] and hands what it returns to
/// `deliver`, until `stop` resolves. A tick that overruns the interval delays the next one
/// ([`MissedTickBehavior::Delay`]) instead of firing a burst to catch up: one tick already
/// catches up every schedule once. Each tick also runs [`Retention`].
pub async fn tick_loop<D, DFut>(
    engine: &Engine,
    every: Duration,
    deliver: D,
    stop: impl Future<Output = ()>,
) where
    D: Fn(Vec<Outbound>) -> DFut,
    DFut: Future<Output = ()>,
{
    let mut retention = Retention::default();
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = interval.tick() => {
                match engine.tick().await {
                    Ok(actions) => deliver(actions).await,
                    Err(e) => {
                        crate::ops::metrics::tick_failed();
                        error!(error = %e, "scheduler tick failed");
                    }
                }
                if let Err(e) = retention.run(engine).await {
                    error!(error = %e, "pruning processed-event ids failed");
                }
            }
            _ = &mut stop => return,
        }
    }
}
