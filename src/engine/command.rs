//! Commands, parsed once from what a person typed (`/ask gil senior`) into one typed enum.
//! Adapters with structured options (Discord's slash-command options) build the enum directly.

use crate::bank::Tier;

/// A leaderboard period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    /// This ISO week (Monday 00:00 to Monday 00:00 in the channel's time zone).
    #[default]
    Week,
    /// This calendar month in the channel's time zone.
    Month,
    /// All time.
    All,
}

impl Period {
    /// Reads `week`, `month` or `all` (also `weekly`, `monthly`, `alltime`, `all-time`).
    pub fn from_word(w: &str) -> Option<Period> {
        match w.to_lowercase().as_str() {
            "week" | "weekly" | "w" => Some(Period::Week),
            "month" | "monthly" | "m" => Some(Period::Month),
            "all" | "alltime" | "all-time" | "ever" => Some(Period::All),
            _ => None,
        }
    }
}

/// `/qotd` subcommands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Qotd {
    /// Schedule the question of the day in this channel (replaces an existing schedule).
    Schedule {
        /// Five-field cron expression, e.g. `0 9 * * 1-5`.
        cron: String,
        /// Tier filter (any tier when `None`).
        tier: Option<Tier>,
        /// Topic id or alias (any topic when `None`).
        topic: Option<String>,
        /// IANA time zone (the channel's, or UTC, when `None`).
        time_zone: Option<String>,
        /// Its questions take answers privately, revealed together at the close (the word
        /// `blind`; Discord's `blind:true`).
        blind: bool,
    },
    /// Stop posting until resumed.
    Pause,
    /// Start posting again (no catch-up for the paused time).
    Resume,
    /// Post the scheduled question now (the schedule itself is unchanged).
    Now,
    /// Show the schedule and its next run.
    Status,
    /// Delete the schedule (and the weekly leaderboard).
    Remove,
}

/// `/privacy` subcommands: what the bot stores about the member who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privacy {
    /// Send me my answers, scores, votes and hints in this workspace as a JSON file.
    Export,
    /// Delete my answers, votes (given, and received on my answers), hints and name in this
    /// workspace. Without `confirm` it only says what would go and asks for the confirmation.
    Forget {
        /// `/privacy forget confirm`: go ahead (within the confirmation window).
        confirm: bool,
    },
}

/// A command a member gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Post a question now; random topic and/or tier where omitted.
    Ask {
        /// Topic id or alias as typed.
        topic: Option<String>,
        /// Tier.
        tier: Option<Tier>,
        /// Answers are submitted privately and revealed together at the close (the word
        /// `blind`; Discord's `blind:true`).
        blind: bool,
    },
    /// Manage the schedule (needs the manage permission).
    Qotd(Qotd),
    /// Show a leaderboard.
    Leaderboard {
        /// Week, month or all time.
        period: Period,
        /// Only answers to questions of this tier.
        tier: Option<Tier>,
        /// Every channel of the workspace (Slack team, Discord guild) instead of this channel.
        workspace: bool,
    },
    /// A member's statistics: yours, or the named member's (`@name` or a platform user id).
    Stats {
        /// Who; `None` for yourself.
        user: Option<String>,
    },
    /// The next hint for you on this thread's question, privately.
    Hint,
    /// Close the question now and reveal the reference answer (needs the manage permission).
    Reveal,
    /// What the bot can do.
    Help,
    /// Your data: export it or have it forgotten.
    Privacy(Privacy),
    /// The workspace's own questions (`engine::question_command`).
    Question(super::question_command::QuestionCmd),
}

/// What is wrong with a command, shown to the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not a command we know.
    #[error(
        "unknown command `/{0}`: try /ask, /qotd, /leaderboard, /stats, /hint, /reveal, /privacy, /question or /help"
    )]
    UnknownCommand(String),
    /// A subcommand we do not know.
    #[error("unknown `/qotd {0}`: use schedule, pause, resume, now, status or remove")]
    UnknownQotd(String),
    /// Quotes do not balance, or similar.
    #[error("could not read the command ({0}); check the quotes")]
    Syntax(String),
    /// Something is missing.
    #[error("{0}")]
    Missing(String),
    /// An argument we cannot place.
    #[error("{0}")]
    Unexpected(String),
}

