//! Golden cases: each folder of `tests/golden/` holds the inputs of one or more `kpi` runs and
//! every output they must give. One test runs all the cases and reports every mismatch at once.
//!
//! A case folder holds
//!
//! - `args`: the command line, one argument per line. It must pin `--as-of` (except for
//!   `history`, `catalog` and `init`, which do not look at the day), or the output would depend
//!   on the day the tests run. `args2`, `args3`... are further runs in the same
//!   folder, in order, so that the archive of one run is there for the next;
//! - its inputs (`kpis.toml`, `data/`...), copied into a fresh temporary folder: the
//!   configuration is found there as `./kpis.toml`. A `use-repo-example` file copies the
//!   repository's own `kpis.toml` and `examples/` instead, so the README's example is tested
//!   against the real files rather than a copy that could drift;
//! - `before2/`, `before3/`...: files copied over the folder before that run (a newer export);
//! - `README.md`: what the case pins, with the figures worked out by hand;
//! - the expected outputs: `stdout`, `stderr` and `code` of the first run, `stdout2`... of the
//!   others, and `files/`, every file the runs created (archive, `-o` output). The archive's
//!   `recorded_at` column is the real time of the run, so it is masked.
//!
//! `UPDATE_GOLDEN=1 cargo test --test cli golden` rewrites the expected outputs instead of
//! comparing them: review the change with `git diff tests/golden` before committing it.

use crate::support::{repo_root, Output, Workdir};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Names in a case folder that are not copied into the work dir.
const NOT_INPUTS: &[&str] = &["README.md", "use-repo-example", "files"];
/// Prefixes of the per-run names, also not copied (`args2`, `stdout2`, `before2/`...).
const PER_RUN: &[&str] = &["args", "stdout", "stderr", "code", "before"];

