//! The pure parts of `kpi init`: suggestions from column types, names, and the written TOML
//! read back by the configuration loader.

use super::profile::{Column, Profile};
use super::suggest::{sanitise, sql_ident, sql_string, suggest};
use super::toml::{key, render, string, Planned};
use crate::config::{self, Encoding};
use crate::model::{Direction, Unit};
use crate::value::DataType;
use std::path::Path;

fn column(name: &str, ty: DataType, levels: &[(&str, usize)]) -> Column {
    Column {
        name: name.into(),
        ty,
        levels: levels.iter().map(|(v, n)| (v.to_string(), *n)).collect(),
        money_shaped: false,
        kept_text: false,
    }
}

fn profile(columns: Vec<Column>) -> Profile {
    Profile {
        delimiter: b',',
        decimal: b'.',
        encoding: Encoding::Utf8,
        date_format: None,
        columns,
    }
}

fn deals() -> Profile {
    profile(vec![
        column("deal_id", DataType::String, &[("D-1", 1), ("D-2", 1)]),
        column("region", DataType::String, &[("EMEA", 30), ("APAC", 20)]),
        column("stage", DataType::String, &[("Won", 12), ("Lost", 38)]),
        column("created_at", DataType::Date, &[]),
        column("closed_at", DataType::Date, &[]),
        column("amount", DataType::Number, &[]),
    ])
}

fn formulas(kpis: &[super::suggest::Suggestion]) -> Vec<&str> {
    kpis.iter().map(|k| k.formula.as_str()).collect()
}

#[test]
fn suggests_rows_the_outcome_rate_and_a_sum_by_the_closing_date() {
    let kpis = suggest("deals", "deals.csv", &deals(), &[]);
    let summary: Vec<(&str, &str, Unit, Option<&str>)> = kpis
        .iter()
        .map(|k| (k.id.as_str(), k.formula.as_str(), k.unit, k.time.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            ("deals_count", "count(*)", Unit::Number, Some("created_at")),
            (
                "deals_stage_rate",
                "count_if(stage = 'Won') / count(stage)",
                Unit::Percent,
                Some("closed_at")
            ),
            (
                "deals_amount_total",
                "sum(amount)",
                Unit::Currency(None),
                Some("closed_at")
            ),
        ]
    );
    // The outcome is no breakdown of its own rate.
    assert_eq!(kpis[0].dimensions, ["region"]);
    assert_eq!(kpis[0].name, "Deals: rows");
    assert_eq!(kpis[1].name, "Deals: share with stage = Won");
    assert_eq!(kpis[2].name, "Deals: total amount");
}

#[test]
fn a_pipeline_win_rate_counts_decided_deals_only() {
    let stages = [
        ("Won", 42),
        ("Engaging", 15),
        ("Lost", 24),
        ("Prospecting", 5),
    ];
    let p = profile(vec![
        column("account", DataType::String, &[("Acme", 40), ("Beta", 46)]),
        column("deal_stage", DataType::String, &stages),
        column("close_value", DataType::Number, &[]),
    ]);
    let kpis = suggest("pipeline", "pipeline.csv", &p, &[]);
    assert_eq!(
        formulas(&kpis),
        [
            "count(*)",
            "count_if(deal_stage = 'Won') / count_if(deal_stage IN ('Won', 'Lost'))",
            "sum(close_value)",
        ]
    );
    assert_eq!(
        kpis[1].name,
        "Pipeline: share with deal_stage = Won (of Won, Lost)"
    );
}

fn telco(with_churn: bool) -> Profile {
    let yes_no = [("No", 50), ("Yes", 20)];
    let mut columns = vec![
        column("customerID", DataType::String, &[("7590-VHVEG", 1)]),
        column("gender", DataType::String, &[("Female", 35), ("Male", 35)]),
        column("SeniorCitizen", DataType::Bool, &[("0", 60), ("1", 10)]),
        column("Partner", DataType::Bool, &yes_no),
        column("PhoneService", DataType::Bool, &yes_no),
        column("PaperlessBilling", DataType::Bool, &yes_no),
        column("MonthlyCharges", DataType::Number, &[]),
        column("TotalCharges", DataType::Number, &[]),
    ];
    if with_churn {
        columns.push(column("Churn", DataType::Bool, &yes_no));
    }
    profile(columns)
}