/// The help text shown by `/help`.
pub const HELP: &str = "\
**interview-bot**: practise technical interviews together.
• `/ask [topic] [tier] [blind]`: a question now, e.g. `/ask gil senior` (topic and tier are optional; tiers: junior, mid, senior, staff); with `blind`, answers go in privately (the Answer button) and are revealed together when it closes
• Answer in the question's thread: the checker scores how well you explain the *mechanism*, and tells you privately what you missed. Edit to improve; delete to withdraw.
• Vote for good answers with 👍 (not your own). Points = checker score × tier factor + 10 per voter (up to 5).
• `/hint`: in a thread, the next hint for what your answer is missing (private)
• `/leaderboard [week|month|all] [tier] [workspace]` (this channel, or every channel with `workspace`) · `/stats [@member]`
• `/qotd schedule \"0 9 * * 1-5\" [tier] [topic] [time zone] [blind]`: a question every weekday at 09:00 (cron: minute hour day month weekday; time zone such as Europe/Berlin)
• `/qotd pause|resume|now|status|remove` · `/reveal`: close the question and show the reference answer (these need the manage permission)
• `/question list` · `/question suggest`: propose a question of your own for this workspace (a manager approves it) · managers: `/question add|import|remove|export|review|approve|reject`
• `/privacy export`: your answers, scores and votes here as a JSON file (only you get it) · `/privacy forget`: delete them and your name here (asks you to confirm first)";

/// Splits a command line into words, honouring quotes (`"0 9 * * 1-5"`).
fn words(text: &str) -> Result<Vec<String>, ParseError> {
    shell_words::split(text).map_err(|e| ParseError::Syntax(e.to_string()))
}

/// Does this word look like an IANA time zone name?
fn looks_like_time_zone(w: &str) -> bool {
    w.contains('/') || w.eq_ignore_ascii_case("utc") || w.eq_ignore_ascii_case("gmt")
}

/// `blind` (any case) asks for blind answers in `/ask` and `/qotd schedule`.
fn is_blind_word(w: &str) -> bool {
    w.eq_ignore_ascii_case("blind")
}

/// Parses a command line such as `/ask gil senior` or `ask gil senior`.
pub fn parse(text: &str) -> Result<Command, ParseError> {
    let text = text.trim();
    let text = text.strip_prefix('/').unwrap_or(text);
    let mut args = words(text)?;
    if args.is_empty() {
        return Err(ParseError::Missing("empty command: try /help".into()));
    }
    let name = args.remove(0).to_lowercase();
    match name.as_str() {
        "ask" | "q" => {
            let mut tier = None;
            let mut topic = Vec::new();
            let mut blind = false;
            for a in args {
                match Tier::from_word(&a) {
                    Some(t) if tier.is_none() => tier = Some(t),
                    _ if is_blind_word(&a) => blind = true,
                    _ => topic.push(a),
                }
            }
            let topic = topic.join(" ");
            let topic = match topic.to_lowercase().as_str() {
                "" | "any" | "random" => None,
                _ => Some(topic),
            };
            Ok(Command::Ask { topic, tier, blind })
        }
        "qotd" => parse_qotd(args),
        "leaderboard" | "lb" | "top" => {
            let mut period = Period::default();
            let mut tier = None;
            let mut workspace = false;
            for a in args {
                if let Some(p) = Period::from_word(&a) {
                    period = p;
                } else if let Some(t) = Tier::from_word(&a) {
                    tier = Some(t);
                } else if matches!(
                    a.to_lowercase().as_str(),
                    "workspace" | "server" | "guild" | "team" | "everywhere"
                ) {
                    workspace = true;
                } else {
                    return Err(ParseError::Unexpected(format!(
                        "`{a}` is neither a period (week, month, all), a tier (junior, mid, senior, staff) nor `workspace`"
                    )));
                }
            }
            Ok(Command::Leaderboard {
                period,
                tier,
                workspace,
            })
        }
        "stats" | "me" => Ok(Command::Stats {
            // `<@U123|alice>` (Slack), `<@123>` (Discord), `@alice`, `alice`
            user: args.first().map(|u| {
                let u = u
                    .trim_start_matches("<@")
                    .trim_start_matches('@')
                    .trim_end_matches('>');
                u.split('|').next().unwrap_or(u).to_string()
            }),
        }),
        "hint" => Ok(Command::Hint),
        "reveal" => Ok(Command::Reveal),
        "help" | "start" => Ok(Command::Help),
        "privacy" => parse_privacy(&args),
        "question" | "questions" => super::question_command::parse(args).map(Command::Question),
        other => Err(ParseError::UnknownCommand(other.to_string())),
    }
}

