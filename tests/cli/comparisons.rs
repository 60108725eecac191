//! Baselines (issue 16, "Comparisons and windows") checked against values computed by hand.
//!
//! The fixture has one row a day from 2024-01-01 to 2027-01-31 whose `amount` is the day's
//! number (1 for the first day): the sum over a stretch of days says which stretch it was, so
//! each expected value here comes from dates written out by hand in the test, never from the
//! calendar code under test. Windows, configuration errors, the archive and a check of
//! windows on the bundled example against DuckDB are in the submodules.

mod archive;
mod duckdb;
mod errors;
mod windows;

use crate::support::{Output, Workdir};
use chrono::NaiveDate;
use serde_json::Value;

/// The fixture's first day: `amount` 1.
const FIRST_DAY: &str = "2024-01-01";
/// The fixture's last day.
const LAST_DAY: &str = "2027-01-31";

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The day's number in the fixture (its `amount`).
fn day_number(day: NaiveDate) -> i64 {
    (day - date(FIRST_DAY)).num_days() + 1
}

/// The region of a day: `A` for even day numbers, `B` for odd ones.
fn region_of(number: i64) -> &'static str {
    if number % 2 == 0 {
        "A"
    } else {
        "B"
    }
}

/// `sum(amount)` over the days from `from` to `to` (both included) of `region` (or all).
fn sum_of_days(from: &str, to: &str, region: Option<&str>) -> f64 {
    let (from, to) = (day_number(date(from)), day_number(date(to)));
    assert!(from >= 1 && to >= from, "{from}..{to} outside the fixture");
    let total: i64 = (from..=to)
        .filter(|n| region.is_none_or(|r| region_of(*n) == r))
        .sum();
    total as f64
}

/// A work dir with `daily.csv` and a `kpis.toml` of `settings` lines and `kpis` tables.
fn daily(settings: &str, kpis: &str) -> Workdir {
    let work = Workdir::new();
    let mut csv = String::from("day,amount,region\n");
    let mut day = date(FIRST_DAY);
    while day <= date(LAST_DAY) {
        let n = day_number(day);
        csv.push_str(&format!("{day},{n},{}\n", region_of(n)));
        day = day.succ_opt().expect("next day");
    }
    work.write("daily.csv", csv);
    work.write("kpis.toml", config(settings, kpis));
    work
}

/// A configuration over `daily.csv`.
fn config(settings: &str, kpis: &str) -> String {
    format!(
        "[settings]\n{settings}\n\n[sources.daily]\npath = \"daily.csv\"\n\
         columns = {{ day = \"date\", amount = \"number\" }}\n\n{kpis}"
    )
}

/// One `sum(amount)` KPI `total` of this frequency, with extra keys (`compare = [...]`).
fn total(frequency: &str, extra: &str) -> String {
    format!(
        "[[kpi]]\nid = \"total\"\nsource = \"daily\"\ntime = \"day\"\nfrequency = \"{frequency}\"\n\
         formula = \"sum(amount)\"\n{extra}\n"
    )
}

/// `kpi ARGS` with `--as-of` and `--period`.
fn run_at(work: &Workdir, as_of: &str, period: &str, extra: &[&str]) -> Output {
    let mut args = vec!["run", "--as-of", as_of, "--period", period];
    args.extend_from_slice(extra);
    work.run(&args)
}

/// `kpi run --no-archive --format json`: the results.
fn run_results(work: &Workdir, as_of: &str, period: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["--no-archive", "--format", "json"];
    args.extend_from_slice(extra);
    let out = run_at(work, as_of, period, &args);
    out.expect_code(0);
    let json: Value = serde_json::from_str(&out.stdout).expect("json");
    json["results"].as_array().expect("results").clone()
}

/// The result of `kpi` for `dimensions` (`{}` for the overall value).
fn result_of<'a>(results: &'a [Value], kpi: &str, dimensions: &Value) -> &'a Value {
    results
        .iter()
        .find(|r| r["kpi"] == kpi && &r["dimensions"] == dimensions)
        .unwrap_or_else(|| panic!("no result for {kpi} {dimensions} in {results:#?}"))
}

/// The overall result of `total`.
fn overall(results: &[Value]) -> &Value {
    result_of(results, "total", &serde_json::json!({}))
}

