//! The README, run: every `console` block's commands run in order, in one folder holding a
//! copy of the repository's `kpis.toml` and `examples/`, and each must print what the block
//! shows (stdout and stderr together, as a terminal shows them). A reader who types the
//! commands in order gets what is shown.
//!
//! A line `…` alone in a block stands for any number of lines (output trimmed). HTML comments,
//! invisible on GitHub, set up what the prose describes:
//!
//! - `<!-- test: file NAME -->` before a block writes the block to `NAME` (the export and the
//!   `kpis.toml` of an example);
//! - `<!-- test: in DIR -->` before a `console` block runs it in `DIR`;
//! - `<!-- test: sh SCRIPT -->` runs `SCRIPT` there and then, silently (an edit the prose
//!   describes, such as the typos that `kpi validate` then reports);
//! - `<!-- test: skip REASON -->` before a `console` block does not run it.
//!
//! A command ending in `cd DIR` moves the block's next commands to `DIR`.

use crate::support::{repo_root, Workdir};
use std::path::Path;
use std::process::Command;

#[test]
fn readme_commands_print_what_the_readme_shows() {
    run_page("README.md", 20);
}

/// docs/comparisons.md's worked examples run on the bundled data the same way.
#[test]
fn comparisons_page_prints_what_it_shows() {
    run_page("docs/comparisons.md", 2);
}

#[test]
fn rollups_page_prints_what_it_shows() {
    run_page("docs/rollups.md", 4);
}

/// Runs the page at `page` (relative to the repository) as described above; it must have more
/// than `least` console blocks.
fn run_page(page: &str, least: usize) {
    let readme = std::fs::read_to_string(repo_root().join(page)).expect(page);
    let steps = steps(&readme, page);
    assert!(
        steps
            .iter()
            .filter(|s| matches!(s, Step::Console { .. }))
            .count()
            > least,
        "{page}: the console blocks were not found"
    );
    let work = Workdir::new();
    std::fs::copy(repo_root().join("kpis.toml"), work.path().join("kpis.toml")).expect("copy");
    work.copy_dir(&repo_root().join("examples"), "examples");
    let mut failures = Vec::new();
    for step in &steps {
        match step {
            Step::File { name, body } => {
                work.write(name, body);
            }
            Step::Shell { line, script } => {
                let printed = shell(work.path(), script);
                if !printed.is_empty() {
                    failures.push(format!("{page}:{line}: `{script}` printed:\n{printed}"));
                }
            }
            Step::Console {
                line,
                dir,
                commands,
            } => {
                let mut dir = work.path().join(dir);
                for (command, shown) in commands {
                    let printed = shell(&dir, command);
                    // `mkdir starter && cd starter`: the next commands run there.
                    if let Some(to) = command
                        .rsplit("&&")
                        .next()
                        .and_then(|c| c.trim().strip_prefix("cd "))
                    {
                        dir = dir.join(to.trim());
                    }
                    let printed: Vec<&str> = printed.lines().collect();
                    let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
                    if !matches(&shown, &printed) {
                        failures.push(format!(
                            "{page}:{line}: `{command}`\n--- shown\n{}\n--- printed\n{}",
                            shown.join("\n"),
                            printed.join("\n")
                        ));
                    }
                }
            }
        }
    }
    failures.extend(left_behind(work.path(), &steps));
    assert!(
        failures.is_empty(),
        "{} command(s) of {page} print something else:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// What following the README leaves in the repository that git would see: a file at the root
/// that `.gitignore` does not list, or a changed example. Folders of `file` steps are the
/// reader's own.
fn left_behind(work: &Path, steps: &[Step]) -> Vec<String> {
    let ignore = std::fs::read_to_string(repo_root().join(".gitignore")).expect(".gitignore");
    let ignored: Vec<&str> = ignore
        .lines()
        .filter_map(|l| l.strip_prefix('/'))
        .map(|l| l.trim_end_matches('/'))
        .collect();
    let theirs: Vec<&str> = steps
        .iter()
        .filter_map(|s| match s {
            Step::File { name, .. } => name.split('/').next(),
            _ => None,
        })
        .collect();
    let mut left = Vec::new();
    for entry in std::fs::read_dir(work).expect("work dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let known = ["kpis.toml", "examples"].contains(&name.as_str());
        if !known && !ignored.contains(&name.as_str()) && !theirs.contains(&name.as_str()) {
            left.push(format!("the README leaves `{name}` in the repository root, untracked and not in .gitignore"));
        }
    }
    let examples = repo_root().join("examples");
    for file in walk(&examples) {
        let relative = file.strip_prefix(&examples).expect("under examples");
        let copy = work.join("examples").join(relative);
        if std::fs::read(&file).ok() != std::fs::read(&copy).ok() {
            left.push(format!(
                "the README changes examples/{}",
                relative.display()
            ));
        }
    }
    let copies = walk(&work.join("examples")).len();
    if copies != walk(&examples).len() {
        left.push("the README leaves files in examples/".to_string());
    }
    left
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        match path.is_dir() {
            true => files.extend(walk(&path)),
            false => files.push(path),
        }
    }
    files
}

enum Step {
    File {
        name: String,
        body: String,
    },
    Shell {
        line: usize,
        script: String,
    },
    Console {
        line: usize,
        dir: String,
        /// Each command (continuation lines joined) and the lines shown after it.
        commands: Vec<(String, Vec<String>)>,
    },
}

/// The README's steps in the order of the text.
fn steps(readme: &str, page: &str) -> Vec<Step> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut steps = Vec::new();
    let (mut file, mut dir, mut skip) = (None, String::new(), false);
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(directive) = directive(line) {
            match directive.split_once(' ') {
                Some(("file", name)) => file = Some(name.to_string()),
                Some(("in", name)) => dir = name.to_string(),
                Some(("sh", script)) => steps.push(Step::Shell {
                    line: i + 1,
                    script: script.to_string(),
                }),
                Some(("skip", _)) => skip = true,
                _ => panic!("{page}:{}: unknown test directive `{directive}`", i + 1),
            }
            i += 1;
            continue;
        }
        let Some((fence, language)) = fence(line) else {
            i += 1;
            continue;
        };
        let start = i + 1;
        let end = (start..lines.len())
            .find(|&j| lines[j] == fence)
            .unwrap_or_else(|| panic!("{page}:{start}: unclosed code block"));
        let body = &lines[start..end];
        if let Some(name) = file.take() {
            steps.push(Step::File {
                name,
                body: body.iter().map(|l| format!("{l}\n")).collect(),
            });
        } else if language == "console" && !skip {
            steps.push(Step::Console {
                line: start,
                dir: std::mem::take(&mut dir),
                commands: commands(body),
            });
        }
        skip = false;
        i = end + 1;
    }
    steps
}

