//! Targets of `direction = "down"` KPIs: attainment is target ÷ value, and a value at or below
//! the target is on track whatever the trend, in the table, JSON and HTML alike.

use crate::support::{Output, Workdir};
use serde_json::Value as Json;

/// One ticket a month, resolved in 1, 2, 4 then 7 days: a cycle time rising fast enough for
/// its trend to pass 45 days long before the end of 2028.
const TICKETS: &str = "id,opened,resolved\n\
1,2026-07-01,2026-07-02\n\
2,2026-08-01,2026-08-03\n\
3,2026-09-01,2026-09-05\n\
4,2026-10-01,2026-10-08\n";

/// The tickets, their cycle time with `target`, and the four months backfilled.
fn cycle_time(target: f64) -> Workdir {
    let work = Workdir::new();
    work.write("tickets.csv", TICKETS);
    work.write(
        "kpis.toml",
        format!(
            "[sources.tickets]\npath = \"tickets.csv\"\n\
             columns = {{ opened = \"date\", resolved = \"date\" }}\n\n\
             [[kpi]]\nid = \"cycle\"\nname = \"Cycle time\"\nsource = \"tickets\"\ntime = \"opened\"\n\
             formula = \"avg(date_diff('day', opened, resolved))\"\nunit = \"days\"\n\
             direction = \"down\"\ntarget = {{ value = {target}, by = \"2028-12-31\" }}\n"
        ),
    );
    let args = ["backfill", "--from", "2026-07-01", "--as-of", "2026-11-22"];
    work.run(&args).expect_code(0);
    work
}

fn check(work: &Workdir, format: &str) -> Output {
    let out = work.run(&["check", "--as-of", "2026-11-22", "--format", format]);
    out.expect_code(0);
    out
}

fn overall(work: &Workdir) -> Json {
    let out = check(work, "json");
    let json: Json = serde_json::from_str(&out.stdout).expect("json");
    json["results"][0].clone()
}

#[test]
fn a_down_kpi_under_its_target_is_attained_and_on_track() {
    let work = cycle_time(45.0);
    let table = check(&work, "table").stdout;
    assert!(table.contains("┆ 643 % of 45.0 d ┆"), "{table}");
    assert!(!table.contains("off track"), "{table}");

    let result = overall(&work);
    assert_eq!(result["value"], 7.0);
    assert_eq!(result["attainment"], 45.0 / 7.0);
    assert!(
        result["projected"].as_f64().is_some_and(|p| p > 45.0),
        "{result}"
    );
    assert_eq!(result["on_track"], true);

    let out = work.run(&["run", "--as-of", "2026-11-22", "--format", "html"]);
    out.expect_code(0);
    assert!(out.stdout.contains("<span class=\"on\">on track</span>"));
}

#[test]
fn a_down_kpi_above_its_target_is_judged_by_its_trend() {
    let work = cycle_time(5.0);
    let table = check(&work, "table").stdout;
    assert!(table.contains("71 % of 5.0 d, off track"), "{table}");
    let result = overall(&work);
    assert_eq!(result["attainment"], 5.0 / 7.0);
    assert_eq!(result["on_track"], false);
}