/// What a result must show: its period label and the days its value covers.
struct Span<'a> {
    label: &'a str,
    from: &'a str,
    to: &'a str,
}

/// One baseline a result must show: its name, its period's label and the days it covers.
struct Expected<'a> {
    baseline: &'a str,
    span: Span<'a>,
}

fn span<'a>(label: &'a str, from: &'a str, to: &'a str) -> Span<'a> {
    Span { label, from, to }
}

fn baseline<'a>(name: &'a str, label: &'a str, from: &'a str, to: &'a str) -> Expected<'a> {
    Expected {
        baseline: name,
        span: span(label, from, to),
    }
}

/// Asserts a result's period, dates, value, and each baseline's period, value and delta, for
/// the days of `region` (or all). The first baseline also fills `previous_*`.
fn assert_result(result: &Value, current: Span, baselines: &[Expected], region: Option<&str>) {
    let place = format!("{} {}", result["period"], result["dimensions"]);
    assert_eq!(result["period"], current.label, "{place}");
    assert_eq!(result["period_start"], current.from, "{place}: start");
    assert_eq!(result["period_end"], current.to, "{place}: end");
    let value = sum_of_days(current.from, current.to, region);
    assert_eq!(result["value"].as_f64(), Some(value), "{place}: value");
    let comparisons = result["comparisons"].as_array().expect("comparisons");
    let names: Vec<&str> = baselines.iter().map(|b| b.baseline).collect();
    let got: Vec<&str> = comparisons
        .iter()
        .filter_map(|c| c["baseline"].as_str())
        .collect();
    assert_eq!(got, names, "{place}: baselines in the configured order");
    for (expected, comparison) in baselines.iter().zip(comparisons) {
        let what = format!("{place} {}", expected.baseline);
        let before = sum_of_days(expected.span.from, expected.span.to, region);
        assert_eq!(comparison["period"], expected.span.label, "{what}: period");
        assert_eq!(comparison["value"].as_f64(), Some(before), "{what}: value");
        assert_eq!(comparison["delta"].as_f64(), Some(value - before), "{what}");
        assert_eq!(comparison["comparable"], true, "{what}: comparable");
    }
    if let Some(first) = baselines.first() {
        assert_eq!(result["previous_period"], first.span.label, "{place}");
        let before = sum_of_days(first.span.from, first.span.to, region);
        assert_eq!(result["previous_value"].as_f64(), Some(before), "{place}");
    }
}

const ALL_THREE: &str = "compare = [\"previous\", \"year_ago\", \"4_periods_ago\"]";

#[test]
fn iso_weeks_compare_with_the_same_week_number_a_year_before() {
    let work = daily("", &total("week", ALL_THREE));
    let results = run_results(&work, "2026-03-10", "2026-W10", &[]);
    assert_result(
        overall(&results),
        span("2026-W10", "2026-03-02", "2026-03-08"),
        &[
            baseline("previous", "2026-W09", "2026-02-23", "2026-03-01"),
            baseline("year_ago", "2025-W10", "2025-03-03", "2025-03-09"),
            baseline("4_periods_ago", "2026-W06", "2026-02-02", "2026-02-08"),
        ],
        None,
    );
}

/// 2026 has an ISO week 53 and 2025 does not: week 53 is compared with 2025's last week, 52.
#[test]
fn a_53rd_week_is_compared_with_the_last_week_of_the_year_before() {
    let work = daily("", &total("week", ALL_THREE));
    let results = run_results(&work, "2027-01-05", "2026-W53", &[]);
    assert_result(
        overall(&results),
        span("2026-W53", "2026-12-28", "2027-01-03"),
        &[
            baseline("previous", "2026-W52", "2026-12-21", "2026-12-27"),
            baseline("year_ago", "2025-W52", "2025-12-22", "2025-12-28"),
            baseline("4_periods_ago", "2026-W49", "2026-11-30", "2026-12-06"),
        ],
        None,
    );
    // The week after: 2027-W01 a year ago is 2026-W01, not the week 53 before it.
    let results = run_results(&work, "2027-01-12", "2027-W01", &[]);
    assert_result(
        overall(&results),
        span("2027-W01", "2027-01-04", "2027-01-10"),
        &[
            baseline("previous", "2026-W53", "2026-12-28", "2027-01-03"),
            baseline("year_ago", "2026-W01", "2025-12-29", "2026-01-04"),
            baseline("4_periods_ago", "2026-W50", "2026-12-07", "2026-12-13"),
        ],
        None,
    );
}

