//! The archive's safety guarantees (SPEC.md, "The archive" and "Exit codes"): a killed, an
//! interrupted or a concurrent run never leaves it corrupt nor loses a value; re-runs are
//! idempotent; restatements, definition changes and source drift are told; a damaged or foreign
//! archive is refused and left untouched; a layout 1 archive is read and upgraded.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value as Json;

use crate::support::{Output, Workdir};

const AS_OF: &str = "2026-11-22";

const HEADER_V2: &str = "kpi,period,period_start,period_end,dimensions,value,rows,recorded_at,\
                         fingerprint,source_fingerprint,parts";

const KPIS: &str = r#"[sources.deals]
path = "deals.csv"

[sources.tickets]
path = "tickets.csv"

[[kpi]]
id = "revenue"
source = "deals"
time = "closed_at"
formula = "sum(amount)"
dimensions = ["region"]

[[kpi]]
id = "open_tickets"
source = "tickets"
frequency = "week"
formula = "count_if(resolved_at IS NULL)"
"#;

/// September 150 (EMEA 100, NA 50), October 40 (EMEA 10, NA 30), November 7 (NA).
const DEALS: &str = "id,closed_at,amount,region\n\
1,2026-09-05,100,EMEA\n\
2,2026-09-20,50,NA\n\
3,2026-10-03,10,EMEA\n\
4,2026-10-20,30,NA\n\
5,2026-11-02,7,NA\n";

/// Two tickets open.
const TICKETS: &str = "id,opened_at,resolved_at\n\
1,2026-11-02,\n\
2,2026-11-03,2026-11-04\n\
3,2026-11-05,\n";

fn small(work: &Workdir) {
    work.write("kpis.toml", KPIS);
    work.write("deals.csv", DEALS);
    work.write("tickets.csv", TICKETS);
}

/// `kpi run --as-of DATE --format json ARGS`, which must succeed: its results and its stderr.
fn run_json(work: &Workdir, as_of: &str, args: &[&str]) -> (Vec<Json>, String) {
    let mut all = vec!["run", "--as-of", as_of, "--format", "json"];
    all.extend_from_slice(args);
    let out = work.run(&all);
    out.expect_code(0);
    let json: Json = serde_json::from_str(&out.stdout).expect("JSON output");
    let results = json["results"].as_array().expect("results").clone();
    (results, out.stderr)
}

/// The result of a KPI for a breakdown (`{}` for the overall value).
fn result<'a>(results: &'a [Json], kpi: &str, dimensions: Json) -> &'a Json {
    results
        .iter()
        .find(|r| r["kpi"] == kpi && r["dimensions"] == dimensions)
        .unwrap_or_else(|| panic!("no {kpi} {dimensions} in {results:#?}"))
}

fn overall<'a>(results: &'a [Json], kpi: &str) -> &'a Json {
    result(results, kpi, serde_json::json!({}))
}

/// The lines of an archive file as column → field maps, read with a plain CSV reader.
fn lines_of(work: &Workdir, name: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(work.path().join(name)).expect(name);
    let header = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|record| {
            let record = record.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(record.len(), header.len(), "{name}: {record:?}");
            let fields = header.iter().zip(record.iter());
            fields
                .map(|(h, f)| (h.to_string(), f.to_string()))
                .collect()
        })
        .collect()
}

/// The value archived for a KPI, period and breakdown ("" for overall), as written.
fn archived(work: &Workdir, kpi: &str, period: &str, dimensions: &str) -> Option<String> {
    lines_of(work, &format!("kpi-archive/{kpi}.csv"))
        .into_iter()
        .find(|l| l["period"] == period && l["dimensions"] == dimensions)
        .map(|l| l["value"].clone())
}

