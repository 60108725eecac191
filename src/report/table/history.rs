//! `kpi history` as a table: one row per archived period, breakdowns after the overall value.

use super::super::baselines;
use super::super::fit::{names, truncate, wrap_prose, Grid, Laid, Look};
use super::super::format::{format_value, sparkline};
use super::{clean, first_delta, footnotes, paint, period, status_tone, toned};
use crate::model::RunReport;

/// `kpi history`: a title, then one row per archived period (oldest first), breakdowns after
/// the overall value, each row with its delta and the trend up to it.
pub fn render_history(report: &RunReport, look: Look) -> String {
    let Some(first) = report.results.first() else {
        return String::new();
    };
    let grid = Grid {
        header: names(&["Period", "Value", "Previous", "Δ", "Status", "Trend"]),
        rows: history_rows(report, look.color),
        label: 0,
        optional: names(&["Trend", "Previous"]),
        late: Vec::new(),
        wrappable: Vec::new(),
        stackable: names(&["Period"]),
        figures: names(&["Value", "Previous", "Δ"]),
    };
    let Laid {
        table: body,
        note: fitted,
        ..
    } = grid.layout(look.width);
    let title = format!("{} ({})", clean(&first.name), clean(&first.kpi));
    let mut out = match look.width {
        Some(width) => truncate(&title, width),
        None => title,
    };
    out.push('\n');
    out.push_str(&if look.color { paint(&body) } else { body });
    out.push('\n');
    // One Δ column: the first baseline's.
    let shown: Vec<String> = (report.results.iter())
        .filter_map(|r| baselines::of(r).first().map(|c| c.baseline.clone()))
        .collect();
    out.push_str(&wrap_prose(&footnotes(&report.results, &shown), look.width));
    out.push_str(&wrap_prose(&fitted, look.width));
    out
}

/// One row per archived period; a breakdown's label on a row of its own before its periods.
fn history_rows(report: &RunReport, color: bool) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut series: Option<String> = None;
    for r in &report.results {
        let label = r.dimensions_label();
        if series.as_deref() != Some(label.as_str()) && !label.is_empty() {
            rows.push(vec![clean(&label)]);
        }
        series = Some(label);
        let (delta, delta_tone) = first_delta(r);
        let indent = if r.dimensions.is_empty() { "" } else { "  " };
        rows.push(vec![
            format!("{indent}{}", period(r)),
            format_value(r.value, r.unit),
            format_value(r.previous_value, r.unit),
            toned(delta, delta_tone, color),
            toned(r.status.name().to_string(), status_tone(r.status), color),
            sparkline(&r.history),
        ]);
    }
    rows
}
