//! Pictures: the `/stats` chart (points per week, checker score per topic) and the weekly
//! leaderboard card, drawn in memory with `plotters`' bitmap backend into an RGB buffer and
//! encoded as PNG with the `png` crate. No file, no system library: text is drawn through
//! `ab_glyph` with a font compiled into the binary (DejaVu Sans Mono, `assets/fonts/`, under
//! the Bitstream Vera / DejaVu licence in `assets/fonts/DejaVu-LICENSE.txt`), so this builds and
//! runs on a fresh machine with only crates.io.
//!
//! Pure functions of their data: the engine gathers the numbers (`engine::commands::stats`)
//! and sends them as a [`Picture`] with a text carrying the same data; the adapter draws it
//! when it delivers (`platform::pictures`).

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

/// The `/stats` chart's size in pixels (width, height).
pub const STATS_SIZE: (u32, u32) = (800, 640);
/// The leaderboard card's width in pixels; its height is
/// [`CARD_HEADER`] + [`CARD_ROW`] × rows (at least one) + [`CARD_FOOTER`].
pub const CARD_WIDTH: u32 = 800;
/// Pixels above the first row of the card (title and column names).
pub const CARD_HEADER: u32 = 96;
/// Pixels per row of the card.
pub const CARD_ROW: u32 = 44;
/// Pixels below the last row of the card.
pub const CARD_FOOTER: u32 = 24;

/// The font plotters draws every text with, registered as the `sans-serif` family.
static FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSansMono.ttf");
/// The family name the charts ask for (plotters' default label font is `sans-serif` too).
const FAMILY: &str = "sans-serif";

/// Longest member name drawn on the card, in characters (longer ones end with `…`).
const CARD_NAME_CHARS: usize = 22;

/// What went wrong drawing a picture (an internal failure: the text is sent instead).
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// Plotters could not draw (a font or layout failure).
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    /// The PNG encoder failed.
    #[error("encoding the PNG failed: {0}")]
    Encode(#[from] png::EncodingError),
}

fn draw_error<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// Registers the embedded font once per process.
fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_err() {
            tracing::error!("the embedded chart font did not load");
        }
    });
}

/// Points a member earned in one week (on-time answers, votes included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekPoints {
    /// A short label for the axis, e.g. `W10` (ISO week number).
    pub label: String,
    /// Points earned that week.
    pub points: i64,
}

/// A member's average checker score on one topic.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicScore {
    /// Topic display name.
    pub name: String,
    /// Average checker score, 0–100.
    pub score: f64,
}

/// A member's place compared with the week before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// Not on last week's board.
    New,
    /// Up this many places.
    Up(i64),
    /// Down this many places.
    Down(i64),
    /// The same place.
    Same,
}

impl Movement {
    /// From last week's rank and this week's (1-based).
    pub fn between(before: Option<usize>, now: usize) -> Movement {
        match before {
            None => Movement::New,
            Some(b) if b > now => Movement::Up((b - now) as i64),
            Some(b) if b < now => Movement::Down((now - b) as i64),
            Some(_) => Movement::Same,
        }
    }

    /// As text: `▲2`, `▼1`, `=`, `new`.
    pub fn label(self) -> String {
        match self {
            Movement::New => "new".into(),
            Movement::Up(n) => format!("▲{n}"),
            Movement::Down(n) => format!("▼{n}"),
            Movement::Same => "=".into(),
        }
    }
}

/// One line of the leaderboard card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRow {
    /// Place, 1-based.
    pub rank: usize,
    /// Display name.
    pub name: String,
    /// Points in the period.
    pub points: i64,
    /// On-time answers in the period.
    pub answers: i64,
    /// Against the period before.
    pub movement: Movement,
    /// Scheduled questions answered in a row, up to now.
    pub streak: i64,
}

/// RGB pixels → PNG bytes.
fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Flat-coloured charts compress well even with the fastest deflate (fdeflate), which keeps
    // drawing `/stats` to a millisecond or two instead of several with the default level.
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

/// Draws with `draw` on a white-filled `size` canvas and returns the PNG.
fn render(
    size: (u32, u32),
    background: RGBColor,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), ChartError>,
) -> Result<Vec<u8>, ChartError> {
    register_font();
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        root.fill(&background).map_err(draw_error)?;
        draw(&root)?;
        root.present().map_err(draw_error)?;
    }
    encode_png(&rgb, size)
}

