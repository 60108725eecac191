//! Type checking: a syntax tree → a compiled, typed [`Node`], or an error at a position.
//!
//! What an identifier means (a column, a KPI, a condition variable) and whether aggregates are
//! allowed is decided by a [`Scope`]; the rules for operators and functions are here, once.

use super::ast::{BinOp, Call, Expr, ExprKind, Literal, Pos};
use super::eval::{ArithOp, CmpOp, Func, Node, Val};
use super::functions::{self, DatePart, LikePattern};
use super::FormulaError;
use crate::value::DataType;
use std::borrow::Cow;

/// A compiled expression's type; `None` for an untyped `NULL` literal.
pub type Ty = Option<DataType>;

/// Resolves identifiers and aggregate calls for one kind of expression.
pub trait Scope {
    fn ident(&mut self, name: &str, quoted: bool, pos: Pos) -> Result<(Node, Ty), FormulaError>;

    /// Compiles an aggregate call, or refuses it here. `call.name` is a known aggregate.
    fn aggregate(&mut self, call: &Call, pos: Pos) -> Result<(Node, Ty), FormulaError> {
        let _ = call;
        Err(FormulaError::new(
            "an aggregate is not allowed here (filters and conditions work row by row)",
            pos,
        ))
    }
}

pub const AGGREGATES: &[&str] = &[
    "count",
    "count_if",
    "sum",
    "avg",
    "mean",
    "min",
    "max",
    "median",
    "quantile_cont",
    "nps",
    "retention",
    "arg_min",
    "arg_max",
    "min_by",
    "max_by",
    "first",
    "last",
    "bool_or",
];
const SCALARS: &[&str] = &[
    "lower",
    "upper",
    "trim",
    "abs",
    "round",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "date_diff",
    "datediff",
    "date_trunc",
];

/// Compiles an expression in a scope.
pub fn compile(expr: &Expr, scope: &mut dyn Scope) -> Result<(Node, Ty), FormulaError> {
    let pos = expr.pos;
    match &expr.kind {
        ExprKind::Ident { name, quoted } => scope.ident(name, *quoted, pos),
        ExprKind::Literal(lit) => Ok(constant(lit)),
        ExprKind::Not(e) => {
            let (node, ty) = compile(e, scope)?;
            expect(ty, DataType::Bool, "NOT", e.pos)?;
            Ok((Node::Not(Box::new(node)), Some(DataType::Bool)))
        }
        ExprKind::Neg(e) => {
            let (node, ty) = compile(e, scope)?;
            expect(ty, DataType::Number, "unary minus", e.pos)?;
            Ok((Node::Neg(Box::new(node)), Some(DataType::Number)))
        }
        ExprKind::Binary { op, left, right } => binary(*op, left, right, scope, pos),
        ExprKind::IsNull { expr, negated } => {
            let (node, _) = compile(expr, scope)?;
            Ok((
                Node::IsNull {
                    expr: Box::new(node),
                    negated: *negated,
                },
                Some(DataType::Bool),
            ))
        }
        ExprKind::InList {
            expr,
            list,
            negated,
        } => in_list(expr, list, *negated, scope),
        ExprKind::Between {
            expr,
            low,
            high,
            negated,
        } => between(expr, low, high, *negated, scope),
        ExprKind::Like {
            expr,
            pattern,
            negated,
            case_insensitive,
        } => like(expr, pattern, *negated, *case_insensitive, scope),
        ExprKind::Case {
            operand,
            whens,
            otherwise,
        } => case(operand.as_deref(), whens, otherwise.as_deref(), scope, pos),
        ExprKind::Cast { expr, to } => {
            let (node, _) = compile(expr, scope)?;
            Ok((Node::Cast(Box::new(node), *to), Some(*to)))
        }
        ExprKind::Call(call) => compile_call(call, scope, pos),
    }
}

/// Compiles a condition: the result must be a boolean.
pub fn compile_condition(
    expr: &Expr,
    scope: &mut dyn Scope,
    what: &str,
) -> Result<Node, FormulaError> {
    let (node, ty) = compile(expr, scope)?;
    match ty {
        Some(DataType::Bool) | None => Ok(node),
        Some(other) => Err(FormulaError::new(
            format!("{what} must be true or false, not a {other}"),
            expr.pos,
        )),
    }
}

