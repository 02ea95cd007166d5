//! `/question ...`: a workspace's own questions (Discord guild, Slack team; the console's
//! channels form one). Managers add (`add`: the question's fields; `import`: a bank-format
//! `.toml` file, checked with the bank's loader and self-checks), remove, export and review;
//! anyone lists and suggests. Live questions join `/ask` and schedules of their workspace only
//! (`engine::questions`); ids are `custom-<n>`.

use crate::bank::custom::{self, CustomQuestion};
use crate::bank::{BankError, BankErrors, CUSTOM_ID_PREFIX};
use crate::engine::dispatch::{Core, Ctx};
use crate::engine::event::{Attachment, Outbound};
use crate::engine::question_command::{ImportSource, QuestionCmd, QuestionForm};
use crate::engine::questions::{custom_number, workspace_of};
use crate::engine::{Error, UserError};
use crate::store::custom::{self as stored, CustomRow, CustomStatus, NewCustom, Workspace};
use crate::store::{Conn, MemberId};

/// The name errors give the fields of `/question add` and `/question suggest`.
pub const FORM_NAME: &str = "the question form";

/// Characters of a prompt shown in a list line.
const LIST_PROMPT_CHARS: usize = 120;

/// At most this many problems are listed for one file (the rest are counted).
const MAX_PROBLEMS_SHOWN: usize = 12;

impl Core {
    /// Runs a `/question` subcommand in the writer's transaction.
    pub(crate) async fn question_command(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        member: MemberId,
        cmd: QuestionCmd,
    ) -> Result<Vec<Outbound>, Error> {
        let ws = workspace_of(&ctx.channel);
        let manager_only = match &cmd {
            QuestionCmd::Add(_) => Some("/question add"),
            QuestionCmd::Import(_) => Some("/question import"),
            QuestionCmd::Remove(_) => Some("/question remove"),
            QuestionCmd::Export => Some("/question export"),
            QuestionCmd::Review => Some("/question review"),
            QuestionCmd::Approve(_) => Some("/question approve"),
            QuestionCmd::Reject(_) => Some("/question reject"),
            QuestionCmd::Suggest(_) | QuestionCmd::List => None,
        };
        if let Some(name) = manager_only.filter(|_| !ctx.actor.can_manage) {
            return Err(UserError::NotAllowed(name).into());
        }
        let text = match cmd {
            QuestionCmd::Add(form) => self.add_form(conn, ctx, &ws, member, &form, true).await?,
            QuestionCmd::Suggest(form) => {
                self.add_form(conn, ctx, &ws, member, &form, false).await?
            }
            QuestionCmd::Import(source) => self.import(conn, ctx, &ws, member, source).await?,
            QuestionCmd::List => list(conn, &ws).await?,
            QuestionCmd::Review => review(conn, &ws).await?,
            QuestionCmd::Export => return self.export(conn, ctx, &ws).await,
            QuestionCmd::Remove(id) => {
                let n = number(&id)?;
                let from = [CustomStatus::Live, CustomStatus::Pending];
                stored::set_custom_status(conn, &ws, n, &from, CustomStatus::Removed, ctx.now)
                    .await?
                    .ok_or_else(|| not_found(n, "live or waiting for review"))?;
                format!("Removed {CUSTOM_ID_PREFIX}{n}: it no longer joins `/ask` and schedules here (questions already posted keep their text).")
            }
            QuestionCmd::Approve(id) => {
                let n = number(&id)?;
                let from = [CustomStatus::Pending];
                stored::set_custom_status(conn, &ws, n, &from, CustomStatus::Live, ctx.now)
                    .await?
                    .ok_or_else(|| not_found(n, "waiting for review"))?;
                format!("Approved {CUSTOM_ID_PREFIX}{n}: it now joins `/ask` and schedules here.")
            }
            QuestionCmd::Reject(id) => {
                let n = number(&id)?;
                let from = [CustomStatus::Pending];
                stored::set_custom_status(conn, &ws, n, &from, CustomStatus::Rejected, ctx.now)
                    .await?
                    .ok_or_else(|| not_found(n, "waiting for review"))?;
                format!("Rejected {CUSTOM_ID_PREFIX}{n}.")
            }
        };
        Ok(vec![ctx.private(text)])
    }

