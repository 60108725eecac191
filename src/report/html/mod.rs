//! `--format html`: one self-contained page, for a browser, a mail attachment or a printer.
//!
//! Inline CSS and inline SVG only: no script, font, image or link, so it works offline and
//! shows its charts without JavaScript. This file lays out the page (header, a card per KPI,
//! a legend); `card.rs` draws a card, `svg.rs` the charts, `style.rs` holds the stylesheet.
//! Like every renderer it is pure: the run time comes from the report, not the clock.

mod breakdown;
mod card;
mod style;
mod svg;

use crate::model::{KpiResult, RunReport, Status};
use crate::report::escape::escape;
use card::Card;

const LEGEND: &str = "▲ ▼ green when the move is good for the KPI, red when it is not. \
    Trend charts show the archived periods, oldest on the left, with the target as a dashed \
    line; bars show each group's value, best first (twelve at most), coloured by its status.";

/// The whole page, ending with a newline.
pub fn render(report: &RunReport) -> String {
    let title = report
        .report
        .as_ref()
        .map_or("KPI report", |r| r.title.as_str());
    let mut out = String::with_capacity(64 * 1024);
    out.push_str(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light\">\n<meta name=\"generator\" content=\"kpi\">\n",
    );
    out.push_str(&format!("<title>{}</title>\n", escape(title)));
    out.push_str(&format!(
        "<style>\n{}</style>\n</head>\n<body>\n",
        style::CSS
    ));
    out.push_str("<div class=\"page\">\n");
    out.push_str(&masthead(report, title));
    out.push_str("<main class=\"cards\">\n");
    for card in cards(&report.results) {
        let kpi = card.overall.or(card.breakdowns.first().copied());
        let info = kpi.and_then(|r| report.info(&r.kpi));
        out.push_str(&card::render(&card, info));
    }
    out.push_str("</main>\n");
    out.push_str(&format!("<p class=\"legend\">{LEGEND}</p>\n"));
    out.push_str("</div>\n</body>\n</html>\n");
    out
}

/// The title, the audience, the period, the as-of date, the run time and a count by status.
fn masthead(report: &RunReport, title: &str) -> String {
    let info = report.report.as_ref();
    let cadence = match info.and_then(|r| r.frequency.as_deref()) {
        Some("day") => "Daily ",
        Some("week") => "Weekly ",
        Some("month") => "Monthly ",
        Some("quarter") => "Quarterly ",
        Some("year") => "Yearly ",
        _ => "",
    };
    let mut out = format!(
        "<header class=\"masthead\">\n<p class=\"kicker\">{cadence}KPI report</p>\n<h1>{}</h1>\n",
        escape(title)
    );
    if let Some(description) = info.and_then(|r| r.description.as_deref()) {
        out.push_str(&format!("<p class=\"lede\">{}</p>\n", escape(description)));
    }
    let mut facts = Vec::new();
    if let Some(audience) = info.and_then(|r| r.audience.as_deref()) {
        facts.push(("Audience", escape(audience)));
    }
    let periods = periods(&report.results);
    if !periods.is_empty() {
        facts.push(("Period", escape(&periods)));
    }
    let as_of = report.as_of.format("%Y-%m-%d").to_string();
    facts.push((
        "As of",
        format!("<time datetime=\"{as_of}\">{as_of}</time>"),
    ));
    if !report.generated_at.is_empty() {
        facts.push((
            "Generated",
            format!(
                "<time datetime=\"{}\">{}</time>",
                escape(&report.generated_at),
                escape(&readable_time(&report.generated_at))
            ),
        ));
    }
    out.push_str("<dl class=\"facts\">");
    for (term, text) in facts {
        out.push_str(&format!("<div><dt>{term}</dt><dd>{text}</dd></div>"));
    }
    out.push_str("</dl>\n");
    out.push_str(&summary(&report.results));
    out.push_str("</header>\n");
    out
}

/// The periods of the overall values, each once, in order (`2026-10`, or `2026-10, 2026-W47`
/// when KPIs of different frequencies share the report).
fn periods(results: &[KpiResult]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for r in results.iter().filter(|r| r.dimensions.is_empty()) {
        let label = if r.to_date {
            format!("{} (to date)", r.period)
        } else {
            r.period.clone()
        };
        if !seen.contains(&label) {
            seen.push(label);
        }
    }
    seen.join(", ")
}

/// `7 KPIs`, then how many overall values are at each status (the ones that occur).
fn summary(results: &[KpiResult]) -> String {
    let overall: Vec<&KpiResult> = results.iter().filter(|r| r.dimensions.is_empty()).collect();
    let plural = if overall.len() == 1 { "" } else { "s" };
    let mut items = format!("<li class=\"total\">{} KPI{plural}</li>", overall.len());
    for status in [
        Status::Stale,
        Status::Fail,
        Status::Warn,
        Status::Ok,
        Status::NoData,
    ] {
        let count = overall.iter().filter(|r| r.status == status).count();
        if count > 0 {
            items.push_str(&format!(
                "<li class=\"{}\">{count} {}</li>",
                status.name(),
                card::status_label(status).to_lowercase()
            ));
        }
    }
    format!("<ul class=\"summary\">{items}</ul>\n")
}

/// `2026-11-22T09:30:00+01:00` as `2026-11-22 09:30 +01:00`; any other text as it is.
fn readable_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339).map_or(rfc3339.to_string(), |t| {
        t.format("%Y-%m-%d %H:%M %:z").to_string()
    })
}

/// The results grouped by KPI, in the order of their first row: the overall value with the
/// breakdown rows of the same KPI.
fn cards(results: &[KpiResult]) -> Vec<Card<'_>> {
    let mut cards: Vec<(&str, Card)> = Vec::new();
    for r in results {
        let index = match cards.iter().position(|(kpi, _)| *kpi == r.kpi) {
            Some(index) => index,
            None => {
                let card = Card {
                    overall: None,
                    breakdowns: Vec::new(),
                };
                cards.push((&r.kpi, card));
                cards.len() - 1
            }
        };
        let card = &mut cards[index].1;
        if r.dimensions.is_empty() && card.overall.is_none() {
            card.overall = Some(r);
        } else if !r.dimensions.is_empty() {
            card.breakdowns.push(r);
        }
    }
    cards.into_iter().map(|(_, card)| card).collect()
}

#[cfg(test)]
mod tests;