/// Builds a literal of a type from text: `DATE '2026-01-01'`, or a string compared with a date.
pub fn literal_from_text(text: &str, ty: DataType) -> Option<Literal> {
    Some(match ty {
        DataType::Date => Literal::Date(functions::parse_iso_date(text)?),
        DataType::DateTime => Literal::DateTime(functions::parse_iso_datetime(text)?),
        DataType::Number => {
            Literal::Num(text.trim().parse::<f64>().ok().filter(|n| n.is_finite())?)
        }
        DataType::Bool => Literal::Bool(crate::ingest::parse::parse_bool(text)?),
        DataType::String => Literal::Str(text.to_string()),
    })
}

fn constant(lit: &Literal) -> (Node, Ty) {
    let (val, ty) = match lit {
        Literal::Null => (Val::Null, None),
        Literal::Num(n) => (Val::Num(*n), Some(DataType::Number)),
        Literal::Str(s) => (Val::Str(Cow::Owned(s.clone())), Some(DataType::String)),
        Literal::Bool(b) => (Val::Bool(*b), Some(DataType::Bool)),
        Literal::Date(d) => (Val::Date(*d), Some(DataType::Date)),
        Literal::DateTime(t) => (Val::DateTime(*t), Some(DataType::DateTime)),
    };
    (Node::Const(val), ty)
}

fn expect(ty: Ty, want: DataType, what: &str, pos: Pos) -> Result<(), FormulaError> {
    match ty {
        None => Ok(()),
        Some(t) if t == want => Ok(()),
        Some(t) => Err(FormulaError::new(
            format!("{what} needs a {want}, not a {t}"),
            pos,
        )),
    }
}

/// Two operands that must be comparable; a string literal facing a date, number or bool is
/// converted to that type once, here (`closed_at >= '2026-01-01'`, as DuckDB allows).
fn comparable_pair(
    left: &Expr,
    right: &Expr,
    scope: &mut dyn Scope,
    what: &str,
) -> Result<(Node, Node, Ty), FormulaError> {
    let (mut l, lt) = compile(left, scope)?;
    let (mut r, rt) = compile(right, scope)?;
    let ty = unify(&mut l, lt, left, &mut r, rt, right, what)?;
    Ok((l, r, ty))
}

fn unify(
    l: &mut Node,
    lt: Ty,
    left: &Expr,
    r: &mut Node,
    rt: Ty,
    right: &Expr,
    what: &str,
) -> Result<Ty, FormulaError> {
    match (lt, rt) {
        (None, t) | (t, None) => Ok(t),
        (Some(a), Some(b)) if a == b => Ok(Some(a)),
        (Some(a), Some(b)) if a.is_temporal() && b.is_temporal() => Ok(Some(DataType::DateTime)),
        (Some(DataType::String), Some(t)) if coerce_literal(l, left, t) => Ok(Some(t)),
        (Some(t), Some(DataType::String)) if coerce_literal(r, right, t) => Ok(Some(t)),
        (Some(a), Some(b)) => Err(FormulaError::new(
            format!("{what}: cannot compare a {a} with a {b}"),
            right.pos,
        )),
    }
}

fn coerce_literal(node: &mut Node, expr: &Expr, to: DataType) -> bool {
    let ExprKind::Literal(Literal::Str(text)) = &expr.kind else {
        return false;
    };
    match literal_from_text(text, to) {
        Some(lit) => {
            *node = constant(&lit).0;
            true
        }
        None => false,
    }
}

fn binary(
    op: BinOp,
    left: &Expr,
    right: &Expr,
    scope: &mut dyn Scope,
    pos: Pos,
) -> Result<(Node, Ty), FormulaError> {
    if op.is_comparison() {
        let (l, r, _) = comparable_pair(left, right, scope, &format!("`{}`", op.symbol()))?;
        return Ok((
            Node::Cmp(cmp_op(op), Box::new(l), Box::new(r)),
            Some(DataType::Bool),
        ));
    }
    let (l, lt) = compile(left, scope)?;
    let (r, rt) = compile(right, scope)?;
    let (l, r) = (Box::new(l), Box::new(r));
    let both = |want: DataType| -> Result<(), FormulaError> {
        expect(lt, want, &format!("`{}`", op.symbol()), left.pos)?;
        expect(rt, want, &format!("`{}`", op.symbol()), right.pos)
    };
    use DataType::{Bool, Date, DateTime, Number, String};
    let out = match (op, lt, rt) {
        (BinOp::And, ..) => (both(Bool).map(|_| Node::And(l, r))?, Some(Bool)),
        (BinOp::Or, ..) => (both(Bool).map(|_| Node::Or(l, r))?, Some(Bool)),
        (BinOp::Concat, ..) => (both(String).map(|_| Node::Concat(l, r))?, Some(String)),
        (BinOp::Add, Some(Date), _) => (date_shift(l, r, rt, right.pos, false)?, Some(Date)),
        (BinOp::Add, _, Some(Date)) => (date_shift(r, l, lt, left.pos, false)?, Some(Date)),
        (BinOp::Sub, Some(Date), Some(Date)) => (Node::DateSub(l, r), Some(Number)),
        (BinOp::Sub, Some(Date), _) => (date_shift(l, r, rt, right.pos, true)?, Some(Date)),
        (BinOp::Sub, Some(a), Some(b)) if a.is_temporal() && b.is_temporal() => {
            return Err(FormulaError::new(
                "subtracting datetimes is not supported: use date_diff('hour', start, end)",
                pos,
            ))
        }
        (BinOp::Add | BinOp::Sub, Some(DateTime), _) | (BinOp::Add, _, Some(DateTime)) => {
            return Err(FormulaError::new(
                "adding a number to a datetime is not supported: compare with date_diff instead",
                pos,
            ))
        }
        _ => {
            both(Number)?;
            (Node::Arith(arith_op(op), l, r), Some(Number))
        }
    };
    Ok(out)
}