    /// `/question add` (live) or `/question suggest` (pending): the fields checked as a
    /// one-question file.
    async fn add_form(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        ws: &Workspace,
        member: MemberId,
        form: &QuestionForm,
        live: bool,
    ) -> Result<String, Error> {
        let q = custom::load_form(FORM_NAME, form, &self.bank)
            .map_err(|e| problems(FORM_NAME, "the question was not stored", e))?;
        if let Some(n) = stored::custom_with_prompt(conn, ws, &q.question.prompt).await? {
            return Err(UserError::Question(format!(
                "{CUSTOM_ID_PREFIX}{n} already asks this here; nothing was stored."
            ))
            .into());
        }
        let status = if live {
            CustomStatus::Live
        } else {
            CustomStatus::Pending
        };
        let n = store_one(conn, ws, &q, status, member, ctx).await?;
        let what = format!(
            "{CUSTOM_ID_PREFIX}{n} ({} · {}): “{}”",
            q.question.tier,
            q.topic_name,
            clip(&q.question.prompt)
        );
        Ok(if live {
            format!("Added {what}. Answers are scored against your reference answer; it joins `/ask` and schedules here.")
        } else {
            format!("Suggested {what}. A manager reviews it (`/question review`); once approved it joins `/ask` here.")
        })
    }

    /// `/question import`: every question of the file, or none when any problem is found.
    async fn import(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        ws: &Workspace,
        member: MemberId,
        source: ImportSource,
    ) -> Result<String, Error> {
        let (name, text) = match source {
            ImportSource::Fetched { name, text } => (name, text),
            ImportSource::Failed { name, error } => {
                return Err(UserError::Question(format!(
                    "could not read `{name}`: {error}; nothing was imported."
                ))
                .into())
            }
            ImportSource::Named(name) => {
                return Err(UserError::Question(format!(
                    "`{name}` was not attached: give the `.toml` file itself (Discord: the `file` option of `/question import`; Slack: share it, then `/question import` with its link, or `/question import` alone to paste its text; console: a path)."
                ))
                .into())
            }
        };
        let questions = custom::load_file(&name, &text, &self.bank)
            .map_err(|e| problems(&name, "nothing was imported", e))?;
        if questions.is_empty() {
            return Err(UserError::Question(format!("`{name}` has no questions.")).into());
        }
        let mut duplicates = Vec::new();
        for (i, q) in questions.iter().enumerate() {
            let prompt = q.question.prompt.trim().to_lowercase();
            let dup = match stored::custom_with_prompt(conn, ws, &q.question.prompt).await? {
                Some(n) => Some(format!("already here as {CUSTOM_ID_PREFIX}{n}")),
                None => questions[..i]
                    .iter()
                    .find(|o| o.question.prompt.trim().to_lowercase() == prompt)
                    .map(|o| format!("the same prompt as question `{}` above", o.question.id)),
            };
            if let Some(why) = dup {
                duplicates.push(BankError {
                    file: name.clone().into(),
                    question: Some(q.question.id.clone()),
                    field: Some("prompt".into()),
                    message: why,
                });
            }
        }
        if !duplicates.is_empty() {
            return Err(problems(&name, "nothing was imported", BankErrors(duplicates)).into());
        }
        let mut ids = Vec::with_capacity(questions.len());
        for q in &questions {
            let n = store_one(conn, ws, q, CustomStatus::Live, member, ctx).await?;
            ids.push(format!("{CUSTOM_ID_PREFIX}{n}"));
        }
        Ok(format!(
            "Imported {} question(s) from `{name}` ({}): {}. They join `/ask` and schedules here.",
            ids.len(),
            questions[0].topic_name,
            ids.join(", ")
        ))
    }

    /// `/question export`: one bank-format file per topic, to the manager who asked.
    async fn export(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        ws: &Workspace,
    ) -> Result<Vec<Outbound>, Error> {
        let rows = stored::custom_questions(conn, ws, CustomStatus::Live, None, None).await?;
        if rows.is_empty() {
            return Ok(vec![ctx.private(
                "This workspace has no questions of its own to export yet.".into(),
            )]);
        }
        let mut topics: Vec<(String, String, Vec<CustomRow>)> = Vec::new();
        for row in rows {
            match topics.iter_mut().find(|(t, _, _)| *t == row.topic) {
                Some((_, _, list)) => list.push(row),
                None => topics.push((row.topic.clone(), row.topic_name.clone(), vec![row])),
            }
        }
        let mut out = Vec::with_capacity(topics.len());
        for (topic, topic_name, rows) in topics {
            let mut loaded = Vec::with_capacity(rows.len());
            for row in &rows {
                let id = format!("{CUSTOM_ID_PREFIX}{}", row.n);
                if let Some(q) = self.question(conn, &id).await? {
                    loaded.push((id, q));
                }
            }
            let pairs: Vec<(&str, &crate::bank::Question)> =
                loaded.iter().map(|(id, q)| (id.as_str(), &**q)).collect();
            let toml = custom::to_toml(&topic, &topic_name, &pairs);
            let ids: Vec<&str> = pairs.iter().map(|(id, _)| *id).collect();
            out.push(Outbound::File {
                channel: ctx.channel.clone(),
                thread: ctx.thread.clone(),
                user: Some(ctx.actor.id.clone()),
                file: Attachment {
                    name: format!("questions-{topic}.toml"),
                    mime: "application/toml".into(),
                    bytes: toml.into_bytes(),
                },
                text: format!(
                    "{topic_name} (`{topic}`): {} ({}), in the bank's format; `/question import` takes the file back.",
                    plural(ids.len()),
                    ids.join(", ")
                ),
            });
        }
        Ok(out)
    }
}