/// Every file under the archive folder but the lock, with its bytes: what a run must not touch.
fn archive_files(work: &Workdir) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, files: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.map(|e| e.expect("dir entry")) {
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().expect("file type").is_dir() {
                walk(&entry.path(), &format!("{name}/"), files);
            } else if name != ".lock" {
                files.insert(name, std::fs::read(entry.path()).expect("read"));
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(&work.path().join("kpi-archive"), "", &mut files);
    files
}

/// The temporary files a killed writer may leave in the archive.
fn leftovers(work: &Workdir) -> Vec<String> {
    let names = archive_files(work).into_keys();
    names.filter(|n| n.contains(".kpi-tmp-")).collect()
}

/// An archive file's text with its `recorded_at` values blanked: what two runs of the same data
/// must write identically.
fn without_recorded_at(name: &str, bytes: &[u8]) -> String {
    let mut text = String::from_utf8(bytes.to_vec()).expect(name);
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().expect(name).clone();
    if let Some(column) = header.iter().position(|h| h == "recorded_at") {
        for record in reader.records() {
            let stamp = record.expect(name)[column].to_string();
            if !stamp.is_empty() {
                text = text.replace(&stamp, "<recorded_at>");
            }
        }
    }
    text
}

/// A deterministic pseudo-random sequence (Knuth's MMIX LCG): the same data and the same kill
/// instants on every run of the test.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// What every archived line must hold: (kpi, period, dimensions) → (value, rows).
type Expected = HashMap<(String, String, String), (f64, u64)>;

const BIG_KPIS: &str = r#"[sources.deals]
path = "deals.csv"

[sources.leads]
path = "leads.csv"

[[kpi]]
id = "revenue"
source = "deals"
time = "closed_at"
formula = "sum(amount)"
dimensions = ["customer"]

[[kpi]]
id = "deal_count"
source = "deals"
time = "closed_at"
formula = "count(*)"

[[kpi]]
id = "lead_count"
source = "leads"
time = "created_at"
formula = "count(*)"
dimensions = ["channel"]
"#;

const BIG_MONTHS: [&str; 5] = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"];

/// Writes enough data that a debug `kpi run` takes a noticeable time (`deals` deals over
/// June–October for 1,500 customers, so that the archive files are large too, and a second
/// source), and returns what every archived value must be, counted here independently of `kpi`.
fn big(work: &Workdir, deals: u64) -> Expected {
    let mut rng = Lcg(2026);
    let mut expected = Expected::new();
    let mut add = |kpi: &str, period: &str, dimensions: String, value: u64| {
        let key = (kpi.to_string(), period.to_string(), dimensions);
        let entry = expected.entry(key).or_insert((0.0, 0));
        entry.0 += value as f64;
        entry.1 += 1;
    };
    let mut text = String::from("id,closed_at,amount,customer\n");
    for id in 0..deals {
        let period = BIG_MONTHS[rng.below(5) as usize];
        let (day, amount, customer) = (1 + rng.below(28), 1 + rng.below(1000), rng.below(1500));
        writeln!(text, "{id},{period}-{day:02},{amount},c{customer}").unwrap();
        add("revenue", period, String::new(), amount);
        add("revenue", period, format!("customer=c{customer}"), amount);
        add("deal_count", period, String::new(), 1);
    }
    work.write("deals.csv", text);
    let mut text = String::from("id,created_at,channel\n");
    for id in 0..deals / 5 {
        let period = BIG_MONTHS[rng.below(5) as usize];
        let channel = ["Web", "Ads", "Event"][rng.below(3) as usize];
        writeln!(text, "{id},{period}-{:02},{channel}", 1 + rng.below(28)).unwrap();
        add("lead_count", period, String::new(), 1);
        add("lead_count", period, format!("channel={channel}"), 1);
    }
    work.write("leads.csv", text);
    work.write("kpis.toml", BIG_KPIS);
    expected
}

/// Checks every file of the big archive line by line against what the data says: well-formed
/// layout 2 lines, right values and row counts, whole source states. Returns how many lines
/// each KPI has for each period (`"revenue 2026-08"` → 1,201).
fn check_big_archive(work: &Workdir, expected: &Expected, deals: u64) -> BTreeMap<String, usize> {
    assert_eq!(work.read("kpi-archive/LAYOUT"), "kpi-archive 2\n");
    let mut lines_by_period = BTreeMap::new();
    for kpi in ["revenue", "deal_count", "lead_count"] {
        let name = format!("kpi-archive/{kpi}.csv");
        let text = work.read(&name);
        assert!(text.starts_with(&format!("{HEADER_V2}\n")), "{name}");
        assert!(text.ends_with('\n'), "{name} ends mid-line");
        for line in lines_of(work, &name) {
            let key = (
                kpi.to_string(),
                line["period"].clone(),
                line["dimensions"].clone(),
            );
            let want = expected.get(&key);
            let got: Option<(f64, u64)> = line["value"].parse().ok().zip(line["rows"].parse().ok());
            assert_eq!(got.as_ref(), want, "{name}: {line:?}");
            *lines_by_period
                .entry(format!("{kpi} {}", line["period"]))
                .or_default() += 1;
        }
    }
    for (source, rows, columns) in [("deals", deals, 4), ("leads", deals / 5, 3)] {
        let name = format!("kpi-archive/sources/{source}.csv");
        let lines = lines_of(work, &name);
        assert_eq!(lines.len(), columns, "{name}");
        assert!(
            lines.iter().all(|l| l["rows"] == rows.to_string()),
            "{name}"
        );
    }
    lines_by_period
}

/// Every KPI has every line of these periods: the overall value and each breakdown.
fn assert_whole_periods(expected: &Expected, recorded: &BTreeMap<String, usize>, periods: &[&str]) {
    for kpi in ["revenue", "deal_count", "lead_count"] {
        for period in periods {
            let want = expected
                .keys()
                .filter(|(k, p, _)| k == kpi && p == period)
                .count();
            let got = recorded.get(&format!("{kpi} {period}"));
            assert_eq!(got, Some(&want), "lines of {kpi} {period}");
        }
    }
}

/// A configuration with the same KPIs over tiny files: a `--no-archive` run with it reads every
/// archive file (and so checks that `kpi` itself can parse them) in milliseconds.
fn write_reader_config(work: &Workdir) {
    work.write(
        "tiny-deals.csv",
        "id,closed_at,amount,customer\n1,2026-10-01,5,c1\n",
    );
    work.write(
        "tiny-leads.csv",
        "id,created_at,channel\n1,2026-10-01,Web\n",
    );
    let config = BIG_KPIS
        .replace("\"deals.csv\"", "\"tiny-deals.csv\"")
        .replace("\"leads.csv\"", "\"tiny-leads.csv\"");
    work.write("reader.toml", config);
}

fn run_period(work: &Workdir, period: &str) -> Command {
    let mut command = work.command(&["run", "--as-of", AS_OF, "--period", period]);
    command.arg("--format").arg("csv").stdin(Stdio::null());
    command
}

#[test]
fn sigkill_at_any_instant_leaves_every_file_whole_and_loses_nothing() {
    const DEALS: u64 = 15_000;
    const KILLS: usize = 30;
    let work = Workdir::new();
    let expected = big(&work, DEALS);
    write_reader_config(&work);
    work.run(&["run", "--as-of", AS_OF, "--period", "2026-08"])
        .expect_code(0);
    // One unkilled run, timed, scales the kill instants to this machine and build.
    let started = Instant::now();
    let out = run_period(&work, "2026-09").output().expect("run kpi");
    let full = started.elapsed();
    assert!(out.status.success(), "{out:?}");
    let recorded = check_big_archive(&work, &expected, DEALS);
    assert_whole_periods(&expected, &recorded, &["2026-08", "2026-09"]);

    let mut rng = Lcg(7);
    // What the kills hit, told when the test runs with --nocapture.
    let (mut killed, mut mid_record, mut leftover_seen) = (0, 0, 0);
    for _ in 0..KILLS {
        let period = BIG_MONTHS[rng.below(5) as usize];
        // Anywhere from the start of the run to a little past its end, and one kill in two
        // in its last fifth, where the archive files are read, merged and replaced.
        let from = if rng.below(2) == 0 { 0.05 } else { 0.8 };
        let delay = full.mul_f64(from + (1.05 - from) * rng.below(1000) as f64 / 1000.0);
        let before = archive_files(&work);
        let mut child = run_period(&work, period)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn kpi");
        std::thread::sleep(delay);
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("wait kpi");
        if !status.success() {
            let after = archive_files(&work);
            killed += 1;
            mid_record += usize::from(after != before);
            leftover_seen += usize::from(after.keys().any(|n| n.contains(".kpi-tmp-")));
        }

        // Every file is whole and right, and what was recorded before is still there...
        let recorded = check_big_archive(&work, &expected, DEALS);
        assert_whole_periods(&expected, &recorded, &["2026-08", "2026-09"]);
        // ... and kpi itself can still read the archive.
        let args = ["-c", "reader.toml", "run", "--as-of", AS_OF, "--no-archive"];
        work.run(&args).expect_code(0);
    }
    eprintln!(
        "{KILLS} runs killed at random over a run of {full:?}: {killed} before they ended, \
         {mid_record} of them after changing the archive, {leftover_seen} leaving a temporary file"
    );

    // Whatever temporary files the kills left (planted too, as the kills seldom hit the instant
    // a file is being written), the next recording run removes them under its lock.
    work.write("kpi-archive/.kpi-tmp-killed", "half a file");
    work.write("kpi-archive/sources/.kpi-tmp-killed", "half a file");
    let out = run_period(&work, "2026-10").output().expect("run kpi");
    assert!(out.status.success(), "{out:?}");
    let recorded = check_big_archive(&work, &expected, DEALS);
    assert_whole_periods(&expected, &recorded, &["2026-08", "2026-09", "2026-10"]);
    assert_eq!(leftovers(&work), Vec::<String>::new());
}

#[test]
fn concurrent_runs_for_different_periods_all_land() {
    let work = Workdir::new();
    let mut rng = Lcg(11);
    let months = [
        "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10",
    ];
    let mut deals = String::from("id,closed_at,amount,customer\n");
    for id in 0..8_000 {
        let month = months[rng.below(6) as usize];
        let (day, amount, customer) = (1 + rng.below(28), rng.below(500), rng.below(300));
        writeln!(deals, "{id},{month}-{day:02},{amount},c{customer}").unwrap();
    }
    work.write("deals.csv", deals);
    let config = "[sources.deals]\npath = \"deals.csv\"\n\n\
                  [[kpi]]\nid = \"revenue\"\nsource = \"deals\"\ntime = \"closed_at\"\n\
                  formula = \"sum(amount)\"\ndimensions = [\"customer\"]\n\n\
                  [[kpi]]\nid = \"deal_count\"\nsource = \"deals\"\ntime = \"closed_at\"\n\
                  formula = \"count(*)\"\n";
    work.write("kpis.toml", config);
    // The same KPIs recorded one run after the other in another folder: the reference.
    let sequential = format!("[settings]\narchive = \"sequential\"\n\n{config}");
    work.write("sequential.toml", sequential);

    // All at once into an archive that does not exist yet: the folder, LAYOUT and every file
    // are contended for.
    let children: Vec<_> = months
        .iter()
        .map(|month| {
            run_period(&work, month)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn kpi")
        })
        .collect();
    for (month, child) in months.iter().zip(children) {
        let out = child.wait_with_output().expect("wait kpi");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{month}: {stderr}");
    }
    for month in months {
        let args = [
            "-c",
            "sequential.toml",
            "run",
            "--as-of",
            AS_OF,
            "--period",
            month,
        ];
        work.run(&args).expect_code(0);
    }

    for kpi in ["revenue", "deal_count"] {
        let lines = lines_of(&work, &format!("kpi-archive/{kpi}.csv"));
        for month in months {
            let overall = lines
                .iter()
                .any(|l| l["period"] == month && l["dimensions"].is_empty());
            assert!(overall, "{kpi} {month} is missing from the archive");
        }
        let concurrent = archive_files(&work)[&format!("{kpi}.csv")].clone();
        let reference = std::fs::read(work.path().join(format!("sequential/{kpi}.csv"))).unwrap();
        assert_eq!(
            without_recorded_at(kpi, &concurrent),
            without_recorded_at(kpi, &reference),
            "{kpi}: concurrent runs recorded other values than sequential ones"
        );
    }
    assert_eq!(work.read("kpi-archive/LAYOUT"), "kpi-archive 2\n");
    assert_eq!(leftovers(&work), Vec::<String>::new());
}

#[test]
fn a_rerun_of_the_same_data_rewrites_the_same_archive() {
    let work = Workdir::new();
    small(&work);
    let args = ["run", "--as-of", AS_OF, "--period", "2026-10"];
    let first_run = work.run(&args);
    first_run.expect_code(0);
    let first = archive_files(&work);
    let second_run = work.run(&args);
    second_run.expect_code(0);
    let second = archive_files(&work);

    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        assert_eq!(
            without_recorded_at(name, bytes),
            without_recorded_at(name, &second[name]),
            "{name} changed"
        );
    }
    // Neither a restatement nor a drift of the sources: nothing changed.
    assert!(
        !second_run.stderr.contains("warning"),
        "{}",
        second_run.stderr
    );
}