fn parse_privacy(args: &[String]) -> Result<Command, ParseError> {
    let words: Vec<String> = args.iter().map(|a| a.to_lowercase()).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["export"] => Ok(Command::Privacy(Privacy::Export)),
        ["forget"] => Ok(Command::Privacy(Privacy::Forget { confirm: false })),
        ["forget", "confirm"] => Ok(Command::Privacy(Privacy::Forget { confirm: true })),
        [] => Err(ParseError::Missing(
            "`/privacy` needs a subcommand: `/privacy export` (your data as a file) or `/privacy forget` (delete it)".into(),
        )),
        _ => Err(ParseError::Unexpected(format!(
            "unknown `/privacy {}`: use `/privacy export`, `/privacy forget`, then `/privacy forget confirm`",
            args.join(" ")
        ))),
    }
}

fn parse_qotd(mut args: Vec<String>) -> Result<Command, ParseError> {
    if args.is_empty() {
        return Err(ParseError::Missing(
            "`/qotd` needs a subcommand: schedule, pause, resume, now, status or remove".into(),
        ));
    }
    let sub = args.remove(0).to_lowercase();
    let q = match sub.as_str() {
        "pause" | "stop" => Qotd::Pause,
        "resume" | "start" => Qotd::Resume,
        "now" => Qotd::Now,
        "status" | "show" => Qotd::Status,
        "remove" | "delete" | "unschedule" => Qotd::Remove,
        "schedule" | "set" => {
            if args.is_empty() {
                return Err(ParseError::Missing(format!(
                    "`/qotd schedule` needs a cron expression, e.g. `/qotd schedule \"{}\" mid Europe/Berlin`",
                    "0 9 * * 1-5"
                )));
            }
            // A quoted cron is one word with spaces; an unquoted one is the first five words.
            let cron = if args[0].contains(' ') {
                args.remove(0)
            } else {
                let n = args.len().min(5);
                args.drain(..n).collect::<Vec<_>>().join(" ")
            };
            let (mut tier, mut time_zone, mut topic) = (None, None, Vec::new());
            let mut blind = false;
            for a in args {
                if is_blind_word(&a) {
                    blind = true;
                } else if tier.is_none() && Tier::from_word(&a).is_some() {
                    tier = Tier::from_word(&a);
                } else if time_zone.is_none() && looks_like_time_zone(&a) {
                    time_zone = Some(a);
                } else {
                    topic.push(a);
                }
            }
            Qotd::Schedule {
                cron,
                tier,
                topic: (!topic.is_empty()).then(|| topic.join(" ")),
                time_zone,
                blind,
            }
        }
        other => return Err(ParseError::UnknownQotd(other.to_string())),
    };
    Ok(Command::Qotd(q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_of_commands() {
        let cases: &[(&str, Command)] = &[
            (
                "/ask gil senior",
                Command::Ask {
                    topic: Some("gil".into()),
                    tier: Some(Tier::Senior),
                    blind: false,
                },
            ),
            (
                "/ask SR gil",
                Command::Ask {
                    topic: Some("gil".into()),
                    tier: Some(Tier::Senior),
                    blind: false,
                },
            ),
            (
                "/ask",
                Command::Ask {
                    topic: None,
                    tier: None,
                    blind: false,
                },
            ),
            (
                "/ask lead",
                Command::Ask {
                    topic: None,
                    tier: Some(Tier::Staff),
                    blind: false,
                },
            ),
            (
                "/ask global interpreter lock jr",
                Command::Ask {
                    topic: Some("global interpreter lock".into()),
                    tier: Some(Tier::Junior),
                    blind: false,
                },
            ),
            (
                "/qotd schedule \"0 9 * * 1-5\" mid Europe/Berlin",
                Command::Qotd(Qotd::Schedule {
                    cron: "0 9 * * 1-5".into(),
                    tier: Some(Tier::Mid),
                    topic: None,
                    time_zone: Some("Europe/Berlin".into()),
                    blind: false,
                }),
            ),
            (
                "/qotd schedule 30 8 * * * staff gil UTC",
                Command::Qotd(Qotd::Schedule {
                    cron: "30 8 * * *".into(),
                    tier: Some(Tier::Staff),
                    topic: Some("gil".into()),
                    time_zone: Some("UTC".into()),
                    blind: false,
                }),
            ),
            (
                "/ask gil senior blind",
                Command::Ask {
                    topic: Some("gil".into()),
                    tier: Some(Tier::Senior),
                    blind: true,
                },
            ),
            (
                "/qotd schedule \"0 9 * * 1-5\" Blind mid",
                Command::Qotd(Qotd::Schedule {
                    cron: "0 9 * * 1-5".into(),
                    tier: Some(Tier::Mid),
                    topic: None,
                    time_zone: None,
                    blind: true,
                }),
            ),
            ("/qotd pause", Command::Qotd(Qotd::Pause)),
            (
                "/leaderboard month senior",
                Command::Leaderboard {
                    period: Period::Month,
                    tier: Some(Tier::Senior),
                    workspace: false,
                },
            ),
            (
                "/leaderboard",
                Command::Leaderboard {
                    period: Period::Week,
                    tier: None,
                    workspace: false,
                },
            ),
            (
                "/leaderboard all workspace",
                Command::Leaderboard {
                    period: Period::All,
                    tier: None,
                    workspace: true,
                },
            ),
            (
                "/stats <@U123|alice>",
                Command::Stats {
                    user: Some("U123".into()),
                },
            ),
            (
                "/stats @alice",
                Command::Stats {
                    user: Some("alice".into()),
                },
            ),
            (
                "/stats <@1234>",
                Command::Stats {
                    user: Some("1234".into()),
                },
            ),
            ("/hint", Command::Hint),
            ("reveal", Command::Reveal),
            ("/privacy export", Command::Privacy(Privacy::Export)),
            (
                "/privacy forget",
                Command::Privacy(Privacy::Forget { confirm: false }),
            ),
            (
                "/privacy Forget CONFIRM",
                Command::Privacy(Privacy::Forget { confirm: true }),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(&parse(text).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn errors_say_what_to_do() {
        assert!(matches!(
            parse("/asq gil"),
            Err(ParseError::UnknownCommand(_))
        ));
        assert!(matches!(
            parse("/qotd sched"),
            Err(ParseError::UnknownQotd(_))
        ));
        assert!(parse("/qotd schedule")
            .unwrap_err()
            .to_string()
            .contains("0 9 * * 1-5"));
        assert!(matches!(parse("/ask \"gil"), Err(ParseError::Syntax(_))));
        assert!(matches!(
            parse("/leaderboard yearly"),
            Err(ParseError::Unexpected(_))
        ));
        assert!(parse("/privacy")
            .unwrap_err()
            .to_string()
            .contains("/privacy export"));
        assert!(parse("/privacy delete")
            .unwrap_err()
            .to_string()
            .contains("/privacy forget confirm"));
    }
}
