//! Errors as a user meets them: each test breaks one thing and checks the exit code of SPEC.md
//! and that stderr names what a person needs to fix it (file, line and column, KPI, column), and
//! that nothing panics. Plus the few situations that must not be errors: a closed pipe, and
//! finding the configuration and its files from elsewhere.

use crate::support::{Output, Workdir};
use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

/// Orders with two months of clean data: enough for a run to succeed when nothing is broken.
const ORDERS: &str = "\
order_id,ordered_on,customer,amount,status
O-1,2026-09-03,Acme,1200.00,shipped
O-2,2026-09-17,Beta,845.50,shipped
O-3,2026-10-02,Acme,980.00,shipped
O-4,2026-10-21,Gamma,1500.00,cancelled
";

const SOURCE: &str = r#"[sources.orders]
path = "data/orders.csv"
columns = { ordered_on = "date", amount = "number" }
"#;

/// A work dir with the orders and a configuration of SOURCE followed by `kpis`.
fn orders_with(kpis: &str) -> Workdir {
    let work = Workdir::new();
    work.write("data/orders.csv", ORDERS);
    work.write("kpis.toml", format!("{SOURCE}\n{kpis}"));
    work
}

const REVENUE: &str = r#"[[kpi]]
id = "revenue"
source = "orders"
time = "ordered_on"
formula = "sum(amount)"
"#;

fn run(work: &Workdir, extra: &[&str]) -> Output {
    let mut args = vec!["run", "--as-of", "2026-11-22", "--no-archive"];
    args.extend_from_slice(extra);
    work.run(&args)
}

/// The exit code, nothing on stdout (it carries the result alone), every fragment on stderr,
/// and no panic.
fn expect_error(out: &Output, code: i32, fragments: &[&str]) {
    out.expect_code(code);
    assert_eq!(out.stdout, "", "stdout of a failed run");
    expect_stderr(out, fragments);
}

fn expect_stderr(out: &Output, fragments: &[&str]) {
    for fragment in fragments {
        assert!(
            out.stderr.contains(fragment),
            "stderr lacks {fragment:?}:\n{}",
            out.stderr
        );
    }
    assert!(
        !out.stderr.contains("panicked") && !out.stderr.contains("RUST_BACKTRACE"),
        "a panic:\n{}",
        out.stderr
    );
}

/// Whether stderr places the error at this line and column of kpis.toml, written either way
/// a reader would recognise: `line 9, column 16` or `kpis.toml:9:16`.
fn expect_place(out: &Output, line: u32, column: u32) {
    let words = format!("line {line}, column {column}");
    let colons = format!("kpis.toml:{line}:{column}");
    assert!(
        out.stderr.contains(&words) || out.stderr.contains(&colons),
        "stderr lacks the place {words}:\n{}",
        out.stderr
    );
}

// ------------------------------------------------------------------------- configuration (3)

#[test]
fn missing_config_says_where_it_looked_and_how_to_point_at_one() {
    let work = Workdir::new();
    let out = run(&work, &[]);
    expect_error(&out, 3, &["kpis.toml", "-c", "KPI_CONFIG"]);
}

#[test]
fn toml_syntax_error_gives_its_line() {
    let work = orders_with(
        r#"[[kpi]]
id = "revenue"
source = "orders
formula = "sum(amount)"
"#,
    );
    let out = run(&work, &[]);
    // SOURCE is 3 lines and a blank one: the unterminated string is on line 7.
    expect_error(&out, 3, &["kpis.toml", "line 7"]);
}

#[test]
fn unknown_key_in_a_kpi_gives_line_and_column_and_the_known_keys() {
    let work = orders_with(
        r#"[[kpi]]
id = "revenue"
source = "orders"
time = "ordered_on"
formual = "sum(amount)"
"#,
    );
    let out = run(&work, &[]);
    expect_error(&out, 3, &["kpis.toml", "formual", "formula"]);
    expect_place(&out, 9, 1);
}

#[test]
fn unknown_column_names_kpi_column_place_and_the_columns_there_are() {
    let work = orders_with(
        r#"[[kpi]]
id = "revenue"
source = "orders"
time = "ordered_on"
formula = "sum(amout) FILTER (WHERE status = 'shipped')"
"#,
    );
    let out = run(&work, &[]);
    expect_error(
        &out,
        3,
        &[
            "kpis.toml",
            "revenue",
            "amout",
            "order_id, ordered_on, customer, amount, status",
        ],
    );
    // `formula = "` is 11 characters, and `amout` starts 4 characters into the formula.
    expect_place(&out, 9, 16);
}