#[test]
fn late_data_for_a_closed_period_is_told_as_a_restatement() {
    let work = Workdir::new();
    small(&work);
    let (_, stderr) = run_json(&work, AS_OF, &["--period", "2026-09"]);
    assert!(!stderr.contains("restated"), "{stderr}");
    assert_eq!(
        archived(&work, "revenue", "2026-09", "").as_deref(),
        Some("150")
    );

    // A late September deal in NA.
    work.write("deals.csv", format!("{DEALS}6,2026-09-30,1000,NA\n"));
    let (results, stderr) = run_json(&work, AS_OF, &["--period", "2026-09"]);
    assert_eq!(overall(&results, "revenue")["value"], 1150.0);
    assert!(
        stderr.contains("restated revenue for 2026-09: 150 → 1,150"),
        "{stderr}"
    );
    assert_eq!(
        archived(&work, "revenue", "2026-09", "").as_deref(),
        Some("1150")
    );
    let na = archived(&work, "revenue", "2026-09", "region=NA");
    assert_eq!(na.as_deref(), Some("1050"));
    assert_eq!(
        archived(&work, "revenue", "2026-09", "region=EMEA").as_deref(),
        Some("100")
    );
}

#[test]
fn a_breakdown_that_vanished_from_a_rerun_is_told_and_not_kept() {
    let work = Workdir::new();
    small(&work);
    run_json(&work, AS_OF, &["--period", "2026-09"]);
    // The NA deal of September was entered by mistake: the corrected export drops it.
    work.write("deals.csv", DEALS.replace("2,2026-09-20,50,NA\n", ""));
    let (_, stderr) = run_json(&work, AS_OF, &["--period", "2026-09"]);
    assert!(
        stderr.contains("restated revenue for 2026-09: 150 → 100 and 1 other value"),
        "{stderr}"
    );
    let na = archived(&work, "revenue", "2026-09", "region=NA");
    assert!(
        na.is_none() || na.as_deref() == Some(""),
        "NA kept as {na:?}"
    );
    let (results, _) = run_json(&work, AS_OF, &["--period", "2026-10"]);
    let na = result(&results, "revenue", serde_json::json!({"region": "NA"}));
    assert_eq!(na["previous_value"], Json::Null, "{na}");
}

