//! The worked examples of docs/rollups.md against an independent computation: DuckDB groups
//! the bundled event logs by entity (ticket, lead, customer), then computes each KPI over the
//! entities, as SQL written by hand would; every value `kpi run` gives (the period's and the
//! previous period's) must equal DuckDB's.

use super::duckdb;
use crate::support::{repo_root, Workdir};
use std::collections::BTreeMap;

/// Every KPI of the page, per (kpi, period, breakdown label), for September and October 2026
/// (`cohort_size` has no time: its one value is November's, now).
const REFERENCE: &str = r#"
WITH events AS (
    SELECT ticket_id, event_time, trim(status) AS status, trim(team) AS team
    FROM read_csv('examples/data/ticket_events.csv', all_varchar = true,
                  types = {'event_time': 'TIMESTAMP'})
), tickets AS (
    SELECT ticket_id,
           min(event_time) AS opened_at,
           max(event_time) FILTER (WHERE status = 'Closed') AS closed_at,
           arg_max(team, event_time) AS team,
           bool_or(status = 'Reopened') AS reopened
    FROM events GROUP BY ticket_id
), leads AS (
    SELECT lead_id,
           min(changed_at) FILTER (WHERE trim(stage) = 'Created') AS created_at,
           min(changed_at) FILTER (WHERE trim(stage) = 'Qualified') AS qualified_at,
           min(changed_at) FILTER (WHERE trim(stage) = 'Won') AS won_at,
           first(trim(channel)) AS channel
    FROM read_csv('examples/data/lead_events.csv', all_varchar = true,
                  types = {'changed_at': 'TIMESTAMP'})
    GROUP BY lead_id
), orders AS (
    SELECT trim(customer_id) AS customer_id, trim(warehouse) AS warehouse, ordered_at, amount
    FROM read_csv('examples/data/orders.csv', all_varchar = true,
                  types = {'ordered_at': 'DATE', 'amount': 'DOUBLE'})
), customers AS (
    SELECT customer_id, min(ordered_at) AS first_order, max(ordered_at) AS last_order,
           strftime(date_trunc('month', min(ordered_at)), '%Y-%m-%d') AS cohort,
           CASE WHEN date_diff('month', min(ordered_at), max(ordered_at)) < 3 THEN '0-2 months'
                WHEN date_diff('month', min(ordered_at), max(ordered_at)) < 12 THEN '3-11 months'
                ELSE '12+ months' END AS tenure
    FROM orders GROUP BY customer_id
), cohort_orders AS (
    SELECT o.*, c.cohort, c.tenure, strftime(o.ordered_at, '%Y-%m') AS month
    FROM orders o JOIN customers c USING (customer_id)
), active AS (
    SELECT month, cohort, count(DISTINCT customer_id) AS n
    FROM cohort_orders GROUP BY GROUPING SETS ((month), (month, cohort))
), top_customers AS (
    -- top = 10: October's ten best (ties by label); every other customer is (other), in
    -- October and in September alike.
    SELECT customer_id FROM cohort_orders WHERE month = '2026-10' GROUP BY customer_id
    ORDER BY sum(amount) DESC, customer_id LIMIT 10
), top_warehouses AS (
    SELECT warehouse FROM cohort_orders WHERE month = '2026-10' GROUP BY warehouse
    ORDER BY count(DISTINCT customer_id) DESC, warehouse LIMIT 2
), sizes AS (
    SELECT cohort, count(*) AS n FROM customers GROUP BY GROUPING SETS ((), (cohort))
)
SELECT 'resolution_hours' AS kpi, strftime(closed_at, '%Y-%m') AS period,
       coalesce('team=' || team, '') AS dimensions,
       median(date_diff('hour', opened_at, closed_at)) AS value
FROM tickets WHERE closed_at IS NOT NULL GROUP BY GROUPING SETS ((2), (2, team))
UNION ALL
SELECT 'reopened_share', strftime(closed_at, '%Y-%m'), '', count_if(reopened) / count(*)
FROM tickets WHERE closed_at IS NOT NULL GROUP BY 2
UNION ALL
SELECT 'leads_created', strftime(created_at, '%Y-%m'), '', count(*)
FROM leads WHERE created_at IS NOT NULL GROUP BY 2
UNION ALL
SELECT 'qualified_share', strftime(created_at, '%Y-%m'), '', count(qualified_at) / count(*)
FROM leads WHERE created_at IS NOT NULL GROUP BY 2
UNION ALL
SELECT 'won_30d_share', strftime(created_at, '%Y-%m'), coalesce('channel=' || channel, ''),
       count_if(won_at IS NOT NULL AND date_diff('day', created_at, won_at) <= 30) / count(*)
