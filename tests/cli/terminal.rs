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
