//! Engine settings and their defaults.

use chrono::Duration;

/// How long a question stays open for points unless configured (the README's 24 hours).
pub const DEFAULT_CLOSE_AFTER_HOURS: i64 = 24;

/// The weekly leaderboard's cron unless configured: Monday 09:00 in the schedule's time zone.
pub const DEFAULT_LEADERBOARD_CRON: &str = "0 9 * * 1";

/// Engine settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// How long a post stays open for points (default [`DEFAULT_CLOSE_AFTER_HOURS`]).
    pub close_after: Duration,
    /// Emoji that count as votes (default 👍, with Slack's `+1` and `thumbsup` names).
    pub vote_emoji: Vec<String>,
    /// Cron for the weekly leaderboard, in the schedule's time zone
    /// (default [`DEFAULT_LEADERBOARD_CRON`]).
    pub leaderboard_cron: String,
    /// Reaction marking a scored answer.
    pub scored_emoji: String,
    /// Reaction marking a late answer (scored, no points).
    pub late_emoji: String,
    /// Seed for question choice; `None` seeds from the operating system.
    pub seed: Option<u64>,
    /// Whose scheduled posts, weekly boards and closes this process does (default: all; see
    /// [`crate::engine::shards`]).
    pub ownership: crate::engine::Ownership,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            close_after: Duration::hours(DEFAULT_CLOSE_AFTER_HOURS),
            vote_emoji: vec!["👍".into(), "+1".into(), "thumbsup".into()],
            leaderboard_cron: DEFAULT_LEADERBOARD_CRON.into(),
            scored_emoji: "✅".into(),
            late_emoji: "⏰".into(),
            seed: None,
            ownership: crate::engine::Ownership::all(),
        }
    }
}
