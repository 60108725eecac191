//! `kpi check` as a table: breaches first, each with the condition that fired, then the rest,
//! and a summary line.

use super::super::baselines;
use super::super::fit::{names, wrap_prose, Grid, Look};
use super::super::format::format_value;
use super::{clean, footnotes, paint, period, status_tone, toned, Deltas};
use crate::model::{KpiResult, RunReport, Status};

/// `kpi check`: breaches first (fail, then warn), each with the condition that fired, then
/// the rest; a summary line at the end. A KPI with a target shows how far along it is.
pub fn render_check(report: &RunReport, look: Look) -> String {
    let severity = |r: &KpiResult| match r.status {
        Status::Stale => 0,
        Status::Fail => 1,
        Status::Warn => 2,
        Status::NoData => 3,
        Status::Ok => 4,
    };
    let mut ordered: Vec<&KpiResult> = report.results.iter().collect();
    ordered.sort_by_key(|r| severity(r));
    let deltas = Deltas::of(&report.results);
    let previous = baselines::value_header(&report.results);
    let rows = ordered
        .iter()
        .map(|r| check_row(r, &deltas, look.color))
        .collect();
    let mut header = names(&["Status", "KPI", "Period", "Value", &previous]);
    header.extend(deltas.headers.iter().cloned());
    header.extend(names(&["Target", "Why"]));
    // Δ columns go when wrapping is not enough, the baselines beside the first before it: the
    // condition that fired (in Why) says already how far a value moved when the move is what
    // breached.
    let mut late = deltas.beside_the_first();
    late.extend(deltas.headers.first().cloned());
    let grid = Grid {
        header,
        rows,
        label: 1,
        optional: vec![previous.clone()],
        late,
        wrappable: names(&["Target", "Why"]),
        stackable: names(&["Period"]),
        figures: deltas.figures(&["Value", &previous]),
    };
    let laid = grid.layout(look.width);
    let (body, fitted) = (laid.table, laid.note);
    let mut out = if look.color { paint(&body) } else { body };
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
    // The footnotes explain marks of the Δ columns shown.
    let shown = deltas.shown(&laid.dropped);
    out.push_str(&wrap_prose(&footnotes(&report.results, &shown), look.width));
    out.push_str(&wrap_prose(&fitted, look.width));
    out
}

fn check_row(r: &KpiResult, deltas: &Deltas, color: bool) -> Vec<String> {
    let mut label = clean(&r.name);
    if !r.dimensions.is_empty() {
        label.push_str(&format!(" · {}", clean(&r.dimensions_label())));
    }
    let mut cells = vec![
        toned(r.status.name().to_string(), status_tone(r.status), color),
        label,
        period(r),
        format_value(r.value, r.unit),
        format_value(r.previous_value, r.unit),
    ];
    cells.extend(deltas.cells(r, color));
    cells.extend([target_cell(r), why(r)]);
    cells
}

/// The condition that fired, and a warning when too few rows make the value fragile.
fn why(r: &KpiResult) -> String {
    let mut text = clean(r.breach.as_deref().unwrap_or_default());
    // A stale value's reason says already why it has no rows.
    if r.low_sample && r.status != Status::Stale {
        if !text.is_empty() {
            text.push_str("; ");
        }
        let rows = if r.rows == 1 { "row" } else { "rows" };
        text.push_str(&format!("low sample ({} {rows})", r.rows));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn widest(out: &str) -> usize {
        out.lines().map(|l| l.chars().count()).max().unwrap_or(0)
    }

    #[test]
    fn check_leaves_out_previous_then_wraps_the_condition_before_cutting_names() {
        let mut report = fixture::report();
        report.results[3].breach = Some("value > 10 and the previous value > 10 as well".into());
        let natural = render_check(&report, Look::PLAIN);
        // Previous takes 12 characters; 10 more come from wrapping the condition.
        let width = widest(&natural) - 22;
        let out = render_check(
            &report,
            Look {
                color: false,
                width: Some(width),
            },
        );
        assert!(out.lines().all(|l| l.chars().count() <= width), "{out}");
        assert!(
            out.lines().nth(1).is_some_and(|h| !h.contains("Previous")),
            "{out}"
        );
        assert!(!out.contains('…'), "{out}");
        assert!(out.lines().count() > natural.lines().count(), "{out}");
    }

    #[test]
    fn check_leaves_out_the_delta_when_wrapping_is_not_enough_and_its_footnotes_with_it() {
        let report = fixture::report();
        let at = |width| {
            render_check(
                &report,
                Look {
                    color: false,
                    width: Some(width),
                },
            )
        };
        let wide = render_check(&report, Look::PLAIN);
        assert!(wide.contains("not like-for-like"), "{wide}");
        let out = at(80);
        assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
        assert!(out.contains("Previous and Δ left out"), "{out}");
        assert!(!out.contains("not like-for-like"), "{out}");
        assert!(out.contains("(to 2026-11-22)"), "{out}");
    }

    #[test]
    fn a_low_sample_counts_its_rows_in_words() {
        let mut r = fixture::report().results[0].clone();
        r.low_sample = true;
        r.status = Status::Ok;
        r.breach = None;
        r.rows = 1;
        assert_eq!(why(&r), "low sample (1 row)");
        r.rows = 12;
        assert_eq!(why(&r), "low sample (12 rows)");
    }
}