#[test]
fn unknown_function_names_it_and_its_place() {
    let work = orders_with(
        r#"[[kpi]]
id = "revenue"
source = "orders"
time = "ordered_on"
formula = "summ(amount)"
"#,
    );
    let out = run(&work, &[]);
    expect_error(&out, 3, &["kpis.toml", "revenue", "summ"]);
    expect_place(&out, 9, 12);
}

#[test]
fn sum_of_a_text_column_is_a_type_error() {
    let work = orders_with(
        r#"[[kpi]]
id = "revenue"
source = "orders"
time = "ordered_on"
formula = "sum(status)"
"#,
    );
    let out = run(&work, &[]);
    expect_error(&out, 3, &["kpis.toml", "revenue", "sum"]);
    expect_place(&out, 9, 16);
}

/// The hint's declaration pasted into a source must parse: a name with a space is quoted.
#[test]
fn the_hint_for_an_undeclared_column_is_valid_toml_for_a_name_with_a_space() {
    let work = Workdir::new();
    work.write(
        "orders.csv",
        // Some dates, but not all: the column is a string (a time column holding no date at all
        // is the data's fault, exit 4, in exports.rs).
        "Order ID,Order Date,Sales Amount\n1,2016-11-08,n/a\n2,next week,n/a\n",
    );
    let source =
        "[sources.orders]\npath = \"orders.csv\"\n\n[[kpi]]\nid = \"sales\"\nsource = \"orders\"\n";
    let time = format!("{source}time = \"Order Date\"\nformula = \"count(*)\"\n");
    work.write("kpis.toml", time);
    let out = run(&work, &[]);
    let hint = "hint: declare it in the source: columns = { \"Order Date\" = \"date\" }, and set date_format if it is not ISO";
    expect_error(
        &out,
        3,
        &["column `Order Date` is a string, not a date", hint],
    );
    let pasted = out
        .stderr
        .split("source: ")
        .nth(1)
        .and_then(|h| h.split(", and").next());
    let table: toml::Table = pasted.expect("a declaration").parse().expect("valid TOML");
    assert_eq!(table["columns"]["Order Date"].as_str(), Some("date"));

    let sum = format!("{source}formula = 'sum(\"Sales Amount\")'\n");
    work.write("kpis.toml", sum);
    let out = run(&work, &[]);
    let hint = "declare it in the source: columns = { \"Sales Amount\" = \"number\" }";
    expect_error(
        &out,
        3,
        &["`sum` needs a number argument, not a string", hint],
    );
}

#[test]
fn derived_kpis_in_a_cycle_are_named() {
    // profit needs margin, which needs profit: neither can be computed first.
    let work = orders_with(&format!(
        r#"{REVENUE}
[[kpi]]
id = "profit"
formula = "revenue * margin"

[[kpi]]
id = "margin"
formula = "profit / revenue"
"#
    ));
    let out = run(&work, &[]);
    expect_error(&out, 3, &["kpis.toml", "cycle", "margin", "profit"]);
}

#[test]
fn report_listing_an_unknown_kpi_names_report_kpi_and_place() {
    let work = orders_with(&format!(
        r#"{REVENUE}
[[report]]
id = "weekly"
kpis = ["revenue", "margin"]
"#
    ));
    let out = run(&work, &[]);
    expect_error(&out, 3, &["kpis.toml", "weekly", "margin"]);
    expect_place(&out, 13, 20);
}

/// A bad `--period` is the command line's fault (exit 2, like `--as-of`): the same
/// configuration works with another label. A label of another frequency too: leaving the KPIs
/// it does not fit out of the report would publish a partial report without a word.
#[test]
fn period_label_of_another_frequency_is_refused() {
    let work = orders_with(REVENUE);
    let out = run(&work, &["--period", "2026-W47"]);
    expect_error(
        &out,
        2,
        &[
            "kpi: error: --period 2026-W47: kpi `revenue`: `2026-W47` is not a month label (expected YYYY-MM, such as 2026-11)",
            "  hint: --period takes previous, current or a month label; `2026-W47` is a week label: select the KPIs whose frequency is week with --kpi",
        ],
    );
    for bad in ["2026-13", "yesterday"] {
        for command in ["run", "check", "explain", "sql"] {
            let mut args = vec![command, "--as-of", "2026-11-22", "--period", bad];
            args.extend(match command {
                "explain" => &["revenue"][..],
                "sql" => &["--dialect", "duckdb"][..],
                _ => &["--no-archive"][..],
            });
            let out = work.run(&args);
            let message = format!("kpi: error: --period {bad}: kpi `revenue`: `{bad}` is not a month label (expected YYYY-MM, such as 2026-11)\n  hint: --period takes previous, current or a month label\n");
            expect_error(&out, 2, &[&message]);
        }
    }
    let out = run(&work, &["--period", "2026-12"]);
    expect_error(&out, 2, &["--period 2026-12: kpi `revenue`: 2026-12 has not started on 2026-11-22 (--as-of): it has no value yet"]);
}

