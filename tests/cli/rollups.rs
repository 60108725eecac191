//! Rollup sources, computed columns and lookups from sources (SPEC.md, "Rollups, computed
//! columns and top-N"): KPIs over entities built from event rows, checked against the same
//! figures computed here from the events.

use crate::support::Workdir;
use std::collections::BTreeMap;

/// One status change of a support ticket.
struct Event {
    ticket: String,
    /// Hours since 2026-09-01 00:00.
    hour: u32,
    status: &'static str,
    team: &'static str,
}

/// 300 tickets opened from September on, each Opened, then Assigned (some escalated to L2),
/// Closed, some Reopened and Closed again, one in seven never closed; written in an order that
/// is not the tickets' (rows of each ticket are spread over the file).
fn events() -> Vec<Event> {
    let mut events = Vec::new();
    for t in 0..300u32 {
        let ticket = format!("T{t:04}");
        let opened = t * 7 % 1400;
        let first_team = if t % 3 == 0 { "L2" } else { "L1" };
        events.push(Event {
            ticket: ticket.clone(),
            hour: opened,
            status: "Opened",
            team: first_team,
        });
        let escalated = if t % 4 == 1 { "L2" } else { first_team };
        events.push(Event {
            ticket: ticket.clone(),
            hour: opened + 1 + t % 5,
            status: "Assigned",
            team: escalated,
        });
        if t % 7 == 3 {
            continue;
        }
        let closed = opened + 4 + (t * 13) % 90;
        events.push(Event {
            ticket: ticket.clone(),
            hour: closed,
            status: "Closed",
            team: escalated,
        });
        if t % 5 == 2 {
            events.push(Event {
                ticket: ticket.clone(),
                hour: closed + 10,
                status: "Reopened",
                team: escalated,
            });
            events.push(Event {
                ticket,
                hour: closed + 30 + t % 11,
                status: "Closed",
                team: "L3",
            });
        }
    }
    // Interleave: every third event moves to the end, so a ticket's rows are not together.
    let (mut kept, mut moved) = (Vec::new(), Vec::new());
    for (i, e) in events.into_iter().enumerate() {
        if i % 3 == 0 { &mut moved } else { &mut kept }.push(e);
    }
    kept.extend(moved);
    kept
}

fn timestamp(hour: u32) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 9, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("date");
    (start + chrono::TimeDelta::hours(hour as i64))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn events_csv(events: &[Event]) -> String {
    let mut csv = String::from("event_id,ticket_id,event_time,status,team\n");
    for (i, e) in events.iter().enumerate() {
        csv.push_str(&format!(
            "{},{},{},{},{}\n",
            i + 1,
            e.ticket,
            timestamp(e.hour),
            e.status,
            e.team
        ));
    }
    csv
}

const SOURCES: &str = r#"
[sources.ticket_events]
path = "data/ticket_events.csv"
computed = { is_closed = "status = 'Closed'" }

[sources.tickets]
rollup = "ticket_events"
by = "ticket_id"
columns = { opened_at = "min(event_time)", closed_at = "max(event_time) FILTER (WHERE is_closed)", team = "arg_max(team, event_time)", reopened = "bool_or(status = 'Reopened')", first_team = "arg_min(team, event_time)", events = "count(*)" }
computed = { speed = "CASE WHEN date_diff('hour', opened_at, closed_at) < 24 THEN 'same day' ELSE 'later' END" }
"#;

const KPIS: &str = r#"
[[kpi]]
id = "resolution_hours"
source = "tickets"
time = "closed_at"
formula = "median(date_diff('hour', opened_at, closed_at))"
dimensions = ["team", "speed"]

[[kpi]]
id = "reopened_share"
source = "tickets"
time = "closed_at"
formula = "count_if(reopened) / count(*)"

[[kpi]]
id = "escalated"
source = "tickets"
time = "opened_at"
formula = "count_if(team <> first_team)"
"#;

fn work() -> Workdir {
    let work = Workdir::new();
    work.write("data/ticket_events.csv", events_csv(&events()));
    work.write("kpis.toml", format!("{SOURCES}{KPIS}"));
    work
}