#[test]
fn golden_cases() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let root = repo_root().join("tests").join("golden");
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .expect("tests/golden")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no golden case in {}", root.display());
    let failures: Vec<String> = cases.iter().flat_map(|c| run_case(c, update)).collect();
    assert!(
        failures.is_empty(),
        "{} golden mismatch(es):\n\n{}\n\nIf the new output is right, accept it with \
         `UPDATE_GOLDEN=1 cargo test --test cli golden` and review `git diff tests/golden`.",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Runs one case; returns its mismatches (or, when updating, rewrites its expectations).
fn run_case(case: &Path, update: bool) -> Vec<String> {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let work = Workdir::new();
    stage_inputs(case, &work);
    let mut inputs = relative_files(work.path());
    let mut failures = Vec::new();
    for run in 1.. {
        let suffix = if run == 1 {
            String::new()
        } else {
            run.to_string()
        };
        let Ok(args) = fs::read_to_string(case.join(format!("args{suffix}"))) else {
            break;
        };
        let args: Vec<&str> = args.lines().filter(|l| !l.is_empty()).collect();
        // `history` only reads the archive, `catalog` the configuration, `init` the exports:
        // what they show does not depend on the day.
        let dated = !matches!(args.first(), Some(&"history" | &"catalog" | &"init"));
        if dated && !args.contains(&"--as-of") {
            failures.push(format!(
                "{name}/args{suffix}: pass --as-of, or the output depends on today"
            ));
        }
        let before = case.join(format!("before{suffix}"));
        if run > 1 && before.is_dir() {
            work.copy_dir(&before, "");
            inputs.extend(relative_files(&before));
        }
        let out = work.run(&args);
        let label = format!("{name}/args{suffix}");
        for (file, actual) in outputs(&out, &work) {
            let expected = case.join(format!("{file}{suffix}"));
            check(&expected, &actual, update, &label, &mut failures);
        }
    }
    let created: BTreeMap<PathBuf, String> = relative_files(work.path())
        .difference(&inputs)
        .map(|p| (p.clone(), created_file(&work.path().join(p))))
        .collect();
    check_files(&case.join("files"), &created, update, &name, &mut failures);
    failures
}

/// Copies the case's inputs (or the repository's example) into the work dir.
fn stage_inputs(case: &Path, work: &Workdir) {
    if case.join("use-repo-example").exists() {
        let root = repo_root();
        fs::copy(root.join("kpis.toml"), work.path().join("kpis.toml")).expect("copy kpis.toml");
        work.copy_dir(&root.join("examples"), "examples");
    }
    for entry in fs::read_dir(case).expect("case dir") {
        let entry = entry.expect("dir entry");
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let per_run = PER_RUN.iter().any(|p| file_name.starts_with(p));
        if per_run || NOT_INPUTS.contains(&file_name.as_str()) {
            continue;
        }
        if entry.path().is_dir() {
            work.copy_dir(&entry.path(), &file_name);
        } else {
            fs::copy(entry.path(), work.path().join(&file_name)).expect("copy input");
        }
    }
}

/// The expected-output files of one run and what this run gave for each.
fn outputs(out: &Output, work: &Workdir) -> [(&'static str, String); 3] {
    [
        ("stdout", normalise(&out.stdout, work)),
        ("stderr", normalise(&out.stderr, work)),
        ("code", format!("{}\n", out.code)),
    ]
}

/// The temporary folder's path changes on every run: it reads `[WORK]` in the expectations.
fn normalise(text: &str, work: &Workdir) -> String {
    let mut text = text.to_string();
    if let Ok(real) = work.path().canonicalize() {
        text = text.replace(&real.display().to_string(), "[WORK]");
    }
    text.replace(&work.path().display().to_string(), "[WORK]")
}

/// A created file as it is expected: archive files with their `recorded_at` times masked.
fn created_file(path: &Path) -> String {
    let text = String::from_utf8_lossy(&fs::read(path).expect("read created file")).into_owned();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let column = match reader.headers() {
        Ok(header) => header.iter().position(|h| h == "recorded_at"),
        Err(_) => None,
    };
    let Some(column) = column.filter(|_| path.extension().is_some_and(|e| e == "csv")) else {
        return text;
    };
    let stamps: BTreeSet<String> = reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| r.get(column).map(str::to_string))
        .filter(|s| !s.is_empty())
        .collect();
    stamps
        .iter()
        .fold(text.clone(), |t, stamp| t.replace(stamp, "[recorded_at]"))
}

/// Compares one output with its expectation file, or rewrites that file when updating.
fn check(expected: &Path, actual: &str, update: bool, label: &str, failures: &mut Vec<String>) {
    let found = fs::read_to_string(expected).ok();
    if found.as_deref() == Some(actual) {
        return;
    }
    if update {
        fs::write(expected, actual).expect("write expectation");
        return;
    }
    let what = expected.file_name().unwrap().to_string_lossy();
    failures.push(match found {
        None => format!(
            "{label}: {what}: no expectation file {}",
            expected.display()
        ),
        Some(found) => format!(
            "{label}: {what} differs (- expected, + actual):\n{}",
            diff(&found, actual)
        ),
    });
}

/// Compares the created files with `files/`, or rewrites `files/` when updating.
fn check_files(
    dir: &Path,
    created: &BTreeMap<PathBuf, String>,
    update: bool,
    case: &str,
    failures: &mut Vec<String>,
) {
    let expected: BTreeMap<PathBuf, String> = relative_files(dir)
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(dir.join(&p)).expect("read expected file");
            (p, text)
        })
        .collect();
    if &expected == created {
        return;
    }
    if update {
        if dir.exists() {
            fs::remove_dir_all(dir).expect("remove files/");
        }
        for (path, text) in created {
            let target = dir.join(path);
            fs::create_dir_all(target.parent().unwrap()).expect("create dir");
            fs::write(target, text).expect("write expected file");
        }
        return;
    }
    let names =
        |m: &BTreeMap<PathBuf, String>| -> BTreeSet<PathBuf> { m.keys().cloned().collect() };
    let (want, got) = (names(&expected), names(created));
    for missing in want.difference(&got) {
        failures.push(format!(
            "{case}: the runs did not create {}",
            missing.display()
        ));
    }
    for extra in got.difference(&want) {
        failures.push(format!(
            "{case}: the runs created an unexpected {}",
            extra.display()
        ));
    }
    for path in want.intersection(&got) {
        if expected[path] != created[path] {
            failures.push(format!(
                "{case}: files/{} differs (- expected, + actual):\n{}",
                path.display(),
                diff(&expected[path], &created[path])
            ));
        }
    }
}

/// Every file under `dir`, as paths relative to it; empty when `dir` does not exist.
pub(crate) fn relative_files(dir: &Path) -> BTreeSet<PathBuf> {
    fn walk(dir: &Path, prefix: &Path, out: &mut BTreeSet<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let entry = entry.expect("dir entry");
            let relative = prefix.join(entry.file_name());
            if entry.path().is_dir() {
                walk(&entry.path(), &relative, out);
            } else {
                out.insert(relative);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, Path::new(""), &mut out);
    out
}

/// A line diff (longest common subsequence) showing changed lines with two lines of context.
pub(crate) fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    if a == b {
        return "  (same lines: they differ in line endings or the final newline)".to_string();
    }
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            lines.push(('-', a[i]));
            i += 1;
        } else {
            lines.push(('+', b[j]));
            j += 1;
        }
    }
    let near_change = |k: usize| {
        let lo = k.saturating_sub(2);
        let hi = (k + 2).min(lines.len() - 1);
        lines[lo..=hi].iter().any(|(mark, _)| *mark != ' ')
    };
    let mut out = Vec::new();
    for (k, (mark, line)) in lines.iter().enumerate() {
        if near_change(k) {
            out.push(format!("{mark} {line}"));
        } else if out.last().is_none_or(|l: &String| l != "  ...") {
            out.push("  ...".to_string());
        }
    }
    out.join("\n")
}

