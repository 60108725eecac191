//! The formula syntax tree: the part of SQL that `kpi` accepts, with positions for messages.
//!
//! `parse.rs` builds it from sqlparser's tree; `check.rs` types and compiles it. Keeping our
//! own small tree means the checker never has to handle SQL we do not support.

use crate::value::DataType;
use std::fmt;

/// A place in a formula: 1-based line and column, as the user's editor counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Num(f64),
    Str(String),
    Bool(bool),
    /// Days since 1970-01-01 (`DATE '2026-01-01'`).
    Date(i32),
    /// Microseconds since 1970-01-01 (`TIMESTAMP '2026-01-01 10:00'`).
    DateTime(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    And,
    Or,
    Concat,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Eq => "=",
            BinOp::NotEq => "<>",
            BinOp::Lt => "<",
            BinOp::LtEq => "<=",
            BinOp::Gt => ">",
            BinOp::GtEq => ">=",
            BinOp::And => "AND",
            BinOp::Or => "OR",
            BinOp::Concat => "||",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::NotEq | BinOp::Lt | BinOp::LtEq | BinOp::Gt | BinOp::GtEq
        )
    }
}

/// A function call; aggregates and row functions alike (the checker tells them apart).
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Lower-cased name.
    pub name: String,
    pub args: Vec<Expr>,
    /// `count(*)`.
    pub star: bool,
    /// `count(DISTINCT x)`.
    pub distinct: bool,
    /// `FILTER (WHERE cond)`.
    pub filter: Option<Box<Expr>>,
    /// The call as written (normalised by the SQL printer), for messages and `explain`.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A column (or, in a derived KPI, a KPI id). `quoted` names match exactly.
    Ident {
        name: String,
        quoted: bool,
    },
    Literal(Literal),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary {
        op: BinOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
        case_insensitive: bool,
    },
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
    Cast {
        expr: Box<Expr>,
        to: DataType,
    },
    Call(Call),
}

/// An expression and where it starts in the formula text.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub pos: Pos,
}

impl Expr {
    pub fn new(kind: ExprKind, pos: Pos) -> Expr {
        Expr { kind, pos }
    }

    /// Calls `visit` on this expression and every expression inside it, parents first.
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        visit(self);
        for child in self.children() {
            child.walk(visit);
        }
    }

    fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Ident { .. } | ExprKind::Literal(_) => vec![],
            ExprKind::Not(e) | ExprKind::Neg(e) | ExprKind::Cast { expr: e, .. } => vec![e],
            ExprKind::IsNull { expr, .. } => vec![expr],
            ExprKind::Binary { left, right, .. } => vec![left, right],
            ExprKind::InList { expr, list, .. } => std::iter::once(&**expr).chain(list).collect(),
            ExprKind::Between {
                expr, low, high, ..
            } => vec![expr, low, high],
            ExprKind::Like { expr, pattern, .. } => vec![expr, pattern],
            ExprKind::Case {
                operand,
                whens,
                otherwise,
            } => {
                let mut out: Vec<&Expr> = operand.iter().map(|e| &**e).collect();
                for (w, t) in whens {
                    out.push(w);
                    out.push(t);
                }
                out.extend(otherwise.iter().map(|e| &**e));
                out
            }
            ExprKind::Call(call) => call.args.iter().chain(call.filter.as_deref()).collect(),
        }
    }
}
