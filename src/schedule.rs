//! Schedules: five-field POSIX cron expressions evaluated in an IANA time zone, and the clock the
//! engine is given.
//!
//! The `cron` crate expects Quartz-style expressions (a seconds field first, days of the week
//! numbered 1–7 from Sunday). People write crontab lines (`0 9 * * 1-5`: minute, hour,
//! day of month, month, day of week 0–7 with 0 and 7 Sunday, per POSIX `crontab(5)`), so
//! [`CronSpec::parse`] translates one into the other. Times are computed in the schedule's time
//! zone with `chrono-tz`, so 09:00 Europe/Berlin stays 09:00 across daylight-saving changes.

use std::str::FromStr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;

/// An example of a good cron expression, shown in errors.
pub const CRON_EXAMPLE: &str = "0 9 * * 1-5 (09:00 Monday to Friday)";
/// An example of a good time zone, shown in errors.
pub const TZ_EXAMPLE: &str = "Europe/Berlin";

/// What is wrong with a schedule a person typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The cron expression does not parse.
    #[error("`{expr}` is not a cron expression ({reason}); write five fields: minute hour day-of-month month day-of-week, e.g. `{example}`", example = CRON_EXAMPLE)]
    BadCron {
        /// What was typed.
        expr: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The cron expression never fires (e.g. `0 9 31 2 *`).
    #[error("`{0}` never fires; e.g. `{example}`", example = CRON_EXAMPLE)]
    NeverFires(String),
    /// Unknown IANA time zone.
    #[error("unknown time zone `{0}`: use an IANA name such as `{example}`, `America/New_York` or `UTC`", example = TZ_EXAMPLE)]
    BadTimeZone(String),
}

/// A parsed schedule: a cron expression in a time zone.
#[derive(Debug, Clone)]
pub struct CronSpec {
    expr: String,
    schedule: cron::Schedule,
    tz: Tz,
}

/// Parses an IANA time zone name (case-insensitive).
pub fn parse_time_zone(name: &str) -> Result<Tz, ScheduleError> {
    let name = name.trim();
    Tz::from_str(name)
        .or_else(|_| Tz::from_str_insensitive(name))
        .map_err(|_| ScheduleError::BadTimeZone(name.to_string()))
}

/// Maps a POSIX day-of-week field (0–7, 0 and 7 Sunday) to Quartz numbering (1–7, 1 Sunday).
/// Names (`Mon-Fri`) pass through; anything malformed is left for the cron parser to reject.
fn remap_day_of_week(field: &str) -> String {
    let map_num = |s: &str| -> Option<String> {
        let n: u32 = s.parse().ok()?;
        (n <= 7).then(|| (n % 7 + 1).to_string())
    };
    field
        .split(',')
        .map(|item| {
            let (range, step) = match item.split_once('/') {
                Some((r, s)) => (r, Some(s)),
                None => (item, None),
            };
            let mapped = match range.split_once('-') {
                Some((a, b)) => match (map_num(a), map_num(b)) {
                    (Some(_), Some(_)) if a == "0" && b == "7" => "1-7".to_string(),
                    // 5-7 (Fri-Sun) would become 6-1: split a range that wraps into two.
                    (Some(x), Some(_)) if b == "7" => format!("{x}-7,1"),
                    (Some(x), Some(y)) => format!("{x}-{y}"),
                    _ => range.to_string(),
                },
                None => map_num(range).unwrap_or_else(|| range.to_string()),
            };
            match step {
                Some(s) => format!("{mapped}/{s}"),
                None => mapped,
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl CronSpec {
    /// Parses a five-field POSIX cron expression and an IANA time zone.
    ///
    /// Errors: [`ScheduleError::BadCron`] (with an example of a good one),
    /// [`ScheduleError::NeverFires`], [`ScheduleError::BadTimeZone`].
    pub fn parse(expr: &str, time_zone: &str) -> Result<CronSpec, ScheduleError> {
        let tz = parse_time_zone(time_zone)?;
        let fields: Vec<&str> = expr.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(ScheduleError::BadCron {
                expr: expr.to_string(),
                reason: format!("it has {} field(s), not 5", fields.len()),
            });
        }
        let quartz = format!(
            "0 {} {} {} {} {}",
            fields[0],
            fields[1],
            fields[2],
            fields[3],
            remap_day_of_week(fields[4])
        );
        let schedule = cron::Schedule::from_str(&quartz).map_err(|e| ScheduleError::BadCron {
            expr: expr.to_string(),
            reason: e.to_string(),
        })?;
        let spec = CronSpec {
            expr: fields.join(" "),
            schedule,
            tz,
        };
        if spec.next_after(Utc::now()).is_none()
            && spec
                .next_after(Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap())
                .is_none()
        {
            return Err(ScheduleError::NeverFires(expr.to_string()));
        }
        Ok(spec)
    }

    /// The expression, normalised to single spaces.
    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// The time zone.
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// The first run strictly after `after`, or `None` if it never fires again.
    ///
    /// Local times that a daylight-saving change skips (02:30 on the spring-forward night in
    /// Europe/Berlin) are skipped by the `cron` crate; times that occur twice run once.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.schedule
            .after(&after.with_timezone(&self.tz))
            .next()
            .map(|t| t.with_timezone(&Utc))
    }
}

/// Where the engine gets the time. Tests and the console use [`ManualClock`].
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told to.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock standing at `t`.
    pub fn new(t: DateTime<Utc>) -> ManualClock {
        ManualClock(Mutex::new(t))
    }

    /// Moves the clock to `t` (it may go backwards; the engine copes).
    pub fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = t;
    }

    /// Moves the clock forward by `d`.
    pub fn advance(&self, d: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += d;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn posix_days_of_week() {
        assert_eq!(remap_day_of_week("1-5"), "2-6");
        assert_eq!(remap_day_of_week("0"), "1");
        assert_eq!(remap_day_of_week("7"), "1");
        assert_eq!(remap_day_of_week("5-7"), "6-7,1");
        assert_eq!(remap_day_of_week("0-7"), "1-7");
        assert_eq!(remap_day_of_week("1-5/2"), "2-6/2");
        assert_eq!(remap_day_of_week("*"), "*");
        assert_eq!(remap_day_of_week("Mon-Fri"), "Mon-Fri");
        assert_eq!(remap_day_of_week("1,3"), "2,4");
        // Monday to Friday really means Monday to Friday: from Friday 2026-03-06 10:00 UTC the
        // next run is Monday.
        let spec = CronSpec::parse("0 9 * * 1-5", "UTC").unwrap();
        assert_eq!(
            spec.next_after(utc("2026-03-06T10:00:00Z")),
            Some(utc("2026-03-09T09:00:00Z"))
        );
        let sunday = CronSpec::parse("0 9 * * 0", "UTC").unwrap();
        assert_eq!(
            sunday.next_after(utc("2026-03-06T10:00:00Z")),
            Some(utc("2026-03-08T09:00:00Z"))
        );
    }

    #[test]
    fn bad_input_is_rejected_with_an_example() {
        let e = CronSpec::parse("every day", "UTC").unwrap_err();
        assert!(e.to_string().contains("0 9 * * 1-5"), "{e}");
        let e = CronSpec::parse("61 9 * * *", "UTC").unwrap_err();
        assert!(matches!(e, ScheduleError::BadCron { .. }), "{e}");
        let e = CronSpec::parse("0 9 * * *", "Mars/Olympus").unwrap_err();
        assert!(e.to_string().contains("Europe/Berlin"), "{e}");
        assert!(CronSpec::parse("0 9 * * *", "europe/berlin").is_ok());
    }
}
