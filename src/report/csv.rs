//! `--format csv`: one row per result, the JSON output's fields as columns.
//!
//! Numbers are raw and printed in full (shortest round-trip), so `kpi diff` and spreadsheets read
//! back exactly what was computed; reading such files back is left to their readers.
//!
//! The first baseline of each result fills `previous_period` … `delta_pct`; every other
//! baseline of the report adds four columns at the end (`year_ago_period`, `year_ago_value`,
//! `year_ago_delta`, `year_ago_delta_pct`), so a file with the default baseline alone has the
//! columns it always had.

use crate::model::{Comparison, KpiResult, RunReport};

/// The columns every file has, in order. Never renamed; new ones go at the end.
pub const COLUMNS: [&str; 22] = [
    "kpi",
    "name",
    "unit",
    "period",
    "period_start",
    "period_end",
    "dimensions",
    "value",
    "previous_period",
    "previous_value",
    "delta",
    "delta_pct",
    "status",
    "comparable",
    "breach",
    "target",
    "target_by",
    "attainment",
    "projected",
    "on_track",
    "significant",
    "low_sample",
];

/// The report as CSV with a header row, LF line ends.
pub fn render(report: &RunReport) -> String {
    // Writing to memory cannot fail: the csv writer's only errors are those of its writer.
    write(report).unwrap_or_default()
}

