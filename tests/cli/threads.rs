//! `--threads`: a source split into byte ranges read by several threads gives exactly the
//! values, bit for bit, that one thread reading it in order gives — whatever the number of
//! threads and wherever the cuts fall, including inside quoted fields that hold line breaks
//! (where a thread's guess of the first record is wrong and must be caught).

use crate::support::Workdir;

const KPIS: &str = r#"
[settings]
frequency = "month"
# One amount in forty is invalid on purpose (the warnings must name the same lines).
max_invalid = 0.05

[sources.deals]
path = "data/*.csv"
columns = { created_at = "date", amount = "number", score = "number" }

[[kpi]]
id = "deals"
source = "deals"
time = "created_at"
formula = "count(*)"
dimensions = ["region", "region+stage"]

[[kpi]]
id = "won_amount"
source = "deals"
time = "created_at"
formula = "sum(amount) FILTER (WHERE stage = 'Won')"
dimensions = ["region"]

[[kpi]]
id = "amount_stats"
source = "deals"
time = "created_at"
formula = "avg(amount) + min(amount) / 3 + max(amount) / 7 + median(amount) + quantile_cont(amount, 0.9)"
dimensions = ["region"]

[[kpi]]
id = "accounts"
source = "deals"
time = "created_at"
formula = "count(DISTINCT account)"
dimensions = ["region"]

[[kpi]]
id = "kept_accounts"
source = "deals"
time = "created_at"
formula = "retention(account)"

[[kpi]]
id = "nps"
source = "deals"
time = "created_at"
formula = "nps(score)"
dimensions = ["stage"]
"#;

/// A deterministic export: most rows hold a quoted note with line breaks, delimiters and
/// doubled quotes; amounts have cents (a float sum in another order would differ in its last
/// bits); a few amounts are invalid, so that warnings name lines.
fn export(seed: u64, rows: usize, bom: bool) -> (String, Vec<usize>) {
    let mut state = seed;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut text = String::from(if bom { "\u{feff}" } else { "" });
    text.push_str("id,account,region,stage,created_at,amount,score,note\n");
    let mut line = 2;
    let mut invalid_lines = Vec::new();
    for i in 0..rows {
        let region = ["North", "South", "\"East, Far\"", "West", ""][next(5) as usize];
        let stage = ["Won", "Lost", "Open"][next(3) as usize];
        let day = 1 + next(28);
        let month = 6 + next(3);
        let amount = match next(40) {
            0 => {
                invalid_lines.push(line);
                "n/a".to_string()
            }
            1 => String::new(),
            _ => format!("{}.{:02}", next(1_000_000), next(100)),
        };
        let score = if next(3) == 0 {
            next(11).to_string()
        } else {
            String::new()
        };
        let breaks = next(3) as usize;
        let note = match next(4) {
            0 => "plain".to_string(),
            _ => format!(
                "\"call back,{}\nsaid \"\"maybe\"\"\"",
                "\r\n;".repeat(breaks)
            ),
        };
        let eol = if i % 5 == 0 { "\r\n" } else { "\n" };
        text.push_str(&format!(
            "{i},acc{},{region},{stage},2026-{month:02}-{day:02},{amount},{score},{note}{eol}",
            next(300)
        ));
        line += 1 + note.matches('\n').count();
    }
    (text, invalid_lines)
}

fn setup() -> (Workdir, usize) {
    let dir = Workdir::new();
    dir.write("kpis.toml", KPIS);
    let (first, invalid) = export(7, 2_500, true);
    dir.write("data/a.csv", first);
    dir.write("data/b.csv", export(11, 1_500, false).0);
    (dir, invalid[0])
}