#[test]
fn a_month_recorded_before_its_end_is_not_restated_after_it() {
    let work = Workdir::new();
    small(&work);
    // November by its label on the 10th: refusing is fine, recording it as final is not.
    let early = work.run(&["run", "--as-of", "2026-11-10", "--period", "2026-11"]);
    assert!([0, 2, 3].contains(&early.code), "{}", early.stderr);
    work.write("deals.csv", format!("{DEALS}6,2026-11-20,50,NA\n"));
    let (results, stderr) = run_json(&work, "2026-12-02", &["--period", "2026-11"]);
    assert_eq!(overall(&results, "revenue")["value"], 57.0);
    assert!(!stderr.contains("restated"), "{stderr}");
}

#[test]
fn new_data_in_an_open_period_is_not_a_restatement() {
    let work = Workdir::new();
    small(&work);
    let args = ["--as-of", "2026-11-10", "--period", "current"];
    let (_, stderr) = run_json(&work, args[1], &args[2..]);
    assert!(!stderr.contains("restated"), "{stderr}");
    assert_eq!(
        archived(&work, "revenue", "2026-11", "").as_deref(),
        Some("7")
    );

    // November to date grows, and a ticket opens (open_tickets is a snapshot: never final).
    work.write("deals.csv", format!("{DEALS}6,2026-11-05,1,NA\n"));
    work.write("tickets.csv", format!("{TICKETS}4,2026-11-09,\n"));
    let (results, stderr) = run_json(&work, args[1], &args[2..]);
    assert_eq!(overall(&results, "revenue")["value"], 8.0);
    assert_eq!(overall(&results, "open_tickets")["value"], 3.0);
    assert!(!stderr.contains("restated"), "{stderr}");
    assert_eq!(
        archived(&work, "revenue", "2026-11", "").as_deref(),
        Some("8")
    );
    let tickets = archived(&work, "open_tickets", "2026-W46", "");
    assert_eq!(tickets.as_deref(), Some("3"));
}