/// A picture to draw, as data: what the engine sends ([`crate::engine::Outbound::Picture`]) and
/// an adapter draws at delivery ([`crate::platform::pictures`]), so the engine's reads never
/// pay for plotters.
#[derive(Debug, Clone, PartialEq)]
pub enum Picture {
    /// The `/stats` chart ([`stats_png`]).
    Stats {
        /// The title, e.g. `alice: the last 12 weeks`.
        title: String,
        /// Points per week, oldest first.
        weeks: Vec<WeekPoints>,
        /// Checker score per topic, strongest first.
        topics: Vec<TopicScore>,
    },
    /// The weekly leaderboard card ([`board_card_png`]).
    Card {
        /// The title, e.g. `Weekly leaderboard, week 2026-W10`.
        title: String,
        /// The rows, first place first.
        rows: Vec<CardRow>,
    },
}

impl Picture {
    /// The attachment's file name: `stats.png` or `leaderboard.png`.
    pub fn file_name(&self) -> &'static str {
        match self {
            Picture::Stats { .. } => "stats.png",
            Picture::Card { .. } => "leaderboard.png",
        }
    }

    /// Draws the picture as PNG bytes.
    ///
    /// Errors: [`ChartError`] when plotters or the encoder fail.
    pub fn png(&self) -> Result<Vec<u8>, ChartError> {
        match self {
            Picture::Stats {
                title,
                weeks,
                topics,
            } => stats_png(title, weeks, topics),
            Picture::Card { title, rows } => board_card_png(title, rows),
        }
    }
}

/// The `/stats` picture, [`STATS_SIZE`]: on top a bar per week (oldest left) of the points
/// earned, below a horizontal bar per topic of the average checker score (0–100), strongest
/// first. `topics` is drawn in the order given (sort it strongest first).
///
/// Errors: [`ChartError`] when plotters or the encoder fail.
pub fn stats_png(
    title: &str,
    weeks: &[WeekPoints],
    topics: &[TopicScore],
) -> Result<Vec<u8>, ChartError> {
    render(STATS_SIZE, WHITE, |root| {
        let root = root
            .titled(title, (FAMILY, 26).into_font())
            .map_err(draw_error)?;
        let (top, bottom) = root.split_vertically(STATS_SIZE.1 / 2 - 20);
        weeks_chart(&top, weeks)?;
        topics_chart(&bottom, topics)
    })
}

fn weeks_chart(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    weeks: &[WeekPoints],
) -> Result<(), ChartError> {
    let top = weeks.iter().map(|w| w.points).max().unwrap_or(0).max(10);
    let mut chart = ChartBuilder::on(area)
        .caption("Points per week", (FAMILY, 18).into_font())
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(48)
        .build_cartesian_2d(
            (0..last_index(weeks.len())).into_segmented(),
            0i64..top + top / 8 + 1,
        )
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(weeks.len().max(1))
        .x_label_formatter(&|x| match x {
            SegmentValue::CenterOf(i) => weeks.get(*i).map(|w| w.label.clone()).unwrap_or_default(),
            _ => String::new(),
        })
        .label_style((FAMILY, 13).into_font())
        .draw()
        .map_err(draw_error)?;
    chart
        .draw_series(
            Histogram::vertical(&chart)
                .style(RGBColor(0x3b, 0x6e, 0xd8).filled())
                .margin(8)
                .data(weeks.iter().enumerate().map(|(i, w)| (i, w.points))),
        )
        .map_err(draw_error)?;
    Ok(())
}

fn topics_chart(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    topics: &[TopicScore],
) -> Result<(), ChartError> {
    if topics.is_empty() {
        area.draw(&Text::new(
            "No answers yet: no checker scores to show.",
            (40, 60),
            (FAMILY, 18).into_font(),
        ))
        .map_err(draw_error)?;
        return Ok(());
    }
    let n = topics.len();
    let mut chart = ChartBuilder::on(area)
        .caption("Checker score per topic", (FAMILY, 18).into_font())
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(180)
        .build_cartesian_2d(0i64..100i64, (0..last_index(n)).into_segmented())
        .map_err(draw_error)?;
    // Segment 0 is at the bottom: the strongest topic (first) gets the top segment.
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&|y| match y {
            SegmentValue::CenterOf(i) if *i < n => topics[n - 1 - *i].name.clone(),
            _ => String::new(),
        })
        .label_style((FAMILY, 13).into_font())
        .draw()
        .map_err(draw_error)?;
    chart
        .draw_series(
            Histogram::horizontal(&chart)
                .style(RGBColor(0x2e, 0xa0, 0x5a).filled())
                .margin(6)
                .data(
                    topics
                        .iter()
                        .enumerate()
                        .map(|(i, t)| (n - 1 - i, t.score.round().clamp(0.0, 100.0) as i64)),
                ),
        )
        .map_err(draw_error)?;
    Ok(())
}

