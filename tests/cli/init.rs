//! `kpi init`: a starter kpis.toml from the bundled exports (the French windows-1252 one
//! included) that `kpi validate` accepts and `kpi run` computes; never an overwrite without
//! `--force`; a missing export is a data error.

use crate::support::{repo_root, Workdir};

/// A work dir with copies of examples/data/*.csv under data/; returns their relative paths.
fn exports() -> (Workdir, Vec<String>) {
    let work = Workdir::new();
    work.copy_dir(&repo_root().join("examples").join("data"), "data");
    let mut files: Vec<String> = std::fs::read_dir(work.path().join("data"))
        .expect("data dir")
        .map(|e| format!("data/{}", e.expect("entry").file_name().to_string_lossy()))
        .filter(|f| f.ends_with(".csv"))
        .collect();
    files.sort();
    (work, files)
}

fn init(work: &Workdir, files: &[String], extra: &[&str]) -> crate::support::Output {
    let mut args = vec!["init"];
    args.extend(files.iter().map(String::as_str));
    args.extend(extra);
    work.run(&args)
}

#[test]
fn init_on_the_bundled_exports_validates_and_runs() {
    let (work, files) = exports();
    let out = init(&work, &files, &[]);
    out.expect_code(0);
    assert_eq!(out.stdout, "wrote kpis.toml: 10 sources, 17 KPIs\n");
    assert_eq!(out.stderr, "");
    // The outcomes, not the first two-valued column (`delivered`, `is_test`).
    has(
        &work.read("kpis.toml"),
        &[
            "formula = \"count_if(converted) / count(converted)\"",
            "formula = \"count_if(stage = 'Won') / count_if(stage IN ('Won', 'Lost'))\"",
            "formula = \"count_if(status = 'converted') / count_if(status IN ('converted', 'disqualified'))\"",
        ],
    );
    let validate = work.run(&["validate"]);
    validate.expect_code(0);
    assert!(
        validate
            .stdout
            .starts_with("kpis.toml: 17 KPIs, 0 reports, 10 sources: valid"),
        "{}",
        validate.stdout
    );
    let run = work.run(&["run", "--as-of", "2026-11-22", "--no-archive"]);
    run.expect_code(0);
    assert!(run.stdout.contains("Tickets: rows"), "{}", run.stdout);
    assert!(!work.exists("kpi-archive"));
}

#[test]
fn init_detects_the_french_excel_dialect() {
    let (work, _) = exports();
    init(&work, &["data/tickets.csv".into()], &[]).expect_code(0);
    let text = work.read("kpis.toml");
    for line in [
        "[sources.tickets]\npath = \"data/tickets.csv\"\ndelimiter = \";\"\n",
        "decimal = \",\"",
        "encoding = \"windows-1252\"\n",
        "date_format = \"%d/%m/%Y %H:%M\"\n",
        "opened_at = \"datetime\", resolved_at = \"datetime\", sla_hours = \"number\"",
        "time = \"opened_at\"",
    ] {
        assert!(text.contains(line), "{line:?} not in\n{text}");
    }
    work.run(&["validate"]).expect_code(0);
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let (work, files) = exports();
    work.write("kpis.toml", "# mine\n");
    let out = init(&work, &files[..1], &[]);
    out.expect_code(2);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("kpis.toml exists already"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--force"), "{}", out.stderr);
    assert_eq!(work.read("kpis.toml"), "# mine\n");
    let forced = init(&work, &files[..1], &["--force"]);
    forced.expect_code(0);
    assert_eq!(forced.stdout, "wrote kpis.toml: 1 source, 1 KPI\n");
    assert!(work.read("kpis.toml").contains("[sources.accounts]"));
}

#[test]
fn a_missing_export_is_a_data_error_and_writes_nothing() {
    let (work, _) = exports();
    let out = init(
        &work,
        &["data/orders.csv".into(), "data/nope.csv".into()],
        &[],
    );
    out.expect_code(4);
    assert!(out.stderr.contains("data/nope.csv"), "{}", out.stderr);
    assert!(!work.exists("kpis.toml"));
    let empty = Workdir::new();
    empty.write("empty.csv", "");
    init(&empty, &["empty.csv".into()], &[]).expect_code(4);
    assert!(!empty.exists("kpis.toml"));
}

#[test]
fn odd_names_and_absolute_paths_make_a_valid_file() {
    let work = Workdir::new();
    work.write(
        "Export Ventes (2026).csv",
        "\"Montant \"\"TTC\"\"\",Date de création,statut,it's\n\
         \"1,200.50\",2026-10-02,payé,a\n\
         99.90,2026-10-15,annulé,b\n\
         10.00,2026-10-20,payé,a\n\
         15.00,2026-09-20,payé,a\n",
    );
    let absolute = work.path().join("Export Ventes (2026).csv");
    let out = work.run(&["init", absolute.to_str().expect("utf-8 path")]);
    out.expect_code(0);
    let text = work.read("kpis.toml");
    assert!(text.contains("[sources.export_ventes_2026]\npath = \"Export Ventes (2026).csv\"\n"));
    assert!(
        text.contains("formula = \"sum(\\\"Montant \\\"\\\"TTC\\\"\\\"\\\")\""),
        "{text}"
    );
    assert!(text.contains("formula = \"count_if(statut = 'annulé') / count(statut)\""));
    work.run(&["validate"]).expect_code(0);
    let run = work.run(&[
        "run",
        "--as-of",
        "2026-11-01",
        "--no-archive",
        "--format",
        "csv",
    ]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("export_ventes_2026_montant_ttc_total"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("1310.4"), "{}", run.stdout);
}

/// `kpi run --format csv` in `work` at `as_of`: each KPI's id → its value, as printed.
fn values(work: &Workdir, as_of: &str) -> Vec<(String, String)> {
    work.run(&["validate"]).expect_code(0);
    let run = work.run(&["run", "--as-of", as_of, "--no-archive", "--format", "csv"]);
    run.expect_code(0);
    let mut lines = run.stdout.lines();
    let header: Vec<&str> = lines.next().expect("csv header").split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let (kpi, value) = (at("kpi"), at("value"));
    lines
        .map(|l| {
            // The names hold commas, inside quotes; the id and the value do not.
            let fields = split_csv(l);
            (fields[kpi].clone(), fields[value].clone())
        })
        .collect()
}

fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            _ => fields.last_mut().expect("a field").push(c),
        }
    }
    fields
}