#[test]
fn a_changed_definition_makes_the_comparison_not_like_for_like() {
    let work = Workdir::new();
    small(&work);
    run_json(&work, AS_OF, &["--period", "2026-09"]);

    // A new name and unit, and the formula on its own line: the same definition.
    let renamed = KPIS.replace(
        "formula = \"sum(amount)\"",
        "name = \"Revenue\"\nunit = \"currency\"\nformula = \"\"\"\n  sum(amount)\n\"\"\"",
    );
    work.write("kpis.toml", &renamed);
    let (results, _) = run_json(&work, AS_OF, &["--period", "2026-10", "--kpi", "revenue"]);
    let october = overall(&results, "revenue");
    assert_eq!(october["previous_value"], 150.0, "{october}");
    assert_eq!(october["comparable"], true, "{october}");

    // Only EMEA from now on: the September value (150, all regions) is still the previous one,
    // but the delta is not like-for-like.
    let filtered = KPIS.replace(
        "formula = \"sum(amount)\"",
        "formula = \"sum(amount)\"\nfilter = \"region = 'EMEA'\"",
    );
    work.write("kpis.toml", filtered);
    let (results, _) = run_json(&work, AS_OF, &["--period", "2026-10", "--kpi", "revenue"]);
    let october = overall(&results, "revenue");
    assert_eq!(october["value"], 10.0, "{october}");
    assert_eq!(october["previous_value"], 150.0, "{october}");
    assert_eq!(october["comparable"], false, "{october}");
    let emea = result(&results, "revenue", serde_json::json!({"region": "EMEA"}));
    assert_eq!(emea["previous_value"], 100.0, "{emea}");
    assert_eq!(emea["comparable"], false, "{emea}");
}

/// After a definition change, the warning says which periods the archive still holds under
/// the old one and the backfill (with its date) that recomputes them; once done, it is quiet.
#[test]
fn after_a_definition_change_the_warning_names_the_backfill_that_catches_up() {
    let work = Workdir::new();
    small(&work);
    for period in ["2026-09", "2026-10"] {
        run_json(&work, AS_OF, &["--period", period, "--kpi", "revenue"]);
    }
    let filtered = KPIS.replace(
        "formula = \"sum(amount)\"",
        "formula = \"sum(amount)\"\nfilter = \"region = 'EMEA'\"",
    );
    work.write("kpis.toml", filtered);
    let (_, stderr) = run_json(&work, AS_OF, &["--kpi", "revenue"]);
    assert_eq!(
        stderr,
        "kpi: warning: restated revenue for 2026-10: 40 → 10 and 1 other value; its definition changed since it was recorded\n\
         kpi: warning: revenue: 1 period (2026-09) is still stored under an earlier definition: run `kpi backfill --from 2026-09-01` to recompute under the current one\n"
    );

    let args = [
        "backfill",
        "--from",
        "2026-09-01",
        "--as-of",
        AS_OF,
        "--kpi",
        "revenue",
    ];
    let out = work.run(&args);
    out.expect_code(0);
    assert!(!out.stderr.contains("earlier definition"), "{}", out.stderr);
    let (results, stderr) = run_json(&work, AS_OF, &["--kpi", "revenue"]);
    assert_eq!(stderr, "");
    assert_eq!(overall(&results, "revenue")["comparable"], true);
}

#[test]
fn a_respaced_formula_keeps_the_comparison_like_for_like() {
    let work = Workdir::new();
    small(&work);
    run_json(&work, AS_OF, &["--period", "2026-09"]);
    // Spacing and the case of keywords do not change what the formula computes.
    work.write("kpis.toml", KPIS.replace("sum(amount)", "SUM( amount )"));
    let (results, _) = run_json(&work, AS_OF, &["--period", "2026-10"]);
    let october = overall(&results, "revenue");
    assert_eq!(october["comparable"], true, "{october}");
}

#[test]
fn the_previous_value_comes_from_the_archive_even_when_the_data_changed() {
    let work = Workdir::new();
    small(&work);
    run_json(&work, AS_OF, &["--period", "2026-09"]);
    // September's rows corrected after the run: 100 → 400 (EMEA), 50 → 60 (NA).
    let corrected = DEALS
        .replace("2026-09-05,100,", "2026-09-05,400,")
        .replace("2026-09-20,50,", "2026-09-20,60,");
    work.write("deals.csv", corrected);

    let (results, _) = run_json(&work, AS_OF, &["--period", "2026-10"]);
    let october = overall(&results, "revenue");
    assert_eq!(october["previous_period"], "2026-09");
    assert_eq!(october["previous_value"], 150.0, "{october}");
    assert_eq!(october["comparable"], true, "{october}");
    let na = result(&results, "revenue", serde_json::json!({"region": "NA"}));
    assert_eq!(na["previous_value"], 50.0, "{na}");

    // Without an archive the same run computes September from today's data.
    let fresh = Workdir::new();
    small(&fresh);
    fresh.write("deals.csv", work.read("deals.csv"));
    let (results, _) = run_json(&fresh, AS_OF, &["--period", "2026-10", "--no-archive"]);
    assert_eq!(overall(&results, "revenue")["previous_value"], 460.0);
}

