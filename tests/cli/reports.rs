//! `[[report]]` as a module: its KPIs in its order, its breakdowns, its title and audience in the
//! Markdown header.

use crate::support::{repo_root, Workdir};

#[test]
fn a_report_shows_its_own_breakdowns_and_header() {
    let work = Workdir::new();
    let config = repo_root().join("kpis.toml");
    let config = config.to_str().unwrap();
    let args = [
        "run",
        "-c",
        config,
        "--as-of",
        "2026-11-22",
        "--no-archive",
        "--report",
        "sales-monthly",
        "--format",
        "csv",
    ];
    let out = work.run(&args);
    out.expect_code(0);
    let dimensions: Vec<&str> = out
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(6))
        .filter(|d| !d.is_empty())
        .collect();
    assert!(!dimensions.is_empty());
    // sales-monthly lists `dimensions = ["region"]`: no segment or channel rows.
    assert!(
        dimensions
            .iter()
            .all(|d| d.starts_with("region=") && !d.contains(';')),
        "{dimensions:?}"
    );
    // --by still chooses for itself.
    let mut by = args.to_vec();
    by.extend(["--by", "segment"]);
    assert!(work.run(&by).stdout.contains(",segment=SMB,"));
    let mut markdown = args.to_vec();
    markdown[9] = "markdown";
    let md = work.run(&markdown).stdout;
    assert!(
        md.starts_with("## Sales — monthly pipeline review\n\nAs of 2026-11-22, for Sales team, read every month.\n"),
        "{md}"
    );
}
