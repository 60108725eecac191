//! Derived KPIs carry the breakdowns all their inputs have: each group's value is the formula
//! over that group's input values. Two sources whose regions differ: LATAM has deals but no
//! visits, APAC visits but no deals.

use crate::support::Workdir;
use serde_json::Value as Json;

const CONFIG: &str = r#"
[sources.deals]
path = "deals.csv"

[sources.visits]
path = "visits.csv"

[[kpi]]
id = "revenue"
source = "deals"
time = "closed_at"
frequency = "month"
formula = "sum(amount)"
dimensions = ["region", "channel"]

[[kpi]]
id = "visits"
source = "visits"
time = "visited_at"
frequency = "month"
formula = "count(*)"
dimensions = ["region"]

[[kpi]]
id = "revenue_per_visit"
frequency = "month"
formula = "revenue / visits"
"#;

const DEALS: &str = "closed_at,region,channel,amount
2026-09-10,EMEA,Web,100
2026-09-12,NA,Web,50
2026-10-03,EMEA,Web,300
2026-10-04,EMEA,Partner,100
2026-10-05,NA,Web,90
2026-10-06,LATAM,Web,70
";

const VISITS: &str = "visited_at,region
2026-09-02,EMEA
2026-09-03,EMEA
2026-09-04,NA
2026-10-01,EMEA
2026-10-02,EMEA
2026-10-03,EMEA
2026-10-04,EMEA
2026-10-05,NA
2026-10-06,NA
2026-10-07,NA
2026-10-08,APAC
";

fn fixture(config: &str) -> Workdir {
    let work = Workdir::new();
    work.write("kpis.toml", config);
    work.write("deals.csv", DEALS);
    work.write("visits.csv", VISITS);
    work
}

fn run_json(work: &Workdir, extra: &[&str]) -> Vec<Json> {
    let mut args = vec!["run", "--as-of", "2026-11-22", "--format", "json"];
    args.extend_from_slice(extra);
    let out = work.run(&args);
    out.expect_code(0);
    let json: Json = serde_json::from_str(&out.stdout).expect("JSON output");
    json["results"].as_array().expect("results").clone()
}

/// The derived KPI's result for one breakdown (`{}` for the overall value).
fn derived(results: &[Json], dimensions: Json) -> Option<&Json> {
    results
        .iter()
        .find(|r| r["kpi"] == "revenue_per_visit" && r["dimensions"] == dimensions)
}

#[test]
fn each_region_is_the_ratio_of_its_inputs_region_values() {
    let results = run_json(&fixture(CONFIG), &["--no-archive"]);
    let value = |dims: Json| {
        derived(&results, dims).map(|r| (r["value"].clone(), r["previous_value"].clone()))
    };
    // October: 560 / 8 overall; EMEA 400 / 4 (September 100 / 2); NA 90 / 3 (September 50 / 1).
    assert_eq!(
        value(serde_json::json!({})),
        Some((70.0.into(), 50.0.into()))
    );
    assert_eq!(
        value(serde_json::json!({"region": "EMEA"})),
        Some((100.0.into(), 50.0.into()))
    );
    assert_eq!(
        value(serde_json::json!({"region": "NA"})),
        Some((30.0.into(), 50.0.into()))
    );
    // `channel` is revenue's alone: visits have no channel, so there is no ratio by channel.
    assert!(
        results
            .iter()
            .filter(|r| r["kpi"] == "revenue_per_visit")
            .all(|r| r["dimensions"].get("channel").is_none()),
        "{results:#?}"
    );
}

#[test]
fn a_group_one_input_lacks_has_no_value_rather_than_no_row() {
    let results = run_json(&fixture(CONFIG), &["--no-archive"]);
    for region in ["LATAM", "APAC"] {
        let row = derived(&results, serde_json::json!({ "region": region }))
            .unwrap_or_else(|| panic!("no row for {region}: {results:#?}"));
        assert_eq!(row["value"], Json::Null, "{row:#}");
        assert_eq!(row["status"], "no_data", "{row:#}");
    }
}