fn has(text: &str, lines: &[&str]) {
    for line in lines {
        assert!(text.contains(line), "{line:?} not in\n{text}");
    }
}

#[test]
fn init_on_a_telco_export_suggests_the_churn_rate_with_flags_typed_bool() {
    let work = Workdir::new();
    let mut csv = String::from(
        "customerID,gender,SeniorCitizen,Partner,tenure,MonthlyCharges,TotalCharges,Churn\n",
    );
    for i in 0..10 {
        let gender = if i % 2 == 0 { "Female" } else { "Male" };
        let senior = i % 3 % 2;
        let churn = if i < 3 { "Yes" } else { "No" };
        // A new customer's total is a blank space, as in the IBM export.
        let total = if i == 9 {
            " ".to_string()
        } else {
            format!("{}.50", 100 + i)
        };
        csv.push_str(&format!(
            "{i:04}-AB{i}CD,{gender},{senior},{},{i},{}.25,{total},{churn}\n",
            if i % 4 == 0 { "Yes" } else { "No" },
            20 + i
        ));
    }
    work.write("telco.csv", csv);
    init(&work, &["telco.csv".into()], &[]).expect_code(0);
    let text = work.read("kpis.toml");
    has(
        &text,
        &[
            "SeniorCitizen = \"bool\"",
            "Churn = \"bool\"",
            "formula = \"count_if(Churn) / count(Churn)\"",
            "name = \"Telco: share with Churn = Yes\"",
            "formula = \"count_if(Churn) / count(Churn)\"\nunit = \"percent\"\ndirection = \"down\"",
        ],
    );
    assert!(!text.contains("gender ="), "{text}");
    let values = values(&work, "2026-11-22");
    assert!(
        values.contains(&("telco_churn_rate".into(), "0.3".into())),
        "{values:?}"
    );
    // The 0/1 flag works in a formula as a boolean.
    let edited = text.replace(
        "formula = \"count_if(Churn) / count(Churn)\"",
        "formula = \"count_if(SeniorCitizen AND NOT Churn)\"",
    );
    work.write("kpis.toml", edited);
    let seniors = self::values(&work, "2026-11-22");
    // Customers 1, 4 and 7 are senior; customer 1 churned.
    assert!(
        seniors.contains(&("telco_churn_rate".into(), "2".into())),
        "{seniors:?}"
    );
}

