//! Empty and broken exports (SPEC.md, "Guards: empty and broken exports"): a header-only export
//! is a day with no rows (exit 0), a time column of no dates is the data's fault (exit 4), a
//! quote left open at the end of the file is malformed CSV at its line (exit 4) on every path
//! that reads records, a wrong delimiter is named, and blank lines before the header are skipped.

use crate::support::{Output, Workdir};

const HEADER: &str = "ticket_id,created_at,status,priority,team,refund,subject\n";

const KPIS: &str = r#"[settings]
frequency = "month"

[sources.tickets]
path = "data/tickets*.csv"

[[kpi]]
id = "opened"
source = "tickets"
time = "created_at"
formula = "count(*)"
dimensions = ["team"]

[[kpi]]
id = "refunds"
source = "tickets"
time = "created_at"
formula = "sum(refund)"
filter = "priority <> 'Low'"
unit = "currency"

[[kpi]]
id = "closed_share"
source = "tickets"
time = "created_at"
formula = "count_if(status = 'Closed') / count(*)"
unit = "percent"
"#;

/// A helpdesk export of `rows` tickets in October 2026: quoted subjects with commas and
/// doubled quotes, empty refunds, datetimes.
fn tickets(rows: usize) -> String {
    format!("{HEADER}{}", ticket_rows(0, rows, true))
}

/// Rows `from..to` of the export; without quotes (`quoted` false), a stray quote before them
/// stays open to the end of the file.
fn ticket_rows(from: usize, to: usize, quoted: bool) -> String {
    let mut text = String::new();
    for i in from..to {
        let status = ["Closed", "Open", "Pending"][i % 3];
        let priority = ["High", "Normal", "Low", "Urgent"][i % 4];
        let team = ["Billing", "Tier 1", "Tier 2"][i % 3];
        let refund = if i % 5 == 0 {
            format!("{}.50", 10 + i % 40)
        } else {
            String::new()
        };
        let subject = match i % 4 {
            0 if quoted => "\"Invoice wrong, again\"".to_string(),
            1 if quoted => "\"Login fails: \"\"SSO error\"\"\"".to_string(),
            _ => format!("Ticket {i}"),
        };
        let (day, hour) = (1 + i % 28, 8 + i % 10);
        text.push_str(&format!(
            "T-{:05},2026-10-{day:02} {hour:02}:15:00,{status},{priority},{team},{refund},{subject}\n",
            10_000 + i
        ));
    }
    text
}

fn workdir(files: &[(&str, &str)]) -> Workdir {
    let work = Workdir::new();
    work.write("kpis.toml", KPIS);
    for (name, contents) in files {
        work.write(name, contents);
    }
    work
}

fn run(work: &Workdir, extra: &[&str]) -> Output {
    let mut args = vec!["run", "--as-of", "2026-11-05", "--no-archive"];
    args.extend_from_slice(extra);
    work.run(&args)
}

/// `kpi,period,value,status` of each overall result, from `--format csv`.
fn overall(work: &Workdir) -> Vec<String> {
    let out = run(work, &["--format", "csv"]);
    out.expect_code(0);
    let mut lines = out.stdout.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (kpi, period, dims, value, status) = (
        at("kpi"),
        at("period"),
        at("dimensions"),
        at("value"),
        at("status"),
    );
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[dims].is_empty())
        .map(|f| format!("{},{},{},{}", f[kpi], f[period], f[value], f[status]))
        .collect()
}

