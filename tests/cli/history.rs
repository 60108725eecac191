//! `kpi history`: CSV and JSON hold one result per archived period and breakdown (SPEC), the
//! table the overall value alone; `--by` keeps one breakdown next to the overall value.

use crate::support::Workdir;
use serde_json::Value as Json;

/// September and October deals, by region and channel.
const DEALS: &str = "id,closed_at,amount,region,channel\n\
1,2026-09-05,100,EMEA,Web\n\
2,2026-09-20,50,NA,Partner\n\
3,2026-10-03,10,EMEA,Web\n\
4,2026-10-20,30,NA,Web\n";

/// The two months backfilled, with both breakdowns.
fn archived() -> Workdir {
    let work = Workdir::new();
    work.write("deals.csv", DEALS);
    work.write(
        "kpis.toml",
        "[sources.deals]\npath = \"deals.csv\"\n\n[[kpi]]\nid = \"revenue\"\nsource = \"deals\"\n\
         time = \"closed_at\"\nformula = \"sum(amount)\"\ndimensions = [\"region\", \"channel\"]\n",
    );
    let out = work.run(&["backfill", "--from", "2026-09-01", "--as-of", "2026-11-22"]);
    out.expect_code(0);
    work
}

/// `history revenue --format json ARGS`: each result as (period, dimensions, value, previous).
fn json_rows(work: &Workdir, args: &[&str]) -> Vec<(String, String, Json, Json)> {
    let mut all = vec!["history", "revenue", "--format", "json"];
    all.extend_from_slice(args);
    let out = work.run(&all);
    out.expect_code(0);
    assert_eq!(out.stderr, "");
    let json: Json = serde_json::from_str(&out.stdout).expect("JSON");
    let results = json["results"].as_array().expect("results");
    let row = |r: &Json| {
        let period = r["period"].as_str().unwrap_or_default().to_string();
        let dims = r["dimensions"].to_string();
        (
            period,
            dims,
            r["value"].clone(),
            r["previous_value"].clone(),
        )
    };
    results.iter().map(row).collect()
}

fn row(period: &str, dims: &str, value: f64, previous: Json) -> (String, String, Json, Json) {
    (period.into(), dims.into(), value.into(), previous)
}

#[test]
fn history_json_and_csv_hold_every_breakdown_and_the_table_the_overall_value() {
    let work = archived();
    let none = Json::Null;
    let emea = r#"{"region":"EMEA"}"#;
    assert_eq!(
        json_rows(&work, &[]),
        [
            row("2026-09", "{}", 150.0, none.clone()),
            row("2026-10", "{}", 40.0, 150.0.into()),
            row("2026-09", r#"{"channel":"Partner"}"#, 50.0, none.clone()),
            row("2026-09", r#"{"channel":"Web"}"#, 100.0, none.clone()),
            row("2026-10", r#"{"channel":"Web"}"#, 40.0, 100.0.into()),
            row("2026-09", emea, 100.0, none.clone()),
            row("2026-10", emea, 10.0, 100.0.into()),
            row("2026-09", r#"{"region":"NA"}"#, 50.0, none.clone()),
            row("2026-10", r#"{"region":"NA"}"#, 30.0, 50.0.into()),
        ]
    );
    let by_region = json_rows(&work, &["--by", "region"]);
    assert_eq!(by_region.len(), 6, "{by_region:?}");
    assert!(by_region.iter().all(|r| !r.1.contains("channel")));

    let csv = work.run(&["history", "revenue", "--format", "csv"]);
    csv.expect_code(0);
    assert_eq!(csv.stdout.lines().count(), 1 + 9, "{}", csv.stdout);
    assert!(csv
        .stdout
        .contains(",2026-10-01,2026-10-31,region=EMEA,10,"));

    let table = work.run(&["history", "revenue"]);
    table.expect_code(0);
    assert!(!table.stdout.contains("EMEA"), "{}", table.stdout);
    assert!(!table.stdout.contains("Web"), "{}", table.stdout);
}
