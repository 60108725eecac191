//! Computed columns in `kpi sql`, checked in DuckDB and PostgreSQL like the plain query: over a
//! file's columns, a lookup's and each other, used in formulas, filters, `time` and dimensions
//! (`tests/warehouse/computed.toml`, on the bundled example's opportunities).

use super::postgres::Postgres;
use super::{check_periods, duckdb, load_tables};
use crate::support::{repo_root, Workdir};

const DATES: [(&str, &str); 2] = [("2026-11-22", "previous"), ("2026-11-22", "current")];

fn work() -> Workdir {
    let work = Workdir::new();
    work.copy_dir(&repo_root().join("examples"), "examples");
    let config = std::fs::read(repo_root().join("tests/warehouse/computed.toml")).expect("toml");
    work.write("computed.toml", config);
    work
}

#[test]
fn duckdb_computes_the_computed_columns_as_kpi_does() {
    let work = work();
    let run = |q: &str, out: &str| duckdb(&work, "run", q, out);
    let compared = check_periods(&work, "computed.toml", "duckdb", &DATES, &run);
    assert!(compared > 25, "{compared} results");
    // A computed column of another is inlined: segment_size reads deal_size's expression.
    let query = work.read("query.sql");
    assert!(
        query.contains("'large'") && query.contains("AS \"segment_size\""),
        "{query}"
    );
}

#[test]
fn postgres_computes_the_computed_columns_as_kpi_does() {
    let work = work();
    let server = Postgres::start();
    let config = load_tables(&work, &server, "computed.toml");
    let run = |q: &str, out: &str| {
        server.psql(work.path(), &["--csv", "-f", q, "-o", out]);
    };
    let compared = check_periods(&work, &config, "postgres", &DATES, &run);
    assert!(compared > 25, "{compared} results");
}
