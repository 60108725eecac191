//! Computed columns (`computed = { name = "expression" }`): row-level expressions over a
//! source's columns, its lookups' and the other computed columns, type-checked once the header
//! is read and evaluated per row by the decoder, so that every use — formulas, filters, `time`,
//! dimensions, a rollup's `by` — sees them as columns.

use super::mismatch::ConfigMismatch;
use crate::config::{Located, Source};
use crate::formula::{self, ColumnScope, Node, Val};
use crate::value::{DataType, Value};
use anyhow::Result;

/// One computed column, compiled.
#[derive(Debug, Clone)]
pub struct ComputedColumn {
    pub name: String,
    /// Over `inputs`: `Load(i)` is the value of column `inputs[i]`.
    pub node: Node,
    /// The schema columns the expression reads (indices into the schema's columns); each comes
    /// before this column.
    pub inputs: Vec<usize>,
}

/// Types tried for a column no row fills when a computed expression does not type-check with
/// the one inferred: with no value to read, any type gives the same rows.
const CANDIDATES: [DataType; 4] = [
    DataType::Number,
    DataType::Date,
    DataType::DateTime,
    DataType::Bool,
];

/// Compiles the computed columns of `source` over `columns` (the files' and lookups' columns),
/// each after those it names, and appends them with their types. `empty`: columns no row fills,
/// which an expression may retype.
pub fn compile_all(
    source: &Source,
    columns: &mut Vec<(String, DataType)>,
    empty: &[usize],
) -> Result<Vec<ComputedColumn>> {
    let label = format!("source `{}`", source.name);
    for (name, _) in &source.computed {
        if columns.iter().any(|(c, _)| c.eq_ignore_ascii_case(name)) {
            return Err(mismatch(format!(
                "{label}: computed column `{name}` has the name of a column it already has: \
                 rename it"
            )));
        }
    }
    let mut pending: Vec<&(String, Located)> = source.computed.iter().collect();
    let mut compiled = Vec::new();
    while !pending.is_empty() {
        let waits = |located: &Located| {
            let names = formula::identifiers(&located.expr);
            pending
                .iter()
                .any(|(other, _)| names.iter().any(|n| n.eq_ignore_ascii_case(other)))
        };
        let Some(ready) = pending.iter().position(|(_, l)| !waits(l)) else {
            let names: Vec<&str> = pending.iter().map(|(n, _)| n.as_str()).collect();
            return Err(mismatch(format!(
                "{label}: computed columns {} are computed from each other (a cycle)",
                names.join(", ")
            )));
        };
        let (name, located) = pending.remove(ready);
        let (column, ty) = compile_one(name, located, columns, empty, &label)?;
        columns.push((name.clone(), ty));
        compiled.push(column);
    }
    Ok(compiled)
}

/// One computed column over the columns so far; an empty column it reads is retyped when the
/// expression needs another type.
fn compile_one(
    name: &str,
    located: &Located,
    columns: &mut [(String, DataType)],
    empty: &[usize],
    label: &str,
) -> Result<(ComputedColumn, DataType)> {
    let first = try_compile(name, located, columns, label);
    let Err(error) = first else { return first };
    let mut inputs = Vec::new();
    let mut scope = ColumnScope {
        columns,
        used: &mut inputs,
        source: label,
    };
    let _ = formula::check::compile(&located.expr, &mut scope);
    for &c in inputs.iter().filter(|c| empty.contains(c)) {
        let own = columns[c].1;
        for ty in CANDIDATES.into_iter().filter(|&t| t != own) {
            columns[c].1 = ty;
            if let Ok(done) = try_compile(name, located, columns, label) {
                return Ok(done);
            }
        }
        columns[c].1 = own;
    }
    Err(error)
}

fn try_compile(
    name: &str,
    located: &Located,
    columns: &[(String, DataType)],
    label: &str,
) -> Result<(ComputedColumn, DataType)> {
    let mut inputs = Vec::new();
    let mut scope = ColumnScope {
        columns,
        used: &mut inputs,
        source: label,
    };
    let (node, ty) = formula::check::compile(&located.expr, &mut scope).map_err(|e| {
        mismatch(format!(
            "{label}: computed column `{name}`: {}",
            located.describe(&e)
        ))
    })?;
    let column = ComputedColumn {
        name: name.to_string(),
        node,
        inputs,
    };
    // An untyped NULL is a column of no value: text, the type of an empty column.
    Ok((column, ty.unwrap_or(DataType::String)))
}

fn mismatch(message: String) -> anyhow::Error {
    anyhow::Error::new(ConfigMismatch(message))
}

/// `used` (indices into the schema's columns) followed by every column the computed ones among
/// them read, themselves and so on: what a row must decode for them.
pub fn with_inputs(used: &[usize], computed: &[ComputedColumn], base: usize) -> Vec<usize> {
    let mut all = used.to_vec();
    let mut i = 0;
    while i < all.len() {
        if let Some(column) = all[i].checked_sub(base).and_then(|k| computed.get(k)) {
            for input in &column.inputs {
                if !all.contains(input) {
                    all.push(*input);
                }
            }
        }
        i += 1;
    }
    all
}

/// A computed value as a row value (a computed string borrows from it).
pub fn as_value<'a>(v: &'a Val<'_>) -> Value<'a> {
    match v {
        Val::Null => Value::Null,
        Val::Num(n) => Value::Num(*n),
        Val::Str(s) => Value::Str(s),
        Val::Bool(b) => Value::Bool(*b),
        Val::Date(d) => Value::Date(*d),
        Val::DateTime(t) => Value::DateTime(*t),
    }
}
