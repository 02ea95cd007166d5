//! A workspace's own questions (`custom_questions`, migration 0005): stored as bank-format TOML
//! with the columns selection needs. A workspace is (platform, Discord guild id or Slack team id;
//! `""` for the console). Rows are never deleted, so posts of a removed question still render.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{At, ChannelRowId, Conn, MemberId, Result, StoreError};
use crate::bank::Tier;

/// Where a custom question is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomStatus {
    /// Joins `/ask` and schedules.
    Live,
    /// Suggested by a member, waiting for a manager.
    Pending,
    /// A suggestion a manager turned down.
    Rejected,
    /// Removed by a manager (kept so its posts still render).
    Removed,
}

impl CustomStatus {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomStatus::Live => "live",
            CustomStatus::Pending => "pending",
            CustomStatus::Rejected => "rejected",
            CustomStatus::Removed => "removed",
        }
    }

    fn parse(s: &str) -> Result<CustomStatus> {
        Ok(match s {
            "live" => CustomStatus::Live,
            "pending" => CustomStatus::Pending,
            "rejected" => CustomStatus::Rejected,
            "removed" => CustomStatus::Removed,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "custom question status `{other}`"
                )))
            }
        })
    }
}

/// A workspace: the platform and its Discord guild id or Slack team id (`""` when the channel
/// has none, as on the console).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Workspace {
    /// `console`, `discord` or `slack`.
    pub platform: String,
    /// Guild or team id, or `""`.
    pub id: String,
}

/// A custom question to store.
pub struct NewCustom<'a> {
    /// Whose it is.
    pub workspace: &'a Workspace,
    /// Live (added by a manager) or pending (suggested).
    pub status: CustomStatus,
    /// Topic id.
    pub topic: &'a str,
    /// Topic display name.
    pub topic_name: &'a str,
    /// Tier.
    pub tier: Tier,
    /// The question text.
    pub prompt: &'a str,
    /// The question as a bank-format TOML file.
    pub doc: &'a str,
    /// Who added or suggested it.
    pub author: Option<MemberId>,
    /// When.
    pub now: DateTime<Utc>,
}

