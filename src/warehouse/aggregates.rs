//! Each aggregate of a formula in SQL: the per-row value it takes (its argument under its
//! `FILTER`, null when the row does not count), the aggregate over a group, and the parts the
//! archive and significance tests keep besides the value.

use super::dialect::Dialect;
use super::expr::Writer;
use super::Refusal;
use crate::formula::{AggKind, AggSpec};
use crate::value::DataType;

pub struct Aggregate {
    kind: AggKind,
    /// The value per row (`x{i}` in the KPI's rows); None for a plain count(*).
    row: Option<String>,
    pub result_type: Option<DataType>,
    /// The call as written: the key of its parts.
    text: String,
}

pub fn prepare(spec: &AggSpec, row: &Writer) -> Result<Aggregate, Refusal> {
    let arg = spec.arg.as_ref().map(|a| row.sql(a)).transpose()?;
    let filter = spec.filter.as_ref().map(|f| row.sql(f)).transpose()?;
    let value = match (spec.kind, arg, filter) {
        (AggKind::CountStar, _, None) => None,
        (AggKind::CountStar, _, Some(f)) => Some(format!("CASE WHEN {f} THEN 1 END")),
        (AggKind::CountIf, Some(c), None) => Some(format!("CASE WHEN {c} THEN 1 END")),
        (AggKind::CountIf, Some(c), Some(f)) => {
            Some(format!("CASE WHEN ({f}) AND ({c}) THEN 1 END"))
        }
        (_, Some(a), Some(f)) => Some(format!("CASE WHEN {f} THEN {a} END")),
        (_, a, _) => Some(a.unwrap_or_else(|| "NULL".into())),
    };
    Ok(Aggregate {
        kind: spec.kind,
        row: value,
        result_type: spec.result_type(),
        text: spec.text.clone(),
    })
}

impl Aggregate {
    pub fn row_value(&self) -> Option<&str> {
        self.row.as_deref()
    }

    pub fn is_retention(&self) -> bool {
        self.kind == AggKind::Retention
    }

    /// BigQuery's exact percentile is an analytic function only (its aggregate,
    /// APPROX_QUANTILES, is approximate): each row of aggregate `i` gets the percentile of its
    /// partition (period and group) as `q{i}`, and the group takes that one value. Rows outside
    /// the aggregate's FILTER have a null `x{i}`, which PERCENTILE_CONT ignores.
    pub fn window(&self, d: Dialect, i: usize, partition: &str) -> Option<String> {
        match (self.kind, d) {
            (AggKind::Quantile(p), Dialect::BigQuery) => Some(format!(
                "PERCENTILE_CONT(x{i}, {p:?}) OVER (PARTITION BY {partition}) AS q{i}"
            )),
            _ => None,
        }
    }

    /// The columns of aggregate `i` over a group of the rows `r`: the value (suffix ""), then
    /// its extra parts (`_n`, `_var`, `_p`, `_d`).
    pub fn grouped(&self, d: Dialect, i: usize) -> Vec<(&'static str, String)> {
        let x = match self.row {
            Some(_) => format!("r.x{i}"),
            None => "r.period".to_string(),
        };
        let count = format!("COUNT({x})");
        match self.kind {
            AggKind::CountStar | AggKind::Count | AggKind::CountIf => vec![("", count)],
            AggKind::CountDistinct => vec![("", format!("COUNT(DISTINCT {x})"))],
            AggKind::Sum => vec![("", sum(d, &x))],
            AggKind::Avg => vec![
                ("", format!("{} / NULLIF({count}, 0)", sum(d, &x))),
                ("_n", count),
                ("_var", format!("VAR_SAMP({x})")),
            ],
            AggKind::Min => vec![("", format!("MIN({x})"))],
            AggKind::Max => vec![("", format!("MAX({x})"))],
            // Every row of a group has the same `q{i}`: MAX reads it (null over no rows).
            AggKind::Quantile(_) if d == Dialect::BigQuery => {
                vec![("", format!("MAX(r.q{i})")), ("_n", count)]
            }
            AggKind::Quantile(p) => vec![("", quantile(d, &x, p)), ("_n", count)],
            AggKind::Nps => {
                let promoters = format!("COUNT(CASE WHEN {x} >= 9 THEN 1 END)");
                let detractors = format!("COUNT(CASE WHEN {x} <= 6 THEN 1 END)");
                let score = format!(
                    "{} / NULLIF({count}, 0)",
                    d.to_double(&format!("100 * ({promoters} - {detractors})"))
                );
                vec![
                    ("", score),
                    ("_n", count),
                    ("_p", promoters),
                    ("_d", detractors),
                ]
            }
            AggKind::Retention => vec![],
            // A KPI's formula refuses them (`AggKind::is_rollup_only`).
            AggKind::ArgMin
            | AggKind::ArgMax
            | AggKind::First
            | AggKind::Last
            | AggKind::BoolOr => {
                vec![]
            }
        }
    }

