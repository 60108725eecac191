//! Hostile inputs: what a scheduled job or a pull request may feed the tool. Each must end in
//! a result or a clear error with the exit code of SPEC.md — never a panic, a hang or an
//! exhausted machine.

use crate::support::{Output, Workdir};

const KPIS: &str = r#"[sources.deals]
path = "data/deals.csv"
columns = { created_at = "date", amount = "number" }

[[kpi]]
id = "deals"
source = "deals"
time = "created_at"
formula = "count(*)"

[[kpi]]
id = "amount"
source = "deals"
time = "created_at"
formula = "sum(amount)"
"#;

/// A work dir with KPIS and this deals file.
fn deals(data: impl AsRef<[u8]>) -> Workdir {
    let work = Workdir::new();
    work.write("kpis.toml", KPIS);
    work.write("data/deals.csv", data);
    work
}

/// A work dir with KPIS and this deals file, tolerating up to half of a column's values
/// invalid (settings.max_invalid), to see what becomes of them.
fn tolerant(data: impl AsRef<[u8]>) -> Workdir {
    let work = deals(data);
    work.write(
        "kpis.toml",
        format!("[settings]\nmax_invalid = 0.5\n\n{KPIS}"),
    );
    work
}

/// One deal, and an archive in the folder `archive`.
fn recording() -> Workdir {
    let work = deals("id,created_at,amount\n1,2026-10-01,10\n");
    work.write(
        "kpis.toml",
        format!("[settings]\narchive = \"archive\"\n\n{KPIS}"),
    );
    work
}

/// `kpi run` without recording, as CSV.
const RUN: [&str; 6] = [
    "run",
    "--as-of",
    "2026-11-01",
    "--no-archive",
    "--format",
    "csv",
];

fn run(work: &Workdir, extra: &[&str]) -> Output {
    work.run(&[&RUN[..], extra].concat())
}

fn no_panic(out: &Output) {
    assert!(
        !out.stderr.contains("panicked") && !out.stderr.contains("RUST_BACKTRACE"),
        "{}",
        out.stderr
    );
}

/// The exit code, no panic, and every fragment on stderr.
fn ends_with(out: &Output, code: i32, fragments: &[&str]) {
    no_panic(out);
    out.expect_code(code);
    for fragment in fragments {
        assert!(
            out.stderr.contains(fragment),
            "stderr lacks {fragment:?}:\n{}",
            out.stderr
        );
    }
}

/// The overall value of a KPI in `run --format csv` output.
fn value(out: &Output, kpi: &str) -> String {
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with(&format!("{kpi},")) && l.split(',').nth(6) == Some(""))
        .unwrap_or_else(|| panic!("no overall {kpi} in:\n{}", out.stdout));
    line.split(',').nth(7).unwrap_or_default().to_string()
}

#[test]
fn a_100_mb_field_with_line_breaks_is_one_value() {
    let work = Workdir::new();
    work.write("kpis.toml", KPIS);
    let mut text = String::from("id,note,created_at,amount\n1,short,2026-10-01,10\n2,\"");
    let line = "x".repeat(1023) + "\n";
    text.reserve(100 << 20);
    for _ in 0..(100 << 10) {
        text.push_str(&line);
    }
    text.push_str("\",2026-10-02,20\n3,,2026-10-03,30\n");
    work.write("data/deals.csv", text);
    for threads in ["1", "2"] {
        let out = run(&work, &["--threads", threads]);
        ends_with(&out, 0, &[]);
        assert_eq!(value(&out, "deals"), "3", "--threads {threads}");
        assert_eq!(value(&out, "amount"), "60", "--threads {threads}");
    }
}

#[test]
fn ten_thousand_columns_are_read() {
    let work = Workdir::new();
    work.write("kpis.toml", KPIS);
    let names: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
    let mut text = format!("id,{},created_at,amount\n", names.join(","));
    for row in 0..20 {
        let cells = vec!["7"; 10_000].join(",");
        text.push_str(&format!("{row},{cells},2026-10-{:02},1.5\n", row + 1));
    }
    work.write("data/deals.csv", text);
    let out = run(&work, &[]);
    ends_with(&out, 0, &[]);
    assert_eq!(value(&out, "deals"), "20");
    assert_eq!(value(&out, "amount"), "30");
}

