//! Members' data: what `/stats` draws (points per local day) and what `/privacy export` sends
//! and `/privacy forget` deletes: a member's answers, votes and hints in one workspace (a
//! Slack team or Discord guild; the console's channels have none and form one workspace).
//!
//! Deletions go through the same tables the rollup triggers of migration 0002 watch, so the
//! leaderboards and `/stats` lose the member's contribution in the same transaction (a vote
//! removed takes its points from the answer it was on; an answer removed takes its whole row).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{At, ChannelRowId, Conn, MemberId, Result};

/// The channels of a workspace: `$1` platform, `$2` workspace id (NULL: channels without one).
/// (`IS NOT DISTINCT FROM` is SQLite's `IS` in the standard's words, which PostgreSQL has too.)
const WORKSPACE_CHANNELS: &str =
    "SELECT id FROM channels WHERE platform = $1 AND workspace_id IS NOT DISTINCT FROM $2";

/// A member's points per local day in a channel over days `[from, to)` (days from 0001-01-01,
/// as `answers.day`), on-time answers only, from `rollup_days`: `(day, points)`, oldest first,
/// days without points left out.
pub async fn member_days(
    conn: &mut Conn,
    channel: ChannelRowId,
    member: MemberId,
    (from, to): (i32, i32),
) -> Result<Vec<(i32, i64)>> {
    on!(conn, |c| {
        Ok(sqlx::query_as(
            "SELECT day, CAST(SUM(points) AS BIGINT) FROM rollup_days
         WHERE channel = $1 AND member = $2 AND day >= $3 AND day < $4
         GROUP BY day ORDER BY day",
        )
        .bind(channel)
        .bind(member)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await?)
    })
}

/// Where a member's data lives: one member of a platform, in one workspace.
#[derive(Debug, Clone, Copy)]
pub struct MemberScope<'a> {
    /// The member's row id.
    pub member: MemberId,
    /// Platform name (`console`, `discord`, `slack`).
    pub platform: &'a str,
    /// Slack team id or Discord guild id; `None` for channels without one (the console).
    pub workspace: Option<&'a str>,
}

/// One answer in an export.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExportAnswer {
    /// The question's number (`#3`).
    pub post: i64,
    /// The platform's channel id.
    pub channel: String,
    /// Bank question id.
    pub question_id: String,
    /// Topic id.
    pub topic: String,
    /// Tier (`junior`, `mid`, `senior`, `staff`).
    pub tier: String,
    /// The answer as last written.
    pub body: String,
    /// Checker score, 0–100.
    pub score: i64,
    /// Points: checker score × tier factor + 10 per voter (up to 5); 0 when late
    /// (the `answer_points` view of migration 0002).
    pub points: i64,
    /// Arrived after the question closed.
    pub late: bool,
    /// The checker's report (concepts matched and missed), as stored.
    #[serde(serialize_with = "raw_json")]
    pub report: String,
    /// When it was written, RFC 3339 UTC.
    #[sqlx(skip)]
    pub answered_at: String,
    /// When it was last edited, RFC 3339 UTC.
    #[sqlx(skip)]
    pub edited_at: Option<String>,
    #[serde(skip)]
    answered_ms: At,
    #[serde(skip)]
    edited_ms: Option<At>,
}

/// A vote in an export: given by the member, or received on one of their answers (the voter is
/// not named: that is someone else's data).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExportVote {
    /// The question's number the answer belongs to.
    pub post: i64,
    /// The emoji.
    pub emoji: String,
    /// When, RFC 3339 UTC.
    #[sqlx(skip)]
    pub voted_at: String,
    #[serde(skip)]
    voted_ms: At,
}

/// Hints a member had on one question.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExportHints {
    /// The question's number.
    pub post: i64,
    /// Hints given.
    pub given: i64,
}

/// Everything stored that names a member in a workspace: what `/privacy export` sends.
#[derive(Debug, Clone, Serialize)]
pub struct MemberExport {
    /// Platform name.
    pub platform: String,
    /// The platform's user id.
    pub user_id: String,
    /// The display name stored.
    pub display_name: String,
    /// Slack team or Discord guild id (`null` on the console).
    pub workspace: Option<String>,
    /// Answers, oldest first.
    pub answers: Vec<ExportAnswer>,
    /// Votes the member gave, oldest first.
    pub votes_given: Vec<ExportVote>,
    /// Votes others gave the member's answers, oldest first.
    pub votes_received: Vec<ExportVote>,
    /// Hints, by question.
    pub hints: Vec<ExportHints>,
    /// Questions the member asked with `/ask`.
    pub questions_asked: Vec<i64>,
}