    /// Extra parts: (name suffix, column suffix, kept only when the count is above 1).
    fn extra_parts(&self) -> &'static [(&'static str, &'static str, bool)] {
        match self.kind {
            AggKind::Avg => &[("n", "_n", false), ("variance", "_var", true)],
            AggKind::Quantile(_) => &[("n", "_n", false)],
            AggKind::Nps => &[
                ("n", "_n", false),
                ("promoters", "_p", false),
                ("detractors", "_d", false),
            ],
            _ => &[],
        }
    }
}

/// kpi sums exactly (then divides for a mean): DuckDB's compensated `fsum` and PostgreSQL's
/// numeric sum come closest; other engines add in their own order (last digits may differ).
fn sum(d: Dialect, x: &str) -> String {
    match d {
        Dialect::DuckDb => format!("fsum({x})"),
        Dialect::Postgres => d.to_double(&format!("SUM(CAST({x} AS NUMERIC))")),
        _ => format!("SUM({x})"),
    }
}

/// quantile_cont: linear interpolation between the closest ranks.
fn quantile(d: Dialect, x: &str, p: f64) -> String {
    match d {
        Dialect::DuckDb => format!("quantile_cont({x}, {p:?})"),
        Dialect::Spark => format!("percentile({x}, {p:?})"),
        _ => format!("PERCENTILE_CONT({p:?}) WITHIN GROUP (ORDER BY {x})"),
    }
}

/// The parts as a JSON object, as the archive keeps them: each aggregate by its text, and what
/// a significance test needs (`avg(x) n`, `avg(x) variance` when n > 1…). `values` are the
/// aggregates' SQL in the result select.
pub fn parts_json(d: Dialect, aggs: &[Aggregate], values: &[(String, Option<DataType>)]) -> String {
    let json_value = |sql: &str, ty: Option<DataType>| {
        let text = d.cast(sql, d.text());
        match ty {
            Some(DataType::Date | DataType::DateTime) => {
                format!("COALESCE('\"' || {text} || '\"', 'null')")
            }
            _ => format!("COALESCE({text}, 'null')"),
        }
    };
    let key = |name: &str| serde_json::to_string(name).unwrap_or_else(|_| "\"\"".into());
    let mut pieces = Vec::new();
    for (i, (agg, (sql, ty))) in aggs.iter().zip(values).enumerate() {
        let comma = if pieces.is_empty() { "" } else { ", " };
        pieces.push(format!(
            "{} || {}",
            d.string(&format!("{comma}{}: ", key(&agg.text))),
            json_value(sql, *ty)
        ));
        for (name, suffix, when_several) in agg.extra_parts() {
            let piece = format!(
                "{} || {}",
                d.string(&format!(", {}: ", key(&format!("{} {name}", agg.text)))),
                json_value(&format!("g.a{i}{suffix}"), None)
            );
            pieces.push(if *when_several {
                format!("CASE WHEN g.a{i}_n > 1 THEN {piece} ELSE '' END")
            } else {
                piece
            });
        }
    }
    format!("('{{' || {} || '}}')", pieces.join(" || "))
}
