//! `/privacy export` (a member's answers, scores, votes and hints in this workspace as a JSON
//! file, sent only to them) and `/privacy forget` (delete them and the member's name, after a
//! confirmation: `/privacy forget` says what would go, `/privacy forget confirm` within
//! [`FORGET_CONFIRM_MINUTES`] does it). A workspace is the Slack team or Discord guild the
//! command is given in (the console's channels form one).

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::engine::dispatch::{Core, Ctx};
use crate::engine::event::{Attachment, Outbound};
use crate::engine::Error;
use crate::store::{self, Conn, ForgetCounts, MemberId, MemberScope, StoreError};

/// How long a `/privacy forget` waits for its `/privacy forget confirm`: long enough to read
/// the list, short enough that a confirm typed much later (or by habit) does not delete.
pub const FORGET_CONFIRM_MINUTES: i64 = 5;

/// Who asked: (platform, platform user id, workspace).
type Requester = (String, String, Option<String>);

/// Pending `/privacy forget` requests by who asked, with when they were made. Kept in memory:
/// a restart forgets them, and the member asks again.
#[derive(Default)]
pub(crate) struct ForgetRequests(Mutex<HashMap<Requester, DateTime<Utc>>>);

impl ForgetRequests {
    fn key(ctx: &Ctx) -> Requester {
        (
            ctx.channel.platform.clone(),
            ctx.actor.id.clone(),
            ctx.channel.workspace.clone(),
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Requester, DateTime<Utc>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn ask(&self, ctx: &Ctx) {
        let mut map = self.lock();
        map.retain(|_, at| ctx.now - *at <= Duration::minutes(FORGET_CONFIRM_MINUTES));
        map.insert(Self::key(ctx), ctx.now);
    }

    /// Takes the member's request if it is still within the window.
    fn take(&self, ctx: &Ctx) -> bool {
        self.lock().remove(&Self::key(ctx)).is_some_and(|at| {
            ctx.now >= at && ctx.now - at <= Duration::minutes(FORGET_CONFIRM_MINUTES)
        })
    }
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What forgetting covers, in words.
fn describe(c: &ForgetCounts) -> String {
    format!(
        "{}, {} on them, {} you gave, {}{}",
        plural(c.answers, "answer", "answers"),
        plural(c.votes_received, "vote", "votes"),
        plural(c.votes_given, "vote", "votes"),
        plural(c.hints, "hint record", "hint records"),
        if c.name {
            " and your name"
        } else {
            " (your name stays: you still have answers or votes in another workspace here)"
        }
    )
}

impl Core {
    /// `/privacy export`: the member's data in this workspace as `interview-bot-data.json`,
    /// privately. On the read pool.
    pub(crate) async fn privacy_export(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
    ) -> Result<Vec<Outbound>, Error> {
        let platform = &ctx.channel.platform;
        let Some(member) = store::member_by_platform_id(conn, platform, &ctx.actor.id).await?
        else {
            return Ok(vec![ctx.private(
                "Nothing is stored about you here yet: no answers, votes or hints.".into(),
            )]);
        };
        let scope = MemberScope {
            member,
            platform,
            workspace: ctx.channel.workspace.as_deref(),
        };
        let export = store::member_export(conn, scope).await?;
        let bytes = serde_json::to_vec_pretty(&export)
            .map_err(|e| StoreError::Corrupt(format!("the export did not serialise: {e}")))?;
        let text = format!(
            "🔒 Your data here, as `interview-bot-data.json` (only you get it): {}, {} given, \
             {} received, {} and {}. `/privacy forget` deletes it.",
            plural(
                export.answers.len() as i64,
                "answer with its score",
                "answers with their scores"
            ),
            plural(export.votes_given.len() as i64, "vote", "votes"),
            plural(export.votes_received.len() as i64, "vote", "votes"),
            plural(export.hints.len() as i64, "hint record", "hint records"),
            plural(
                export.questions_asked.len() as i64,
                "question asked",
                "questions asked"
            ),
        );
        Ok(vec![Outbound::File {
            channel: ctx.channel.clone(),
            thread: None,
            user: Some(ctx.actor.id.clone()),
            file: Attachment {
                name: "interview-bot-data.json".into(),
                mime: "application/json".into(),
                bytes,
            },
            text,
        }])
    }

    /// `/privacy forget [confirm]`, in the writer's transaction.
    pub(crate) async fn privacy_forget(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        member: MemberId,
        confirm: bool,
    ) -> Result<Vec<Outbound>, Error> {
        let scope = MemberScope {
            member,
            platform: &ctx.channel.platform,
            workspace: ctx.channel.workspace.as_deref(),
        };
        if !confirm {
            let counts = store::forget_counts(conn, scope).await?;
            self.forget_requests.ask(ctx);
            return Ok(vec![ctx.private(format!(
                "⚠️ `/privacy forget` deletes, in this workspace: {}. Leaderboards and stats are \
                 recomputed without them. Nothing that names you is kept (questions you asked \
                 stay, asked by nobody). This cannot be undone: `/privacy export` first if you \
                 want a copy. Send `/privacy forget confirm` within {FORGET_CONFIRM_MINUTES} \
                 minutes to go ahead.",
                describe(&counts)
            ))]);
        }
        if !self.forget_requests.take(ctx) {
            return Ok(vec![ctx.private(format!(
                "Nothing deleted: send `/privacy forget` first (it lists what will be deleted), \
                 then `/privacy forget confirm` within {FORGET_CONFIRM_MINUTES} minutes."
            ))]);
        }
        let counts = store::forget_member(conn, scope).await?;
        // The writer's cache maps the member to the row just deleted.
        self.forget_members();
        Ok(vec![ctx.private(format!(
            "🗑️ Done: deleted {}. Leaderboards are recomputed without them.",
            describe(&counts)
        ))])
    }
}