#[test]
fn the_outcome_is_the_rate_not_an_attribute() {
    let kpis = suggest("telco", "telco.csv", &telco(true), &[]);
    assert_eq!(
        formulas(&kpis),
        [
            "count(*)",
            "count_if(Churn) / count(Churn)",
            "sum(MonthlyCharges)"
        ]
    );
    assert_eq!(kpis[1].name, "Telco: share with Churn = Yes");
    assert!(kpis[1].why.starts_with("The outcome of each row, `Churn`"));
    assert_eq!(kpis[1].time, None);
    assert_eq!(kpis[1].direction, Direction::Down);
    // Without an outcome: the last flag that is not about who the customer is.
    let kpis = suggest("telco", "telco.csv", &telco(false), &[]);
    assert_eq!(
        kpis[1].formula,
        "count_if(PaperlessBilling) / count(PaperlessBilling)"
    );
    assert!(kpis[1].why.contains("no column is named like an outcome"));
    // Only attributes: no rate at all.
    let people = profile(vec![
        column("gender", DataType::String, &[("F", 30), ("M", 30)]),
        column("is_test", DataType::Bool, &[("false", 50), ("true", 2)]),
    ]);
    assert_eq!(formulas(&suggest("p", "p.csv", &people, &[])), ["count(*)"]);
}

#[test]
fn an_outcome_named_bank_column_wins_over_earlier_flags() {
    let yes_no = [("no", 40), ("yes", 5)];
    let p = profile(vec![
        column("default", DataType::Bool, &yes_no),
        column("housing", DataType::Bool, &yes_no),
        column("status", DataType::String, &[("active", 40), ("closed", 5)]),
        column("y", DataType::Bool, &yes_no),
    ]);
    let kpis = suggest("bank", "bank.csv", &p, &[]);
    assert_eq!(kpis[1].formula, "count_if(y) / count(y)");
    assert_eq!(kpis[1].name, "Bank: share with y = yes");
    assert_eq!(kpis[1].direction, Direction::Up);
    // A state column takes its rarer value when nothing stronger is there.
    let p = profile(vec![p.columns[0].clone(), p.columns[2].clone()]);
    let kpis = suggest("bank", "bank.csv", &p, &[]);
    assert_eq!(
        kpis[1].formula,
        "count_if(status = 'closed') / count(status)"
    );
}

#[test]
fn a_recommendation_score_gets_an_nps_and_an_amount_beats_a_unit_price() {
    let scores: Vec<(String, usize)> = (0..=10).map(|n| (n.to_string(), 3)).collect();
    let scores: Vec<(&str, usize)> = scores.iter().map(|(v, n)| (v.as_str(), *n)).collect();
    let p = profile(vec![
        column("PRICEEACH", DataType::Number, &[]),
        column("SALES", DataType::Number, &[]),
        column(
            "How likely are you to recommend us?",
            DataType::Number,
            &scores,
        ),
    ]);
    let kpis = suggest("s", "s.csv", &p, &[]);
    assert_eq!(
        formulas(&kpis),
        [
            "count(*)",
            "nps(\"How likely are you to recommend us?\")",
            "sum(SALES)"
        ]
    );
    assert_eq!(kpis[1].unit, Unit::Number);
}

#[test]
fn a_boolean_comes_first_and_an_id_is_never_a_rate() {
    let mut p = deals();
    p.columns.insert(0, column("is_won", DataType::Bool, &[]));
    let kpis = suggest("deals", "deals.csv", &p, &["deals_count".into()]);
    assert_eq!(kpis[0].id, "deals_count_2");
    assert_eq!(kpis[1].formula, "count_if(is_won) / count(is_won)");
    // A blank header cell is left alone.
    let blank = profile(vec![
        column("", DataType::Bool, &[]),
        column("", DataType::Date, &[]),
    ]);
    let kpis = suggest("x", "x.csv", &blank, &[]);
    assert_eq!((kpis.len(), &kpis[0].time), (1, &None));
    // Two identifiers seen once each are not two values of a category.
    let ids = profile(vec![column(
        "status",
        DataType::String,
        &[("a", 1), ("b", 1)],
    )]);
    assert_eq!(suggest("x", "x.csv", &ids, &[]).len(), 1);
}

#[test]
fn a_file_without_dates_gets_snapshots_and_money_from_names_or_values() {
    let mut montant = column("Montant TTC", DataType::Number, &[]);
    let mut score = column("score", DataType::Number, &[]);
    let flags = column("churned", DataType::Bool, &[("0", 40), ("1", 3)]);
    let p = profile(vec![score.clone(), flags.clone(), montant.clone()]);
    let kpis = suggest("compta", "compta.csv", &p, &[]);
    assert!(kpis.iter().all(|k| k.time.is_none()));
    assert_eq!(kpis[1].formula, "count_if(churned) / count(churned)");
    assert_eq!(kpis[1].name, "Compta: share with churned = 1");
    assert_eq!(kpis[2].formula, "sum(\"Montant TTC\")");
    assert_eq!(kpis[2].id, "compta_montant_ttc_total");
    montant.name = "label".into();
    score.money_shaped = true;
    let p = profile(vec![montant, score]);
    assert_eq!(suggest("c", "c.csv", &p, &[])[1].formula, "sum(score)");
}

