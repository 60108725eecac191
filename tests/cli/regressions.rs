//! Behaviours pinned after bugs, each named after what must hold.

use crate::support::Workdir;

const DEALS: &str = "id,closed_at,amount,region\n\
1,2026-09-05,100,EMEA\n\
2,2026-10-03,10,EMEA\n\
3,2026-10-20,30,NA\n\
4,2026-11-02,7,NA\n";

fn deals(work: &Workdir, extra_source_keys: &str) {
    work.write("deals.csv", DEALS);
    work.write(
        "kpis.toml",
        format!(
            "[sources.deals]\npath = \"deals.csv\"\n{extra_source_keys}\n\
             [[kpi]]\nid = \"revenue\"\nsource = \"deals\"\ntime = \"closed_at\"\nformula = \"sum(amount)\"\n\n\
             [sources.other]\npath = \"other.csv\"\n\n\
             [[kpi]]\nid = \"others\"\nsource = \"other\"\nformula = \"count(*)\"\ndimensions = [\"kind\"]\n"
        ),
    );
    work.write("other.csv", "kind\na\nb\n");
}

fn csv_field(out: &str, row: usize, column: &str) -> String {
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let i = header.iter().position(|h| *h == column).expect("column");
    lines
        .nth(row)
        .unwrap_or_default()
        .split(',')
        .nth(i)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_value_recorded_to_date_is_not_the_previous_value_of_a_whole_period() {
    let work = Workdir::new();
    deals(&work, "");
    // October to date (1–10) is recorded first: 10.
    work.run(&[
        "run",
        "--as-of",
        "2026-10-10",
        "--period",
        "current",
        "--kpi",
        "revenue",
        "--format",
        "csv",
    ])
    .expect_code(0);
    // November's previous value must be the whole of October, computed from the data: 40.
    let out = work.run(&[
        "run",
        "--as-of",
        "2026-12-01",
        "--kpi",
        "revenue",
        "--format",
        "csv",
    ]);
    out.expect_code(0);
    assert_eq!(
        csv_field(&out.stdout, 0, "previous_value"),
        "40",
        "{}",
        out.stdout
    );
}

#[test]
fn by_shows_overall_values_for_kpis_whose_source_lacks_the_column() {
    let work = Workdir::new();
    deals(&work, "");
    let out = work.run(&[
        "run",
        "--as-of",
        "2026-11-02",
        "--no-archive",
        "--by",
        "region",
        "--format",
        "csv",
    ]);
    out.expect_code(0);
    let others: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("others,"))
        .collect();
    assert_eq!(
        others.len(),
        1,
        "only the overall value of `others`:\n{}",
        out.stdout
    );
    assert!(out.stdout.contains("region=NA"), "{}", out.stdout);
}

#[test]
fn a_key_that_is_not_a_column_is_a_configuration_error() {
    let work = Workdir::new();
    deals(&work, "key = \"idd\"");
    let out = work.run(&["run", "--as-of", "2026-11-02", "--no-archive"]);
    out.expect_code(3);
    assert!(
        out.stderr.contains("unknown column `idd`") && out.stderr.contains("id, closed_at"),
        "{}",
        out.stderr
    );
}

#[test]
fn text_in_double_quotes_gets_a_hint() {
    let work = Workdir::new();
    deals(&work, "filter = \"region = \\\"EMEA\\\"\"");
    let out = work.run(&["run", "--as-of", "2026-11-02", "--no-archive"]);
    out.expect_code(3);
    assert!(
        out.stderr.contains("text is written 'EMEA'"),
        "{}",
        out.stderr
    );
}

/// A check with no value of its own (the id's spelling, an ambiguous `previous`) was recorded
/// and then dropped when every other key was fine: the configuration loaded anyway.
#[test]
fn a_kpi_id_that_is_not_lowercase_is_a_configuration_error() {
    let work = Workdir::new();
    work.write("deals.csv", DEALS);
    work.write(
        "kpis.toml",
        "[sources.deals]\npath = \"deals.csv\"\n\n[[kpi]]\nid = \"Revenue\"\nsource = \"deals\"\n\
         time = \"closed_at\"\nformula = \"sum(amount)\"\n",
    );
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert!(
        out.stderr
            .contains("KPI id `Revenue` must be made of a-z, 0-9 and _"),
        "{}",
        out.stderr
    );
}
