//! Top-N (SPEC.md, "Rollups, computed columns and top-N"): the N best groups of each breakdown
//! by the KPI's direction, and `(other)` computed over the rows of all the rest — checked
//! against the same figures computed here from the rows.

use crate::support::Workdir;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

struct Order {
    month: u32,
    day: u32,
    account: String,
    region: &'static str,
    customer: String,
    amount: f64,
    late: i64,
}

/// 40 orders in each of September and October 2026 over 8 accounts, 4 regions and 15
/// customers who buy in several regions (so that distinct counts do not add up).
fn orders() -> Vec<Order> {
    let regions = ["EMEA", "NA", "APAC", "LATAM"];
    let mut orders = Vec::new();
    for month in [9u32, 10] {
        for i in 0..40u32 {
            orders.push(Order {
                month,
                day: 1 + i % 28,
                account: format!("A{}", (i * 7 + month * month) % 8),
                region: regions[((i + month) % 4) as usize],
                customer: format!("C{:02}", (i * 3 + month) % 15),
                amount: f64::from(((i * 37 + month * 11) % 50 + 1) * 10),
                late: i64::from((i * 5 + month * 3) % 7),
            });
        }
    }
    orders
}

fn orders_csv() -> String {
    let mut csv = String::from("order_id,ordered_at,account,region,customer,amount,days_late\n");
    for (i, o) in orders().iter().enumerate() {
        csv.push_str(&format!(
            "{},2026-{:02}-{:02},{},{},{},{},{}\n",
            i + 1,
            o.month,
            o.day,
            o.account,
            o.region,
            o.customer,
            o.amount,
            o.late
        ));
    }
    csv
}

const CONFIG: &str = r#"
[sources.orders]
path = "data/orders.csv"

[[kpi]]
id = "revenue"
source = "orders"
time = "ordered_at"
formula = "sum(amount)"
dimensions = ["account"]
top = 3

[[kpi]]
id = "median_order"
source = "orders"
time = "ordered_at"
formula = "median(amount)"
dimensions = ["account"]
top = 2

[[kpi]]
id = "customers"
source = "orders"
time = "ordered_at"
formula = "count(DISTINCT customer)"
dimensions = ["region"]
top = 1

[[kpi]]
id = "lateness"
source = "orders"
time = "ordered_at"
formula = "avg(days_late)"
dimensions = ["region"]
direction = "down"
top = 2

[[kpi]]
id = "order_count"
source = "orders"
time = "ordered_at"
formula = "count(*)"
dimensions = ["account"]

[[kpi]]
id = "revenue_per_order"
formula = "revenue / order_count"
"#;

fn work() -> Workdir {
    let work = Workdir::new();
    work.write("data/orders.csv", orders_csv());
    work.write("kpis.toml", CONFIG);
    work
}

fn run_json(work: &Workdir, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["run", "--as-of", "2026-11-15", "--format", "json"];
    args.extend_from_slice(extra);
    let out = work.run(&args);
    out.expect_code(0);
    let doc: Value = serde_json::from_str(&out.stdout).expect("json");
    doc["results"].as_array().expect("results").clone()
}

/// A result's breakdown value, value, previous value and rank.
type Row = (String, Option<f64>, Option<f64>, Option<u64>);

/// `(label, value, previous_value, rank)` of a KPI's results, in output order: `label` is the
/// breakdown's value ("" overall).
fn rows_of(results: &[Value], kpi: &str) -> Vec<Row> {
    results
        .iter()
        .filter(|r| r["kpi"] == kpi)
        .map(|r| {
            let label = r["dimensions"]
                .as_object()
                .and_then(|d| d.values().next())
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            (
                label,
                r["value"].as_f64(),
                r["previous_value"].as_f64(),
                r["rank"].as_u64(),
            )
        })
        .collect()
}