#[test]
fn nul_bytes_are_just_bytes() {
    let work = tolerant(
        b"id,note,created_at,amount\n1,a\0b,2026-10-01,10\n2,\0,2026-10-02,1\0\n".as_slice(),
    );
    let out = run(&work, &[]);
    ends_with(&out, 0, &[]);
    assert_eq!(value(&out, "deals"), "2");
    assert!(out.stderr.contains("not a valid number"), "{}", out.stderr);
}

#[test]
fn invalid_utf8_in_the_header_or_a_used_value_is_a_data_error_with_its_place() {
    let work = deals(b"id,n\xe9te,created_at,amount\n1,a,2026-10-01,10\n".as_slice());
    let out = run(&work, &[]);
    ends_with(&out, 4, &["data/deals.csv", "UTF-8"]);

    work.write(
        "data/deals.csv",
        b"id,note,created_at,amount\n1,a,2026-10-01,10\n2,b,2026-10-02,1\xff\n".as_slice(),
    );
    let out = run(&work, &[]);
    ends_with(&out, 4, &["data/deals.csv:3: column `amount`"]);
    // In a column no KPI uses, it is nobody's business.
    work.write(
        "data/deals.csv",
        b"id,note,created_at,amount\n1,\xff,2026-10-01,10\n".as_slice(),
    );
    run(&work, &[]).expect_code(0);
}

#[test]
fn a_formula_nested_ten_thousand_deep_is_an_error_not_a_stack_overflow() {
    let work = Workdir::new();
    let deep = format!("{}count(*){}", "(".repeat(10_000), ")".repeat(10_000));
    work.write(
        "kpis.toml",
        KPIS.replace("formula = \"count(*)\"", &format!("formula = \"{deep}\"")),
    );
    work.write("data/deals.csv", "id,created_at,amount\n1,2026-10-01,1\n");
    let out = run(&work, &[]);
    ends_with(&out, 3, &["kpi `deals`"]);
    let out = work.run(&["validate"]);
    ends_with(&out, 3, &[]);
}

