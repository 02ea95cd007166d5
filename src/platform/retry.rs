//! Retrying a platform call that failed for a reason that passes: rate limited (HTTP 429) or a
//! server error (HTTP 5xx). Both adapters deliver through [`with_retry`], so a reply, reaction
//! or post survives a short outage instead of being dropped with a log line.
//!
//! Nothing is doubled by a retry: the call is repeated only when the platform answered 429 or
//! 5xx, which both Discord and Slack document as "not done" for 429; a 5xx after the work was
//! done is the one case that could repeat a message, and Discord messages carry a nonce for it
//! (see `discord::deliver`).

use std::future::Future;
use std::time::Duration;

use tracing::warn;

/// Attempts per call at most (the first try and up to four retries).
pub const ATTEMPTS: u32 = 5;

/// The wait before the first retry of a server error, doubled before each further one (0.5, 1,
/// 2, 4 s: about 7.5 s in all, within the few seconds Discord and Slack outages usually last).
pub const FIRST_DELAY: Duration = Duration::from_millis(500);

/// The longest `Retry-After` honoured: a platform asking for longer is given up on, and the
/// failure logged (a 429 that long means a global limit, not a burst).
pub const RETRY_AFTER_MAX: Duration = Duration::from_secs(60);

/// What a failed call means for retrying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Try again, after the platform's `Retry-After` when it gave one.
    Retry(Option<Duration>),
    /// Give up (a 4xx other than 429, a malformed request, ...).
    Fail,
}

/// Verdict for an HTTP status: 429 and 5xx are worth retrying, nothing else.
pub fn verdict_for_status(status: u16, retry_after: Option<Duration>) -> Verdict {
    match status {
        429 => Verdict::Retry(retry_after),
        500..=599 => Verdict::Retry(None),
        _ => Verdict::Fail,
    }
}

/// Runs `call` until it succeeds, `classify` says [`Verdict::Fail`], or [`ATTEMPTS`] attempts
/// were made. Waits the platform's `Retry-After` (at most [`RETRY_AFTER_MAX`]) when given, else
/// [`FIRST_DELAY`] doubling. `what` names the call in logs.
///
/// Errors: the last attempt's error.
pub async fn with_retry<T, E, F, Fut>(
    what: &str,
    classify: impl Fn(&E) -> Verdict,
    mut call: F,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let mut backoff = FIRST_DELAY;
    let mut attempt = 1;
    loop {
        let err = match call().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let wait = match classify(&err) {
            Verdict::Retry(Some(after)) if after <= RETRY_AFTER_MAX => after,
            Verdict::Retry(None) => backoff,
            Verdict::Retry(Some(_)) | Verdict::Fail => return Err(err),
        };
        if attempt >= ATTEMPTS {
            return Err(err);
        }
        warn!(call = what, attempt, error = %err, retry_in = ?wait, "platform call failed; retrying");
        tokio::time::sleep(wait).await;
        backoff *= 2;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn only_rate_limits_and_server_errors_are_retried() {
        assert_eq!(verdict_for_status(429, None), Verdict::Retry(None));
        assert_eq!(verdict_for_status(503, None), Verdict::Retry(None));
        assert_eq!(verdict_for_status(404, None), Verdict::Fail);
        assert_eq!(verdict_for_status(400, None), Verdict::Fail);
    }

    #[tokio::test]
    async fn retries_until_success_then_stops() {
        let calls = Cell::new(0);
        let result: Result<u32, String> = with_retry(
            "test",
            // A zero Retry-After keeps the test instant; the backoff path is exercised by
            // `tests/faults.rs` against the fakes' 5xx.
            |_| Verdict::Retry(Some(Duration::ZERO)),
            || {
                calls.set(calls.get() + 1);
                let n = calls.get();
                async move {
                    if n < 3 {
                        Err(format!("500 #{n}"))
                    } else {
                        Ok(n)
                    }
                }
            },
        )
        .await;
        assert_eq!(result, Ok(3));
        assert_eq!(calls.get(), 3);
    }

    #[tokio::test]
    async fn gives_up_after_the_last_attempt_and_on_a_hard_failure() {
        let calls = Cell::new(0);
        let result: Result<(), String> = with_retry(
            "test",
            |_| Verdict::Retry(Some(Duration::ZERO)),
            || {
                calls.set(calls.get() + 1);
                async { Err("429".to_string()) }
            },
        )
        .await;
        assert!(result.is_err());
        assert_eq!(calls.get(), ATTEMPTS);
        calls.set(0);
        let result: Result<(), String> = with_retry(
            "test",
            |_| Verdict::Fail,
            || {
                calls.set(calls.get() + 1);
                async { Err("404".to_string()) }
            },
        )
        .await;
        assert!(result.is_err());
        assert_eq!(calls.get(), 1);
    }
}
