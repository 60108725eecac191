//! Lookups from sources (`source = "customers"` instead of `path`): the table is built from
//! another source's rows (a rollup's, say), after that source's filter: each row's `on` value
//! → the wanted columns, the last row of a key winning, as in a lookup file.

use super::lookup::LookupTable;
use super::mismatch::ConfigMismatch;
use super::scan::scan;
use super::schema::Schema;
use super::sink::Sink;
use super::stats::ScanStats;
use crate::config::{Located, Lookup};
use crate::formula::{self, ColumnScope, Node};
use crate::progress::Progress;
use crate::value::{Cell, Value};
use anyhow::{anyhow, Result};
use std::collections::HashMap;

/// Builds the table of `lookup` from the rows of `schema` (the source it names), kept by that
/// source's `filter`.
pub fn build(
    lookup: &Lookup,
    schema: &Schema,
    filter: Option<&Located>,
    threads: usize,
) -> Result<(LookupTable, ScanStats)> {
    let from = &schema.source;
    let mut used = Vec::new();
    let label = format!("source `{from}`");
    let mut scope = ColumnScope {
        columns: &schema.columns,
        used: &mut used,
        source: &label,
    };
    let what = format!("lookup `{}`", lookup.name);
    let mut find = |name: &str, key: &str| match scope.find(name) {
        Some(c) => Ok(scope.slot(c)),
        None => {
            let names: Vec<&str> = schema.columns.iter().map(|(c, _)| c.as_str()).collect();
            Err(anyhow::Error::new(ConfigMismatch(format!(
                "{what}: {key}: unknown column `{name}` in {label} (columns: {})",
                names.join(", ")
            ))))
        }
    };
    find(&lookup.on, "on")?;
    for column in &lookup.columns {
        find(column, "columns")?;
    }
    let filter = match filter {
        Some(f) => Some(
            formula::compile_filter(&f.expr, &mut scope)
                .map_err(|e| anyhow!("{label}: filter: {}", f.describe(&e)))?,
        ),
        None => None,
    };
    let columns = used[1..=lookup.columns.len()]
        .iter()
        .map(|&c| schema.columns[c].clone())
        .collect();
    let width = lookup.columns.len();
    let new_sink = || Rows {
        filter: filter.as_ref(),
        width,
        rows: HashMap::new(),
    };
    let (sink, stats) = scan(schema, &used, threads, &Progress::hidden(), &new_sink)?;
    Ok((
        LookupTable::from_rows(&lookup.name, columns, sink.rows),
        stats,
    ))
}

/// The rows of a lookup being built: slot 0 is the key, then the wanted columns.
struct Rows<'f> {
    filter: Option<&'f Node>,
    width: usize,
    rows: HashMap<String, Vec<Cell>>,
}

impl Sink for Rows<'_> {
    fn add_row(&mut self, row: &[Value<'_>]) -> bool {
        if self.filter.is_some_and(|f| !f.eval(row).is_true()) {
            return false;
        }
        // A null key is no key: no row of the source using the lookup carries it.
        if row[0].is_null() {
            return true;
        }
        let key = Cell::from_value(row[0]).text().trim().to_string();
        let cells = row[1..=self.width]
            .iter()
            .map(|v| Cell::from_value(*v))
            .collect();
        self.rows.insert(key, cells);
        true
    }

    fn absorb(&mut self, other: Self) {
        // `other` read later rows: its keys win.
        self.rows.extend(other.rows);
    }
}
