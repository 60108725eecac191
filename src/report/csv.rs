//! `--format csv`: one row per result, the JSON output's fields as columns.
//!
//! Numbers are raw and printed in full (shortest round-trip), so `kpi diff` and spreadsheets read
//! back exactly what was computed; reading such files back is left to their readers.

use crate::model::{KpiResult, RunReport};

/// The columns, in order. Never renamed; new ones go at the end.
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
    writer.write_record(COLUMNS)?;
    for result in &report.results {
        writer.write_record(row(result))?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
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

    #[test]
    fn numbers_in_full_and_never_nan() {
        assert_eq!(number(Some(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(number(Some(1e21)), "1000000000000000000000");
        assert_eq!(number(Some(f64::NAN)), "");
        assert_eq!(number(Some(f64::NEG_INFINITY)), "");
        assert_eq!(number(None), "");
    }
}
