//! The invalid-value guard (SPEC.md, Guards): over `settings.max_invalid` of a used column's
//! values invalid, the run stops with exit 4, naming the file, the column, the count and share,
//! two examples with their lines and, for dates, the format they do read as.

use crate::support::{Output, Workdir};

/// An export like Superstore's: `Order Date` written month first (`11/8/2016`), 120 orders
/// from January 2016 on, one every third day.
fn superstore() -> String {
    let mut text = String::from("Row ID,Order Date,Sales\n");
    let start = chrono::NaiveDate::from_ymd_opt(2016, 1, 1).expect("date");
    for i in 0..120u32 {
        let day = start + chrono::Days::new(u64::from(i) * 3);
        text.push_str(&format!(
            "{},{},{}.50\n",
            i + 1,
            day.format("%-m/%-d/%Y"),
            10 + i
        ));
    }
    text
}

fn work(date_format: &str, settings: &str) -> Workdir {
    let work = Workdir::new();
    work.write("data/orders.csv", superstore());
    work.write(
        "kpis.toml",
        format!(
            "{settings}\n[sources.orders]\npath = \"data/orders.csv\"\ndate_format = \"{date_format}\"\n\
             columns = {{ \"Order Date\" = \"date\", Sales = \"number\" }}\n\n\
             [[kpi]]\nid = \"sales\"\nsource = \"orders\"\ntime = \"Order Date\"\nformula = \"sum(Sales)\"\n"
        ),
    );
    work
}

/// `kpi run` for October 2026.
fn run(work: &Workdir, extra: &[&str]) -> Output {
    run_as_of(work, "2026-11-15", extra)
}

fn run_as_of(work: &Workdir, as_of: &str, extra: &[&str]) -> Output {
    let fixed = ["run", "--as-of", as_of, "--no-archive", "--format", "csv"];
    work.run(&[&fixed[..], extra].concat())
}

#[test]
fn a_wrong_date_format_stops_the_run_and_names_the_format_the_dates_read_as() {
    let out = run_as_of(&work("%d/%m/%Y", ""), "2016-12-15", &[]);
    out.expect_code(4);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let e = &out.stderr;
    for fragment in [
        "source `orders`, column `Order Date`:",
        "values (",
        "are not a valid date for date_format \"%d/%m/%Y\"",
        // The first dates that do not exist day first: the 13th of January is line 6.
        "\"1/13/2016\" at ./data/orders.csv:6, \"1/16/2016\" at ./data/orders.csv:7",
        "hint: they read as %m/%d/%Y: set date_format = \"%m/%d/%Y\" on source `orders`",
        "settings.max_invalid (1.0 %)",
    ] {
        assert!(e.contains(fragment), "stderr lacks {fragment:?}:\n{e}");
    }
    // The right format reads every value: no warning, a value.
    let out = run_as_of(&work("%m/%d/%Y", ""), "2016-12-15", &[]);
    out.expect_code(0);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert!(out.stdout.contains("sales,"), "{}", out.stdout);
}

