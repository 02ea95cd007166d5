//! Scheduler behaviour across daylight-saving changes, bad input, and downtime.

use chrono::{DateTime, Utc};
use interview_bot::schedule::{CronSpec, ScheduleError};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn runs(spec: &CronSpec, from: &str, n: usize) -> Vec<DateTime<Utc>> {
    let mut t = utc(from);
    let mut out = Vec::new();
    for _ in 0..n {
        t = spec.next_after(t).expect("fires");
        out.push(t);
    }
    out
}

#[test]
fn nine_am_berlin_stays_nine_am_across_both_changes() {
    let spec = CronSpec::parse("0 9 * * *", "Europe/Berlin").unwrap();
    // Spring forward: Sunday 2026-03-29 02:00 CET → 03:00 CEST.
    assert_eq!(
        runs(&spec, "2026-03-28T00:00:00Z", 3),
        [
            utc("2026-03-28T08:00:00Z"), // 09:00 CET (UTC+1)
            utc("2026-03-29T07:00:00Z"), // 09:00 CEST (UTC+2)
            utc("2026-03-30T07:00:00Z"),
        ]
    );
    // Fall back: Sunday 2026-10-25 03:00 CEST → 02:00 CET.
    assert_eq!(
        runs(&spec, "2026-10-24T00:00:00Z", 3),
        [
            utc("2026-10-24T07:00:00Z"),
            utc("2026-10-25T08:00:00Z"),
            utc("2026-10-26T08:00:00Z"),
        ]
    );
}

#[test]
fn new_york_gap_and_overlap() {
    let spec = CronSpec::parse("0 9 * * 1-5", "America/New_York").unwrap();
    // DST starts Sunday 2026-03-08: Friday 09:00 EST is 14:00 UTC, Monday 09:00 EDT is 13:00 UTC.
    assert_eq!(
        runs(&spec, "2026-03-06T00:00:00Z", 2),
        [utc("2026-03-06T14:00:00Z"), utc("2026-03-09T13:00:00Z")]
    );
    // 01:30 happens twice on 2026-11-01 (EDT, then EST): the schedule runs once that day.
    let spec = CronSpec::parse("30 1 * * *", "America/New_York").unwrap();
    let got = runs(&spec, "2026-10-31T12:00:00Z", 3);
    assert_eq!(got[0], utc("2026-11-01T05:30:00Z"), "{got:?}"); // 01:30 EDT
    assert_eq!(got[1], utc("2026-11-02T06:30:00Z"), "{got:?}"); // next day, 01:30 EST
}

#[test]
fn a_time_skipped_by_spring_forward_does_not_run_twice_or_early() {
    // 02:30 does not exist in Berlin on 2026-03-29.
    let spec = CronSpec::parse("30 2 * * *", "Europe/Berlin").unwrap();
    let got = runs(&spec, "2026-03-28T00:00:00Z", 3);
    assert_eq!(got[0], utc("2026-03-28T01:30:00Z"), "{got:?}");
    assert!(got[1] > utc("2026-03-29T00:00:00Z"), "{got:?}");
    assert!(
        got.windows(2)
            .all(|w| w[1] - w[0] >= chrono::Duration::hours(23)),
        "{got:?}"
    );
}

#[test]
fn bad_cron_and_unknown_time_zone_are_rejected_with_examples() {
    for bad in ["", "* * *", "0 25 * * *", "every monday", "0 9 * * 8"] {
        let e = CronSpec::parse(bad, "UTC").unwrap_err();
        assert!(
            matches!(e, ScheduleError::BadCron { .. }),
            "`{bad}` gave {e:?}"
        );
        assert!(e.to_string().contains("0 9 * * 1-5"), "{e}");
    }
    let e = CronSpec::parse("0 9 * * *", "Europe/Berlim").unwrap_err();
    assert_eq!(e, ScheduleError::BadTimeZone("Europe/Berlim".into()));
    assert!(e.to_string().contains("Europe/Berlin"));
    assert!(matches!(
        CronSpec::parse("0 9 31 2 *", "UTC").unwrap_err(),
        ScheduleError::NeverFires(_)
    ));
}
