//! A lookup from a source in SQL: the rows of the source it names that the source's filter
//! keeps, by their `on` value (`k`), the last row of a key in file order — as kpi builds the
//! table (`ingest::lookup_source`).

use super::dialect::Dialect;
use super::expr::Writer;
use super::read::{rows_in_file_order, source_rows, ORDINAL};
use super::Refusal;
use crate::config::{Located, Lookup};
use crate::formula::{self, ColumnScope};
use crate::ingest::schema::Schema;
use crate::value::DataType;

/// The body of the CTE of `lookup`'s rows from `from` (read from `table` or its files).
/// `unique`: each `on` value is on one row (a rollup's `by`), so file order does not matter.
pub fn lookup_source_rows(
    d: Dialect,
    lookup: &Lookup,
    from: &Schema,
    table: Option<&str>,
    filter: Option<&Located>,
    unique: bool,
) -> Result<String, Refusal> {
    let what = format!("lookup `{}` from source `{}`", lookup.name, from.source);
    let mut used = Vec::new();
    let label = format!("source `{}`", from.source);
    let mut scope = ColumnScope {
        columns: &from.columns,
        used: &mut used,
        source: &label,
    };
    let mut slots = Vec::new();
    for name in std::iter::once(&lookup.on).chain(&lookup.columns) {
        let column = scope
            .find(name)
            .ok_or_else(|| format!("{what}: unknown column `{name}`"))?;
        slots.push((scope.slot(column), column));
    }
    let filter = filter
        .map(|f| formula::compile_filter(&f.expr, &mut scope))
        .transpose()
        .map_err(|e| format!("{what}: filter: {e}"))?;
    if from.columns[slots[0].1].1 != DataType::String {
        return Err(format!(
            "{what}: its `on` column `{}` is a {}, and a lookup key is matched as text",
            lookup.on, from.columns[slots[0].1].1
        ));
    }
    let rows = match (unique, table) {
        (true, _) => source_rows(d, from, table, &used)?,
        (false, None) => rows_in_file_order(d, from, &used)?,
        (false, Some(table)) => {
            return Err(format!(
                "{what}: a key may be on several rows, of which kpi keeps the last in file order, and the table {table} has none"
            ))
        }
    };
    let inputs: Vec<(String, Option<DataType>)> = used
        .iter()
        .map(|&c| {
            let (name, ty) = &from.columns[c];
            (super::column(d, name, table.is_some()), Some(*ty))
        })
        .collect();
    let row = Writer {
        dialect: d,
        inputs: &inputs,
    };
    let key = &inputs[slots[0].0].0;
    let mut select = vec![format!("{key} AS k")];
    let mut names = vec!["k".to_string()];
    for (name, &(slot, _)) in lookup.columns.iter().zip(&slots[1..]) {
        select.push(format!("{} AS {}", inputs[slot].0, d.ident(name)));
        names.push(d.ident(name));
    }
    let mut conditions = vec![format!("{key} IS NOT NULL")];
    if let Some(filter) = &filter {
        conditions.push(row.sql(filter)?);
    }
    let kept = |columns: &[String]| {
        format!(
            "SELECT {} FROM ({rows}) AS s\n    WHERE {}",
            columns.join(", "),
            conditions.join(" AND ")
        )
    };
    if unique {
        return Ok(kept(&select));
    }
    select.push(ORDINAL.into());
    Ok(format!(
        "SELECT {} FROM ({}) AS s\n    QUALIFY row_number() OVER (PARTITION BY k ORDER BY {ORDINAL} DESC) = 1",
        names.join(", "),
        kept(&select)
    ))
}
