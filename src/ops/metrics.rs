//! Prometheus metrics through the `metrics` facade and `metrics-exporter-prometheus` (which
//! writes the exposition format). Code that wants to count something calls one of the small
//! functions below (one line at the call site); [`install`] sets up the process-wide recorder
//! that `/metrics` renders. Until it is installed every call is a no-op (the `metrics` crate's
//! default), so the console, the tests and the benches pay nothing.
//!
//! | metric | type | labels | what |
//! |---|---|---|---|
//! | `interview_bot_events_total` | counter | `platform`, `kind` | inbound events submitted to the engine |
//! | `interview_bot_event_errors_total` | counter | `platform`, `kind` | events whose handling failed internally |
//! | `interview_bot_event_seconds` | histogram | `platform`, `kind` | submit → outcome, seconds |
//! | `interview_bot_answers_scored_total` | counter | `platform` | answers scored by the checker |
//! | `interview_bot_answer_score` | histogram | `platform` | checker score, 0–100 |
//! | `interview_bot_posts_total` | counter | | questions posted on a platform (attached to their message and thread) |
//! | `interview_bot_platform_connected` | gauge | `platform` | 1 when connected, 0 when not |
//! | `interview_bot_schedule_lag_seconds` | histogram | | how late a schedule's run started after its due time |
//! | `interview_bot_tick_errors_total` | counter | | scheduler ticks that failed |
//! | `interview_bot_processed_events_pruned_total` | counter | | processed-event ids removed by retention |

use std::sync::OnceLock;
use std::time::Instant;

use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

use crate::engine::Inbound;

/// Inbound events submitted, by `platform` and `kind`.
pub const EVENTS: &str = "interview_bot_events_total";
/// Events whose handling failed internally, by `platform` and `kind`.
pub const EVENT_ERRORS: &str = "interview_bot_event_errors_total";
/// Handling latency (submit to outcome), seconds, by `platform` and `kind`.
pub const EVENT_SECONDS: &str = "interview_bot_event_seconds";
/// Answers scored, by `platform`.
pub const ANSWERS_SCORED: &str = "interview_bot_answers_scored_total";
/// Checker scores (0–100), by `platform`.
pub const ANSWER_SCORE: &str = "interview_bot_answer_score";
/// Questions posted on a platform (attached to their message and thread).
pub const POSTS: &str = "interview_bot_posts_total";
/// 1 when the platform is connected, 0 when it is not, by `platform`.
pub const PLATFORM_CONNECTED: &str = "interview_bot_platform_connected";
/// How late a schedule's run started after its due time, seconds.
pub const SCHEDULE_LAG_SECONDS: &str = "interview_bot_schedule_lag_seconds";
/// Scheduler ticks that failed.
pub const TICK_ERRORS: &str = "interview_bot_tick_errors_total";
/// Processed-event ids removed by retention.
pub const PRUNED: &str = "interview_bot_processed_events_pruned_total";

/// Buckets of [`EVENT_SECONDS`] (seconds): 1 ms to 10 s. An event costs about a millisecond in
/// the writer (`docs/design.md`, "Measuring it"); a busy database waits up to its 5 s busy
/// timeout, so the top buckets show lock waits.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Buckets of [`SCHEDULE_LAG_SECONDS`]: the tick runs every 30 s by default, so a run on time is
/// under 30 s late; the larger buckets are downtime catch-up (minutes to a day).
const LAG_BUCKETS: &[f64] = &[
    1.0, 5.0, 15.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 21600.0, 86400.0,
];
/// Buckets of [`ANSWER_SCORE`]: tenths of the 0–100 score.
const SCORE_BUCKETS: &[f64] = &[10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0];

/// Installs the Prometheus recorder for the whole process (once; later calls return the same
/// handle) and describes every metric. Histograms get the buckets above, so they are rendered
/// as Prometheus histograms, not summaries.
///
/// Errors: another `metrics` recorder was installed first.
pub fn install() -> Result<PrometheusHandle, BuildError> {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    if let Some(handle) = HANDLE.get() {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(EVENT_SECONDS.into()), LATENCY_BUCKETS)?
        .set_buckets_for_metric(Matcher::Full(SCHEDULE_LAG_SECONDS.into()), LAG_BUCKETS)?
        .set_buckets_for_metric(Matcher::Full(ANSWER_SCORE.into()), SCORE_BUCKETS)?
        .install_recorder()?;
    describe();
    Ok(HANDLE.get_or_init(|| handle).clone())
}

