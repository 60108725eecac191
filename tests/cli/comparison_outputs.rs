//! Every renderer shows every baseline (SPEC, Comparisons and windows): CSV columns, a Δ column
//! per baseline in the tables, Markdown and the HTML card; on the bundled example, whose
//! year-ago figures are checked against a run of that very period.

use crate::support::{example, Output, Workdir};

const AS_OF: [&str; 3] = ["--as-of", "2026-11-22", "--no-archive"];
const BOTH: [&str; 4] = ["--compare", "previous", "--compare", "year_ago"];

fn run(work: &Workdir, args: &[&str]) -> Output {
    let mut all = vec!["run"];
    all.extend(AS_OF);
    all.extend(args);
    let out = work.run(&all);
    out.expect_code(0);
    out
}

/// The CSV's cell of `column` in the overall row of `kpi`.
fn cell(csv: &str, kpi: &str, column: &str) -> String {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let index = header.iter().position(|h| *h == column);
    let index = index.unwrap_or_else(|| panic!("no column {column}: {csv}"));
    let row = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|r| r[0] == kpi && r[6].is_empty())
        .unwrap_or_else(|| panic!("no overall row of {kpi}: {csv}"));
    row[index].to_string()
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn csv_adds_the_columns_of_each_later_baseline_with_the_value_of_that_period() {
    let work = example();
    let win_rate = ["--kpi", "win_rate", "--format", "csv"];
    let both = run(&work, &[&BOTH[..], &win_rate].concat());
    let header = both.stdout.lines().next().unwrap_or_default();
    assert!(
        header.ends_with(
            ",low_sample,year_ago_period,year_ago_value,year_ago_delta,year_ago_delta_pct"
        ),
        "{header}"
    );
    let year_ago = run(&work, &[&["--period", "2025-10"], &win_rate[..]].concat());
    assert_eq!(cell(&both.stdout, "win_rate", "year_ago_period"), "2025-10");
    let value = cell(&year_ago.stdout, "win_rate", "value");
    assert_eq!(cell(&both.stdout, "win_rate", "year_ago_value"), value);
    let now: f64 = cell(&both.stdout, "win_rate", "value").parse().unwrap();
    let delta: f64 = cell(&both.stdout, "win_rate", "year_ago_delta")
        .parse()
        .unwrap();
    assert_eq!(delta, now - value.parse::<f64>().unwrap());
    // The first baseline stays in the columns it always had.
    assert_eq!(cell(&both.stdout, "win_rate", "previous_period"), "2026-09");
}

#[test]
fn csv_with_the_default_baseline_keeps_its_columns() {
    let work = example();
    let plain = run(&work, &["--format", "csv"]);
    let previous = run(&work, &["--compare", "previous", "--format", "csv"]);
    assert!(plain
        .stdout
        .lines()
        .next()
        .unwrap()
        .ends_with(",low_sample"));
    assert_eq!(plain.stdout, previous.stdout);
}

#[test]
fn the_table_has_a_delta_column_per_baseline() {
    let work = example();
    let out = run(
        &work,
        &[&BOTH[..], &["--width", "0", "--kpi", "win_rate"]].concat(),
    );
    let header = out.stdout.lines().nth(1).unwrap_or_default();
    assert!(header.contains("┆ Previous ┆"), "{}", out.stdout);
    assert!(header.contains("Δ prev ┆"), "{}", out.stdout);
    assert!(header.contains("Δ year ago ┆ Status"), "{}", out.stdout);
    // 35.1 % now, 38.3 % in 2026-09, 24.4 % in 2025-10; both moves within noise.
    let win = out.stdout.lines().nth(3).unwrap_or_default();
    assert!(win.contains("▼ -3.2 pts ~ ┆ ▲ +10.7 pts ~ ┆ ok"), "{win}");
}