#[test]
fn sanitises_names_into_ids() {
    for (name, id) in [
        ("orders", "orders"),
        ("Export CRM (2026)", "export_crm_2026"),
        ("__tickets--2026__", "tickets_2026"),
        ("Équipes", "equipes"),
        ("Payée œuvre", "payee_oeuvre"),
        ("N° facture", "n_facture"),
        ("€€€", "data"),
        ("", "data"),
    ] {
        assert_eq!(sanitise(name), id, "{name:?}");
    }
}

#[test]
fn quotes_what_sql_and_toml_would_misread() {
    assert_eq!(sql_ident("amount"), "amount");
    assert_eq!(sql_ident("Amount"), "Amount");
    assert_eq!(sql_ident("Montant TTC"), "\"Montant TTC\"");
    assert_eq!(sql_ident("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(sql_ident("interval"), "\"interval\"");
    assert_eq!(sql_ident("2026"), "\"2026\"");
    assert_eq!(sql_string("l'équipe"), "'l''équipe'");
    assert_eq!(string("a \"b\" \\ c\n\u{1}"), r#""a \"b\" \\ c\n\u0001""#);
    assert_eq!(key("amount_eur"), "amount_eur");
    assert_eq!(key("Montant TTC"), "\"Montant TTC\"");
    assert_eq!(key(""), "\"\"");
}

#[test]
fn odd_column_names_survive_the_round_trip() {
    let odd = "Montant \"TTC\" (€)";
    let mut p = profile(vec![
        column("Date de création", DataType::Date, &[]),
        column(odd, DataType::Number, &[]),
        column(
            "l'état du statut",
            DataType::String,
            &[("a'b", 3), ("c", 9)],
        ),
    ]);
    p.delimiter = b';';
    p.decimal = b',';
    p.encoding = Encoding::Windows1252;
    p.date_format = Some("%d/%m/%Y".into());
    let kpis = suggest("ventes", "ventes.csv", &p, &[]);
    let text = render(&[Planned {
        name: "ventes".into(),
        path: "data/ventes \"2026\".csv".into(),
        profile: p,
        kpis,
    }]);
    let checked = config::check_text(&text, Path::new("kpis.toml"));
    assert!(
        checked.problems.is_empty(),
        "{:?}\n{text}",
        checked.problems
    );
    let source = &checked.config.sources[0];
    assert!(source.path.ends_with("data/ventes \"2026\".csv"));
    assert_eq!((source.delimiter, source.decimal), (Some(b';'), b','));
    assert_eq!(source.encoding, Encoding::Windows1252);
    assert!(source
        .columns
        .contains(&(odd.to_string(), DataType::Number)));
    let formulas: Vec<&str> = checked
        .config
        .kpis
        .iter()
        .map(|k| k.formula.text.as_str())
        .collect();
    assert_eq!(
        formulas,
        [
            "count(*)",
            "count_if(\"l'état du statut\" = 'a''b') / count(\"l'état du statut\")",
            "sum(\"Montant \"\"TTC\"\" (€)\")",
        ]
    );
    assert_eq!(
        checked.config.kpis[0].time.as_deref(),
        Some("Date de création")
    );
}

#[test]
fn a_wide_export_gets_a_columns_table_and_a_wrapped_header() {
    let columns: Vec<Column> = (0..30)
        .map(|i| column(&format!("measure_number_{i}"), DataType::Number, &[]))
        .collect();
    let text = render(&[Planned {
        name: "wide".into(),
        path: "wide.csv".into(),
        profile: profile(columns),
        kpis: vec![],
    }]);
    assert!(text.contains("\n[sources.wide.columns]\nmeasure_number_0 = \"number\"\n"));
    assert!(text.lines().all(|l| l.chars().count() <= 120), "{text}");
    let checked = config::check_text(&text, Path::new("kpis.toml"));
    assert!(checked.problems.is_empty(), "{:?}", checked.problems);
    assert_eq!(checked.config.sources[0].columns.len(), 30);
}

#[test]
fn source_names_leave_out_compression_and_format_extensions() {
    let name = |file: &str| super::source_name(Path::new(file));
    assert_eq!(name("exports/orders.csv.gz"), "orders");
    assert_eq!(name("orders.csv.zst"), "orders");
    assert_eq!(name("Pipeline Q3.xlsx"), "pipeline_q3");
    assert_eq!(name("orders.csv"), "orders");
}
