//! One KPI's card: the value with its delta and status, the progress to the target, the trend of
//! the archived periods, a bar chart per breakdown, and who owns it and what to do.

use super::{breakdown, escape, svg};
use crate::model::{Comparison, Direction, KpiInfo, KpiResult, Status};
use crate::report::baselines;
use crate::report::format::{format_delta, format_value};

/// A KPI's results as the run listed them: the overall value (absent only when a run leaves
/// it out) and the breakdown rows that follow it.
pub struct Card<'a> {
    pub overall: Option<&'a KpiResult>,
    pub breakdowns: Vec<&'a KpiResult>,
}

impl Card<'_> {
    /// The row that names the card: the overall one, else the first breakdown.
    fn head(&self) -> Option<&KpiResult> {
        self.overall.or(self.breakdowns.first().copied())
    }
}

/// Past this many breakdown bars a card may not fit on a printed A4 column: it is marked `long`,
/// and the print style lets it break between its charts rather than push it whole to the next
/// page (where it would not fit either).
const LONG_CARD_BARS: usize = 16;

/// The card as an `<article>`.
pub fn render(card: &Card, info: Option<&KpiInfo>) -> String {
    // Cards are built from results, so one is always there; an empty card draws nothing.
    let Some(head) = card.head() else {
        return String::new();
    };
    let status = card.overall.map_or(Status::NoData, |r| r.status);
    let long = if breakdown::shown_bars(&card.breakdowns) > LONG_CARD_BARS {
        " long"
    } else {
        ""
    };
    let mut out = format!(
        "<article class=\"card {}{long}\" id=\"kpi-{}\">\n<div class=\"card-head\"><h2>{}</h2>\
         <span class=\"badge {}\">{}</span></div>\n",
        status.name(),
        escape(&head.kpi),
        escape(&head.name),
        status.name(),
        status_label(status)
    );
    if let Some(description) = info.and_then(|i| i.description.as_deref()) {
        out.push_str(&format!(
            "<p class=\"description\">{}</p>\n",
            escape(description)
        ));
    }
    out.push_str(&period(head));
    if let Some(r) = card.overall {
        out.push_str(&figure(r));
        out.push_str(&notes(r));
        out.push_str(&target(r));
        out.push_str(&trend(r));
    }
    out.push_str(&breakdown::render(&card.breakdowns, info));
    out.push_str(&people(info));
    out.push_str("</article>\n");
    out
}

pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::Ok => "OK",
        Status::Warn => "Warn",
        Status::Fail => "Fail",
        Status::NoData => "No data",
        Status::Stale => "Stale",
    }
}

/// `2026-10 · 2026-10-01 – 2026-10-31`, or `… to date` for a period still running.
fn period(r: &KpiResult) -> String {
    let to_date = if r.to_date { " (to date)" } else { "" };
    format!(
        "<p class=\"period\">{} · {} – {}{to_date}</p>\n",
        escape(&r.period),
        r.period_start.format("%Y-%m-%d"),
        r.period_end.format("%Y-%m-%d")
    )
}

/// The value, the delta with an arrow coloured by whether the move is good, and what it is
/// compared with; then the move from each further baseline.
fn figure(r: &KpiResult) -> String {
    let mut out = format!(
        "<div class=\"figure\"><span class=\"value\">{}</span>",
        escape(&format_value(r.value, r.unit))
    );
    out.push_str(&delta_span(r.delta, r.delta_pct, r));
    // A first run, a snapshot or a gap in the archive: nothing to compare with, said in words
    // rather than as `vs – in 2026-10`.
    match (
        &r.previous_period,
        r.previous_value.filter(|v| v.is_finite()),
    ) {
        (Some(previous), Some(_)) => out.push_str(&format!(
            "<span class=\"previous\">vs {} in {}{}</span>",
            escape(&format_value(r.previous_value, r.unit)),
            escape(previous),
            first_baseline_name(r)
        )),
        _ => out.push_str("<span class=\"previous\">no earlier value</span>"),
    }
    out.push_str("</div>\n");
    out.push_str(&further_baselines(r));
    out
}

/// ` (year ago)` after the first baseline's period once a card has more than the period before
/// to compare with; nothing otherwise, as cards always read.
fn first_baseline_name(r: &KpiResult) -> String {
    match r.comparisons.as_slice() {
        [] => String::new(),
        [only] if only.baseline == baselines::PREVIOUS => String::new(),
        [first, ..] => format!(" ({})", escape(&baselines::words(&first.baseline))),
    }
}

