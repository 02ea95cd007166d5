//! Points, leaderboards and streaks: pure functions over stored answers.
//!
//! **Points for one answer** = round(checker score × tier factor) + 10 × min(distinct voters, 5);
//! late answers (after the post closed) earn 0. Tier factors: junior 1.0, mid 1.25, senior 1.5,
//! staff 2.0. A perfect staff answer with five voters earns 200 + 50 = 250. This is the project's
//! own formula (documented in the README): the checker rewards explaining the mechanism, votes
//! reward what peers found useful, and the vote cap stops a popular member from outvoting content.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::bank::Tier;
use crate::engine::command::Period;
use crate::store::{BoardRow, MemberId, PostId, ScoredAnswer};

/// Points per distinct voter.
pub const POINTS_PER_VOTER: i64 = 10;
/// Voters beyond this many add nothing.
pub const MAX_COUNTED_VOTERS: i64 = 5;

/// The multiplier applied to the checker score for a tier.
pub fn tier_factor(tier: Tier) -> f64 {
    match tier {
        Tier::Junior => 1.0,
        Tier::Mid => 1.25,
        Tier::Senior => 1.5,
        Tier::Staff => 2.0,
    }
}

/// Points for one answer (see the module docs).
pub fn points(score: i64, tier: Tier, voters: i64, late: bool) -> i64 {
    if late {
        return 0;
    }
    (score as f64 * tier_factor(tier)).round() as i64
        + POINTS_PER_VOTER * voters.clamp(0, MAX_COUNTED_VOTERS)
}

/// Points for a stored answer.
pub fn answer_points(a: &ScoredAnswer) -> i64 {
    points(a.score, a.tier, a.voters, a.late)
}

/// A post's on-time answers, best first, with their points ([`answer_points`]); equal points
/// rank the earlier answer first. Late answers (0 points) are left out.
pub fn ranked(answers: &[ScoredAnswer]) -> Vec<(&ScoredAnswer, i64)> {
    let mut ranked: Vec<(&ScoredAnswer, i64)> = answers
        .iter()
        .filter(|a| !a.late)
        .map(|a| (a, answer_points(a)))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.answered_at.cmp(&b.0.answered_at)));
    ranked
}

/// The local date of `t` in `tz`, as days from 0001-01-01 (chrono's `num_days_from_ce`): the
/// day key of the daily rollups.
pub fn local_day(t: DateTime<Utc>, tz: Tz) -> i32 {
    t.with_timezone(&tz).date_naive().num_days_from_ce()
}

/// The local days `[from, to)` of a period containing `now` in `tz` (see [`period_range`]);
/// `None` for all time. An instant is in [`period_range`] exactly when its [`local_day`] is in
/// this range, since both bounds are local midnights.
pub fn period_days(period: Period, now: DateTime<Utc>, tz: Tz) -> Option<(i32, i32)> {
    let (from, to) = period_range(period, now, tz);
    Some((local_day(from?, tz), local_day(to?, tz)))
}

/// Midnight at the start of `date` in `tz`, as UTC (the earliest instant if midnight repeats, the
/// first instant after the gap if midnight is skipped by a daylight-saving change).
fn local_midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let naive = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        chrono::LocalResult::None => tz
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc)),
    }
}

/// The `[from, to)` range of a period containing `now` in time zone `tz`; `None` bounds for all
/// time. Weeks are ISO weeks (Monday first).
pub fn period_range(
    period: Period,
    now: DateTime<Utc>,
    tz: Tz,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let today = now.with_timezone(&tz).date_naive();
    match period {
        Period::All => (None, None),
        Period::Week => {
            let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
            (
                Some(local_midnight(tz, monday)),
                Some(local_midnight(tz, monday + Duration::days(7))),
            )
        }
        Period::Month => {
            let first = today.with_day(1).unwrap_or(today);
            let next = if first.month() == 12 {
                NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
            }
            .unwrap_or(first);
            (
                Some(local_midnight(tz, first)),
                Some(local_midnight(tz, next)),
            )
        }
    }
}

/// A human label for a period containing `now`: `week 2026-W10`, `March 2026`, `all time`.
pub fn period_label(period: Period, now: DateTime<Utc>, tz: Tz) -> String {
    let local = now.with_timezone(&tz);
    match period {
        Period::Week => {
            let w = local.iso_week();
            format!("week {}-W{:02}", w.year(), w.week())
        }
        Period::Month => local.format("%B %Y").to_string(),
        Period::All => "all time".into(),
    }
}

/// One row of a leaderboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// User row id.
    pub user: MemberId,
    /// Display name.
    pub name: String,
    /// Total points.
    pub points: i64,
    /// Answers that earned points (on time).
    pub answers: i64,
    /// Average checker score of those answers, rounded.
    pub average_score: i64,
}

