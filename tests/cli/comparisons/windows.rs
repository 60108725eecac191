//! Windows and periods to date (`window`, `to_date`) checked against sums over dates written
//! out by hand: with baselines, breakdowns, `--period current`, fiscal years and `backfill`;
//! and `retention` beside a year-ago baseline, on a fixture small enough to count by eye.

use super::{
    assert_result, baseline, daily, overall, result_of, run_results, span, sum_of_days, total,
};
use crate::support::Workdir;
use serde_json::json;

const WITH_YEAR_AGO: &str = "compare = [\"previous\", \"year_ago\"]";

/// A trailing three months, compared with the three months before and the same three months a
/// year earlier.
#[test]
fn a_three_month_window_ends_with_the_period_and_its_baselines_too() {
    let extra = format!("{WITH_YEAR_AGO}\nwindow = \"3 months\"");
    let work = daily("", &total("month", &extra));
    let results = run_results(&work, "2026-11-15", "previous", &[]);
    assert_result(
        overall(&results),
        span("2026-10", "2026-08-01", "2026-10-31"),
        &[
            baseline("previous", "2026-09", "2026-07-01", "2026-09-30"),
            baseline("year_ago", "2025-10", "2025-08-01", "2025-10-31"),
        ],
        None,
    );
}

/// `28 days` and `4 weeks` on a weekly KPI are the same four weeks ending on Sunday.
#[test]
fn twenty_eight_days_and_four_weeks_cover_the_same_weeks() {
    for window in ["28 days", "4 weeks"] {
        let extra = format!("{WITH_YEAR_AGO}\nwindow = \"{window}\"");
        let work = daily("", &total("week", &extra));
        let results = run_results(&work, "2026-03-10", "2026-W10", &[]);
        assert_result(
            overall(&results),
            span("2026-W10", "2026-02-09", "2026-03-08"),
            &[
                baseline("previous", "2026-W09", "2026-02-02", "2026-03-01"),
                baseline("year_ago", "2025-W10", "2025-02-10", "2025-03-09"),
            ],
            None,
        );
    }
}

/// With `fiscal_year_start = 4`, April opens the year: April's year to date is April alone,
/// March's is the twelve months from the April before.
#[test]
fn year_to_date_starts_again_at_the_fiscal_year_start() {
    let extra = format!("{WITH_YEAR_AGO}\nto_date = \"year\"");
    let work = daily("fiscal_year_start = 4", &total("month", &extra));
    let results = run_results(&work, "2026-05-10", "2026-04", &[]);
    assert_result(
        overall(&results),
        span("2026-04", "2026-04-01", "2026-04-30"),
        &[
            baseline("previous", "2026-03", "2025-04-01", "2026-03-31"),
            baseline("year_ago", "2025-04", "2025-04-01", "2025-04-30"),
        ],
        None,
    );
    let results = run_results(&work, "2026-04-10", "2026-03", &[]);
    assert_result(
        overall(&results),
        span("2026-03", "2025-04-01", "2026-03-31"),
        &[
            baseline("previous", "2026-02", "2025-04-01", "2026-02-28"),
            baseline("year_ago", "2025-03", "2024-04-01", "2025-03-31"),
        ],
        None,
    );
    // The calendar year, without a fiscal start: January opens it.
    let work = daily("", &total("month", &extra));
    let results = run_results(&work, "2026-11-15", "previous", &[]);
    assert_result(
        overall(&results),
        span("2026-10", "2026-01-01", "2026-10-31"),
        &[
            baseline("previous", "2026-09", "2026-01-01", "2026-09-30"),
            baseline("year_ago", "2025-10", "2025-01-01", "2025-10-31"),
        ],
        None,
    );
}

/// A weekly KPI to date of the quarter starts on the first day of the quarter that holds the
/// week's last day; a week that straddles the quarter's start is kept whole.
#[test]
fn quarter_to_date_on_a_weekly_kpi() {
    let extra = "to_date = \"quarter\"";
    let work = daily("", &total("week", extra));
    let results = run_results(&work, "2026-04-14", "2026-W15", &[]);
    assert_result(
        overall(&results),
        span("2026-W15", "2026-04-01", "2026-04-12"),
        &[baseline("previous", "2026-W14", "2026-03-30", "2026-04-05")],
        None,
    );
    let results = run_results(&work, "2026-03-31", "2026-W13", &[]);
    assert_result(
        overall(&results),
        span("2026-W13", "2026-01-01", "2026-03-29"),
        &[baseline("previous", "2026-W12", "2026-01-01", "2026-03-22")],
        None,
    );
}

