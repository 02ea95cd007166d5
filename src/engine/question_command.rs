//! `/question ...`: the workspace's own questions, as a typed command and its text parser (the
//! console and Slack type it; Discord builds it from options and a modal).
//!
//! Text form of the question fields (console and Slack, any order, values quoted when they
//! have spaces): `/question add tier=mid topic=gil prompt="..." reference="..." [follow_up="..."]`.

use super::command::ParseError;
pub use crate::bank::QuestionForm;

/// Where an imported file comes from. Adapters fetch the file and pass [`ImportSource::Fetched`]
/// (or [`ImportSource::Failed`]); the parser gives [`ImportSource::Named`], what was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportSource {
    /// A path, URL or Slack file id as typed; the adapter has not fetched it (the engine asks
    /// for an attachment).
    Named(String),
    /// The file's name and text.
    Fetched {
        /// File name (shown in errors).
        name: String,
        /// Its text (TOML in the bank's format).
        text: String,
    },
    /// The adapter could not fetch it.
    Failed {
        /// What was asked for.
        name: String,
        /// Why, in words for the member.
        error: String,
    },
}

/// `/question` subcommands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionCmd {
    /// Store a question for this workspace, live at once (managers).
    Add(QuestionForm),
    /// Suggest a question; a manager approves or rejects it (anyone).
    Suggest(QuestionForm),
    /// Store the questions of a bank-format `.toml` file, checked like the bank (managers).
    Import(ImportSource),
    /// The workspace's live questions (anyone).
    List,
    /// Remove a live or pending question (managers); its posts keep rendering.
    Remove(String),
    /// The live questions as bank-format TOML files, one per topic (managers).
    Export,
    /// The suggestions waiting for review (managers).
    Review,
    /// Approve a suggestion: it goes live (managers).
    Approve(String),
    /// Reject a suggestion (managers).
    Reject(String),
}

/// Keys of the text form, with the aliases people type.
fn field<'a>(form: &'a mut QuestionForm, key: &str) -> Option<&'a mut String> {
    Some(match key {
        "prompt" | "question" | "q" => &mut form.prompt,
        "tier" | "level" => &mut form.tier,
        "topic" => &mut form.topic,
        "reference" | "reference_answer" | "answer" | "ref" => &mut form.reference,
        _ => return None,
    })
}

/// Reads `key=value` words into a form.
///
/// Errors: a word without `=`, an unknown key, or a required field missing.
pub fn parse_form(sub: &str, args: &[String]) -> Result<QuestionForm, ParseError> {
    let usage = format!(
        "`/question {sub}` takes tier=..., topic=..., prompt=\"...\", reference=\"...\" and optionally follow_up=\"...\", e.g. `/question {sub} tier=mid topic=gil prompt=\"Why ...?\" reference=\"Because ...\"`"
    );
    let mut form = QuestionForm::default();
    for a in args {
        let Some((key, value)) = a.split_once('=') else {
            return Err(ParseError::Unexpected(format!(
                "`{a}` is not key=value: {usage}"
            )));
        };
        let key = key.trim().to_lowercase().replace('-', "_");
        if matches!(key.as_str(), "follow_up" | "followup" | "follow") {
            form.follow_up = Some(value.to_string());
        } else if let Some(slot) = field(&mut form, &key) {
            *slot = value.to_string();
        } else {
            return Err(ParseError::Unexpected(format!(
                "unknown field `{key}`: {usage}"
            )));
        }
    }
    let missing: Vec<&str> = [
        ("prompt", &form.prompt),
        ("tier", &form.tier),
        ("topic", &form.topic),
        ("reference", &form.reference),
    ]
    .into_iter()
    .filter(|(_, v)| v.trim().is_empty())
    .map(|(k, _)| k)
    .collect();
    if !missing.is_empty() {
        return Err(ParseError::Missing(format!(
            "missing {}: {usage}",
            missing.join(", ")
        )));
    }
    Ok(form)
}

