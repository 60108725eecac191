//! Mistakes in `compare`, `window`, `to_date` and the conditions naming baselines are
//! configuration errors (exit 3) naming the KPI and the key; mistakes in `--compare` are usage
//! errors (exit 2) naming the flag.

use super::{daily, run_at, total};

/// `kpi validate` and `kpi run` of `kpis` both fail with `code`, and say each of `says`.
fn assert_refused(kpis: &str, code: i32, says: &[&str]) {
    let work = daily("", kpis);
    for args in [vec!["validate"], vec!["run", "--as-of", "2026-11-15"]] {
        let out = work.run(&args);
        out.expect_code(code);
        for part in says {
            assert!(
                out.stderr.contains(part),
                "{args:?}: {part:?} in\n{}",
                out.stderr
            );
        }
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
}

#[test]
fn a_bad_or_repeated_baseline_is_refused() {
    let kpis = total("month", "compare = [\"previous\", \"last_year\"]");
    assert_refused(
        &kpis,
        3,
        &["kpi `total`", "compare", "`last_year` is not a baseline"],
    );
    let kpis = total("month", "compare = [\"year_ago\", \"year_ago\"]");
    assert_refused(&kpis, 3, &["kpi `total`", "compare", "year_ago"]);
    let kpis = total("month", "compare = [\"0_periods_ago\"]");
    assert_refused(&kpis, 3, &["kpi `total`", "compare", "0_periods_ago"]);
    // In settings: the message names settings.compare.
    let work = daily("compare = [\"yesterday\"]", &total("month", ""));
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert!(out.stderr.contains("compare"), "{}", out.stderr);
    assert!(out.stderr.contains("yesterday"), "{}", out.stderr);
}

#[test]
fn window_and_to_date_exclude_each_other() {
    let kpis = total("month", "window = \"3 months\"\nto_date = \"year\"");
    assert_refused(
        &kpis,
        3,
        &["kpi `total`", "window and to_date exclude each other"],
    );
}

#[test]
fn a_window_shorter_than_the_frequency_is_refused() {
    for (frequency, window) in [
        ("month", "4 weeks"),
        ("week", "6 days"),
        ("quarter", "2 months"),
    ] {
        let kpis = total(frequency, &format!("window = \"{window}\""));
        assert_refused(&kpis, 3, &["kpi `total`", "window", "shorter than a"]);
    }
    let kpis = total("month", "window = \"three months\"");
    assert_refused(&kpis, 3, &["kpi `total`", "window", "such as \"3 months\""]);
}

#[test]
fn to_date_no_longer_than_the_frequency_is_refused() {
    for (frequency, to_date) in [("month", "month"), ("quarter", "month"), ("year", "year")] {
        let kpis = total(frequency, &format!("to_date = \"{to_date}\""));
        assert_refused(&kpis, 3, &["kpi `total`", "to_date", "longer period"]);
    }
    let kpis = total("day", "to_date = \"week\"");
    assert_refused(
        &kpis,
        3,
        &[
            "kpi `total`",
            "to_date",
            "\"month\", \"quarter\" or \"year\"",
        ],
    );
}

#[test]
fn a_window_needs_a_kpi_with_time() {
    let derived = format!(
        "{}[[kpi]]\nid = \"twice\"\nformula = \"total * 2\"\nwindow = \"3 months\"\n",
        total("month", "")
    );
    assert_refused(&derived, 3, &["kpi `twice`", "window", "derived KPI"]);
    let snapshot = "[[kpi]]\nid = \"rows\"\nsource = \"daily\"\nformula = \"count(*)\"\n\
                    to_date = \"year\"\n";
    assert_refused(snapshot, 3, &["kpi `rows`", "to_date", "without `time`"]);
}

#[test]
fn a_condition_on_a_baseline_not_compared_with_is_refused() {
    let kpis = total("month", "warn = \"year_ago_delta_pct < -0.1\"");
    assert_refused(
        &kpis,
        3,
        &["kpi `total`", "warn", "does not compare with year_ago"],
    );
    let kpis = total(
        "month",
        "compare = [\"previous\"]\nfail = \"value < \\\"4_periods_ago\\\"\"",
    );
    assert_refused(&kpis, 3, &["kpi `total`", "fail", "4_periods_ago"]);
}

/// With compare = ["year_ago", "previous"], `previous` would read as the period before but
/// is the first baseline's value: refused, with the names to write.
#[test]
fn previous_in_a_condition_is_ambiguous_when_previous_is_not_first() {
    let kpis = total(
        "month",
        "compare = [\"year_ago\", \"previous\"]\nwarn = \"value < previous\"",
    );
    assert_refused(
        &kpis,
        3,
        &["kpi `total`", "warn", "`previous` is the first baseline"],
    );
    // The delta names are not ambiguous.
    let fine = total(
        "month",
        "compare = [\"year_ago\", \"previous\"]\nwarn = \"previous_delta < 0\"",
    );
    daily("", &fine).run(&["validate"]).expect_code(0);
}

#[test]
fn a_derived_kpi_compares_only_with_its_inputs_baselines() {
    let kpis = format!(
        "{}[[kpi]]\nid = \"twice\"\nformula = \"total * 2\"\ncompare = [\"year_ago\"]\n",
        total("month", "")
    );
    assert_refused(
        &kpis,
        3,
        &["kpi `twice`", "year_ago", "`total` (one of its inputs)"],
    );
}

#[test]
fn compare_flag_mistakes_are_usage_errors() {
    let work = daily(
        "",
        &total(
            "month",
            "compare = [\"previous\", \"year_ago\"]\nwarn = \"year_ago_delta < 0\"",
        ),
    );
    let cases: [(&[&str], &str); 3] = [
        (
            &["--compare", "last_year"],
            "--compare: `last_year` is not a baseline",
        ),
        (
            &["--compare", "year_ago", "--compare", "year_ago"],
            "--compare year_ago is given twice",
        ),
        (
            &["--compare", "previous"],
            "kpi `total` has a condition on year_ago",
        ),
    ];
    for (flags, says) in cases {
        for command in ["run", "check"] {
            let mut args = vec![command, "--as-of", "2026-11-15"];
            args.extend_from_slice(flags);
            let out = work.run(&args);
            out.expect_code(2);
            assert!(
                out.stderr.contains(says),
                "{args:?}: {says:?} in\n{}",
                out.stderr
            );
        }
    }
    // The same configuration runs with the baseline its condition needs.
    run_at(
        &work,
        "2026-11-15",
        "previous",
        &["--compare", "year_ago", "--no-archive"],
    )
    .expect_code(0);
}

/// Only the KPIs a run computes must keep their condition's baselines: `--kpi plain
/// --compare previous` runs although another KPI's condition names year_ago.
#[test]
fn compare_flag_checks_only_the_kpis_it_computes() {
    let judged = total(
        "month",
        "compare = [\"previous\", \"year_ago\"]\nwarn = \"year_ago_delta < 0\"",
    );
    let plain = total("month", "").replace("\"total\"", "\"plain\"");
    let work = daily("", &format!("{judged}{plain}"));
    let only_plain = ["--kpi", "plain", "--compare", "previous", "--no-archive"];
    run_at(&work, "2026-11-15", "previous", &only_plain).expect_code(0);
    let out = run_at(&work, "2026-11-15", "previous", &["--compare", "previous"]);
    out.expect_code(2);
    assert!(
        out.stderr
            .contains("kpi `total` has a condition on year_ago"),
        "{}",
        out.stderr
    );
    // A derived KPI's inputs are computed too, so their conditions count.
    let derived = "[[kpi]]\nid = \"twice\"\nformula = \"total * 2\"\n";
    let work = daily("", &format!("{judged}{derived}"));
    let out = run_at(
        &work,
        "2026-11-15",
        "previous",
        &["--kpi", "twice", "--compare", "previous"],
    );
    out.expect_code(2);
    assert!(
        out.stderr
            .contains("kpi `total` has a condition on year_ago"),
        "{}",
        out.stderr
    );
}
