//! Spreadsheet exports (SPEC.md, "Inputs beyond plain CSV"): `.xlsx` read through calamine,
//! one sheet (`sheet`, else the first), the first non-empty row as the header, typed cells
//! giving the values of the sheet's CSV export; keys that do not apply are refused by name; the
//! guards name the file, the sheet, the row and the column.

use crate::compressed::run_json;
use crate::support::{example, repo_root, Workdir, RUN_CSV};
use crate::workbook::{xlsx, Sheet};

/// The example's CSV file as text (the support export is windows-1252 and `;`-separated).
fn example_csv(name: &str) -> (String, u8) {
    let bytes = std::fs::read(repo_root().join("examples/data").join(name)).expect("example");
    if name == "tickets.csv" {
        let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
        return (text.into_owned(), b';');
    }
    (String::from_utf8(bytes).expect("utf-8"), b',')
}

#[test]
fn an_xlsx_copy_of_the_example_gives_the_same_json_as_the_csv() {
    let work = example();
    let plain = run_json(&work, "kpis.toml");
    plain.expect_code(0);
    for entry in std::fs::read_dir(repo_root().join("examples/data")).expect("examples") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let (csv, delimiter) = example_csv(&name);
        let sheet = Sheet {
            name: "Export",
            csv: &csv,
            delimiter,
        };
        // Two blank rows above the header, as under a report's title.
        let stem = name.trim_end_matches(".csv");
        work.write(&format!("xlsx/{stem}.xlsx"), xlsx(&[sheet], 2));
    }
    // A spreadsheet has no delimiter nor encoding: those lines go; date_format stays, for the
    // support export's dates (typed cells are written in it, text cells read with it).
    let config: String = work
        .read("kpis.toml")
        .replace("examples/data/", "xlsx/")
        .replace(".csv\"", ".xlsx\"")
        .lines()
        .filter(|l| !l.starts_with("delimiter =") && !l.starts_with("encoding ="))
        .map(|l| format!("{l}\n"))
        .collect();
    work.write("kpis-xlsx.toml", config);
    let out = run_json(&work, "kpis-xlsx.toml");
    out.expect_code(0);
    assert_eq!(out.stdout, plain.stdout);
    let validate = work.run(&["validate", "--config", "kpis-xlsx.toml"]);
    validate.expect_code(0);
}

const DEALS: &str = r#"[settings]
frequency = "month"

[sources.deals]
path = "deals.xlsx"
SHEET

[[kpi]]
id = "won"
source = "deals"
time = "closed_at"
formula = "sum(amount)"
filter = "won"
"#;

const DEALS_CSV: &str = "id,closed_at,amount,won\n\
    D1,2026-10-03,100.5,true\n\
    D2,2026-10-17,200,false\n\
    D3,2026-10-31,300.25,true\n\
    D4,2026-11-02,1000,true\n";

const NOTES_CSV: &str = "note\nExported from the CRM\n";

fn deals_work(sheet_line: &str, deals: &str) -> Workdir {
    let work = Workdir::new();
    work.write("kpis.toml", DEALS.replace("SHEET", sheet_line));
    let sheets = [
        Sheet {
            name: "Notes",
            csv: NOTES_CSV,
            delimiter: b',',
        },
        Sheet {
            name: "Deals",
            csv: deals,
            delimiter: b',',
        },
    ];
    work.write("deals.xlsx", xlsx(&sheets, 0));
    work
}

fn run_csv(work: &Workdir) -> crate::support::Output {
    work.run(&RUN_CSV)
}

#[test]
fn the_sheet_is_chosen_by_name_and_its_date_cells_are_dates() {
    let work = deals_work("sheet = \"Deals\"", DEALS_CSV);
    let out = run_csv(&work);
    out.expect_code(0);
    // October: 100.5 + 300.25 (the 31st is a date cell, in October; D4 is in November).
    let row = out
        .stdout
        .lines()
        .find(|l| l.starts_with("won,"))
        .unwrap_or_default();
    assert!(row.contains(",2026-10,"), "{}", out.stdout);
    assert!(row.contains(",400.75,"), "{}", out.stdout);
}

#[test]
fn without_a_sheet_the_first_is_read() {
    let work = deals_work("", DEALS_CSV);
    let out = run_csv(&work);
    // The first sheet, Notes, has no closed_at column: the configuration does not fit it.
    out.expect_code(3);
    assert!(out.stderr.contains("unknown column"), "{}", out.stderr);
    assert!(out.stderr.contains("deals`: note)"), "{}", out.stderr);
}

#[test]
fn an_unknown_sheet_is_a_configuration_error_listing_the_sheets() {
    let work = deals_work("sheet = \"Q3\"", DEALS_CSV);
    let out = run_csv(&work);
    out.expect_code(3);
    assert!(
        out.stderr
            .contains("deals.xlsx: no sheet `Q3` (sheets: Notes, Deals)"),
        "{}",
        out.stderr
    );
    let validate = work.run(&["validate"]);
    validate.expect_code(3);
    assert!(
        validate.stderr.contains("no sheet `Q3`"),
        "{}",
        validate.stderr
    );
}