#[test]
fn year_ago_alone_names_its_columns_and_fits_100_columns() {
    let work = example();
    let out = work
        .command(&[&["run"], &AS_OF[..], &["--compare", "year_ago"]].concat())
        .env("COLUMNS", "100")
        .output();
    let out = Output::of(out.expect("kpi runs"));
    out.expect_code(0);
    assert!(widest(&out.stdout) <= 100, "{}", out.stdout);
    let header = out.stdout.lines().nth(1).unwrap_or_default();
    assert!(header.contains("Δ year ago"), "{}", out.stdout);
    assert!(!header.contains("Δ prev"), "{}", out.stdout);
    assert!(!out.stdout.contains('…'), "{}", out.stdout);
    assert!(out.stdout.contains(" ▲ +10.7 pts ~ ┆ ok"), "{}", out.stdout);
    // The baseline values' column is named after the baseline before it is left out.
    let wide = run(&work, &["--compare", "year_ago", "--width", "0"]);
    let header = wide.stdout.lines().nth(1).unwrap_or_default();
    assert!(header.contains("┆ Year ago ┆"), "{}", wide.stdout);
}

#[test]
fn two_baselines_fit_100_columns_by_leaving_out_the_later_delta_first() {
    let work = example();
    for command in ["run", "check"] {
        let args = [&[command], &AS_OF[..], &BOTH[..]].concat();
        let out = work.command(&args).env("COLUMNS", "100").output();
        let out = Output::of(out.expect("kpi runs"));
        assert!(widest(&out.stdout) <= 100, "{command}: {}", out.stdout);
        // run leaves out the year-ago Δ alone; check, whose Why wraps, both Δ columns.
        let note = out.stdout.lines().last().unwrap_or_default();
        assert!(
            note.starts_with("(fitted to 100 columns: "),
            "{}",
            out.stdout
        );
        let left_out = match command {
            "run" => "Previous and Δ year ago left out",
            _ => "Previous, Δ year ago and Δ prev left out",
        };
        assert!(note.contains(left_out), "{}", out.stdout);
        // Room for both Δ columns in a wider terminal (check's names are longer: `· region=…`).
        let room = if command == "run" { "130" } else { "160" };
        let out = work.run(&[&args[..], &["--width", room]].concat());
        let header = out.stdout.lines().nth(1).unwrap_or_default();
        assert!(header.contains("Δ year ago"), "{command}: {}", out.stdout);
        assert!(header.contains("Δ prev"), "{command}: {}", out.stdout);
        assert!(
            widest(&out.stdout) <= room.parse().unwrap(),
            "{}",
            out.stdout
        );
    }
}

#[test]
fn markdown_has_a_delta_column_per_baseline() {
    let work = example();
    let args = [&BOTH[..], &["--format", "markdown", "--kpi", "win_rate"]].concat();
    let out = run(&work, &args);
    assert!(
        out.stdout
            .contains("| KPI | Period | Value | Previous | Δ prev | Δ year ago | Status |"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "| Win rate | 2026-10 | 35.1 % | 38.3 % | ▼ -3.2 pts ~ | ▲ +10.7 pts ~ | ok |"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn the_html_card_shows_each_baselines_delta() {
    let work = example();
    let args = [&BOTH[..], &["--format", "html", "--kpi", "win_rate"]].concat();
    let out = run(&work, &args);
    assert!(
        out.stdout
            .contains("vs 38.3 % in 2026-09 (previous)</span>"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "<li><span class=\"delta good\">▲ +10.7 pts</span> vs 24.4 % in 2025-10 (year ago) · \
             within noise</li>"
        ),
        "{}",
        out.stdout
    );
    // One baseline, the period before: the card as it always was.
    let plain = run(&work, &["--format", "html", "--kpi", "win_rate"]);
    assert!(plain.stdout.contains("vs 38.3 % in 2026-09</span>"));
    assert!(!plain.stdout.contains("baselines"), "{}", plain.stdout);
}
