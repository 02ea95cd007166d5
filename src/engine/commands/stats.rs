//! The pictures: the `/stats` chart (points per week over the last [`STATS_WEEKS`] weeks and
//! the checker score per topic, strongest first) and the weekly leaderboard card (top ten,
//! movement since the week before, streaks). Each goes out as an [`Outbound::Picture`]: the
//! numbers, and a text carrying them (screen readers, and platforms where the upload fails).
//! The adapter draws the PNG at delivery (`platform::pictures`), so the engine's read never
//! pays for plotters; when drawing fails the text goes alone.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::charts::{CardRow, Movement, Picture, TopicScore, WeekPoints};
use crate::engine::dispatch::{Core, Ctx};
use crate::engine::event::{ChannelRef, Outbound};
use crate::engine::{points, Error, Period};
use crate::store::{self, BoardScope, ChannelRowId, Conn, MemberId, TopicTotals};

/// Weeks the `/stats` chart shows, this one included (a quarter: enough to see a trend).
pub const STATS_WEEKS: i32 = 12;

/// Days in a week.
const WEEK_DAYS: i32 = 7;

/// `Wnn`: the ISO week of a day counted from 0001-01-01 (`points::local_day`).
fn week_label(day: i32) -> String {
    NaiveDate::from_num_days_from_ce_opt(day)
        .map_or_else(|| "?".into(), |d| format!("W{:02}", d.iso_week().week()))
}

/// The member's points per week, oldest first, the last [`STATS_WEEKS`] weeks up to the one
/// containing `now` in `tz`.
pub(crate) async fn weekly_points(
    conn: &mut Conn,
    channel: ChannelRowId,
    member: MemberId,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Vec<WeekPoints>, Error> {
    let Some((this_monday, end)) = points::period_days(Period::Week, now, tz) else {
        return Ok(Vec::new());
    };
    let start = this_monday - WEEK_DAYS * (STATS_WEEKS - 1);
    let mut weeks: Vec<WeekPoints> = (0..STATS_WEEKS)
        .map(|i| WeekPoints {
            label: week_label(start + WEEK_DAYS * i),
            points: 0,
        })
        .collect();
    for (day, pts) in store::member_days(conn, channel, member, (start, end)).await? {
        if let Some(w) = weeks.get_mut(((day - start) / WEEK_DAYS) as usize) {
            w.points += pts;
        }
    }
    Ok(weeks)
}

/// Average checker score per topic (display names), strongest first.
pub(crate) fn topic_scores(topics: &[TopicTotals], core: &Core) -> Vec<TopicScore> {
    let mut out: Vec<TopicScore> = topics
        .iter()
        .filter(|t| t.answers > 0)
        .map(|t| TopicScore {
            name: core
                .bank
                .topic(&t.topic)
                .map_or_else(|| t.topic.clone(), |x| x.name.clone()),
            score: t.score_sum as f64 / t.answers as f64,
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
    out
}

/// The chart's numbers as text, appended to the `/stats` text.
pub fn stats_text(summary: &str, weeks: &[WeekPoints], topics: &[TopicScore]) -> String {
    let mut out = summary.to_string();
    if !weeks.is_empty() {
        out.push_str("\nPoints per week, oldest first: ");
        out.push_str(
            &weeks
                .iter()
                .map(|w| format!("{} {}", w.label, w.points))
                .collect::<Vec<_>>()
                .join(" · "),
        );
    }
    if !topics.is_empty() {
        out.push_str("\nChecker score per topic, strongest first: ");
        out.push_str(
            &topics
                .iter()
                .map(|t| format!("{} {:.0}", t.name, t.score))
                .collect::<Vec<_>>()
                .join(" · "),
        );
    }
    out
}

/// The weekly board's text: the board's lines with movement and streak added to each.
pub fn card_text(board_text: &str, rows: &[CardRow]) -> String {
    let mut lines = board_text.lines();
    let mut out = lines.next().unwrap_or_default().to_string();
    for (line, row) in lines.zip(rows.iter().map(Some).chain(std::iter::repeat(None))) {
        out.push('\n');
        out.push_str(line);
        if let Some(r) = row {
            out.push_str(&format!(
                " · {} since last week · streak {}",
                match r.movement {
                    Movement::New => "new".to_string(),
                    Movement::Same => "same place".to_string(),
                    Movement::Up(n) => format!("up {n}"),
                    Movement::Down(n) => format!("down {n}"),
                },
                r.streak
            ));
        }
    }
    out
}

impl Core {
    /// `/stats` as a chart to draw with its text (privately).
    pub(crate) async fn stats_picture(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        (channel, member): (ChannelRowId, MemberId),
        name: &str,
        topics: &[TopicTotals],
        summary: String,
    ) -> Result<Outbound, Error> {
        let tz = self.channel_tz(conn, channel).await?;
        let weeks = weekly_points(conn, channel, member, ctx.now, tz).await?;
        let scores = topic_scores(topics, self);
        let text = stats_text(&summary, &weeks, &scores);
        Ok(Outbound::Picture {
            channel: ctx.channel.clone(),
            thread: None,
            user: Some(ctx.actor.id.clone()),
            picture: Picture::Stats {
                title: format!("{name}: the last {STATS_WEEKS} weeks"),
                weeks,
                topics: scores,
            },
            text,
        })
    }

    /// The weekly leaderboard post as a card: `standings` of the week ending before `now`,
    /// with each member's movement against the week before and streak.
    pub(crate) async fn weekly_card(
        &self,
        conn: &mut Conn,
        channel: ChannelRef,
        channel_row: ChannelRowId,
        standings: &[points::Standing],
        (label, board_text): (&str, String),
        (last_week, tz): (DateTime<Utc>, Tz),
    ) -> Result<Outbound, Error> {
        let before = points::period_days(Period::Week, last_week - chrono::Duration::weeks(1), tz);
        // Every member of the week before, so a fall from 11th to 3rd still reads as a move.
        let previous = store::board(
            conn,
            BoardScope::Channel(channel_row),
            before,
            None,
            i64::MAX,
        )
        .await?;
        let mut rows = Vec::with_capacity(standings.len());
        for (i, s) in standings.iter().enumerate() {
            let was = previous
                .iter()
                .position(|p| p.member == s.user)
                .map(|p| p + 1);
            let streak =
                points::streak(&store::scheduled_posts_answered(conn, channel_row, s.user).await?);
            rows.push(CardRow {
                rank: i + 1,
                name: s.name.clone(),
                points: s.points,
                answers: s.answers,
                movement: Movement::between(was, i + 1),
                streak,
            });
        }
        let text = card_text(&board_text, &rows);
        Ok(Outbound::Picture {
            channel,
            thread: None,
            user: None,
            picture: Picture::Card {
                title: format!("Weekly leaderboard, {label}"),
                rows,
            },
            text,
        })
    }
}
