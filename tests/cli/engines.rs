//! `kpi sql` checked against real engines: the query runs in DuckDB (the Python package, in the
//! venv `scripts/test` makes) and in a PostgreSQL server started for the test; its result, read by
//! `kpi run --results`, must give the JSON of a run over the sources — the same results, rows,
//! statuses and significance, values equal to 12 significant digits (a warehouse adds doubles
//! in its own order; kpi adds them exactly).
//!
//! Data: the bundled example (its windows-1252 tickets file turned to UTF-8: DuckDB reads
//! windows-1252 only with an extension from the network) and `tests/warehouse/fixture`, messy
//! exports and every formula feature the compiler handles.

mod comparisons;
mod computed;
mod postgres;
mod rollups;
mod worked_examples;

use crate::support::{repo_root, Workdir};
use postgres::Postgres;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// The Python with DuckDB: $KPI_TEST_PYTHON, else target/warehouse-venv (made by `scripts/test`).
fn python() -> PathBuf {
    let path = std::env::var_os("KPI_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/warehouse-venv/bin/python"));
    assert!(
        path.exists(),
        "{} not found: run `scripts/test` (it makes target/warehouse-venv with DuckDB), or set \
         KPI_TEST_PYTHON to a Python that has the duckdb package",
        path.display()
    );
    path
}

/// Runs a query file in DuckDB; `table` also writes the column types (`engine.py`).
pub(crate) fn duckdb(work: &Workdir, mode: &str, query: &str, out: &str) {
    let status = Command::new(python())
        .current_dir(work.path())
        .arg(repo_root().join("tests/warehouse/engine.py"))
        .args([mode, query, out])
        .output()
        .expect("run python");
    assert!(
        status.status.success(),
        "DuckDB failed on {query}:\n{}\n--- query:\n{}",
        String::from_utf8_lossy(&status.stderr),
        work.read(query)
    );
}

/// The bundled example, with its tickets in UTF-8.
fn example() -> Workdir {
    let work = Workdir::new();
    work.copy_dir(&repo_root().join("examples"), "examples");
    let tickets = std::fs::read(repo_root().join("examples/data/tickets.csv")).expect("tickets");
    let (utf8, _, _) = encoding_rs::WINDOWS_1252.decode(&tickets);
    work.write("examples/data/tickets.csv", utf8.as_bytes());
    let config = std::fs::read_to_string(repo_root().join("kpis.toml")).expect("kpis.toml");
    let changed = config.replace("encoding = \"windows-1252\"", "encoding = \"utf-8\"");
    assert_ne!(config, changed, "the example's tickets are windows-1252");
    work.write("kpis.toml", changed);
    work
}

fn fixture() -> Workdir {
    let work = Workdir::new();
    work.copy_dir(&repo_root().join("tests/warehouse/fixture"), "");
    work
}

/// `kpi run --no-archive --format json` for these dates and extra arguments, without the
/// time of the run.
fn run_json(work: &Workdir, config: &str, as_of: &str, period: &str, extra: &[&str]) -> Value {
    let mut args = vec!["-c", config, "run", "--as-of", as_of, "--period", period];
    args.extend(["--no-archive", "--format", "json"]);
    args.extend_from_slice(extra);
    let out = work.run(&args);
    out.expect_code(0);
    let mut json: Value = serde_json::from_str(&out.stdout).expect("json");
    json.as_object_mut().expect("object").remove("generated_at");
    json
}

/// Asserts two runs' JSON are the same, numbers to a relative 1e-12.
fn assert_same(expected: &Value, got: &Value, place: &str) {
    match (expected, got) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            let close = (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-9);
            assert!(close, "{place}: {a} from the sources, {b} from SQL");
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{place}: lengths differ");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_same(x, y, &format!("{place}[{i}]"));
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            let keys = |o: &serde_json::Map<String, Value>| o.keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(a), keys(b), "{place}: fields differ");
            let label = |o: &serde_json::Map<String, Value>| {
                ["kpi", "period", "dimensions"]
                    .iter()
                    .filter_map(|k| o.get(*k).map(|v| v.to_string()))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            for (k, x) in a {
                assert_same(x, &b[k], &format!("{place} {} .{k}", label(a)));
            }
        }
        _ => assert_eq!(expected, got, "{place}"),
    }
}

