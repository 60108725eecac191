//! `--format json`: the stable, documented output (SPEC.md, "Outputs").
//!
//! Field names and order are a contract: never rename, only add. Numbers are raw and in full;
//! a missing (or non-finite) number is `null`.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::{KpiResult, Rank, RunReport};

#[derive(Serialize)]
struct Document<'a> {
    as_of: String,
    results: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    kpi: &'a str,
    name: &'a str,
    unit: &'static str,
    period: &'a str,
    period_start: String,
    period_end: String,
    /// An object in breakdown order: `{"region": "EMEA", "channel": "Web"}`.
    dimensions: Map<String, Value>,
    value: Option<f64>,
    previous_period: Option<&'a str>,
    previous_value: Option<f64>,
    delta: Option<f64>,
    delta_pct: Option<f64>,
    status: &'static str,
    comparable: Option<bool>,
    /// Added to the documented fields: the rows that fed the value.
    rows: u64,
    /// The `warn`/`fail` condition that fired, or the move beyond `alert_change`.
    breach: Option<&'a str>,
    /// Whether the move is beyond noise (docs/significance.md); null when not tested.
    significant: Option<bool>,
    low_sample: bool,
    /// The KPI's SMART target (overall value only), and its standing.
    target: Option<f64>,
    target_by: Option<String>,
    attainment: Option<f64>,
    projected: Option<f64>,
    on_track: Option<bool>,
    /// One object per baseline, the first being the one in `previous_*`.
    comparisons: Vec<ComparisonEntry<'a>>,
    /// Under `top = N`, a kept group's place (1 = best); absent otherwise, `(other)` included.
    #[serde(skip_serializing_if = "Option::is_none")]
    rank: Option<u32>,
}

#[derive(Serialize)]
struct ComparisonEntry<'a> {
    baseline: &'a str,
    period: &'a str,
    value: Option<f64>,
    delta: Option<f64>,
    delta_pct: Option<f64>,
    comparable: Option<bool>,
    significant: Option<bool>,
}

/// The report as pretty-printed JSON (2-space indent) with a trailing newline.
pub fn render(report: &RunReport) -> String {
    let document = Document {
        as_of: report.as_of.format("%Y-%m-%d").to_string(),
        results: report.results.iter().map(entry).collect(),
    };
    // Serialising plain structs with string keys to memory cannot fail.
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}

