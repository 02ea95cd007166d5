//! Limits that keep one member or one message from costing everyone else: a per-member rate
//! limit on `/ask`, and a size cap on the answer text the checker reads and the store keeps.

use chrono::{DateTime, Duration, Utc};

use crate::checker::{self, Flag, FlagKind, Report, Rubric};
use crate::engine::dispatch::Core;
use crate::engine::{Error, UserError};
use crate::store::{self, ChannelRowId, Conn, MemberId};

/// `/ask` calls one member may make in one channel within [`ASK_WINDOW_SECONDS`]. Five a minute
/// is more than anyone practising needs (a question takes minutes to answer) and stops a
/// member, or a script in their name, from flooding the channel with threads.
pub const ASKS_PER_WINDOW: usize = 5;

/// The window [`ASKS_PER_WINDOW`] counts over, in seconds (the engine's clock).
pub const ASK_WINDOW_SECONDS: i64 = 60;

/// The most answer text, in bytes of UTF-8, that is scored and stored: 100 KB. Longer messages
/// (a paste, a log, a console line of megabytes) are cut at the last whitespace before the cap,
/// scored on what is left and flagged, so a huge message costs at most this much checker work
/// and one row of this size. Discord messages stop at 4,000 characters and Slack's at 40,000,
/// so only pasted console input or a misbehaving client reaches it; the checker flags anything
/// over [`checker::MAX_WORDS`] words (far less than 100 KB) as too long anyway.
pub const MAX_ANSWER_BYTES: usize = 100_000;

/// `text` cut to at most [`MAX_ANSWER_BYTES`] bytes, at the last whitespace before the cap (or
/// at the last character boundary if there is none), and whether it was cut.
pub fn capped(text: &str) -> (&str, bool) {
    if text.len() <= MAX_ANSWER_BYTES {
        return (text, false);
    }
    let mut end = MAX_ANSWER_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    let head = match head.rfind(char::is_whitespace) {
        Some(i) if i > 0 => &head[..i],
        _ => head,
    };
    (head, true)
}

/// The checker's report on `text`, capped by [`capped`]: a cut answer is scored on its first
/// [`MAX_ANSWER_BYTES`] bytes and carries a [`FlagKind::TooLong`] flag saying so.
pub fn check_capped(rubric: &Rubric, text: &str) -> Report {
    let (head, cut) = capped(text);
    let mut report = checker::check(rubric, head);
    if cut {
        report.flags.push(Flag {
            kind: FlagKind::TooLong,
            message: format!(
                "Your message was {} KB; only its first {} KB were scored. Keep an answer to what you would say in an interview.",
                text.len() / 1000,
                MAX_ANSWER_BYTES / 1000
            ),
        });
    }
    report
}

impl Core {
    /// Refuses an `/ask` when `member` already asked [`ASKS_PER_WINDOW`] questions in `channel`
    /// within the last [`ASK_WINDOW_SECONDS`] (counted from the posts, so the count survives a
    /// restart and a rolled-back transaction never counts).
    ///
    /// Errors: [`UserError::RateLimited`] with the seconds until the next `/ask` is allowed;
    /// the store failed.
    pub(crate) async fn check_ask_rate(
        &self,
        conn: &mut Conn,
        channel: ChannelRowId,
        member: MemberId,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let window = Duration::seconds(ASK_WINDOW_SECONDS);
        // `since` is exclusive of the instant one window ago: an ask exactly a minute old is out.
        let since = now - window + Duration::milliseconds(1);
        let asks = store::asks_since(conn, channel, member, since).await?;
        if asks.len() < ASKS_PER_WINDOW {
            return Ok(());
        }
        // The oldest ask that must leave the window before one more fits.
        let oldest = asks[asks.len() - ASKS_PER_WINDOW];
        let wait = (oldest + window - now).num_milliseconds();
        Err(UserError::RateLimited {
            limit: ASKS_PER_WINDOW,
            window_seconds: ASK_WINDOW_SECONDS,
            retry_in_seconds: ((wait + 999) / 1000).max(1),
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_untouched() {
        assert_eq!(capped("a short answer"), ("a short answer", false));
    }

    #[test]
    fn long_text_is_cut_at_whitespace_within_the_cap() {
        let text = "word ".repeat(MAX_ANSWER_BYTES);
        let (head, cut) = capped(&text);
        assert!(cut);
        assert!(head.len() <= MAX_ANSWER_BYTES);
        assert!(head.ends_with("word"));
    }

    #[test]
    fn multibyte_text_without_spaces_is_cut_on_a_char_boundary() {
        let text = "é".repeat(MAX_ANSWER_BYTES);
        let (head, cut) = capped(&text);
        assert!(cut);
        assert!(head.len() <= MAX_ANSWER_BYTES && head.len() >= MAX_ANSWER_BYTES - 1);
        assert!(head.chars().all(|c| c == 'é'));
    }
}
