//! `kpi check --format junit`: JUnit XML, which GitLab, Jenkins and GitHub test reporters read.
//! One test case per result; a KPI at fail level (and at warn level with `--fail-on warn`) is a
//! failure carrying the condition and the values; no value is a skipped test.

use super::format::format_value;
use crate::model::{KpiResult, RunReport, Status};
use crate::report::escape::escape;

/// The report as a JUnit document. `warn_fails` turns warn results into failures.
pub fn render(report: &RunReport, warn_fails: bool) -> String {
    let failed = |r: &KpiResult| r.status.fails() || (warn_fails && r.status == Status::Warn);
    let failures = report.results.iter().filter(|r| failed(r)).count();
    let skipped = report
        .results
        .iter()
        .filter(|r| r.status == Status::NoData)
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts = format!(
        "tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\"",
        report.results.len()
    );
    out.push_str(&format!("<testsuites name=\"kpi check\" {counts}>\n"));
    out.push_str(&format!(
        "  <testsuite name=\"kpi check as of {}\" {counts}>\n",
        report.as_of.format("%Y-%m-%d")
    ));
    for r in &report.results {
        out.push_str(&testcase(r, failed(r)));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn testcase(r: &KpiResult, failed: bool) -> String {
    let mut name = format!("{} {}", r.kpi, r.period);
    if !r.dimensions.is_empty() {
        name.push_str(&format!(" {}", r.dimensions_label()));
    }
    let open = format!(
        "    <testcase classname=\"kpi.{}\" name=\"{}\"",
        escape(&r.kpi),
        escape(&name)
    );
    let why = r.breach.as_deref().unwrap_or(r.status.name());
    let values = format!(
        "{}: {} (previous {}), status {}",
        r.name,
        format_value(r.value, r.unit),
        format_value(r.previous_value, r.unit),
        r.status.name()
    );
    if failed {
        return format!(
            "{open}>\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
            r.status.name(),
            escape(why),
            escape(&values)
        );
    }
    match r.status {
        Status::NoData => {
            format!("{open}>\n      <skipped message=\"no data\"/>\n    </testcase>\n")
        }
        Status::Warn => format!(
            "{open}>\n      <system-out>warn: {} — {}</system-out>\n    </testcase>\n",
            escape(why),
            escape(&values)
        ),
        _ => format!("{open}/>\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn failures_skips_and_escaping() {
        let mut report = fixture::report();
        report.results[0].breach = Some("value < 0.5 & \"low\"".into());
        report.results[0].status = Status::Fail;
        let xml = render(&report, false);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
        assert!(
            xml.contains(&format!(
                "tests=\"{}\" failures=\"2\"",
                report.results.len()
            )),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<failure type=\"fail\" message=\"value &lt; 0.5 &amp; &quot;low&quot;\">"
            ),
            "{xml}"
        );
        assert!(xml.contains("<skipped message=\"no data\"/>"), "{xml}");
        let strict = render(&report, true);
        let warns = report
            .results
            .iter()
            .filter(|r| r.status == Status::Warn)
            .count();
        assert!(
            strict.contains(&format!("failures=\"{}\"", 2 + warns)),
            "{strict}"
        );
    }
}