/// The JSON report without its clock field, and the warnings.
fn run(dir: &Workdir, threads: &str, piece_bytes: Option<&str>) -> (String, String) {
    let mut command = dir.command(&[
        "run",
        "--as-of",
        "2026-09-01",
        "--no-archive",
        "--format",
        "json",
        "--threads",
        threads,
    ]);
    if let Some(bytes) = piece_bytes {
        command.env("KPI_PIECE_BYTES", bytes);
    }
    let output = crate::support::Output::of(command.output().expect("run kpi"));
    output.expect_code(0);
    let mut report: serde_json::Value = serde_json::from_str(&output.stdout).expect("json");
    report
        .as_object_mut()
        .expect("object")
        .remove("generated_at");
    (report.to_string(), output.stderr)
}

#[test]
fn every_thread_count_and_cut_gives_the_same_bits() {
    let (dir, first_invalid) = setup();
    let (expected, warnings) = run(&dir, "1", None);
    assert!(expected.contains("\"kept_accounts\""), "{expected}");
    // The warning names the first invalid amount's line, counted over multi-line records.
    assert!(
        warnings.contains(&format!("data/a.csv:{first_invalid}")),
        "line {first_invalid} expected in: {warnings}"
    );
    for (threads, piece) in [
        ("2", "97"),
        ("7", "97"),
        ("7", "1000"),
        ("2", "4096"),
        ("3", "61"),
    ] {
        let (report, stderr) = run(&dir, threads, Some(piece));
        assert_eq!(
            report, expected,
            "--threads {threads} with {piece}-byte pieces differs from one thread"
        );
        assert_eq!(stderr, warnings, "--threads {threads}, {piece}-byte pieces");
    }
}

#[test]
fn a_stray_quote_is_reported_at_its_line_whatever_the_threads() {
    let dir = Workdir::new();
    dir.write("kpis.toml", KPIS);
    let mut text = String::from("id,account,region,stage,created_at,amount,score,note\n");
    for i in 0..400 {
        if i == 150 {
            text.push_str("150,acc1,North,Won,2026-07-01,\"12.50,3,plain\n");
        } else {
            text.push_str(&format!("{i},acc{i},North,Won,2026-07-01,12.50,3,plain\n"));
        }
    }
    dir.write("data/a.csv", text);
    let args = ["run", "--as-of", "2026-09-01", "--no-archive", "--threads"];
    let one = dir.run(&[&args[..], &["1"]].concat());
    one.expect_code(4);
    // Row 150 is on line 152: the header is line 1.
    assert!(
        one.stderr.contains("data/a.csv:152: malformed CSV"),
        "{}",
        one.stderr
    );
    let mut command = dir.command(&[&args[..], &["4"]].concat());
    command.env("KPI_PIECE_BYTES", "300");
    let four = crate::support::Output::of(command.output().expect("run kpi"));
    four.expect_code(4);
    assert_eq!(four.stderr, one.stderr);
}

/// Found by the csv_ingest fuzz target: a thread whose range started on a line beginning with
/// a byte-order mark dropped it, and the value differed from one thread's.
#[test]
fn a_byte_order_mark_inside_the_file_is_text_whatever_the_threads() {
    let dir = Workdir::new();
    dir.write("kpis.toml", KPIS);
    // region first, so that a line starting with the mark has it in a used value.
    let mut text = String::from("region,id,account,stage,created_at,amount,score,note\n");
    for i in 0..40 {
        let bom = if i % 7 == 3 { "\u{feff}" } else { "" };
        text.push_str(&format!("{bom}North,{i},acc{i},Won,2026-08-01,1.25,9,x\n"));
        text.push_str(&format!("South,{i},acc{i},Won,2026-08-02,2.50,9,x\n"));
    }
    dir.write("data/a.csv", text);
    let (expected, _) = run(&dir, "1", None);
    assert!(expected.contains("\u{feff}North"), "{expected}");
    for piece in ["7", "13", "29"] {
        let (report, _) = run(&dir, "3", Some(piece));
        assert_eq!(report, expected, "{piece}-byte pieces");
    }
}

