//! What the command line offers a person at a terminal: help with examples, completions, a man
//! page, and colour decided by `--color` (and `NO_COLOR` in `auto`).

use crate::support::{repo_root, Workdir};

#[test]
fn every_command_has_help_with_an_example() {
    let work = Workdir::new();
    let top = work.run(&["--help"]);
    top.expect_code(0);
    assert!(top.stdout.contains("Exit codes:"), "{}", top.stdout);
    let commands = [
        "run",
        "check",
        "history",
        "backfill",
        "diff",
        "explain",
        "catalog",
        "init",
        "completions",
        "man",
        "validate",
    ];
    for command in commands {
        let help = work.run(&[command, "--help"]);
        help.expect_code(0);
        assert!(
            help.stdout.contains(&format!("Examples:\n  kpi {command}")),
            "{command}: {}",
            help.stdout
        );
        assert!(
            top.stdout.contains(&format!("  {command} ")),
            "{command} not listed"
        );
    }
}

#[test]
fn completions_and_man_page_are_generated() {
    let work = Workdir::new();
    for (shell, marker) in [
        ("bash", "_kpi()"),
        ("zsh", "#compdef kpi"),
        ("fish", "complete -c kpi"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[kpi]"),
    ] {
        let out = work.run(&["completions", shell]);
        out.expect_code(0);
        assert!(
            out.stdout.contains(marker),
            "{shell}: {}",
            &out.stdout[..200.min(out.stdout.len())]
        );
        assert!(
            out.stdout.contains("backfill"),
            "{shell} completes subcommands"
        );
    }
    work.run(&["completions", "tcsh"]).expect_code(2);
    let man = work.run(&["man"]);
    man.expect_code(0);
    assert!(man.stdout.starts_with(".ie"), "{}", &man.stdout[..100]);
    assert!(man.stdout.contains(".TH kpi 1"), "roff title");
}

#[test]
fn color_follows_the_flag_then_no_color() {
    let work = Workdir::new();
    let config = repo_root().join("kpis.toml");
    let args = |color: &'static str| {
        vec![
            "run",
            "-c",
            config.to_str().unwrap(),
            "--as-of",
            "2026-11-22",
            "--no-archive",
            "--kpi",
            "churn_rate",
            "--color",
            color,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let run = |color: &'static str| {
        let owned = args(color);
        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
        work.run(&refs)
    };
    // The harness sets NO_COLOR=1; `always` wins over it, `auto` honours it.
    assert!(run("always").stdout.contains("\x1b["));
    assert!(!run("never").stdout.contains('\x1b'));
    assert!(!run("auto").stdout.contains('\x1b'));
    run("sometimes").expect_code(2);
}

/// The bundled example with a year of archive behind it, so that the trend column shows.
fn filled_archive() -> Workdir {
    let work = Workdir::new();
    std::fs::copy(repo_root().join("kpis.toml"), work.path().join("kpis.toml")).expect("copy");
    work.copy_dir(&repo_root().join("examples"), "examples");
    let backfill = work.run(&["backfill", "--from", "2025-11-01", "--as-of", "2026-11-22"]);
    backfill.expect_code(0);
    work
}

/// `kpi ARGS` with `COLUMNS` set, as a shell in a terminal of that width exports it.
fn with_columns(work: &Workdir, columns: &str, args: &[&str]) -> crate::support::Output {
    let output = work.command(args).env("COLUMNS", columns).output();
    crate::support::Output::of(output.expect("kpi runs"))
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn tables_fit_columns_by_leaving_out_the_trend_then_the_previous_value() {
    let work = filled_archive();
    let run = ["run", "--as-of", "2026-11-22", "--no-archive"];
    let natural = work.run(&run);
    natural.expect_code(0);
    assert!(
        widest(&natural.stdout) > 100,
        "the example is wide enough to test"
    );
    assert!(natural.stdout.contains("Trend") && !natural.stdout.contains("fitted"));
    let fitted = with_columns(&work, "100", &run);
    fitted.expect_code(0);
    assert!(widest(&fitted.stdout) <= 100, "{}", fitted.stdout);
    let header = fitted.stdout.lines().nth(1).unwrap_or_default();
    assert!(
        !header.contains("Trend") && !header.contains("Previous"),
        "{header}"
    );
    assert!(fitted.stdout.ends_with(
        "(fitted to 100 columns: Trend and Previous left out; --width 0 shows every column)\n"
    ));
    assert_eq!(fitted.stderr, natural.stderr);
    // One line per row, but for the footnote and the period to date of Open tickets, whose
    // `(to 2026-11-22)` goes onto a second line.
    assert_eq!(
        fitted.stdout.lines().count(),
        natural.stdout.lines().count() + 2
    );
    assert!(
        fitted.stdout.contains("┆ (to 2026-11-22) ┆"),
        "{}",
        fitted.stdout
    );
    // Narrower, long names are cut, not wrapped.
    let narrow = with_columns(&work, "85", &run);
    assert!(widest(&narrow.stdout) <= 85, "{}", narrow.stdout);
    assert!(narrow.stdout.contains('…'), "{}", narrow.stdout);
    assert_eq!(
        narrow.stdout.lines().count(),
        natural.stdout.lines().count() + 2
    );

    let check = ["check", "--as-of", "2026-11-22", "--no-archive"];
    let natural = work.run(&check);
    assert!(widest(&natural.stdout) > 160, "{}", natural.stdout);
    let fitted = with_columns(&work, "160", &check);
    assert_eq!(fitted.code, natural.code, "{}", fitted.stderr);
    assert!(widest(&fitted.stdout) <= 160, "{}", fitted.stdout);
    assert!(
        fitted
            .stdout
            .contains("(fitted to 160 columns: Previous left out;"),
        "{}",
        fitted.stdout
    );
    // At 100, wrapping the condition is not enough: Δ goes too, and its footnote with it.
    let fitted = with_columns(&work, "100", &check);
    assert_eq!(fitted.code, natural.code, "{}", fitted.stderr);
    assert!(widest(&fitted.stdout) <= 100, "{}", fitted.stdout);
    assert!(fitted.stdout.contains("Previous and Δ left out"));
    assert!(!fitted.stdout.contains("within noise"), "{}", fitted.stdout);
    assert!(
        natural.stdout.contains("within noise"),
        "{}",
        natural.stdout
    );
}

#[test]
fn width_flag_wins_over_columns_and_zero_means_no_limit() {
    let work = filled_archive();
    let run = ["run", "--as-of", "2026-11-22", "--no-archive"];
    let natural = work.run(&run).stdout;
    let with = |columns: &str, extra: &[&str]| {
        let args: Vec<&str> = run.iter().chain(extra).copied().collect();
        with_columns(&work, columns, &args)
    };
    assert_eq!(with("100", &["--width", "0"]).stdout, natural);
    // Not a positive integer: ignored.
    assert_eq!(with("wide", &[]).stdout, natural);
    assert_eq!(with("0", &[]).stdout, natural);
    let narrow = with("200", &["--width", "95"]);
    assert!(widest(&narrow.stdout) <= 95, "{}", narrow.stdout);
    assert!(narrow.stdout.contains("(fitted to 95 columns:"));
    let history = work.run(&["history", "win_rate", "--by", "region", "--width", "60"]);
    history.expect_code(0);
    assert!(widest(&history.stdout) <= 60, "{}", history.stdout);
    assert!(
        history.stdout.contains("(fitted to 60 columns: Trend"),
        "{}",
        history.stdout
    );
    work.run(&["run", "--width", "-1"]).expect_code(2);
}

#[test]
fn explain_fits_the_width_by_moving_counts_left_and_wrapping_long_lines() {
    let work = filled_archive();
    let explain = [
        "explain",
        "win_rate",
        "--as-of",
        "2026-11-22",
        "--by",
        "region",
    ];
    let natural = work.run(&explain);
    natural.expect_code(0);
    assert!(widest(&natural.stdout) > 60, "{}", natural.stdout);
    let fitted = with_columns(&work, "50", &explain);
    fitted.expect_code(0);
    assert!(widest(&fitted.stdout) <= 50, "{}", fitted.stdout);
    // The counts still end each line of the Rows section, one column apart at least.
    assert!(
        fitted
            .stdout
            .contains("\n  read from the files                         1999\n"),
        "{}",
        fitted.stdout
    );
    assert!(
        fitted
            .stdout
            .contains("  dropped as duplicates of `opportunity_id`     29\n"),
        "{}",
        fitted.stdout
    );
    // Wrapped lines go on under their indentation plus two.
    assert!(
        fitted.stdout.contains("\n    ('Won', 'Lost'))\n"),
        "{}",
        fitted.stdout
    );
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(words(&fitted.stdout), words(&natural.stdout));
}