fn date_shift(
    date: Box<Node>,
    days: Box<Node>,
    days_ty: Ty,
    pos: Pos,
    negate: bool,
) -> Result<Node, FormulaError> {
    expect(days_ty, DataType::Number, "a date plus or minus days", pos)?;
    Ok(Node::DateShift { date, days, negate })
}

fn cmp_op(op: BinOp) -> CmpOp {
    match op {
        BinOp::Eq => CmpOp::Eq,
        BinOp::NotEq => CmpOp::NotEq,
        BinOp::Lt => CmpOp::Lt,
        BinOp::LtEq => CmpOp::LtEq,
        BinOp::Gt => CmpOp::Gt,
        _ => CmpOp::GtEq,
    }
}

fn arith_op(op: BinOp) -> ArithOp {
    match op {
        BinOp::Add => ArithOp::Add,
        BinOp::Sub => ArithOp::Sub,
        BinOp::Mul => ArithOp::Mul,
        BinOp::Div => ArithOp::Div,
        _ => ArithOp::Mod,
    }
}

fn in_list(
    expr: &Expr,
    list: &[Expr],
    negated: bool,
    scope: &mut dyn Scope,
) -> Result<(Node, Ty), FormulaError> {
    let (mut target, mut ty) = compile(expr, scope)?;
    let mut nodes = Vec::with_capacity(list.len());
    for item in list {
        let (mut node, item_ty) = compile(item, scope)?;
        ty = unify(&mut target, ty, expr, &mut node, item_ty, item, "IN")?;
        nodes.push(node);
    }
    let target = Box::new(target);
    let consts: Option<Vec<Val<'static>>> = nodes
        .iter()
        .map(|n| match n {
            Node::Const(v) => Some(v.clone()),
            _ => None,
        })
        .collect();
    let node = match consts {
        Some(set) => Node::InConst {
            expr: target,
            set,
            negated,
        },
        None => Node::InList {
            expr: target,
            list: nodes,
            negated,
        },
    };
    Ok((node, Some(DataType::Bool)))
}

fn between(
    expr: &Expr,
    low: &Expr,
    high: &Expr,
    negated: bool,
    scope: &mut dyn Scope,
) -> Result<(Node, Ty), FormulaError> {
    let (e1, lo, _) = comparable_pair(expr, low, scope, "BETWEEN")?;
    let (e2, hi, _) = comparable_pair(expr, high, scope, "BETWEEN")?;
    let both = Node::And(
        Box::new(Node::Cmp(CmpOp::GtEq, Box::new(e1), Box::new(lo))),
        Box::new(Node::Cmp(CmpOp::LtEq, Box::new(e2), Box::new(hi))),
    );
    let node = if negated {
        Node::Not(Box::new(both))
    } else {
        both
    };
    Ok((node, Some(DataType::Bool)))
}

fn like(
    expr: &Expr,
    pattern: &Expr,
    negated: bool,
    ci: bool,
    scope: &mut dyn Scope,
) -> Result<(Node, Ty), FormulaError> {
    let (e, et) = compile(expr, scope)?;
    expect(et, DataType::String, "LIKE", expr.pos)?;
    let (p, pt) = compile(pattern, scope)?;
    expect(pt, DataType::String, "LIKE", pattern.pos)?;
    let node = match p {
        Node::Const(Val::Str(text)) => Node::Like {
            expr: Box::new(e),
            pattern: LikePattern::new(&text, ci),
            negated,
        },
        Node::Const(_) => Node::Const(Val::Null),
        p => Node::LikeDynamic {
            expr: Box::new(e),
            pattern: Box::new(p),
            negated,
            case_insensitive: ci,
        },
    };
    Ok((node, Some(DataType::Bool)))
}