#[test]
fn sunday_weeks_compare_with_the_sunday_week_of_the_same_number() {
    let work = daily("week_start = \"sunday\"", &total("week", ALL_THREE));
    let results = run_results(&work, "2026-12-01", "2026-W48S", &[]);
    assert_result(
        overall(&results),
        span("2026-W48S", "2026-11-22", "2026-11-28"),
        &[
            baseline("previous", "2026-W47S", "2026-11-15", "2026-11-21"),
            baseline("year_ago", "2025-W48S", "2025-11-23", "2025-11-29"),
            baseline("4_periods_ago", "2026-W44S", "2026-10-25", "2026-10-31"),
        ],
        None,
    );
    let results = run_results(&work, "2027-01-05", "2026-W53S", &[]);
    assert_result(
        overall(&results),
        span("2026-W53S", "2026-12-27", "2027-01-02"),
        &[
            baseline("previous", "2026-W52S", "2026-12-20", "2026-12-26"),
            baseline("year_ago", "2025-W52S", "2025-12-21", "2025-12-27"),
            baseline("4_periods_ago", "2026-W49S", "2026-11-29", "2026-12-05"),
        ],
        None,
    );
}

#[test]
fn fiscal_quarters_and_years_compare_with_the_fiscal_period_a_year_before() {
    let kpis = format!(
        "{}{}",
        total("quarter", ALL_THREE),
        total("year", "compare = [\"year_ago\", \"previous\"]").replace("\"total\"", "\"yearly\"")
    );
    let work = daily("fiscal_year_start = 4", &kpis);
    let results = run_results(&work, "2026-07-15", "FY2027-Q1", &["--kpi", "total"]);
    assert_result(
        overall(&results),
        span("FY2027-Q1", "2026-04-01", "2026-06-30"),
        &[
            baseline("previous", "FY2026-Q4", "2026-01-01", "2026-03-31"),
            baseline("year_ago", "FY2026-Q1", "2025-04-01", "2025-06-30"),
            baseline("4_periods_ago", "FY2026-Q1", "2025-04-01", "2025-06-30"),
        ],
        None,
    );
    let results = run_results(&work, "2026-05-01", "FY2026", &["--kpi", "yearly"]);
    let yearly = result_of(&results, "yearly", &serde_json::json!({}));
    assert_result(
        yearly,
        span("FY2026", "2025-04-01", "2026-03-31"),
        &[
            baseline("year_ago", "FY2025", "2024-04-01", "2025-03-31"),
            baseline("previous", "FY2025", "2024-04-01", "2025-03-31"),
        ],
        None,
    );
}

/// A day a year ago is 364 days earlier: the same weekday (both Sundays here).
#[test]
fn days_compare_with_the_same_weekday_364_days_before() {
    let compare = "compare = [\"previous\", \"year_ago\", \"7_periods_ago\"]";
    let work = daily("", &total("day", compare));
    let results = run_results(&work, "2026-11-23", "2026-11-22", &[]);
    assert_result(
        overall(&results),
        span("2026-11-22", "2026-11-22", "2026-11-22"),
        &[
            baseline("previous", "2026-11-21", "2026-11-21", "2026-11-21"),
            baseline("year_ago", "2025-11-23", "2025-11-23", "2025-11-23"),
            baseline("7_periods_ago", "2026-11-15", "2026-11-15", "2026-11-15"),
        ],
        None,
    );
}

