//! The coverage, freshness and volume guards (SPEC.md, "Guards"): an export that stops before
//! the period (or starts after it), or whose newest date is older than `fresh_within`, gives
//! `stale` results and a warning, and `check` fails; a source that lost rows since the last
//! run warns, and its KPIs are at `warn` at least in `check`.

use crate::support::{Output, Workdir};
use chrono::{Days, NaiveDate};
use serde_json::Value as Json;

const AS_OF: &str = "2026-11-22";

/// Orders, a KPI over each, one derived from both, and a snapshot (no `time`).
const KPIS: &str = r#"[sources.orders]
path = "orders.csv"

[[kpi]]
id = "revenue"
source = "orders"
time = "ordered_on"
formula = "sum(amount)"
dimensions = ["region"]

[[kpi]]
id = "order_count"
source = "orders"
time = "ordered_on"
formula = "count(*)"

[[kpi]]
id = "average_order"
formula = "revenue / order_count"

[[kpi]]
id = "customers"
source = "orders"
formula = "count(DISTINCT customer)"
"#;

/// One order a week from `first`, `weeks` of them, alternating regions and amounts.
fn orders(first: &str, weeks: u64) -> String {
    let first: NaiveDate = first.parse().unwrap();
    let mut csv = String::from("id,ordered_on,amount,region,customer\n");
    for i in 0..weeks {
        let day = first + Days::new(7 * i);
        let region = if i % 2 == 0 { "EMEA" } else { "NA" };
        csv.push_str(&format!("{i},{day},{},{region},c{}\n", 100 + i % 5, i % 7));
    }
    csv
}

/// An export of 2015-01-03 to 2017-12-30: the stale export of issue 14.
fn old_export(work: &Workdir, extra_source_keys: &str) {
    let toml = KPIS.replace(
        "path = \"orders.csv\"\n",
        &format!("path = \"orders.csv\"\n{extra_source_keys}"),
    );
    work.write("kpis.toml", toml);
    work.write("orders.csv", orders("2015-01-03", 157));
}

fn kpi(work: &Workdir, command: &str, args: &[&str]) -> Output {
    let mut all = vec![command, "--as-of", AS_OF];
    all.extend_from_slice(args);
    work.run(&all)
}

fn json_results(out: &Output) -> Vec<Json> {
    let json: Json = serde_json::from_str(&out.stdout).expect("JSON output");
    json["results"].as_array().expect("results").clone()
}

fn overall<'a>(results: &'a [Json], id: &str) -> &'a Json {
    results
        .iter()
        .find(|r| r["kpi"] == id && r["dimensions"] == serde_json::json!({}))
        .unwrap_or_else(|| panic!("no {id} in {results:#?}"))
}

const OLD_WARNING: &str = "kpi: warning: source `orders`: no row in 2026-10 (kpis `revenue`, \
`order_count`): column `ordered_on` holds dates from 2015-01-03 to 2017-12-30 only\n";

#[test]
fn an_export_that_stops_years_before_the_period_is_stale() {
    let work = Workdir::new();
    old_export(&work, "");
    let out = kpi(&work, "run", &["--format", "json"]);
    out.expect_code(0);
    // One warning for the source and its time column, whatever the number of KPIs.
    assert_eq!(out.stderr, OLD_WARNING);
    let results = json_results(&out);
    let revenue = overall(&results, "revenue");
    assert_eq!(revenue["status"], "stale");
    assert_eq!(
        revenue["breach"],
        "no row in 2026-10: column `ordered_on` holds dates from 2015-01-03 to 2017-12-30 only"
    );
    assert_eq!(overall(&results, "order_count")["status"], "stale");
    // A derived KPI of a stale input is stale, and says which input.
    let average = overall(&results, "average_order");
    assert_eq!(average["status"], "stale");
    assert!(
        average["breach"]
            .as_str()
            .unwrap()
            .starts_with("`revenue` is stale: no row in 2026-10"),
        "{average}"
    );
    // A snapshot is the source as it is now: coverage does not concern it.
    assert_eq!(overall(&results, "customers")["status"], "ok");

    let out = kpi(&work, "check", &[]);
    out.expect_code(1);
    assert_eq!(out.stderr, OLD_WARNING);
    assert!(
        out.stdout
            .contains("3 stale, 0 fail, 0 warn, 1 ok, 0 no data"),
        "{}",
        out.stdout
    );
    // Stale results come first, with the reason.
    let first = out.stdout.lines().nth(3).unwrap();
    assert!(
        first.contains("stale") && first.contains("no row in"),
        "{first}"
    );
    // Without the low-sample note: the reason says already why there are no rows.
    assert!(!first.contains("low sample"), "{first}");
}