/// Parses the words after `/question`.
///
/// Errors: an unknown or missing subcommand or argument, with what to type instead.
pub fn parse(mut args: Vec<String>) -> Result<QuestionCmd, ParseError> {
    const SUBS: &str = "add, suggest, import, list, remove, export, review, approve or reject";
    if args.is_empty() {
        return Err(ParseError::Missing(format!(
            "`/question` needs a subcommand: {SUBS}"
        )));
    }
    let sub = args.remove(0).to_lowercase();
    let one_id = |args: &[String], sub: &str| {
        match args {
        [id] => Ok(id.clone()),
        _ => Err(ParseError::Missing(format!(
            "`/question {sub}` takes one question id, e.g. `/question {sub} custom-3` (see `/question list` or `/question review`)"
        ))),
    }
    };
    Ok(match sub.as_str() {
        "add" | "new" => QuestionCmd::Add(parse_form("add", &args)?),
        "suggest" | "propose" => QuestionCmd::Suggest(parse_form("suggest", &args)?),
        "import" => match args.as_slice() {
            [source] => QuestionCmd::Import(ImportSource::Named(source.clone())),
            _ => {
                return Err(ParseError::Missing(
                    "`/question import` takes one file: a path on the console, an attachment on Discord, a shared file's link or id on Slack (or `/question import` alone, to paste the text)".into(),
                ))
            }
        },
        "list" | "ls" => QuestionCmd::List,
        "export" => QuestionCmd::Export,
        "review" | "pending" => QuestionCmd::Review,
        "remove" | "delete" | "rm" => QuestionCmd::Remove(one_id(&args, "remove")?),
        "approve" | "accept" => QuestionCmd::Approve(one_id(&args, "approve")?),
        "reject" | "decline" => QuestionCmd::Reject(one_id(&args, "reject")?),
        other => {
            return Err(ParseError::Unexpected(format!(
                "unknown `/question {other}`: use {SUBS}"
            )))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::command::{parse as parse_command, Command};

    #[test]
    fn table_of_question_commands() {
        let form = QuestionForm {
            prompt: "Why squash?".into(),
            tier: "mid".into(),
            topic: "git".into(),
            reference: "It keeps history linear".into(),
            follow_up: None,
        };
        let cases: &[(&str, QuestionCmd)] = &[
            (
                r#"/question add tier=mid topic=git prompt="Why squash?" reference="It keeps history linear""#,
                QuestionCmd::Add(form.clone()),
            ),
            (
                r#"/question suggest topic=git tier=mid ref="It keeps history linear" question="Why squash?" follow-up="When not?""#,
                QuestionCmd::Suggest(QuestionForm {
                    follow_up: Some("When not?".into()),
                    ..form.clone()
                }),
            ),
            (
                "/question import ./team.toml",
                QuestionCmd::Import(ImportSource::Named("./team.toml".into())),
            ),
            ("/question list", QuestionCmd::List),
            ("/question export", QuestionCmd::Export),
            ("/question review", QuestionCmd::Review),
            (
                "/question remove custom-3",
                QuestionCmd::Remove("custom-3".into()),
            ),
            ("/question approve 4", QuestionCmd::Approve("4".into())),
            (
                "/question reject custom-5",
                QuestionCmd::Reject("custom-5".into()),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_command(text).unwrap(),
                Command::Question(want.clone()),
                "{text}"
            );
        }
    }

    #[test]
    fn errors_say_what_to_type() {
        let e = parse_command("/question add tier=mid topic=git")
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing prompt, reference"), "{e}");
        let e = parse_command("/question add colour=red")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `colour`"), "{e}");
        let e = parse_command("/question approve").unwrap_err().to_string();
        assert!(e.contains("custom-3"), "{e}");
        let e = parse_command("/question frobnicate")
            .unwrap_err()
            .to_string();
        assert!(e.contains("add, suggest, import"), "{e}");
    }
}
