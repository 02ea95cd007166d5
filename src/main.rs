//! The `interview-bot` binary: parses the command line and starts what was asked for.

use std::io::{BufReader, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::{Duration, Timelike, Utc};
use clap::{Parser, Subcommand};

use interview_bot::bank::{Bank, Tier};
use interview_bot::cli;
use interview_bot::engine::EngineConfig;
use interview_bot::platform::console::{self, Console};
use interview_bot::platform::{discord, slack};
use interview_bot::store;

/// A study-group bot for practising technical interviews: scheduled questions, an answer
/// checker that names the mechanism you missed, peer votes and leaderboards.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Folder with the question bank (TOML files, one per topic).
    #[arg(
        long,
        global = true,
        env = "INTERVIEW_BOT_QUESTIONS",
        default_value = "questions"
    )]
    questions: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot on every platform whose credentials are set (Discord: DISCORD_TOKEN).
    Run {
        /// SQLite database (created if missing).
        #[arg(long, env = "DATABASE_URL", default_value = store::DEFAULT_DATABASE_URL)]
        database: String,
        /// Discord bot token.
        #[arg(long, env = "DISCORD_TOKEN", hide_env_values = true)]
        discord_token: Option<String>,
        /// Base URL for Discord's REST API (a rate-limit proxy); the gateway URL is then asked
        /// from it too.
        #[arg(long, env = "DISCORD_API_URL")]
        discord_api_url: Option<String>,
        /// Register slash commands in this guild only (instant, for development).
        #[arg(long, env = "DISCORD_GUILD_ID")]
        discord_guild_id: Option<u64>,
        /// Members with this role may use /qotd and /reveal (besides Manage Server).
        #[arg(long, env = "DISCORD_MANAGER_ROLE_ID")]
        discord_manager_role_id: Option<u64>,
        /// Slack bot token (xoxb-...).
        #[arg(long, env = "SLACK_BOT_TOKEN", hide_env_values = true)]
        slack_bot_token: Option<String>,
        /// Slack app-level token (xapp-...) for Socket Mode.
        #[arg(long, env = "SLACK_APP_TOKEN", hide_env_values = true)]
        slack_app_token: Option<String>,
        /// Slack Web API base (Slack's government cloud has its own).
        #[arg(long, env = "SLACK_API_URL", default_value = slack::DEFAULT_API_URL)]
        slack_api_url: String,
        /// Prefix of the Slack command names where `/ask` is taken (e.g. `iv-` for `/iv-ask`).
        #[arg(long, env = "SLACK_COMMAND_PREFIX", default_value = "")]
        slack_command_prefix: String,
        /// Members of this Slack user group (id) may use /qotd and /reveal, besides admins.
        #[arg(long, env = "SLACK_MANAGER_GROUP_ID")]
        slack_manager_group_id: Option<String>,
        /// Seconds between checks for due schedules and closing questions.
        #[arg(long, env = "INTERVIEW_BOT_TICK_SECONDS", default_value_t = 30)]
        tick_seconds: u64,
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// Discord helpers.
    Discord {
        #[command(subcommand)]
        action: DiscordAction,
    },
    /// Run one study-group channel in the terminal, offline: members, commands, answers,
    /// reactions and clock moves are typed (or scripted) lines. See the README for the syntax.
    Console {
        /// SQLite database (created if missing).
        #[arg(long, env = "DATABASE_URL", default_value = store::DEFAULT_DATABASE_URL)]
        database: String,
        /// Read lines from this file instead of standard input.
        #[arg(long)]
        script: Option<PathBuf>,
        /// The simulated channel's name.
        #[arg(long, default_value = "study-group")]
        channel: String,
        /// Start the clock here (`2026-03-02 09:00 [Europe/Berlin]`) instead of now.
        #[arg(long)]
        now: Option<String>,
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// Score an answer read from standard input: against a bank question (`--question`), a
    /// reference answer (`--reference` / `--reference-file`), or many answers as JSON Lines
    /// (`--batch`).
    Score {
        /// The question id (see `questions list`).
        #[arg(long, conflicts_with_all = ["reference", "reference_file", "batch"])]
        question: Option<String>,
        /// A reference answer: the rubric is derived from its words.
        #[arg(long, conflicts_with = "reference_file")]
        reference: Option<String>,
        /// A file holding the reference answer.
        #[arg(long)]
        reference_file: Option<PathBuf>,
        /// The question text, so that words that merely repeat it count less.
        #[arg(long, default_value = "")]
        question_text: String,
        /// Read JSON Lines: {"id", "answer", "question_id"} or {"id", "answer", "reference",
        /// "question"}; write one JSON line per answer with the same id.
        #[arg(long)]
        batch: bool,
        /// Print the full report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Benchmarks.
    Bench {
        #[command(subcommand)]
        which: BenchWhich,
    },
    /// Inspect and check the question bank.
    Questions {
        #[command(subcommand)]
        action: QuestionsAction,
    },
}

/// Engine settings shared by every way of running the bot.
#[derive(clap::Args)]
struct EngineArgs {
    /// Hours a question stays open for points.
    #[arg(long, env = "INTERVIEW_BOT_CLOSE_HOURS", default_value_t = 24)]
    close_hours: u32,
    /// Emoji that count as votes (comma-separated; Unicode or Slack names).
    #[arg(
        long,
        env = "INTERVIEW_BOT_VOTE_EMOJI",
        value_delimiter = ',',
        default_value = "👍,+1,thumbsup"
    )]
    vote_emoji: Vec<String>,
    /// Cron (in the schedule's time zone) for the weekly leaderboard post.
    #[arg(
        long,
        env = "INTERVIEW_BOT_LEADERBOARD_CRON",
        default_value = "0 9 * * 1"
    )]
    leaderboard_cron: String,
    /// Seed for question choice (for reproducible runs).
    #[arg(long, env = "INTERVIEW_BOT_SEED")]
    seed: Option<u64>,
}