/// The query of `kpi sql` run by `engine`, fed to `run --results`, equals the run over the
/// sources. Returns how many results were compared.
fn check_periods(
    work: &Workdir,
    config: &str,
    dialect: &str,
    dates: &[(&str, &str)],
    engine: &dyn Fn(&str, &str),
) -> usize {
    let mut compared = 0;
    for (as_of, period) in dates {
        let out = work.run(&[
            "-c",
            config,
            "sql",
            "--dialect",
            dialect,
            "--as-of",
            as_of,
            "--period",
            period,
            "-o",
            "query.sql",
        ]);
        out.expect_code(0);
        engine("query.sql", "results.csv");
        let mut expected = run_json(work, config, as_of, period, &[]);
        let got = run_json(work, config, as_of, period, &["--results", "results.csv"]);
        as_judged_without_dates(&mut expected, &got);
        as_empty_baselines_without_dates(&mut expected, &got, &work.read("results.csv"));
        assert_same(&expected, &got, &format!("{dialect} {as_of} {period}"));
        compared += expected["results"].as_array().map_or(0, Vec::len);
    }
    compared
}

/// A warehouse's results carry no dates, so only a run over the sources can tell that a period
/// lies beyond them (`stale`): there, the status and the reason are taken from `got`; the
/// values are still compared.
fn as_judged_without_dates(expected: &mut Value, got: &Value) {
    let (Some(expected), Some(got)) = (
        expected["results"].as_array_mut(),
        got["results"].as_array(),
    ) else {
        return;
    };
    for (e, g) in expected.iter_mut().zip(got) {
        if e["status"] == "stale" {
            e["status"] = g["status"].clone();
            e["breach"] = g["breach"].clone();
        }
    }
}

/// Nor can a warehouse tell a baseline period without rows inside the data (a count of 0) from
/// one before it (no value): its answer gives both an overall row of 0 rows, which `--results`
/// reads as no value (docs/warehouse.md). Where the answer has such a row, the baseline is
/// taken from `got`; every other baseline value is still compared.
fn as_empty_baselines_without_dates(expected: &mut Value, got: &Value, answer: &str) {
    let mut reader = csv::Reader::from_reader(answer.as_bytes());
    let empty: Vec<(String, String)> = reader
        .records()
        .flatten()
        .filter(|r| r.get(2) == Some("") && r.get(4) == Some("0"))
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    let (Some(expected), Some(got)) = (
        expected["results"].as_array_mut(),
        got["results"].as_array(),
    ) else {
        return;
    };
    for (e, g) in expected.iter_mut().zip(got) {
        if e["dimensions"] != serde_json::json!({}) {
            continue;
        }
        let kpi = e["kpi"].as_str().unwrap_or_default().to_string();
        let count = e["comparisons"].as_array().map_or(0, Vec::len);
        for i in 0..count {
            let period = e["comparisons"][i]["period"].as_str().unwrap_or_default();
            if !empty.contains(&(kpi.clone(), period.to_string())) {
                continue;
            }
            e["comparisons"][i] = g["comparisons"][i].clone();
            if i == 0 {
                for field in [
                    "previous_value",
                    "delta",
                    "delta_pct",
                    "comparable",
                    "significant",
                    "status",
                    "breach",
                ] {
                    e[field] = g[field].clone();
                }
            }
        }
    }
}

const EXAMPLE_DATES: [(&str, &str); 3] = [
    ("2026-11-22", "previous"),
    ("2026-11-22", "current"),
    ("2026-06-03", "previous"),
];
const FIXTURE_DATES: [(&str, &str); 3] = [
    ("2026-11-05", "previous"),
    ("2026-11-05", "current"),
    ("2026-10-12", "previous"),
];