#[test]
fn the_count_and_share_are_those_of_the_non_empty_values() {
    let work = Workdir::new();
    let mut data = String::from("id,ordered_on,amount\n");
    for i in 1..=200 {
        // Two typos, and blank or N/A cells that are no value at all.
        let amount = match i {
            50 => "12..5".to_string(),
            150 => "abc".to_string(),
            _ if i % 10 == 0 => String::new(),
            _ => format!("{i}"),
        };
        data.push_str(&format!("{i},2026-10-{:02},{amount}\n", 1 + i % 28));
    }
    work.write("data/orders.csv", data);
    let kpis = "[sources.orders]\npath = \"data/orders.csv\"\ncolumns = { amount = \"number\" }\n\n\
                [[kpi]]\nid = \"revenue\"\nsource = \"orders\"\ntime = \"ordered_on\"\nformula = \"sum(amount)\"\n";
    work.write("kpis.toml", kpis);
    // 2 of the 182 non-empty amounts (1.1 %): over the default limit of 1 %.
    let out = run(&work, &[]);
    out.expect_code(4);
    assert!(
        out.stderr.contains(
            "column `amount`: 2 of 182 values (1.1 %) are not a valid number: \"12..5\" at ./data/orders.csv:51, \"abc\" at ./data/orders.csv:151"
        ),
        "{}",
        out.stderr
    );
    // Raised to 2 %, the same values are a warning with an example, and count as null.
    work.write(
        "kpis.toml",
        format!("[settings]\nmax_invalid = 0.02\n\n{kpis}"),
    );
    let out = run(&work, &[]);
    out.expect_code(0);
    assert!(
        out.stderr.starts_with(
            "kpi: warning: source `orders`, column `amount`: 2 of 182 values (1.1 %) are not a valid number, counted as null: \"12..5\" at ./data/orders.csv:51"
        ),
        "{}",
        out.stderr
    );
    // --strict allows none.
    let out = run(&work, &["--strict"]);
    out.expect_code(4);
    assert!(
        out.stderr.contains("--strict allows no invalid value"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_decimal_comma_under_a_decimal_point_gets_the_hint() {
    let work = Workdir::new();
    work.write(
        "data/orders.csv",
        "id,ordered_on,amount\n1,2026-10-01,\"12,50\"\n2,2026-10-02,\"3,75\"\n3,2026-10-03,4\n",
    );
    work.write(
        "kpis.toml",
        "[sources.orders]\npath = \"data/orders.csv\"\ncolumns = { amount = \"number\" }\n\n\
         [[kpi]]\nid = \"revenue\"\nsource = \"orders\"\ntime = \"ordered_on\"\nformula = \"sum(amount)\"\n",
    );
    let out = run(&work, &[]);
    out.expect_code(4);
    assert!(
        out.stderr.contains(
            "hint: they read with a decimal comma: set decimal = \",\" on source `orders`"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn max_invalid_must_be_a_share() {
    let out = run(&work("%m/%d/%Y", "[settings]\nmax_invalid = 5\n"), &[]);
    out.expect_code(3);
    assert!(
        out.stderr.contains(
            "settings.max_invalid must be a share between 0 and 1 such as 0.01 (1 %), not 5"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn validate_reads_a_sample_and_fails_on_a_wrong_date_format() {
    let out = work("%d/%m/%Y", "").run(&["validate"]);
    out.expect_code(4);
    assert!(
        out.stderr.contains("hint: they read as %m/%d/%Y"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let out = work("%m/%d/%Y", "").run(&["validate"]);
    out.expect_code(0);
    assert!(out.stdout.contains(": valid"), "{}", out.stdout);
}

#[test]
fn validate_reads_the_first_rows_not_the_whole_file() {
    // 100,000 good rows, then a bad one: past the sample, which a run does read.
    let mut data = String::from("id,ordered_on,amount\n");
    for i in 0..100_000 {
        data.push_str(&format!("{i},2026-10-{:02},1\n", 1 + i % 28));
    }
    for i in 0..2_000 {
        data.push_str(&format!("x{i},2026-10-01,oops\n"));
    }
    let work = Workdir::new();
    work.write("data/orders.csv", data);
    work.write(
        "kpis.toml",
        "[sources.orders]\npath = \"data/orders.csv\"\ncolumns = { amount = \"number\" }\n\n\
         [[kpi]]\nid = \"revenue\"\nsource = \"orders\"\ntime = \"ordered_on\"\nformula = \"sum(amount)\"\n",
    );
    work.run(&["validate"]).expect_code(0);
    let out = run(&work, &[]);
    out.expect_code(4);
    assert!(
        out.stderr.contains("2,000 of 102,000 values"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_time_column_of_which_no_value_reads_gets_the_format_it_does_read_as() {
    let work = Workdir::new();
    work.write(
        "data/orders.csv",
        "id,ordered_on,amount\n1,10/31/2026,5\n2,10/30/2026,7\n3,10/13/2026,1\n",
    );
    work.write(
        "kpis.toml",
        "[sources.orders]\npath = \"data/orders.csv\"\ndate_format = \"%d/%m/%Y\"\n\
         columns = { ordered_on = \"date\", amount = \"number\" }\n\n\
         [[kpi]]\nid = \"revenue\"\nsource = \"orders\"\ntime = \"ordered_on\"\nformula = \"sum(amount)\"\n",
    );
    for command in [&["validate"][..], &["run", "--as-of", "2026-11-15"]] {
        let out = work.run(command);
        out.expect_code(4);
        assert!(
            out.stderr.contains(
                "./data/orders.csv:2: column `ordered_on`, the time of kpi `revenue`, holds no date"
            ) && out.stderr.contains(
                "hint: they read as %m/%d/%Y: set date_format = \"%m/%d/%Y\" on source `orders`"
            ),
            "{command:?}: {}",
            out.stderr
        );
    }
}
