//! `kpi history` as a table: one row per archived period, breakdowns after the overall value.

use super::super::baselines;
use super::super::fit::{names, truncate, wrap_prose, Grid, Laid, Look};
use super::super::format::{format_value, sparkline};
use super::{clean, footnotes, paint, period, status_tone, toned, Deltas};
use crate::model::RunReport;

/// `kpi history`: a title, then one row per archived period (oldest first), breakdowns after
/// the overall value, each row with its delta and the trend up to it.
pub fn render_history(report: &RunReport, look: Look) -> String {
    let Some(first) = report.results.first() else {
        return String::new();
    };
    // One Δ column per baseline, as in `kpi run`; those after the first go first when too wide.
    let deltas = Deltas::of(&report.results);
    let previous = baselines::value_header(&report.results);
    let mut header = names(&["Period", "Value", &previous]);
    header.extend(deltas.headers.iter().cloned());
    header.extend(names(&["Status", "Trend"]));
    let grid = Grid {
        header,
        rows: history_rows(report, &deltas, look.color),
        label: 0,
        optional: vec!["Trend".to_string(), previous.clone()],
        late: deltas.beside_the_first(),
        wrappable: Vec::new(),
        stackable: names(&["Period"]),
        figures: deltas.figures(&["Value", &previous]),
    };
    let Laid {
        table: body,
        note: fitted,
        dropped,
    } = grid.layout(look.width);
    let title = format!("{} ({})", clean(&first.name), clean(&first.kpi));
    let mut out = match look.width {
        Some(width) => truncate(&title, width),
        None => title,
    };
    out.push('\n');
    out.push_str(&if look.color { paint(&body) } else { body });
    out.push('\n');
    let shown = deltas.shown(&dropped);
    out.push_str(&wrap_prose(&footnotes(&report.results, &shown), look.width));
    out.push_str(&wrap_prose(&fitted, look.width));
    out
}

/// One row per archived period; a breakdown's label on a row of its own before its periods.
fn history_rows(report: &RunReport, deltas: &Deltas, color: bool) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut series: Option<String> = None;
    for r in &report.results {
        let label = r.dimensions_label();
        if series.as_deref() != Some(label.as_str()) && !label.is_empty() {
            rows.push(vec![clean(&label)]);
        }
        series = Some(label);
        let indent = if r.dimensions.is_empty() { "" } else { "  " };
        let mut row = vec![
            format!("{indent}{}", period(r)),
            format_value(r.value, r.unit),
            format_value(r.previous_value, r.unit),
        ];
        row.extend(deltas.cells(r, color));
        row.push(toned(
            r.status.name().to_string(),
            status_tone(r.status),
            color,
        ));
        row.push(sparkline(&r.history));
        rows.push(row);
    }
    rows
}
