//! Baselines and windows where a person reads them: `kpi explain` names each baseline's
//! window and says what a windowed value covers, `kpi catalog` lists both, and `kpi history`
//! compares each archived value with the KPI's baselines, read from the archive.

use crate::support::Workdir;
use serde_json::Value as Json;

const CONFIG: &str = r#"
[settings]
archive = "archive"

[sources.deals]
path = "deals.csv"

[[kpi]]
id = "deals"
source = "deals"
time = "closed_at"
frequency = "month"
formula = "count(*)"
compare = ["previous", "year_ago"]

[[kpi]]
id = "deals_3m"
source = "deals"
time = "closed_at"
frequency = "month"
formula = "count(*)"
window = "3 months"
"#;

// One deal in 2025-10; in 2026: 2 in August, 3 in September, 4 in October.
const DEALS: &str = "closed_at
2025-10-15
2026-08-01
2026-08-31
2026-09-01
2026-09-15
2026-09-30
2026-10-01
2026-10-02
2026-10-03
2026-10-31
";

fn work() -> Workdir {
    let work = Workdir::new();
    work.write("kpis.toml", CONFIG);
    work.write("deals.csv", DEALS);
    work
}

#[test]
fn explain_names_each_baseline_window_and_what_a_window_covers() {
    let work = work();
    let out = work.run(&["explain", "deals", "--as-of", "2026-11-22"]);
    out.expect_code(0);
    for line in [
        "inside 2026-10-01 to 2026-10-31",
        "inside 2026-09-01 to 2026-09-30 (previous, 2026-09)",
        "inside 2025-10-01 to 2025-10-31 (year_ago, 2025-10)",
        "2025-10-01 to 2025-10-31 (year_ago, 2025-10): 1 = 1",
    ] {
        assert!(out.stdout.contains(line), "no `{line}` in:\n{}", out.stdout);
    }
    let out = work.run(&["explain", "deals_3m", "--as-of", "2026-11-22"]);
    out.expect_code(0);
    for line in [
        "each value covers a trailing 3 months, ending with its period's end",
        "2026-08-01 to 2026-10-31: 9 = 9",
        "2026-07-01 to 2026-09-30: 5 = 5",
    ] {
        assert!(out.stdout.contains(line), "no `{line}` in:\n{}", out.stdout);
    }
}

#[test]
fn the_catalog_lists_baselines_and_windows_when_set() {
    let out = work().run(&["catalog"]);
    out.expect_code(0);
    assert!(
        out.stdout
            .contains("**Compared with:** `previous`, `year_ago`"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("**Window:** a trailing 3 months, ending with each period"),
        "{}",
        out.stdout
    );
}

#[test]
fn history_compares_archived_values_with_each_baseline() {
    let work = work();
    work.run(&[
        "backfill",
        "--from",
        "2025-10-01",
        "--to",
        "2026-10-31",
        "--as-of",
        "2026-11-22",
    ])
    .expect_code(0);
    let out = work.run(&["history", "deals", "--format", "json"]);
    out.expect_code(0);
    let json: Json = serde_json::from_str(&out.stdout).expect("JSON");
    let october = json["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["period"] == "2026-10")
        .cloned()
        .unwrap_or_else(|| panic!("no 2026-10 in {json:#}"));
    assert_eq!(october["value"], 4.0, "{october:#}");
    assert_eq!(october["previous_value"], 3.0, "{october:#}");
    let year_ago = &october["comparisons"][1];
    assert_eq!(year_ago["baseline"], "year_ago", "{october:#}");
    assert_eq!(year_ago["period"], "2025-10", "{october:#}");
    assert_eq!(year_ago["value"], 1.0, "{october:#}");
    assert_eq!(year_ago["delta"], 3.0, "{october:#}");
}

/// Data that stops before October is stale for October's 3-month window, though the window
/// (August to October) holds rows: the value would stand for months the export lacks.
#[test]
fn a_window_is_stale_when_the_data_stops_before_its_period() {
    let work = Workdir::new();
    work.write("kpis.toml", CONFIG);
    work.write("deals.csv", "closed_at\n2026-08-01\n2026-09-15\n");
    let out = work.run(&[
        "run",
        "--as-of",
        "2026-11-22",
        "--kpi",
        "deals_3m",
        "--format",
        "json",
        "--no-archive",
    ]);
    out.expect_code(0);
    let json: Json = serde_json::from_str(&out.stdout).expect("JSON");
    let overall = &json["results"][0];
    assert_eq!(overall["period"], "2026-10", "{overall:#}");
    assert_eq!(overall["period_start"], "2026-08-01", "{overall:#}");
    assert_eq!(overall["status"], "stale", "{overall:#}");
    assert!(out.stderr.contains("no row in 2026-10"), "{}", out.stderr);
}

/// `kpi history`'s table has a Δ per baseline, as `kpi run`'s.
#[test]
fn the_history_table_has_a_delta_per_baseline() {
    let work = work();
    work.run(&[
        "backfill",
        "--from",
        "2025-10-01",
        "--to",
        "2026-10-31",
        "--as-of",
        "2026-11-22",
    ])
    .expect_code(0);
    let out = work.run(&["history", "deals", "--width", "0"]);
    out.expect_code(0);
    let header = out.stdout.lines().nth(2).unwrap_or_default();
    assert!(
        header.contains("Δ prev") && header.contains("Δ year ago"),
        "{}",
        out.stdout
    );
    // October 2026: 4 deals, 3 in September (+1), 1 in October 2025 (+3).
    let october = out
        .stdout
        .lines()
        .find(|l| l.contains("2026-10"))
        .unwrap_or_default();
    assert!(october.contains("+1 (+33.3 %)"), "{}", out.stdout);
    assert!(october.contains("+3 (+300.0 %)"), "{}", out.stdout);
}
