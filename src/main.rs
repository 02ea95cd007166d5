//! The `interview-bot` binary: parses the command line and starts what was asked for.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use interview_bot::bank::{Bank, Tier};
use interview_bot::cli;

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

fn main() -> ExitCode {
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
        Command::Score { question, json } => {
            let bank = load()?;
            let mut answer = String::new();
            std::io::stdin().read_to_string(&mut answer)?;
            println!("{}", cli::score_question(&bank, &question, &answer, json)?);
        }
        Command::Questions { action } => match action {
            QuestionsAction::Lint => {
                let bank = match load() {
                    Ok(bank) => bank,
                    Err(errors) => {
                        for e in &errors.0 {
                            println!("{e}");
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
                println!(
                    "ok: {} questions in {} topics",
                    bank.questions().len(),
                    bank.topics().len()
                );
            }
            QuestionsAction::List { topic, tier, json } => {
                print!("{}", cli::list(&load()?, topic.as_deref(), tier, json)?);
            }
            QuestionsAction::Stats => print!("{}", cli::stats(&load()?)),
        },
    }
    Ok(ExitCode::SUCCESS)
}