fn expect_error(out: &Output, code: i32, fragments: &[&str]) {
    out.expect_code(code);
    assert_eq!(out.stdout, "", "stdout of a failed run");
    for fragment in fragments {
        assert!(
            out.stderr.contains(fragment),
            "stderr lacks {fragment:?}:\n{}",
            out.stderr
        );
    }
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn a_header_only_export_gives_the_values_of_no_rows_and_exit_0() {
    let work = workdir(&[("data/tickets.csv", HEADER)]);
    let out = run(&work, &[]);
    out.expect_code(0);
    assert_eq!(out.stderr, "", "no row is nothing to warn about");
    assert_eq!(
        overall(&work),
        [
            "opened,2026-10,0,ok",
            "refunds,2026-10,,no_data",
            "closed_share,2026-10,,no_data"
        ]
    );
    // `kpi validate` agrees that nothing is wrong with the configuration.
    let validate = work.run(&["validate"]);
    validate.expect_code(0);
    assert!(!validate.stderr.contains("error"), "{}", validate.stderr);
}

#[test]
fn a_glob_with_a_header_only_file_reads_the_others_whichever_comes_first() {
    let rows = tickets(30);
    let alone = workdir(&[("data/tickets_2026-10.csv", &rows)]);
    let expected = overall(&alone);
    assert_eq!(expected[0], "opened,2026-10,30,ok");
    // Types are inferred past the header-only file: `refund` is still a number.
    for empty in ["data/tickets_2026-09.csv", "data/tickets_2026-11.csv"] {
        let work = workdir(&[("data/tickets_2026-10.csv", &rows), (empty, HEADER)]);
        assert_eq!(overall(&work), expected, "with {empty} header-only");
    }
}

/// The day after a normal run, a header-only export must not look like a changed data model:
/// its columns take the types the archive recorded.
#[test]
fn a_header_only_day_keeps_the_types_the_last_run_recorded() {
    let work = workdir(&[("data/tickets.csv", &tickets(12))]);
    work.run(&["run", "--as-of", "2026-11-05"]).expect_code(0);
    work.write("data/tickets.csv", HEADER);
    let out = work.run(&["run", "--as-of", "2026-11-06"]);
    out.expect_code(0);
    assert!(
        !out.stderr.contains("changed since the run"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_time_column_of_no_dates_is_a_data_error_naming_file_line_and_value() {
    let broken = tickets(6).replace("2026-10-0", "ASAP-");
    let work = workdir(&[("data/tickets.csv", &broken)]);
    let out = run(&work, &[]);
    expect_error(
        &out,
        4,
        &[
            "data/tickets.csv:2: column `created_at`, the time of kpi `opened`, holds no date: \
             none of its 6 value(s) in the first rows reads as a date or datetime (this one is \
             `ASAP-1 08:15:00`)",
            "hint: if the dates are written another way, set date_format on source `tickets`",
        ],
    );
    // Declared, with a pattern that matches none of them: the same, with the pattern named.
    let declared = KPIS.replace(
        "path = \"data/tickets*.csv\"",
        "path = \"data/tickets*.csv\"\ncolumns = { created_at = \"datetime\" }\ndate_format = \"%d/%m/%Y %H:%M\"",
    );
    work.write("kpis.toml", declared);
    work.write("data/tickets.csv", tickets(6));
    let out = run(&work, &[]);
    expect_error(
        &out,
        4,
        &[
            "data/tickets.csv:2: column `created_at`",
            "(this one is `2026-10-01 08:15:00`)",
            "hint: they are ISO 8601 dates: set date_format = \"auto\" on source `tickets`",
        ],
    );
}

#[test]
fn a_time_column_missing_from_the_file_stays_a_configuration_error() {
    let work = workdir(&[("data/tickets.csv", &tickets(6))]);
    work.write(
        "kpis.toml",
        KPIS.replace("time = \"created_at\"", "time = \"opened_at\""),
    );
    let out = run(&work, &[]);
    expect_error(&out, 3, &["kpi `opened`: time: unknown column `opened_at`"]);
}

#[test]
fn a_quote_left_open_in_the_last_column_of_the_last_row_is_malformed_csv() {
    let mut text = tickets(10);
    text.push_str("T-20000,2026-10-30 09:00:00,Open,High,Billing,,\"Refund not received\n");
    let work = workdir(&[("data/tickets.csv", &text)]);
    for strict in [&[][..], &["--strict"]] {
        let out = run(&work, strict);
        expect_error(
            &out,
            4,
            &[
                "data/tickets.csv:12: malformed CSV: a quote opened in column `subject` on this \
               line is never closed: the file ends inside it\n  hint: look for a stray \" in \
               that row (a quote inside a value is written \"\")",
            ],
        );
    }
}

/// Before the fix, a last-column quote swallowed the rows after it into one subject: the count
/// came out too low and the run exited 0, even with --strict.
#[test]
fn a_quote_left_open_in_the_last_column_mid_file_loses_no_row_silently() {
    let text = format!("{HEADER}{}", ticket_rows(0, 10, false)).replace(
        "T-10003,2026-10-04 11:15:00,Closed,Urgent,Billing,,Ticket 3",
        "T-10003,2026-10-04 11:15:00,Closed,Urgent,Billing,,\"Ticket 3",
    );
    let work = workdir(&[("data/tickets.csv", &text)]);
    let out = run(&work, &["--strict"]);
    expect_error(
        &out,
        4,
        &[
            "data/tickets.csv:5: malformed CSV: a quote opened in column `subject` on this line \
           is never closed: the 6 line(s) after it, up to the end of the file, would be one value",
        ],
    );
}

#[test]
fn a_quote_left_open_in_a_middle_column_is_malformed_csv_at_its_line() {
    let tail = ticket_rows(10, 20, false).replacen(",Tier 2,", ",\"Tier 2,", 1);
    let text = format!("{}{tail}", tickets(10));
    let first = text
        .lines()
        .position(|l| l.contains("\"Tier 2"))
        .expect("a Tier 2 row")
        + 1;
    let work = workdir(&[("data/tickets.csv", &text)]);
    let out = run(&work, &[]);
    expect_error(
        &out,
        4,
        &[&format!(
            "data/tickets.csv:{first}: malformed CSV: a quote opened in column `team`"
        )],
    );
}

/// The threads guess where their byte ranges' records start; a quote open to the end of the
/// file must be found, at the same line, whatever the cuts (forced small with KPI_PIECE_BYTES,
/// and the real 4 MB ranges of a file of several).
#[test]
fn an_open_quote_is_found_at_its_line_whatever_the_threads_and_ranges() {
    let mut text = tickets(2_000);
    let line = text.lines().count() + 1;
    text.push_str("T-20000,2026-10-30 09:00:00,Open,High,Billing,,\"Refund\n");
    text.push_str(&ticket_rows(0, 40, false));
    let work = workdir(&[("data/tickets.csv", &text)]);
    let expected =
        format!("data/tickets.csv:{line}: malformed CSV: a quote opened in column `subject`");
    let one = run(&work, &["--threads", "1"]);
    expect_error(&one, 4, &[&expected]);
    for piece in ["300", "4096", "65536"] {
        let mut command = work.command(&[
            "run",
            "--as-of",
            "2026-11-05",
            "--no-archive",
            "--threads",
            "4",
        ]);
        command.env("KPI_PIECE_BYTES", piece);
        let out = Output::of(command.output().expect("run kpi"));
        out.expect_code(4);
        assert_eq!(out.stderr, one.stderr, "{piece}-byte pieces");
    }
    // About 10 MB: three ranges of 4 MB on two threads.
    let mut big = tickets(150_000);
    let line = big.lines().count() + 1;
    big.push_str("T-99999,2026-10-30 09:00:00,\"Open,High,Billing,,Refund\n");
    big.push_str(&ticket_rows(0, 10, false));
    assert!(big.len() > 9 << 20, "{} bytes", big.len());
    work.write("data/tickets.csv", &big);
    let out = run(&work, &["--threads", "2"]);
    expect_error(
        &out,
        4,
        &[&format!(
            "data/tickets.csv:{line}: malformed CSV: a quote opened in column `status`"
        )],
    );
}

#[test]
fn an_open_quote_in_the_header_a_lookup_or_a_keyed_source_is_malformed_csv() {
    let plain = format!("{HEADER}{}", ticket_rows(0, 5, false));
    let work = workdir(&[("data/tickets.csv", &plain.replacen("team,", "\"team,", 1))]);
    let out = run(&work, &[]);
    expect_error(
        &out,
        4,
        &["data/tickets.csv:1: malformed CSV: a quote opened in field 5"],
    );

    let open_last = format!(
        "{}T-1,2026-10-02 10:00:00,Open,High,Billing,,\"x\n",
        tickets(5)
    );
    work.write("data/tickets.csv", &open_last);
    let keyed = KPIS.replace(
        "path = \"data/tickets*.csv\"",
        "path = \"data/tickets*.csv\"\nkey = \"ticket_id\"",
    );
    work.write("kpis.toml", keyed);
    let out = run(&work, &[]);
    expect_error(&out, 4, &["data/tickets.csv:7: malformed CSV"]);

    work.write("data/tickets.csv", tickets(5));
    work.write(
        "data/teams.csv",
        "team,manager\nBilling,Ana\n\"Tier 1,Ben\nTier 2,Chloé\n",
    );
    let lookup = format!(
        "{KPIS}\n[sources.tickets.lookup.teams]\npath = \"data/teams.csv\"\non = \"team\"\ncolumns = [\"manager\"]\n"
    );
    work.write("kpis.toml", lookup);
    let out = run(&work, &[]);
    expect_error(
        &out,
        4,
        &["data/teams.csv:3: malformed CSV: a quote opened in column `team`"],
    );
}

#[test]
fn a_wrong_delimiter_is_named_with_the_one_the_header_uses() {
    let semicolons = tickets(5).replace(',', ";");
    let work = workdir(&[("data/tickets.csv", &semicolons)]);
    work.write(
        "kpis.toml",
        KPIS.replace(
            "path = \"data/tickets*.csv\"",
            "path = \"data/tickets*.csv\"\ndelimiter = \",\"",
        ),
    );
    let hint = "hint: the header of data/tickets.csv holds ';', not the configured delimiter \
                ',': set delimiter = \";\" or \"auto\"";
    let out = run(&work, &[]);
    expect_error(&out, 3, &["unknown column `created_at`", hint]);
    // A declared column, found when the header is read, gets the same hint.
    work.write(
        "kpis.toml",
        KPIS.replace(
            "path = \"data/tickets*.csv\"",
            "path = \"data/tickets*.csv\"\ndelimiter = \",\"\ncolumns = { refund = \"number\" }",
        ),
    );
    let out = run(&work, &[]);
    expect_error(&out, 3, &["columns: unknown column `refund`", hint]);
}

#[test]
fn blank_lines_before_the_header_are_skipped_and_a_blank_file_says_so() {
    let rows = tickets(9);
    let expected = overall(&workdir(&[("data/tickets.csv", &rows)]));
    let work = workdir(&[("data/tickets.csv", &format!(" \n\t\n{rows}"))]);
    assert_eq!(overall(&work), expected);
    // Line numbers still count the blank lines.
    let stray = ticket_rows(0, 9, false).replacen(",Tier 2,", ",\"Tier 2,", 1);
    work.write("data/tickets.csv", format!(" \n{HEADER}{stray}"));
    expect_error(&run(&work, &[]), 4, &["data/tickets.csv:5: malformed CSV"]);

    work.write("data/tickets.csv", " \n   \n");
    let out = run(&work, &[]);
    expect_error(
        &out,
        4,
        &[
            "data/tickets.csv:1: no header: the first line is blank, and so is every line after \
           it; a CSV export needs a header line",
        ],
    );
}

/// With the rows after it swallowed, the sample saw no refund: the open quote is the error
/// (exit 4), not the "sum of a string" it would have caused (exit 3).
#[test]
fn an_open_quote_is_reported_as_such_not_as_the_type_error_it_causes() {
    let text = format!(
        "{HEADER}T-1,2026-10-01 08:15:00,Open,High,Billing,,\"Refund not received\n{}",
        ticket_rows(0, 10, false)
    );
    let work = workdir(&[("data/tickets.csv", &text)]);
    let out = run(&work, &[]);
    expect_error(
        &out,
        4,
        &[
            "data/tickets.csv:2: malformed CSV: a quote opened in column `subject` on this line \
           is never closed: the 10 line(s) after it, up to the end of the file, would be one value",
        ],
    );
}
