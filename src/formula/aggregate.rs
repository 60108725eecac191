//! Aggregate calls in a KPI formula: each becomes an [`AggSpec`] fed row by row by the engine,
//! and a `Load(slot)` in the outer expression that combines the finished aggregates.

use super::ast::{Call, ExprKind, Pos};
use super::check::{arity, compile, compile_condition, Scope, Ty};
use super::eval::{Node, Val};
use super::FormulaError;
use crate::value::DataType;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AggKind {
    CountStar,
    Count,
    CountDistinct,
    CountIf,
    Sum,
    Avg,
    Min,
    Max,
    /// `median(x)` is `quantile_cont(x, 0.5)`, as in DuckDB.
    Quantile(f64),
    /// 100 × (share of 9–10 − share of 0–6) among non-null scores.
    Nps,
    /// Share of the distinct values of the previous period seen again in this one.
    Retention,
    /// A rollup's: the argument at the row with the least (most) `order` value; the first
    /// such row in file order on a tie.
    ArgMin,
    ArgMax,
    /// A rollup's: the argument of the entity's first (last) row in file order, null or not.
    First,
    Last,
    /// A rollup's: whether the condition is true in some row (null when never true nor false).
    BoolOr,
}

impl AggKind {
    /// Aggregates that only a rollup's columns use: their value is a row's, not a summary.
    pub fn is_rollup_only(self) -> bool {
        matches!(
            self,
            AggKind::ArgMin | AggKind::ArgMax | AggKind::First | AggKind::Last | AggKind::BoolOr
        )
    }
}

/// One aggregate of a formula: what to accumulate, from which expression, under which filter.
#[derive(Debug, Clone, PartialEq)]
pub struct AggSpec {
    pub kind: AggKind,
    /// The argument; None for `count(*)`.
    pub arg: Option<Node>,
    /// `FILTER (WHERE …)`; rows where it is not true are skipped by this aggregate alone.
    pub filter: Option<Node>,
    /// The ordering argument of `arg_min(x, order)` and `arg_max(x, order)`.
    pub order: Option<Node>,
    /// The argument's type (min/max of dates give dates).
    pub arg_type: Ty,
    /// The call as written, for `explain`.
    pub text: String,
}

impl AggSpec {
    /// The type of the finished value.
    pub fn result_type(&self) -> Ty {
        match self.kind {
            AggKind::Min | AggKind::Max => self.arg_type,
            AggKind::ArgMin | AggKind::ArgMax | AggKind::First | AggKind::Last => self.arg_type,
            AggKind::BoolOr => Some(DataType::Bool),
            _ => Some(DataType::Number),
        }
    }
}

/// The scope of a source KPI's formula: columns only inside aggregates.
pub struct AggregateScope<'r> {
    pub row: &'r mut dyn Scope,
    pub aggs: Vec<AggSpec>,
    /// Whether the formula is a rollup's column, where `arg_max`, `first`, … are allowed.
    pub rollup: bool,
}

impl Scope for AggregateScope<'_> {
    fn ident(&mut self, name: &str, quoted: bool, pos: Pos) -> Result<(Node, Ty), FormulaError> {
        // Resolve first so that a misspelt column gets the better "unknown column" message.
        self.row.ident(name, quoted, pos)?;
        Err(FormulaError::new(
            format!("column `{name}` is used outside an aggregate: wrap it, for instance sum({name}) or max({name})"),
            pos,
        ))
    }

    fn aggregate(&mut self, call: &Call, pos: Pos) -> Result<(Node, Ty), FormulaError> {
        let spec = self.compile_spec(call, pos)?;
        let ty = spec.result_type();
        let slot = match self.aggs.iter().position(|a| {
            a.kind == spec.kind
                && a.arg == spec.arg
                && a.filter == spec.filter
                && a.order == spec.order
        }) {
            Some(slot) => slot,
            None => {
                self.aggs.push(spec);
                self.aggs.len() - 1
            }
        };
        Ok((Node::Load(slot), ty))
    }
}

