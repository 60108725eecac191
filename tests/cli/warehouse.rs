//! `kpi run --results FILE`: values computed elsewhere (a warehouse running `kpi sql`'s query,
//! exported as CSV) carry on as a normal run. A results file has the columns kpi, period,
//! dimensions, value and rows (and optionally parts) — the archive's KPI files have them all,
//! so the archive of a backfill is a faithful stand-in for a warehouse's answer.

use crate::support::{repo_root, Output, Workdir};

/// The monthly source KPIs of the bundled example (and a derived one made of two of them).
const KPIS: [&str; 5] = [
    "win_rate",
    "sales_cycle_days",
    "revenue_won",
    "won_accounts",
    "revenue_per_customer",
];

fn example() -> Workdir {
    let work = Workdir::new();
    work.copy_dir(&repo_root().join("examples"), "examples");
    work.write(
        "kpis.toml",
        std::fs::read_to_string(repo_root().join("kpis.toml")).expect("kpis.toml"),
    );
    work
}

fn run_json(work: &Workdir, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "run",
        "--as-of",
        "2026-11-22",
        "--no-archive",
        "--format",
        "json",
    ];
    for kpi in KPIS {
        args.extend(["--kpi", kpi]);
    }
    args.extend_from_slice(extra);
    let out = work.run(&args);
    out.expect_code(0);
    let mut json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    json.as_object_mut().expect("object").remove("generated_at");
    json
}

/// The archive's files of the source KPIs, one after the other under one header.
fn results_from_archive(work: &Workdir) -> String {
    let mut text = String::new();
    for kpi in &KPIS[..4] {
        let file = work.read(&format!("kpi-archive/{kpi}.csv"));
        let mut lines = file.lines();
        let header = lines.next().expect("header");
        if text.is_empty() {
            text.push_str(header);
            text.push('\n');
        }
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}

#[test]
fn a_run_from_results_equals_the_run_from_the_sources() {
    let warehouse = example();
    warehouse
        .run(&["backfill", "--from", "2026-01-01", "--as-of", "2026-11-22"])
        .expect_code(0);
    let results = results_from_archive(&warehouse);

    let expected = run_json(&example(), &[]);
    let work = example();
    work.write("results.csv", results);
    // The sources are not read: remove them.
    std::fs::remove_dir_all(work.path().join("examples/data")).expect("remove data");
    let got = run_json(&work, &["--results", "results.csv"]);
    let (got, expected) = (&got["results"], &expected["results"]);
    let (got, expected) = (got.as_array().unwrap(), expected.as_array().unwrap());
    for (g, e) in got.iter().zip(expected) {
        assert_eq!(g, e, "first result that differs");
    }
    assert_eq!(got.len(), expected.len());
}

#[test]
fn a_results_file_without_a_kpi_or_a_column_is_a_data_error() {
    let work = example();
    let run = |results: &str| {
        work.write("results.csv", results);
        work.run(&[
            "run",
            "--as-of",
            "2026-11-22",
            "--no-archive",
            "--kpi",
            "revenue_won",
            "--results",
            "results.csv",
        ])
    };
    let out = run("kpi,period,dimensions,value,rows\nwin_rate,2026-10,,0.5,10\n");
    expect(&out, 4, "results.csv: no row for kpi `revenue_won`");
    let out = run("kpi,period,value\nrevenue_won,2026-10,5\n");
    expect(&out, 4, "results.csv: no column `dimensions`");
    let out = run("kpi,period,dimensions,value,rows\nrevenue_won,2026-10,,lots,3\n");
    expect(&out, 4, "results.csv:2: value `lots` is not a number");
    work.run(&["run", "--results", "results.csv", "--by", "region"])
        .expect_code(2);
}

fn expect(out: &Output, code: i32, fragment: &str) {
    out.expect_code(code);
    assert!(out.stderr.contains(fragment), "{}", out.stderr);
}
