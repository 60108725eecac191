//! `kpi diff`: results files written by real runs, compared as a CI job would, with the exit
//! code, stdout and stderr checked together.

use crate::support::{Output, Workdir};

/// Revenue by region (warn under 100) and the APAC revenue, which has no value without APAC rows.
const KPIS: &str = r#"[sources.deals]
path = "deals.csv"

[[kpi]]
id = "revenue"
source = "deals"
time = "closed_at"
formula = "sum(amount)"
dimensions = ["region"]
warn = "value < 100"

[[kpi]]
id = "apac_revenue"
source = "deals"
time = "closed_at"
formula = "sum(amount) FILTER (WHERE region = 'APAC')"
"#;

/// October: 1350 overall, EMEA 1000, NA 350; no APAC.
const DEALS: &str = "id,closed_at,amount,region\n\
1,2026-09-05,100,EMEA\n\
2,2026-10-03,1000,EMEA\n\
3,2026-10-20,300,NA\n\
4,2026-10-21,50,NA\n";

fn deals(deals: &str) -> Workdir {
    let work = Workdir::new();
    work.write("kpis.toml", KPIS);
    work.write("deals.csv", deals);
    work
}

/// `kpi run` for October in `format`, written to `file`.
fn results(work: &Workdir, format: &str, file: &str) {
    let args = ["run", "--as-of", "2026-11-22", "--no-archive"];
    work.run(&[&args[..], &["--format", format, "-o", file]].concat())
        .expect_code(0);
}

/// Results of DEALS in `expected.json`, then of `changed` data in `actual.FORMAT`.
fn expected_then(changed: &str, format: &str) -> Workdir {
    let work = deals(DEALS);
    results(&work, "json", "expected.json");
    work.write("deals.csv", changed);
    results(&work, format, &format!("actual.{format}"));
    work
}

fn diff(work: &Workdir, extra: &[&str]) -> Output {
    let args = ["diff", "expected.json", "actual.json"];
    work.run(&[&args[..], extra].concat())
}

fn expect_error(out: &Output, code: i32, fragments: &[&str]) {
    out.expect_code(code);
    assert_eq!(out.stdout, "", "stdout of a failed diff");
    for fragment in fragments {
        assert!(
            out.stderr.contains(fragment),
            "stderr lacks {fragment:?}:\n{}",
            out.stderr
        );
    }
}

#[test]
fn identical_results_do_not_differ() {
    let work = expected_then(DEALS, "json");
    let out = diff(&work, &[]);
    out.expect_code(0);
    assert_eq!(out.stdout, "no difference in 4 results (tolerance 0)\n");
    assert_eq!(out.stderr, "");
}

#[test]
fn json_and_csv_of_the_same_run_do_not_differ() {
    let work = expected_then(DEALS, "csv");
    let out = work.run(&["diff", "expected.json", "actual.csv"]);
    out.expect_code(0);
    assert_eq!(out.stdout, "no difference in 4 results (tolerance 0)\n");
    // Either side may be CSV, and a BOM (a spreadsheet's save) is skipped.
    let csv = work.read("actual.csv");
    work.write("bom.csv", format!("\u{feff}{csv}"));
    work.run(&["diff", "bom.csv", "expected.json"])
        .expect_code(0);
}

#[test]
fn a_value_changed_beyond_the_tolerance_is_a_difference() {
    // EMEA 1000 → 1010: +1 %, overall 1350 → 1360: +0.74 %.
    let work = expected_then(&DEALS.replace(",1000,", ",1010,"), "json");
    let out = diff(&work, &["--tolerance", "0.005"]);
    out.expect_code(1);
    assert_eq!(
        out.stdout,
        "changed  revenue 2026-10: 1350 → 1360 (+0.7 %)\n\
         changed  revenue 2026-10 region=EMEA: 1000 → 1010 (+1.0 %)\n\
         2 differences in 4 results (tolerance 0.005)\n"
    );
    assert_eq!(out.stderr, "");
}

#[test]
fn a_value_changed_within_the_tolerance_is_not() {
    let work = expected_then(&DEALS.replace(",1000,", ",1010,"), "json");
    let out = diff(&work, &["--tolerance", "0.01"]);
    out.expect_code(0);
    assert_eq!(out.stdout, "no difference in 4 results (tolerance 0.01)\n");
}