/// Ranks members by points (then answers, then name) over `answers`, optionally of one tier.
pub fn leaderboard(answers: &[ScoredAnswer], tier: Option<Tier>) -> Vec<Standing> {
    let mut by_user: HashMap<MemberId, (String, i64, i64, i64)> = HashMap::new();
    for a in answers {
        if a.late || tier.is_some_and(|t| a.tier != t) {
            continue;
        }
        let e = by_user
            .entry(a.author)
            .or_insert_with(|| (a.author_name.clone(), 0, 0, 0));
        e.1 += answer_points(a);
        e.2 += 1;
        e.3 += a.score;
    }
    let mut rows: Vec<Standing> = by_user
        .into_iter()
        .map(|(user, (name, points, answers, total))| Standing {
            user,
            name,
            points,
            answers,
            average_score: (total as f64 / answers.max(1) as f64).round() as i64,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.points
            .cmp(&a.points)
            .then(b.answers.cmp(&a.answers))
            .then(a.name.cmp(&b.name))
            .then(a.user.cmp(&b.user))
    });
    rows
}

/// Standings from board rows (already ranked by the store, in the order [`leaderboard`] uses).
pub fn standings(rows: Vec<BoardRow>) -> Vec<Standing> {
    rows.into_iter()
        .map(|r| Standing {
            user: r.member,
            name: r.name,
            points: r.points,
            answers: r.answers,
            average_score: (r.score_sum as f64 / r.answers.max(1) as f64).round() as i64,
        })
        .collect()
}

/// The current streak from `(post, answered on time, still open)` rows of scheduled posts,
/// newest first: consecutive answered posts, not broken by a newest post that is still open.
pub fn streak(posts: &[(PostId, bool, bool)]) -> i64 {
    let mut n = 0;
    for (i, &(_, answered, open)) in posts.iter().enumerate() {
        if answered {
            n += 1;
        } else if i == 0 && open {
            continue;
        } else {
            break;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_formula() {
        assert_eq!(points(80, Tier::Mid, 0, false), 100);
        assert_eq!(points(100, Tier::Staff, 9, false), 250);
        assert_eq!(points(100, Tier::Staff, 9, true), 0);
        assert_eq!(points(33, Tier::Senior, 1, false), 60);
    }

    #[test]
    fn ranked_puts_more_points_first_then_the_earlier_answer_and_leaves_out_late_ones() {
        use crate::store::{AnswerId, ChannelRowId};
        let at = |minute: u32| Utc.with_ymd_and_hms(2026, 3, 2, 9, minute, 0).unwrap();
        let answer = |id: i64, score: i64, minute: u32, late: bool| ScoredAnswer {
            id: AnswerId(id),
            author: MemberId(id),
            author_name: format!("m{id}"),
            post: PostId(1),
            channel: ChannelRowId(1),
            tier: Tier::Junior,
            topic: "gil".into(),
            score,
            late,
            answered_at: at(minute),
            voters: 0,
            scheduled: true,
        };
        let answers = [
            answer(1, 50, 5, false),
            answer(2, 90, 9, true),
            answer(3, 70, 8, false),
            answer(4, 50, 3, false),
        ];
        let order: Vec<(i64, i64)> = ranked(&answers)
            .iter()
            .map(|(a, pts)| (a.id.0, *pts))
            .collect();
        assert_eq!(order, [(3, 70), (4, 50), (1, 50)]);
    }

    #[test]
    fn iso_week_in_time_zone() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        // Sunday 23:30 UTC is already Monday 00:30 in Berlin (winter, UTC+1): a new week.
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 23, 30, 0).unwrap();
        let (from, to) = period_range(Period::Week, now, tz);
        assert_eq!(
            from,
            Some(Utc.with_ymd_and_hms(2026, 3, 1, 23, 0, 0).unwrap())
        );
        assert_eq!(
            to,
            Some(Utc.with_ymd_and_hms(2026, 3, 8, 23, 0, 0).unwrap())
        );
        assert_eq!(period_label(Period::Week, now, tz), "week 2026-W10");
        // The week that spans the spring-forward change is 167 hours long.
        let now = Utc.with_ymd_and_hms(2026, 3, 25, 12, 0, 0).unwrap();
        let (from, to) = period_range(Period::Week, now, tz);
        assert_eq!((to.unwrap() - from.unwrap()).num_hours(), 167);
    }

    fn p(n: i64) -> PostId {
        PostId(n)
    }

    #[test]
    fn streaks() {
        assert_eq!(
            streak(&[
                (p(3), false, true),
                (p(2), true, false),
                (p(1), true, false)
            ]),
            2
        );
        assert_eq!(
            streak(&[
                (p(3), true, true),
                (p(2), false, false),
                (p(1), true, false)
            ]),
            1
        );
        assert_eq!(streak(&[(p(3), false, false), (p(2), true, false)]), 0);
        assert_eq!(streak(&[]), 0);
    }
}