fn raw_json<S: serde::Serializer>(text: &str, s: S) -> std::result::Result<S::Ok, S::Error> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => v.serialize(s),
        Err(_) => s.serialize_str(text),
    }
}

fn rfc3339(at: At) -> String {
    let t: DateTime<Utc> = at.0;
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The member's data in the scope (see [`MemberExport`]).
pub async fn member_export(conn: &mut Conn, scope: MemberScope<'_>) -> Result<MemberExport> {
    on!(conn, |c| {
        let (user_id, display_name): (String, String) =
            sqlx::query_as("SELECT user_id, display_name FROM users WHERE id = $1")
                .bind(scope.member)
                .fetch_one(&mut *c)
                .await?;
        let mut answers: Vec<ExportAnswer> = sqlx::query_as(&format!(
            "SELECT p.id AS post, c.channel_id AS channel, p.question_id, p.topic, p.tier, a.body,
                a.score, ap.points, a.late, a.report, a.answered_at AS answered_ms,
                a.edited_at AS edited_ms
         FROM answers a JOIN posts p ON p.id = a.post JOIN channels c ON c.id = p.channel
         JOIN answer_points ap ON ap.id = a.id
         WHERE a.author = $3 AND p.channel IN ({WORKSPACE_CHANNELS})
         ORDER BY a.answered_at, a.id"
        ))
        .bind(scope.platform)
        .bind(scope.workspace)
        .bind(scope.member)
        .fetch_all(&mut *c)
        .await?;
        for a in &mut answers {
            a.answered_at = rfc3339(a.answered_ms);
            a.edited_at = a.edited_ms.map(rfc3339);
        }
        let votes = |author_or_voter: &str| {
            format!(
                "SELECT a.post, v.emoji, v.voted_at AS voted_ms
             FROM votes v JOIN answers a ON a.id = v.answer JOIN posts p ON p.id = a.post
             WHERE {author_or_voter} = $3 AND p.channel IN ({WORKSPACE_CHANNELS})
             ORDER BY v.voted_at, a.post, v.emoji"
            )
        };
        let mut lists = Vec::new();
        for who in ["v.voter", "a.author"] {
            let mut list: Vec<ExportVote> = sqlx::query_as(&votes(who))
                .bind(scope.platform)
                .bind(scope.workspace)
                .bind(scope.member)
                .fetch_all(&mut *c)
                .await?;
            for v in &mut list {
                v.voted_at = rfc3339(v.voted_ms);
            }
            lists.push(list);
        }
        let votes_received = lists.pop().unwrap_or_default();
        let votes_given = lists.pop().unwrap_or_default();
        let hints = sqlx::query_as(&format!(
        "SELECT post, given FROM hints
         WHERE member = $3 AND post IN (SELECT id FROM posts WHERE channel IN ({WORKSPACE_CHANNELS}))
         ORDER BY post"
    ))
    .bind(scope.platform)
    .bind(scope.workspace)
    .bind(scope.member)
    .fetch_all(&mut *c)
    .await?;
        let questions_asked = sqlx::query_scalar(&format!(
        "SELECT id FROM posts WHERE asked_by = $3 AND channel IN ({WORKSPACE_CHANNELS}) ORDER BY id"
    ))
        .bind(scope.platform)
        .bind(scope.workspace)
        .bind(scope.member)
        .fetch_all(&mut *c)
        .await?;
        Ok(MemberExport {
            platform: scope.platform.to_string(),
            user_id,
            display_name,
            workspace: scope.workspace.map(str::to_string),
            answers,
            votes_given,
            votes_received,
            hints,
            questions_asked,
        })
    })
}

/// How many rows `/privacy forget` deletes (or would delete) in a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ForgetCounts {
    /// The member's answers.
    pub answers: i64,
    /// Votes the member gave.
    pub votes_given: i64,
    /// Votes others gave the member's answers.
    pub votes_received: i64,
    /// Hint records (one per question).
    pub hints: i64,
    /// Whether the member's name (the `users` row) goes too: true unless they still have
    /// data in another workspace of the platform.
    pub name: bool,
}

