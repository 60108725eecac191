//! A card's breakdowns: a bar chart per set of dimensions (`region`, `region × channel`), its
//! groups best first, at most [`MAX_BARS`] of them and one line for the rest, and a legend line
//! saying why a bar is orange, red or purple.
//!
//! The rest is summarised by count and range only: a sum or an average of the hidden groups'
//! values would be wrong for a ratio (an exact `(other)` group needs the rows, not the values).

use super::{escape, svg};
use crate::model::{Direction, KpiInfo, KpiResult, Rank, Status};
use crate::report::format::format_value;
use std::cmp::Ordering;

/// Bars shown per breakdown: enough for regions, owners or products, short enough that a card
/// of 99 accounts stays a card.
pub const MAX_BARS: usize = 12;

/// One breakdown's groups: the dimension names and the rows, in the order they are shown.
struct Chart<'a> {
    keys: Vec<&'a str>,
    rows: Vec<&'a KpiResult>,
}

/// The charts of a card's breakdown rows, and the legend when a bar is coloured.
pub fn render(rows: &[&KpiResult], info: Option<&KpiInfo>) -> String {
    let Some(first) = rows.first() else {
        return String::new();
    };
    let charts = charts(rows, first.direction);
    // One label column for all the card's charts, so that their bars start at the same place.
    let labels: Vec<String> = charts
        .iter()
        .flat_map(|c| c.rows.iter().take(MAX_BARS))
        .map(|r| group_label(r))
        .collect();
    let label_chars = svg::label_chars(labels.iter().map(String::as_str));
    // Inside the last chart's section, so that a printed card never leaves it behind alone.
    let legend = legend(rows, info, first.direction);
    let mut out = String::new();
    for (i, chart) in charts.iter().enumerate() {
        let heading = format!("By {}", chart.keys.join(" × "));
        let title = format!("{} {}", first.name, heading.to_lowercase());
        let bars: Vec<svg::Bar> = chart
            .rows
            .iter()
            .take(MAX_BARS)
            .map(|r| svg::Bar {
                label: group_label(r),
                value: r.value,
                status: r.status,
            })
            .collect();
        out.push_str(&format!(
            "<section class=\"breakdown\"><h3>{}</h3>\n{}{}{}</section>\n",
            escape(&heading),
            svg::bars(&bars, first.unit, label_chars, &title),
            rest(&chart.rows[bars.len()..]),
            if i + 1 == charts.len() { &legend } else { "" }
        ));
    }
    out
}

/// How many bars the card draws (for the print layout's long cards).
pub fn shown_bars(rows: &[&KpiResult]) -> usize {
    let direction = rows.first().map_or(Direction::Up, |r| r.direction);
    charts(rows, direction)
        .iter()
        .map(|c| c.rows.len().min(MAX_BARS) + usize::from(c.rows.len() > MAX_BARS))
        .sum()
}

/// The rows grouped by their dimension names, in the order the breakdowns first come, each
/// group's rows best first.
fn charts<'a>(rows: &[&'a KpiResult], direction: Direction) -> Vec<Chart<'a>> {
    let mut charts: Vec<Chart> = Vec::new();
    for r in rows {
        let keys: Vec<&str> = r.dimensions.iter().map(|(k, _)| k.as_str()).collect();
        match charts.iter_mut().find(|c| c.keys == keys) {
            Some(chart) => chart.rows.push(r),
            None => charts.push(Chart {
                keys,
                rows: vec![r],
            }),
        }
    }
    for chart in &mut charts {
        chart.rows.sort_by(|a, b| best_first(a, b, direction));
    }
    charts
}

/// Highest value first (lowest for `direction = "down"`), groups without a value last, ties by
/// label so that the order is the same on every run; under `top`, `(other)` after them all.
fn best_first(a: &KpiResult, b: &KpiResult, direction: Direction) -> Ordering {
    let other = |r: &KpiResult| r.rank == Rank::Other;
    if other(a) != other(b) {
        return other(a).cmp(&other(b));
    }
    let value = |r: &KpiResult| r.value.filter(|v| v.is_finite());
    let by_value = direction.best_first(value(a), value(b));
    by_value.then_with(|| group_label(a).cmp(&group_label(b)))
}