fn case(
    operand: Option<&Expr>,
    whens: &[(Expr, Expr)],
    otherwise: Option<&Expr>,
    scope: &mut dyn Scope,
    pos: Pos,
) -> Result<(Node, Ty), FormulaError> {
    let mut compiled = Vec::with_capacity(whens.len());
    let mut result_ty: Ty = None;
    let mut first_result: Option<&Expr> = None;
    for (when, then) in whens {
        let cond = match operand {
            Some(op) => comparable_pair(op, when, scope, "CASE")
                .map(|(l, r, _)| Node::Cmp(CmpOp::Eq, Box::new(l), Box::new(r)))?,
            None => compile_condition(when, scope, "a WHEN condition")?,
        };
        let (then_node, then_ty) = compile(then, scope)?;
        result_ty = result_type(result_ty, then_ty, first_result, then)?;
        first_result.get_or_insert(then);
        compiled.push((cond, then_node));
    }
    let otherwise = match otherwise {
        Some(e) => {
            let (node, ty) = compile(e, scope)?;
            result_ty = result_type(result_ty, ty, first_result, e)?;
            node
        }
        None => Node::Const(Val::Null),
    };
    if compiled.is_empty() {
        return Err(FormulaError::new("CASE needs at least one WHEN", pos));
    }
    Ok((
        Node::Case {
            whens: compiled,
            otherwise: Box::new(otherwise),
        },
        result_ty,
    ))
}

fn result_type(acc: Ty, next: Ty, first: Option<&Expr>, at: &Expr) -> Result<Ty, FormulaError> {
    match (acc, next) {
        (None, t) | (t, None) => Ok(t),
        (Some(a), Some(b)) if a == b => Ok(Some(a)),
        (Some(a), Some(b)) if a.is_temporal() && b.is_temporal() => Ok(Some(DataType::DateTime)),
        (Some(a), Some(b)) => Err(FormulaError::new(
            format!(
                "the branches give different types: a {a}{} and a {b}",
                first
                    .map(|e| format!(" (at {})", e.pos))
                    .unwrap_or_default()
            ),
            at.pos,
        )),
    }
}

fn compile_call(call: &Call, scope: &mut dyn Scope, pos: Pos) -> Result<(Node, Ty), FormulaError> {
    let name = call.name.as_str();
    if AGGREGATES.contains(&name) {
        return scope.aggregate(call, pos);
    }
    if !SCALARS.contains(&name) {
        return Err(unknown_function(name, pos));
    }
    if call.star || call.distinct || call.filter.is_some() {
        return Err(FormulaError::new(
            format!("`{name}` is not an aggregate: * , DISTINCT and FILTER do not apply"),
            pos,
        ));
    }
    super::scalar::compile_scalar(call, scope, pos)
}

fn unknown_function(name: &str, pos: Pos) -> FormulaError {
    let mut known: Vec<&str> = AGGREGATES.iter().chain(SCALARS).copied().collect();
    known.sort_unstable();
    FormulaError::new(
        format!(
            "unknown function `{name}`; known functions: {}",
            known.join(", ")
        ),
        pos,
    )
}

/// A constant argument that must be a date part (`'day'`).
pub fn date_part_arg(arg: Option<&Expr>, pos: Pos) -> Result<DatePart, FormulaError> {
    match arg.map(|a| &a.kind) {
        Some(ExprKind::Literal(Literal::Str(s))) => DatePart::from_name(s).ok_or_else(|| {
            FormulaError::new(
                format!("unknown date part '{s}': use 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter' or 'year'"),
                arg.map_or(pos, |a| a.pos),
            )
        }),
        _ => Err(FormulaError::new("the first argument must be a date part such as 'day'", arg.map_or(pos, |a| a.pos))),
    }
}

/// Checks the number of arguments of a function.
pub fn arity(call: &Call, min: usize, max: usize, pos: Pos) -> Result<(), FormulaError> {
    let n = call.args.len();
    if n < min || n > max {
        let want = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(FormulaError::new(
            format!(
                "`{}` takes {want} argument{}, not {n}",
                call.name,
                if max == 1 { "" } else { "s" }
            ),
            pos,
        ));
    }
    Ok(())
}

pub(super) fn func_node(func: Func, args: Vec<Node>) -> Node {
    Node::Call(func, args)
}