impl EngineArgs {
    fn config(&self) -> anyhow::Result<EngineConfig> {
        interview_bot::schedule::CronSpec::parse(&self.leaderboard_cron, "UTC")
            .context("--leaderboard-cron")?;
        anyhow::ensure!(self.close_hours > 0, "--close-hours must be at least 1");
        Ok(EngineConfig {
            close_after: Duration::hours(i64::from(self.close_hours)),
            vote_emoji: self.vote_emoji.clone(),
            leaderboard_cron: self.leaderboard_cron.clone(),
            seed: self.seed,
            ..EngineConfig::default()
        })
    }
}

#[derive(Subcommand)]
enum DiscordAction {
    /// Print the OAuth2 URL that adds the bot to a server with exactly the permissions it needs.
    InviteUrl {
        /// The application (client) id; read from DISCORD_TOKEN when omitted.
        #[arg(long, env = "DISCORD_CLIENT_ID")]
        client_id: Option<u64>,
        /// Used to find the client id when --client-id is not given.
        #[arg(long, env = "DISCORD_TOKEN", hide_env_values = true)]
        discord_token: Option<String>,
    },
}

#[derive(Subcommand)]
enum BenchWhich {
    /// Agreement with human graders on a shared set, Mohler (0-5) or SAF (0-1), told apart by
    /// the file's columns (reference-answer mode, leave-one-group-out linear map): Pearson r,
    /// RMSE, median per-question RMSE, speed.
    Asag {
        /// The data set (never copied into this repository).
        #[arg(long, default_value = "../shared/benchmarks/asag-mohler/mohler.csv")]
        data: PathBuf,
    },
    /// Agreement of the bank's rubrics with our own graded answers (tests/data/graded/):
    /// Pearson r, Spearman rho, pairs ordered, mean score per kind, correct answers flagged
    /// off-topic. Reports the tuning part and the held-out part separately.
    Graded {
        /// JSON Lines files of graded answers (default: tests/data/graded/tune.jsonl and
        /// holdout.jsonl).
        #[arg(long)]
        data: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum QuestionsAction {
    /// Validate every question file and run the self-checks; exits 1 on any problem.
    Lint,
    /// List questions, optionally of one topic and/or tier.
    List {
        /// Topic id or alias.
        #[arg(long)]
        topic: Option<String>,
        /// junior, mid, senior or staff (jr, sr, lead... also work).
        #[arg(long)]
        tier: Option<Tier>,
        /// One JSON array: id, topic, tier, prompt, concepts.
        #[arg(long)]
        json: bool,
    },
    /// A topic × tier table of question counts.
    Stats,
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Writes to standard output; a closed pipe (`| head`) ends quietly instead of panicking.
fn emit(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let load = || Bank::load_dir(&args.questions);
    match args.command {
        Command::Run {
            database,
            discord_token,
            discord_api_url,
            discord_guild_id,
            discord_manager_role_id,
            slack_bot_token,
            slack_app_token,
            slack_api_url,
            slack_command_prefix,
            slack_manager_group_id,
            tick_seconds,
            engine,
        } => {
            let config = engine.config()?;
            let bank = Arc::new(load()?);
            let present = |v: &Option<String>| v.as_deref().is_some_and(|t| !t.trim().is_empty());
            let discord_config = present(&discord_token).then(|| discord::DiscordConfig {
                token: discord_token.clone().unwrap_or_default(),
                api_url: discord_api_url,
                guild_id: discord_guild_id,
                manager_role: discord_manager_role_id,
            });
            let slack_config =
                (present(&slack_bot_token) && present(&slack_app_token)).then(|| {
                    slack::SlackConfig {
                        bot_token: slack_bot_token.clone().unwrap_or_default(),
                        app_token: slack_app_token.clone().unwrap_or_default(),
                        api_url: slack_api_url,
                        command_prefix: slack_command_prefix,
                        manager_group: slack_manager_group_id,
                    }
                });
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let code = runtime.block_on(async move {
                let pool = store::open(&database)
                    .await
                    .with_context(|| format!("opening the database {database}"))?;
                if discord_config.is_none() && slack_config.is_none() {
                    eprintln!(
                        "No platform is configured. Set DISCORD_TOKEN to run on Discord (deploy/discord.md), \
                         and/or SLACK_BOT_TOKEN and SLACK_APP_TOKEN to run on Slack (deploy/slack.md).\n\
                         To try the bot offline, run `interview-bot console`."
                    );
                    return anyhow::Ok(ExitCode::from(2));
                }
                let engine = Arc::new(interview_bot::engine::Engine::new(
                    pool,
                    bank,
                    config,
                    Arc::new(interview_bot::schedule::SystemClock),
                ));
                let discord_slot = Arc::new(tokio::sync::RwLock::new(None));
                let slack_slot = Arc::new(tokio::sync::RwLock::new(None));
                // Each platform starts on its own; one that fails to connect is retried without
                // holding up the other.
                if let Some(c) = discord_config {
                    let (slot, engine) = (discord_slot.clone(), engine.clone());
                    tokio::spawn(async move {
                        let mut wait = std::time::Duration::from_secs(5);
                        loop {
                            match discord::start(&c, engine.clone()).await {
                                Ok(bot) => {
                                    *slot.write().await = Some(bot);
                                    break;
                                }
                                Err(e) => tracing::error!(error = %e, retry_in = ?wait, "Discord did not start"),
                            }
                            tokio::time::sleep(wait).await;
                            wait = (wait * 2).min(std::time::Duration::from_secs(300));
                        }
                    });
                }
                if let Some(c) = slack_config {
                    let (slot, engine) = (slack_slot.clone(), engine.clone());
                    tokio::spawn(async move {
                        let mut wait = std::time::Duration::from_secs(5);
                        loop {
                            match slack::start(&c, engine.clone()).await {
                                Ok(bot) => {
                                    *slot.write().await = Some(bot);
                                    break;
                                }
                                Err(e) => tracing::error!(error = %e, retry_in = ?wait, "Slack did not start"),
                            }
                            tokio::time::sleep(wait).await;
                            wait = (wait * 2).min(std::time::Duration::from_secs(300));
                        }
                    });
                }
                let mut every =
                    tokio::time::interval(std::time::Duration::from_secs(tick_seconds.max(1)));
                let stop = shutdown_signal();
                tokio::pin!(stop);
                loop {
                    tokio::select! {
                        _ = every.tick() => {
                            let actions = match engine.tick().await {
                                Ok(a) => a,
                                Err(e) => {
                                    tracing::error!(error = %e, "scheduler tick failed");
                                    continue;
                                }
                            };
                            if let Some(bot) = discord_slot.read().await.as_ref() {
                                bot.deliver(&engine, actions.clone()).await;
                            }
                            if let Some(bot) = slack_slot.read().await.as_ref() {
                                bot.deliver(actions).await;
                            }
                        }
                        _ = &mut stop => break,
                    }
                }
                eprintln!("shutting down");
                if let Some(bot) = discord_slot.write().await.take() {
                    bot.shutdown().await;
                }
                if let Some(bot) = slack_slot.write().await.take() {
                    bot.shutdown().await;
                }
                engine.pool().close().await;
                anyhow::Ok(ExitCode::SUCCESS)
            })?;
            return Ok(code);
        }
        Command::Discord { action } => match action {
            DiscordAction::InviteUrl {
                client_id,
                discord_token,
            } => {
                let id = client_id
                    .or_else(|| discord_token.as_deref().and_then(discord::client_id_from_token))
                    .context(
                        "give --client-id (the application id on the Developer Portal's General Information page) or set DISCORD_TOKEN",
                    )?;
                emit(&format!("{}\n", discord::invite_url(id)))?;
            }
        },
        Command::Console {
            database,
            script,
            channel,
            now,
            engine,
        } => {
            let config = engine.config()?;
            let bank = Arc::new(load()?);
            let start = match now {
                Some(t) => console::parse_time(&t).with_context(|| {
                    format!("--now `{t}`: write e.g. `2026-03-02 09:00 Europe/Berlin`")
                })?,
                None => Utc::now().with_second(0).unwrap_or_else(Utc::now),
            };
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut session = Console::open(&database, bank, config, &channel, start)
                    .await
                    .with_context(|| format!("opening the database {database}"))?;
                let mut out = std::io::stdout();
                match script {
                    Some(path) => {
                        let file = std::fs::File::open(&path)
                            .with_context(|| format!("reading {}", path.display()))?;
                        session.run(BufReader::new(file), &mut out).await?;
                    }
                    None => {
                        eprintln!(
                            "interview-bot console: channel #{channel}, database {database}. Type `alice: /help` to start, Ctrl-D to leave."
                        );
                        session.run(std::io::stdin().lock(), &mut out).await?;
                    }
                }
                anyhow::Ok(())
            })?;
        }
        Command::Score {
            question,
            reference,
            reference_file,
            question_text,
            batch,
            json,
        } => {
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input)?;
            if batch {
                let bank = load().ok();
                emit(&cli::score_batch(bank.as_ref(), &input))?;
                return Ok(ExitCode::SUCCESS);
            }
            let reference = match (reference, reference_file) {
                (Some(r), _) => Some(r),
                (None, Some(f)) => Some(
                    std::fs::read_to_string(&f)
                        .with_context(|| format!("reading {}", f.display()))?,
                ),
                (None, None) => None,
            };
            let text = match (question, reference) {
                (Some(q), _) => cli::score_question(&load()?, &q, &input, json)?,
                (None, Some(r)) => cli::score_reference(&r, &question_text, &input, json)?,
                (None, None) => anyhow::bail!(
                    "say what to score against: --question ID, --reference TEXT, --reference-file F, or --batch"
                ),
            };
            emit(&format!("{text}\n"))?;
        }
        Command::Bench { which } => match which {
            BenchWhich::Asag { data } => match interview_bot::bench::asag_report(&data)? {
                Some(report) => emit(&report)?,
                None => emit(&format!(
                    "skipped: no data set at {} (pass --data PATH)\n",
                    data.display()
                ))?,
            },
            BenchWhich::Graded { data } => {
                let bank = load()?;
                let files = if data.is_empty() {
                    vec![
                        PathBuf::from("tests/data/graded/tune.jsonl"),
                        PathBuf::from("tests/data/graded/holdout.jsonl"),
                    ]
                } else {
                    data
                };
                for file in files {
                    let rows = interview_bot::bench::load_own(&file)?;
                    let r = interview_bot::bench::graded(&bank, &rows);
                    emit(&interview_bot::bench::graded_report(
                        &file.display().to_string(),
                        &r,
                    ))?;
                }
            }
        },
        Command::Questions { action } => match action {
            QuestionsAction::Lint => {
                let bank = match load() {
                    Ok(bank) => bank,
                    Err(errors) => {
                        for e in &errors.0 {
                            emit(&format!("{e}\n"))?;
                        }
                        eprintln!("{} problem(s) found", errors.0.len());
                        return Ok(ExitCode::FAILURE);
                    }
                };
                let n = cli::lint(&bank, &mut std::io::stdout())?;
                if n > 0 {
                    eprintln!("{n} problem(s) found");
                    return Ok(ExitCode::FAILURE);
                }
                emit(&format!(
                    "ok: {} questions in {} topics\n",
                    bank.questions().len(),
                    bank.topics().len()
                ))?;
            }
            QuestionsAction::List { topic, tier, json } => {
                emit(&cli::list(&load()?, topic.as_deref(), tier, json)?)?;
            }
            QuestionsAction::Stats => emit(&cli::stats(&load()?))?,
        },
    }
    Ok(ExitCode::SUCCESS)
}