fn entry(r: &KpiResult) -> Entry<'_> {
    Entry {
        kpi: &r.kpi,
        name: &r.name,
        unit: r.unit.name(),
        period: &r.period,
        period_start: r.period_start.format("%Y-%m-%d").to_string(),
        period_end: r.period_end.format("%Y-%m-%d").to_string(),
        dimensions: r
            .dimensions
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
        // serde_json writes a non-finite f64 as null, which is what a missing value is.
        value: r.value,
        previous_period: r.previous_period.as_deref(),
        previous_value: r.previous_value,
        delta: r.delta,
        delta_pct: r.delta_pct,
        status: r.status.name(),
        comparable: r.comparable,
        rows: r.rows,
        breach: r.breach.as_deref(),
        significant: r.significant,
        low_sample: r.low_sample,
        target: r.target.as_ref().map(|t| t.value),
        target_by: r
            .target
            .as_ref()
            .and_then(|t| t.by)
            .map(|d| d.format("%Y-%m-%d").to_string()),
        attainment: r.standing.attainment,
        projected: r.standing.projected,
        on_track: r.standing.on_track,
        comparisons: r
            .comparisons
            .iter()
            .map(|c| ComparisonEntry {
                baseline: &c.baseline,
                period: &c.period,
                value: c.value,
                delta: c.delta,
                delta_pct: c.delta_pct,
                comparable: c.comparable,
                significant: c.significant,
            })
            .collect(),
        rank: match r.rank {
            Rank::Top(n) => Some(n),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    const GOLDEN: &str = r#"{
  "as_of": "2026-11-22",
  "results": [
    {
      "kpi": "win_rate",
      "name": "Win rate",
      "unit": "percent",
      "period": "2026-10",
      "period_start": "2026-10-01",
      "period_end": "2026-10-31",
      "dimensions": {},
      "value": 0.3125,
      "previous_period": "2026-09",
      "previous_value": 0.28,
      "delta": 0.03249999999999997,
      "delta_pct": 0.11607142857142846,
      "status": "ok",
      "comparable": true,
      "rows": 48,
      "breach": null,
      "significant": null,
      "low_sample": false,
      "target": null,
      "target_by": null,
      "attainment": null,
      "projected": null,
      "on_track": null,
      "comparisons": []
    },
    {
      "kpi": "win_rate",
      "name": "Win rate",
      "unit": "percent",
      "period": "2026-10",
      "period_start": "2026-10-01",
      "period_end": "2026-10-31",
      "dimensions": {
        "region": "EMEA"
      },
      "value": 0.4,
      "previous_period": "2026-09",
      "previous_value": 0.5,
      "delta": -0.09999999999999998,
      "delta_pct": -0.19999999999999996,
      "status": "ok",
      "comparable": true,
      "rows": 20,
      "breach": null,
      "significant": null,
      "low_sample": false,
      "target": null,
      "target_by": null,
      "attainment": null,
      "projected": null,
      "on_track": null,
      "comparisons": []
    },
    {
      "kpi": "win_rate",
      "name": "Win rate",
      "unit": "percent",
      "period": "2026-10",
      "period_start": "2026-10-01",
      "period_end": "2026-10-31",
      "dimensions": {
        "region": "APAC"
      },
      "value": null,
      "previous_period": "2026-09",
      "previous_value": 0.2,
      "delta": null,
      "delta_pct": null,
      "status": "no_data",
      "comparable": true,
      "rows": 0,
      "breach": null,
      "significant": null,
      "low_sample": false,
      "target": null,
      "target_by": null,
      "attainment": null,
      "projected": null,
      "on_track": null,
      "comparisons": []
    },
    {
      "kpi": "cycle_time",
      "name": "Sales cycle",
      "unit": "days",
      "period": "2026-10",
      "period_start": "2026-10-01",
      "period_end": "2026-10-31",
      "dimensions": {},
      "value": 12.44,
      "previous_period": "2026-09",
      "previous_value": 14.0,
      "delta": -1.5600000000000005,
      "delta_pct": -0.11142857142857146,
      "status": "warn",
      "comparable": true,
      "rows": 30,
      "breach": null,
      "significant": null,
      "low_sample": false,
      "target": null,
      "target_by": null,
      "attainment": null,
      "projected": null,
      "on_track": null,
      "comparisons": []
    },
    {
      "kpi": "cycle_time",
      "name": "Sales cycle",
      "unit": "days",
      "period": "2026-10",
      "period_start": "2026-10-01",
      "period_end": "2026-10-31",
      "dimensions": {
        "region": "EMEA",
        "channel": "Web"
      },
      "value": 15.5,
      "previous_period": "2026-09",
      "previous_value": 11.0,
      "delta": 4.5,
      "delta_pct": 0.4090909090909091,
      "status": "warn",
      "comparable": true,
      "rows": 9,
      "breach": null,
      "significant": null,
      "low_sample": false,
      "target": null,
      "target_by": null,
      "attainment": null,
      "projected": null,
      "on_track": null,
      "comparisons": []
    },
    {
      "kpi": "revenue",
      "name": "Revenue",
      "unit": "currency",
      "period": "2026-11",
      "period_start": "2026-11-01",
      "period_end": "2026-11-22",
      "dimensions": {},
      "value": 12345.678,
      "previous_period": "2026-10",
      "previous_value": 11061.0,
      "delta": 1284.6779999999999,
      "delta_pct": 0.11614483319772172,
      "status": "fail",
      "comparable": false,
      "rows": 112,
      "breach": null,
      "significant": null,
      "low_sample": false,
      "target": null,
      "target_by": null,
      "attainment": null,
      "projected": null,
      "on_track": null,
      "comparisons": []
    },
    {
      "kpi": "tickets",
      "name": "Tickets",
      "unit": "number",
      "period": "2026-10",
      "period_start": "2026-10-01",
      "period_end": "2026-10-31",
      "dimensions": {},
      "value": 1234.5,
      "previous_period": "2026-09",
      "previous_value": 1234.5,
      "delta": 0.0,
      "delta_pct": 0.0,
      "status": "ok",
      "comparable": true,
      "rows": 3,
      "breach": null,
      "significant": null,
      "low_sample": false,
      "target": null,
      "target_by": null,
      "attainment": null,
      "projected": null,
      "on_track": null,
      "comparisons": []
    },
    {
      "kpi": "nps",
      "name": "NPS",
      "unit": "number",
      "period": "2026-10",
      "period_start": "2026-10-01",
      "period_end": "2026-10-31",
      "dimensions": {},
      "value": 42.0,
      "previous_period": null,
      "previous_value": null,
      "delta": null,
      "delta_pct": null,
      "status": "ok",
      "comparable": null,
      "rows": 7,
      "breach": null,
      "significant": null,
      "low_sample": false,
      "target": null,
      "target_by": null,
      "attainment": null,
      "projected": null,
      "on_track": null,
      "comparisons": []
    }
  ]
}
"#;

    #[test]
    fn golden() {
        assert_eq!(render(&fixture::report()), GOLDEN);
    }

    #[test]
    fn empty_report() {
        let mut report = fixture::report();
        report.results.clear();
        assert_eq!(
            render(&report),
            "{\n  \"as_of\": \"2026-11-22\",\n  \"results\": []\n}\n"
        );
    }

    #[test]
    fn non_finite_numbers_are_null() {
        let mut report = fixture::report();
        report.results.truncate(1);
        report.results[0].value = Some(f64::NAN);
        report.results[0].delta = Some(f64::INFINITY);
        let parsed: Value = serde_json::from_str(&render(&report)).unwrap();
        assert_eq!(parsed["results"][0]["value"], Value::Null);
        assert_eq!(parsed["results"][0]["delta"], Value::Null);
    }
}