/// SPEC.md: an unknown column "is reported when the configuration is loaded ... before any data
/// is read". Here the first source is read in full, with its warnings, before the second
/// source's KPI is found to name a column that does not exist.
#[test]
fn unknown_column_is_reported_before_any_source_is_scanned() {
    let work = Workdir::new();
    // Line 3 has an invalid amount: scanning this source would warn about it.
    work.write(
        "data/orders.csv",
        "order_id,ordered_on,amount\nO-1,2026-10-02,980.00\nO-2,2026-10-03,12;50\n",
    );
    work.write(
        "data/tickets.csv",
        "ticket_id,resolved_at\nT-1,2026-10-02\nT-2,\n",
    );
    work.write(
        "kpis.toml",
        r#"[sources.orders]
path = "data/orders.csv"
columns = { ordered_on = "date", amount = "number" }

[sources.tickets]
path = "data/tickets.csv"

[[kpi]]
id = "revenue"
source = "orders"
time = "ordered_on"
formula = "sum(amount)"

[[kpi]]
id = "open_tickets"
source = "tickets"
formula = "count_if(resolved IS NULL)"
"#,
    );
    let out = run(&work, &[]);
    expect_error(&out, 3, &["open_tickets", "resolved"]);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
}

// ------------------------------------------------------------------------------- usage (2)

#[test]
fn as_of_that_is_not_a_date_is_a_usage_error() {
    let work = orders_with(REVENUE);
    for bad in ["2026-13-01", "22/11/2026", "yesterday"] {
        let out = work.run(&["run", "--as-of", bad]);
        expect_error(&out, 2, &["--as-of", bad, "YYYY-MM-DD"]);
    }
}

#[test]
fn unknown_kpi_flag_lists_the_known_ones() {
    let work = orders_with(REVENUE);
    let out = run(&work, &["--kpi", "revenu"]);
    expect_error(&out, 2, &["revenu", "revenue"]);
}

// -------------------------------------------------------------------------------- data (4)

#[test]
fn missing_source_file_names_source_and_path() {
    let work = Workdir::new();
    work.write("kpis.toml", format!("{SOURCE}\n{REVENUE}"));
    let out = run(&work, &[]);
    expect_error(&out, 4, &["orders", "data/orders.csv"]);
}

#[test]
fn empty_source_file_is_an_error_not_an_empty_source() {
    let work = orders_with(REVENUE);
    work.write("data/orders.csv", "");
    let out = run(&work, &[]);
    expect_error(&out, 4, &["data/orders.csv", "empty"]);
}

/// Random bytes where a CSV export should be (a binary file, the wrong path) are not valid
/// UTF-8: SPEC.md's "a source ... unreadable, malformed CSV" is a data error, exit 4, naming the
/// file, not a run over garbage.
#[test]
fn random_bytes_as_a_csv_are_a_data_error() {
    let work = orders_with(REVENUE);
    let mut state: u32 = 0x9E37_79B9;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect();
    work.write("data/orders.csv", bytes);
    let out = run(&work, &[]);
    expect_error(&out, 4, &["data/orders.csv", "UTF-8"]);
}

/// A quote that never closes swallows the rest of the file into one field: every later row is
/// lost. That is malformed CSV (exit 4) naming where the quote opens, not one "ragged row".
#[test]
fn unterminated_quote_is_malformed_csv() {
    let work = orders_with(REVENUE);
    work.write(
        "data/orders.csv",
        "order_id,ordered_on,customer,amount,status\n\
         O-1,2026-10-01,\"Acme,12,shipped\n\
         O-2,2026-10-02,Beta,13,shipped\n\
         O-3,2026-10-03,Gamma,14,shipped\n",
    );
    let out = run(&work, &[]);
    expect_error(&out, 4, &["data/orders.csv:2", "quote"]);
}

