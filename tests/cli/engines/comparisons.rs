//! `kpi sql` with baselines and windows, checked in DuckDB and PostgreSQL like the plain query:
//! the bundled example compared with the period before, a year ago and two periods ago
//! (`settings.compare`, so every KPI has them, `retention` and daily and weekly KPIs included),
//! plus KPIs over trailing windows and to date, whose windows overlap in one run.

use super::postgres::Postgres;
use super::{check_periods, duckdb, example, load_tables};
use crate::support::Workdir;

/// The baselines every KPI gets (`[settings]`), and the extra KPIs with a `window` or a
/// `to_date` (shared with scripts/verify_spark.py).
const COMPARE: &str = "compare = [\"previous\", \"year_ago\", \"2_periods_ago\"]";
const WINDOWED: &str = include_str!("../../warehouse/comparisons.toml");

/// The dates: a whole month, a month to date, and March 30 to date, when the base of
/// `retention` for `previous` (all of February, so all of January) and `2_periods_ago`
/// (January 1–30) are two stretches of one month.
const DATES: [(&str, &str); 3] = [
    ("2026-11-22", "previous"),
    ("2026-11-22", "current"),
    ("2026-03-30", "current"),
];

fn compared_example() -> Workdir {
    let work = example();
    let config = work.read("kpis.toml");
    let changed = config.replacen("[settings]\n", &format!("[settings]\n{COMPARE}\n"), 1);
    assert_ne!(config, changed);
    work.write("kpis.toml", changed + WINDOWED);
    work
}

#[test]
fn duckdb_gives_kpis_values_with_baselines_and_windows() {
    let work = compared_example();
    let run = |q: &str, out: &str| duckdb(&work, "run", q, out);
    let compared = check_periods(&work, "kpis.toml", "duckdb", &DATES, &run);
    assert!(compared > 300, "{compared} results");
    // The windows overlap, so a row is joined with each window it is in.
    assert!(work.read("query.sql").contains("CROSS JOIN"));
}

#[test]
fn postgres_gives_kpis_values_with_baselines_and_windows() {
    let work = compared_example();
    let server = Postgres::start();
    let config = load_tables(&work, &server, "kpis.toml");
    let run = |q: &str, out: &str| {
        server.psql(work.path(), &["--csv", "-f", q, "-o", out]);
    };
    let compared = check_periods(&work, &config, "postgres", &DATES, &run);
    assert!(compared > 300, "{compared} results");
}

/// To date on March 30, `2_periods_ago` is January 1–30, and the base of `retention` for
/// `previous` (all of February) is all of January: two stretches of one month, kept apart in
/// the query (a customer seen on January 31 only is in the second, not the first).
#[test]
fn duckdb_keeps_two_stretches_of_one_month_apart_for_retention() {
    let work = Workdir::new();
    work.write(
        "subs.csv",
        "customer,day\nA,2025-12-05\nB,2025-12-10\nC,2025-12-31\nA,2026-01-03\nB,2026-01-31\n\
         D,2026-01-15\nA,2026-02-02\nB,2026-02-20\nD,2026-02-10\nA,2026-03-01\nD,2026-03-05\n",
    );
    work.write(
        "kpis.toml",
        "[settings]\nfrequency = \"month\"\ncompare = [\"2_periods_ago\", \"previous\"]\n\n\
         [sources.subs]\npath = \"subs.csv\"\ncolumns = { day = \"date\" }\n\n\
         [[kpi]]\nid = \"retention\"\nsource = \"subs\"\ntime = \"day\"\n\
         formula = \"retention(customer)\"\n",
    );
    let run = |q: &str, out: &str| duckdb(&work, "run", q, out);
    let dates = [("2026-03-30", "current")];
    assert_eq!(check_periods(&work, "kpis.toml", "duckdb", &dates, &run), 1);
    // January 1–30 ({A, D}) against December 1–30 ({A, B}), by hand.
    let results = work.read("results.csv");
    assert!(
        results.contains("retention,2026-01,\"\",0.5,2,"),
        "{results}"
    );
}