#[test]
fn duckdb_gives_kpis_values_for_the_example() {
    let work = example();
    let run = |q: &str, out: &str| duckdb(&work, "run", q, out);
    let compared = check_periods(&work, "kpis.toml", "duckdb", &EXAMPLE_DATES, &run);
    assert!(compared > 250, "{compared} results");
}

#[test]
fn duckdb_reads_gzip_and_zstd_exports_itself() {
    let work = example();
    let mut config = work.read("kpis.toml");
    for (n, name) in ["opportunities", "accounts", "leads", "tickets", "orders"]
        .iter()
        .enumerate()
    {
        let plain = format!("examples/data/{name}.csv");
        let bytes = std::fs::read(work.path().join(&plain)).expect("example");
        let (packed, ending) = match n % 2 {
            0 => (crate::compressed::gzip(&bytes), "gz"),
            _ => (crate::compressed::zstd(&bytes), "zst"),
        };
        work.write(&format!("{plain}.{ending}"), packed);
        config = config.replace(&format!("{plain}\""), &format!("{plain}.{ending}\""));
    }
    work.write("packed.toml", config);
    let run = |q: &str, out: &str| duckdb(&work, "run", q, out);
    let compared = check_periods(&work, "packed.toml", "duckdb", &EXAMPLE_DATES[..1], &run);
    assert!(compared > 80, "{compared} results");
}

#[test]
fn duckdb_reads_messy_exports_as_kpi_does() {
    let work = fixture();
    let run = |q: &str, out: &str| duckdb(&work, "run", q, out);
    let compared = check_periods(&work, "kpis.toml", "duckdb", &FIXTURE_DATES, &run);
    assert!(compared > 150, "{compared} results");
}

/// Each source (but rollups) loaded into a PostgreSQL table as kpi reads it (`kpi sql --rows`, run in
/// DuckDB), and a configuration whose sources name those tables.
fn load_tables(work: &Workdir, server: &Postgres, config: &str) -> String {
    let text = work.read(config);
    let lines: Vec<&str> = text.lines().collect();
    let mut with_tables = String::new();
    for (i, line) in lines.iter().enumerate() {
        with_tables.push_str(line);
        with_tables.push('\n');
        let Some(name) = line
            .strip_prefix("[sources.")
            .and_then(|rest| rest.strip_suffix(']'))
            .filter(|name| !name.contains('.'))
        else {
            continue;
        };
        // A rollup is built from its input's table, in the query.
        let section = lines[i + 1..].iter().take_while(|l| !l.starts_with('['));
        if section.clone().any(|l| l.starts_with("rollup =")) {
            continue;
        }
        with_tables.push_str(&format!("table = \"{name}\"\n"));
        let rows = work.run(&["-c", config, "sql", "--dialect", "duckdb", "--rows", name]);
        rows.expect_code(0);
        work.write("rows.sql", &rows.stdout);
        duckdb(work, "table", "rows.sql", &format!("{name}.csv"));
        let columns: Vec<String> = work
            .read(&format!("{name}.csv.types"))
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(column, ty)| format!("\"{}\" {ty}", column.replace('"', "\"\"")))
            .collect();
        let create = format!("CREATE TABLE {name} ({})", columns.join(", "));
        server.psql(work.path(), &["-c", &create]);
        let copy = format!("\\copy {name} FROM '{name}.csv' CSV HEADER");
        server.psql(work.path(), &["-c", &copy]);
    }
    let name = format!("pg-{config}");
    work.write(&name, with_tables);
    name
}

#[test]
fn postgres_gives_kpis_values_for_the_example_and_the_fixture() {
    for (work, dates) in [(example(), &EXAMPLE_DATES), (fixture(), &FIXTURE_DATES)] {
        let server = Postgres::start();
        let config = load_tables(&work, &server, "kpis.toml");
        let run = |q: &str, out: &str| {
            server.psql(work.path(), &["--csv", "-f", q, "-o", out]);
        };
        let compared = check_periods(&work, &config, "postgres", dates, &run);
        assert!(compared > 150, "{compared} results");
    }
}
