//! `--format table`: one row per result, for a person at a terminal or reading a cron mail.
//!
//! comfy-table lays it out, never wrapped to the terminal's width, so piped output is stable.
//! Colours are ANSI escapes written here rather than comfy-table's (crossterm's) styling, which
//! consults `NO_COLOR` by itself: whether to colour is the caller's decision alone.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};

use super::format::{delta_text, format_value, sparkline, NO_VALUE};
use crate::model::{Direction, KpiResult, RunReport, Status};

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

/// The report as a table. Without `color` the output holds no escape byte.
pub fn render(report: &RunReport, color: bool) -> String {
    let trend = report
        .results
        .iter()
        .any(|r| r.history.iter().flatten().count() >= 2);
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(header(trend));
    add_rows(&mut table, report, color, trend);
    // Value, Previous and Δ: figures line up on their last digit.
    for index in 2..=4 {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = table.to_string();
    if color {
        out = paint(&out);
    }
    out.push('\n');
    out.push_str(&footnotes(&report.results));
    out
}

/// What the `*` and `~` marks of the Δ column mean, when some appear.
fn footnotes(results: &[KpiResult]) -> String {
    let mut notes = String::new();
    if results.iter().any(|r| r.comparable == Some(false)) {
        notes.push_str(FOOTNOTE);
    }
    let marked = |r: &&KpiResult| r.significant == Some(false) && r.delta.is_some_and(|d| d != 0.0);
    if results.iter().any(|r| marked(&r)) {
        notes.push_str(NOISE_NOTE);
    }
    notes
}

/// `kpi check`: breaches first (fail, then warn), each with the condition that fired, then
/// the rest; a summary line at the end. A KPI with a target shows how far along it is.
pub fn render_check(report: &RunReport, color: bool) -> String {
    let severity = |r: &KpiResult| match r.status {
        Status::Stale => 0,
        Status::Fail => 1,
        Status::Warn => 2,
        Status::NoData => 3,
        Status::Ok => 4,
    };
    let mut ordered: Vec<&KpiResult> = report.results.iter().collect();
    ordered.sort_by_key(|r| severity(r));
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(vec![
            "Status", "KPI", "Period", "Value", "Previous", "Δ", "Target", "Why",
        ]);
    for r in &ordered {
        let mut label = clean(&r.name);
        if !r.dimensions.is_empty() {
            label.push_str(&format!(" · {}", clean(&r.dimensions_label())));
        }
        let (delta, delta_tone) = delta(r);
        table.add_row(vec![
            toned(r.status.name().to_string(), status_tone(r.status), color),
            label,
            period(r),
            format_value(r.value, r.unit),
            format_value(r.previous_value, r.unit),
            toned(delta, delta_tone, color),
            target_cell(r),
            why(r),
        ]);
    }
    for index in 3..=5 {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let body = table.to_string();
    let mut out = if color { paint(&body) } else { body };
    out.push('\n');
    let count = |s: Status| report.results.iter().filter(|r| r.status == s).count();
    // Stale is rare and means the data itself is in question: counted when it occurs.
    if count(Status::Stale) > 0 {
        out.push_str(&format!("{} stale, ", count(Status::Stale)));
    }
    out.push_str(&format!(
        "{} fail, {} warn, {} ok, {} no data\n",
        count(Status::Fail),
        count(Status::Warn),
        count(Status::Ok),
        count(Status::NoData)
    ));
    out.push_str(&footnotes(&report.results));
    out
}

/// The condition that fired, and a warning when too few rows make the value fragile.
fn why(r: &KpiResult) -> String {
    let mut text = clean(r.breach.as_deref().unwrap_or_default());
    // A stale value's reason says already why it has no rows.
    if r.low_sample && r.status != Status::Stale {
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str(&format!("low sample ({} rows)", r.rows));
    }
    text
}

/// `84 % of 35.0 %`, with `off track` when the trend misses the target date.
fn target_cell(r: &KpiResult) -> String {
    let Some(target) = &r.target else {
        return String::new();
    };
    let mut text = match r.standing.attainment {
        Some(a) => format!(
            "{:.0} % of {}",
            a * 100.0,
            format_value(Some(target.value), r.unit)
        ),
        None => format!("→ {}", format_value(Some(target.value), r.unit)),
    };
    if r.standing.on_track == Some(false) {
        text.push_str(", off track");
    }
    text
}

/// `kpi history`: a title, then one row per archived period (oldest first), breakdowns after
/// the overall value, each row with its delta and the trend up to it.
pub fn render_history(report: &RunReport, color: bool) -> String {
    let Some(first) = report.results.first() else {
        return String::new();
    };
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(vec!["Period", "Value", "Previous", "Δ", "Status", "Trend"]);
    let mut series: Option<String> = None;
    for r in &report.results {
        let label = r.dimensions_label();
        if series.as_deref() != Some(label.as_str()) && !label.is_empty() {
            table.add_row(vec![clean(&label)]);
        }
        series = Some(label);
        let (delta, delta_tone) = delta(r);
        let indent = if r.dimensions.is_empty() { "" } else { "  " };
        table.add_row(vec![
            format!("{indent}{}", period(r)),
            format_value(r.value, r.unit),
            format_value(r.previous_value, r.unit),
            toned(delta, delta_tone, color),
            toned(r.status.name().to_string(), status_tone(r.status), color),
            sparkline(&r.history),
        ]);
    }
    for index in 1..=3 {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = format!("{} ({})\n", clean(&first.name), clean(&first.kpi));
    let body = table.to_string();
    out.push_str(&if color { paint(&body) } else { body });
    out.push('\n');
    out.push_str(&footnotes(&report.results));
    out
}

fn header(trend: bool) -> Vec<&'static str> {
    let mut header = vec!["KPI", "Period", "Value", "Previous", "Δ", "Status"];
    if trend {
        header.push("Trend");
    }
    header
}

/// Breakdown rows go under their KPI's row; when the overall row is absent (`--by` alone),
/// a row with the KPI's name stands in for it.
fn add_rows(table: &mut Table, report: &RunReport, color: bool, trend: bool) {
    let mut current: Option<&str> = None;
    for result in &report.results {
        if !result.dimensions.is_empty() && current != Some(result.kpi.as_str()) {
            table.add_row(vec![clean(&result.name)]);
        }
        current = Some(&result.kpi);
        table.add_row(row(result, color, trend));
    }
}

fn row(r: &KpiResult, color: bool, trend: bool) -> Vec<String> {
    let label = if r.dimensions.is_empty() {
        clean(&r.name)
    } else {
        format!("  {}", clean(&r.dimensions_label()))
    };
    let (delta, delta_tone) = delta(r);
    let mut cells = vec![
        label,
        period(r),
        format_value(r.value, r.unit),
        format_value(r.previous_value, r.unit),
        toned(delta, delta_tone, color),
        toned(r.status.name().to_string(), status_tone(r.status), color),
    ];
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
fn delta(r: &KpiResult) -> (String, Tone) {
    let Some((text, d)) = delta_text(r, "*") else {
        return (NO_VALUE.to_string(), Tone::Plain);
    };
    let tone = match r.direction {
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

    const GOLDEN: &str = "\
┌───────────────────────────┬─────────────────────────┬───────────┬───────────┬─────────────────────────┬─────────┬───────┐
│ KPI                       ┆ Period                  ┆     Value ┆  Previous ┆                       Δ ┆ Status  ┆ Trend │
╞═══════════════════════════╪═════════════════════════╪═══════════╪═══════════╪═════════════════════════╪═════════╪═══════╡
│ Win rate                  ┆ 2026-10                 ┆    31.3 % ┆    28.0 % ┆              ▲ +3.3 pts ┆ ok      ┆ ▁█ ▄█ │
│   region=EMEA             ┆ 2026-10                 ┆    40.0 % ┆    50.0 % ┆             ▼ -10.0 pts ┆ ok      ┆       │
│   region=APAC             ┆ 2026-10                 ┆         – ┆    20.0 % ┆                       – ┆ no_data ┆       │
│ Sales cycle               ┆ 2026-10                 ┆    12.4 d ┆    14.0 d ┆      ▼ -1.6 d (-11.1 %) ┆ warn    ┆       │
│   region=EMEA;channel=Web ┆ 2026-10                 ┆    15.5 d ┆    11.0 d ┆      ▲ +4.5 d (+40.9 %) ┆ warn    ┆       │
│ Revenue                   ┆ 2026-11 (to 2026-11-22) ┆ 12,345.68 ┆ 11,061.00 ┆ ▲ +1,284.68 (+11.6 %) * ┆ fail    ┆       │
│ Tickets                   ┆ 2026-10                 ┆   1,234.5 ┆   1,234.5 ┆                       = ┆ ok      ┆       │
│ NPS                       ┆ 2026-10                 ┆        42 ┆         – ┆                       – ┆ ok      ┆       │
└───────────────────────────┴─────────────────────────┴───────────┴───────────┴─────────────────────────┴─────────┴───────┘
* not like-for-like: the KPI's definition changed since the previous value was recorded
";

    #[test]
    fn golden() {
        assert_eq!(render(&fixture::report(), false), GOLDEN);
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
        let out = render(&fixture::report(), true);
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

    #[test]
    fn no_colour_means_no_escape_byte() {
        assert!(!render(&fixture::report(), false).contains('\x1b'));
    }

    #[test]
    fn trend_column_only_with_two_archived_values() {
        let mut report = fixture::report();
        report.results[0].history = vec![None, Some(0.3125)];
        let out = render(&report, false);
        assert!(!out.contains("Trend"), "{out}");
    }

    #[test]
    fn breakdown_without_its_overall_row_gets_the_kpi_name() {
        let mut report = fixture::report();
        report.results = vec![report.results[1].clone()];
        let out = render(&report, false);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[3].starts_with("│ Win rate      ┆"), "{out}");
        assert!(lines[4].starts_with("│   region=EMEA ┆ 2026-10"), "{out}");
    }

    #[test]
    fn control_characters_from_the_data_are_neutralised() {
        let mut report = fixture::report();
        report.results.truncate(2);
        report.results[1].dimensions = vec![("region".into(), "E\x1b[2JMEA\nX".into())];
        let out = render(&report, false);
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
        assert_eq!(render(&report, false), expected);
    }
}
