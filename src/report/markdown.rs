//! `--format markdown`: GitHub-flavoured Markdown for a pull-request comment or a wiki page. A
//! table of the overall values (name, period, value, previous, a delta with ▲/▼ per baseline,
//! status), then a sub-table per KPI with breakdowns.

use super::baselines;
use super::format::{delta_text, format_value, sparkline, NO_VALUE};
use crate::model::{KpiResult, RunReport};

/// The columns that depend on the report: the baseline values' header, a Δ per baseline, and
/// the trend.
struct Columns {
    previous: String,
    baselines: Vec<String>,
    trend: bool,
}

/// The report as Markdown, ending with a newline.
pub fn render(report: &RunReport) -> String {
    let mut out = header(report);
    let overall: Vec<&KpiResult> = report
        .results
        .iter()
        .filter(|r| r.dimensions.is_empty())
        .collect();
    let mut baselines = baselines::union(&report.results);
    if baselines.is_empty() {
        baselines.push(baselines::PREVIOUS.to_string());
    }
    let columns = Columns {
        previous: baselines::value_header(&report.results),
        baselines,
        trend: report.results.iter().any(|r| r.history.len() >= 2),
    };
    out.push_str(&table_head("KPI", &columns));
    for r in &overall {
        out.push_str(&row(&cell(&r.name), r, &columns));
    }
    let mut shown: Vec<&str> = Vec::new();
    for r in report.results.iter().filter(|r| !r.dimensions.is_empty()) {
        if shown.contains(&r.kpi.as_str()) {
            continue;
        }
        shown.push(&r.kpi);
        out.push_str(&format!("\n### {}\n\n", cell(&r.name)));
        if let Some(owner) = report.info(&r.kpi).and_then(|i| i.owner.as_deref()) {
            out.push_str(&format!("Owner: {}\n\n", cell(owner)));
        }
        out.push_str(&table_head("Breakdown", &columns));
        for b in report
            .results
            .iter()
            .filter(|b| b.kpi == r.kpi && !b.dimensions.is_empty())
        {
            out.push_str(&row(&cell(&b.dimensions_label()), b, &columns));
        }
    }
    out.push_str(&notes(report));
    out
}

fn header(report: &RunReport) -> String {
    let title = report
        .report
        .as_ref()
        .map_or("KPIs".to_string(), |r| cell(&r.title));
    let mut out = format!("## {title}\n\n");
    let mut facts = vec![format!("As of {}", report.as_of.format("%Y-%m-%d"))];
    if let Some(audience) = report.report.as_ref().and_then(|r| r.audience.as_deref()) {
        facts.push(format!("for {}", cell(audience)));
    }
    if let Some(frequency) = report.report.as_ref().and_then(|r| r.frequency.as_deref()) {
        facts.push(format!("read every {frequency}"));
    }
    out.push_str(&facts.join(", "));
    out.push_str(".\n\n");
    out
}

fn table_head(first: &str, columns: &Columns) -> String {
    let mut head = format!("| {first} | Period | Value | {} |", columns.previous);
    let mut rule = "| --- | --- | ---: | ---: |".to_string();
    for name in &columns.baselines {
        head.push_str(&format!(
            " {} |",
            baselines::delta_header(name, &columns.baselines)
        ));
        rule.push_str(" ---: |");
    }
    head.push_str(" Status |");
    rule.push_str(" --- |");
    if columns.trend {
        head.push_str(" Trend |");
        rule.push_str(" --- |");
    }
    format!("{head}\n{rule}\n")
}

fn row(label: &str, r: &KpiResult, columns: &Columns) -> String {
    let mut period = cell(&r.period);
    if r.to_date {
        period.push_str(&format!(" (to {})", r.period_end.format("%Y-%m-%d")));
    }
    let status = match r.status.name() {
        "fail" | "stale" => format!("**{}**", r.status.name()),
        other => other.to_string(),
    };
    let mut line = format!(
        "| {label} | {period} | {} | {} |",
        format_value(r.value, r.unit),
        format_value(r.previous_value, r.unit),
    );
    for name in &columns.baselines {
        line.push_str(&format!(" {} |", delta(r, name)));
    }
    line.push_str(&format!(" {status} |"));
    if columns.trend {
        line.push_str(&format!(" {} |", sparkline(&r.history)));
    }
    line.push('\n');
    line
}

/// The move from `baseline`: `▲ +3.3 pts`, with an escaped `*` when not like-for-like and `~`
/// when within noise; `–` without one.
fn delta(r: &KpiResult, baseline: &str) -> String {
    let list = baselines::of(r);
    let c = list.iter().find(|c| c.baseline == baseline);
    c.and_then(|c| delta_text(c, r.unit, "\\*"))
        .map_or_else(|| NO_VALUE.to_string(), |(text, _)| text)
}

fn notes(report: &RunReport) -> String {
    let all: Vec<_> = (report.results.iter())
        .flat_map(|r| baselines::of(r).into_owned())
        .collect();
    let mut notes = String::new();
    if all.iter().any(|c| c.comparable == Some(false)) {
        notes.push_str("\n\\* not like-for-like: the KPI's definition changed since the previous value was recorded.\n");
    }
    if all
        .iter()
        .any(|c| c.significant == Some(false) && c.delta.is_some_and(|d| d != 0.0))
    {
        notes.push_str("\n~ within noise: the move is not significant.\n");
    }
    notes
}

/// Text made safe for a table cell: `|` escaped, line breaks and other control characters
/// turned into spaces, so that data can never break the table.
fn cell(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn golden() {
        let out = render(&fixture::report());
        let expected = "\
## KPIs

As of 2026-11-22.

| KPI | Period | Value | Previous | Δ | Status | Trend |
| --- | --- | ---: | ---: | ---: | --- | --- |
| Win rate | 2026-10 | 31.3 % | 28.0 % | ▲ +3.3 pts | ok | ▁█ ▄█ |
| Sales cycle | 2026-10 | 12.4 d | 14.0 d | ▼ -1.6 d (-11.1 %) | warn |  |
| Revenue | 2026-11 (to 2026-11-22) | €12,346 | €11,061 | ▲ +€1,285 (+11.6 %) \\* | **fail** |  |
| Tickets | 2026-10 | 1,234.5 | 1,234.5 | = | ok |  |
| NPS | 2026-10 | 42 | – | – | ok |  |

### Win rate

| Breakdown | Period | Value | Previous | Δ | Status | Trend |
| --- | --- | ---: | ---: | ---: | --- | --- |
| region=EMEA | 2026-10 | 40.0 % | 50.0 % | ▼ -10.0 pts | ok |  |
| region=APAC | 2026-10 | – | 20.0 % | – | no_data |  |

### Sales cycle

| Breakdown | Period | Value | Previous | Δ | Status | Trend |
| --- | --- | ---: | ---: | ---: | --- | --- |
| region=EMEA;channel=Web | 2026-10 | 15.5 d | 11.0 d | ▲ +4.5 d (+40.9 %) | warn |  |

\\* not like-for-like: the KPI's definition changed since the previous value was recorded.
";
        assert_eq!(out, expected, "{out}");
    }

    #[test]
    fn data_cannot_break_the_table() {
        let mut report = fixture::report();
        report.results[0].name = "Win | rate\nnew line".into();
        let out = render(&report);
        assert!(out.contains("| Win \\| rate new line | 2026-10 |"), "{out}");
    }
}
