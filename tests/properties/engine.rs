//! The engine against a naive model: random small tables, random formulas from a grammar of
//! aggregates, FILTER clauses, arithmetic and NULLIF, computed by `kpi run` (overall and per
//! group) and by the obvious evaluation written here with SQL's null rules.

use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
struct Row {
    group: &'static str,
    x: Option<f64>,
    y: f64,
    flag: bool,
}

/// A row expression: what an aggregate takes.
#[derive(Debug, Clone)]
enum Arg {
    X,
    Y,
    XPlusY,
    YMinusX,
    XTimes(i32),
}

#[derive(Debug, Clone)]
enum Cond {
    Flag,
    NotFlag,
    XAbove(i32),
    GroupIs(&'static str),
}

#[derive(Debug, Clone)]
enum Agg {
    CountStar,
    Count(Arg),
    Sum(Arg),
    Avg(Arg),
    Min(Arg),
    Max(Arg),
    Median(Arg),
    DistinctGroups,
}

#[derive(Debug, Clone)]
enum Formula {
    One(Agg, Option<Cond>),
    Plus(Box<Formula>, Box<Formula>),
    Minus(Box<Formula>, Box<Formula>),
    Times(Box<Formula>, i32),
    Ratio(Box<Formula>, Box<Formula>),
}

impl Arg {
    fn sql(&self) -> String {
        match self {
            Arg::X => "x".into(),
            Arg::Y => "y".into(),
            Arg::XPlusY => "x + y".into(),
            Arg::YMinusX => "y - x".into(),
            Arg::XTimes(k) => format!("x * {k}"),
        }
    }

    fn eval(&self, r: &Row) -> Option<f64> {
        match self {
            Arg::X => r.x,
            Arg::Y => Some(r.y),
            Arg::XPlusY => r.x.map(|x| x + r.y),
            Arg::YMinusX => r.x.map(|x| r.y - x),
            Arg::XTimes(k) => r.x.map(|x| x * f64::from(*k)),
        }
    }
}

impl Cond {
    fn sql(&self) -> String {
        match self {
            Cond::Flag => "flag".into(),
            Cond::NotFlag => "NOT flag".into(),
            Cond::XAbove(k) => format!("x > {k}"),
            Cond::GroupIs(g) => format!("grp = '{g}'"),
        }
    }

    /// SQL: a null comparison is not true, so the row is left out.
    fn holds(&self, r: &Row) -> bool {
        match self {
            Cond::Flag => r.flag,
            Cond::NotFlag => !r.flag,
            Cond::XAbove(k) => r.x.is_some_and(|x| x > f64::from(*k)),
            Cond::GroupIs(g) => r.group == *g,
        }
    }
}

impl Agg {
    fn sql(&self) -> String {
        match self {
            Agg::CountStar => "count(*)".into(),
            Agg::Count(a) => format!("count({})", a.sql()),
            Agg::Sum(a) => format!("sum({})", a.sql()),
            Agg::Avg(a) => format!("avg({})", a.sql()),
            Agg::Min(a) => format!("min({})", a.sql()),
            Agg::Max(a) => format!("max({})", a.sql()),
            Agg::Median(a) => format!("median({})", a.sql()),
            Agg::DistinctGroups => "count(DISTINCT grp)".into(),
        }
    }

    fn eval(&self, rows: &[&Row]) -> Option<f64> {
        let values = |a: &Arg| -> Vec<f64> { rows.iter().filter_map(|r| a.eval(r)).collect() };
        match self {
            Agg::CountStar => Some(rows.len() as f64),
            Agg::Count(a) => Some(values(a).len() as f64),
            Agg::Sum(a) => {
                let v = values(a);
                (!v.is_empty()).then(|| v.iter().sum())
            }
            Agg::Avg(a) => {
                let v = values(a);
                (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            }
            Agg::Min(a) => values(a).into_iter().reduce(f64::min),
            Agg::Max(a) => values(a).into_iter().reduce(f64::max),
            Agg::Median(a) => {
                let mut v = values(a);
                v.sort_by(f64::total_cmp);
                match v.len() {
                    0 => None,
                    n if n % 2 == 1 => Some(v[n / 2]),
                    n => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
                }
            }
            Agg::DistinctGroups => {
                let set: BTreeSet<&str> = rows.iter().map(|r| r.group).collect();
                Some(set.len() as f64)
            }
        }
    }
}

impl Formula {
    fn sql(&self) -> String {
        match self {
            Formula::One(agg, None) => agg.sql(),
            Formula::One(agg, Some(c)) => format!("{} FILTER (WHERE {})", agg.sql(), c.sql()),
            Formula::Plus(a, b) => format!("({}) + ({})", a.sql(), b.sql()),
            Formula::Minus(a, b) => format!("({}) - ({})", a.sql(), b.sql()),
            Formula::Times(a, k) => format!("({}) * {k}", a.sql()),
            Formula::Ratio(a, b) => format!("({}) / nullif({}, 0)", a.sql(), b.sql()),
        }
    }

