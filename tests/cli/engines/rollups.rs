//! Rollup sources in `kpi sql` (a grouped subquery over the input's rows), checked in DuckDB
//! and PostgreSQL like the plain query: an event log after its filter, computed columns on the
//! log and on the rollup, a rollup of that rollup (`tests/warehouse/rollups.toml`); and, in
//! DuckDB reading the files, the columns that follow file order — `first`, `last` (with a
//! FILTER) and the ties of `arg_min`/`arg_max`, and a lookup from a source whose keys repeat
//! (`rollups_ordered.toml`). Lookups from sources: orders looking up a rollup of themselves.

use super::postgres::Postgres;
use super::{check_periods, duckdb, load_tables};
use crate::support::{repo_root, Workdir};

const DATES: [(&str, &str); 2] = [("2026-11-22", "previous"), ("2026-11-22", "current")];

fn work(files: &[&str]) -> Workdir {
    let work = Workdir::new();
    work.copy_dir(&repo_root().join("examples"), "examples");
    let config: String = files
        .iter()
        .map(|f| std::fs::read_to_string(repo_root().join("tests/warehouse").join(f)).expect(f))
        .collect();
    work.write("rollups.toml", config);
    work
}

#[test]
fn duckdb_builds_rollups_as_kpi_does() {
    let work = work(&["rollups.toml", "rollups_ordered.toml"]);
    let run = |q: &str, out: &str| duckdb(&work, "run", q, out);
    let compared = check_periods(&work, "rollups.toml", "duckdb", &DATES, &run);
    assert!(compared > 50, "{compared} results");
    let query = work.read("query.sql");
    assert!(query.contains("GROUP BY r.b0"), "{query}");
    assert!(
        query.contains("ORDER BY r.kpi_row DESC"),
        "last() follows file order"
    );
}

#[test]
fn postgres_builds_rollups_of_tables_as_kpi_does() {
    let work = work(&["rollups.toml"]);
    let server = Postgres::start();
    let config = load_tables(&work, &server, "rollups.toml");
    let run = |q: &str, out: &str| {
        server.psql(work.path(), &["--csv", "-f", q, "-o", out]);
    };
    let compared = check_periods(&work, &config, "postgres", &DATES, &run);
    assert!(compared > 15, "{compared} results");
}

#[test]
fn a_rollup_of_a_table_refuses_what_follows_file_order() {
    let work = work(&["rollups_ordered.toml"]);
    let config = work
        .read("rollups.toml")
        .replace("path = \"examples/data/lead_events.csv\"", "table = \"crm.lead_events\"\npath = \"nowhere/*.csv\"\ncolumns = { lead_id = \"string\", stage = \"string\", channel = \"string\", changed_at = \"datetime\" }");
    work.write("rollups.toml", config);
    let out = work.run(&[
        "-c",
        "rollups.toml",
        "sql",
        "--dialect",
        "postgres",
        "--as-of",
        "2026-11-22",
    ]);
    out.expect_code(3);
    assert!(
        out.stderr.contains(
            "follows the file order of source `lead_events`, and the table crm.lead_events has none"
        ),
        "{}",
        out.stderr
    );
    // A lookup from a table whose keys repeat: which row is last is not defined there either.
    work.write(
        "lookup.toml",
        r#"
[sources.lead_events]
path = "examples/data/lead_events.csv"

[sources.lead_events.lookup.before_won]
source = "lead_stages"
on = "lead_id"
columns = ["last_channel"]

[sources.lead_stages]
table = "crm.lead_stages"
path = "nowhere/*.csv"
columns = { lead_id = "string", last_channel = "string" }

[[kpi]]
id = "events"
source = "lead_events"
formula = "count(*)"
"#,
    );
    let out = work.run(&[
        "-c",
        "lookup.toml",
        "sql",
        "--dialect",
        "duckdb",
        "--as-of",
        "2026-11-22",
    ]);
    out.expect_code(3);
    assert!(
        out.stderr.contains("source `lead_events`: lookup `before_won` from source `lead_stages`: a key may be on several rows, of which kpi keeps the last in file order, and the table crm.lead_stages has none"),
        "{}",
        out.stderr
    );
}