/// The last index of `n` bars: plotters' integer ranges include their end, so `0..n - 1`
/// gives exactly `n` segments (one bar each, none empty).
fn last_index(n: usize) -> usize {
    n.saturating_sub(1)
}

/// The card's size for `rows` lines.
pub fn card_size(rows: usize) -> (u32, u32) {
    (
        CARD_WIDTH,
        CARD_HEADER + CARD_ROW * rows.max(1) as u32 + CARD_FOOTER,
    )
}

/// The leaderboard card, [`card_size`]: a dark card with the title, then one line per row:
/// place (gold, silver, bronze for the podium), name, points, answers, movement since the
/// period before (green up, red down) and streak.
///
/// Errors: [`ChartError`] when plotters or the encoder fail.
pub fn board_card_png(title: &str, rows: &[CardRow]) -> Result<Vec<u8>, ChartError> {
    let background = RGBColor(0x1f, 0x23, 0x2b);
    let text = |size: i32, color: RGBColor| (FAMILY, size).into_font().color(&color);
    let white = RGBColor(0xf2, 0xf2, 0xf2);
    let grey = RGBColor(0x9a, 0xa0, 0xab);
    let columns: [(i32, &str); 6] = [
        (24, "#"),
        (80, "member"),
        (440, "points"),
        (540, "answers"),
        (640, "move"),
        (720, "streak"),
    ];
    render(card_size(rows.len()), background, |root| {
        let t = |s: String, x: i32, y: i32, style: TextStyle<'_>| {
            root.draw(&Text::new(s, (x, y), style)).map_err(draw_error)
        };
        t(title.to_string(), 24, 20, text(28, white))?;
        for (x, name) in columns {
            t(name.to_string(), x, 66, text(16, grey))?;
        }
        if rows.is_empty() {
            t(
                "No answers this period.".into(),
                80,
                CARD_HEADER as i32 + 10,
                text(20, white),
            )?;
        }
        for (i, r) in rows.iter().enumerate() {
            let y = (CARD_HEADER + CARD_ROW * i as u32) as i32;
            if i % 2 == 0 {
                root.draw(&Rectangle::new(
                    [(12, y), (CARD_WIDTH as i32 - 12, y + CARD_ROW as i32)],
                    RGBColor(0x2a, 0x2f, 0x3a).filled(),
                ))
                .map_err(draw_error)?;
            }
            let place = match r.rank {
                1 => RGBColor(0xf5, 0xc5, 0x18),
                2 => RGBColor(0xc0, 0xc6, 0xcf),
                3 => RGBColor(0xcd, 0x7f, 0x32),
                _ => white,
            };
            let ty = y + 10;
            t(r.rank.to_string(), 24, ty, text(22, place))?;
            let name = if r.name.chars().count() > CARD_NAME_CHARS {
                let short: String = r.name.chars().take(CARD_NAME_CHARS - 1).collect();
                format!("{short}…")
            } else {
                r.name.clone()
            };
            t(name, 80, ty, text(22, white))?;
            t(r.points.to_string(), 440, ty, text(22, white))?;
            t(r.answers.to_string(), 540, ty, text(22, white))?;
            let moved = match r.movement {
                Movement::Up(_) => RGBColor(0x3c, 0xc8, 0x6e),
                Movement::Down(_) => RGBColor(0xe8, 0x4a, 0x4a),
                Movement::New => RGBColor(0x5a, 0x9b, 0xf0),
                Movement::Same => grey,
            };
            t(r.movement.label(), 640, ty, text(22, moved))?;
            t(r.streak.to_string(), 720, ty, text(22, white))?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn movement_between_ranks() {
        assert_eq!(Movement::between(None, 1), Movement::New);
        assert_eq!(Movement::between(Some(3), 1), Movement::Up(2));
        assert_eq!(Movement::between(Some(1), 4), Movement::Down(3));
        assert_eq!(Movement::between(Some(2), 2), Movement::Same);
        assert_eq!(Movement::Up(2).label(), "▲2");
    }

    #[test]
    fn pictures_are_pngs_of_the_promised_size() {
        let png = stats_png("alice", &[], &[]).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let one = [TopicScore {
            name: "GIL".into(),
            score: 70.0,
        }];
        let week = [WeekPoints {
            label: "W10".into(),
            points: 30,
        }];
        assert_eq!(&stats_png("bob", &week, &one).unwrap()[..4], b"\x89PNG");
        let card = board_card_png("Weekly", &[]).unwrap();
        assert_eq!(&card[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(card_size(0), card_size(1));
        assert_eq!(card_size(10).1, CARD_HEADER + 10 * CARD_ROW + CARD_FOOTER);
    }
}