/// Per ticket: opened hour, last close hour, team of the last event, team of the first,
/// whether it was reopened.
struct Ticket {
    opened: u32,
    closed: Option<u32>,
    last: (u32, &'static str),
    first: (u32, &'static str),
    reopened: bool,
}

fn tickets(events: &[Event]) -> BTreeMap<String, Ticket> {
    let mut tickets: BTreeMap<String, Ticket> = BTreeMap::new();
    for e in events {
        let t = tickets.entry(e.ticket.clone()).or_insert(Ticket {
            opened: e.hour,
            closed: None,
            last: (e.hour, e.team),
            first: (e.hour, e.team),
            reopened: false,
        });
        t.opened = t.opened.min(e.hour);
        if e.status == "Closed" {
            t.closed = Some(t.closed.map_or(e.hour, |c| c.max(e.hour)));
        }
        if e.hour > t.last.0 {
            t.last = (e.hour, e.team);
        }
        if e.hour < t.first.0 {
            t.first = (e.hour, e.team);
        }
        t.reopened |= e.status == "Reopened";
    }
    tickets
}

/// DuckDB's median: the mean of the two middle values of an even count.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Hours of the tickets closed in October 2026 (hours 720 to 1464 after September 1st).
fn october(tickets: &BTreeMap<String, Ticket>, team: Option<&str>) -> (Vec<f64>, usize) {
    let closed: Vec<&Ticket> = tickets
        .values()
        .filter(|t| t.closed.is_some_and(|c| (720..1464).contains(&c)))
        .filter(|t| team.is_none_or(|team| t.last.1 == team))
        .collect();
    let hours = closed
        .iter()
        .filter_map(|t| Some((t.closed? - t.opened) as f64))
        .collect();
    (hours, closed.iter().filter(|t| t.reopened).count())
}

/// The October 2026 value of a KPI and breakdown in `kpi run --format csv`'s output
/// (`kpi`, `period`, `dimensions` and `value` are its columns 1, 4, 7 and 8).
fn value_of(csv: &str, kpi: &str, dimensions: &str) -> f64 {
    value_in(csv, kpi, "2026-10", dimensions)
}

fn value_in(csv: &str, kpi: &str, period: &str, dimensions: &str) -> f64 {
    let row = csv
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f.len() > 7 && f[0] == kpi && f[3] == period && f[6] == dimensions)
        .unwrap_or_else(|| panic!("no {kpi} {dimensions} in:\n{csv}"));
    row[7]
        .parse()
        .unwrap_or_else(|_| panic!("no value in {row:?}"))
}

#[test]
fn resolution_time_from_a_status_log_equals_the_events_computed_by_hand() {
    let out = work().run(&crate::support::RUN_CSV);
    out.expect_code(0);
    let tickets = tickets(&events());
    let (hours, reopened) = october(&tickets, None);
    assert!(hours.len() > 50, "{}", hours.len());
    let csv = &out.stdout;
    assert_eq!(value_of(csv, "resolution_hours", ""), median(hours.clone()));
    for team in ["L1", "L2", "L3"] {
        let (hours, _) = october(&tickets, Some(team));
        assert!(!hours.is_empty(), "{team}");
        let got = value_of(csv, "resolution_hours", &format!("team={team}"));
        assert_eq!(got, median(hours), "team {team}");
    }
    let share = reopened as f64 / hours.len() as f64;
    assert!((value_of(csv, "reopened_share", "") - share).abs() < 1e-12);
    // A computed column of the rollup is a dimension.
    let same_day: Vec<f64> = hours.iter().copied().filter(|h| *h < 24.0).collect();
    let got = value_of(csv, "resolution_hours", "speed=same day");
    assert_eq!(got, median(same_day));
    // Escalated: opened in October with a last team other than the first.
    let escalated = tickets
        .values()
        .filter(|t| (720..1464).contains(&t.opened) && t.last.1 != t.first.1)
        .count();
    assert_eq!(value_of(csv, "escalated", ""), escalated as f64);
}

#[test]
fn a_rollup_gives_the_same_bits_on_any_number_of_threads() {
    let work = work();
    let run = |threads: &str, piece: &str| {
        let mut command = work.command(&[
            "run",
            "--as-of",
            "2026-11-15",
            "--no-archive",
            "--format",
            "csv",
            "--threads",
            threads,
        ]);
        command.env("KPI_PIECE_BYTES", piece);
        let out = crate::support::Output::of(command.output().expect("run kpi"));
        out.expect_code(0);
        out.stdout
    };
    let one = run("1", "1000000");
    for (threads, piece) in [("2", "97"), ("3", "211"), ("7", "1000")] {
        assert_eq!(
            run(threads, piece),
            one,
            "--threads {threads}, {piece}-byte pieces"
        );
    }
}

#[test]
fn explain_says_what_the_rollup_is_built_from() {
    let out = work().run(&["explain", "resolution_hours", "--as-of", "2026-11-15"]);
    out.expect_code(0);
    let rows = events().len();
    let expected = format!(
        "source `tickets`: a rollup of source `ticket_events`, one row per entity: 300 entities from {rows} rows"
    );
    assert!(out.stdout.contains(&expected), "{}", out.stdout);
    assert!(
        out.stdout.contains("entities of the rollup"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_cohort_comes_back_onto_the_orders_through_a_lookup_from_a_rollup() {
    let work = Workdir::new();
    // Customer c's first order is in month 1 + c % 3 of 2026; every customer orders again in
    // October when c is even.
    let mut orders = String::from("order_id,customer_id,ordered_at,amount\n");
    let mut id = 0;
    let mut line = |customer: u32, date: &str| {
        id += 1;
        orders.push_str(&format!("{id},C{customer:03},{date},{}\n", 10 + customer));
    };
    for c in 0..60 {
        line(c, &format!("2026-{:02}-{:02}", 1 + c % 3, 1 + c % 28));
        if c % 2 == 0 {
            line(c, &format!("2026-10-{:02}", 1 + c % 28));
        }
    }
    work.write("data/orders.csv", orders);
    work.write(
        "kpis.toml",
        r#"
[sources.orders]
path = "data/orders.csv"
computed = { cohort = "date_trunc('month', first_order)" }

[sources.orders.lookup.customers]
source = "customers"
on = "customer_id"
columns = ["first_order"]

[sources.customers]
rollup = "orders"
by = "customer_id"
columns = { first_order = "min(ordered_at)", orders = "count(*)" }
computed = { cohort = "date_trunc('month', first_order)" }

[sources.first_orders]
rollup = "customers"
by = "first_order"
columns = { customers = "count(*)" }

[[kpi]]
id = "active_customers"
source = "orders"
time = "ordered_at"
formula = "count(DISTINCT customer_id)"
dimensions = ["cohort"]

[[kpi]]
id = "cohort_size"
source = "customers"
formula = "count(*)"
dimensions = ["cohort"]

[[kpi]]
id = "cohort_active"
formula = "active_customers / cohort_size"

[[kpi]]
id = "repeat_customers"
source = "customers"
formula = "count_if(orders > 1)"

[[kpi]]
id = "first_order_days"
source = "first_orders"
formula = "count(*)"
"#,
    );
    let out = work.run(&crate::support::RUN_CSV);
    out.expect_code(0);
    let csv = &out.stdout;
    // Even customers of each cohort: c % 3 == m - 1 and c even, 10 of each.
    for month in 1..=3 {
        let label = format!("cohort=2026-{month:02}-01");
        assert_eq!(value_of(csv, "active_customers", &label), 10.0, "{csv}");
    }
    assert_eq!(value_of(csv, "active_customers", ""), 30.0);
    // A derived KPI over a snapshot (the cohorts' sizes now) and October's active customers:
    // 10 of each cohort's 20 customers.
    for month in 1..=3 {
        let label = format!("cohort=2026-{month:02}-01");
        assert_eq!(value_of(csv, "cohort_active", &label), 0.5, "{csv}");
    }
    // Snapshot KPIs over rollups: every row as it is now, in the current period.
    assert_eq!(
        value_in(csv, "repeat_customers", "2026-11", ""),
        30.0,
        "{csv}"
    );
    // A rollup of a rollup: the distinct first-order dates.
    let days: std::collections::BTreeSet<(u32, u32)> =
        (0..60).map(|c| (1 + c % 3, 1 + c % 28)).collect();
    let got = value_in(csv, "first_order_days", "2026-11", "");
    assert_eq!(got, days.len() as f64, "{csv}");
}

#[test]
fn computed_columns_feed_filters_time_and_each_other() {
    let work = Workdir::new();
    work.write(
        "data/deals.csv",
        "id,closed_at,amount,stage\n1,2026-10-03,100,Won\n2,2026-10-20,700,Won\n\
         3,2026-10-21,50,Lost\n4,2026-09-30,900,Won\n5,2026-10-31,2000,won\n",
    );
    work.write(
        "kpis.toml",
        r#"
[sources.deals]
path = "data/deals.csv"
computed = { won = "lower(stage) = 'won'", big_won = "won AND amount >= 500", month_end = "closed_at + 1" }

[[kpi]]
id = "big_wins"
source = "deals"
time = "month_end"
formula = "count(*)"
filter = "big_won"
"#,
    );
    let out = work.run(&crate::support::RUN_CSV);
    out.expect_code(0);
    // month_end moves the 30 September deal into October and the 31 October one out.
    assert_eq!(value_of(&out.stdout, "big_wins", ""), 2.0, "{}", out.stdout);
}

/// A configuration with `extra` after the ticket sources, and the error of `kpi run`.
fn refused(sources: &str, kpis: &str) -> String {
    let work = Workdir::new();
    work.write("data/ticket_events.csv", events_csv(&events()[..20]));
    work.write("kpis.toml", format!("{sources}{kpis}"));
    let out = work.run(&crate::support::RUN_CSV);
    out.expect_code(3);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    out.stderr
}

#[test]
fn a_rollup_without_by_or_with_a_path_is_refused_at_its_line() {
    let err = refused(
        "[sources.ticket_events]\npath = \"data/ticket_events.csv\"\n\n\
         [sources.tickets]\nrollup = \"ticket_events\"\ncolumns = { n = \"count(*)\" }\n",
        "",
    );
    assert!(
        err.contains("kpis.toml:5:10: source `tickets`: a rollup needs `by`"),
        "{err}"
    );
    let err = refused(
        "[sources.ticket_events]\npath = \"data/ticket_events.csv\"\n\n\
         [sources.tickets]\nrollup = \"ticket_events\"\nby = \"ticket_id\"\npath = \"x.csv\"\n\
         columns = { n = \"count(*)\" }\n",
        "",
    );
    assert!(
        err.contains("kpis.toml:7:8: source `tickets`: a rollup is built"),
        "{err}"
    );
    let err = refused(
        "[sources.tickets]\nrollup = \"nowhere\"\nby = \"ticket_id\"\ncolumns = { n = \"count(*)\" }\n",
        "",
    );
    assert!(
        err.contains(
            "source `tickets` reads rows of source `nowhere`, which the file does not define"
        ),
        "{err}"
    );
    let err = refused(
        "[sources.a]\nrollup = \"b\"\nby = \"x\"\ncolumns = { n = \"count(*)\" }\n\n\
         [sources.b]\nrollup = \"a\"\nby = \"x\"\ncolumns = { n = \"count(*)\" }\n",
        "",
    );
    assert!(err.contains("a cycle"), "{err}");
}

#[test]
fn rollup_columns_and_computed_columns_are_type_checked_with_their_place() {
    let tickets = "[sources.ticket_events]\npath = \"data/ticket_events.csv\"\n\n\
                   [sources.tickets]\nrollup = \"ticket_events\"\nby = \"ticket_id\"\n";
    let kpi = "\n[[kpi]]\nid = \"n\"\nsource = \"tickets\"\nformula = \"count(*)\"\n";
    let err = refused(
        &format!("{tickets}columns = {{ opened_at = \"min(event_tme)\" }}\n"),
        kpi,
    );
    assert!(
        err.contains("source `tickets`: column `opened_at`: unknown column `event_tme`"),
        "{err}"
    );
    assert!(err.contains("(line 7, column 30)"), "{err}");
    let err = refused(&format!("{tickets}columns = {{ n = \"status\" }}\n"), kpi);
    assert!(
        err.contains("column `status` is used outside an aggregate"),
        "{err}"
    );
    let err = refused(&format!("{tickets}columns = {{ n = \"1\" }}\n"), kpi);
    assert!(err.contains("aggregates an entity's rows"), "{err}");
    let err = refused(
        &format!("{tickets}columns = {{ by_team = \"arg_max(team, status)\" }}\n"),
        kpi,
    );
    assert!(
        err.contains("orders rows by a number, date or datetime"),
        "{err}"
    );
    // Computed columns: an unknown column, and a cycle.
    let events = "[sources.ticket_events]\npath = \"data/ticket_events.csv\"\n";
    let kpi = "\n[[kpi]]\nid = \"n\"\nsource = \"ticket_events\"\nformula = \"count(*)\"\n";
    let err = refused(
        &format!("{events}computed = {{ late = \"stauts = 'Closed'\" }}\n"),
        kpi,
    );
    assert!(
        err.contains("source `ticket_events`: computed column `late`: unknown column `stauts`"),
        "{err}"
    );
    let err = refused(
        &format!("{events}computed = {{ a = \"b + 1\", b = \"a + 1\" }}\n"),
        kpi,
    );
    assert!(
        err.contains("computed columns a, b are computed from each other"),
        "{err}"
    );
    let err = refused(
        &format!("{events}computed = {{ status = \"lower(team)\" }}\n"),
        kpi,
    );
    assert!(
        err.contains("has the name of a column it already has"),
        "{err}"
    );
}

#[test]
fn a_row_value_aggregate_is_for_rollups_only() {
    let err = refused(
        "[sources.ticket_events]\npath = \"data/ticket_events.csv\"\n",
        "\n[[kpi]]\nid = \"n\"\nsource = \"ticket_events\"\nformula = \"count(*) + 0 * first(event_id)\"\n",
    );
    assert!(err.contains("`first` gives one row's value"), "{err}");
}

#[test]
fn a_runaway_by_stops_the_run_at_max_entities() {
    let work = work();
    let config = format!("[settings]\nmax_entities = 50\n{}", work.read("kpis.toml"));
    work.write("kpis.toml", config);
    let out = work.run(&crate::support::RUN_CSV);
    out.expect_code(3);
    assert!(
        out.stderr.contains(
            "source `tickets`: the rollup has more than 50 entities (settings.max_entities)"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn validate_builds_a_rollup_from_a_sample_and_checks_its_kpis() {
    let work = work();
    work.run(&["validate"]).expect_code(0);
    let config = work.read("kpis.toml").replace(
        "formula = \"count_if(reopened) / count(*)\"",
        "formula = \"count_if(reopend) / count(*)\"",
    );
    work.write("kpis.toml", config);
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert!(
        out.stderr.contains("unknown column `reopend`"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_changed_rollup_definition_makes_archived_values_not_comparable() {
    let work = work();
    let comparable = |work: &Workdir| {
        let out = work.run(&["run", "--as-of", "2026-11-15", "--format", "csv"]);
        out.expect_code(0);
        let header: Vec<&str> = out
            .stdout
            .lines()
            .next()
            .unwrap_or_default()
            .split(',')
            .collect();
        let column = header
            .iter()
            .position(|c| *c == "comparable")
            .expect("comparable");
        let row = out
            .stdout
            .lines()
            .find(|l| l.starts_with("reopened_share,"))
            .map(|l| l.split(',').nth(column).unwrap_or_default().to_string());
        row.unwrap_or_default()
    };
    work.run(&["backfill", "--from", "2026-09-01", "--as-of", "2026-11-15"])
        .expect_code(0);
    assert_eq!(comparable(&work), "true");
    // The same formula over a rollup whose column means something else now.
    let config = work.read("kpis.toml").replace(
        "reopened = \"bool_or(status = 'Reopened')\"",
        "reopened = \"bool_or(status = 'Assigned')\"",
    );
    work.write("kpis.toml", config);
    assert_eq!(comparable(&work), "false");
}

#[test]
fn kpi_sql_writes_rollups_computed_columns_and_lookups_from_sources() {
    let work = work();
    let out = work.run(&["sql", "--dialect", "duckdb", "--as-of", "2026-11-15"]);
    out.expect_code(0);
    assert!(out.stdout.contains("GROUP BY r.b0"), "{}", out.stdout);
    // The events' computed column is written as its expression; a rollup's rows are its own.
    let rows = work.run(&["sql", "--dialect", "duckdb", "--rows", "ticket_events"]);
    rows.expect_code(0);
    assert!(rows.stdout.contains("AS \"is_closed\""), "{}", rows.stdout);
    let rows = work.run(&["sql", "--dialect", "duckdb", "--rows", "tickets"]);
    rows.expect_code(0);
    assert!(rows.stdout.contains("rollup_0 AS ("), "{}", rows.stdout);
    // The events looking up their own rollup: built from the events without that lookup.
    let config = format!(
        "{SOURCES}\n[sources.ticket_events.lookup.tickets]\nsource = \"tickets\"\non = \"ticket_id\"\ncolumns = [\"opened_at\"]\n{KPIS}"
    );
    work.write("kpis.toml", config);
    let rows = work.run(&["sql", "--dialect", "duckdb", "--rows", "ticket_events"]);
    rows.expect_code(0);
    let query = &rows.stdout;
    assert!(
        query.contains("lookup_ticket_events_tickets AS ("),
        "{query}"
    );
    assert!(query.contains("AS \"opened_at\""), "{query}");
}