/// Each region's window holds that region's days alone.
#[test]
fn a_window_breaks_down_like_the_period() {
    let extra = format!("{WITH_YEAR_AGO}\nwindow = \"3 months\"\ndimensions = [\"region\"]");
    let work = daily("", &total("month", &extra));
    let results = run_results(&work, "2026-11-15", "previous", &[]);
    for region in ["A", "B"] {
        assert_result(
            result_of(&results, "total", &json!({ "region": region })),
            span("2026-10", "2026-08-01", "2026-10-31"),
            &[
                baseline("previous", "2026-09", "2026-07-01", "2026-09-30"),
                baseline("year_ago", "2025-10", "2025-08-01", "2025-10-31"),
            ],
            Some(region),
        );
    }
}

/// To date, a window keeps its whole-period start and ends on as-of; each baseline covers the
/// same stretch, shifted.
#[test]
fn a_window_to_date_is_compared_with_the_same_stretch_of_each_baseline() {
    let extra = format!("{WITH_YEAR_AGO}\nwindow = \"3 months\"");
    let work = daily("", &total("month", &extra));
    let results = run_results(&work, "2026-11-22", "current", &[]);
    assert_result(
        overall(&results),
        span("2026-11", "2026-09-01", "2026-11-22"),
        &[
            baseline("previous", "2026-10", "2026-08-01", "2026-10-22"),
            baseline("year_ago", "2025-11", "2025-09-01", "2025-11-22"),
        ],
        None,
    );
}

/// `kpi backfill` records every month's own window.
#[test]
fn backfill_records_each_periods_window() {
    let work = daily("", &total("month", "window = \"3 months\""));
    let out = work.run(&[
        "backfill",
        "--as-of",
        "2026-07-01",
        "--from",
        "2026-01-01",
        "--to",
        "2026-06-30",
    ]);
    out.expect_code(0);
    let archived = archived_values(&work, "total");
    let expected = [
        ("2026-01", "2025-11-01", "2026-01-31"),
        ("2026-02", "2025-12-01", "2026-02-28"),
        ("2026-03", "2026-01-01", "2026-03-31"),
        ("2026-04", "2026-02-01", "2026-04-30"),
        ("2026-05", "2026-03-01", "2026-05-31"),
        ("2026-06", "2026-04-01", "2026-06-30"),
    ];
    let want: Vec<(String, f64)> = expected
        .iter()
        .map(|(label, from, to)| (label.to_string(), sum_of_days(from, to, None)))
        .collect();
    assert_eq!(archived, want);
}

/// The overall values a KPI's archive file holds, by period, as numbers.
fn archived_values(work: &Workdir, kpi: &str) -> Vec<(String, f64)> {
    let path = work.path().join(format!("kpi-archive/{kpi}.csv"));
    let mut reader = csv::Reader::from_path(&path).expect("archive file");
    let header = reader.headers().expect("header").clone();
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (period, dimensions, value) = (column("period"), column("dimensions"), column("value"));
    let mut values: Vec<(String, f64)> = reader
        .records()
        .map(|r| r.expect("record"))
        .filter(|r| r[dimensions].is_empty())
        .map(|r| (r[period].to_string(), r[value].parse().expect("number")))
        .collect();
    values.sort_by(|a, b| a.0.cmp(&b.0));
    values
}

/// Customers by month, few enough to count: October 2026 keeps 3 of September's 4 customers
/// (0.75); October 2025 kept 1 of September 2025's 2 (0.5); September 2026 kept August's one.
#[test]
fn retention_beside_a_year_ago_baseline() {
    let work = Workdir::new();
    let orders = [
        ("2025-09-03", "a"),
        ("2025-09-20", "b"),
        ("2025-10-02", "a"),
        ("2025-10-09", "c"),
        ("2026-08-10", "d"),
        ("2026-09-01", "a"),
        ("2026-09-02", "b"),
        ("2026-09-05", "c"),
        ("2026-09-30", "d"),
        ("2026-10-01", "a"),
        ("2026-10-15", "b"),
        ("2026-10-31", "c"),
        ("2026-10-31", "e"),
    ];
    let mut csv = String::from("ordered_at,customer\n");
    for (day, customer) in orders {
        csv.push_str(&format!("{day},{customer}\n"));
    }
    work.write("orders.csv", csv);
    work.write(
        "kpis.toml",
        "[sources.orders]\npath = \"orders.csv\"\n\n[[kpi]]\nid = \"retention\"\n\
         source = \"orders\"\ntime = \"ordered_at\"\nformula = \"retention(customer)\"\n\
         compare = [\"previous\", \"year_ago\"]\n",
    );
    let results = run_results(&work, "2026-11-15", "previous", &[]);
    let result = result_of(&results, "retention", &json!({}));
    assert_eq!(result["value"].as_f64(), Some(0.75), "{result:#}");
    let comparisons = &result["comparisons"];
    assert_eq!(comparisons[0]["period"], "2026-09");
    assert_eq!(comparisons[0]["value"].as_f64(), Some(1.0), "{result:#}");
    assert_eq!(comparisons[1]["period"], "2025-10");
    assert_eq!(comparisons[1]["value"].as_f64(), Some(0.5), "{result:#}");
    assert_eq!(comparisons[1]["delta"].as_f64(), Some(0.25));
}