/// The export in windows-1252, with characters that take two and three bytes in UTF-8 (é, €)
/// in the regions and notes: each piece is transcoded by its own thread, so its limits and its
/// end are converted between the file's bytes and the text's.
fn windows_1252(text: &str) -> Vec<u8> {
    let text = text
        .replace("North", "Nörd-Île")
        .replace("plain", "prix 12 € réglé")
        .replace("call back", "rappel à 9h");
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn a_windows_1252_source_is_cut_and_transcoded_per_piece_with_the_same_bits() {
    let dir = Workdir::new();
    let config = KPIS.replace(
        "path = \"data/*.csv\"",
        "path = \"data/*.csv\"\nencoding = \"windows-1252\"",
    );
    dir.write("kpis.toml", config);
    let (first, _) = export(7, 2_500, false);
    dir.write("data/a.csv", windows_1252(&first));
    dir.write("data/b.csv", windows_1252(&export(11, 1_500, false).0));
    let expected = same_bits_on_any_threads(&dir);
    assert!(expected.contains("Nörd-Île"), "{expected}");
    // The same export in UTF-8 gives the same values.
    let utf8 = Workdir::new();
    utf8.write("kpis.toml", KPIS);
    let decode = |bytes: Vec<u8>| encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned();
    utf8.write("data/a.csv", decode(windows_1252(&first)));
    utf8.write(
        "data/b.csv",
        decode(windows_1252(&export(11, 1_500, false).0)),
    );
    assert_eq!(run(&utf8, "2", Some("500")).0, expected);
}

/// The report of one thread, after checking that 2, 3 and 7 threads with pieces of 61 bytes to
/// 4 KiB give the same report and warnings.
fn same_bits_on_any_threads(dir: &Workdir) -> String {
    let (expected, warnings) = run(dir, "1", None);
    for (threads, piece) in [("2", "97"), ("7", "1000"), ("3", "61"), ("2", "4096")] {
        let (report, stderr) = run(dir, threads, Some(piece));
        assert_eq!(
            report, expected,
            "--threads {threads} with {piece}-byte pieces differs from one thread"
        );
        assert_eq!(stderr, warnings, "--threads {threads}, {piece}-byte pieces");
    }
    expected
}

/// A keyed source: the same ids again and again, in both files and across every cut (an id's
/// last row may be in another piece or file than its first), and blank ids, all kept.
#[test]
fn a_keyed_source_is_deduplicated_in_pieces_with_the_same_bits() {
    let dir = Workdir::new();
    let config = KPIS.replace(
        "path = \"data/*.csv\"",
        "path = \"data/*.csv\"\nkey = \"id\"",
    );
    dir.write("kpis.toml", config);
    // `export` numbers rows 0..n: folding them makes each id recur, some with a blank id.
    let keyed = |seed: u64, rows: usize| {
        let (text, _) = export(seed, rows, false);
        let mut out = String::new();
        for (i, line) in text.split_inclusive('\n').enumerate() {
            match line.split_once(',') {
                Some((id, rest)) if i > 0 && id.parse::<u64>().is_ok() => {
                    let n: u64 = id.parse().unwrap_or(0);
                    let id = if n.is_multiple_of(23) {
                        String::new()
                    } else {
                        (n % 700).to_string()
                    };
                    out.push_str(&format!("{id},{rest}"));
                }
                _ => out.push_str(line),
            }
        }
        out
    };
    dir.write("data/a.csv", keyed(7, 2_500));
    dir.write("data/b.csv", keyed(11, 1_500));
    let expected = same_bits_on_any_threads(&dir);
    // Deduplication did happen: fewer deals than rows.
    let deals = |report: &str| -> f64 {
        let json: serde_json::Value = serde_json::from_str(report).expect("json");
        json["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter(|r| r["kpi"] == "deals" && r["dimensions"] == serde_json::json!({}))
            .filter_map(|r| r["value"].as_f64())
            .sum()
    };
    let unkeyed = Workdir::new();
    unkeyed.write("kpis.toml", KPIS);
    unkeyed.write("data/a.csv", keyed(7, 2_500));
    unkeyed.write("data/b.csv", keyed(11, 1_500));
    assert!(deals(&expected) < deals(&run(&unkeyed, "2", None).0));
}
