//! `kpi validate`: every error at once (exit 3), lint warnings (exit 0, or 3 under
//! `--strict`), and the one-line verdict on stdout — on small configurations and on the
//! bundled example.

use crate::support::{repo_root, Output, Workdir};

const ORDERS: &str = "\
order_id,ordered_on,customer,amount,status
O-1,2026-09-03,Acme,1200.00,shipped
O-2,2026-10-02,Beta,980.00,cancelled
";

const SOURCE: &str = r#"[sources.orders]
path = "data/orders.csv"
columns = { ordered_on = "date", amount = "number" }
"#;

/// A KPI that no lint objects to, with `extra` keys.
fn kpi(id: &str, formula: &str, extra: &str) -> String {
    format!(
        r#"
[[kpi]]
id = "{id}"
source = "orders"
time = "ordered_on"
formula = "{formula}"
description = "What it counts."
owner = "Sales director"
action = "What to do when it goes wrong."
target = {{ value = 1000, by = "2026-12-31" }}
{extra}
"#
    )
}

fn report(id: &str, kpis: &[&str]) -> String {
    format!("\n[[report]]\nid = \"{id}\"\nkpis = {kpis:?}\n")
}

/// A work dir with the orders and a configuration of SOURCE followed by `rest`.
fn orders_with(rest: &str) -> Workdir {
    let work = Workdir::new();
    work.write("data/orders.csv", ORDERS);
    work.write("kpis.toml", format!("{SOURCE}{rest}"));
    work
}

fn errors(out: &Output) -> Vec<&str> {
    let lines = out.stderr.lines();
    lines.filter(|l| l.starts_with("kpi: error: ")).collect()
}

fn lints(out: &Output) -> Vec<&str> {
    let lines = out.stderr.lines();
    lines
        .filter(|l| l.starts_with("kpi: warning: lint: "))
        .collect()
}

#[test]
fn a_clean_configuration_is_valid_in_one_line() {
    let work = orders_with(&format!(
        "{}{}",
        kpi("revenue", "sum(amount)", ""),
        report("sales", &["revenue"])
    ));
    let out = work.run(&["validate"]);
    out.expect_code(0);
    assert_eq!(out.stdout, "kpis.toml: 1 KPI, 1 report, 1 source: valid\n");
    assert_eq!(out.stderr, "");
    work.run(&["validate", "--strict"]).expect_code(0);
}