fn describe() {
    describe_counter!(EVENTS, "Inbound events submitted to the engine.");
    describe_counter!(
        EVENT_ERRORS,
        "Inbound events whose handling failed internally."
    );
    describe_histogram!(
        EVENT_SECONDS,
        metrics::Unit::Seconds,
        "Time from submitting an event to its outcome."
    );
    describe_counter!(ANSWERS_SCORED, "Answers scored by the checker.");
    describe_histogram!(ANSWER_SCORE, "Checker scores of answers (0-100).");
    describe_counter!(POSTS, "Questions posted on a platform.");
    describe_gauge!(
        PLATFORM_CONNECTED,
        "1 when the platform is connected, 0 when not."
    );
    describe_histogram!(
        SCHEDULE_LAG_SECONDS,
        metrics::Unit::Seconds,
        "How late a schedule's run started after its due time."
    );
    describe_counter!(TICK_ERRORS, "Scheduler ticks that failed.");
    describe_counter!(PRUNED, "Processed-event ids removed by retention.");
}

/// The `kind` label of an inbound event: `command`, `message`, `edit`, `delete`,
/// `reaction_add`, `reaction_remove` or `private_answer`.
pub fn kind(event: &Inbound) -> &'static str {
    match event {
        Inbound::Command { .. } => "command",
        Inbound::Message { .. } => "message",
        Inbound::MessageEdited { .. } => "edit",
        Inbound::MessageDeleted { .. } => "delete",
        Inbound::ReactionAdded { .. } => "reaction_add",
        Inbound::ReactionRemoved { .. } => "reaction_remove",
        Inbound::PrivateAnswer { .. } => "private_answer",
    }
}

/// Times one inbound event from submission to outcome: [`EventTimer::start`] counts it in
/// [`EVENTS`]; [`EventTimer::finish`] records [`EVENT_SECONDS`] and, on failure,
/// [`EVENT_ERRORS`].
#[derive(Debug)]
pub struct EventTimer {
    platform: String,
    kind: &'static str,
    started: Instant,
}

impl EventTimer {
    /// Counts `event` and starts its clock.
    pub fn start(event: &Inbound) -> EventTimer {
        let timer = EventTimer {
            platform: event.channel().platform.clone(),
            kind: kind(event),
            started: Instant::now(),
        };
        counter!(EVENTS, "platform" => timer.platform.clone(), "kind" => timer.kind).increment(1);
        timer
    }

    /// Records the latency, and an error when `ok` is false.
    pub fn finish(self, ok: bool) {
        let labels = [("platform", self.platform), ("kind", self.kind.to_string())];
        histogram!(EVENT_SECONDS, &labels).record(self.started.elapsed().as_secs_f64());
        if !ok {
            counter!(EVENT_ERRORS, &labels).increment(1);
        }
    }
}

/// An answer was scored (`score` 0–100) on `platform`.
pub fn answer_scored(platform: &str, score: u8) {
    counter!(ANSWERS_SCORED, "platform" => platform.to_string()).increment(1);
    histogram!(ANSWER_SCORE, "platform" => platform.to_string()).record(f64::from(score));
}

/// A question was posted on its platform.
pub fn post_attached() {
    counter!(POSTS).increment(1);
}

/// A schedule's run started `lag_seconds` after it was due.
pub fn schedule_lag(lag_seconds: f64) {
    histogram!(SCHEDULE_LAG_SECONDS).record(lag_seconds.max(0.0));
}

/// Sets [`PLATFORM_CONNECTED`] for `platform`.
pub fn platform_connected(platform: &str, connected: bool) {
    gauge!(PLATFORM_CONNECTED, "platform" => platform.to_string()).set(if connected {
        1.0
    } else {
        0.0
    });
}

/// A scheduler tick failed.
pub fn tick_failed() {
    counter!(TICK_ERRORS).increment(1);
}

/// Retention removed `n` processed-event ids.
pub fn pruned(n: u64) {
    counter!(PRUNED).increment(n);
}