/// `87 more: 0.0 % to 12.3 % · 2 fail, 1 warn · 3 without a value`, for the groups not drawn.
fn rest(hidden: &[&KpiResult]) -> String {
    let Some(unit) = hidden.first().map(|r| r.unit) else {
        return String::new();
    };
    let values: Vec<f64> = hidden
        .iter()
        .filter_map(|r| r.value.filter(|v| v.is_finite()))
        .collect();
    let mut parts = Vec::new();
    let lo = values.iter().copied().reduce(f64::min);
    let hi = values.iter().copied().reduce(f64::max);
    if let (Some(lo), Some(hi)) = (lo, hi) {
        parts.push(if lo == hi {
            format_value(Some(lo), unit)
        } else {
            format!(
                "{} to {}",
                format_value(Some(lo), unit),
                format_value(Some(hi), unit)
            )
        });
    }
    let counts: Vec<String> = [Status::Stale, Status::Fail, Status::Warn]
        .into_iter()
        .filter_map(|status| {
            let n = hidden.iter().filter(|r| r.status == status).count();
            (n > 0).then(|| format!("{n} {}", status.name()))
        })
        .collect();
    if !counts.is_empty() {
        parts.push(counts.join(", "));
    }
    let without = hidden.len() - values.len();
    if without > 0 {
        parts.push(format!("{without} without a value"));
    }
    format!(
        "<p class=\"more muted\">{} more: {}</p>\n",
        hidden.len(),
        escape(&parts.join(" · "))
    )
}

/// Why bars are orange (warn), red (fail) or purple (stale): the condition that fired for the
/// groups at that status, only for the statuses some group has.
fn legend(rows: &[&KpiResult], info: Option<&KpiInfo>, direction: Direction) -> String {
    let at = |status: Status| rows.iter().filter(move |r| r.status == status);
    let mut items = Vec::new();
    let fail = info.and_then(|i| i.fail.as_deref());
    if at(Status::Fail).next().is_some() {
        items.push(("fail", "Red = fail", reasons(at(Status::Fail), fail, None)));
    }
    let warn = info.and_then(|i| i.warn.as_deref());
    let alert = info
        .and_then(|i| i.alert_change)
        .map(|limit| wrong_way(limit, direction));
    if at(Status::Warn).next().is_some() {
        let why = reasons(at(Status::Warn), warn, alert.as_deref());
        items.push(("warn", "Orange = warn", why));
    }
    if at(Status::Stale).next().is_some() {
        let why = "the data does not reach the period".to_string();
        items.push(("stale", "Purple = stale", Some(why)));
    }
    if items.is_empty() {
        return String::new();
    }
    let items: Vec<String> = items
        .into_iter()
        .map(|(class, colour, why)| match why {
            Some(why) => format!("<span class=\"key {class}\"></span>{colour}: {why}"),
            None => format!("<span class=\"key {class}\"></span>{colour}"),
        })
        .collect();
    format!("<p class=\"bar-legend muted\">{}</p>\n", items.join(" · "))
}

/// The conditions behind these rows' status: the KPI's own when a row's breach is it, the
/// `alert_change` move when a row's breach is another, as `value < 0.25` or `a fall of …`.
fn reasons<'a>(
    rows: impl Iterator<Item = &'a &'a KpiResult>,
    condition: Option<&str>,
    alert: Option<&str>,
) -> Option<String> {
    let (mut by_condition, mut by_move) = (false, false);
    for r in rows {
        match (r.breach.as_deref(), condition) {
            (Some(breach), Some(condition)) if breach == condition => by_condition = true,
            _ => by_move = true,
        }
    }
    let mut why = Vec::new();
    if let (true, Some(condition)) = (by_condition, condition) {
        why.push(format!("<code>{}</code>", escape(condition)));
    }
    if let (true, Some(alert)) = (by_move, alert) {
        why.push(escape(alert));
    }
    // Empty for a status set by what the page does not know: the colour is then explained alone.
    (!why.is_empty()).then(|| why.join(" or "))
}

/// `a fall of more than 20 % since the period before`, the way a move is bad for the KPI.
fn wrong_way(limit: f64, direction: Direction) -> String {
    let way = if direction == Direction::Down {
        "rise"
    } else {
        "fall"
    };
    // `20 %` rather than `20.0 %`: the limit is a setting as written, not a measured figure.
    let percent = format!("{:.1}", limit * 100.0);
    let percent = percent.trim_end_matches('0').trim_end_matches('.');
    format!("a {way} of more than {percent} % since the period before")
}