// ---------------------------------------------------------------------------------------------
// Behaviours pinned after bugs found while writing the cases, each a small test of its own
// (a golden case cannot single out one expectation).

/// The overall value of `kpi` in a `--format json` run.
fn overall_value(out: &Output, kpi: &str) -> serde_json::Value {
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json on stdout");
    let result = json["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["kpi"] == kpi && r["dimensions"] == serde_json::json!({}))
        .unwrap_or_else(|| panic!("no overall result for {kpi}:\n{}", out.stdout));
    result.clone()
}

/// sqlparser's DuckDB dialect reads `count_if(x = ...)` as a named argument `x => ...`, so
/// `count_if(escalated = false OR priority = 'Urgent')` was computed as
/// `count_if(escalated = (false OR priority = 'Urgent'))`: a wrong value, silently. The same
/// condition in `FILTER (WHERE ...)` is read right, and both must agree.
#[test]
fn count_if_reads_a_condition_that_starts_with_a_comparison_whole() {
    let work = Workdir::new();
    work.write(
        "data/tickets.csv",
        "ticket_id,opened_on,priority,escalated\n\
         T-1,2026-09-03,Urgent,yes\n\
         T-2,2026-09-08,Urgent,no\n\
         T-3,2026-09-15,Normal,yes\n\
         T-4,2026-09-22,Normal,no\n",
    );
    let source = r#"[sources.tickets]
path = "data/tickets.csv"
columns = { opened_on = "date", escalated = "bool" }
"#;
    let run = |kpis: &str| {
        work.write("kpis.toml", format!("{source}\n{kpis}"));
        let out = work.run(&[
            "run",
            "--as-of",
            "2026-11-22",
            "--period",
            "2026-09",
            "--no-archive",
            "--format",
            "json",
        ]);
        out.expect_code(0);
        out
    };
    let out = run(r#"[[kpi]]
id = "calm_or_urgent"
source = "tickets"
time = "opened_on"
formula = "count_if(escalated = false OR priority = 'Urgent')"

[[kpi]]
id = "calm_or_urgent_filter"
source = "tickets"
time = "opened_on"
formula = "count(*) FILTER (WHERE escalated = false OR priority = 'Urgent')"
"#);
    // T-1 (urgent), T-2 and T-4 (not escalated).
    assert_eq!(overall_value(&out, "calm_or_urgent_filter")["value"], 3.0);
    assert_eq!(overall_value(&out, "calm_or_urgent")["value"], 3.0);
    // Where the misreading does not type-check, the formula is refused instead.
    let out = run(r#"[[kpi]]
id = "urgent_escalated"
source = "tickets"
time = "opened_on"
formula = "count_if(priority = 'Urgent' AND escalated)"
"#);
    assert_eq!(overall_value(&out, "urgent_escalated")["value"], 1.0);
}

/// March has no sign-up, but the data covers it (February and April have some): reported on
/// its own March is 0, so as April's previous period it is 0 too, not null. SPEC.md: "where the
/// archive has none and the data covers that period, it is computed from the data".
#[test]
fn previous_period_without_rows_inside_the_data_has_its_value() {
    let work = Workdir::new();
    work.write(
        "data/signups.csv",
        "signup_id,signed_up_on\nS-1,2026-02-10\nS-2,2026-02-24\nS-3,2026-04-14\n",
    );
    work.write(
        "kpis.toml",
        r#"[sources.signups]
path = "data/signups.csv"

[[kpi]]
id = "signups"
source = "signups"
time = "signed_up_on"
formula = "count(*)"
"#,
    );
    let run = |period: &str| {
        let args = [
            "run",
            "--as-of",
            "2026-11-22",
            "--no-archive",
            "--format",
            "json",
        ];
        work.run(&[&args[..], &["--period", period]].concat())
    };
    let march = run("2026-03");
    march.expect_code(0);
    assert_eq!(overall_value(&march, "signups")["value"], 0.0);
    let april = run("2026-04");
    april.expect_code(0);
    let april = overall_value(&april, "signups");
    assert_eq!(april["value"], 1.0);
    assert_eq!(april["previous_value"], 0.0, "{april}");
    assert_eq!(april["delta"], 1.0, "{april}");
    assert_eq!(april["comparable"], true, "{april}");
}