    fn eval(&self, rows: &[&Row]) -> Option<f64> {
        match self {
            Formula::One(agg, cond) => {
                let kept: Vec<&Row> = rows
                    .iter()
                    .copied()
                    .filter(|r| cond.as_ref().is_none_or(|c| c.holds(r)))
                    .collect();
                agg.eval(&kept)
            }
            Formula::Plus(a, b) => Some(a.eval(rows)? + b.eval(rows)?),
            Formula::Minus(a, b) => Some(a.eval(rows)? - b.eval(rows)?),
            Formula::Times(a, k) => Some(a.eval(rows)? * f64::from(*k)),
            Formula::Ratio(a, b) => {
                let d = b.eval(rows)?;
                if d == 0.0 {
                    None
                } else {
                    Some(a.eval(rows)? / d)
                }
            }
        }
    }
}

fn any_arg() -> impl Strategy<Value = Arg> {
    prop_oneof![
        Just(Arg::X),
        Just(Arg::Y),
        Just(Arg::XPlusY),
        Just(Arg::YMinusX),
        (-3i32..4).prop_map(Arg::XTimes),
    ]
}

fn any_cond() -> impl Strategy<Value = Cond> {
    prop_oneof![
        Just(Cond::Flag),
        Just(Cond::NotFlag),
        (-50i32..50).prop_map(Cond::XAbove),
        prop_oneof![Just("a"), Just("b")].prop_map(Cond::GroupIs),
    ]
}

fn any_agg() -> impl Strategy<Value = Agg> {
    prop_oneof![
        Just(Agg::CountStar),
        any_arg().prop_map(Agg::Count),
        any_arg().prop_map(Agg::Sum),
        any_arg().prop_map(Agg::Avg),
        any_arg().prop_map(Agg::Min),
        any_arg().prop_map(Agg::Max),
        any_arg().prop_map(Agg::Median),
        Just(Agg::DistinctGroups),
    ]
}

fn any_formula() -> impl Strategy<Value = Formula> {
    let leaf = (any_agg(), prop::option::of(any_cond())).prop_map(|(a, c)| Formula::One(a, c));
    leaf.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Formula::Plus(a.into(), b.into())),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Formula::Minus(a.into(), b.into())),
            (inner.clone(), -3i32..4).prop_map(|(a, k)| Formula::Times(a.into(), k)),
            (inner.clone(), inner).prop_map(|(a, b)| Formula::Ratio(a.into(), b.into())),
        ]
    })
}

fn any_row() -> impl Strategy<Value = Row> {
    (
        prop_oneof![Just("a"), Just("b"), Just("c")],
        prop::option::weighted(0.8, (-10_000i32..10_000).prop_map(|c| f64::from(c) / 100.0)),
        (-1_000i32..1_000).prop_map(f64::from),
        any::<bool>(),
    )
        .prop_map(|(group, x, y, flag)| Row { group, x, y, flag })
}

/// The CSV of the rows, all in October 2026.
fn csv(rows: &[Row]) -> String {
    let mut text = String::from("created_at,grp,x,y,flag\n");
    for (i, r) in rows.iter().enumerate() {
        let x = r.x.map_or(String::new(), |x| x.to_string());
        text.push_str(&format!(
            "2026-10-{:02},{},{x},{},{}\n",
            i % 28 + 1,
            r.group,
            r.y,
            r.flag
        ));
    }
    text
}

fn config(formulas: &[Formula]) -> String {
    let mut text = String::from(
        "[sources.t]\npath = \"t.csv\"\ncolumns = { created_at = \"date\", x = \"number\", y = \"number\", flag = \"bool\", grp = \"string\" }\n",
    );
    for (i, f) in formulas.iter().enumerate() {
        text.push_str(&format!(
            "\n[[kpi]]\nid = \"k{i}\"\nsource = \"t\"\ntime = \"created_at\"\nformula = \"{}\"\ndimensions = [\"grp\"]\n",
            f.sql()
        ));
    }
    text
}

/// (kpi, group or "" for overall) → value, from `kpi run --format json`.
fn computed(rows: &[Row], formulas: &[Formula]) -> BTreeMap<(String, String), Option<f64>> {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("t.csv"), csv(rows)).expect("write csv");
    std::fs::write(dir.path().join("kpis.toml"), config(formulas)).expect("write toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args([
            "run",
            "--as-of",
            "2026-11-01",
            "--no-archive",
            "--format",
            "json",
        ])
        .current_dir(dir.path())
        .env_remove("KPI_CONFIG")
        .output()
        .expect("run kpi");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        config(formulas)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut values = BTreeMap::new();
    for r in report["results"].as_array().expect("results") {
        let group = r["dimensions"]["grp"].as_str().unwrap_or("").to_string();
        let kpi = r["kpi"].as_str().expect("kpi").to_string();
        values.insert((kpi, group), r["value"].as_f64());
    }
    values
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn kpi_run_equals_the_naive_model(
        rows in prop::collection::vec(any_row(), 0..60),
        formulas in prop::collection::vec(any_formula(), 1..6),
    ) {
        let values = computed(&rows, &formulas);
        let all: Vec<&Row> = rows.iter().collect();
        for (i, formula) in formulas.iter().enumerate() {
            let kpi = format!("k{i}");
            let expected = formula.eval(&all).filter(|v| v.is_finite());
            let got = values.get(&(kpi.clone(), String::new())).copied().flatten();
            prop_assert!(close(got, expected), "{} overall: kpi {:?}, model {:?}", formula.sql(), got, expected);
            for group in ["a", "b", "c"] {
                let in_group: Vec<&Row> = rows.iter().filter(|r| r.group == group).collect();
                if in_group.is_empty() {
                    continue;
                }
                let expected = formula.eval(&in_group).filter(|v| v.is_finite());
                let got = values.get(&(kpi.clone(), group.to_string())).copied().flatten();
                prop_assert!(close(got, expected), "{} for {}: kpi {:?}, model {:?}", formula.sql(), group, got, expected);
            }
        }
    }
}