fn directive(line: &str) -> Option<&str> {
    line.trim()
        .strip_prefix("<!-- test: ")?
        .strip_suffix("-->")
        .map(str::trim)
}

/// A line that opens a code block: its fence (three backticks or more) and language.
fn fence(line: &str) -> Option<(&str, &str)> {
    let ticks = line.len() - line.trim_start_matches('`').len();
    (ticks >= 3).then(|| line.split_at(ticks))
}

/// `$ command` lines (with `> ` continuation lines), each followed by what it prints.
fn commands(body: &[&str]) -> Vec<(String, Vec<String>)> {
    let mut commands: Vec<(String, Vec<String>)> = Vec::new();
    for line in body {
        if let Some(command) = line.strip_prefix("$ ") {
            commands.push((command.to_string(), Vec::new()));
        } else if let (Some(rest), Some((command, shown))) =
            (line.strip_prefix("> "), commands.last_mut())
        {
            if shown.is_empty() {
                command.push('\n');
                command.push_str(rest);
            }
        } else if let Some((_, shown)) = commands.last_mut() {
            shown.push(line.to_string());
        }
    }
    commands
}

/// What `command` prints, stdout and stderr together, with `kpi` (and the DuckDB venv's
/// `python3`) first on the PATH. `cargo run --release --` is the README's first command
/// before `kpi` is installed: it runs the same binary.
fn shell(dir: &Path, command: &str) -> String {
    let kpi = Path::new(env!("CARGO_BIN_EXE_kpi"));
    let venv = repo_root().join("target/warehouse-venv/bin");
    let mut paths = vec![kpi.parent().expect("bin dir").to_path_buf(), venv];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let command = command.replace("cargo run --release --", "kpi");
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("exec 2>&1\n{command}"))
        .current_dir(dir)
        .env("PATH", std::env::join_paths(paths).expect("PATH"))
        .env_remove("KPI_CONFIG")
        .env_remove("KPI_THREADS")
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .output()
        .expect("sh runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Whether `printed` is what `shown` shows, a line `…` standing for any number of lines.
fn matches(shown: &[&str], printed: &[&str]) -> bool {
    match shown.split_first() {
        None => printed.is_empty(),
        Some((first, rest)) if first.trim() == "…" => {
            (0..=printed.len()).any(|skip| matches(rest, &printed[skip..]))
        }
        Some((first, rest)) => printed.first() == Some(first) && matches(rest, &printed[1..]),
    }
}