#[test]
fn a_snapshot_kpi_is_compared_with_the_value_archived_last_week() {
    let work = Workdir::new();
    small(&work);
    // Wednesday of week 47: two tickets open, nothing to compare with.
    let (results, _) = run_json(&work, "2026-11-18", &["--kpi", "open_tickets"]);
    let w47 = overall(&results, "open_tickets");
    assert_eq!(
        (&w47["period"], &w47["value"]),
        (&"2026-W47".into(), &2.0.into())
    );
    assert_eq!(w47["previous_value"], Json::Null, "{w47}");
    assert_eq!(w47["comparable"], Json::Null, "{w47}");

    // A week later one was resolved and three opened: four open, against two archived.
    let tickets = "id,opened_at,resolved_at\n1,2026-11-02,2026-11-20\n2,2026-11-03,2026-11-04\n\
                   3,2026-11-05,\n4,2026-11-23,\n5,2026-11-24,\n6,2026-11-24,\n";
    work.write("tickets.csv", tickets);
    let (results, _) = run_json(&work, "2026-11-25", &["--kpi", "open_tickets"]);
    let w48 = overall(&results, "open_tickets");
    assert_eq!(w48["period"], "2026-W48");
    assert_eq!(w48["value"], 4.0, "{w48}");
    assert_eq!(w48["previous_period"], "2026-W47");
    assert_eq!(w48["previous_value"], 2.0, "{w48}");
    assert_eq!(w48["comparable"], true, "{w48}");

    // Last week's figure cannot be recomputed from today's export: without an archive, none.
    let fresh = Workdir::new();
    small(&fresh);
    fresh.write("tickets.csv", tickets);
    let (results, _) = run_json(&fresh, "2026-11-25", &["--kpi", "open_tickets"]);
    let w48 = overall(&results, "open_tickets");
    assert_eq!(w48["previous_value"], Json::Null, "{w48}");
}

/// Takes the archive's lock as another kpi run would (the same advisory lock), until dropped.
fn hold_lock(work: &Workdir) -> std::fs::File {
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(work.path().join("kpi-archive/.lock"))
        .expect("open the lock file");
    lock.lock().expect("take the lock");
    lock
}

#[test]
fn a_locked_archive_makes_a_recording_run_give_up_untouched() {
    let work = Workdir::new();
    small(&work);
    run_json(&work, AS_OF, &["--period", "2026-09"]);
    let before = archive_files(&work);

    let lock = hold_lock(&work);
    let out = work
        .command(&["run", "--as-of", AS_OF, "--period", "2026-10"])
        .env("KPI_LOCK_TIMEOUT", "0.3")
        .output()
        .expect("run kpi");
    let out = Output::of(out);
    out.expect_code(5);
    assert!(out.stderr.contains("locked"), "{}", out.stderr);
    assert_eq!(
        archive_files(&work),
        before,
        "a run that gave up changed the archive"
    );

    lock.unlock().expect("release the lock");
    let out = work
        .command(&["run", "--as-of", AS_OF, "--period", "2026-10"])
        .env("KPI_LOCK_TIMEOUT", "0.3")
        .output()
        .expect("run kpi");
    Output::of(out).expect_code(0);
    assert_eq!(
        archived(&work, "revenue", "2026-10", "").as_deref(),
        Some("40")
    );
}

#[test]
fn ctrl_c_while_waiting_for_the_lock_exits_130() {
    let work = Workdir::new();
    small(&work);
    run_json(&work, AS_OF, &["--period", "2026-09"]);
    let before = archive_files(&work);
    let _lock = hold_lock(&work);

    // The run computes in milliseconds, then waits for the lock when Ctrl-C comes (had it
    // come earlier, the pass over the data would have stopped: 130 just the same).
    let child = work
        .command(&["run", "--as-of", AS_OF, "--period", "2026-10"])
        .env("KPI_LOCK_TIMEOUT", "60")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kpi");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pid = child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status();
    assert!(sent.expect("run kill").success());
    let out = Output::of(child.wait_with_output().expect("wait kpi"));
    out.expect_code(130);
    assert!(out.stderr.contains("interrupted"), "{}", out.stderr);
    assert_eq!(
        archive_files(&work),
        before,
        "an interrupted run changed the archive"
    );
}

