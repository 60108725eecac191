//! Windows and baselines on the bundled example against DuckDB: the opportunities as kpi reads
//! them (`kpi sql --rows`), aggregated by DuckDB over date ranges written out here, overall and
//! by region.

use crate::engines::duckdb;
use crate::support::{example, Workdir};
use serde_json::Value;

/// A 3-month win rate beside year_ago, by region, and revenue won year to date.
const KPIS: &str = r#"
[[kpi]]
id = "win_rate_3m"
source = "opportunities"
time = "closed_at"
formula = "count_if(stage = 'Won') / count_if(stage IN ('Won', 'Lost'))"
dimensions = ["region"]
unit = "percent"
compare = ["previous", "year_ago"]
window = "3 months"

[[kpi]]
id = "revenue_ytd"
source = "opportunities"
time = "closed_at"
formula = "sum(amount)"
filter = "stage = 'Won'"
dimensions = ["region"]
compare = ["previous", "year_ago"]
to_date = "year"
"#;

/// The date ranges of October 2026 and its baselines: (baseline, from, to), "" for the value.
const WINDOWS: [(&str, &str, &str); 3] = [
    ("", "2026-08-01", "2026-10-31"),
    ("previous", "2026-07-01", "2026-09-30"),
    ("year_ago", "2025-08-01", "2025-10-31"),
];
const YEAR_TO_DATE: [(&str, &str, &str); 3] = [
    ("", "2026-01-01", "2026-10-31"),
    ("previous", "2026-01-01", "2026-09-30"),
    ("year_ago", "2025-01-01", "2025-10-31"),
];

/// One DuckDB row per range and region ("" for overall): `kpi, baseline, region, value`.
fn query(rows: &str) -> String {
    let rows = rows.trim().trim_end_matches(';');
    let mut parts = Vec::new();
    for (kpi, ranges, aggregate) in [
        (
            "win_rate_3m",
            &WINDOWS,
            "count_if(stage = 'Won') / count_if(stage IN ('Won', 'Lost'))",
        ),
        (
            "revenue_ytd",
            &YEAR_TO_DATE,
            "sum(amount) FILTER (WHERE stage = 'Won')",
        ),
    ] {
        for (baseline, from, to) in ranges {
            parts.push(format!(
                "SELECT '{kpi}' AS kpi, '{baseline}' AS baseline, CASE WHEN grouping(region) = 1 THEN '' ELSE region END AS region, \
                 {aggregate} AS value FROM r WHERE is_test = false AND closed_at BETWEEN \
                 DATE '{from}' AND DATE '{to}' GROUP BY GROUPING SETS ((), (region))"
            ));
        }
    }
    format!("WITH r AS (\n{rows}\n)\n{}\n", parts.join("\nUNION ALL\n"))
}

/// DuckDB's values: (kpi, baseline, region) → value.
fn duckdb_values(work: &Workdir) -> Vec<(String, String, String, f64)> {
    let out = work.run(&["sql", "--dialect", "duckdb", "--rows", "opportunities"]);
    out.expect_code(0);
    work.write("check.sql", query(&out.stdout));
    duckdb(work, "run", "check.sql", "check.csv");
    let mut reader = csv::Reader::from_path(work.path().join("check.csv")).expect("check.csv");
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            let value = r[3].parse().expect("a number");
            (r[0].to_string(), r[1].to_string(), r[2].to_string(), value)
        })
        .collect()
}

/// kpi's value of a KPI, baseline ("" for the value) and region ("" for overall).
fn kpi_value(results: &[Value], kpi: &str, baseline: &str, region: &str) -> f64 {
    let result = results
        .iter()
        .find(|r| {
            r["kpi"] == kpi
                && match region {
                    "" => r["dimensions"] == serde_json::json!({}),
                    _ => r["dimensions"]["region"] == region,
                }
        })
        .unwrap_or_else(|| panic!("no {kpi} {region}"));
    let value = match baseline {
        "" => &result["value"],
        _ => {
            let comparisons = result["comparisons"].as_array().expect("comparisons");
            let c = comparisons.iter().find(|c| c["baseline"] == baseline);
            &c.expect("the baseline")["value"]
        }
    };
    value
        .as_f64()
        .unwrap_or_else(|| panic!("{kpi} {baseline} {region}: {value}"))
}

#[test]
fn windows_and_baselines_on_the_example_agree_with_duckdb() {
    let work = example();
    let config = format!("{}\n{KPIS}", work.read("kpis.toml"));
    work.write("kpis.toml", config);
    let mut args = vec![
        "run",
        "--as-of",
        "2026-11-22",
        "--no-archive",
        "--format",
        "json",
    ];
    args.extend(["--kpi", "win_rate_3m", "--kpi", "revenue_ytd"]);
    let out = work.run(&args);
    out.expect_code(0);
    let json: Value = serde_json::from_str(&out.stdout).expect("json");
    let results = json["results"].as_array().expect("results");
    let expected = duckdb_values(&work);
    assert!(expected.len() >= 20, "{expected:?}");
    for (kpi, baseline, region, value) in &expected {
        let got = kpi_value(results, kpi, baseline, region);
        let close = (got - value).abs() <= 1e-9 * value.abs().max(1.0);
        assert!(
            close,
            "{kpi} {baseline} {region}: kpi {got}, DuckDB {value}"
        );
    }
}