#[test]
fn stale_results_are_not_recorded() {
    let work = Workdir::new();
    old_export(&work, "");
    kpi(&work, "run", &[]).expect_code(0);
    // The snapshot is recorded; the stale 0 and nulls of 2026-10 are not figures of 2026-10.
    let out = work.run(&["history", "customers", "--format", "csv"]);
    out.expect_code(0);
    assert!(out.stdout.contains("customers,"), "{}", out.stdout);
    for id in ["revenue", "order_count", "average_order"] {
        let out = work.run(&["history", id, "--format", "csv"]);
        assert!(!out.stdout.contains("2026-10"), "{id}: {}", out.stdout);
    }
}

#[test]
fn every_format_shows_the_stale_status() {
    let work = Workdir::new();
    old_export(&work, "");
    let args = ["--kpi", "revenue", "--no-archive", "--format"];
    let csv = kpi(&work, "run", &[&args[..], &["csv"]].concat());
    assert!(
        csv.stdout.contains(",stale,,no row in 2026-10"),
        "{}",
        csv.stdout
    );
    let table = kpi(&work, "run", &[&args[..], &["table"]].concat());
    assert!(table.stdout.contains("stale"), "{}", table.stdout);
    let markdown = kpi(&work, "run", &[&args[..], &["markdown"]].concat());
    assert!(
        markdown.stdout.contains("| **stale** |"),
        "{}",
        markdown.stdout
    );
    let html = kpi(&work, "run", &[&args[..], &["html"]].concat());
    assert!(
        html.stdout
            .contains("<span class=\"badge stale\">Stale</span>"),
        "{}",
        html.stdout
    );
    assert!(html.stdout.contains("<li class=\"stale\">1 stale</li>"));
    assert!(html.stdout.contains("Why: no row in 2026-10"));
    let junit = kpi(&work, "check", &["--kpi", "revenue", "--format", "junit"]);
    junit.expect_code(1);
    assert!(
        junit
            .stdout
            .contains("<failure type=\"stale\" message=\"no row in 2026-10"),
        "{}",
        junit.stdout
    );
}

#[test]
fn data_that_starts_after_the_period_is_stale() {
    let work = Workdir::new();
    work.write("kpis.toml", KPIS);
    work.write("orders.csv", orders("2026-03-07", 30));
    let out = kpi(&work, "check", &["--period", "2025-12", "--kpi", "revenue"]);
    out.expect_code(1);
    assert_eq!(
        out.stderr,
        "kpi: warning: source `orders`: no row in 2025-12 (kpi `revenue`): column `ordered_on` \
         holds dates from 2026-03-07 to 2026-09-26 only\n"
    );
    // The period the data covers is ok, without a word.
    let out = kpi(&work, "check", &["--period", "2026-09", "--kpi", "revenue"]);
    out.expect_code(0);
    assert_eq!(out.stderr, "");
}

