//! `--format table`: one row per result, for a person at a terminal or reading a cron mail;
//! `check` and `history` tables beside it share its cells and colours.
//!
//! comfy-table lays it out ([`super::fit`]) in the width the caller gives, none for a pipe, so
//! piped output is stable.
//! Colours are ANSI escapes written here rather than comfy-table's (crossterm's) styling, which
//! consults `NO_COLOR` by itself: whether to colour is the caller's decision alone.

mod check;
mod history;

pub use check::render_check;
pub use history::render_history;

use super::baselines;
use super::fit::{names, wrap_prose, Grid, Look};
use super::format::{delta_text, format_value, sparkline, NO_VALUE};
use crate::model::{Comparison, Direction, KpiResult, RunReport, Status, Unit};

const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const RESET: &str = "\x1b[0m";

/// Private-use characters that stand in for colour codes while comfy-table measures widths;
/// [`paint`] swaps them for escapes afterwards.
const MARK_GREEN: char = '\u{E000}';
const MARK_RED: char = '\u{E001}';
const MARK_YELLOW: char = '\u{E002}';
const MARK_END: char = '\u{E003}';

const FOOTNOTE: &str =
    "* not like-for-like: the KPI's definition changed since the previous value was recorded\n";
const NOISE_NOTE: &str = "~ within noise: the move is not significant (docs/significance.md)\n";

/// How a cell is coloured when colour is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    Plain,
    Good,
    Bad,
    Warning,
}

/// The report as a table, fitted to `look.width`. Without `look.color` the output holds no
/// escape byte.
pub fn render(report: &RunReport, look: Look) -> String {
    let trend = report
        .results
        .iter()
        .any(|r| r.history.iter().flatten().count() >= 2);
    let deltas = Deltas::of(&report.results);
    let previous = baselines::value_header(&report.results);
    let grid = Grid {
        header: header(&previous, &deltas, trend),
        rows: rows(report, &deltas, look.color, trend),
        label: 0,
        optional: vec!["Trend".to_string(), previous.clone()],
        // A baseline beside the first goes before names are cut: its Δ is a second opinion.
        late: deltas.beside_the_first(),
        wrappable: Vec::new(),
        stackable: names(&["Period"]),
        figures: deltas.figures(&["Value", &previous]),
    };
    let laid = grid.layout(look.width);
    let mut out = if look.color {
        paint(&laid.table)
    } else {
        laid.table
    };
    out.push('\n');
    let shown = deltas.shown(&laid.dropped);
    out.push_str(&wrap_prose(&footnotes(&report.results, &shown), look.width));
    out.push_str(&wrap_prose(&laid.note, look.width));
    out
}

/// The Δ columns of a table: one per baseline of the report, in order.
struct Deltas {
    names: Vec<String>,
    headers: Vec<String>,
}

impl Deltas {
    /// The report's baselines; the period before when none has one (an empty report), so that
    /// the table keeps its Δ column.
    fn of(results: &[KpiResult]) -> Deltas {
        let mut names = baselines::union(results);
        if names.is_empty() {
            names.push(baselines::PREVIOUS.to_string());
        }
        let headers = names
            .iter()
            .map(|n| baselines::delta_header(n, &names))
            .collect();
        Deltas { names, headers }
    }

    /// A result's Δ cells, `–` where it lacks a baseline.
    fn cells(&self, r: &KpiResult, color: bool) -> Vec<String> {
        let list = baselines::of(r);
        let cell = |name: &String| {
            let (text, tone) = match list.iter().find(|c| &c.baseline == name) {
                Some(c) => delta(c, r.unit, r.direction),
                None => (NO_VALUE.to_string(), Tone::Plain),
            };
            toned(text, tone, color)
        };
        self.names.iter().map(cell).collect()
    }

    /// The headers of the Δ columns after the first, the last baseline first: the order in
    /// which they go when the table is too wide.
    fn beside_the_first(&self) -> Vec<String> {
        self.headers.iter().skip(1).rev().cloned().collect()
    }

    /// `others` and the Δ headers: the columns of figures.
    fn figures(&self, others: &[&str]) -> Vec<String> {
        let mut figures = names(others);
        figures.extend(self.headers.iter().cloned());
        figures
    }

    /// The baselines whose Δ column is shown after fitting (their marks need the footnotes).
    fn shown(&self, dropped: &[String]) -> Vec<String> {
        let kept = self.names.iter().zip(&self.headers);
        kept.filter(|(_, h)| !dropped.contains(h))
            .map(|(n, _)| n.clone())
            .collect()
    }
}

