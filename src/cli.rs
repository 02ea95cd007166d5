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
                "  ✔ {} — \"{}\" (chars {}..{})\n",
                c.name, ev.text, ev.start, ev.end
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