#[test]
fn every_error_is_listed_at_once_with_its_place() {
    let work = orders_with(&format!(
        "{}{}{}{}{}{}",
        // A syntax error in a formula (line 9).
        kpi("revenue", "sum(amount", ""),
        // An unknown function, found when the formula is bound to the header (line 20).
        kpi("avg_order", "summ(amount) / count(*)", ""),
        // An unknown column (line 31).
        kpi("cancelled", "count_if(statut = 'cancelled')", ""),
        // An unknown key (line 47).
        kpi("orders_count", "count(*)", "formual = \"count(*)\""),
        // A source whose file is missing, and a report naming an unknown KPI (line 54).
        "\n[sources.refunds]\npath = \"data/refunds.csv\"\n",
        report("sales", &["revenue", "margin"])
    ));
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert_eq!(out.stdout, "");
    let errors = errors(&out);
    // In the order of the file; a missing file has no place in it, so it comes first.
    let expected = [
        ("refunds", "file not found"),
        ("revenue", "line 9, column 22"),
        ("function `summ`", "line 20, column 12"),
        ("column `statut`", "line 31, column 21"),
        (
            "orders_count",
            "kpis.toml:47:1: kpi `orders_count`: unknown field `formual`",
        ),
        ("margin", "kpis.toml:54:20:"),
        ("kpis.toml is not valid: 6 errors", ""),
    ];
    assert_eq!(errors.len(), expected.len(), "{}", out.stderr);
    for (line, (name, detail)) in errors.iter().zip(expected) {
        assert!(
            line.contains(name) && line.contains(detail),
            "{line:?} lacks {name:?} or {detail:?}:\n{}",
            out.stderr
        );
    }
    assert!(lints(&out).is_empty(), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn a_column_declared_but_absent_from_the_header_and_a_time_column_that_is_not_a_date() {
    let work = orders_with(&format!(
        "{}{}",
        kpi("revenue", "sum(amount)", "").replace("ordered_on", "customer"),
        report("sales", &["revenue"])
    ));
    work.write(
        "kpis.toml",
        work.read("kpis.toml").replace(
            "amount = \"number\"",
            "amount = \"number\", paid_on = \"date\"",
        ),
    );
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert!(out.stderr.contains("paid_on"), "{}", out.stderr);

    let work = orders_with(&format!(
        "{}{}",
        kpi("revenue", "sum(amount)", "").replace("ordered_on", "customer"),
        report("sales", &["revenue"])
    ));
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert!(
        out.stderr.contains("revenue") && out.stderr.contains("not a date"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_toml_syntax_error_is_the_one_error() {
    let work = orders_with("[[kpi]\nid = \"x\"\n");
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert_eq!(errors(&out).len(), 2, "{}", out.stderr);
    assert!(out.stderr.contains("line 4"), "{}", out.stderr);
}

#[test]
fn a_missing_configuration_says_how_to_point_at_one() {
    let work = Workdir::new();
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert!(out.stderr.contains("-c FILE"), "{}", out.stderr);
}

/// Each lint, alone in an otherwise clean configuration: exit 0 with the warning, exit 3
/// under --strict.
#[test]
fn each_lint_warns_and_fails_under_strict() {
    let clean = |id: &str| kpi(id, "sum(amount)", "");
    let many: Vec<String> = (1..=8).map(|i| format!("k{i}")).collect();
    // Distinct formulas, so that only the report is linted.
    let many_kpis: String = many
        .iter()
        .map(|id| kpi(id, &format!("count_if(customer = '{id}')"), ""))
        .collect();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "no owner",
            format!(
                "{}{}",
                kpi("revenue", "sum(amount)", "").replace("owner = \"Sales director\"\n", ""),
                report("r", &["revenue"])
            ),
            "lint: no owner (kpi `revenue`): ",
        ),
        (
            "no target",
            format!(
                "{}{}",
                kpi("revenue", "sum(amount)", "")
                    .replace("target = { value = 1000, by = \"2026-12-31\" }\n", ""),
                report("r", &["revenue"])
            ),
            "lint: no target (kpi `revenue`): ",
        ),
        (
            "crowded report",
            format!(
                "{many_kpis}{}",
                report("all", &many.iter().map(String::as_str).collect::<Vec<_>>())
            ),
            "lint: 8 KPIs in one report (report `all`): ",
        ),
        (
            "mixed ratios",
            format!(
                "{}{}",
                kpi(
                    "mix",
                    "count_if(status = 'shipped') / count(*) + sum(amount) / count(DISTINCT customer)",
                    ""
                ),
                report("r", &["mix"])
            ),
            "lint: the formula divides by 2 different aggregates: count(*), count(DISTINCT customer) (kpi `mix`): ",
        ),
        (
            "in no report",
            format!("{}{}{}", clean("revenue"), kpi("lonely", "count(*)", ""), report("r", &["revenue"])),
            "lint: in no report (kpi `lonely`): ",
        ),
        (
            "same formula",
            format!(
                "{}{}{}",
                clean("revenue"),
                kpi("turnover", "SUM( amount )", ""),
                report("r", &["revenue", "turnover"])
            ),
            "lint: same formula as `revenue` (kpi `turnover`): ",
        ),
    ];
    for (name, config, lint) in cases {
        let work = orders_with(&config);
        let out = work.run(&["validate"]);
        out.expect_code(0);
        assert_eq!(lints(&out).len(), 1, "{name}:\n{}", out.stderr);
        assert!(
            lints(&out)[0].starts_with(&format!("kpi: warning: {lint}")),
            "{name}:\n{}",
            out.stderr
        );
        assert!(
            out.stdout.ends_with(": valid (1 lint warning)\n"),
            "{name}: {}",
            out.stdout
        );

        let out = work.run(&["validate", "--strict"]);
        out.expect_code(3);
        assert_eq!(out.stdout, "", "{name}");
        assert!(
            out.stderr
                .contains("kpi: error: kpis.toml is not valid under --strict: 1 lint warning"),
            "{name}:\n{}",
            out.stderr
        );
    }
}

/// The bundled example has no error; its lints are KPIs without a target.
#[test]
fn the_bundled_example_is_valid() {
    let work = Workdir::new();
    std::fs::copy(repo_root().join("kpis.toml"), work.path().join("kpis.toml")).expect("copy");
    work.copy_dir(&repo_root().join("examples/data"), "examples/data");
    let out = work.run(&["validate"]);
    out.expect_code(0);
    assert!(errors(&out).is_empty(), "{}", out.stderr);
    let lints = lints(&out);
    assert!(
        lints.iter().all(|l| l.contains("lint: no target (kpi `")),
        "{}",
        out.stderr
    );
    assert_eq!(
        out.stdout,
        format!(
            "kpis.toml: 18 KPIs, 5 reports, 7 sources: valid ({} lint warnings)\n",
            lints.len()
        )
    );
}