#[test]
fn init_on_a_bank_export_suggests_y_not_default() {
    let work = Workdir::new();
    let mut csv = String::from("\"age\";\"job\";\"default\";\"housing\";\"balance\";\"y\"\n");
    for i in 0..8 {
        let default = if i == 0 { "yes" } else { "no" };
        let y = if i % 4 == 1 { "yes" } else { "no" };
        csv.push_str(&format!(
            "{};\"admin.\";\"{default}\";\"{}\";{};\"{y}\"\n",
            30 + i,
            if i % 2 == 0 { "yes" } else { "no" },
            100 * i
        ));
    }
    work.write("bank.csv", csv);
    init(&work, &["bank.csv".into()], &[]).expect_code(0);
    let text = work.read("kpis.toml");
    has(
        &text,
        &["delimiter = \";\"", "formula = \"count_if(y) / count(y)\""],
    );
    assert!(!text.contains("count_if(default)"), "{text}");
    let values = values(&work, "2026-11-22");
    assert!(
        values.contains(&("bank_y_rate".into(), "0.25".into())),
        "{values:?}"
    );
}

#[test]
fn init_on_a_crm_pipeline_suggests_the_win_rate_by_close_date() {
    let work = Workdir::new();
    // Blank lines before the header, as some exports start: the main reader skips them.
    work.write(
        "pipeline.csv",
        "\n  \nopportunity_id,sales_agent,account,deal_stage,engage_date,close_date,close_value\n\
         1C1I7A6R,Moses Frase,Cancity,Won,2026-09-20,2026-10-02,1054\n\
         Z063OYW0,Darcel Schlecht,Isdom,Won,2026-09-25,2026-10-11,4514\n\
         EC4QE1BX,Darcel Schlecht,Cancity,Lost,2026-09-25,2026-10-07,0\n\
         MV1LWRNH,Moses Frase,Codehow,Won,2026-10-01,2026-10-09,50\n\
         PE84CX4O,Zane Levy,Hatfan,Lost,2026-10-01,2026-10-15,0\n\
         ZNBS69V1,Anna Snelling,Ron-tech,Engaging,2026-10-02,,\n\
         9ME3374G,Vicki Laflamme,,Prospecting,,,\n\
         LCNDWJXP,Zane Levy,Isdom,Won,2026-10-03,2026-11-03,3000\n",
    );
    init(&work, &["pipeline.csv".into()], &[]).expect_code(0);
    let text = work.read("kpis.toml");
    has(
        &text,
        &[
            "columns = { engage_date = \"date\", close_date = \"date\", close_value = \"number\" }",
            "formula = \"count_if(deal_stage = 'Won') / count_if(deal_stage IN ('Won', 'Lost'))\"",
            "time = \"close_date\"",
            "formula = \"sum(close_value)\"",
        ],
    );
    // October: three won, two lost, 5 618 won.
    let values = values(&work, "2026-11-01");
    for (kpi, value) in [
        ("pipeline_deal_stage_rate", "0.6"),
        ("pipeline_close_value_total", "5618"),
    ] {
        assert!(values.contains(&(kpi.into(), value.into())), "{values:?}");
    }
}

#[test]
fn init_on_orders_keeps_postal_codes_as_text_and_reads_day_first_dates() {
    let work = Workdir::new();
    work.write(
        "orders.csv",
        "Order ID,Order Date,Customer ID,Postal Code,City,Sales\n\
         1001,02/10/2026,C-1,02134,Boston,120.00\n\
         1002,15/10/2026,C-2,10001,New York,80.50\n\
         1003,03/11/2026,C-1,02134,Boston,42.00\n\
         1004,28/10/2026,C-3,94105,San Francisco,7.25\n",
    );
    init(&work, &["orders.csv".into()], &[]).expect_code(0);
    let text = work.read("kpis.toml");
    has(
        &text,
        &[
            "date_format = \"%d/%m/%Y\"\n",
            "\"Order ID\" = \"string\"",
            "\"Postal Code\" = \"string\"",
            "\"Order Date\" = \"date\"",
            "formula = \"sum(Sales)\"",
        ],
    );
    assert!(!text.contains("sum(\\\"Order ID\\\")"), "{text}");
    let values = values(&work, "2026-11-02");
    // October: the 2nd, the 15th and the 28th, not February or March.
    assert!(
        values.contains(&("orders_sales_total".into(), "207.75".into())),
        "{values:?}"
    );
}

#[test]
fn a_quote_open_at_the_end_of_the_export_is_an_error_with_its_line() {
    let work = Workdir::new();
    work.write(
        "broken.csv",
        "id,comment,amount\n1,fine,10\n2,\"left open,20\n3,more,30\n",
    );
    let out = init(&work, &["broken.csv".into()], &[]);
    out.expect_code(4);
    assert!(out.stderr.contains("broken.csv:3"), "{}", out.stderr);
    assert!(out.stderr.contains("quote"), "{}", out.stderr);
    assert!(!work.exists("kpis.toml"));
}