/// What [`forget_member`] would delete, without deleting.
pub async fn forget_counts(conn: &mut Conn, scope: MemberScope<'_>) -> Result<ForgetCounts> {
    let (answers, votes_given, votes_received, hints): (i64, i64, i64, i64) = on!(conn, |c| {
        sqlx::query_as(&format!(
            "WITH ws AS ({WORKSPACE_CHANNELS}),
                  mine AS (SELECT a.id FROM answers a JOIN posts p ON p.id = a.post
                           WHERE a.author = $3 AND p.channel IN (SELECT id FROM ws))
             SELECT (SELECT COUNT(*) FROM mine),
                    (SELECT COUNT(*) FROM votes v JOIN answers a ON a.id = v.answer
                       JOIN posts p ON p.id = a.post WHERE v.voter = $3 AND p.channel IN (SELECT id FROM ws)),
                    (SELECT COUNT(*) FROM votes WHERE answer IN (SELECT id FROM mine)),
                    (SELECT COUNT(*) FROM hints h JOIN posts p ON p.id = h.post
                       WHERE h.member = $3 AND p.channel IN (SELECT id FROM ws))"
        ))
        .bind(scope.platform)
        .bind(scope.workspace)
        .bind(scope.member)
        .fetch_one(c)
        .await?
    });
    let elsewhere = data_elsewhere(conn, scope).await?;
    Ok(ForgetCounts {
        answers,
        votes_given,
        votes_received,
        hints,
        name: !elsewhere,
    })
}

/// Whether the member has answers, votes, hints or asked questions outside the scope.
async fn data_elsewhere(conn: &mut Conn, scope: MemberScope<'_>) -> Result<bool> {
    on!(conn, |c| {
        Ok(sqlx::query_scalar(&format!(
        "WITH ws AS ({WORKSPACE_CHANNELS})
         SELECT EXISTS (SELECT 1 FROM answers a JOIN posts p ON p.id = a.post
                        WHERE a.author = $3 AND p.channel NOT IN (SELECT id FROM ws))
             OR EXISTS (SELECT 1 FROM votes v JOIN answers a ON a.id = v.answer
                        JOIN posts p ON p.id = a.post WHERE v.voter = $3 AND p.channel NOT IN (SELECT id FROM ws))
             OR EXISTS (SELECT 1 FROM hints h JOIN posts p ON p.id = h.post
                        WHERE h.member = $3 AND p.channel NOT IN (SELECT id FROM ws))
             OR EXISTS (SELECT 1 FROM posts WHERE asked_by = $3 AND channel NOT IN (SELECT id FROM ws))"
    ))
    .bind(scope.platform)
    .bind(scope.workspace)
    .bind(scope.member)
    .fetch_one(c)
    .await?)
    })
}

/// Deletes the member's answers (with every vote on them), the votes they gave, their hints,
/// the link to questions they asked (the questions stay, asked by nobody) and to the
/// workspace's own questions they added or suggested (kept, by nobody), and, unless they
/// still have data in another workspace of the platform, their name (the `users` row). Run it
/// in a transaction: the rollup triggers take the member's points out in the same one.
/// Returns what was deleted.
pub async fn forget_member(conn: &mut Conn, scope: MemberScope<'_>) -> Result<ForgetCounts> {
    let counts = forget_counts(conn, scope).await?;
    let statements = [
        // Votes on the member's answers first, so the answers' points fall vote by vote and the
        // answers then leave the rollups with what is left (the same order a person undoing
        // everything by hand would cause).
        format!(
            "DELETE FROM votes WHERE answer IN (SELECT a.id FROM answers a JOIN posts p
               ON p.id = a.post WHERE a.author = $3 AND p.channel IN ({WORKSPACE_CHANNELS}))"
        ),
        format!(
            "DELETE FROM votes WHERE voter = $3 AND answer IN (SELECT a.id FROM answers a
               JOIN posts p ON p.id = a.post WHERE p.channel IN ({WORKSPACE_CHANNELS}))"
        ),
        format!(
            "DELETE FROM answers WHERE author = $3
               AND post IN (SELECT id FROM posts WHERE channel IN ({WORKSPACE_CHANNELS}))"
        ),
        format!(
            "DELETE FROM hints WHERE member = $3
               AND post IN (SELECT id FROM posts WHERE channel IN ({WORKSPACE_CHANNELS}))"
        ),
        format!(
            "UPDATE posts SET asked_by = NULL
             WHERE asked_by = $3 AND channel IN ({WORKSPACE_CHANNELS})"
        ),
        // The workspace's own questions they wrote stay, written by nobody (migration 0005).
        "UPDATE custom_questions SET author = NULL
         WHERE author = $3 AND platform = $1 AND workspace_id = COALESCE($2, '')"
            .to_string(),
    ];
    on!(conn, |c| {
        for sql in &statements {
            sqlx::query(sql)
                .bind(scope.platform)
                .bind(scope.workspace)
                .bind(scope.member)
                .execute(&mut *c)
                .await?;
        }
        if counts.name {
            sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(scope.member)
                .execute(&mut *c)
                .await?;
        }
    });
    Ok(counts)
}