/// `--period current`: November 1–22 against October 1–22 and November 1–22 a year before.
#[test]
fn a_period_to_date_is_compared_with_the_same_elapsed_part_of_each_baseline() {
    let compare = "compare = [\"previous\", \"year_ago\", \"12_periods_ago\"]";
    let work = daily("", &total("month", compare));
    let results = run_results(&work, "2026-11-22", "current", &[]);
    assert_result(
        overall(&results),
        span("2026-11", "2026-11-01", "2026-11-22"),
        &[
            baseline("previous", "2026-10", "2026-10-01", "2026-10-22"),
            baseline("year_ago", "2025-11", "2025-11-01", "2025-11-22"),
            baseline("12_periods_ago", "2025-11", "2025-11-01", "2025-11-22"),
        ],
        None,
    );
    // A week to date (Monday to Thursday) against the same four days of each week.
    let work = daily("", &total("week", ALL_THREE));
    let results = run_results(&work, "2026-11-19", "current", &[]);
    assert_result(
        overall(&results),
        span("2026-W47", "2026-11-16", "2026-11-19"),
        &[
            baseline("previous", "2026-W46", "2026-11-09", "2026-11-12"),
            baseline("year_ago", "2025-W47", "2025-11-17", "2025-11-20"),
            baseline("4_periods_ago", "2026-W43", "2026-10-19", "2026-10-22"),
        ],
        None,
    );
}

/// `--compare` replaces every KPI's list for one run, in the order given.
#[test]
fn the_compare_flag_overrides_the_configured_baselines() {
    let work = daily("", &total("month", ""));
    let args = ["--compare", "year_ago", "--compare", "2_periods_ago"];
    let results = run_results(&work, "2026-11-15", "previous", &args);
    assert_result(
        overall(&results),
        span("2026-10", "2026-10-01", "2026-10-31"),
        &[
            baseline("year_ago", "2025-10", "2025-10-01", "2025-10-31"),
            baseline("2_periods_ago", "2026-08", "2026-08-01", "2026-08-31"),
        ],
        None,
    );
    // Without the flag: settings.compare, else previous alone.
    let results = run_results(&work, "2026-11-15", "previous", &[]);
    let previous = [baseline("previous", "2026-09", "2026-09-01", "2026-09-30")];
    let october = || span("2026-10", "2026-10-01", "2026-10-31");
    assert_result(overall(&results), october(), &previous, None);
    let work = daily("compare = [\"year_ago\"]", &total("month", ""));
    let results = run_results(&work, "2026-11-15", "previous", &[]);
    let year_ago = [baseline("year_ago", "2025-10", "2025-10-01", "2025-10-31")];
    assert_result(overall(&results), october(), &year_ago, None);
}

/// A baseline before the data has no value: null, not 0, and no delta.
#[test]
fn a_baseline_before_the_data_has_no_value() {
    let work = daily(
        "",
        &total("month", "compare = [\"previous\", \"year_ago\"]"),
    );
    let results = run_results(&work, "2024-03-15", "previous", &[]);
    let result = overall(&results);
    assert_eq!(
        result["value"].as_f64(),
        Some(sum_of_days("2024-02-01", "2024-02-29", None))
    );
    let year_ago = &result["comparisons"][1];
    assert_eq!(year_ago["period"], "2023-02");
    assert_eq!(year_ago["value"], Value::Null, "{result:#}");
    assert_eq!(year_ago["delta"], Value::Null);
}

/// Conditions judge each baseline's own delta: the fixture only grows, so every delta is
/// positive and a condition on a negative one never fires.
#[test]
fn conditions_judge_each_baselines_delta() {
    let compare = "compare = [\"previous\", \"year_ago\", \"4_periods_ago\"]";
    let fires = "warn = \"year_ago_delta > 0 AND \\\"4_periods_ago_delta_pct\\\" > 0\"";
    let work = daily("", &total("month", &format!("{compare}\n{fires}")));
    let results = run_results(&work, "2026-11-15", "previous", &[]);
    let result = overall(&results);
    assert_eq!(result["status"], "warn", "{result:#}");
    let expected = "year_ago_delta > 0 AND \"4_periods_ago_delta_pct\" > 0";
    assert_eq!(result["breach"], expected);
    let quiet = "warn = \"year_ago_delta_pct < 0 OR previous_delta < 0\"";
    let work = daily("", &total("month", &format!("{compare}\n{quiet}")));
    let results = run_results(&work, "2026-11-15", "previous", &[]);
    assert_eq!(overall(&results)["status"], "ok");
    // `kpi check` judges the same way.
    let work = daily(
        "",
        &total(
            "month",
            &format!("{compare}\nfail = \"year_ago_delta > 0\""),
        ),
    );
    work.run(&["check", "--as-of", "2026-11-15", "--no-archive"])
        .expect_code(1);
}
