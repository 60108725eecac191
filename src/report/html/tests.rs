//! The page as a whole: escaping, determinism, self-containment and the size of every chart.

use super::*;
use crate::config::Target;
use crate::model::{KpiInfo, ReportInfo};
use crate::report::fixture;

/// The fixture with a `[[report]]`, a run time, KPI details and a target on the win rate.
fn full_report() -> RunReport {
    let mut report = fixture::report();
    report.report = Some(ReportInfo {
        id: "direction".into(),
        title: "Direction — monthly review".into(),
        audience: Some("Direction".into()),
        description: Some("The numbers the board reads first.".into()),
        frequency: Some("month".into()),
    });
    report.generated_at = "2026-11-22T09:30:00+01:00".into();
    report.kpis = vec![KpiInfo {
        id: "win_rate".into(),
        description: Some("Share of the deals closed that were won.".into()),
        owner: Some("Sales director".into()),
        action: Some("Under 25 %: review lead qualification.".into()),
        ..Default::default()
    }];
    let win = &mut report.results[0];
    win.target = Some(Target {
        value: 0.38,
        by: chrono::NaiveDate::from_ymd_opt(2026, 12, 31),
    });
    win.standing.attainment = Some(0.3125 / 0.38);
    win.standing.on_track = Some(false);
    report
}

/// Each `<svg …>` opening tag's width, height and view box.
fn svg_sizes(html: &str) -> Vec<(f64, f64, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let len = tag[start..].find('"')?;
        Some(tag[start..start + len].to_string())
    };
    html.match_indices("<svg")
        .map(|(at, _)| {
            let tag = &html[at..at + html[at..].find('>').expect("tag end")];
            let number = |name| attr(tag, name).and_then(|v| v.parse::<f64>().ok());
            (
                number("width").unwrap_or(0.0),
                number("height").unwrap_or(0.0),
                attr(tag, "viewBox").unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn text_from_the_configuration_is_escaped() {
    let mut report = full_report();
    report.results[0].name = "<script>alert('x')</script>".into();
    report.results[1].dimensions = vec![("region".into(), "<b>EMEA</b> & \"co\"".into())];
    report.kpis[0].owner = Some("Ann <ann@example.com>".into());
    report.report.as_mut().unwrap().title = "Q&A <i>".into();
    let html = render(&report);
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("<h2>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</h2>"));
    assert!(html.contains("&lt;b&gt;EMEA&lt;/b&gt; &amp; &quot;co&quot;"));
    assert!(html.contains("<dd>Ann &lt;ann@example.com&gt;</dd>"));
    assert!(html.contains("<title>Q&amp;A &lt;i&gt;</title>"));
}

#[test]
fn the_page_is_deterministic_and_shows_each_kpi() {
    let report = full_report();
    let html = render(&report);
    assert_eq!(html, render(&report));
    assert_eq!(html.matches("<article").count(), 5, "one card per KPI");
    for fragment in [
        "<p class=\"kicker\">Monthly KPI report</p>",
        "<h1>Direction — monthly review</h1>",
        "<dt>Audience</dt><dd>Direction</dd>",
        "<dt>Period</dt><dd>2026-10, 2026-11 (to date)</dd>",
        "<time datetime=\"2026-11-22\">2026-11-22</time>",
        "<time datetime=\"2026-11-22T09:30:00+01:00\">2026-11-22 09:30 +01:00</time>",
        "<li class=\"fail\">1 fail</li><li class=\"warn\">1 warn</li><li class=\"ok\">3 ok</li>",
        "<span class=\"value\">31.3 %</span><span class=\"delta good\">▲ +3.3 pts</span>",
        "<span class=\"previous\">vs 28.0 % in 2026-09</span>",
        // Down is good for the sales cycle: a fall is green.
        "<span class=\"delta good\">▼ -1.6 d (-11.1 %)</span>",
        "<span class=\"delta flat\">0 (0.0 %)</span>",
        "<article class=\"card fail\" id=\"kpi-revenue\">",
        "<span class=\"badge warn\">Warn</span>",
        "2026-11 · 2026-11-01 – 2026-11-22 (to date)",
        "Definition changed since the previous value",
        "Target <strong>38.0 %</strong> by 2026-12-31 · <span class=\"off\">off track</span>",
        ">82 %</text>",
        "<figcaption>Last 5 periods, to 2026-10</figcaption>",
        // The trend's periods under it: the first and the last at least.
        ">2026-06</text>",
        ">2026-10</text>",
        // Revenue is in euros.
        "<span class=\"value\">€12,346</span>",
        "▲ +€1,285 (+11.6 %)",
        "<span class=\"previous\">vs €11,061 in 2026-10</span>",
        // NPS has no earlier value.
        "<span class=\"previous\">no earlier value</span>",
        "<h3>By region</h3>",
        "<dt>Owner</dt><dd>Sales director</dd><dt>Action</dt>",
        "No trend yet",
    ] {
        assert!(html.contains(fragment), "missing {fragment:?} in\n{html}");
    }
}

#[test]
fn a_report_without_details_still_has_a_header() {
    let html = render(&fixture::report());
    assert!(html.contains("<h1>KPI report</h1>"));
    assert!(!html.contains("Generated"), "no run time in a test report");
    assert!(!html.contains("Audience"));
}

#[test]
fn every_chart_has_a_size_and_a_view_box() {
    let html = render(&full_report());
    let sizes = svg_sizes(&html);
    // The win rate's trend, progress and region bars; the sales cycle's bars.
    assert_eq!(sizes.len(), 4, "{sizes:?}");
    for (width, height, view_box) in sizes {
        assert!(width > 0.0 && height > 0.0, "{width} × {height}");
        assert_eq!(view_box, format!("0 0 {width} {height}"));
    }
}

#[test]
fn nothing_is_fetched_and_nothing_runs() {
    let html = render(&full_report());
    for reference in [
        "http://", "https://", "src=", "<link", "<script", "@import", "url(", "<img", "<iframe",
    ] {
        assert!(!html.contains(reference), "{reference} in the page");
    }
    let handler = html.match_indices(" on").any(|(at, _)| {
        let name: String = html[at + 1..]
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        html[at + 1 + name.len()..].starts_with('=')
    });
    assert!(!handler, "no event handler attribute");
}

#[test]
fn print_and_phone_layouts_are_there() {
    let html = render(&full_report());
    assert!(html.contains("@media print"));
    assert!(html.contains("size: A4"));
    assert!(html.contains("break-inside: avoid"));
    assert!(html.contains("@media (max-width: 600px)"));
    assert!(html.contains("name=\"viewport\""));
}

#[test]
fn run_times_read_as_local_time_with_offset() {
    assert_eq!(
        readable_time("2026-11-22T09:30:00+01:00"),
        "2026-11-22 09:30 +01:00"
    );
    assert_eq!(readable_time("yesterday"), "yesterday");
}