/// What the `*` and `~` marks of the shown Δ columns (`baselines`) mean, when some appear.
fn footnotes(results: &[KpiResult], baselines: &[String]) -> String {
    let shown: Vec<Comparison> = results
        .iter()
        .flat_map(|r| baselines::of(r).into_owned())
        .filter(|c| baselines.contains(&c.baseline))
        .collect();
    let mut notes = String::new();
    if shown.iter().any(|c| c.comparable == Some(false)) {
        notes.push_str(FOOTNOTE);
    }
    let marked = |c: &Comparison| c.significant == Some(false) && c.delta.is_some_and(|d| d != 0.0);
    if shown.iter().any(marked) {
        notes.push_str(NOISE_NOTE);
    }
    notes
}

fn header(previous: &str, deltas: &Deltas, trend: bool) -> Vec<String> {
    let mut header = names(&["KPI", "Period", "Value", previous]);
    header.extend(deltas.headers.iter().cloned());
    header.push("Status".to_string());
    if trend {
        header.push("Trend".to_string());
    }
    header
}

/// Breakdown rows go under their KPI's row; when the overall row is absent (`--by` alone),
/// a row with the KPI's name stands in for it.
fn rows(report: &RunReport, deltas: &Deltas, color: bool, trend: bool) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut current: Option<&str> = None;
    for result in &report.results {
        if !result.dimensions.is_empty() && current != Some(result.kpi.as_str()) {
            rows.push(vec![clean(&result.name)]);
        }
        current = Some(&result.kpi);
        rows.push(row(result, deltas, color, trend));
    }
    rows
}

fn row(r: &KpiResult, deltas: &Deltas, color: bool, trend: bool) -> Vec<String> {
    let label = if r.dimensions.is_empty() {
        clean(&r.name)
    } else {
        format!("  {}", clean(&r.dimensions_label()))
    };
    let mut cells = vec![
        label,
        period(r),
        format_value(r.value, r.unit),
        format_value(r.previous_value, r.unit),
    ];
    cells.extend(deltas.cells(r, color));
    cells.push(toned(
        r.status.name().to_string(),
        status_tone(r.status),
        color,
    ));
    if trend {
        cells.push(sparkline(&r.history));
    }
    cells
}

/// A period still running at as-of says so: `2026-11 (to 2026-11-22)`.
fn period(r: &KpiResult) -> String {
    let label = clean(&r.period);
    if r.to_date {
        format!("{label} (to {})", r.period_end.format("%Y-%m-%d"))
    } else {
        label
    }
}

/// `▲ +3.3 pts`, `▼ -250.00 (-5.0 %)` or `=`, with its tone: good or bad per the direction.
fn delta(c: &Comparison, unit: Unit, direction: Direction) -> (String, Tone) {
    let Some((text, d)) = delta_text(c, unit, "*") else {
        return (NO_VALUE.to_string(), Tone::Plain);
    };
    let tone = match direction {
        Direction::Up if d > 0.0 => Tone::Good,
        Direction::Down if d < 0.0 => Tone::Good,
        Direction::Up | Direction::Down if d != 0.0 => Tone::Bad,
        _ => Tone::Plain,
    };
    (text, tone)
}

fn status_tone(status: Status) -> Tone {
    match status {
        Status::Warn => Tone::Warning,
        Status::Fail | Status::Stale => Tone::Bad,
        Status::Ok | Status::NoData => Tone::Plain,
    }
}

/// Wraps a cell's text in colour marks. Every toned cell grows by two characters, marked or
/// not, so that once [`paint`] turns the two marks into zero-width escapes plus two spaces the
/// column still lines up.
fn toned(text: String, tone: Tone, color: bool) -> String {
    let mark = match tone {
        _ if !color => return text,
        Tone::Plain => return format!("{text}  "),
        Tone::Good => MARK_GREEN,
        Tone::Bad => MARK_RED,
        Tone::Warning => MARK_YELLOW,
    };
    format!("{mark}{text}{MARK_END}")
}

fn paint(table: &str) -> String {
    table
        .replace(MARK_GREEN, GREEN)
        .replace(MARK_RED, RED)
        .replace(MARK_YELLOW, YELLOW)
        .replace(MARK_END, &format!("{RESET}  "))
}

