//! `kpi backfill` records exactly what period-by-period runs record, in one command; and what
//! it leaves out (incomplete periods, periods the data does not reach, snapshots).

use crate::support::{repo_root, Workdir};
use std::collections::BTreeMap;

/// The repository's example, whose monthly KPIs cover sources, breakdowns, lookups, a key,
/// derived KPIs and retention (which needs the period before each one).
fn example() -> Workdir {
    let work = Workdir::new();
    std::fs::copy(repo_root().join("kpis.toml"), work.path().join("kpis.toml")).expect("copy");
    work.copy_dir(&repo_root().join("examples"), "examples");
    work
}

const MONTHLY: [&str; 15] = [
    "win_rate",
    "sales_cycle_days",
    "revenue_won",
    "won_accounts",
    "revenue_per_customer",
    "lead_conversion_rate",
    "email_open_rate",
    "click_rate",
    "marketing_conversion",
    "nps",
    "csat_avg",
    "customer_retention",
    "churn_rate",
    "on_time_delivery",
    "ticket_resolution_hours",
];

/// Every archive file of the folder, without the `recorded_at` column (the time of the run):
/// file name → lines.
fn archive_without_times(work: &Workdir, folder: &str) -> BTreeMap<String, Vec<String>> {
    let mut files = BTreeMap::new();
    let dir = work.path().join(folder);
    for entry in std::fs::read_dir(&dir).expect("archive folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let mut reader = csv::Reader::from_path(&path).expect("archive file");
        let header = reader.headers().expect("header").clone();
        let at = header
            .iter()
            .position(|h| h == "recorded_at")
            .expect("recorded_at");
        let lines = reader
            .records()
            .map(|r| {
                let r = r.expect("record");
                let fields: Vec<&str> = r
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != at)
                    .map(|(_, f)| f)
                    .collect();
                fields.join("|")
            })
            .collect();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        files.insert(name, lines);
    }
    files
}

fn with_kpis<'a>(mut args: Vec<&'a str>, kpis: &[&'a str]) -> Vec<&'a str> {
    for kpi in kpis {
        args.extend(["--kpi", kpi]);
    }
    args
}

#[test]
fn backfill_records_what_period_by_period_runs_record() {
    let backfilled = example();
    let args = vec!["backfill", "--from", "2025-06-15", "--to", "2026-10-31"];
    let mut args = with_kpis(args, &MONTHLY);
    args.extend(["--as-of", "2026-11-22"]);
    let out = backfilled.run(&args);
    out.expect_code(0);
    assert!(
        out.stdout
            .contains("win_rate: 17 period(s), 2025-06 to 2026-10, "),
        "{}",
        out.stdout
    );

    let by_runs = example();
    let months: Vec<String> = (6..=12)
        .map(|m| format!("2025-{m:02}"))
        .chain((1..=10).map(|m| format!("2026-{m:02}")))
        .collect();
    for month in &months {
        let args = vec![
            "run",
            "--as-of",
            "2026-11-22",
            "--period",
            month,
            "--format",
            "csv",
        ];
        by_runs.run(&with_kpis(args, &MONTHLY)).expect_code(0);
    }
    let expected = archive_without_times(&by_runs, "kpi-archive");
    let found = archive_without_times(&backfilled, "kpi-archive");
    assert_eq!(
        found.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (file, lines) in &expected {
        assert!(lines.len() >= 17, "{file}: {} lines", lines.len());
        assert_eq!(&found[file], lines, "{file}");
    }
}

#[test]
fn backfill_leaves_out_incomplete_and_uncovered_periods_and_snapshots() {
    let work = Workdir::new();
    work.write(
        "deals.csv",
        "id,closed_at,amount\n1,2026-03-30,10\n2,2026-04-02,20\n3,2026-04-06,5\n4,2026-04-14,7\n",
    );
    work.write(
        "kpis.toml",
        "[sources.deals]\npath = \"deals.csv\"\n\n\
         [[kpi]]\nid = \"weekly_amount\"\nsource = \"deals\"\ntime = \"closed_at\"\nfrequency = \"week\"\nformula = \"sum(amount)\"\n\n\
         [[kpi]]\nid = \"deals_open\"\nsource = \"deals\"\nformula = \"count(*)\"\n",
    );
    // Weeks 2026-W10 … W16; the data runs from Monday 30 March (W14) to Tuesday 14 April
    // (W16), and W16 is not complete on Wednesday 15 April.
    let out = work.run(&["backfill", "--from", "2026-03-01", "--as-of", "2026-04-15"]);
    out.expect_code(0);
    assert_eq!(
        out.stdout,
        "weekly_amount: 2 period(s), 2026-W14 to 2026-W15, 2 value(s) recorded\n"
    );
    assert!(
        out.stderr.contains("not backfilled: deals_open"),
        "{}",
        out.stderr
    );
    let file = work.read("kpi-archive/weekly_amount.csv");
    let values: Vec<&str> = file
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(5).unwrap_or_default())
        .collect();
    assert_eq!(values, ["30", "5"], "{file}");
    assert!(!work.exists("kpi-archive/deals_open.csv"));

    // A second backfill of the same range changes nothing and restates nothing.
    let again = work.run(&["backfill", "--from", "2026-03-01", "--as-of", "2026-04-15"]);
    again.expect_code(0);
    assert!(!again.stderr.contains("restated"), "{}", again.stderr);

    // Late data for a backfilled week is a restatement.
    work.write(
        "deals.csv",
        "id,closed_at,amount\n1,2026-03-30,10\n2,2026-04-02,20\n3,2026-04-06,5\n4,2026-04-14,7\n5,2026-04-01,1\n",
    );
    let late = work.run(&["backfill", "--from", "2026-03-01", "--as-of", "2026-04-15"]);
    late.expect_code(0);
    assert!(
        late.stderr
            .contains("restated weekly_amount for 2026-W14: 30 → 31"),
        "{}",
        late.stderr
    );
}

#[test]
fn backfill_refuses_a_range_that_ends_before_it_starts() {
    let work = example();
    let out = work.run(&["backfill", "--from", "2026-05-01", "--to", "2026-04-01"]);
    out.expect_code(2);
    assert!(out
        .stderr
        .contains("--from 2026-05-01 is after --to 2026-04-01"));
    assert!(!work.exists("kpi-archive"));
}
