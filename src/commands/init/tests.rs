//! The pure parts of `kpi init`: suggestions from column types, names, and the written TOML
//! read back by the configuration loader.

use super::profile::{Column, Profile};
use super::suggest::{sanitise, sql_ident, sql_string, suggest};
use super::toml::{key, render, string, Planned};
use crate::config::{self, Encoding};
use crate::model::Unit;
use crate::value::DataType;
use std::path::Path;

fn column(name: &str, ty: DataType, levels: &[(&str, usize)]) -> Column {
    Column {
        name: name.into(),
        ty,
        levels: levels.iter().map(|(v, n)| (v.to_string(), *n)).collect(),
        money_shaped: false,
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
        column("closed_at", DataType::Date, &[]),
        column("created_at", DataType::Date, &[]),
        column("amount", DataType::Number, &[]),
    ])
}

#[test]
fn suggests_rows_a_rate_and_a_sum() {
    let kpis = suggest("deals", "deals.csv", &deals(), &[]);
    let summary: Vec<(&str, &str, Unit, Option<&str>)> = kpis
        .iter()
        .map(|k| (k.id.as_str(), k.formula.as_str(), k.unit, k.time.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            ("deals_count", "count(*)", Unit::Number, Some("closed_at")),
            (
                "deals_region_rate",
                "count_if(region = 'APAC') / count(region)",
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
    assert_eq!(kpis[0].dimensions, ["region", "stage"]);
    assert_eq!(kpis[0].name, "Deals: rows");
    assert_eq!(kpis[1].name, "Deals: share with region = APAC");
    assert_eq!(kpis[2].name, "Deals: total amount");
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
    let ids = profile(vec![column("id", DataType::String, &[("a", 1), ("b", 1)])]);
    assert_eq!(suggest("x", "x.csv", &ids, &[]).len(), 1);
}

#[test]
fn a_file_without_dates_gets_snapshots_and_money_from_names_or_values() {
    let mut montant = column("Montant TTC", DataType::Number, &[]);
    let mut score = column("score", DataType::Number, &[]);
    let flags = column("churned", DataType::Number, &[("0", 40), ("1", 3)]);
    let p = profile(vec![score.clone(), flags.clone(), montant.clone()]);
    let kpis = suggest("compta", "compta.csv", &p, &[]);
    assert!(kpis.iter().all(|k| k.time.is_none()));
    assert_eq!(kpis[1].formula, "count_if(churned = 1) / count(churned)");
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
        column("it's", DataType::String, &[("a'b", 9), ("c", 3)]),
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
            "count_if(\"it's\" = 'c') / count(\"it's\")",
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
