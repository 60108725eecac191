//! Compiled expressions and their evaluation.
//!
//! A [`Node`] is a typed tree in which columns (or aggregate slots, or KPI values) are already
//! resolved to indices into an input slice, literals are pre-converted and LIKE patterns are
//! pre-compiled: evaluating it per row does no name lookup and no type dispatch on the syntax.
//! SQL null rules apply throughout: a null operand gives null, `AND`/`OR` are three-valued,
//! a division by zero gives null.

use super::functions::{self, DatePart, LikePattern};
use crate::value::{Cell, DataType, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

/// A value during evaluation: like [`Value`], but a string may be computed (`lower(x)`).
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    Null,
    Num(f64),
    Str(Cow<'a, str>),
    Bool(bool),
    Date(i32),
    DateTime(i64),
}

impl<'a> From<Value<'a>> for Val<'a> {
    fn from(v: Value<'a>) -> Val<'a> {
        match v {
            Value::Null => Val::Null,
            Value::Num(n) => Val::Num(n),
            Value::Str(s) => Val::Str(Cow::Borrowed(s)),
            Value::Bool(b) => Val::Bool(b),
            Value::Date(d) => Val::Date(d),
            Value::DateTime(t) => Val::DateTime(t),
        }
    }
}

impl<'a> Val<'a> {
    pub fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }

    pub fn as_num(&self) -> Option<f64> {
        match self {
            Val::Num(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_micros(&self) -> Option<i64> {
        match *self {
            Val::Date(d) => Some(d as i64 * crate::value::MICROS_PER_DAY),
            Val::DateTime(t) => Some(t),
            _ => None,
        }
    }

    /// True only for a true boolean: null and false both fail a filter, as in SQL.
    pub fn is_true(&self) -> bool {
        matches!(self, Val::Bool(true))
    }

    /// The value, owned, as a table keeps it (a rollup's cell).
    pub fn into_cell(self) -> Cell {
        match self {
            Val::Null => Cell::Null,
            Val::Num(n) => Cell::Num(n),
            Val::Str(s) => Cell::Str(s.into_owned()),
            Val::Bool(b) => Cell::Bool(b),
            Val::Date(d) => Cell::Date(d),
            Val::DateTime(t) => Cell::DateTime(t),
        }
    }

    pub fn into_owned(self) -> Val<'static> {
        match self {
            Val::Null => Val::Null,
            Val::Num(n) => Val::Num(n),
            Val::Str(s) => Val::Str(Cow::Owned(s.into_owned())),
            Val::Bool(b) => Val::Bool(b),
            Val::Date(d) => Val::Date(d),
            Val::DateTime(t) => Val::DateTime(t),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
}

/// Scalar functions, each with its arguments already type-checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Func {
    Lower,
    Upper,
    Trim,
    Abs,
    Round,
    Coalesce,
    NullIf,
    Greatest,
    Least,
    DateDiff(DatePart),
    DateTrunc(DatePart),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// The input at this index: a column of the row, an aggregate result, a KPI value.
    Load(usize),
    Const(Val<'static>),
    Not(Box<Node>),
    Neg(Box<Node>),
    Arith(ArithOp, Box<Node>, Box<Node>),
    /// date ± days → date.
    DateShift {
        date: Box<Node>,
        days: Box<Node>,
        negate: bool,
    },
    /// date − date → days.
    DateSub(Box<Node>, Box<Node>),
    Cmp(CmpOp, Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Concat(Box<Node>, Box<Node>),
    IsNull {
        expr: Box<Node>,
        negated: bool,
    },
    /// `x IN (...)` where every element is a constant.
    InConst {
        expr: Box<Node>,
        set: Vec<Val<'static>>,
        negated: bool,
    },
    InList {
        expr: Box<Node>,
        list: Vec<Node>,
        negated: bool,
    },
    Like {
        expr: Box<Node>,
        pattern: LikePattern,
        negated: bool,
    },
    LikeDynamic {
        expr: Box<Node>,
        pattern: Box<Node>,
        negated: bool,
        case_insensitive: bool,
    },
    Case {
        whens: Vec<(Node, Node)>,
        otherwise: Box<Node>,
    },
    Cast(Box<Node>, DataType),
    Call(Func, Vec<Node>),
}

impl Node {
    /// Evaluates against one input slice (a row's values, or aggregate results).
    pub fn eval<'a>(&self, inputs: &[Value<'a>]) -> Val<'a> {
        match self {
            Node::Load(i) => inputs.get(*i).copied().map(Val::from).unwrap_or(Val::Null),
            Node::Const(v) => v.clone(),
            Node::Not(e) => match e.eval(inputs) {
                Val::Bool(b) => Val::Bool(!b),
                _ => Val::Null,
            },
            Node::Neg(e) => match e.eval(inputs) {
                Val::Num(n) => Val::Num(-n),
                _ => Val::Null,
            },
            Node::Arith(op, l, r) => arith(*op, l.eval(inputs), r.eval(inputs)),
            Node::DateShift { date, days, negate } => {
                date_shift(date.eval(inputs), days.eval(inputs), *negate)
            }
            Node::DateSub(l, r) => match (l.eval(inputs), r.eval(inputs)) {
                (Val::Date(a), Val::Date(b)) => Val::Num((a as i64 - b as i64) as f64),
                _ => Val::Null,
            },
            Node::Cmp(op, l, r) => compare_op(*op, &l.eval(inputs), &r.eval(inputs)),
            Node::And(l, r) => and(l.eval(inputs), || r.eval(inputs)),
            Node::Or(l, r) => or(l.eval(inputs), || r.eval(inputs)),
            Node::Concat(l, r) => match (l.eval(inputs), r.eval(inputs)) {
                (Val::Str(a), Val::Str(b)) => Val::Str(Cow::Owned(format!("{a}{b}"))),
                _ => Val::Null,
            },
            Node::IsNull { expr, negated } => Val::Bool(expr.eval(inputs).is_null() != *negated),
            Node::InConst { expr, set, negated } => in_const(expr.eval(inputs), set, *negated),
            Node::InList {
                expr,
                list,
                negated,
            } => in_list(expr.eval(inputs), list, inputs, *negated),
            Node::Like {
                expr,
                pattern,
                negated,
            } => match expr.eval(inputs) {
                Val::Str(s) => Val::Bool(pattern.matches(&s) != *negated),
                _ => Val::Null,
            },
            Node::LikeDynamic {
                expr,
                pattern,
                negated,
                case_insensitive,
            } => match (expr.eval(inputs), pattern.eval(inputs)) {
                (Val::Str(s), Val::Str(p)) => {
                    let pattern = LikePattern::new(&p, *case_insensitive);
                    Val::Bool(pattern.matches(&s) != *negated)
                }
                _ => Val::Null,
            },
            Node::Case { whens, otherwise } => whens
                .iter()
                .find(|(cond, _)| cond.eval(inputs).is_true())
                .map_or_else(|| otherwise.eval(inputs), |(_, then)| then.eval(inputs)),
            Node::Cast(e, to) => functions::cast(e.eval(inputs), *to),
            Node::Call(f, args) => functions::call(f, args, inputs),
        }
    }
}

fn arith<'a>(op: ArithOp, l: Val<'a>, r: Val<'a>) -> Val<'a> {
    let (Val::Num(a), Val::Num(b)) = (l, r) else {
        return Val::Null;
    };
    let out = match op {
        ArithOp::Add => a + b,
        ArithOp::Sub => a - b,
        ArithOp::Mul => a * b,
        // True division; a division by zero has no value (SPEC.md), never infinity.
        ArithOp::Div | ArithOp::Mod if b == 0.0 => return Val::Null,
        ArithOp::Div => a / b,
        ArithOp::Mod => a % b,
    };
    if out.is_finite() {
        Val::Num(out)
    } else {
        Val::Null
    }
}

fn date_shift<'a>(date: Val<'a>, days: Val<'a>, negate: bool) -> Val<'a> {
    match (date, days) {
        (Val::Date(d), Val::Num(n)) if n.fract() == 0.0 && n.abs() < 1e7 => {
            let n = if negate { -n } else { n };
            Val::Date(d.saturating_add(n as i32))
        }
        _ => Val::Null,
    }
}

/// Orders two non-null values of comparable types; None when either is null.
pub fn compare(a: &Val, b: &Val) -> Option<Ordering> {
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => x.partial_cmp(y),
        (Val::Str(x), Val::Str(y)) => Some(x.as_ref().cmp(y.as_ref())),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        (Val::Date(x), Val::Date(y)) => Some(x.cmp(y)),
        _ => Some(a.as_micros()?.cmp(&b.as_micros()?)),
    }
}

fn compare_op<'a>(op: CmpOp, a: &Val, b: &Val) -> Val<'a> {
    let Some(ord) = compare(a, b) else {
        return Val::Null;
    };
    Val::Bool(match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::NotEq => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::LtEq => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::GtEq => ord != Ordering::Less,
    })
}

