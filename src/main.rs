//! The `interview-bot` binary: parses the command line and starts what was asked for.

use std::io::{BufReader, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::{Duration, Timelike, Utc};
use clap::{Parser, Subcommand};
use secrecy::{ExposeSecret, SecretString};

use interview_bot::app::{self, Slot};
use interview_bot::bank::{Bank, Tier};
use interview_bot::cli;
use interview_bot::engine::{
    Engine, EngineConfig, Outbound, Ownership, DEFAULT_CLOSE_AFTER_HOURS, DEFAULT_LEADERBOARD_CRON,
};
use interview_bot::ops::server::{self, OpsState};
use interview_bot::platform::console::{self, Console};
use interview_bot::platform::discord::{self, DiscordBot};
use interview_bot::platform::slack::{self, SlackBot};
use interview_bot::schedule::SystemClock;
use interview_bot::store;

/// A study-group bot for practising technical interviews: scheduled questions, an answer
/// checker that names the mechanism you missed, peer votes and leaderboards.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Use the question files (TOML, one per topic) in this folder instead of the bank built
    /// into the binary. The folder replaces the built-in bank entirely (copy `questions/` from
    /// the repository and add to it to extend it); the checker's synonym table stays the
    /// built-in one.
    #[arg(long, global = true, env = "INTERVIEW_BOT_QUESTIONS")]
    questions: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot on every platform whose credentials are set (Discord: DISCORD_TOKEN).
    Run {
        #[command(flatten)]
        config: app::RunConfig,
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
        /// The database: `sqlite://FILE` (created if missing; the default) or
        /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DBNAME` (the database must exist).
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
        /// Write files (charts, `/privacy export`) here; default: `interview-bot-files` in the
        /// system's temporary folder.
        #[arg(long)]
        files: Option<PathBuf>,
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
    /// Inspect and check the question bank: the one built into the binary, or the files of
    /// `--questions DIR`.
    Questions {
        #[command(subcommand)]
        action: QuestionsAction,
    },
    /// Write a consistent copy of the database to FILE, safe while the bot runs (SQLite
    /// `VACUUM INTO`). Restore: stop the bot, replace the database file with the copy (delete
    /// its `-wal` and `-shm` files), start the bot (deploy/operations.md).
    Backup {
        /// The new file to write (never overwritten).
        file: PathBuf,
        /// The database to copy.
        #[arg(long, env = "DATABASE_URL", default_value = store::DEFAULT_DATABASE_URL)]
        database: String,
    },
    /// Copy every table of an SQLite database into a new, empty PostgreSQL database, ids
    /// kept, and check the leaderboards' rollups on arrival. Stop the bot first; afterwards
    /// start it with DATABASE_URL set to the PostgreSQL URL.
    MigrateDb {
        /// The SQLite database to copy from (`sqlite://FILE`; it must exist).
        #[arg(long)]
        from: String,
        /// The empty PostgreSQL database to copy into (`postgres://USER@HOST/DBNAME`; create
        /// it first, e.g. `createdb interview_bot`).
        #[arg(long)]
        to: String,
    },
}

/// Opens both databases (the source must exist: it is never created here) and copies
/// ([`store::copy_sqlite_to_postgres`]).
async fn migrate_db(from: &str, to: &str) -> anyhow::Result<store::CopySummary> {
    let postgres = to.starts_with("postgres://") || to.starts_with("postgresql://");
    if !(from.starts_with("sqlite:") && postgres) {
        anyhow::bail!(
            "migrate-db copies from SQLite to PostgreSQL: --from sqlite://FILE --to postgres://USER@HOST/DBNAME"
        );
    }
    let path = from
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or(path);
    if !std::path::Path::new(path).exists() {
        anyhow::bail!("there is no SQLite database at {path}: pass the bot's database file as --from sqlite://FILE");
    }
    let source = store::open(from)
        .await
        .with_context(|| format!("opening {from}"))?;
    let dest = store::open(to)
        .await
        .with_context(|| format!("opening {to} (create the database first, e.g. createdb)"))?;
    let summary = store::copy_sqlite_to_postgres(&source, &dest)
        .await
        .with_context(|| format!("copying {from} to {to}"))?;
    source.close().await;
    dest.close().await;
    Ok(summary)
}