/// `▲ +3.3 pts`, coloured by whether the move is good for the KPI; nothing without a delta.
fn delta_span(delta: Option<f64>, delta_pct: Option<f64>, r: &KpiResult) -> String {
    let Some(d) = delta.filter(|d| d.is_finite()) else {
        return String::new();
    };
    let arrow = match d {
        d if d > 0.0 => "▲ ",
        d if d < 0.0 => "▼ ",
        _ => "",
    };
    format!(
        "<span class=\"delta {}\">{arrow}{}</span>",
        tone(d, r.direction),
        escape(&format_delta(delta, delta_pct, r.unit))
    )
}

/// One line per baseline after the first: `▲ +10.7 pts vs 24.4 % in 2025-10 (year ago)`,
/// with what to keep in mind when reading it.
fn further_baselines(r: &KpiResult) -> String {
    let items: String = r
        .comparisons
        .iter()
        .skip(1)
        .map(|c| baseline_item(c, r))
        .collect();
    if items.is_empty() {
        return String::new();
    }
    format!("<ul class=\"notes baselines\">{items}</ul>\n")
}

fn baseline_item(c: &Comparison, r: &KpiResult) -> String {
    let name = escape(&baselines::words(&c.baseline));
    let mut text = match c.value.filter(|v| v.is_finite()) {
        Some(_) => format!(
            "{} vs {} in {} ({name})",
            delta_span(c.delta, c.delta_pct, r),
            escape(&format_value(c.value, r.unit)),
            escape(&c.period)
        ),
        None => format!("no value in {} ({name})", escape(&c.period)),
    };
    if c.comparable == Some(false) {
        text.push_str(" · not like-for-like");
    }
    if c.significant == Some(false) && c.delta.is_some_and(|d| d != 0.0) {
        text.push_str(" · within noise");
    }
    format!("<li>{}</li>", text.trim_start())
}

/// `good` when the move goes the KPI's way, `bad` when against it, `flat` otherwise.
fn tone(delta: f64, direction: Direction) -> &'static str {
    match direction {
        Direction::Up if delta > 0.0 => "good",
        Direction::Up if delta < 0.0 => "bad",
        Direction::Down if delta < 0.0 => "good",
        Direction::Down if delta > 0.0 => "bad",
        _ => "flat",
    }
}

/// Why the status is what it is, and what to keep in mind when reading the delta.
fn notes(r: &KpiResult) -> String {
    let mut notes = Vec::new();
    if let Some(breach) = &r.breach {
        notes.push(format!("Why: {}", escape(breach)));
    }
    if r.comparable == Some(false) {
        notes.push("Definition changed since the previous value: not like-for-like".to_string());
    }
    if r.significant == Some(false) && r.delta.is_some_and(|d| d != 0.0) {
        notes.push("Within noise: the move is not significant".to_string());
    }
    if r.low_sample {
        notes.push(format!("Low sample: {} rows", r.rows));
    }
    if notes.is_empty() {
        return String::new();
    }
    let items: String = notes.iter().map(|n| format!("<li>{n}</li>")).collect();
    format!("<ul class=\"notes\">{items}</ul>\n")
}

/// `Target 38.0 % by 2026-12-31 · projected 36.1 % · off track`, over a progress bar.
fn target(r: &KpiResult) -> String {
    let Some(target) = &r.target else {
        return String::new();
    };
    let goal = format_value(Some(target.value), r.unit);
    let mut text = format!("Target <strong>{}</strong>", escape(&goal));
    if let Some(by) = target.by {
        text.push_str(&format!(" by {}", by.format("%Y-%m-%d")));
    }
    if let Some(projected) = r.standing.projected {
        text.push_str(&format!(
            " · projected {}",
            escape(&format_value(Some(projected), r.unit))
        ));
    }
    match r.standing.on_track {
        Some(true) => text.push_str(" · <span class=\"on\">on track</span>"),
        Some(false) => text.push_str(" · <span class=\"off\">off track</span>"),
        None => {}
    }
    let attainment = r.standing.attainment;
    let bar_tone = match (attainment, r.standing.on_track) {
        (Some(a), _) if a >= 1.0 => "reached",
        (_, Some(false)) => "off",
        _ => "",
    };
    let title = format!("{}: share of the target {} reached", r.name, goal);
    format!(
        "<div class=\"target-block\"><p class=\"target-text muted\">{text}</p>\n{}</div>\n",
        svg::progress(attainment, bar_tone, &title)
    )
}