/// A breakdown row's group as a reader names it: `EMEA`, `EMEA · Web`.
fn group_label(r: &KpiResult) -> String {
    let values: Vec<&str> = r.dimensions.iter().map(|(_, v)| v.as_str()).collect();
    values.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    /// Win-rate breakdown rows by region `r0`, `r1`... with these values and statuses.
    fn regions(values: &[(Option<f64>, Status)]) -> Vec<KpiResult> {
        let report = fixture::report();
        values
            .iter()
            .enumerate()
            .map(|(i, (value, status))| {
                let mut r = report.results[1].clone();
                r.dimensions = vec![("region".into(), format!("r{i:02}"))];
                r.value = *value;
                r.status = *status;
                r
            })
            .collect()
    }

    /// The bar labels of the markup, in order.
    fn labels(html: &str) -> Vec<&str> {
        html.split("<text class=\"bar-label\"")
            .skip(1)
            .map(|s| &s[s.find('>').unwrap() + 1..s.find("</text>").unwrap()])
            .collect()
    }

    #[test]
    fn breakdowns_get_a_chart_per_set_of_dimensions() {
        let report = fixture::report();
        let rows: Vec<&KpiResult> = report
            .results
            .iter()
            .filter(|r| !r.dimensions.is_empty())
            .collect();
        let html = render(&rows[..2], None);
        assert_eq!(html.matches("<svg").count(), 1, "{html}");
        assert!(html.contains("<h3>By region</h3>"), "{html}");
        let html = render(&rows[2..], None);
        assert!(html.contains("<h3>By region × channel</h3>"), "{html}");
        assert!(html.contains(">EMEA · Web</text>"), "{html}");
    }

    #[test]
    fn bars_come_best_first_by_direction_and_those_without_a_value_last() {
        let ok = Status::Ok;
        let rows = regions(&[
            (Some(0.2), ok),
            (None, ok),
            (Some(0.5), ok),
            (Some(0.2), ok),
        ]);
        let refs: Vec<&KpiResult> = rows.iter().collect();
        assert_eq!(labels(&render(&refs, None)), ["r02", "r00", "r03", "r01"]);
        let down: Vec<KpiResult> = rows
            .into_iter()
            .map(|mut r| {
                r.direction = Direction::Down;
                r
            })
            .collect();
        let refs: Vec<&KpiResult> = down.iter().collect();
        assert_eq!(labels(&render(&refs, None)), ["r00", "r03", "r02", "r01"]);
    }

    #[test]
    fn at_most_twelve_bars_and_one_line_for_the_rest() {
        let mut values: Vec<(Option<f64>, Status)> = (0..96)
            .map(|i| (Some(i as f64 / 1000.0), Status::Ok))
            .collect();
        values[3].1 = Status::Fail;
        values[4].1 = Status::Warn;
        values.extend([(None, Status::NoData); 3]);
        let rows = regions(&values);
        let refs: Vec<&KpiResult> = rows.iter().collect();
        let html = render(&refs, None);
        let shown = labels(&html);
        assert_eq!(shown.len(), MAX_BARS, "{html}");
        assert_eq!(shown[0], "r95");
        assert_eq!(shown[11], "r84");
        assert!(
            html.contains(
                "<p class=\"more muted\">87 more: 0.0 % to 8.3 % · 1 fail, 1 warn · 3 without a value</p>"
            ),
            "{html}"
        );
        assert_eq!(shown_bars(&refs), MAX_BARS + 1);
        // Twelve groups or fewer: no summary line.
        let html = render(&refs[..12], None);
        assert!(!html.contains("more:"), "{html}");
    }

    #[test]
    fn the_legend_says_why_a_bar_is_coloured() {
        let info = KpiInfo {
            id: "win_rate".into(),
            warn: Some("value < 0.25".into()),
            fail: Some("value < 0.20".into()),
            alert_change: Some(0.2),
            ..Default::default()
        };
        let mut rows = regions(&[
            (Some(0.4), Status::Ok),
            (Some(0.22), Status::Warn),
            (Some(0.1), Status::Fail),
            (Some(0.3), Status::Warn),
        ]);
        rows[1].breach = Some("value < 0.25".into());
        rows[2].breach = Some("value < 0.20".into());
        rows[3].breach = Some("moved -25.0 % (alert_change 20 %)".into());
        let refs: Vec<&KpiResult> = rows.iter().collect();
        let html = render(&refs, Some(&info));
        assert!(
            html.contains(
                "<p class=\"bar-legend muted\"><span class=\"key fail\"></span>Red = fail: \
                 <code>value &lt; 0.20</code> · <span class=\"key warn\"></span>Orange = warn: \
                 <code>value &lt; 0.25</code> or a fall of more than 20 % since the period before</p>"
            ),
            "{html}"
        );
        // Only the reasons that fired, only for the statuses that occur.
        let html = render(&refs[..2], Some(&info));
        assert!(
            html.contains("Orange = warn: <code>value &lt; 0.25</code></p>"),
            "{html}"
        );
        assert!(!html.contains("Red = fail"), "{html}");
        let html = render(&refs[..1], Some(&info));
        assert!(!html.contains("bar-legend"), "{html}");
    }
}