#[test]
fn ragged_rows_are_skipped_counted_and_warned_and_strict_makes_them_fatal() {
    let work = orders_with(REVENUE);
    work.write(
        "data/orders.csv",
        "order_id,ordered_on,customer,amount,status\n\
         O-1,2026-10-01,Acme,12,shipped\n\
         O-2,2026-10-02,Beta,13\n\
         O-3,2026-10-03,Gamma,14,shipped,extra\n\
         O-4,2026-10-04,Delta,15,shipped\n",
    );
    let out = run(&work, &["--format", "csv"]);
    out.expect_code(0);
    // O-2 and O-3 are skipped: 12 + 15.
    assert!(out.stdout.contains(",2026-10-31,,27,"), "{}", out.stdout);
    expect_stderr(&out, &["warning", "2 row", "data/orders.csv:3"]);

    let out = run(&work, &["--format", "csv", "--strict"]);
    expect_error(&out, 4, &["2 row", "data/orders.csv:3"]);
}

// ----------------------------------------------------------------------------- output (5)

#[test]
fn output_into_a_missing_folder_names_the_file() {
    let work = orders_with(REVENUE);
    let out = run(&work, &["--format", "csv", "-o", "no-such-dir/revenue.csv"]);
    expect_error(&out, 5, &["no-such-dir/revenue.csv"]);
    assert!(!work.exists("no-such-dir"));
}

// ------------------------------------------------------------------- not errors at all

/// `kpi run --format csv | head -1`: the reader goes away while kpi is still writing. The
/// output is made larger than a pipe's buffer so that kpi is blocked writing when the reader
/// closes, whatever the timing.
#[test]
fn closed_stdout_pipe_is_not_an_error() {
    let work = Workdir::new();
    let mut rows = String::from("customer_id,ordered_on,amount\n");
    for i in 0..3000 {
        rows.push_str(&format!(
            "C-{i:05},2026-10-{:02},{}.50\n",
            i % 28 + 1,
            i % 700
        ));
    }
    work.write("data/orders.csv", rows);
    work.write(
        "kpis.toml",
        r#"[sources.orders]
path = "data/orders.csv"

[[kpi]]
id = "revenue"
source = "orders"
time = "ordered_on"
formula = "sum(amount)"
dimensions = ["customer_id"]
"#,
    );
    let args = [
        "run",
        "--as-of",
        "2026-11-22",
        "--no-archive",
        "--format",
        "csv",
    ];
    let mut child = work
        .command(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kpi");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    assert!(first.starts_with("kpi,"), "{first}");
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().expect("wait for kpi");
    assert_eq!(status.code(), Some(0), "stderr:\n{stderr}");
    assert_eq!(stderr, "", "a closed pipe is not worth a message");
}

#[test]
fn kpi_config_variable_is_used_when_there_is_no_flag_and_the_flag_wins() {
    let work = Workdir::new();
    work.write("conf/data/orders.csv", ORDERS);
    work.write("conf/kpis.toml", format!("{SOURCE}\n{REVENUE}"));
    let args = ["run", "--as-of", "2026-11-22", "--format", "csv"];
    let out = Output::of(
        work.command(&args)
            .env("KPI_CONFIG", "conf/kpis.toml")
            .output()
            .unwrap(),
    );
    out.expect_code(0);
    assert!(out.stdout.contains("revenue,"), "{}", out.stdout);
    // The archive sits beside the configuration it came from.
    assert!(work.exists("conf/kpi-archive/revenue.csv"));

    let mut with_flag = args.to_vec();
    with_flag.extend(["-c", "conf/kpis.toml"]);
    let out = Output::of(
        work.command(&with_flag)
            .env("KPI_CONFIG", "nowhere/kpis.toml")
            .output()
            .unwrap(),
    );
    out.expect_code(0);
}

#[test]
fn paths_in_the_config_are_relative_to_the_config_file() {
    let work = Workdir::new();
    work.write("project/data/orders.csv", ORDERS);
    work.write("project/kpis.toml", format!("{SOURCE}\n{REVENUE}"));
    std::fs::create_dir_all(work.path().join("elsewhere")).unwrap();
    let args = [
        "run",
        "-c",
        "../project/kpis.toml",
        "--as-of",
        "2026-11-22",
        "--format",
        "csv",
    ];
    let out = Output::of(
        work.command(&args)
            .current_dir(work.path().join("elsewhere"))
            .output()
            .unwrap(),
    );
    out.expect_code(0);
    // October: 980 + 1500.
    assert!(out.stdout.contains(",2026-10-31,,2480,"), "{}", out.stdout);
    assert!(work.exists("project/kpi-archive/revenue.csv"));
    assert!(!work.exists("elsewhere/kpi-archive"));
}
