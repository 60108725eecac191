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
mod percent;
mod scalar;
mod scopes;

pub use aggregate::{AggKind, AggSpec};
pub use ast::{Expr, Pos};
pub use eval::{Node, Val};
pub use parse::{canonical, parse, parse_condition, printed};
pub use scopes::{ColumnScope, ConditionScope, KpiScope, BASELINE_FIELDS, CONDITION_VARIABLES};

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
        rollup: false,
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

/// Compiles a rollup's column: an aggregate formula over an entity's rows, of any type (an
/// untyped NULL is None), where `arg_max`, `first`, `last` and `bool_or` are allowed too.
pub fn compile_rollup_column(
    expr: &Expr,
    columns: &mut ColumnScope,
) -> Result<(AggregateFormula, Option<DataType>), FormulaError> {
    let mut scope = aggregate::AggregateScope {
        row: columns,
        aggs: Vec::new(),
        rollup: true,
    };
    let (outer, ty) = check::compile(expr, &mut scope)?;
    if scope.aggs.is_empty() {
        return Err(FormulaError::new(
            "a rollup's column aggregates an entity's rows, for instance min(event_time) or \
             count(*)",
            expr.pos,
        ));
    }
    let formula = AggregateFormula {
        aggs: scope.aggs,
        outer,
    };
    Ok((formula, ty))
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

/// Compiles a `warn` or `fail` condition; `scope` says which baselines it may name, and
/// gathers those it does.
pub fn compile_condition(expr: &Expr, scope: &mut ConditionScope) -> Result<Node, FormulaError> {
    check::compile_condition(expr, scope, "a condition")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_text_ignores_spacing_comments_and_keyword_case() {
        let a = canonical("count_if(stage = 'Won') / count(*)");
        assert_eq!(
            a,
            canonical("COUNT_IF( stage='Won' )/count( * ) -- share of won deals")
        );
        assert_ne!(a, canonical("count_if(stage = 'won') / count(*)"));
        assert_ne!(canonical("a - -b"), canonical("a - b"));
    }
    use crate::value::DataType;

    fn columns() -> Vec<(String, DataType)> {
        [
            ("stage", DataType::String),
            ("amount", DataType::Number),
            ("closed_at", DataType::Date),
            ("Customer ID", DataType::String),
            ("is_test", DataType::Bool),
        ]
        .iter()
        .map(|(n, t)| (n.to_string(), *t))
        .collect()
    }

    /// Runs `f` with a scope over the test columns.
    fn with_scope<T>(f: impl FnOnce(&mut ColumnScope) -> T) -> T {
        let cols = columns();
        let mut used = Vec::new();
        let mut scope = ColumnScope {
            columns: &cols,
            used: &mut used,
            source: "test",
        };
        f(&mut scope)
    }

    fn compile(text: &str) -> Result<AggregateFormula, FormulaError> {
        with_scope(|scope| compile_aggregate(&parse(text)?, scope))
    }

    fn error_at(text: &str) -> (String, u64, u64) {
        let err = compile(text).expect_err(text);
        (err.message, err.pos.line, err.pos.column)
    }

    #[test]
    fn accepts_the_spec_formulas() {
        for f in [
            "count_if(stage = 'Won') / count_if(stage IN ('Won', 'Lost'))",
            "count(DISTINCT \"Customer ID\")",
            "sum(amount) FILTER (WHERE stage = 'Won' AND NOT is_test)",
            "quantile_cont(amount, 0.9) - median(amount)",
            "avg(date_diff('day', closed_at, DATE '2026-01-01'))",
            "count_if(closed_at >= '2026-01-01' AND amount BETWEEN 1 AND 10)",
            "sum(CASE WHEN stage LIKE 'W%' THEN amount ELSE 0 END) / nullif(count(*), 0)",
            "max(closed_at) IS NULL::int + count(amount::DOUBLE)",
            "nps(amount) + retention(\"Customer ID\")",
            "COUNT(*)",
        ] {
            assert!(compile(f).is_ok(), "{f}: {:?}", compile(f).err());
        }
    }

    #[test]
    fn errors_name_the_place() {
        let cases = [
            ("sum(stgae)", "unknown column `stgae`", 1, 5),
            ("sum(stage)", "`sum` needs a number", 1, 5),
            ("frob(amount)", "unknown function `frob`", 1, 1),
            ("count(*) +\n  amount", "outside an aggregate", 2, 3),
            ("count_if(stage = 'Won'", "syntax error", 1, 23),
            ("count_if(stage)", "needs a bool", 1, 10),
            ("sum(amount) > 3", "true/false", 1, 1),
            ("sum(sum(amount))", "not allowed here", 1, 5),
            (
                "count_if(amount = 'abc')",
                "cannot compare a number with a string",
                1,
                19,
            ),
            ("quantile_cont(amount, 2)", "between 0 and 1", 1, 23),
        ];
        for (text, want, line, column) in cases {
            let (message, l, c) = error_at(text);
            assert!(message.contains(want), "{text}: {message}");
            assert_eq!((l, c), (line, column), "{text}: {message}");
        }
    }

    #[test]
    fn a_comparison_inside_a_call_is_not_a_named_argument() {
        let expr = parse("count_if(stage = 'Won' OR is_test)").unwrap();
        let ast::ExprKind::Call(call) = &expr.kind else {
            panic!("{expr:?}")
        };
        let ast::ExprKind::Binary { op, .. } = &call.args[0].kind else {
            panic!("{call:?}")
        };
        assert_eq!(*op, ast::BinOp::Or, "OR binds looser than =");
    }

    #[test]
    fn division_by_zero_and_nulls_give_null() {
        let f = compile("sum(amount) / count_if(false)").unwrap();
        let inputs = [crate::value::Value::Num(5.0), crate::value::Value::Num(0.0)];
        assert!(f.outer.eval(&inputs).is_null());
        let f = compile("7 / 2 + 0 * count(*)").unwrap();
        assert_eq!(
            f.outer.eval(&[crate::value::Value::Num(1.0)]).as_num(),
            Some(3.5)
        );
    }

    #[test]
    fn three_valued_logic() {
        let node = with_scope(|scope| {
            compile_filter(&parse("amount > 1 OR is_test").unwrap(), scope).unwrap()
        });
        use crate::value::Value::{Bool, Null, Num};
        // Slots follow first use: amount, then is_test.
        assert_eq!(node.eval(&[Null, Bool(true)]), Val::Bool(true));
        assert_eq!(node.eval(&[Null, Bool(false)]), Val::Null);
        assert_eq!(node.eval(&[Num(2.0), Null]), Val::Bool(true));
    }
}
