//! `settings.currency` and a KPI's own `currency`: the sign in the table, Markdown and HTML,
//! plain numbers in CSV and JSON, and a code that is no currency refused with its place.

use crate::support::Workdir;

const DATA: &str = "\
id,closed_at,amount,region
1,2026-10-03,1131573.40,EMEA
2,2026-10-09,12.50,NA
3,2026-09-12,650000,EMEA
";

fn config(settings: &str, kpi_lines: &str) -> String {
    format!(
        "[settings]\n{settings}\n\n[sources.deals]\npath = \"deals.csv\"\n\n\
         [[kpi]]\nid = \"revenue\"\nname = \"Revenue\"\nsource = \"deals\"\ntime = \"closed_at\"\n\
         formula = \"sum(amount)\"\ndimensions = [\"region\"]\nunit = \"currency\"\n{kpi_lines}\n\n\
         [[kpi]]\nid = \"smallest\"\nname = \"Smallest deal\"\nsource = \"deals\"\n\
         time = \"closed_at\"\nformula = \"min(amount)\"\nunit = \"currency\"\n"
    )
}

fn workdir(settings: &str, kpi_lines: &str) -> Workdir {
    let work = Workdir::new();
    work.write("deals.csv", DATA);
    work.write("kpis.toml", config(settings, kpi_lines));
    work
}

fn run(work: &Workdir, format: &str) -> String {
    let out = work.run(&[
        "run",
        "--as-of",
        "2026-11-22",
        "--no-archive",
        "--format",
        format,
    ]);
    out.expect_code(0);
    out.stdout.clone()
}

#[test]
fn amounts_have_the_settings_currency_sign_in_the_table_markdown_and_html() {
    let work = workdir("currency = \"EUR\"", "");
    let table = run(&work, "table");
    // Whole euros from 1,000 up (cents are noise there); cents below, where they tell.
    assert!(
        table.contains("┆ €1,131,586 ┆ €650,000 ┆  ▲ +€481,586 (+74.1 %) ┆"),
        "{table}"
    );
    assert!(table.contains("┆ €1,131,573 ┆"), "{table}");
    assert!(table.contains(" €12.50 ┆"), "{table}");
    let markdown = run(&work, "markdown");
    assert!(
        markdown.contains("| Revenue | 2026-10 | €1,131,586 | €650,000 |"),
        "{markdown}"
    );
    let html = run(&work, "html");
    assert!(
        html.contains("<span class=\"value\">€1,131,586</span>"),
        "{html}"
    );
    assert!(html.contains(">€1,131,573</text>"), "{html}");
}

#[test]
fn machine_formats_keep_plain_numbers_and_the_unit_name() {
    let work = workdir("currency = \"EUR\"", "");
    let json = run(&work, "json");
    assert!(json.contains("\"unit\": \"currency\""), "{json}");
    assert!(json.contains("\"value\": 1131585.9"), "{json}");
    assert!(!json.contains('€'), "{json}");
    let csv = run(&work, "csv");
    assert!(!csv.contains('€') && csv.contains("1131585.9"), "{csv}");
}

#[test]
fn a_kpi_currency_overrides_the_settings_and_other_codes_are_spaced() {
    let work = workdir("currency = \"EUR\"", "currency = \"CHF\"");
    let table = run(&work, "table");
    assert!(table.contains("┆ CHF 1,131,586 ┆"), "{table}");
    // The other KPI keeps the settings' currency.
    assert!(table.contains(" €12.50 ┆"), "{table}");
    let catalog = work.run(&["catalog"]);
    catalog.expect_code(0);
    assert!(
        catalog.stdout.contains("**Unit:** currency (CHF)"),
        "{}",
        catalog.stdout
    );
    assert!(
        catalog.stdout.contains("**Unit:** currency (EUR)"),
        "{}",
        catalog.stdout
    );
}

#[test]
fn without_a_currency_amounts_have_no_sign_and_the_same_rounding() {
    let work = workdir("", "");
    let table = run(&work, "table");
    assert!(table.contains("┆ 1,131,586 ┆  650,000 ┆"), "{table}");
    assert!(table.contains(" 12.50 ┆"), "{table}");
}

#[test]
fn an_unknown_code_is_a_configuration_error_naming_the_key_and_place() {
    let work = workdir("currency = \"EURO\"", "");
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert!(
        out.stderr
            .contains("kpis.toml:2:12: settings.currency: `EURO` is not an ISO 4217 currency code"),
        "{}",
        out.stderr
    );
    let work = workdir("", "currency = \"EUT\"");
    let out = work.run(&["run", "--as-of", "2026-11-22", "--no-archive"]);
    out.expect_code(3);
    assert!(
        out.stderr
            .contains("kpi `revenue`: currency: `EUT` is not an ISO 4217 currency code"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_currency_on_a_kpi_that_is_no_amount_is_refused() {
    let work = workdir("", "");
    let toml = work.read("kpis.toml").replace(
        "formula = \"min(amount)\"\nunit = \"currency\"",
        "formula = \"count(*)\"\ncurrency = \"USD\"",
    );
    work.write("kpis.toml", toml);
    let out = work.run(&["validate"]);
    out.expect_code(3);
    assert!(
        out.stderr
            .contains("kpi `smallest`: currency = \"USD\" is for amounts: add unit = \"currency\""),
        "{}",
        out.stderr
    );
}
