//! Command-line actions that need no platform: scoring answers and inspecting the bank.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use crate::bank::{self, Bank, Tier, TopicLookup};
use crate::checker::{self, Report};

/// Renders a report for a person in a terminal.
pub fn render_report(report: &Report) -> String {
    let mut out = format!("score: {}/100\n", report.score);
    for c in &report.concepts {
        match (&c.evidence, &c.hint) {
            (Some(ev), _) => out.push_str(&format!(
                "  {} {} — \"{}\" (chars {}..{})\n",
                if c.how == checker::Match::Partial {
                    "◐ partly:"
                } else {
                    "✔"
                },
                c.name,
                ev.text,
                ev.start,
                ev.end
            )),
            (None, Some(hint)) => out.push_str(&format!("  ✘ {} — hint: {}\n", c.name, hint)),
            (None, None) => out.push_str(&format!("  ✘ {}\n", c.name)),
        }
    }
    for f in &report.flags {
        out.push_str(&format!("  ! {}\n", f.message));
    }
    out
}

/// `score --question ID`: scores `answer` against a bank question; JSON or text.
pub fn score_question(bank: &Bank, id: &str, answer: &str, json: bool) -> anyhow::Result<String> {
    let q = bank.question(id).ok_or_else(|| {
        anyhow::anyhow!("unknown question id `{id}`: `interview-bot questions list` shows the ids")
    })?;
    let report = checker::check(&q.rubric, answer);
    Ok(if json {
        serde_json::to_string_pretty(&report)?
    } else {
        render_report(&report)
    })
}

/// `score --reference`: scores `answer` against a rubric derived from a reference answer.
pub fn score_reference(
    reference: &str,
    question: &str,
    answer: &str,
    json: bool,
) -> anyhow::Result<String> {
    anyhow::ensure!(
        !checker::text::tokenize(reference).is_empty(),
        "the reference answer has no words"
    );
    let rubric = checker::reference::rubric_from_reference(
        reference,
        question,
        &checker::reference::Idf::default(),
    );
    let report = checker::check(&rubric, answer);
    Ok(if json {
        serde_json::to_string_pretty(&report)?
    } else {
        render_report(&report)
    })
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchLine {
    id: serde_json::Value,
    answer: String,
    #[serde(default)]
    question_id: Option<String>,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    question: Option<String>,
}

/// `score --batch`: one JSON object per input line in, one JSON line out (same `id`, the full
/// report, or `error` with the line number). Blank lines are skipped; bad lines do not stop the
/// rest. `bank` is needed for lines with `question_id`.
pub fn score_batch(bank: Option<&Bank>, input: &str) -> String {
    let idf = checker::reference::Idf::default();
    let mut out = String::new();
    for (i, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let n = i + 1;
        let value = match serde_json::from_str::<BatchLine>(line) {
            Err(e) => {
                let id = serde_json::from_str::<serde_json::Value>(line)
                    .ok()
                    .and_then(|v| v.get("id").cloned())
                    .unwrap_or(serde_json::Value::Null);
                serde_json::json!({"id": id, "line": n, "error": format!("line {n}: {e}")})
            }
            Ok(b) => {
                let report = match (&b.question_id, &b.reference) {
                    (Some(q), _) => match bank.and_then(|bank| bank.question(q)) {
                        Some(q) => Ok(checker::check(&q.rubric, &b.answer)),
                        None => Err(format!("line {n}: unknown question_id `{q}`")),
                    },
                    (None, Some(r)) => {
                        let rubric = checker::reference::rubric_from_reference(
                            r,
                            b.question.as_deref().unwrap_or(""),
                            &idf,
                        );
                        Ok(checker::check(&rubric, &b.answer))
                    }
                    (None, None) => Err(format!(
                        "line {n}: give either `question_id` or `reference`"
                    )),
                };
                match report {
                    Ok(r) => serde_json::json!({"id": b.id, "report": r}),
                    Err(e) => serde_json::json!({"id": b.id, "line": n, "error": e}),
                }
            }
        };
        out.push_str(&value.to_string());
        out.push('\n');
    }
    out
}

/// One row of `questions list --json`.
#[derive(Serialize)]
pub struct QuestionRow<'a> {
    /// Question id.
    pub id: &'a str,
    /// Topic id.
    pub topic: &'a str,
    /// Tier.
    pub tier: Tier,
    /// The question text.
    pub prompt: &'a str,
    /// Number of rubric concepts.
    pub concepts: usize,
}

/// `questions list`: the questions of a topic (id or alias) and/or tier.
pub fn list(
    bank: &Bank,
    topic: Option<&str>,
    tier: Option<Tier>,
    json: bool,
) -> anyhow::Result<String> {
    let topic_id = match topic {
        None => None,
        Some(t) => match bank.lookup_topic(t) {
            TopicLookup::Found(t) => Some(t.id.clone()),
            TopicLookup::Unknown(near) => anyhow::bail!(
                "unknown topic `{t}`: did you mean {}?",
                near.iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    };
    let rows: Vec<QuestionRow> = bank
        .filter(topic_id.as_deref(), tier)
        .into_iter()
        .map(|q| QuestionRow {
            id: &q.id,
            topic: &q.topic,
            tier: q.tier,
            prompt: &q.prompt,
            concepts: q.concepts.len(),
        })
        .collect();
    if json {
        return Ok(serde_json::to_string_pretty(&rows)?);
    }
    let mut out = String::new();
    for r in &rows {
        let prompt: String = r.prompt.chars().take(70).collect();
        out.push_str(&format!(
            "{:<36} {:<18} {:<7} {}\n",
            r.id, r.topic, r.tier, prompt
        ));
    }
    out.push_str(&format!("{} question(s)\n", rows.len()));
    Ok(out)
}

/// `questions stats`: a topic × tier table of question counts, with totals.
pub fn stats(bank: &Bank) -> String {
    let mut table: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for t in bank.topics() {
        table.entry(&t.id).or_default();
    }
    for q in bank.questions() {
        table.entry(&q.topic).or_default()[q.tier as usize] += 1;
    }
    let mut out = format!(
        "{:<20} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
        "topic", "junior", "mid", "senior", "staff", "total"
    );
    let mut totals = [0usize; 4];
    for (topic, counts) in &table {
        for (t, c) in totals.iter_mut().zip(counts) {
            *t += c;
        }
        out.push_str(&format!(
            "{:<20} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
            topic,
            counts[0],
            counts[1],
            counts[2],
            counts[3],
            counts.iter().sum::<usize>()
        ));
    }
    out.push_str(&format!(
        "{:<20} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
        format!("{} topics", table.len()),
        totals[0],
        totals[1],
        totals[2],
        totals[3],
        totals.iter().sum::<usize>()
    ));
    out
}

/// `questions lint`: prints every problem; returns how many there were.
pub fn lint(bank: &Bank, out: &mut impl Write) -> std::io::Result<usize> {
    let errors = bank::lint(bank);
    for e in &errors {
        writeln!(out, "{e}")?;
    }
    Ok(errors.len())
}
