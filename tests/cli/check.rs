//! `kpi check`: the verdict (exit 0 or 1, `--fail-on warn`), the condition that fired, the
//! JUnit report as a CI server parses it, and targets with their trend.

use crate::support::Workdir;
use serde_json::Value as Json;

/// Monthly won amounts: July 100, August 110, September 120, October 130 (EMEA 100, NA 30);
/// a steady +10 a month.
const DEALS: &str = "id,closed_at,amount,region\n\
1,2026-07-10,100,EMEA\n\
2,2026-08-10,110,EMEA\n\
3,2026-09-10,120,EMEA\n\
4,2026-10-10,100,EMEA\n\
5,2026-10-20,30,NA\n";

fn config(work: &Workdir, conditions: &str, target: &str) {
    work.write("deals.csv", DEALS);
    work.write(
        "kpis.toml",
        format!(
            "[sources.deals]\npath = \"deals.csv\"\n\n\
             [[kpi]]\nid = \"revenue\"\nname = \"Revenue\"\nsource = \"deals\"\ntime = \"closed_at\"\n\
             formula = \"sum(amount)\"\nunit = \"currency\"\ndimensions = [\"region\"]\n{conditions}\n{target}\n"
        ),
    );
}

fn check(work: &Workdir, extra: &[&str]) -> crate::support::Output {
    let mut args = vec!["check", "--as-of", "2026-11-22"];
    args.extend_from_slice(extra);
    work.run(&args)
}

