//! Baselines and the archive: a recorded value is the baseline's value even when the data
//! now says otherwise, and the window is part of the definition's fingerprint.

use super::{config, daily, overall, run_at, run_results, sum_of_days, total};
use crate::support::Workdir;

/// Records the period before `as_of` in the archive.
fn record(work: &Workdir, as_of: &str) {
    run_at(work, as_of, "previous", &["--format", "json"]).expect_code(0);
}

/// Multiplies every `amount` of the fixture by `factor`: a corrected export.
fn restate(work: &Workdir, factor: i64) {
    let text = work.read("daily.csv");
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().expect("header"));
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        let amount: i64 = fields[1].parse().expect("amount");
        out.push_str(&format!(
            "{},{},{}\n",
            fields[0],
            amount * factor,
            fields[2]
        ));
    }
    work.write("daily.csv", out);
}

#[test]
fn a_baseline_recorded_in_the_archive_is_taken_from_it() {
    let work = daily(
        "",
        &total("month", "compare = [\"previous\", \"year_ago\"]"),
    );
    record(&work, "2025-11-15");
    restate(&work, 10);
    let results = run_results(&work, "2026-11-15", "previous", &[]);
    let result = overall(&results);
    let october = sum_of_days("2026-10-01", "2026-10-31", None);
    assert_eq!(result["value"].as_f64(), Some(10.0 * october));
    // September 2026 was never recorded: from the data as it is now.
    let previous = &result["comparisons"][0];
    let september = sum_of_days("2026-09-01", "2026-09-30", None);
    assert_eq!(
        previous["value"].as_f64(),
        Some(10.0 * september),
        "{result:#}"
    );
    // October 2025 was recorded before the restatement: the recorded value.
    let year_ago = &result["comparisons"][1];
    assert_eq!(year_ago["period"], "2025-10");
    let recorded = sum_of_days("2025-10-01", "2025-10-31", None);
    assert_eq!(year_ago["value"].as_f64(), Some(recorded), "{result:#}");
    assert_eq!(year_ago["comparable"], true);
}

#[test]
fn adding_a_window_makes_the_archived_value_not_comparable() {
    let work = daily("", &total("month", ""));
    record(&work, "2026-10-15");
    work.write(
        "kpis.toml",
        config("", &total("month", "window = \"3 months\"")),
    );
    let results = run_results(&work, "2026-11-15", "previous", &[]);
    let result = overall(&results);
    assert_eq!(result["period_start"], "2026-08-01");
    let window = sum_of_days("2026-08-01", "2026-10-31", None);
    assert_eq!(result["value"].as_f64(), Some(window));
    // The archived September is September alone, under the old definition.
    let september = sum_of_days("2026-09-01", "2026-09-30", None);
    assert_eq!(
        result["previous_value"].as_f64(),
        Some(september),
        "{result:#}"
    );
    assert_eq!(result["comparable"], false, "{result:#}");
    assert_eq!(result["comparisons"][0]["comparable"], false);
    // Without the archive's value, the window of September is computed: like-for-like.
    std::fs::remove_dir_all(work.path().join("kpi-archive")).expect("remove archive");
    let results = run_results(&work, "2026-11-15", "previous", &[]);
    let result = overall(&results);
    let window_before = sum_of_days("2026-07-01", "2026-09-30", None);
    assert_eq!(result["previous_value"].as_f64(), Some(window_before));
    assert_eq!(result["comparable"], true);
}