/// Each group's rows of a month.
fn by<K: Ord>(month: u32, key: impl Fn(&Order) -> K) -> BTreeMap<K, Vec<Order>> {
    let mut groups: BTreeMap<K, Vec<Order>> = BTreeMap::new();
    for o in orders().into_iter().filter(|o| o.month == month) {
        groups.entry(key(&o)).or_default().push(o);
    }
    groups
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The groups ranked best first by `value` (highest, or lowest when `down`), ties by label.
fn ranked(values: &BTreeMap<String, f64>, down: bool) -> Vec<String> {
    let mut labels: Vec<&String> = values.keys().collect();
    labels.sort_by(|a, b| {
        let order = values[*b].total_cmp(&values[*a]);
        if down { order.reverse() } else { order }.then_with(|| a.cmp(b))
    });
    labels.into_iter().cloned().collect()
}

/// The figure of `month` over the groups (of `key`) not in `kept`, from their rows.
fn rest_of(
    month: u32,
    key: impl Fn(&Order) -> String,
    kept: &[String],
    figure: impl Fn(&[&Order]) -> f64,
) -> f64 {
    let rows: Vec<Order> = orders()
        .into_iter()
        .filter(|o| o.month == month && !kept.contains(&key(o)))
        .collect();
    figure(&rows.iter().collect::<Vec<_>>())
}

#[test]
fn the_best_groups_come_first_and_other_is_computed_over_the_rows_of_the_rest() {
    let results = run_json(&work(), &["--no-archive"]);
    // Revenue: the 3 accounts with most revenue in October, best first, then (other).
    let revenue = |month| -> BTreeMap<String, f64> {
        by(month, |o| o.account.clone())
            .into_iter()
            .map(|(k, rows)| (k, rows.iter().map(|o| o.amount).sum()))
            .collect()
    };
    let october = revenue(10);
    let kept: Vec<String> = ranked(&october, false).into_iter().take(3).collect();
    let rows = rows_of(&results, "revenue");
    let sum = |rows: &[&Order]| rows.iter().map(|o| o.amount).sum::<f64>();
    let account = |o: &Order| o.account.clone();
    let mut expected: Vec<(String, Option<f64>, Option<u64>)> =
        vec![(String::new(), Some(october.values().sum()), None)];
    for (i, k) in kept.iter().enumerate() {
        expected.push((k.clone(), Some(october[k]), Some(i as u64 + 1)));
    }
    expected.push((
        "(other)".into(),
        Some(rest_of(10, account, &kept, sum)),
        None,
    ));
    let got: Vec<(String, Option<f64>, Option<u64>)> =
        rows.iter().map(|r| (r.0.clone(), r.1, r.3)).collect();
    assert_eq!(got, expected);
    // Its previous value is September over the same accounts, not September's own (other).
    let other = rows.last().expect("(other)");
    assert_eq!(other.2, Some(rest_of(9, account, &kept, sum)));
    let september_top: Vec<String> = ranked(&revenue(9), false).into_iter().take(3).collect();
    assert_ne!(
        september_top, kept,
        "the fixture should change the top accounts"
    );

    // A median of the rest's rows, not of the groups' medians.
    let medians: BTreeMap<String, f64> = by(10, |o| o.account.clone())
        .into_iter()
        .map(|(k, rows)| (k, median(rows.iter().map(|o| o.amount).collect())))
        .collect();
    let kept: Vec<String> = ranked(&medians, false).into_iter().take(2).collect();
    let rows = rows_of(&results, "median_order");
    let labels: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(labels, ["", kept[0].as_str(), kept[1].as_str(), "(other)"]);
    let rest = rest_of(10, account, &kept, |rows| {
        median(rows.iter().map(|o| o.amount).collect())
    });
    assert_eq!(rows[3].1, Some(rest));

    // A distinct count of the rest: customers buy in several regions, so the regions' counts
    // add up to more than the customers of the rest.
    let region = |o: &Order| o.region.to_string();
    let distinct = |rows: &[&Order]| {
        rows.iter()
            .map(|o| o.customer.clone())
            .collect::<BTreeSet<_>>()
            .len() as f64
    };
    let customers: BTreeMap<String, f64> = by(10, region)
        .into_iter()
        .map(|(k, rows)| (k, distinct(&rows.iter().collect::<Vec<_>>())))
        .collect();
    let kept: Vec<String> = ranked(&customers, false).into_iter().take(1).collect();
    let rest = rest_of(10, region, &kept, distinct);
    let sum_of_rest: f64 = customers
        .iter()
        .filter(|(k, _)| !kept.contains(k))
        .map(|(_, v)| v)
        .sum();
    assert!(rest < sum_of_rest, "{rest} {sum_of_rest}");
    let rows = rows_of(&results, "customers");
    assert_eq!(rows.len(), 3);
    assert_eq!((rows[1].0.as_str(), rows[1].3), (kept[0].as_str(), Some(1)));
    assert_eq!((rows[2].0.as_str(), rows[2].1), ("(other)", Some(rest)));

    // direction = "down": the lowest first.
    let lateness: BTreeMap<String, f64> = by(10, region)
        .into_iter()
        .map(|(k, rows)| {
            let days: Vec<f64> = rows.iter().map(|o| o.late as f64).collect();
            (k, days.iter().sum::<f64>() / days.len() as f64)
        })
        .collect();
    let best: Vec<String> = ranked(&lateness, true).into_iter().take(2).collect();
    let rows = rows_of(&results, "lateness");
    let labels: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(labels, ["", best[0].as_str(), best[1].as_str(), "(other)"]);
    assert!(rows[1].1 <= rows[2].1);
}

#[test]
fn a_derived_kpi_uses_every_group_of_its_inputs_and_shows_them_all() {
    // revenue keeps 3 accounts; revenue_per_order = revenue / order_count by account still
    // has all 8 (a ratio of the two (other)s would be over different accounts).
    let results = run_json(&work(), &["--no-archive"]);
    let rows = rows_of(&results, "revenue_per_order");
    let labels: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let accounts: Vec<String> = by(10, |o| o.account.clone()).into_keys().collect();
    let mut expected = vec![""];
    expected.extend(accounts.iter().map(String::as_str));
    assert_eq!(labels, expected);
    for (account, rows) in by(10, |o| o.account.clone()) {
        let ratio = rows.iter().map(|o| o.amount).sum::<f64>() / rows.len() as f64;
        let got = rows_of(&results, "revenue_per_order")
            .into_iter()
            .find(|r| r.0 == account)
            .and_then(|r| r.1);
        assert_eq!(got, Some(ratio), "{account}");
    }
}

#[test]
fn the_command_line_top_overrides_the_configuration_for_one_run() {
    let work = work();
    let results = run_json(
        &work,
        &["--no-archive", "--top", "1", "--kpi", "order_count"],
    );
    let rows = rows_of(&results, "order_count");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[1].3, Some(1));
    assert_eq!(rows[2].0, "(other)");
    assert_eq!(rows[1].1.unwrap() + rows[2].1.unwrap(), rows[0].1.unwrap());
    let zero = work.run(&["run", "--as-of", "2026-11-15", "--top", "0"]);
    zero.expect_code(2);
    assert!(zero.stderr.contains("--top"), "{}", zero.stderr);
}