/// Stores a custom question and returns its number `n` (the question's id is `custom-<n>`).
pub async fn insert_custom(conn: &mut Conn, q: &NewCustom<'_>) -> Result<i64> {
    on!(conn, |c| {
        Ok(sqlx::query_scalar(
            "INSERT INTO custom_questions
                 (platform, workspace_id, status, topic, topic_name, tier, prompt, doc, author, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&q.workspace.platform)
        .bind(&q.workspace.id)
        .bind(q.status.as_str())
        .bind(q.topic)
        .bind(q.topic_name)
        .bind(q.tier)
        .bind(q.prompt)
        .bind(q.doc)
        .bind(q.author)
        .bind(At(q.now))
        .fetch_one(c)
        .await?)
    })
}

/// A custom question as listed.
#[derive(Debug, Clone)]
pub struct CustomRow {
    /// Its number (`custom-<n>`).
    pub n: i64,
    /// Where it is in its life.
    pub status: CustomStatus,
    /// Topic id.
    pub topic: String,
    /// Topic display name.
    pub topic_name: String,
    /// Tier.
    pub tier: Tier,
    /// The question text.
    pub prompt: String,
    /// The question as a bank-format TOML file.
    pub doc: String,
    /// The display name of who added or suggested it (`None` once forgotten).
    pub author: Option<String>,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct RawRow {
    id: i64,
    status: String,
    topic: String,
    topic_name: String,
    tier: Tier,
    prompt: String,
    doc: String,
    author: Option<String>,
    created_at: At,
}

impl TryFrom<RawRow> for CustomRow {
    type Error = StoreError;
    fn try_from(r: RawRow) -> Result<CustomRow> {
        Ok(CustomRow {
            n: r.id,
            status: CustomStatus::parse(&r.status)?,
            topic: r.topic,
            topic_name: r.topic_name,
            tier: r.tier,
            prompt: r.prompt,
            doc: r.doc,
            author: r.author,
            created_at: r.created_at.0,
        })
    }
}

const SELECT_ROW: &str = "SELECT q.id, q.status, q.topic, q.topic_name, q.tier, q.prompt, q.doc,
        u.display_name AS author, q.created_at
    FROM custom_questions q LEFT JOIN users u ON u.id = q.author";

/// Custom question `n`, whatever its workspace and status (posts name it by id alone).
pub async fn custom_question(conn: &mut Conn, n: i64) -> Result<Option<CustomRow>> {
    on!(conn, |c| {
        let row: Option<RawRow> = sqlx::query_as(&format!("{SELECT_ROW} WHERE q.id = $1"))
            .bind(n)
            .fetch_optional(c)
            .await?;
        row.map(CustomRow::try_from).transpose()
    })
}

/// The workspace's custom questions with this status, matching the optional topic id and tier,
/// oldest first.
pub async fn custom_questions(
    conn: &mut Conn,
    workspace: &Workspace,
    status: CustomStatus,
    topic: Option<&str>,
    tier: Option<Tier>,
) -> Result<Vec<CustomRow>> {
    on!(conn, |c| {
        let rows: Vec<RawRow> = sqlx::query_as(&format!(
            "{SELECT_ROW} WHERE q.platform = $1 AND q.workspace_id = $2 AND q.status = $3
                 AND ($4 IS NULL OR q.topic = $5) AND ($6 IS NULL OR q.tier = $7)
             ORDER BY q.id"
        ))
        .bind(&workspace.platform)
        .bind(&workspace.id)
        .bind(status.as_str())
        .bind(topic)
        .bind(topic)
        .bind(tier)
        .bind(tier)
        .fetch_all(c)
        .await?;
        rows.into_iter().map(CustomRow::try_from).collect()
    })
}

/// Moves custom question `n` of the workspace from one of `from` to `to`; returns its status
/// before, or `None` when the workspace has no such question in one of `from`.
pub async fn set_custom_status(
    conn: &mut Conn,
    workspace: &Workspace,
    n: i64,
    from: &[CustomStatus],
    to: CustomStatus,
    now: DateTime<Utc>,
) -> Result<Option<CustomStatus>> {
    on!(conn, |c| {
        let before: Option<String> = sqlx::query_scalar(
            "SELECT status FROM custom_questions WHERE id = $1 AND platform = $2 AND workspace_id = $3",
        )
        .bind(n)
        .bind(&workspace.platform)
        .bind(&workspace.id)
        .fetch_optional(&mut *c)
        .await?;
        let Some(before) = before.as_deref().map(CustomStatus::parse).transpose()? else {
            return Ok(None);
        };
        if !from.contains(&before) {
            return Ok(None);
        }
        sqlx::query("UPDATE custom_questions SET status = $1, decided_at = $2 WHERE id = $3")
            .bind(to.as_str())
            .bind(At(now))
            .bind(n)
            .execute(c)
            .await?;
        Ok(Some(before))
    })
}

/// The number of a live or pending question of the workspace with this prompt (compared
/// trimmed, ASCII case folded), if any: an import or suggestion of it again is refused.
pub async fn custom_with_prompt(
    conn: &mut Conn,
    workspace: &Workspace,
    prompt: &str,
) -> Result<Option<i64>> {
    on!(conn, |c| {
        Ok(sqlx::query_scalar(
            "SELECT id FROM custom_questions
             WHERE platform = $1 AND workspace_id = $2 AND status IN ('live', 'pending')
               AND lower(trim(prompt)) = lower(trim($3))
             ORDER BY id LIMIT 1",
        )
        .bind(&workspace.platform)
        .bind(&workspace.id)
        .bind(prompt)
        .fetch_optional(c)
        .await?)
    })
}

/// The workspace's live topics that are its own (ids and names), for `/ask` and autocomplete.
pub async fn custom_topics(
    conn: &mut Conn,
    workspace: &Workspace,
) -> Result<Vec<(String, String)>> {
    on!(conn, |c| {
        Ok(sqlx::query_as(
            "SELECT topic, MIN(topic_name) FROM custom_questions
             WHERE platform = $1 AND workspace_id = $2 AND status = 'live'
             GROUP BY topic ORDER BY topic",
        )
        .bind(&workspace.platform)
        .bind(&workspace.id)
        .fetch_all(c)
        .await?)
    })
}

/// The workspace a stored channel belongs to.
pub async fn channel_workspace(conn: &mut Conn, channel: ChannelRowId) -> Result<Workspace> {
    on!(conn, |c| {
        let (platform, id): (String, String) = sqlx::query_as(
            "SELECT platform, COALESCE(workspace_id, '') FROM channels WHERE id = $1",
        )
        .bind(channel)
        .fetch_one(c)
        .await?;
        Ok(Workspace { platform, id })
    })
}