/// Engine settings shared by every way of running the bot.
#[derive(clap::Args)]
struct EngineArgs {
    /// Hours a question stays open for points.
    #[arg(long, env = "INTERVIEW_BOT_CLOSE_HOURS", default_value_t = DEFAULT_CLOSE_AFTER_HOURS as u32)]
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
        default_value = DEFAULT_LEADERBOARD_CRON
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
        discord_token: Option<SecretString>,
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

/// How long each platform (and the database pool) may take to close after Ctrl-C or SIGTERM
/// before the process stops anyway (systemd's default stop timeout is 90 s).
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

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

/// `interview-bot run`: opens the store, starts every configured platform (each retried on its
/// own), ticks the scheduler until Ctrl-C or SIGTERM, then shuts the platforms down.
async fn run_bot(
    config: app::RunConfig,
    engine_config: EngineConfig,
    bank: Arc<Bank>,
) -> anyhow::Result<ExitCode> {
    let discord_config = config.discord()?;
    let slack_config = config.slack();
    if discord_config.is_none() && slack_config.is_none() {
        eprintln!(
            "No platform is configured. Set DISCORD_TOKEN to run on Discord (deploy/discord.md), \
             and/or SLACK_BOT_TOKEN and SLACK_APP_TOKEN to run on Slack (deploy/slack.md).\n\
             To try the bot offline, run `interview-bot console`."
        );
        return Ok(ExitCode::from(2));
    }
    let mut engine_config = engine_config;
    // Scheduled work only for what this process runs (several processes may share one
    // database: `engine::shards`).
    engine_config.ownership = Ownership {
        platforms: Some(
            [
                discord_config.as_ref().map(|_| "discord"),
                slack_config.as_ref().map(|_| "slack"),
            ]
            .into_iter()
            .flatten()
            .map(String::from)
            .collect(),
        ),
        discord_shards: discord_config.as_ref().and_then(|c| c.shards),
    };
    let pool = store::open(&config.database)
        .await
        .with_context(|| format!("opening the database {}", config.database))?;
    let engine = Arc::new(Engine::new(
        pool,
        bank,
        engine_config,
        Arc::new(SystemClock),
    ));
    let discord_slot: Slot<DiscordBot> = Slot::default();
    let slack_slot: Slot<SlackBot> = Slot::default();
    let (stop_ops, ops_stopped) = tokio::sync::oneshot::channel::<()>();
    if let Some(addr) = config.metrics_addr {
        let mut platforms = Vec::new();
        if discord_config.is_some() {
            platforms.push(("discord", app::discord_probe(discord_slot.clone())));
        }
        if slack_config.is_some() {
            platforms.push(("slack", app::slack_probe(slack_slot.clone())));
        }
        let state = OpsState {
            pool: engine.pool().clone(),
            platforms,
            metrics: interview_bot::ops::metrics::install()?,
        };
        let stop = async {
            let _ = ops_stopped.await;
        };
        let (bound, _) = server::serve(addr, state, stop).await.with_context(|| {
            format!("--metrics-addr {addr}: cannot listen there; choose another address or port")
        })?;
        eprintln!("serving /healthz and /metrics on http://{bound}");
    }
    if let Some(c) = discord_config {
        let engine = engine.clone();
        app::spawn_with_backoff("discord", discord_slot.clone(), move || {
            let (c, engine) = (c.clone(), engine.clone());
            async move { discord::start(&c, engine).await }
        });
    }
    if let Some(c) = slack_config {
        let engine = engine.clone();
        app::spawn_with_backoff("slack", slack_slot.clone(), move || {
            let (c, engine) = (c.clone(), engine.clone());
            async move { slack::start(&c, engine).await }
        });
    }
    let deliver = |actions: Vec<Outbound>| {
        let (discord, slack, engine) = (discord_slot.clone(), slack_slot.clone(), engine.clone());
        async move {
            if let Some(bot) = discord.read().await.as_ref() {
                bot.deliver(&engine, actions.clone()).await;
            }
            if let Some(bot) = slack.read().await.as_ref() {
                bot.deliver(actions).await;
            }
        }
    };
    app::tick_loop(&engine, config.tick_every(), deliver, shutdown_signal()).await;
    eprintln!("shutting down");
    let _ = stop_ops.send(());
    // A platform that does not finish closing (a gateway stuck reconnecting) must not keep the
    // process from stopping: each gets SHUTDOWN_GRACE, then the process exits anyway.
    if let Some(bot) = discord_slot.write().await.take() {
        if tokio::time::timeout(SHUTDOWN_GRACE, bot.shutdown())
            .await
            .is_err()
        {
            eprintln!("Discord did not close within {SHUTDOWN_GRACE:?}; stopping anyway");
        }
    }
    if let Some(bot) = slack_slot.write().await.take() {
        if tokio::time::timeout(SHUTDOWN_GRACE, bot.shutdown())
            .await
            .is_err()
        {
            eprintln!("Slack did not close within {SHUTDOWN_GRACE:?}; stopping anyway");
        }
    }
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, engine.pool().close()).await;
    Ok(ExitCode::SUCCESS)
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let load = || Bank::load(args.questions.as_deref());
    match args.command {
        Command::Run { config, engine } => {
            let engine_config = engine.config()?;
            let bank = Arc::new(load()?);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            return runtime.block_on(run_bot(config, engine_config, bank));
        }
        Command::Discord { action } => match action {
            DiscordAction::InviteUrl {
                client_id,
                discord_token,
            } => {
                let id = client_id
                    .or_else(|| {
                        discord_token
                            .as_ref()
                            .and_then(|t| discord::client_id_from_token(t.expose_secret()))
                    })
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
            files,
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
                    .with_context(|| format!("opening the database {database}"))?
                    .with_files_dir(files.unwrap_or_else(console::default_files_dir));
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
        Command::Backup { file, database } => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let summary = runtime
                .block_on(store::backup(&database, &file))
                .with_context(|| format!("backing up {database} to {}", file.display()))?;
            emit(&format!(
                "backed up {database} to {}: {} bytes, {} posts, {} answers\n",
                file.display(),
                summary.bytes,
                summary.posts,
                summary.answers
            ))?;
        }
        Command::MigrateDb { from, to } => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let summary = runtime.block_on(migrate_db(&from, &to))?;
            let mut text = format!("copied {from} to {to}:\n");
            for (table, rows) in &summary.tables {
                text.push_str(&format!("  {table}: {rows} rows\n"));
            }
            text.push_str(&format!(
                "  rollups derived: {} rows, equal to the source's\n",
                summary.rollup_rows
            ));
            emit(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