#[test]
fn the_archive_records_what_was_shown_and_a_rerun_restates_nothing() {
    let work = work();
    let first = work.run(&["run", "--as-of", "2026-11-15", "--kpi", "revenue"]);
    first.expect_code(0);
    let archived = work.read("kpi-archive/revenue.csv");
    let lines: Vec<&str> = archived.lines().skip(1).collect();
    assert_eq!(lines.len(), 5, "overall, 3 accounts, (other):\n{archived}");
    assert!(archived.contains("account=(other)"), "{archived}");
    let again = work.run(&["run", "--as-of", "2026-11-15", "--kpi", "revenue"]);
    again.expect_code(0);
    assert_eq!(again.stderr, "", "a rerun is quiet");
    assert_eq!(work.read("kpi-archive/revenue.csv").lines().count(), 6);
    // Without top, every account is recorded and (other) goes, with no warning: the data
    // did not change.
    let full = work.run(&["run", "--as-of", "2026-11-15", "--kpi", "order_count"]);
    full.expect_code(0);
    work.write("kpis.toml", CONFIG.replacen("top = 3\n", "", 1));
    let all = work.run(&["run", "--as-of", "2026-11-15", "--kpi", "revenue"]);
    all.expect_code(0);
    assert!(!all.stderr.contains("restated"), "{}", all.stderr);
    let archived = work.read("kpi-archive/revenue.csv");
    assert!(!archived.contains("(other)"), "{archived}");
    assert_eq!(archived.lines().count(), 1 + 1 + 8, "{archived}");
    // Back to top: the accounts left out are not "restated to nothing".
    work.write("kpis.toml", CONFIG);
    let back = work.run(&["run", "--as-of", "2026-11-15", "--kpi", "revenue"]);
    back.expect_code(0);
    assert!(!back.stderr.contains("restated"), "{}", back.stderr);
}