/// Text from the data or the configuration, made safe for a terminal and for the layout:
/// control characters (escape sequences, tabs, newlines) and the colour marks become spaces.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            c if c.is_control() => ' ',
            MARK_GREEN..=MARK_END => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    const COLOR: Look = Look {
        color: true,
        width: None,
    };

    const GOLDEN: &str = "\
┌───────────────────────────┬─────────────────────────┬─────────┬──────────┬───────────────────────┬─────────┬───────┐
│ KPI                       ┆ Period                  ┆   Value ┆ Previous ┆                     Δ ┆ Status  ┆ Trend │
╞═══════════════════════════╪═════════════════════════╪═════════╪══════════╪═══════════════════════╪═════════╪═══════╡
│ Win rate                  ┆ 2026-10                 ┆  31.3 % ┆   28.0 % ┆            ▲ +3.3 pts ┆ ok      ┆ ▁█ ▄█ │
│   region=EMEA             ┆ 2026-10                 ┆  40.0 % ┆   50.0 % ┆           ▼ -10.0 pts ┆ ok      ┆       │
│   region=APAC             ┆ 2026-10                 ┆       – ┆   20.0 % ┆                     – ┆ no_data ┆       │
│ Sales cycle               ┆ 2026-10                 ┆  12.4 d ┆   14.0 d ┆    ▼ -1.6 d (-11.1 %) ┆ warn    ┆       │
│   region=EMEA;channel=Web ┆ 2026-10                 ┆  15.5 d ┆   11.0 d ┆    ▲ +4.5 d (+40.9 %) ┆ warn    ┆       │
│ Revenue                   ┆ 2026-11 (to 2026-11-22) ┆ €12,346 ┆  €11,061 ┆ ▲ +€1,285 (+11.6 %) * ┆ fail    ┆       │
│ Tickets                   ┆ 2026-10                 ┆ 1,234.5 ┆  1,234.5 ┆                     = ┆ ok      ┆       │
│ NPS                       ┆ 2026-10                 ┆      42 ┆        – ┆                     – ┆ ok      ┆       │
└───────────────────────────┴─────────────────────────┴─────────┴──────────┴───────────────────────┴─────────┴───────┘
* not like-for-like: the KPI's definition changed since the previous value was recorded
";

    #[test]
    fn golden() {
        assert_eq!(render(&fixture::report(), Look::PLAIN), GOLDEN);
    }

    fn strip_escapes(text: &str) -> String {
        [GREEN, RED, YELLOW, RESET]
            .iter()
            .fold(text.to_string(), |t, code| t.replace(code, ""))
    }

    fn line_of<'a>(out: &'a str, start: &str) -> &'a str {
        out.lines().find(|l| l.starts_with(start)).unwrap()
    }

    #[test]
    fn colour_follows_direction_and_keeps_columns_aligned() {
        let out = render(&fixture::report(), COLOR);
        let win = line_of(&out, "│ Win rate");
        assert!(win.contains(&format!("{GREEN}▲ +3.3 pts{RESET}")), "{win}");
        let emea = line_of(&out, "│   region=EMEA ");
        assert!(emea.contains(&format!("{RED}▼ -10.0 pts{RESET}")), "{emea}");
        // Direction down: a shorter cycle is good, a longer one bad.
        let cycle = line_of(&out, "│ Sales cycle");
        assert!(cycle.contains(&format!("{GREEN}▼ -1.6 d (-11.1 %){RESET}")));
        assert!(cycle.contains(&format!("{YELLOW}warn{RESET}")));
        let web = line_of(&out, "│   region=EMEA;channel=Web");
        assert!(web.contains(&format!("{RED}▲ +4.5 d (+40.9 %){RESET}")));
        assert!(line_of(&out, "│ Revenue").contains(&format!("{RED}fail{RESET}")));
        assert!(!line_of(&out, "│ Tickets").contains('\x1b'));
        let plain = strip_escapes(&out);
        let widths: Vec<usize> = plain.lines().take(11).map(|l| l.chars().count()).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{plain}");
        assert!(!plain.contains('\x1b'));
    }

    fn widest(out: &str) -> usize {
        let plain = strip_escapes(out);
        plain.lines().map(|l| l.chars().count()).max().unwrap_or(0)
    }

    #[test]
    fn a_width_drops_the_trend_then_the_previous_value_and_says_so() {
        // The fixture is 118 characters wide; without Trend 110, without Previous too 99.
        let fitted = |width, color| {
            render(
                &fixture::report(),
                Look {
                    color,
                    width: Some(width),
                },
            )
        };
        let header = |out: &str| out.lines().nth(1).unwrap_or_default().to_string();
        let out = fitted(117, false);
        assert!(!header(&out).contains("Trend"), "{out}");
        assert!(header(&out).contains("Previous"), "{out}");
        assert!(out
            .ends_with("(fitted to 117 columns: Trend left out; --width 0 shows every column)\n"));
        assert_eq!(
            fitted(110, false),
            out.replace("117 columns", "110 columns")
        );
        let out = fitted(109, false);
        assert!(!header(&out).contains("Previous"), "{out}");
        assert!(out.contains("Trend and Previous left out"), "{out}");
        assert!(!out.contains('…'), "{out}");
        assert_eq!(fitted(118, false), GOLDEN);
        // Colour marks count as the two spaces they become: coloured lines fit too.
        for width in [117, 105, 95] {
            assert!(
                widest(&fitted(width, true)) <= width,
                "{}",
                fitted(width, true)
            );
        }
    }

    #[test]
    fn a_period_to_date_goes_onto_two_lines_before_names_are_cut() {
        let at = |width| {
            render(
                &fixture::report(),
                Look {
                    color: false,
                    width: Some(width),
                },
            )
        };
        let out = at(95);
        assert!(out.contains("┆ 2026-11         ┆"), "{out}");
        assert!(out.contains("┆ (to 2026-11-22) ┆"), "{out}");
        assert!(!out.contains('…'), "{out}");
        assert!(out.lines().all(|l| l.chars().count() <= 95), "{out}");
        // The period's second line and the footnote.
        assert_eq!(out.lines().count(), GOLDEN.lines().count() + 2, "{out}");
        let out = at(86);
        assert!(out.contains("│   region=EMEA;chann… ┆"), "{out}");
        assert!(out.lines().all(|l| l.chars().count() <= 86), "{out}");
    }

    /// The fixture's win rate alone, compared with the period before and a year ago, the
    /// year-ago value recorded under another definition.
    fn with_year_ago() -> RunReport {
        let mut report = fixture::report();
        report.results.truncate(1);
        let r = &mut report.results[0];
        let previous = baselines::of(r).into_owned();
        let year_ago = Comparison {
            baseline: "year_ago".into(),
            period: "2025-10".into(),
            value: Some(0.25),
            comparable: Some(false),
            ..Default::default()
        };
        r.comparisons = [previous, vec![year_ago]].concat();
        r.compute_delta();
        r.history.clear();
        report
    }

    #[test]
    fn each_baseline_has_its_delta_column_with_its_marks() {
        let out = render(&with_year_ago(), Look::PLAIN);
        let header = out.lines().nth(1).unwrap_or_default();
        assert!(
            header.contains("┆ Previous ┆     Δ prev ┆   Δ year ago ┆"),
            "{out}"
        );
        assert!(out.contains("┆ ▲ +3.3 pts ┆ ▲ +6.3 pts * ┆"), "{out}");
        assert!(out.contains(FOOTNOTE), "{out}");
        // 79 characters wide, 68 without the previous value: at 60 the year-ago column goes
        // too, and its mark's footnote with it.
        let narrow = Look {
            color: false,
            width: Some(60),
        };
        let out = render(&with_year_ago(), narrow);
        assert!(!out.contains("year ago ┆"), "{out}");
        assert!(out.contains("Previous and Δ year ago left out"), "{out}");
        assert!(out.contains("┆ ▲ +3.3 pts ┆"), "{out}");
        assert!(!out.contains(FOOTNOTE), "{out}");
    }

    #[test]
    fn no_colour_means_no_escape_byte() {
        assert!(!render(&fixture::report(), Look::PLAIN).contains('\x1b'));
    }

    #[test]
    fn trend_column_only_with_two_archived_values() {
        let mut report = fixture::report();
        report.results[0].history = vec![None, Some(0.3125)];
        let out = render(&report, Look::PLAIN);
        assert!(!out.contains("Trend"), "{out}");
    }

    #[test]
    fn breakdown_without_its_overall_row_gets_the_kpi_name() {
        let mut report = fixture::report();
        report.results = vec![report.results[1].clone()];
        let out = render(&report, Look::PLAIN);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[3].starts_with("│ Win rate      ┆"), "{out}");
        assert!(lines[4].starts_with("│   region=EMEA ┆ 2026-10"), "{out}");
    }

    #[test]
    fn control_characters_from_the_data_are_neutralised() {
        let mut report = fixture::report();
        report.results.truncate(2);
        report.results[1].dimensions = vec![("region".into(), "E\x1b[2JMEA\nX".into())];
        let out = render(&report, Look::PLAIN);
        assert!(out.contains("│   region=E [2JMEA X ┆"), "{out}");
        assert!(!out.contains('\x1b'));
    }

    #[test]
    fn empty_report_is_a_header() {
        let mut report = fixture::report();
        report.results.clear();
        let expected = "\
┌─────┬────────┬───────┬──────────┬───┬────────┐
│ KPI ┆ Period ┆ Value ┆ Previous ┆ Δ ┆ Status │
╞═════╪════════╪═══════╪══════════╪═══╪════════╡
└─────┴────────┴───────┴──────────┴───┴────────┘
";
        assert_eq!(render(&report, Look::PLAIN), expected);
    }
}