impl AggregateScope<'_> {
    fn compile_spec(&mut self, call: &Call, pos: Pos) -> Result<AggSpec, FormulaError> {
        let name = call.name.as_str();
        let filter = match &call.filter {
            Some(f) => Some(compile_condition(f, self.row, "FILTER (WHERE …)")?),
            None => None,
        };
        if call.distinct && name != "count" {
            return Err(FormulaError::new(
                format!("DISTINCT is only supported in count(DISTINCT x), not in `{name}`"),
                pos,
            ));
        }
        if call.star {
            if name != "count" || !call.args.is_empty() {
                return Err(FormulaError::new(
                    format!("`*` is only allowed in count(*), not in `{name}`"),
                    pos,
                ));
            }
            return Ok(self.spec(AggKind::CountStar, None, None, filter, call));
        }
        let (kind, want): (AggKind, &[DataType]) = match name {
            "count" if call.distinct => (AggKind::CountDistinct, &[]),
            "count" => (AggKind::Count, &[]),
            "count_if" => (AggKind::CountIf, &[DataType::Bool]),
            "sum" => (AggKind::Sum, &[DataType::Number]),
            "avg" | "mean" => (AggKind::Avg, &[DataType::Number]),
            "min" => (
                AggKind::Min,
                &[DataType::Number, DataType::Date, DataType::DateTime],
            ),
            "max" => (
                AggKind::Max,
                &[DataType::Number, DataType::Date, DataType::DateTime],
            ),
            "median" => (AggKind::Quantile(0.5), &[DataType::Number]),
            "quantile_cont" => (
                AggKind::Quantile(quantile_arg(call, pos)?),
                &[DataType::Number],
            ),
            "nps" => (AggKind::Nps, &[DataType::Number]),
            "arg_min" | "min_by" => (AggKind::ArgMin, &[]),
            "arg_max" | "max_by" => (AggKind::ArgMax, &[]),
            "first" => (AggKind::First, &[]),
            "last" => (AggKind::Last, &[]),
            "bool_or" => (AggKind::BoolOr, &[DataType::Bool]),
            _ => (AggKind::Retention, &[]),
        };
        if kind.is_rollup_only() && !self.rollup {
            return Err(FormulaError::new(
                format!(
                    "`{name}` gives one row's value, not a summary: it is for a rollup's columns \
                     (one row per entity, docs/rollups.md)"
                ),
                pos,
            ));
        }
        let order = match kind {
            AggKind::ArgMin | AggKind::ArgMax => {
                arity(call, 2, 2, pos)?;
                Some(self.order_arg(call)?)
            }
            _ if name != "quantile_cont" => {
                arity(call, 1, 1, pos)?;
                None
            }
            _ => None,
        };
        let arg = &call.args[0];
        let (node, ty) = compile(arg, self.row)?;
        if let Some(t) = ty {
            if !want.is_empty() && !want.contains(&t) {
                let names: Vec<&str> = want.iter().map(|d| d.name()).collect();
                let hint = match &arg.kind {
                    ExprKind::Ident { name: column, .. } => format!(
                        "; if `{column}` holds {}s, declare it in the source: {}",
                        want[0],
                        crate::toml_text::declaration(column, want[0])
                    ),
                    _ => String::new(),
                };
                return Err(FormulaError::new(
                    format!(
                        "`{name}` needs a {} argument, not a {t}{hint}",
                        names.join(" or ")
                    ),
                    arg.pos,
                ));
            }
        }
        let mut spec = self.spec(kind, Some(node), ty, filter, call);
        spec.order = order;
        Ok(spec)
    }

    /// The `order` of `arg_min(x, order)`: a number, date or datetime.
    fn order_arg(&mut self, call: &Call) -> Result<Node, FormulaError> {
        let arg = &call.args[1];
        let (node, ty) = compile(arg, self.row)?;
        match ty {
            Some(DataType::Number | DataType::Date | DataType::DateTime) | None => Ok(node),
            Some(other) => Err(FormulaError::new(
                format!(
                    "`{}` orders rows by a number, date or datetime, not a {other}",
                    call.name
                ),
                arg.pos,
            )),
        }
    }

    fn spec(
        &self,
        kind: AggKind,
        arg: Option<Node>,
        arg_type: Ty,
        filter: Option<Node>,
        call: &Call,
    ) -> AggSpec {
        AggSpec {
            kind,
            arg,
            filter,
            order: None,
            arg_type,
            text: call.text.clone(),
        }
    }
}

/// `quantile_cont(x, p)`: p must be a constant between 0 and 1.
fn quantile_arg(call: &Call, pos: Pos) -> Result<f64, FormulaError> {
    arity(call, 2, 2, pos)?;
    let p_expr = &call.args[1];
    let mut no_columns = NoColumns;
    match compile(p_expr, &mut no_columns) {
        Ok((Node::Const(Val::Num(p)), _)) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(FormulaError::new(
            "the quantile must be a number between 0 and 1, such as 0.9",
            p_expr.pos,
        )),
    }
}

struct NoColumns;
impl Scope for NoColumns {
    fn ident(&mut self, name: &str, _: bool, pos: Pos) -> Result<(Node, Ty), FormulaError> {
        Err(FormulaError::new(
            format!("`{name}`: a constant is needed here"),
            pos,
        ))
    }
}
