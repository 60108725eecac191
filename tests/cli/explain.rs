//! `kpi explain`: the row counts of each step, on a fixture whose counts are known by
//! construction, and the formula with each aggregate's value in place.

use crate::support::Workdir;

/// 12 data lines, built so that each step removes a known number:
/// - line 3 is ragged (skipped);
/// - ids 2 and 5 appear twice: their first lines are dropped as duplicates (2);
/// - id 6 is a test deal, removed by the source filter (1);
/// - id 7 closed in August and id 8 has no date: outside the periods (2);
/// - id 9 is a Lead, removed by the KPI filter (1);
/// - October keeps ids 1, 2, 3 (3 rows: 2 won), September ids 4, 5 (2 rows: 1 won);
/// - id 3's amount `abc` is invalid (1 value).
const DEALS: &str = "id,closed_at,stage,amount,is_test\n\
1,2026-10-03,Won,10,false\n\
bad line\n\
2,2026-10-05,Lost,1,false\n\
2,2026-10-06,Won,20,false\n\
3,2026-10-20,Lost,abc,false\n\
4,2026-09-10,Won,5,false\n\
5,2026-09-11,Won,5,false\n\
5,2026-09-12,Lost,5,false\n\
6,2026-10-07,Won,100,true\n\
7,2026-08-01,Won,1,false\n\
8,,Won,1,false\n\
9,2026-10-08,Lead,1,false\n";

fn fixture() -> Workdir {
    let work = Workdir::new();
    work.write("deals.csv", DEALS);
    work.write(
        "kpis.toml",
        "[settings]\nmax_invalid = 0.2\n\n[sources.deals]\npath = \"deals.csv\"\nkey = \"id\"\nfilter = \"is_test = false\"\n\
         columns = { amount = \"number\" }\n\n\
         [[kpi]]\nid = \"win_rate\"\nname = \"Win rate\"\nsource = \"deals\"\ntime = \"closed_at\"\n\
         filter = \"stage IN ('Won', 'Lost')\"\n\
         formula = \"count_if(stage = 'Won') / count(*)\"\n\n\
         [[kpi]]\nid = \"revenue\"\nsource = \"deals\"\ntime = \"closed_at\"\nformula = \"sum(amount)\"\n\n\
         [[kpi]]\nid = \"per_deal\"\nformula = \"revenue / win_rate\"\n",
    );
    work
}

fn count_of(out: &str, step: &str) -> u64 {
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with(step))
        .unwrap_or_else(|| panic!("no line `{step}` in\n{out}"));
    line.split_whitespace()
        .last()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count on `{line}`"))
}

#[test]
fn each_step_of_the_row_flow_is_counted() {
    let work = fixture();
    let out = work.run(&["explain", "win_rate", "--as-of", "2026-11-22"]);
    out.expect_code(0);
    let o = &out.stdout;
    assert_eq!(count_of(o, "read from the files"), 12, "{o}");
    assert_eq!(count_of(o, "skipped: wrong number of fields"), 1);
    assert_eq!(count_of(o, "dropped as duplicates of `id`"), 2);
    assert_eq!(count_of(o, "removed by the source filter"), 1);
    assert_eq!(count_of(o, "outside the periods computed, or no date"), 2);
    assert_eq!(count_of(o, "removed by the KPI filter"), 1);
    assert_eq!(count_of(o, "inside 2026-10-01 to 2026-10-31"), 3);
    assert_eq!(count_of(o, "inside 2026-09-01 to 2026-09-30"), 2);
    // Invalid values are counted for the columns the KPI uses: win_rate does not use amount.
    assert!(!o.contains("values of `amount`"), "{o}");
    let revenue = work
        .run(&["explain", "revenue", "--as-of", "2026-11-22"])
        .stdout;
    assert_eq!(
        count_of(&revenue, "(values of `amount` not a valid number"),
        1
    );
    assert_eq!(count_of(&revenue, "inside 2026-10-01 to 2026-10-31"), 4);
    assert!(o.contains("count_if(stage = 'Won') = 2"), "{o}");
    assert!(
        o.contains("2026-10-01 to 2026-10-31: 2 / 3 = 0.6666666666666666"),
        "{o}"
    );
    assert!(o.contains("2026-09-01 to 2026-09-30: 1 / 2 = 0.5"), "{o}");
    // Explaining records nothing.
    assert!(!work.exists("kpi-archive"));
}

#[test]
fn a_derived_kpi_shows_its_inputs_in_place() {
    let work = fixture();
    let out = work.run(&["explain", "per_deal", "--as-of", "2026-11-22"]);
    out.expect_code(0);
    // October: revenue 10 + 20 (id 3's amount is invalid, id 9 counts: no KPI filter) + 1.
    assert!(
        out.stdout
            .contains("2026-10 overall: 31 / 0.6666666666666666 = 46.5"),
        "{}",
        out.stdout
    );
}

#[test]
fn an_unknown_kpi_is_a_usage_error() {
    let work = fixture();
    let out = work.run(&["explain", "nope", "--as-of", "2026-11-22"]);
    out.expect_code(2);
    assert!(out.stderr.contains("unknown KPI `nope`"), "{}", out.stderr);
}