FROM leads WHERE created_at IS NOT NULL GROUP BY GROUPING SETS ((2), (2, channel))
UNION ALL
SELECT 'active_customers', month, coalesce('cohort=' || cohort, ''), n FROM active
UNION ALL
SELECT 'cohort_size', '2026-11', coalesce('cohort=' || cohort, ''), n FROM sizes
UNION ALL
SELECT 'cohort_retention', a.month, coalesce('cohort=' || a.cohort, ''), a.n / s.n
FROM active a JOIN sizes s ON a.cohort IS NOT DISTINCT FROM s.cohort
UNION ALL
SELECT 'revenue_by_tenure', month, coalesce('tenure=' || tenure, ''), sum(amount)
FROM cohort_orders GROUP BY GROUPING SETS ((month), (month, tenure))
UNION ALL
SELECT 'revenue_by_customer', month, coalesce('customer_id=' || shown, ''), sum(amount)
FROM (SELECT o.*, CASE WHEN t.customer_id IS NULL THEN '(other)' ELSE o.customer_id END AS shown
      FROM cohort_orders o LEFT JOIN top_customers t USING (customer_id))
GROUP BY GROUPING SETS ((month), (month, shown))
UNION ALL
SELECT 'customers_by_warehouse', month, coalesce('warehouse=' || shown, ''),
       count(DISTINCT customer_id)
FROM (SELECT o.*, CASE WHEN t.warehouse IS NULL THEN '(other)' ELSE o.warehouse END AS shown
      FROM cohort_orders o LEFT JOIN top_warehouses t USING (warehouse))
GROUP BY GROUPING SETS ((month), (month, shown))
"#;

/// The configuration of docs/rollups.md, as the page writes it.
fn page_config() -> String {
    let page = std::fs::read_to_string(repo_root().join("docs/rollups.md")).expect("page");
    let after = page
        .split_once("<!-- test: file rollups/kpis.toml -->")
        .expect("the page's configuration")
        .1;
    let body = after.split_once("```toml\n").expect("toml block").1;
    body.split_once("\n```")
        .expect("end of the block")
        .0
        .to_string()
        + "\n"
}

fn num(text: &str) -> Option<f64> {
    text.parse().ok()
}

#[test]
fn the_worked_examples_equal_duckdb_grouping_each_entity_first() {
    let work = Workdir::new();
    work.copy_dir(&repo_root().join("examples"), "examples");
    work.write("rollups/kpis.toml", page_config());
    let args = ["-c", "rollups/kpis.toml", "run", "--as-of", "2026-11-22"];
    let out = work.run(&[&args[..], &["--no-archive", "--format", "csv"]].concat());
    out.expect_code(0);
    let mut got: BTreeMap<(String, String, String), Option<f64>> = BTreeMap::new();
    let mut rows = csv::Reader::from_reader(out.stdout.as_bytes());
    for row in rows.records().map(|r| r.expect("row")) {
        let (kpi, dims) = (row[0].to_string(), row[6].to_string());
        got.insert(
            (kpi.clone(), row[3].to_string(), dims.clone()),
            num(&row[7]),
        );
        // A group without a value now (no_data: a cohort without an order this month) shows no
        // previous value either.
        if !row[8].is_empty() && !row[7].is_empty() {
            got.insert((kpi, row[8].to_string(), dims), num(&row[9]));
        }
    }
    work.write("reference.sql", REFERENCE);
    duckdb(&work, "run", "reference.sql", "reference.csv");
    let mut expected: BTreeMap<(String, String, String), Option<f64>> = BTreeMap::new();
    let text = work.read("reference.csv");
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    for row in rows.records().map(|r| r.expect("row")) {
        let key = (row[0].to_string(), row[1].to_string(), row[2].to_string());
        expected.insert(key, num(&row[3]));
    }
    assert!(got.len() > 150, "{} values", got.len());
    let mut differ = Vec::new();
    for (key, value) in &got {
        // A group without rows in a period: kpi has no value, DuckDB no row.
        let reference = expected.get(key).copied().flatten();
        let same = match (value, reference) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
            (None, None) => true,
            _ => false,
        };
        if !same {
            differ.push(format!("{key:?}: kpi {value:?}, DuckDB {reference:?}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{} differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
    for kpi in [
        "resolution_hours",
        "won_30d_share",
        "cohort_retention",
        "revenue_by_tenure",
        "revenue_by_customer",
        "customers_by_warehouse",
    ] {
        assert!(got.keys().filter(|k| k.0 == kpi).count() > 3, "{kpi}");
    }
}