#[test]
fn ctrl_c_and_sigterm_stop_a_run_with_130_and_leave_the_archive_as_it_was() {
    let work = Workdir::new();
    big(&work, 30_000);
    let started = Instant::now();
    let out = run_period(&work, "2026-08").output().expect("run kpi");
    let full = started.elapsed();
    assert!(out.status.success(), "{out:?}");

    for signal in ["-INT", "-TERM"] {
        // Half-way through the pass over the data (kpi has long installed its handler).
        let mut delay = full / 2;
        let mut attempts = 0;
        loop {
            attempts += 1;
            assert!(attempts <= 8, "kill {signal} never landed during a run");
            let before = archive_files(&work);
            let child = run_period(&work, "2026-07")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn kpi");
            std::thread::sleep(delay);
            let sent = Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status()
                .expect("run kill");
            assert!(sent.success());
            let out = child.wait_with_output().expect("wait kpi");
            let stderr = String::from_utf8_lossy(&out.stderr);
            match out.status.code() {
                // The run ended before the signal: again, sooner.
                Some(0) => delay /= 2,
                code => {
                    assert_eq!(code, Some(130), "kill {signal}: {stderr}");
                    assert!(stderr.contains("interrupted"), "{stderr}");
                    assert!(out.stdout.is_empty(), "kill {signal}: output printed");
                    assert_eq!(
                        archive_files(&work),
                        before,
                        "kill {signal} changed the archive"
                    );
                    break;
                }
            }
        }
    }
    assert_eq!(leftovers(&work), Vec::<String>::new());
}

#[test]
fn a_damaged_or_foreign_archive_stops_the_run_and_is_left_as_it_is() {
    let work = Workdir::new();
    small(&work);
    run_json(&work, AS_OF, &["--period", "2026-09"]);
    let good = archive_files(&work);
    let revenue = work.read("kpi-archive/revenue.csv");
    let last_line = revenue.trim_end().rfind('\n').expect("several lines") + 1;
    let half_line = last_line + (revenue.len() - last_line) / 2;
    let second_line = revenue.lines().nth(1).expect("a record");
    let deals = work.read("kpi-archive/sources/deals.csv");
    let damages = [
        // A value edited by hand in a spreadsheet, on line 2 (September overall).
        (
            "revenue.csv",
            revenue.replacen(",150,", ",abc,", 1),
            "revenue.csv:2:",
        ),
        // The last line cut in the middle, as a half-written file would be.
        (
            "revenue.csv",
            revenue[..half_line].to_string(),
            "revenue.csv:4:",
        ),
        // A line pasted twice.
        (
            "revenue.csv",
            format!("{revenue}{second_line}\n"),
            "revenue.csv:5:",
        ),
        ("revenue.csv", String::new(), "revenue.csv:1:"),
        // The rows read (5) of a source's state.
        (
            "sources/deals.csv",
            deals.replacen(",5,", ",five,", 1),
            "sources/deals.csv:2:",
        ),
        ("LAYOUT", "kpi-archive 99\n".to_string(), "LAYOUT"),
    ];
    for (file, damaged, place) in damages {
        work.write(&format!("kpi-archive/{file}"), &damaged);
        let before = archive_files(&work);
        for extra in [None, Some("--no-archive")] {
            let mut args = vec!["run", "--as-of", AS_OF, "--period", "2026-10"];
            args.extend(extra);
            let out = work.run(&args);
            out.expect_code(5);
            let path = format!("kpi-archive/{place}");
            assert!(out.stderr.contains(&path), "{args:?}: {}", out.stderr);
            assert_eq!(archive_files(&work), before, "{args:?} changed the archive");
        }
        // Repaired by hand, the archive works again.
        for (name, bytes) in &good {
            work.write(&format!("kpi-archive/{name}"), bytes);
        }
    }
    let (results, _) = run_json(&work, AS_OF, &["--period", "2026-10"]);
    assert_eq!(overall(&results, "revenue")["previous_value"], 150.0);
}

#[test]
fn an_unknown_layout_names_the_layout_found() {
    let work = Workdir::new();
    small(&work);
    work.write("kpi-archive/LAYOUT", "kpi-archive 99\n");
    let out = work.run(&["run", "--as-of", AS_OF]);
    out.expect_code(5);
    assert!(out.stderr.contains("`kpi-archive 99`"), "{}", out.stderr);
    // Nothing was created next to the foreign LAYOUT (no lock, no sources folder).
    let names: Vec<String> = std::fs::read_dir(work.path().join("kpi-archive"))
        .expect("archive folder")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names, ["LAYOUT"]);
}

#[test]
fn a_renamed_column_is_named_with_its_source() {
    let work = Workdir::new();
    small(&work);
    run_json(&work, AS_OF, &["--period", "2026-09"]);
    // A column no KPI uses may be renamed without a word.
    let deals = DEALS.replacen("id,", "deal_id,", 1);
    work.write("deals.csv", &deals);
    let (_, stderr) = run_json(&work, AS_OF, &["--period", "2026-10"]);
    assert!(!stderr.contains("changed"), "{stderr}");
    work.write("deals.csv", deals.replacen("amount", "amount_eur", 1));

    // The formula still says `amount`: a configuration error that says what changed.
    let out = work.run(&["run", "--as-of", AS_OF, "--period", "2026-10"]);
    out.expect_code(3);
    for told in ["source `deals`", "`amount`", "`amount_eur`"] {
        assert!(out.stderr.contains(told), "{told}: {}", out.stderr);
    }

    // Once the formula follows the export, the run works.
    work.write("kpis.toml", KPIS.replace("sum(amount)", "sum(amount_eur)"));
    let (results, _) = run_json(&work, AS_OF, &["--period", "2026-10"]);
    assert_eq!(overall(&results, "revenue")["value"], 40.0);
}