#[test]
fn exit_code_follows_the_worst_status_and_fail_on_warn() {
    let work = Workdir::new();
    config(&work, "warn = \"value < 200\"", "");
    check(&work, &[]).expect_code(0);
    check(&work, &["--fail-on", "warn"]).expect_code(1);

    let work = Workdir::new();
    config(&work, "fail = \"value < 200\"", "");
    let out = check(&work, &[]);
    out.expect_code(1);
    // Breaches first, with the condition that fired; the summary counts every result.
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[3].contains("fail") && lines[3].contains("value < 200"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("3 fail, 0 warn, 0 ok, 0 no data"),
        "{}",
        out.stdout
    );

    let work = Workdir::new();
    config(&work, "fail = \"value < 50\"", "");
    let out = check(&work, &[]);
    out.expect_code(1);
    assert!(
        out.stdout.contains("1 fail, 0 warn, 2 ok"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Revenue · region=NA"), "{}", out.stdout);
}

#[test]
fn alert_change_says_how_far_the_value_moved() {
    let work = Workdir::new();
    config(&work, "", "");
    // October 130 against September 120 is +8.3 %; region NA had no September: no move.
    let toml = work.read("kpis.toml").replace(
        "[sources.deals]",
        "[settings]\nalert_change = 0.05\n\n[sources.deals]",
    );
    work.write(
        "kpis.toml",
        toml.replace(
            "formula = \"sum(amount)\"",
            "formula = \"sum(amount)\"\ndirection = \"down\"",
        ),
    );
    let out = check(&work, &["--format", "json"]);
    out.expect_code(0);
    let doc: Json = serde_json::from_str(&out.stdout).expect("json");
    let overall = &doc["results"][0];
    assert_eq!(overall["status"], "warn");
    assert_eq!(overall["breach"], "moved +8.3 % (alert_change 5 %)");
    check(&work, &["--fail-on", "warn"]).expect_code(1);
}

#[test]
fn junit_has_a_testcase_per_result_and_a_failure_per_breach() {
    let work = Workdir::new();
    config(&work, "warn = \"value < 120\"\nfail = \"value < 50\"", "");
    let out = check(&work, &["--format", "junit"]);
    out.expect_code(1);
    let doc = roxmltree::Document::parse(&out.stdout).expect("well-formed XML");
    let suites = doc.root_element();
    assert_eq!(suites.tag_name().name(), "testsuites");
    assert_eq!(suites.attribute("tests"), Some("3"));
    assert_eq!(suites.attribute("failures"), Some("1"));
    let cases: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 3);
    let failing: Vec<&str> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .filter_map(|c| c.attribute("name"))
        .collect();
    assert_eq!(failing, ["revenue 2026-10 region=NA"]);
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("failure");
    assert_eq!(failure.attribute("message"), Some("value < 50"));
    assert!(
        failure
            .text()
            .unwrap_or_default()
            .contains("Revenue: 30 (previous"),
        "{:?}",
        failure.text()
    );

    // With --fail-on warn, the warn result (EMEA, 100 < 120) is a failure too.
    let strict = check(&work, &["--format", "junit", "--fail-on", "warn"]);
    let doc = roxmltree::Document::parse(&strict.stdout).expect("well-formed XML");
    assert_eq!(doc.root_element().attribute("failures"), Some("2"));
    // Written to a file, the same document.
    check(&work, &["--format", "junit", "-o", "report.xml"]).expect_code(1);
    assert!(roxmltree::Document::parse(&work.read("report.xml")).is_ok());
}

#[test]
fn a_target_reports_attainment_and_where_the_trend_leads() {
    let work = Workdir::new();
    // The trend (+10 a month) reaches about 150 by the end of December: 140 is on track,
    // 200 is not. A region is not held to the company's target.
    config(
        &work,
        "fail = \"value < 0.5 * target\"",
        "target = { value = 140, by = \"2026-12-31\" }",
    );
    work.run(&["backfill", "--from", "2026-07-01", "--as-of", "2026-11-22"])
        .expect_code(0);
    let out = check(&work, &["--format", "json"]);
    out.expect_code(0);
    let doc: Json = serde_json::from_str(&out.stdout).expect("json");
    let overall = &doc["results"][0];
    assert_eq!(overall["target"], 140.0);
    assert_eq!(overall["target_by"], "2026-12-31");
    let attainment = overall["attainment"].as_f64().expect("attainment");
    assert!((attainment - 130.0 / 140.0).abs() < 1e-12);
    let projected = overall["projected"].as_f64().expect("projected");
    assert!((145.0..155.0).contains(&projected), "{projected}");
    assert_eq!(overall["on_track"], true);
    let na = &doc["results"][2];
    assert_eq!(na["dimensions"]["region"], "NA");
    assert_eq!(
        (na["status"].as_str(), &na["target"]),
        (Some("ok"), &Json::Null)
    );

    let toml = work.read("kpis.toml").replace("value = 140", "value = 200");
    work.write("kpis.toml", toml);
    let out = check(&work, &[]);
    assert!(
        out.stdout.contains("65 % of 200, off track"),
        "{}",
        out.stdout
    );
}

/// September: `won` of `total` deals won; October: 58 % of the same number won.
fn win_rates(work: &Workdir, total: usize, september_won: usize, october_won: usize) {
    let mut csv = String::from("id,closed_at,stage\n");
    let mut id = 0;
    for (month, won) in [("09", september_won), ("10", october_won)] {
        for i in 0..total {
            id += 1;
            let stage = if i < won { "Won" } else { "Lost" };
            csv.push_str(&format!("{id},2026-{month}-15,{stage}\n"));
        }
    }
    work.write("deals.csv", csv);
    work.write(
        "kpis.toml",
        "[settings]\nalert_change = 0.10\n\n[sources.deals]\npath = \"deals.csv\"\n\n\
         [[kpi]]\nid = \"win_rate\"\nsource = \"deals\"\ntime = \"closed_at\"\n\
         formula = \"count_if(stage = 'Won') / count(*)\"\nunit = \"percent\"\ndirection = \"down\"\n",
    );
}

#[test]
fn a_move_within_noise_does_not_alert_and_is_marked() {
    // 50 % → 58 % is a +16 % move, beyond alert_change (10 %) in the bad direction (down is
    // good here). On 12 deals a month it is noise; on 12,000 it is not.
    let work = Workdir::new();
    win_rates(&work, 12, 6, 7);
    let out = check(&work, &["--format", "json"]);
    out.expect_code(0);
    let doc: Json = serde_json::from_str(&out.stdout).expect("json");
    let r = &doc["results"][0];
    assert_eq!(
        (r["significant"].as_bool(), r["status"].as_str()),
        (Some(false), Some("ok"))
    );
    assert_eq!(r["low_sample"], true);
    let table = check(&work, &[]);
    assert!(table.stdout.contains("▲ +8.3 pts ~"), "{}", table.stdout);
    assert!(table.stdout.contains("~ within noise"), "{}", table.stdout);
    assert!(
        table.stdout.contains("low sample (12 rows)"),
        "{}",
        table.stdout
    );
    // alert_on_noise brings the warning back.
    let toml = work.read("kpis.toml").replace(
        "alert_change = 0.10",
        "alert_change = 0.10\nalert_on_noise = true",
    );
    work.write("kpis.toml", toml);
    let noisy: Json =
        serde_json::from_str(&check(&work, &["--format", "json"]).stdout).expect("json");
    assert_eq!(noisy["results"][0]["status"], "warn");

    let work = Workdir::new();
    win_rates(&work, 12_000, 6_000, 6_960);
    let out = check(&work, &["--format", "json"]);
    let doc: Json = serde_json::from_str(&out.stdout).expect("json");
    let r = &doc["results"][0];
    assert_eq!(
        (r["significant"].as_bool(), r["status"].as_str()),
        (Some(true), Some("warn"))
    );
    assert_eq!(r["low_sample"], false);
}
