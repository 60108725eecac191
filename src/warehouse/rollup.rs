//! A rollup source in SQL: one row per entity of its input's rows — a grouped subquery, `by`
//! the grouping, each column its aggregates and their formula — named as a table is, so that
//! the rollup is then read like any source's table.
//!
//! `first`, `last` and the ties of `arg_min`/`arg_max` follow file order, which only files read
//! by DuckDB have (`kpi_row`, the row's ordinality): over a table they are refused.

use super::aggregates::{self, Aggregate};
use super::dialect::Dialect;
use super::expr::Writer;
use super::read::{rows_in_file_order, source_rows, ORDINAL};
use super::Refusal;
use crate::engine::rollup::RollupPlan;
use crate::formula::{AggKind, AggSpec};
use crate::ingest::schema::Schema;
use crate::value::DataType;

/// The body of the CTE of a rollup's rows, from its input's (`input`, read from `table` or its
/// files). Its columns are named as a table's are (`super::column`).
pub fn rollup_rows(
    d: Dialect,
    input: &Schema,
    table: Option<&str>,
    plan: &RollupPlan,
) -> Result<String, Refusal> {
    let in_order = plan
        .aggregates
        .iter()
        .flat_map(|f| &f.aggs)
        .find(|a| follows_file_order(a.kind));
    let rows = match (in_order, table) {
        (Some(spec), Some(table)) => {
            return Err(format!(
                "source `{}`: `{}` follows the file order of source `{}`, and the table {table} has none",
                plan.source, spec.text, input.source
            ))
        }
        (Some(_), None) => rows_in_file_order(d, input, &plan.used)?,
        (None, _) => source_rows(d, input, table, &plan.used)?,
    };
    let columns: Vec<(String, Option<DataType>)> = plan
        .used
        .iter()
        .map(|&c| {
            let (name, ty) = &input.columns[c];
            (super::column(d, name, table.is_some()), Some(*ty))
        })
        .collect();
    let row = Writer {
        dialect: d,
        inputs: &columns,
    };
    let mut per_row: Vec<String> = plan
        .by
        .iter()
        .enumerate()
        .map(|(k, &slot)| format!("{} AS b{k}", columns[slot].0))
        .collect();
    let mut prepared = Vec::new();
    for spec in plan.aggregates.iter().flat_map(|f| &f.aggs) {
        let i = prepared.len();
        let agg = aggregates::prepare(spec, &row)?;
        match spec.kind {
            // Their FILTER chooses rows, not values: the argument is taken as it is.
            AggKind::First | AggKind::Last => {
                let arg = spec.arg.as_ref().map(|a| row.sql(a)).transpose()?;
                per_row.push(format!("{} AS x{i}", arg.unwrap_or_else(|| "NULL".into())));
                let kept = spec.filter.as_ref().map(|f| row.sql(f)).transpose()?;
                per_row.push(format!("{} AS f{i}", kept.unwrap_or_else(|| "TRUE".into())));
            }
            _ => {
                if let Some(value) = agg.row_value() {
                    per_row.push(format!("{value} AS x{i}"));
                }
            }
        }
        if let Some(order) = &spec.order {
            per_row.push(format!("{} AS o{i}", row.sql(order)?));
        }
        prepared.push((spec, agg));
    }
    if in_order.is_some() {
        per_row.push(ORDINAL.into());
    }
    let mut body = format!("SELECT {}\n    FROM ({rows}) AS input", per_row.join(", "));
    if let Some(filter) = &plan.filter {
        body += &format!("\n    WHERE {}", row.sql(filter)?);
    }
    let nby = plan.by.len();
    let mut select: Vec<String> = (0..nby)
        .map(|k| format!("r.b{k} AS {}", super::column(d, &plan.columns[k].0, true)))
        .collect();
    let mut next = 0;
    for (j, formula) in plan.aggregates.iter().enumerate() {
        let mut values = Vec::new();
        for _ in &formula.aggs {
            let (spec, agg) = &prepared[next];
            values.push((grouped(d, spec, agg, next)?, spec.result_type()));
            next += 1;
        }
        let outer = Writer {
            dialect: d,
            inputs: &values,
        };
        let name = super::column(d, &plan.columns[nby + j].0, true);
        select.push(format!("{} AS {name}", outer.sql(&formula.outer)?));
    }
    let group: Vec<String> = (0..nby).map(|k| format!("r.b{k}")).collect();
    Ok(format!(
        "SELECT {}\n  FROM ({body}) AS r\n  GROUP BY {}",
        select.join(",\n         "),
        group.join(", ")
    ))
}

/// Aggregates whose value depends on the order of the rows.
fn follows_file_order(kind: AggKind) -> bool {
    matches!(
        kind,
        AggKind::First | AggKind::Last | AggKind::ArgMin | AggKind::ArgMax
    )
}

/// Aggregate `i` over an entity's rows `r`.
fn grouped(d: Dialect, spec: &AggSpec, agg: &Aggregate, i: usize) -> Result<String, Refusal> {
    let x = format!("r.x{i}");
    // Rows in file order (DuckDB only: see `follows_file_order`); its lists are 1-based.
    let in_order = |order: &str, filter: &str| {
        format!("(list({x} ORDER BY {order}) FILTER (WHERE {filter}))[1]")
    };
    let row = format!("r.{ORDINAL}");
    Ok(match spec.kind {
        AggKind::CountStar if agg.row_value().is_none() => "COUNT(*)".into(),
        AggKind::BoolOr => match d {
            Dialect::BigQuery => format!("LOGICAL_OR({x})"),
            Dialect::Snowflake => format!("BOOLOR_AGG({x})"),
            _ => format!("bool_or({x})"),
        },
        AggKind::First => in_order(&row, &format!("r.f{i}")),
        AggKind::Last => in_order(&format!("{row} DESC"), &format!("r.f{i}")),
        // As kpi: a row whose argument or order is null is skipped; a tie keeps the first row.
        AggKind::ArgMin | AggKind::ArgMax => {
            let direction = if spec.kind == AggKind::ArgMin {
                ""
            } else {
                " DESC"
            };
            in_order(
                &format!("r.o{i}{direction}, {row}"),
                &format!("{x} IS NOT NULL AND r.o{i} IS NOT NULL"),
            )
        }
        AggKind::Retention => {
            return Err(format!("`{}` in a rollup column", spec.text));
        }
        _ if agg.window(d, i, "").is_some() => {
            return Err(format!(
                "`{}` in a rollup column ({d}'s exact percentile is an analytic function only)",
                spec.text
            ));
        }
        _ => match agg.grouped(d, i).into_iter().next() {
            Some((_, sql)) => sql,
            None => return Err(format!("`{}` in a rollup column", spec.text)),
        },
    })
}