fn and<'a>(l: Val<'a>, r: impl FnOnce() -> Val<'a>) -> Val<'a> {
    match l {
        Val::Bool(false) => Val::Bool(false),
        Val::Bool(true) => match r() {
            Val::Bool(b) => Val::Bool(b),
            _ => Val::Null,
        },
        _ => match r() {
            Val::Bool(false) => Val::Bool(false),
            _ => Val::Null,
        },
    }
}

fn or<'a>(l: Val<'a>, r: impl FnOnce() -> Val<'a>) -> Val<'a> {
    match l {
        Val::Bool(true) => Val::Bool(true),
        Val::Bool(false) => match r() {
            Val::Bool(b) => Val::Bool(b),
            _ => Val::Null,
        },
        _ => match r() {
            Val::Bool(true) => Val::Bool(true),
            _ => Val::Null,
        },
    }
}

/// SQL IN: true if any element equals; else null if the value or any element is null; else false.
fn in_const<'a>(v: Val<'a>, set: &[Val<'static>], negated: bool) -> Val<'a> {
    if v.is_null() {
        return Val::Null;
    }
    let mut saw_null = false;
    for item in set {
        match compare(&v, item) {
            Some(Ordering::Equal) => return Val::Bool(!negated),
            None => saw_null = true,
            _ => {}
        }
    }
    if saw_null {
        Val::Null
    } else {
        Val::Bool(negated)
    }
}

fn in_list<'a>(v: Val<'a>, list: &[Node], inputs: &[Value<'a>], negated: bool) -> Val<'a> {
    let items: Vec<Val<'static>> = list.iter().map(|n| n.eval(inputs).into_owned()).collect();
    in_const(v, &items, negated)
}