#[test]
fn a_covered_period_without_rows_is_no_data_not_stale() {
    // The data stops in September and starts in March: a gap inside it is a quiet period.
    let work = Workdir::new();
    work.write("kpis.toml", KPIS);
    let mut csv = orders("2026-03-07", 4);
    csv.push_str(
        &orders("2026-09-05", 2)
            .lines()
            .skip(1)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    work.write("orders.csv", csv);
    let out = kpi(&work, "run", &["--period", "2026-06", "--format", "json"]);
    out.expect_code(0);
    assert_eq!(out.stderr, "");
    let results = json_results(&out);
    assert_eq!(overall(&results, "revenue")["status"], "no_data");
    assert_eq!(overall(&results, "order_count")["status"], "ok");
    assert_eq!(overall(&results, "order_count")["value"], 0.0);
}

#[test]
fn backfill_skips_the_periods_the_data_does_not_cover_without_warning() {
    let work = Workdir::new();
    old_export(&work, "fresh_within = \"2 days\"\n");
    let out = kpi(
        &work,
        "backfill",
        &[
            "--from",
            "2017-11-01",
            "--to",
            "2018-03-31",
            "--kpi",
            "revenue",
        ],
    );
    out.expect_code(0);
    assert_eq!(out.stderr, "");
    assert!(
        out.stdout.contains("2 period(s), 2017-11 to 2017-12"),
        "{}",
        out.stdout
    );
    let history = work.run(&["history", "revenue", "--format", "csv"]);
    assert!(history.stdout.contains("2017-12"), "{}", history.stdout);
    assert!(!history.stdout.contains("2018-01"), "{}", history.stdout);
}

/// Daily tickets up to `last`, a month of them.
fn tickets(work: &Workdir, fresh_within: &str, last: &str) {
    work.write(
        "kpis.toml",
        format!(
            "[sources.tickets]\npath = \"tickets.csv\"\n{fresh_within}\n\
             [[kpi]]\nid = \"tickets\"\nsource = \"tickets\"\ntime = \"created_at\"\nformula = \"count(*)\"\n\n\
             [[kpi]]\nid = \"tickets_weekly\"\nsource = \"tickets\"\ntime = \"created_at\"\nfrequency = \"week\"\nformula = \"count(*)\"\n\n\
             [[kpi]]\nid = \"closed\"\nsource = \"tickets\"\ntime = \"closed_at\"\nformula = \"count(*)\"\n"
        ),
    );
    let last: NaiveDate = last.parse().unwrap();
    let mut csv = String::from("id,created_at,closed_at\n");
    for i in 0..60 {
        let day = last - Days::new(i);
        csv.push_str(&format!("{i},{day},{}\n", day - Days::new(20)));
    }
    work.write("tickets.csv", csv);
}

#[test]
fn a_source_older_than_fresh_within_is_stale_whatever_the_period() {
    let work = Workdir::new();
    tickets(&work, "fresh_within = \"2 days\"", "2026-11-18");
    // October is covered, but the export is four days old on 2026-11-22.
    let out = kpi(&work, "check", &["--format", "json"]);
    out.expect_code(1);
    assert_eq!(
        out.stderr,
        "kpi: warning: source `tickets`: the newest `created_at` is 2026-11-18, older than \
         fresh_within (2 days) before 2026-11-22: kpis `tickets`, `tickets_weekly` are stale\n\
         kpi: warning: source `tickets`: the newest `closed_at` is 2026-10-29, older than \
         fresh_within (2 days) before 2026-11-22: kpi `closed` is stale\n"
    );
    let results = json_results(&out);
    let tickets = overall(&results, "tickets");
    assert_eq!(tickets["status"], "stale");
    assert_eq!(tickets["value"], 31.0);
    assert_eq!(
        tickets["breach"],
        "not fresh: the newest `created_at` is 2026-11-18, older than 2 days before 2026-11-22 (fresh_within)"
    );
}

#[test]
fn a_source_within_fresh_within_is_not_stale() {
    let work = Workdir::new();
    tickets(&work, "fresh_within = \"1 week\"", "2026-11-18");
    let out = kpi(
        &work,
        "check",
        &["--kpi", "tickets", "--kpi", "tickets_weekly"],
    );
    out.expect_code(0);
    assert_eq!(out.stderr, "");
    // Exactly as old as allowed is still fresh.
    let work = Workdir::new();
    tickets(&work, "fresh_within = \"2 days\"", "2026-11-20");
    let out = kpi(&work, "check", &["--kpi", "tickets"]);
    out.expect_code(0);
    assert_eq!(out.stderr, "");
}

#[test]
fn a_bad_freshness_or_row_drop_is_a_configuration_error_naming_the_source() {
    let work = Workdir::new();
    tickets(&work, "fresh_within = \"2 months\"", "2026-11-18");
    let out = kpi(&work, "run", &[]);
    out.expect_code(3);
    assert!(
        out.stderr.contains("kpis.toml:3:16: source `tickets`: fresh_within must be a number of days or weeks such as \"2 days\" or \"1 week\", not \"2 months\""),
        "{}",
        out.stderr
    );
    let out = work.run(&["validate"]);
    out.expect_code(3);

    tickets(&work, "max_row_drop = 1.5", "2026-11-18");
    let out = kpi(&work, "run", &[]);
    out.expect_code(3);
    assert!(
        out.stderr
            .contains("source `tickets`: max_row_drop must be a share from 0 to 1"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_source_that_lost_rows_since_the_last_run_warns_and_check_warns() {
    let work = Workdir::new();
    work.write("kpis.toml", KPIS.to_string() + "fail = \"value > 1\"\n");
    // A recorded run over 40 weeks of orders, then an export of 12 of them.
    work.write("orders.csv", orders("2026-01-03", 40));
    kpi(&work, "run", &[]).expect_code(0);
    work.write("orders.csv", orders("2026-01-03", 12));
    let out = kpi(&work, "check", &["--period", "2026-02", "--format", "json"]);
    out.expect_code(1);
    let warning = out.stderr.lines().next().unwrap_or_default();
    assert!(
        warning.starts_with(
            "kpi: warning: source `orders`: 12 rows, down 70 % from 40 at the run of 20"
        ) && warning.ends_with("(max_row_drop = 0.5); its KPIs are at warn at least"),
        "{}",
        out.stderr
    );
    let results = json_results(&out);
    let revenue = overall(&results, "revenue");
    assert_eq!(revenue["status"], "warn");
    assert_eq!(
        revenue["breach"],
        "source `orders`: 12 rows, down 70 % from 40 at the last run (max_row_drop = 0.5)"
    );
    // A fail stays a fail.
    assert_eq!(overall(&results, "customers")["status"], "fail");
}

#[test]
fn a_drop_within_max_row_drop_is_quiet() {
    let work = Workdir::new();
    let toml = KPIS.replace(
        "path = \"orders.csv\"\n",
        "path = \"orders.csv\"\nmax_row_drop = 0.8\n",
    );
    work.write("kpis.toml", toml);
    work.write("orders.csv", orders("2026-01-03", 40));
    kpi(&work, "run", &[]).expect_code(0);
    work.write("orders.csv", orders("2026-01-03", 12));
    let out = kpi(&work, "check", &["--period", "2026-02", "--format", "json"]);
    out.expect_code(0);
    assert_eq!(out.stderr, "");
    assert_eq!(overall(&json_results(&out), "revenue")["status"], "ok");
}