#[test]
fn a_changed_status_is_a_difference_even_within_the_tolerance() {
    // NA 100 → 99.5 (−0.5 %) crosses `warn = "value < 100"`.
    let work = deals(&DEALS.replace(",300,", ",50,"));
    results(&work, "json", "expected.json");
    work.write("deals.csv", DEALS.replace(",300,", ",49.5,"));
    results(&work, "csv", "actual.csv");
    let out = work.run(&["diff", "expected.json", "actual.csv", "--tolerance", "0.01"]);
    out.expect_code(1);
    assert_eq!(
        out.stdout,
        "changed  revenue 2026-10 region=NA: status ok → warn\n\
         1 difference in 4 results (tolerance 0.01)\n"
    );
}

#[test]
fn appeared_and_vanished_results_are_both_listed() {
    // The NA deals become APAC: region=NA vanishes, region=APAC appears, and the APAC revenue,
    // which had no value, gets one.
    let work = expected_then(&DEALS.replace(",NA\n", ",APAC\n"), "json");
    let out = diff(&work, &[]);
    out.expect_code(1);
    assert_eq!(
        out.stdout,
        "vanished revenue 2026-10 region=NA: 350\n\
         changed  apac_revenue 2026-10: null → 350, status no_data → ok\n\
         appeared revenue 2026-10 region=APAC: 350\n\
         3 differences in 5 results (tolerance 0)\n"
    );
}

#[test]
fn no_value_differs_from_a_value_even_zero() {
    let work = Workdir::new();
    work.write("expected.csv", "kpi,period,value\na,2026-10,\nb,2026-10,\n");
    work.write(
        "actual.json",
        r#"{"results": [{"kpi": "a", "period": "2026-10", "value": 0},
        {"kpi": "b", "period": "2026-10", "value": null}]}"#,
    );
    let out = work.run(&["diff", "expected.csv", "actual.json", "--tolerance", "1"]);
    out.expect_code(1);
    assert_eq!(
        out.stdout,
        "changed  a 2026-10: null → 0\n1 difference in 2 results (tolerance 1)\n"
    );
}

#[test]
fn a_malformed_results_file_is_a_data_error_naming_it() {
    let work = expected_then(DEALS, "csv");
    let csv = work.read("actual.csv");
    work.write("actual.csv", csv.replacen(",1350,", ",lots,", 1));
    let out = work.run(&["diff", "expected.json", "actual.csv"]);
    expect_error(
        &out,
        4,
        &["invalid results file actual.csv", "line 2: value `lots`"],
    );

    work.write(
        "actual.json",
        "{\"results\": [\n  {\"kpi\": \"revenue\"}\n]}\n",
    );
    let out = diff(&work, &[]);
    expect_error(
        &out,
        4,
        &[
            "invalid results file actual.json",
            "missing field `period` at line 2",
        ],
    );

    // The default table format is not a results file.
    work.run(&[
        "run",
        "--as-of",
        "2026-11-22",
        "--no-archive",
        "-o",
        "table.txt",
    ]);
    let out = work.run(&["diff", "table.txt", "expected.json"]);
    expect_error(
        &out,
        4,
        &[
            "invalid results file table.txt",
            "missing column kpi",
            "--format json",
        ],
    );
}

#[test]
fn two_results_with_the_same_key_are_a_data_error() {
    let work = Workdir::new();
    work.write(
        "expected.csv",
        "kpi,period,dimensions,value\na,2026,r=x,1\na,2026,r=y,2\na,2026,r=x,3\n",
    );
    let out = work.run(&["diff", "expected.csv", "expected.csv"]);
    expect_error(
        &out,
        4,
        &[
            "expected.csv",
            "two results for a 2026 r=x (line 2 and line 4)",
        ],
    );
}

#[test]
fn a_missing_results_file_is_a_data_error() {
    let work = expected_then(DEALS, "json");
    let out = work.run(&["diff", "expected.json", "nowhere.json"]);
    expect_error(&out, 4, &["cannot read results file nowhere.json"]);
}

#[test]
fn a_tolerance_that_is_not_a_number_of_0_or_more_is_a_usage_error() {
    let work = expected_then(DEALS, "json");
    for tolerance in [
        "--tolerance=-0.1",
        "--tolerance=NaN",
        "--tolerance=inf",
        "--tolerance=lots",
    ] {
        let out = diff(&work, &[tolerance]);
        expect_error(&out, 2, &["tolerance"]);
    }
}