fn write(report: &RunReport) -> Result<String, Box<dyn std::error::Error>> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let extra = extra_baselines(&report.results);
    let mut header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    header.extend(extra.iter().flat_map(|b| baseline_columns(b)));
    writer.write_record(header)?;
    for result in &report.results {
        let mut record = row(result).to_vec();
        record.extend(
            extra
                .iter()
                .flat_map(|b| baseline_cells(result.comparison(b))),
        );
        writer.write_record(record)?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// The baselines that come after the first in some result, each once, in order of appearance.
/// A result fills such a baseline's columns whenever it has it, even as its first, so that a
/// column means the same on every row.
fn extra_baselines(results: &[KpiResult]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for c in results.iter().flat_map(|r| r.comparisons.iter().skip(1)) {
        if !names.contains(&c.baseline) {
            names.push(c.baseline.clone());
        }
    }
    names
}

/// `year_ago_period`, `year_ago_value`, `year_ago_delta`, `year_ago_delta_pct`. The period
/// before as a later baseline is `previous_baseline_*`: `previous_period` and `previous_value`
/// already name the first baseline's columns.
fn baseline_columns(baseline: &str) -> [String; 4] {
    let prefix = match baseline {
        "previous" => "previous_baseline",
        other => other,
    };
    ["period", "value", "delta", "delta_pct"].map(|field| format!("{prefix}_{field}"))
}

/// A baseline's four cells; empty when the result does not compare with it.
fn baseline_cells(c: Option<&Comparison>) -> [String; 4] {
    let Some(c) = c else {
        return Default::default();
    };
    [
        c.period.clone(),
        number(c.value),
        number(c.delta),
        number(c.delta_pct),
    ]
}

fn row(r: &KpiResult) -> [String; 22] {
    [
        r.kpi.clone(),
        r.name.clone(),
        r.unit.name().to_string(),
        r.period.clone(),
        r.period_start.format("%Y-%m-%d").to_string(),
        r.period_end.format("%Y-%m-%d").to_string(),
        r.dimensions_label(),
        number(r.value),
        r.previous_period.clone().unwrap_or_default(),
        number(r.previous_value),
        number(r.delta),
        number(r.delta_pct),
        r.status.name().to_string(),
        r.comparable.map(|c| c.to_string()).unwrap_or_default(),
        r.breach.clone().unwrap_or_default(),
        number(r.target.as_ref().map(|t| t.value)),
        r.target
            .as_ref()
            .and_then(|t| t.by)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        number(r.standing.attainment),
        number(r.standing.projected),
        r.standing
            .on_track
            .map(|c| c.to_string())
            .unwrap_or_default(),
        r.significant.map(|c| c.to_string()).unwrap_or_default(),
        r.low_sample.to_string(),
    ]
}

/// Shortest round-trip digits; an empty cell for a missing value (and, defensively, for a
/// non-finite one, which a spreadsheet would not read as a number).
pub fn number(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => v.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    const GOLDEN: &str = "\
kpi,name,unit,period,period_start,period_end,dimensions,value,previous_period,previous_value,delta,delta_pct,status,comparable,breach,target,target_by,attainment,projected,on_track,significant,low_sample
win_rate,Win rate,percent,2026-10,2026-10-01,2026-10-31,,0.3125,2026-09,0.28,0.03249999999999997,0.11607142857142846,ok,true,,,,,,,,false
win_rate,Win rate,percent,2026-10,2026-10-01,2026-10-31,region=EMEA,0.4,2026-09,0.5,-0.09999999999999998,-0.19999999999999996,ok,true,,,,,,,,false
win_rate,Win rate,percent,2026-10,2026-10-01,2026-10-31,region=APAC,,2026-09,0.2,,,no_data,true,,,,,,,,false
cycle_time,Sales cycle,days,2026-10,2026-10-01,2026-10-31,,12.44,2026-09,14,-1.5600000000000005,-0.11142857142857146,warn,true,,,,,,,,false
cycle_time,Sales cycle,days,2026-10,2026-10-01,2026-10-31,region=EMEA;channel=Web,15.5,2026-09,11,4.5,0.4090909090909091,warn,true,,,,,,,,false
revenue,Revenue,currency,2026-11,2026-11-01,2026-11-22,,12345.678,2026-10,11061,1284.6779999999999,0.11614483319772172,fail,false,,,,,,,,false
tickets,Tickets,number,2026-10,2026-10-01,2026-10-31,,1234.5,2026-09,1234.5,0,0,ok,true,,,,,,,,false
nps,NPS,number,2026-10,2026-10-01,2026-10-31,,42,,,,,ok,,,,,,,,,false
";

    #[test]
    fn golden() {
        assert_eq!(render(&fixture::report()), GOLDEN);
    }

    #[test]
    fn quotes_fields_that_need_it() {
        let mut report = fixture::report();
        report.results.truncate(1);
        report.results[0].name = "Win rate, \"all\"".into();
        let out = render(&report);
        assert!(out.contains(",\"Win rate, \"\"all\"\"\",percent,"), "{out}");
    }

    fn compared(r: &KpiResult, baselines: &[(&str, &str, f64)]) -> KpiResult {
        let mut r = r.clone();
        r.comparisons = (baselines.iter())
            .map(|&(baseline, period, value)| Comparison {
                baseline: baseline.into(),
                period: period.into(),
                value: Some(value),
                ..Default::default()
            })
            .collect();
        r.compute_delta();
        r
    }

    #[test]
    fn every_baseline_after_the_first_adds_its_columns_empty_where_a_result_lacks_it() {
        let mut report = fixture::report();
        let (win, cycle) = (&report.results[0], &report.results[3]);
        let win = compared(
            win,
            &[("previous", "2026-09", 0.28), ("year_ago", "2025-10", 0.25)],
        );
        let cycle = compared(cycle, &[("4_periods_ago", "2026-06", 10.0)]);
        let only_previous = compared(&report.results[6], &[("previous", "2026-09", 1234.5)]);
        report.results = vec![win, cycle, only_previous];
        let out = render(&report);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].ends_with(
            ",low_sample,year_ago_period,year_ago_value,year_ago_delta,year_ago_delta_pct"
        ));
        assert!(
            lines[1].ends_with(",false,2025-10,0.25,0.0625,0.25"),
            "{out}"
        );
        assert!(lines[2].ends_with(",false,,,,"), "{out}");
        assert!(lines[3].ends_with(",false,,,,"), "{out}");
        // The period before as a later baseline does not take the first one's column names.
        report.results[1] = compared(
            &report.results[1],
            &[
                ("4_periods_ago", "2026-06", 10.0),
                ("previous", "2026-09", 14.0),
            ],
        );
        let out = render(&report);
        assert!(
            out.lines().next().unwrap().ends_with(
                ",year_ago_delta_pct,previous_baseline_period,previous_baseline_value,\
             previous_baseline_delta,previous_baseline_delta_pct"
            ),
            "{out}"
        );
    }

    #[test]
    fn the_default_baseline_alone_keeps_the_columns() {
        let mut report = fixture::report();
        report.results[0] = compared(&report.results[0], &[("previous", "2026-09", 0.28)]);
        assert_eq!(render(&report), GOLDEN);
    }

    #[test]
    fn numbers_in_full_and_never_nan() {
        assert_eq!(number(Some(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(number(Some(1e21)), "1000000000000000000000");
        assert_eq!(number(Some(f64::NAN)), "");
        assert_eq!(number(Some(f64::NEG_INFINITY)), "");
        assert_eq!(number(None), "");
    }
}