/// Stores a checked question.
async fn store_one(
    conn: &mut Conn,
    ws: &Workspace,
    q: &CustomQuestion,
    status: CustomStatus,
    member: MemberId,
    ctx: &Ctx,
) -> Result<i64, Error> {
    Ok(stored::insert_custom(
        conn,
        &NewCustom {
            workspace: ws,
            status,
            topic: &q.question.topic,
            topic_name: &q.topic_name,
            tier: q.question.tier,
            prompt: &q.question.prompt,
            doc: &q.doc,
            author: Some(member),
            now: ctx.now,
        },
    )
    .await?)
}

/// `/question list`: the live questions, and how many wait for review.
async fn list(conn: &mut Conn, ws: &Workspace) -> Result<String, Error> {
    let live = stored::custom_questions(conn, ws, CustomStatus::Live, None, None).await?;
    let pending = stored::custom_questions(conn, ws, CustomStatus::Pending, None, None).await?;
    if live.is_empty() && pending.is_empty() {
        return Ok("This workspace has no questions of its own yet: managers add one with `/question add` or `/question import`; anyone can `/question suggest` one.".into());
    }
    let mut text = format!(
        "This workspace's own questions: {} live, {} waiting for review.",
        live.len(),
        pending.len()
    );
    for q in &live {
        text.push_str(&format!("\n• {}", line(q)));
    }
    Ok(text)
}

/// `/question review`: the suggestions with their reference answers.
async fn review(conn: &mut Conn, ws: &Workspace) -> Result<String, Error> {
    let pending = stored::custom_questions(conn, ws, CustomStatus::Pending, None, None).await?;
    if pending.is_empty() {
        return Ok("No suggestions are waiting for review.".into());
    }
    let mut text = format!("{} waiting for review:", plural(pending.len()));
    for q in &pending {
        let reference = toml::from_str::<toml::Table>(&q.doc)
            .ok()
            .and_then(|t| {
                t.get("questions")?
                    .as_array()?
                    .first()?
                    .get("reference_answer")?
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_default();
        text.push_str(&format!(
            "\n• {}\n  reference: {}\n  `/question approve {CUSTOM_ID_PREFIX}{n}` or `/question reject {CUSTOM_ID_PREFIX}{n}`",
            line(q),
            clip(&reference),
            n = q.n
        ));
    }
    Ok(text)
}

/// One question as a list line.
fn line(q: &CustomRow) -> String {
    format!(
        "{CUSTOM_ID_PREFIX}{} · {} · {}: {}{}",
        q.n,
        q.tier,
        q.topic,
        clip(&q.prompt),
        q.author
            .as_deref()
            .map(|a| format!(" (by {a})"))
            .unwrap_or_default()
    )
}

fn clip(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= LIST_PROMPT_CHARS {
        text
    } else {
        format!(
            "{}…",
            text.chars().take(LIST_PROMPT_CHARS - 1).collect::<String>()
        )
    }
}

fn plural(n: usize) -> String {
    format!("{n} question{}", if n == 1 { "" } else { "s" })
}

/// A question number from what was typed: `custom-7`, `#7` or `7`.
fn number(id: &str) -> Result<i64, UserError> {
    let id = id.trim();
    custom_number(id)
        .or_else(|| id.trim_start_matches('#').parse().ok())
        .ok_or_else(|| {
            UserError::Question(format!(
                "`{id}` is not a question id of this workspace: they look like `{CUSTOM_ID_PREFIX}3` (see `/question list` or `/question review`)."
            ))
        })
}

fn not_found(n: i64, state: &str) -> UserError {
    UserError::Question(format!(
        "this workspace has no question {CUSTOM_ID_PREFIX}{n} {state} (see `/question list` or `/question review`)."
    ))
}

/// The problems of a file or form as one message: each names the file, question and field.
fn problems(name: &str, outcome: &str, e: BankErrors) -> UserError {
    let mut text = format!("`{name}` has {} problem(s), so {outcome}:", e.0.len());
    for p in e.0.iter().take(MAX_PROBLEMS_SHOWN) {
        text.push_str(&format!("\n• {p}"));
    }
    if e.0.len() > MAX_PROBLEMS_SHOWN {
        text.push_str(&format!("\n… and {} more.", e.0.len() - MAX_PROBLEMS_SHOWN));
    }
    text.push_str("\nFix them and try again (the format: docs/question-format.md).");
    UserError::Question(text)
}
