//! Formulas: SQL expressions parsed by sqlparser, type-checked, compiled for fast evaluation.
//!
//! Three kinds of expressions share one checker and one evaluator; they differ in their
//! [`check::Scope`]: row expressions (filters, aggregate arguments) see columns; a source KPI's
//! formula sees aggregates; a derived KPI's formula sees other KPIs; a `warn`/`fail` condition
//! sees `value`, `previous`, `delta`, `delta_pct` and `target`.

pub mod aggregate;
pub mod ast;
pub mod check;
pub mod eval;
pub mod functions;
mod parse;
mod scalar;
mod scopes;

pub use aggregate::{AggKind, AggSpec};
pub use ast::{Expr, Pos};
pub use eval::{Node, Val};
pub use parse::parse;
pub use scopes::{ColumnScope, ConditionScope, KpiScope, CONDITION_VARIABLES};

use crate::value::DataType;
use std::fmt;

/// A formula error: what is wrong and where, in the formula's own lines and columns.
#[derive(Debug, Clone, PartialEq)]
pub struct FormulaError {
    pub message: String,
    pub pos: Pos,
}

impl FormulaError {
    pub fn new(message: impl Into<String>, pos: Pos) -> FormulaError {
        FormulaError {
            message: message.into(),
            pos,
        }
    }
}

impl fmt::Display for FormulaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pos.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "{} ({})", self.message, self.pos)
        }
    }
}

impl std::error::Error for FormulaError {}

/// A source KPI's formula, compiled: the aggregates to feed per row, and how to combine them.
#[derive(Debug, Clone)]
pub struct AggregateFormula {
    pub aggs: Vec<AggSpec>,
    /// Over `Load(slot)` = the finished value of `aggs[slot]`.
    pub outer: Node,
}

/// Compiles a source KPI's formula against the columns of its source.
pub fn compile_aggregate(
    expr: &Expr,
    columns: &mut ColumnScope,
) -> Result<AggregateFormula, FormulaError> {
    let mut scope = aggregate::AggregateScope {
        row: columns,
        aggs: Vec::new(),
    };
    let (outer, ty) = check::compile(expr, &mut scope)?;
    expect_number(ty, expr)?;
    if scope.aggs.is_empty() {
        return Err(FormulaError::new(
            "the formula has no aggregate: a KPI summarises rows, for instance count(*) or sum(amount)",
            expr.pos,
        ));
    }
    Ok(AggregateFormula {
        aggs: scope.aggs,
        outer,
    })
}

/// Compiles a row condition (a source or KPI `filter`).
pub fn compile_filter(expr: &Expr, columns: &mut ColumnScope) -> Result<Node, FormulaError> {
    check::compile_condition(expr, columns, "a filter")
}

/// Compiles a derived KPI's formula; identifiers are KPI ids.
pub fn compile_derived(expr: &Expr, kpis: &mut KpiScope) -> Result<Node, FormulaError> {
    let (node, ty) = check::compile(expr, kpis)?;
    expect_number(ty, expr)?;
    Ok(node)
}

/// Compiles a `warn` or `fail` condition.
pub fn compile_condition(expr: &Expr) -> Result<Node, FormulaError> {
    check::compile_condition(expr, &mut ConditionScope, "a condition")
}

fn expect_number(ty: Option<DataType>, expr: &Expr) -> Result<(), FormulaError> {
    match ty {
        Some(DataType::Number) | None => Ok(()),
        Some(DataType::Bool) => Err(FormulaError::new(
            "the formula gives true/false, not a number: for a share, write count_if(cond) / count(*)",
            expr.pos,
        )),
        Some(other) => Err(FormulaError::new(format!("the formula gives a {other}, not a number"), expr.pos)),
    }
}

/// Every KPI id a derived formula refers to (for ordering and cycle detection).
pub fn identifiers(expr: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    expr.walk(&mut |e| {
        if let ast::ExprKind::Ident { name, .. } = &e.kind {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
    });
    out
}
