//! `target = { file = "targets.csv" }`: targets per period and breakdown from a CSV, applied
//! to the overall value and to each breakdown that has a row, in checks, runs from results and
//! the catalog; every bad row is a configuration error with its file and line.

use crate::support::Workdir;
use serde_json::Value as Json;

const DEALS: &str = "id,closed,region,amount\n\
1,2026-10-03,EMEA,100\n\
2,2026-10-10,EMEA,200\n\
3,2026-10-12,NA,500\n\
4,2026-11-02,EMEA,300\n";

const TARGETS: &str = "kpi,period,dimensions,value\n\
revenue,2026-10,,1000\n\
revenue,2026-10,region=EMEA,250\n";

/// October's revenue (800: EMEA 300, NA 500) against the targets in `targets`.
fn revenue(targets: &str) -> Workdir {
    let work = Workdir::new();
    work.write("deals.csv", DEALS);
    work.write("targets.csv", targets);
    work.write(
        "kpis.toml",
        "[sources.deals]\npath = \"deals.csv\"\ncolumns = { closed = \"date\" }\n\n\
         [[kpi]]\nid = \"revenue\"\nsource = \"deals\"\ntime = \"closed\"\n\
         formula = \"sum(amount)\"\ndimensions = [\"region\"]\n\
         target = { file = \"targets.csv\" }\nwarn = \"value < 0.9 * target\"\n\n\
         [[kpi]]\nid = \"won_share\"\nsource = \"deals\"\ntime = \"closed\"\n\
         formula = \"count(*) / 10\"\nunit = \"percent\"\ntarget = { file = \"targets.csv\" }\n",
    );
    work
}

fn results(work: &Workdir, extra: &[&str]) -> Vec<Json> {
    let mut args = vec!["check", "--as-of", "2026-11-22", "--period", "2026-10"];
    args.extend_from_slice(&["--kpi", "revenue", "--format", "json"]);
    args.extend_from_slice(extra);
    let out = work.run(&args);
    out.expect_code(0);
    let json: Json = serde_json::from_str(&out.stdout).expect("json");
    json["results"].as_array().expect("results").clone()
}

fn by_region<'a>(results: &'a [Json], region: Option<&str>) -> &'a Json {
    results
        .iter()
        .find(|r| r["dimensions"]["region"].as_str() == region)
        .expect("result")
}

fn assert_held_to_the_file(results: &[Json]) {
    let overall = by_region(results, None);
    assert_eq!(overall["target"], 1000.0);
    assert_eq!(overall["target_by"], "2026-10-31");
    assert_eq!(overall["attainment"], 0.8);
    assert_eq!(overall["status"], "warn");
    assert_eq!(overall["breach"], "value < 0.9 * target");
    let emea = by_region(results, Some("EMEA"));
    assert_eq!(emea["target"], 250.0);
    assert_eq!(emea["attainment"], 1.2);
    assert_eq!(emea["status"], "ok");
    // No row for NA: no target, and the condition naming `target` does not hold.
    let na = by_region(results, Some("NA"));
    assert_eq!(
        (&na["target"], &na["attainment"]),
        (&Json::Null, &Json::Null)
    );
    assert_eq!(na["status"], "ok");
}

#[test]
fn the_overall_value_and_each_breakdown_are_held_to_their_rows() {
    let work = revenue(TARGETS);
    assert_held_to_the_file(&results(&work, &[]));
    let table = work
        .run(&["check", "--as-of", "2026-11-22", "--period", "2026-10"])
        .stdout;
    assert!(table.contains("80 % of 1,000, off track"), "{table}");
    assert!(table.contains("120 % of 250"), "{table}");
    let catalog = work.run(&["catalog"]);
    assert!(
        catalog.stdout.contains("from targets.csv (2 rows)"),
        "{}",
        catalog.stdout
    );
}

#[test]
fn a_run_from_results_applies_the_file_targets_too() {
    let work = revenue(TARGETS);
    work.write(
        "results.csv",
        "kpi,period,dimensions,value,rows\nrevenue,2026-10,,800,3\n\
         revenue,2026-10,region=EMEA,300,2\nrevenue,2026-10,region=NA,500,1\n\
         revenue,2026-09,,,0\n",
    );
    assert_held_to_the_file(&results(&work, &["--results", "results.csv"]));
}

#[test]
fn every_bad_row_is_a_configuration_error_with_its_line() {
    let work = revenue(
        "kpi,period,dimensions,value\n\
         revenue,2026-13,,1\n\
         nope,2026-10,,1\n\
         revenue,2026-Q4,,1\n\
         revenue,2026-10,,abc\n\
         revenue,2026-10,,5\n\
         revenue,2026-10,,6\n\
         revenue,2026-10,country=FR,6\n\
         won_share,2026-10,,60\n",
    );
    let out = work.run(&["validate"]);
    out.expect_code(3);
    for expected in [
        "targets.csv:2: kpi `revenue`: period: `2026-13` is not a month label",
        "targets.csv:3: kpi `nope` does not take its target from this file",
        "targets.csv:4: kpi `revenue`: period: `2026-Q4` is not a month label",
        "targets.csv:5: kpi `revenue`: value \"abc\" is not a number",
        "targets.csv:7: kpi `revenue`: a second row for period 2026-10",
        "targets.csv:8: kpi `revenue`: dimensions \"country=FR\" is not one of its breakdowns",
        "targets.csv:9: kpi `won_share`: value 60 is above 1 on a percent KPI",
        "write 0.60 for 60 %",
    ] {
        assert!(out.stderr.contains(expected), "{expected}\n{}", out.stderr);
    }
    assert!(!out.stderr.contains("targets.csv:6:"), "{}", out.stderr);
    work.run(&["check", "--as-of", "2026-11-22"]).expect_code(3);
}

#[test]
fn a_missing_file_or_column_is_a_configuration_error() {
    let work = revenue("kpi,period,value\n");
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert!(
        out.stderr
            .contains("targets.csv:1: target file has no column `dimensions`"),
        "{}",
        out.stderr
    );
    std::fs::remove_file(work.path().join("targets.csv")).expect("remove");
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert!(
        out.stderr
            .contains("targets.csv: cannot read the target file: no such file"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_target_takes_a_value_or_a_file() {
    let work = revenue(TARGETS);
    let config = work.read("kpis.toml").replacen(
        "target = { file = \"targets.csv\" }",
        "target = { file = \"targets.csv\", by = \"2026-12-31\" }",
        1,
    );
    work.write("kpis.toml", config);
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert!(
        out.stderr
            .contains("target.by does not go with target.file"),
        "{}",
        out.stderr
    );
}