#[test]
fn other_compares_with_the_same_groups_computed_not_with_the_recorded_other() {
    let work = work();
    // September recorded with its own top 3 accounts; October's (other) must still compare
    // with September over October's left-out accounts.
    work.run(&["run", "--as-of", "2026-10-15", "--kpi", "revenue"])
        .expect_code(0);
    let results = run_json(&work, &["--kpi", "revenue"]);
    let rows = rows_of(&results, "revenue");
    let kept: Vec<String> = rows[1..4].iter().map(|r| r.0.clone()).collect();
    let september = rest_of(
        9,
        |o| o.account.clone(),
        &kept,
        |rows| rows.iter().map(|o| o.amount).sum(),
    );
    let other = rows.last().expect("(other)");
    assert_eq!(other.0, "(other)");
    assert_eq!(other.2, Some(september));
}

#[test]
fn reports_follow_the_order_and_html_draws_other_last() {
    let work = work();
    let out = work.run(&[
        "run",
        "--as-of",
        "2026-11-15",
        "--no-archive",
        "--kpi",
        "revenue",
        "--format",
        "markdown",
    ]);
    out.expect_code(0);
    let results = run_json(&work, &["--no-archive", "--kpi", "revenue"]);
    let rows = rows_of(&results, "revenue");
    let at = |label: &str| {
        out.stdout
            .find(&format!("account={label}"))
            .unwrap_or_else(|| panic!("{label} in\n{}", out.stdout))
    };
    assert!(at(&rows[1].0) < at(&rows[2].0) && at(&rows[2].0) < at(&rows[3].0));
    assert!(at(&rows[3].0) < at("(other)"));
    let html = work.run(&[
        "run",
        "--as-of",
        "2026-11-15",
        "--no-archive",
        "--kpi",
        "revenue",
        "--format",
        "html",
    ]);
    html.expect_code(0);
    let page = &html.stdout;
    let at = |label: &str| page.find(label).unwrap_or_else(|| panic!("{label}"));
    assert!(
        at(&rows[3].0) < at("(other)"),
        "(other) is drawn after the kept accounts"
    );
}

#[test]
fn top_is_refused_where_it_cannot_be_exact() {
    let work = work();
    let derived = CONFIG.replace(
        "formula = \"revenue / order_count\"",
        "formula = \"revenue / order_count\"\ntop = 2",
    );
    work.write("kpis.toml", &derived);
    let out = work.run(&["run", "--as-of", "2026-11-15"]);
    out.expect_code(3);
    assert!(
        out.stderr
            .contains("kpi `revenue_per_order`: top: a derived KPI"),
        "{}",
        out.stderr
    );
    let flat = CONFIG.replacen("dimensions = [\"account\"]\ntop = 3", "top = 3", 1);
    work.write("kpis.toml", &flat);
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert!(out.stderr.contains("no `dimensions`"), "{}", out.stderr);
    work.write("kpis.toml", CONFIG.replacen("top = 3", "top = 0", 1));
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert!(out.stderr.contains("top = 0"), "{}", out.stderr);
    // kpi sql does not compile it, and so --results cannot honour it.
    work.write("kpis.toml", CONFIG);
    let sql = work.run(&["sql", "--dialect", "duckdb", "--kpi", "revenue"]);
    sql.expect_code(3);
    assert!(sql.stderr.contains("(top)"), "{}", sql.stderr);
    work.write("results.csv", "kpi,period,dimensions,value,rows\n");
    let results = work.run(&["run", "--as-of", "2026-11-15", "--results", "results.csv"]);
    results.expect_code(3);
    assert!(results.stderr.contains("top"), "{}", results.stderr);
}
