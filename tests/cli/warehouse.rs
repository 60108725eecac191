//! `kpi run --results FILE`: values computed elsewhere (a warehouse running `kpi sql`'s query,
//! exported as CSV) carry on as a normal run. A results file has the columns kpi, period,
//! dimensions, value and rows (and optionally parts) — the archive's KPI files have them all,
//! so the archive of a backfill is a faithful stand-in for a warehouse's answer.

use crate::support::{example, Output, Workdir};

/// The monthly source KPIs of the bundled example (and a derived one made of two of them).
const KPIS: [&str; 5] = [
    "win_rate",
    "sales_cycle_days",
    "revenue_won",
    "won_accounts",
    "revenue_per_customer",
];

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
    let (expected, got) = runs_from_sources_and_results(example, "2026-01-01");
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g, e, "first result that differs");
    }
    assert_eq!(got.len(), expected.len());
}

/// With `compare = ["year_ago"]`, the value a year before comes from the file (its rows for
/// 2025-10), as a pass over the sources computes it.
#[test]
fn a_run_from_results_takes_the_year_ago_value_from_the_file() {
    let year_ago = || {
        let work = example();
        let config = work.read("kpis.toml");
        let changed = config.replacen("[settings]\n", "[settings]\ncompare = [\"year_ago\"]\n", 1);
        work.write("kpis.toml", changed);
        work
    };
    let (expected, got) = runs_from_sources_and_results(year_ago, "2025-01-01");
    assert_eq!(got, expected);
    let overall =
        |r: &&serde_json::Value| r["dimensions"].as_object().is_some_and(|d| d.is_empty());
    let revenue = got
        .iter()
        .filter(overall)
        .find(|r| r["kpi"] == "revenue_won");
    let revenue = revenue.expect("revenue_won");
    assert_eq!(revenue["previous_period"], "2025-10");
    assert!(
        revenue["previous_value"].as_f64().is_some_and(|v| v > 0.0),
        "{revenue}"
    );
}

/// The results of a run over the sources, and of a run from a results file made of the
/// archive of a backfill since `from` (the sources removed), for the example `made` gives.
fn runs_from_sources_and_results(
    made: impl Fn() -> Workdir,
    from: &str,
) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let warehouse = made();
    warehouse
        .run(&["backfill", "--from", from, "--as-of", "2026-11-22"])
        .expect_code(0);
    let results = results_from_archive(&warehouse);

    let expected = run_json(&made(), &[]);
    let work = made();
    work.write("results.csv", results);
    // The sources are not read: remove them.
    std::fs::remove_dir_all(work.path().join("examples/data")).expect("remove data");
    let got = run_json(&work, &["--results", "results.csv"]);
    let list = |json: &serde_json::Value| json["results"].as_array().cloned().unwrap_or_default();
    (list(&expected), list(&got))
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

/// A small configuration for the refusals of `kpi sql`.
fn refusals() -> Workdir {
    let work = Workdir::new();
    work.write(
        "data/deals.csv",
        "id,stage,amount,closed\n1,Won,10,2026-10-02\n2,Lost,20,2026-10-03\n",
    );
    work.write(
        "kpis.toml",
        r#"
[sources.deals]
path = "data/deals.csv"
table = "crm.deals"

[sources.local]
path = "data/deals.csv"

[[kpi]]
id = "median_amount"
source = "deals"
time = "closed"
formula = "median(amount)"

[[kpi]]
id = "odd_amounts"
source = "deals"
time = "closed"
formula = "count_if(amount % 2 = 1)"

[[kpi]]
id = "capped"
source = "deals"
time = "closed"
formula = "sum(greatest(amount, 15))"

[[kpi]]
id = "local_count"
source = "local"
time = "closed"
formula = "count(*)"
"#,
    );
    work
}