#[test]
fn by_picks_the_breakdown_and_a_column_one_input_lacks_leaves_the_overall_value() {
    let work = fixture(CONFIG);
    let results = run_json(&work, &["--no-archive", "--by", "region"]);
    assert!(derived(&results, serde_json::json!({"region": "EMEA"})).is_some());
    let results = run_json(&work, &["--no-archive", "--by", "channel"]);
    let rows: Vec<&Json> = results
        .iter()
        .filter(|r| r["kpi"] == "revenue_per_visit")
        .collect();
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0]["dimensions"], serde_json::json!({}));
    // And in the table, the region rows follow the overall one.
    let out = work.run(&[
        "run",
        "--as-of",
        "2026-11-22",
        "--no-archive",
        "--kpi",
        "revenue_per_visit",
        "--by",
        "region",
    ]);
    out.expect_code(0);
    assert!(out.stdout.contains("region=EMEA"), "{}", out.stdout);
}

#[test]
fn breakdown_rows_are_archived_with_their_parts() {
    let work = fixture(CONFIG);
    run_json(&work, &[]);
    let archive = work.read("kpi-archive/revenue_per_visit.csv");
    let emea = archive
        .lines()
        .find(|l| l.contains(",region=EMEA,"))
        .unwrap_or_else(|| panic!("no EMEA row:\n{archive}"));
    assert!(emea.starts_with("revenue_per_visit,2026-10,"), "{emea}");
    assert!(emea.contains(",100,"), "{emea}");
    assert!(emea.contains(r#"{""revenue"":400,""visits"":4}"#), "{emea}");
    // A second run reads October's previous values from the archive: the same figures.
    let again = run_json(&work, &["--no-archive", "--period", "2026-10"]);
    let row = derived(&again, serde_json::json!({"region": "EMEA"})).expect("EMEA");
    assert_eq!(row["value"], 100.0);
}

#[test]
fn a_declared_dimension_an_input_lacks_is_a_configuration_error() {
    let config = format!("{CONFIG}dimensions = [\"channel\"]\n");
    let out = fixture(&config).run(&["run", "--as-of", "2026-11-22", "--no-archive"]);
    out.expect_code(3);
    assert!(
        out.stderr.contains(
            "kpi `revenue_per_visit`: dimension `channel`: input `visits` has no such breakdown"
        ),
        "{}",
        out.stderr
    );
    let config = format!("{CONFIG}dimensions = [\"region\"]\n");
    let out = fixture(&config).run(&["validate"]);
    out.expect_code(0);
}

#[test]
fn results_from_a_warehouse_carry_breakdowns_the_same_way() {
    let work = fixture(CONFIG);
    work.write(
        "results.csv",
        "kpi,period,dimensions,value,rows
revenue,2026-10,,560,4
revenue,2026-10,region=EMEA,400,2
revenue,2026-10,region=NA,90,1
revenue,2026-10,region=LATAM,70,1
revenue,2026-09,,150,2
revenue,2026-09,region=EMEA,100,1
revenue,2026-09,region=NA,50,1
visits,2026-10,,8,8
visits,2026-10,region=EMEA,4,4
visits,2026-10,region=NA,3,3
visits,2026-10,region=APAC,1,1
visits,2026-09,,3,3
visits,2026-09,region=EMEA,2,2
visits,2026-09,region=NA,1,1
",
    );
    let from_results = run_json(&work, &["--no-archive", "--results", "results.csv"]);
    let from_sources = run_json(&work, &["--no-archive"]);
    let derived_rows = |rs: &[Json]| -> Vec<Json> {
        rs.iter()
            .filter(|r| r["kpi"] == "revenue_per_visit")
            .cloned()
            .collect()
    };
    assert_eq!(derived_rows(&from_results), derived_rows(&from_sources));
    assert_eq!(derived_rows(&from_results).len(), 5);
}
