//! The engine's one error type: [`Error::User`] is what a member did wrong (the dispatcher turns
//! it into a private reply and the event still counts as applied); [`Error::Internal`] is not
//! their doing (logged with context; the member sees a short apology from the adapter).

use crate::engine::command;
use crate::schedule::ScheduleError;
use crate::store::StoreError;

/// Why an event or a tick could not be applied as asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The member's mistake, in words shown to them.
    #[error(transparent)]
    User(#[from] UserError),
    /// A failure that is not the member's doing (the store; a stored schedule that no longer
    /// parses).
    #[error(transparent)]
    Internal(#[from] StoreError),
}

impl From<ScheduleError> for Error {
    fn from(e: ScheduleError) -> Self {
        Error::User(UserError::Schedule(e))
    }
}

/// What a member did wrong, in words shown to them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    /// Unknown topic, with the nearest ids.
    #[error("unknown topic `{topic}`: did you mean {}? (`/ask` with no topic picks one at random)", .suggestions.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "))]
    UnknownTopic {
        /// What was typed.
        topic: String,
        /// Nearest topic ids.
        suggestions: Vec<String>,
    },
    /// No question matches the filters.
    #[error("no {tier} questions on `{topic}` yet; it has: {available}")]
    NoQuestion {
        /// Topic id or "any topic".
        topic: String,
        /// Tier asked for.
        tier: String,
        /// The tiers it does have.
        available: String,
    },
    /// A bad schedule.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// Needs the manage permission.
    #[error("only members who can manage this server or workspace can use `{0}`; ask one of them")]
    NotAllowed(&'static str),
    /// No schedule in this channel.
    #[error("this channel has no question schedule yet: `/qotd schedule \"0 9 * * 1-5\" mid Europe/Berlin` creates one")]
    NoSchedule,
    /// The command needs a question thread.
    #[error("use `{0}` inside a question's thread (or after `/ask`)")]
    NotInThread(&'static str),
    /// Nobody known by that name.
    #[error("no member called `{0}` has answered here yet")]
    UnknownMember(String),
    /// The command could not be parsed.
    #[error(transparent)]
    Parse(#[from] command::ParseError),
    /// A problem with the workspace's own questions (`/question ...`): a file or form that does
    /// not pass the bank's checks (each problem naming the file, question and field), an
    /// unknown id. The text says what to do.
    #[error("{0}")]
    Question(String),
    /// Too many `/ask` in a short time (see [`crate::engine::limits`]).
    #[error("you have asked {limit} questions here in the last {window_seconds} seconds, which is the most I post for one member; please try again in {retry_in_seconds} seconds (and meanwhile, answer one of them!)")]
    RateLimited {
        /// Asks allowed per window.
        limit: usize,
        /// The window, in seconds.
        window_seconds: i64,
        /// Seconds until the next `/ask` is accepted (at least 1).
        retry_in_seconds: i64,
    },
}
