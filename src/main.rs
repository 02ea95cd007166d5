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
    /// Score an answer read from standard input against a bank question.
    Score {
        /// The question id (see `questions list`).
        #[arg(long)]
        question: String,
        /// Print the full report as JSON.
        #[arg(long)]
        json: bool,
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
        Command::Score { question, json } => {
            let bank = load()?;
            let mut answer = String::new();
            std::io::stdin().read_to_string(&mut answer)?;
            emit(&format!(
                "{}\n",
                cli::score_question(&bank, &question, &answer, json)?
            ))?;
        }
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
