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
    assert_eq!(out.stdout, "wrote kpis.toml: 8 sources, 13 KPIs\n");
    assert_eq!(out.stderr, "");
    let validate = work.run(&["validate"]);
    validate.expect_code(0);
    assert!(
        validate
            .stdout
            .starts_with("kpis.toml: 13 KPIs, 0 reports, 8 sources: valid"),
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