#[test]
fn a_header_repeated_mid_file_is_counted_as_invalid_values() {
    let data = "id,created_at,amount\n1,2026-10-01,10\nid,created_at,amount\n2,2026-10-02,5\n";
    // One value in three of each column: far above settings.max_invalid's default of 1 %.
    let out = run(&deals(data), &[]);
    ends_with(
        &out,
        4,
        &[
            "column `created_at`",
            "\"created_at\" at ./data/deals.csv:3",
        ],
    );
    let work = tolerant(data);
    let out = run(&work, &[]);
    ends_with(&out, 0, &[]);
    assert_eq!(value(&out, "amount"), "15");
    assert!(out.stderr.contains("data/deals.csv:3"), "{}", out.stderr);
    run(&work, &["--strict"]).expect_code(4);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_under_a_glob_ends() {
    let work = Workdir::new();
    work.write(
        "kpis.toml",
        KPIS.replace("path = \"data/deals.csv\"", "path = \"data/**/*.csv\""),
    );
    work.write(
        "data/a/deals.csv",
        "id,created_at,amount\n1,2026-10-01,10\n",
    );
    std::os::unix::fs::symlink("..", work.path().join("data/a/up")).expect("symlink");
    std::os::unix::fs::symlink("loop", work.path().join("data/loop")).expect("symlink");
    let mut child = spawn_run(&work);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("kpi did not end within 20 s on a symlink loop");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = Output::of(child.wait_with_output().expect("output"));
    ends_with(&out, 0, &[]);
    assert_eq!(value(&out, "amount"), "10");
}

#[test]
fn an_archive_folder_that_is_a_file_or_an_output_under_a_file_is_exit_5() {
    let work = recording();
    work.write("archive", "not a folder\n");
    let out = work.run(&["run", "--as-of", "2026-11-01"]);
    ends_with(&out, 5, &["archive"]);
    assert_eq!(work.read("archive"), "not a folder\n");

    let out = run(&work, &["-o", "archive/report.csv"]);
    ends_with(&out, 5, &["archive/report.csv"]);
}

#[test]
fn a_lock_file_left_by_a_dead_run_does_not_block() {
    let work = recording();
    work.run(&["run", "--as-of", "2026-11-01"]).expect_code(0);
    // A killed run leaves the lock file; the lock itself died with its process.
    work.write("archive/.lock", "");
    let started = std::time::Instant::now();
    let out = work
        .command(&["run", "--as-of", "2026-11-01"])
        .env("KPI_LOCK_TIMEOUT", "5")
        .output()
        .expect("run");
    let out = Output::of(out);
    out.expect_code(0);
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
}

#[test]
fn a_breakdown_by_an_identifier_stops_at_max_groups_with_a_hint() {
    let mut data = String::from("id,created_at,amount\n");
    for i in 0..3_000 {
        data.push_str(&format!("D-{i},2026-10-{:02},1\n", i % 28 + 1));
    }
    let work = deals(data);
    let by_id = KPIS.replace(
        "formula = \"sum(amount)\"",
        "formula = \"sum(amount)\"\ndimensions = [\"id\"]",
    );
    work.write(
        "kpis.toml",
        format!("[settings]\nmax_groups = 1000\n\n{by_id}"),
    );
    for threads in ["1", "2"] {
        let out = run(&work, &["--threads", threads]);
        ends_with(
            &out,
            3,
            &[
                "kpi `amount`: the breakdown by `id` has more than 1000 groups",
                "settings.max_groups",
            ],
        );
        assert_eq!(out.stdout, "");
    }
    work.write("kpis.toml", by_id);
    // 3,000 groups are within the default of 10,000.
    let out = run(&work, &[]);
    ends_with(&out, 0, &[]);
    assert_eq!(value(&out, "amount"), "3000");
}

/// `kpi run` started in the background, its output piped.
fn spawn_run(work: &Workdir) -> std::process::Child {
    work.command(&RUN)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn kpi")
}

/// A big export: 200,000 deals of 1.00 in October.
fn big_export() -> String {
    let mut text = String::from("id,created_at,amount\n");
    for i in 0..200_000 {
        text.push_str(&format!("{i},2026-10-{:02},1.00\n", i % 28 + 1));
    }
    text
}

#[test]
fn a_file_that_grows_while_it_is_read_gives_a_count_between_before_and_after() {
    let work = deals(big_export());
    let path = work.path().join("data/deals.csv");
    let child = spawn_run(&work);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    let mut added = 0;
    for batch in 0..50 {
        use std::io::Write;
        let rows: String = (0..1_000)
            .map(|i| format!("n{batch}-{i},2026-10-15,1.00\n"))
            .collect();
        file.write_all(rows.as_bytes()).expect("append");
        added += 1_000;
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let out = Output::of(child.wait_with_output().expect("wait"));
    ends_with(&out, 0, &[]);
    let count: f64 = value(&out, "deals").parse().expect("a count");
    assert!(
        (200_000.0..=200_000.0 + f64::from(added)).contains(&count),
        "{count}"
    );
}

#[test]
fn a_file_truncated_while_it_is_read_ends_in_a_result_or_a_data_error() {
    for delay in [0, 20, 80] {
        let work = deals(big_export());
        let path = work.path().join("data/deals.csv");
        let child = spawn_run(&work);
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .expect("open");
        file.set_len(1_000_000).expect("truncate");
        let out = Output::of(child.wait_with_output().expect("wait"));
        no_panic(&out);
        assert!(
            matches!(out.code, 0 | 4),
            "exit {}: {}",
            out.code,
            out.stderr
        );
        if out.code == 0 {
            let count: f64 = value(&out, "deals").parse().expect("a count");
            assert!(count <= 200_000.0, "{count}");
        }
    }
}