#[test]
fn sql_refuses_what_a_dialect_cannot_compute_as_kpi_does() {
    let work = refusals();
    let sql = |dialect: &str, kpi: &str| {
        work.run(&[
            "sql",
            "--dialect",
            dialect,
            "--as-of",
            "2026-11-05",
            "--kpi",
            kpi,
        ])
    };
    let cases = [
        (
            "postgres",
            "odd_amounts",
            "cannot write the query for postgres: kpi `odd_amounts`: `%`",
        ),
        (
            "bigquery",
            "odd_amounts",
            "cannot write the query for bigquery: kpi `odd_amounts`: `%`",
        ),
        ("snowflake", "capped", "kpi `capped`: greatest/least"),
        (
            "postgres",
            "local_count",
            "source `local` has no `table`: only the duckdb dialect reads CSV files",
        ),
    ];
    for (dialect, kpi, message) in cases {
        expect(&sql(dialect, kpi), 3, message);
    }
    // What other dialects can say, they write.
    for (dialect, kpi) in [
        ("postgres", "median_amount"),
        ("bigquery", "median_amount"),
        ("snowflake", "odd_amounts"),
        ("spark", "capped"),
        ("duckdb", "local_count"),
    ] {
        let out = sql(dialect, kpi);
        out.expect_code(0);
        assert!(
            out.stdout.contains("UNION ALL") || out.stdout.contains("SELECT"),
            "{}",
            out.stdout
        );
    }
    // BigQuery's exact percentile is analytic: per period, never the approximate aggregate.
    let median = sql("bigquery", "median_amount").stdout;
    assert!(
        median.contains("PERCENTILE_CONT(x0, 0.5) OVER (PARTITION BY period) AS q0")
            && !median.contains("APPROX_QUANTILES"),
        "{median}"
    );
    expect(
        &work.run(&["sql", "--dialect", "duckdb", "--rows", "nowhere"]),
        2,
        "unknown source `nowhere`",
    );
    work.run(&["sql", "--dialect", "mysql"]).expect_code(2);
}

/// `kpi sql --dialect duckdb` for one KPI of the example, October 2026.
fn duckdb_query(work: &Workdir, kpi: &str) -> Output {
    work.run(&[
        "sql",
        "--dialect",
        "duckdb",
        "--as-of",
        "2026-11-22",
        "--kpi",
        kpi,
    ])
}

#[test]
fn sql_selects_a_derived_kpis_inputs_and_reads_windows_1252_with_duckdbs_extension() {
    let work = example();
    let out = duckdb_query(&work, "revenue_per_customer");
    out.expect_code(0);
    for kpi in ["'revenue_won' AS kpi", "'won_accounts' AS kpi"] {
        assert!(out.stdout.contains(kpi), "{kpi} missing:\n{}", out.stdout);
    }
    assert!(!out.stdout.contains("'win_rate' AS kpi"), "{}", out.stdout);
    // The query goes to stdout alone.
    assert!(out.stderr.is_empty(), "{}", out.stderr);

    let out = duckdb_query(&work, "open_tickets");
    out.expect_code(0);
    assert!(
        out.stdout.contains("encoding = 'windows-1252'"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("delim = ';'"), "{}", out.stdout);
    assert!(out.stdout.contains("LOAD encodings;"), "{}", out.stdout);
    assert!(
        out.stdout.contains("try_strptime(t0, '%d/%m/%Y %H:%M')"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_warehouse_only_source_is_typed_by_its_declared_columns() {
    let work = Workdir::new();
    let config = |formula: &str| {
        format!(
            r#"
[sources.deals]
path = "not-here/*.csv"
table = "crm.deals"
columns = {{ amount = "number", closed = "date", stage = "string" }}

[[kpi]]
id = "won"
source = "deals"
time = "closed"
formula = "{formula}"
"#
        )
    };
    work.write(
        "kpis.toml",
        config("sum(amount) FILTER (WHERE stage = 'Won')"),
    );
    let out = work.run(&["sql", "--dialect", "snowflake", "--as-of", "2026-11-05"]);
    out.expect_code(0);
    assert!(out.stdout.contains("FROM crm.deals"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("SUM(CASE WHEN (stage = 'Won') THEN amount END)")
            || out
                .stdout
                .contains("CASE WHEN (stage = 'Won') THEN amount END AS x0"),
        "{}",
        out.stdout
    );
    // An undeclared column cannot be typed: the configuration error names it.
    work.write("kpis.toml", config("sum(discount)"));
    let out = work.run(&["sql", "--dialect", "snowflake", "--as-of", "2026-11-05"]);
    expect(&out, 3, "unknown column `discount`");
}