/// The trend of the archived periods, when there are two values to join.
fn trend(r: &KpiResult) -> String {
    if r.history.iter().flatten().count() < 2 {
        return "<p class=\"muted\">No trend yet: the archive holds no earlier period.</p>\n"
            .to_string();
    }
    let periods = r.history.len();
    let title = format!("{}: the last {periods} periods, to {}", r.name, r.period);
    format!(
        "<figure>{}\n<figcaption>Last {periods} periods, to {}</figcaption></figure>\n",
        svg::trend(
            &r.history,
            &r.history_periods,
            r.target.as_ref().map(|t| t.value),
            r.unit,
            &title
        ),
        escape(&r.period)
    )
}

/// Who owns the KPI and what to do when it goes wrong.
fn people(info: Option<&KpiInfo>) -> String {
    let Some(info) = info else {
        return String::new();
    };
    let mut rows = String::new();
    for (term, text) in [("Owner", &info.owner), ("Action", &info.action)] {
        if let Some(text) = text {
            rows.push_str(&format!("<dt>{term}</dt><dd>{}</dd>", escape(text)));
        }
    }
    if rows.is_empty() {
        return String::new();
    }
    format!("<dl class=\"people\">{rows}</dl>\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RunReport;
    use crate::report::fixture;

    #[test]
    fn a_good_move_is_green_whichever_way_is_good() {
        assert_eq!(tone(1.0, Direction::Up), "good");
        assert_eq!(tone(-1.0, Direction::Up), "bad");
        assert_eq!(tone(-1.0, Direction::Down), "good");
        assert_eq!(tone(1.0, Direction::Down), "bad");
        assert_eq!(tone(1.0, Direction::None), "flat");
        assert_eq!(tone(0.0, Direction::Up), "flat");
    }

    /// `n` breakdown rows of `kpi`'s first breakdown row, one per group `g0`, `g1`... of `by`.
    fn groups(report: &RunReport, by: &[&str], n: usize) -> Vec<KpiResult> {
        (0..n)
            .map(|i| {
                let mut r = report.results[1].clone();
                r.dimensions = by
                    .iter()
                    .map(|d| (d.to_string(), format!("g{i}")))
                    .collect();
                r
            })
            .collect()
    }

    #[test]
    fn a_card_with_many_bars_may_break_in_print_but_not_one_of_many_groups() {
        let report = fixture::report();
        let regions = groups(&report, &["region"], 99);
        let pairs = groups(&report, &["region", "channel"], 5);
        fn card<'a>(overall: &'a KpiResult, rows: Vec<&'a KpiResult>) -> Card<'a> {
            Card {
                overall: Some(overall),
                breakdowns: rows,
            }
        }
        let overall = &report.results[0];
        // 99 regions draw 12 bars and one line for the rest: a card of ordinary height.
        let html = render(&card(overall, regions.iter().collect()), None);
        assert!(html.starts_with("<article class=\"card ok\""), "{html}");
        // 12 regions and 5 pairs: 17 bars.
        let rows = regions.iter().take(12).chain(&pairs).collect();
        let html = render(&card(overall, rows), None);
        assert!(
            html.starts_with("<article class=\"card ok long\""),
            "{html}"
        );
    }

    #[test]
    fn a_card_without_an_earlier_value_says_so_in_words() {
        let report = fixture::report();
        let nps = report.results.iter().find(|r| r.kpi == "nps").unwrap();
        let html = figure(nps);
        assert!(
            html.contains("<span class=\"previous\">no earlier value</span>"),
            "{html}"
        );
        assert!(!html.contains("vs –"), "{html}");
        let mut first_run = report.results[0].clone();
        first_run.previous_value = None;
        assert!(figure(&first_run).contains(">no earlier value<"));
        assert!(figure(&report.results[0]).contains(">vs 28.0 % in 2026-09<"));
    }

    #[test]
    fn a_card_without_owner_or_action_has_no_people_list() {
        let info = KpiInfo {
            id: "x".into(),
            ..Default::default()
        };
        assert_eq!(people(Some(&info)), "");
        assert_eq!(people(None), "");
    }
}