#[test]
fn a_used_column_that_changed_type_is_told() {
    let work = Workdir::new();
    small(&work);
    // count(amount) works on numbers and dates alike, so only the warning tells.
    work.write("kpis.toml", KPIS.replace("sum(amount)", "count(amount)"));
    run_json(&work, AS_OF, &["--period", "2026-09"]);
    let dates = "id,closed_at,amount,region\n1,2026-09-05,2026-01-01,EMEA\n\
                 2,2026-09-20,2026-01-02,NA\n3,2026-10-03,2026-01-03,EMEA\n\
                 4,2026-10-20,2026-01-04,NA\n5,2026-11-02,2026-01-05,NA\n";
    work.write("deals.csv", dates);
    let (_, stderr) = run_json(&work, AS_OF, &["--period", "2026-10"]);
    assert!(stderr.contains("source `deals`"), "{stderr}");
    assert!(
        stderr.contains("column `amount` was number and is now date"),
        "{stderr}"
    );
}

#[test]
fn a_source_that_lost_more_than_half_its_rows_is_told() {
    let work = Workdir::new();
    small(&work);
    run_json(&work, AS_OF, &["--period", "2026-09"]);
    // Five rows, then two.
    let halved: String = DEALS.lines().take(3).map(|l| format!("{l}\n")).collect();
    work.write("deals.csv", halved);
    let args = ["--period", "2026-09", "--kpi", "revenue"];
    let (_, stderr) = run_json(&work, AS_OF, &[&args[..], &["--no-archive"]].concat());
    let told = "source `deals`: 2 rows, down 60 % from 5 at the run of ";
    assert!(stderr.contains(told), "{stderr}");
    // A --no-archive run did not update the source's state: the next run tells it again...
    let (_, stderr) = run_json(&work, AS_OF, &args);
    assert!(stderr.contains(told), "{stderr}");
    // ... and records it, so that the one after has nothing to tell.
    let (_, stderr) = run_json(&work, AS_OF, &args);
    assert!(!stderr.contains("rows, down"), "{stderr}");
    // Growing back by more than half is told too, without a verdict.
    work.write("deals.csv", DEALS);
    let (results, stderr) = run_json(&work, AS_OF, &args);
    assert!(
        stderr.contains("source `deals` changed size: 5 rows, against 2 at the run of "),
        "{stderr}"
    );
    assert_eq!(overall(&results, "revenue")["status"], "ok");
}

#[test]
fn a_layout_1_archive_is_read_and_upgraded_keeping_its_records() {
    // The fingerprint kpi gives this definition, learnt from a scratch archive.
    let scratch = Workdir::new();
    small(&scratch);
    run_json(&scratch, AS_OF, &["--period", "2026-09"]);
    let fingerprint = lines_of(&scratch, "kpi-archive/revenue.csv")[0]["fingerprint"].clone();

    let work = Workdir::new();
    small(&work);
    work.write("kpi-archive/LAYOUT", "kpi-archive 1\n");
    let at = "2026-10-01T06:00:00+00:00";
    let v1 = format!(
        "kpi,period,period_start,period_end,dimensions,value,rows,recorded_at,fingerprint\n\
         revenue,2026-09,2026-09-01,2026-09-30,,120,2,{at},{fingerprint}\n\
         revenue,2026-09,2026-09-01,2026-09-30,region=EMEA,90,1,{at},{fingerprint}\n"
    );
    work.write("kpi-archive/revenue.csv", &v1);

    // Read (the data would say 150 and 100)...
    let before = archive_files(&work);
    let (results, _) = run_json(&work, AS_OF, &["--period", "2026-10", "--no-archive"]);
    let october = overall(&results, "revenue");
    assert_eq!(october["previous_value"], 120.0, "{october}");
    assert_eq!(october["comparable"], true, "{october}");
    let emea = result(&results, "revenue", serde_json::json!({"region": "EMEA"}));
    assert_eq!(emea["previous_value"], 90.0, "{emea}");
    assert_eq!(
        archive_files(&work),
        before,
        "a run that only reads upgraded the archive"
    );

    // ... and upgraded by the next recording run, old records kept as they were.
    let (results, _) = run_json(&work, AS_OF, &["--period", "2026-10"]);
    assert_eq!(overall(&results, "revenue")["previous_value"], 120.0);
    assert_eq!(work.read("kpi-archive/LAYOUT"), "kpi-archive 2\n");
    let text = work.read("kpi-archive/revenue.csv");
    assert!(text.starts_with(&format!("{HEADER_V2}\n")), "{text}");
    let lines = lines_of(&work, "kpi-archive/revenue.csv");
    let september: Vec<_> = lines.iter().filter(|l| l["period"] == "2026-09").collect();
    assert_eq!(september.len(), 2, "{text}");
    for (line, (dimensions, value, rows)) in september
        .iter()
        .zip([("", "120", "2"), ("region=EMEA", "90", "1")])
    {
        assert_eq!(line["dimensions"], dimensions, "{text}");
        assert_eq!(line["value"], value, "{text}");
        assert_eq!(line["rows"], rows, "{text}");
        assert_eq!(line["recorded_at"], at, "{text}");
        assert_eq!(line["fingerprint"], fingerprint, "{text}");
    }
    let october = lines
        .iter()
        .find(|l| l["period"] == "2026-10" && l["dimensions"].is_empty());
    assert_eq!(october.map(|l| l["value"].as_str()), Some("40"), "{text}");
}
