//! Text that people see: question posts, private feedback, reveals, leaderboards, stats.
//! Plain text with light Markdown, which Discord, Slack (mrkdwn) and terminals all read.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::bank::{Bank, Question, Tier};
use crate::checker::{FlagKind, Report};
use crate::engine::commands::BOARD_LINES;
use crate::engine::points::{self, Standing};
use crate::engine::QuestionCard;
use crate::store::{PostRow, ScoredAnswer, TopicTotals};

/// Characters of a member's own words quoted as evidence for a covered concept (one line in a
/// chat client).
pub const EVIDENCE_CHARS: usize = 80;

/// Answers a reveal names (a podium: gold, silver, bronze).
pub const REVEAL_BEST: usize = 3;

/// `Mon 2026-03-02 09:00 CET`.
pub fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

/// The question post.
pub fn question(card: &QuestionCard) -> String {
    format!(
        "{} **Question #{}** · {} · {}\n{}\n{}: explain *how and why*, not only *what*. Open until {} UTC. `/hint` if you are stuck.",
        if card.scheduled { "📅 Question of the day" } else { "❓" },
        card.post,
        card.topic_name,
        card.tier,
        card.prompt,
        if card.blind {
            "🙈 Blind: answer privately with the **Answer** button (every answer is revealed in the thread when it closes)"
        } else {
            "Answer in the thread"
        },
        card.closes_at.format("%a %Y-%m-%d %H:%M"),
    )
}

/// Shortens `s` to at most `n` characters, with an ellipsis when cut.
fn clip(s: &str, n: usize) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= n {
        one_line
    } else {
        format!("{}…", one_line.chars().take(n).collect::<String>())
    }
}

/// Private feedback on a scored answer: score, what was covered (in the member's own words),
/// what was missed (hints only, never the reference answer while open), flags, one follow-up.
pub fn feedback(post: &PostRow, q: &Question, report: &Report, late: bool) -> String {
    let tier_points = (f64::from(report.score) * points::tier_factor(q.tier)).round();
    let mut out = format!(
        "Your answer to question #{} scored **{}/100**",
        post.id, report.score
    );
    if late {
        out.push_str(" (late: the question had closed, so it earns no points)");
    } else {
        out.push_str(&format!(
            " → {tier_points} points ({} ×{}), plus 10 per peer vote",
            q.tier,
            points::tier_factor(q.tier)
        ));
    }
    out.push('.');
    let covered: Vec<String> = report
        .concepts
        .iter()
        .filter_map(|c| {
            c.evidence
                .as_ref()
                .map(|e| format!("  ✔ {}: “{}”", c.name, clip(&e.text, EVIDENCE_CHARS)))
        })
        .collect();
    if !covered.is_empty() {
        out.push_str("\nCovered:\n");
        out.push_str(&covered.join("\n"));
    }
    let missed: Vec<String> = report
        .concepts
        .iter()
        .filter_map(|c| c.hint.as_ref().map(|h| format!("  ✘ {h}")))
        .collect();
    if !missed.is_empty() {
        out.push_str("\nTo think about:\n");
        out.push_str(&missed.join("\n"));
    }
    for f in &report.flags {
        let icon = if f.kind == FlagKind::DefinitionOnly {
            "💡"
        } else {
            "⚠"
        };
        out.push_str(&format!("\n{icon} {}", f.message));
    }
    if let Some(f) = q.follow_ups.first() {
        out.push_str(&format!("\nFollow-up: {f}"));
    }
    out.push_str("\nEdit your message to improve it while the question is open.");
    out
}

/// The reveal when a post closes: the reference answer and the best answers.
pub fn reveal(post: &PostRow, q: Option<&Question>, answers: &[ScoredAnswer]) -> String {
    let mut out = format!("🔔 Question #{} is closed.", post.id);
    if let Some(q) = q {
        out.push_str(&format!(
            "\n**Reference answer:**\n{}",
            q.reference_answer.trim()
        ));
    }
    let ranked = points::ranked(answers);
    if ranked.is_empty() {
        out.push_str("\nNo answers this time.");
    } else {
        out.push_str("\n**Best answers:**");
        for (i, (a, pts)) in ranked.iter().take(REVEAL_BEST).enumerate() {
            let medal = ["🥇", "🥈", "🥉"][i];
            out.push_str(&format!(
                "\n{medal} {} — {} points (checker {}, {} vote{})",
                a.author_name,
                pts,
                a.score,
                a.voters,
                if a.voters == 1 { "" } else { "s" }
            ));
        }
    }
    if let Some(f) = q.and_then(|q| q.follow_ups.first()) {
        out.push_str(&format!("\nTo discuss: {f}"));
    }
    out
}

/// A leaderboard.
pub fn leaderboard(
    rows: &[Standing],
    label: &str,
    tier: Option<Tier>,
    weekly_post: bool,
) -> String {
    let mut out = format!(
        "🏆 {}Leaderboard, {label}{}",
        if weekly_post { "Weekly " } else { "" },
        tier.map_or(String::new(), |t| format!(" ({t})"))
    );
    if rows.is_empty() {
        out.push_str("\nNo answers yet: `/ask` for a question and be the first.");
        return out;
    }
    for (i, r) in rows.iter().take(BOARD_LINES as usize).enumerate() {
        out.push_str(&format!(
            "\n{}. {} — {} points · {} answer{} · average checker score {}",
            i + 1,
            r.name,
            r.points,
            r.answers,
            if r.answers == 1 { "" } else { "s" },
            r.average_score
        ));
    }
    out
}

/// A member's statistics from their per-topic totals in a channel (late answers count as
/// answers and in the average checker score, and earn no points).
pub fn stats(name: &str, topics: &[TopicTotals], streak: i64, bank: &Bank) -> String {
    let answers: i64 = topics.iter().map(|t| t.answers).sum();
    if answers == 0 {
        return format!("{name} has not answered a question here yet.");
    }
    let late: i64 = topics.iter().map(|t| t.late).sum();
    let total: i64 = topics.iter().map(|t| t.points).sum();
    let avg = topics.iter().map(|t| t.score_sum).sum::<i64>() as f64 / answers as f64;
    let mut by_topic: Vec<(&str, f64)> = topics
        .iter()
        .filter(|t| t.answers > 0)
        .map(|t| (t.topic.as_str(), t.score_sum as f64 / t.answers as f64))
        .collect();
    by_topic.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let name_of = |id: &str| bank.topic(id).map_or(id.to_string(), |t| t.name.clone());
    let mut out = format!(
        "📊 {name}: {total} points · {answers} answer{} ({late} late) · average checker score {avg:.0} · streak {streak}",
        if answers == 1 { "" } else { "s" },
    );
    if let Some((t, s)) = by_topic.first() {
        out.push_str(&format!("\nStrongest topic: {} ({s:.0})", name_of(t)));
    }
    if by_topic.len() > 1 {
        if let Some((t, s)) = by_topic.last() {
            out.push_str(&format!("\nWeakest topic: {} ({s:.0})", name_of(t)));
        }
    }
    out
}
