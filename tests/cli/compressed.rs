//! Compressed exports (SPEC.md, "Inputs beyond plain CSV"): `.gz` and `.zst` files, and files
//! whose first bytes say they are compressed whatever their name, read as the plain file is.

use crate::support::{example, repo_root, Output, Workdir, RUN_CSV};
use std::io::Write;

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).expect("zstd")
}

/// `kpi run` of October 2026 as JSON, with `config`.
pub fn run_json(work: &Workdir, config: &str) -> Output {
    let args = [
        "run",
        "--config",
        config,
        "--as-of",
        "2026-11-15",
        "--no-archive",
    ];
    work.run(&[&args[..], &["--format", "json"]].concat())
}

/// A copy of the example whose every data file is compressed by `compress` and named with
/// `ending` added (`""`: the plain name, told by the first bytes alone).
fn compressed_copy(work: &Workdir, compress: fn(&[u8]) -> Vec<u8>, ending: &str) -> String {
    for entry in std::fs::read_dir(repo_root().join("examples/data")).expect("examples") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let folder = format!("copy{ending}");
        let bytes = std::fs::read(&path).expect("read");
        work.write(&format!("{folder}/{name}{ending}"), compress(&bytes));
    }
    let config = work
        .read("kpis.toml")
        .replace("examples/data/", &format!("copy{ending}/"))
        .replace(".csv\"", &format!(".csv{ending}\""));
    let name = format!("kpis{ending}.toml");
    work.write(&name, config);
    name
}

#[test]
fn gz_and_zst_copies_of_the_example_give_the_same_json_as_the_csv() {
    let work = example();
    let plain = run_json(&work, "kpis.toml");
    plain.expect_code(0);
    assert!(
        plain.stdout.contains("\"kpi\": \"revenue_won\""),
        "{}",
        plain.stdout
    );
    for (compress, ending) in [(gzip as fn(&[u8]) -> Vec<u8>, ".gz"), (zstd, ".zst")] {
        let config = compressed_copy(&work, compress, ending);
        let out = run_json(&work, &config);
        out.expect_code(0);
        assert_eq!(out.stdout, plain.stdout, "{ending}");
    }
}

#[test]
fn a_compressed_file_is_told_by_its_first_bytes_whatever_its_name() {
    let work = example();
    let plain = run_json(&work, "kpis.toml");
    // gzip under the plain names: before, "the header is not valid UTF-8" and a hint to set
    // windows-1252.
    let config = compressed_copy(&work, gzip, "");
    let out = run_json(&work, &config);
    out.expect_code(0);
    assert_eq!(out.stdout, plain.stdout);
}

const DEALS: &str = r#"[sources.deals]
path = "data/deals_*"

[[kpi]]
id = "deals"
source = "deals"
time = "closed_at"
frequency = "month"
formula = "count(*)"

[[kpi]]
id = "amount"
source = "deals"
time = "closed_at"
frequency = "month"
formula = "sum(amount)"
"#;

fn deals(first: u32, rows: u32) -> String {
    let mut text = String::from("id,closed_at,amount\n");
    for i in first..first + rows {
        text.push_str(&format!("D{i},2026-10-{:02},{i}.5\n", 1 + i % 28));
    }
    text
}

#[test]
fn a_glob_mixes_plain_gzip_and_zstd_files_of_one_header() {
    let work = Workdir::new();
    work.write("kpis.toml", DEALS);
    work.write("data/deals_1.csv", deals(0, 10));
    work.write("data/deals_2.csv.gz", gzip(deals(10, 20).as_bytes()));
    work.write("data/deals_3.csv.zst", zstd(deals(30, 30).as_bytes()));
    work.write("data/deals_4.csv", gzip(deals(60, 40).as_bytes()));
    let out = work.run(&RUN_CSV);
    out.expect_code(0);
    let sum: f64 = (0..100).map(|i| f64::from(i) + 0.5).sum();
    assert!(out.stdout.contains("deals,"), "{}", out.stdout);
    let line = |kpi: &str| {
        let row = out
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("{kpi},")));
        row.unwrap_or_default().to_string()
    };
    assert!(line("deals").contains(",100,"), "{}", out.stdout);
    assert!(
        line("amount").contains(&format!(",{sum},")),
        "{}",
        out.stdout
    );
}

#[test]
fn a_corrupt_or_truncated_gzip_is_a_data_error_naming_the_file() {
    let work = Workdir::new();
    work.write("kpis.toml", DEALS);
    let whole = gzip(deals(0, 5000).as_bytes());
    work.write("data/deals_1.csv.gz", &whole[..whole.len() / 2]);
    let out = work.run(&["run", "--as-of", "2026-11-15", "--no-archive"]);
    out.expect_code(4);
    assert!(out.stderr.contains("data/deals_1.csv.gz"), "{}", out.stderr);
    assert!(out.stderr.contains("deflate stream"), "{}", out.stderr);
    let mut garbled = whole.clone();
    garbled[20..60].fill(0xAA);
    work.write("data/deals_1.csv.gz", garbled);
    let out = work.run(&["run", "--as-of", "2026-11-15", "--no-archive"]);
    out.expect_code(4);
    assert!(out.stderr.contains("data/deals_1.csv.gz"), "{}", out.stderr);
}

#[test]
fn duckdb_sql_reads_compressed_files_named_so_and_refuses_the_others_by_name() {
    let work = Workdir::new();
    work.write("kpis.toml", DEALS.replace("deals_*", "deals_*.csv*"));
    work.write("data/deals_1.csv.gz", gzip(deals(0, 10).as_bytes()));
    let sql = ["sql", "--dialect", "duckdb", "--as-of", "2026-11-15"];
    let out = work.run(&sql);
    out.expect_code(0);
    assert!(out.stdout.contains("deals_1.csv.gz"), "{}", out.stdout);
    work.write("data/deals_2.csv", gzip(deals(10, 10).as_bytes()));
    let out = work.run(&sql);
    out.expect_code(3);
    assert!(
        out.stderr
            .contains("data/deals_2.csv is gzip-compressed but not named .gz"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_format_kpi_does_not_read_is_named_in_the_hint() {
    let work = Workdir::new();
    work.write("kpis.toml", DEALS);
    // A bzip2 file and a workbook saved under a CSV name.
    for (head, named) in [
        (&b"BZh91AY&SY\xff\xfe"[..], "bzip2"),
        (b"PK\x03\x04\x14\0\xff\xfe", "zip archive"),
    ] {
        work.write("data/deals_1.csv", head);
        let out = work.run(&RUN_CSV);
        out.expect_code(4);
        assert!(
            out.stderr.contains("the header is not valid UTF-8"),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains(named), "{}", out.stderr);
    }
}