#[test]
fn keys_that_do_not_apply_to_the_file_are_refused_by_name() {
    for (line, key) in [
        ("delimiter = \";\"", "`delimiter`"),
        ("encoding = \"latin-1\"", "`encoding`"),
    ] {
        let work = deals_work(&format!("sheet = \"Deals\"\n{line}"), DEALS_CSV);
        let out = run_csv(&work);
        out.expect_code(3);
        assert!(
            out.stderr.contains(&format!(
                "source `deals`: {key} does not apply to a spreadsheet (.xlsx)"
            )),
            "{}",
            out.stderr
        );
    }
    let work = deals_work("sheet = \"Deals\"", DEALS_CSV);
    work.write(
        "kpis.toml",
        DEALS
            .replace("deals.xlsx", "deals.csv")
            .replace("SHEET", "sheet = \"Deals\""),
    );
    work.write("deals.csv", DEALS_CSV);
    let out = run_csv(&work);
    out.expect_code(3);
    assert!(
        out.stderr
            .contains("source `deals`: `sheet` applies only to a spreadsheet"),
        "{}",
        out.stderr
    );
}

#[test]
fn invalid_values_in_a_sheet_stop_the_run_naming_the_sheet_row_and_column() {
    let mut deals = String::from("id,closed_at,amount,won\n");
    for i in 0..50 {
        // Every tenth amount is an Excel error cell's text, as a broken formula leaves.
        let amount = if i % 10 == 3 {
            "#REF!".to_string()
        } else {
            format!("{i}")
        };
        deals.push_str(&format!("D{i},2026-10-{:02},{amount},true\n", 1 + i % 28));
    }
    let declared = "sheet = \"Deals\"\ncolumns = { amount = \"number\" }";
    let out = run_csv(&deals_work(declared, &deals));
    out.expect_code(4);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let e = &out.stderr;
    assert!(e.contains("column `amount`"), "{e}");
    // D3 is the fourth row under the header: row 5 of the sheet.
    assert!(
        e.contains("\"#REF!\" at ./deals.xlsx (sheet `Deals`):5"),
        "{e}"
    );
}

#[test]
fn sql_refuses_a_spreadsheet_source_by_name_unless_it_has_a_table() {
    let work = deals_work("sheet = \"Deals\"", DEALS_CSV);
    let sql = ["sql", "--dialect", "duckdb", "--as-of", "2026-11-15"];
    let out = work.run(&sql);
    out.expect_code(3);
    assert!(
        out.stderr.contains("spreadsheet source `deals` (.xlsx)"),
        "{}",
        out.stderr
    );
    let with_table = DEALS.replace("SHEET", "sheet = \"Deals\"\ntable = \"crm.deals\"");
    work.write("kpis.toml", with_table);
    let out = work.run(&sql);
    out.expect_code(0);
    assert!(out.stdout.contains("FROM crm.deals"), "{}", out.stdout);
}

#[test]
fn init_reads_a_workbook_and_writes_a_source_without_delimiter_or_encoding() {
    let work = deals_work("sheet = \"Deals\"", DEALS_CSV);
    std::fs::remove_file(work.path().join("kpis.toml")).expect("remove");
    let sheets = [Sheet {
        name: "Deals",
        csv: DEALS_CSV,
        delimiter: b',',
    }];
    work.write("exports/deals.xlsx", xlsx(&sheets, 0));
    let out = work.run(&["init", "exports/deals.xlsx"]);
    out.expect_code(0);
    let config = work.read("kpis.toml");
    assert!(config.contains("path = \"exports/deals.xlsx\""), "{config}");
    assert!(!config.contains("delimiter ="), "{config}");
    assert!(!config.contains("encoding ="), "{config}");
    assert!(config.contains("closed_at = \"date\""), "{config}");
    let run = work.run(&["validate"]);
    run.expect_code(0);
}

#[test]
fn a_glob_of_workbooks_reads_each_and_keeps_the_last_row_of_a_key() {
    let work = Workdir::new();
    let config = DEALS
        .replace("deals.xlsx", "exports/deals-*.xlsx")
        .replace("SHEET", "sheet = \"Deals\"\nkey = \"id\"");
    work.write("kpis.toml", config);
    // October's D3 is corrected in November's export: 300.25 becomes 50.
    let november = "id,closed_at,amount,won\nD3,2026-10-31,50,true\nD5,2026-10-05,7,true\n";
    for (month, csv) in [("2026-10", DEALS_CSV), ("2026-11", november)] {
        let sheet = Sheet {
            name: "Deals",
            csv,
            delimiter: b',',
        };
        work.write(&format!("exports/deals-{month}.xlsx"), xlsx(&[sheet], 0));
    }
    let out = run_csv(&work);
    out.expect_code(0);
    let row = out
        .stdout
        .lines()
        .find(|l| l.starts_with("won,"))
        .unwrap_or_default();
    // 100.5 (D1) + 50 (D3, corrected) + 7 (D5).
    assert!(row.contains(",157.5,"), "{}", out.stdout);
}
