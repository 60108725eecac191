//! Formula text → our syntax tree, through sqlparser's DuckDB dialect.
//!
//! Only the SQL expression subset of SPEC.md is accepted; anything else is an error that says
//! which construct is not supported, at its position. Typing is left to `check.rs`.

use super::ast::{BinOp, Call, Expr, ExprKind, Literal, Pos};
use super::FormulaError;
use crate::value::DataType;
use sqlparser::ast as sql;
use sqlparser::ast::Spanned;
use sqlparser::dialect::{Dialect, DuckDbDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{TokenWithSpan, Tokenizer};

/// DuckDB's syntax, except that `f(a = b)` is a comparison, never a named argument: DuckDB's
/// own dialect would read `count_if(stage = 'Won' OR x)` as the argument `stage` set to
/// `'Won' OR x`.
#[derive(Debug)]
struct FormulaDialect;

impl Dialect for FormulaDialect {
    fn is_identifier_start(&self, ch: char) -> bool {
        DuckDbDialect {}.is_identifier_start(ch)
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        DuckDbDialect {}.is_identifier_part(ch)
    }

    fn supports_filter_during_aggregation(&self) -> bool {
        true
    }
}

/// Parses one formula (or filter, or condition) into its syntax tree.
/// The formula's tokens without whitespace or comments, joined by single spaces: two formulas
/// written differently but read alike (`count( * )`, `count(*)`) give the same text. Falls back
/// to the text itself when it does not tokenise (it would not have parsed either).
pub fn canonical(text: &str) -> String {
    use sqlparser::tokenizer::Token;
    match Tokenizer::new(&FormulaDialect, text).tokenize() {
        Ok(tokens) => tokens
            .iter()
            .filter(|t| !matches!(t, Token::Whitespace(_) | Token::EOF))
            .map(|t| match t {
                // Keywords and function names are case-insensitive; identifiers are matched
                // ignoring case too; string literals keep theirs.
                Token::Word(w) if w.quote_style.is_none() => w.value.to_ascii_lowercase(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Err(_) => text.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// The formula as the SQL printer writes it: the aggregate texts of [`Call::text`] appear in it
/// verbatim, so that `explain` can put each aggregate's value in its place.
pub fn printed(text: &str) -> Option<String> {
    let dialect = FormulaDialect;
    let mut parser = Parser::new(&dialect).try_with_sql(text).ok()?;
    parser.parse_expr().ok().map(|e| e.to_string())
}

pub fn parse(text: &str) -> Result<Expr, FormulaError> {
    parse_tokens(text, tokens(text)?)
}

/// Parses a `warn` or `fail` condition, where `60 %` is a percent (see `percent.rs`); also
/// gives where each number written with a percent sign starts.
pub fn parse_condition(text: &str) -> Result<(Expr, Vec<Pos>), FormulaError> {
    let (tokens, percents) = super::percent::fold(tokens(text)?);
    Ok((parse_tokens(text, tokens)?, percents))
}

fn tokens(text: &str) -> Result<Vec<TokenWithSpan>, FormulaError> {
    if text.trim().is_empty() {
        return Err(FormulaError::new("the formula is empty", Pos::default()));
    }
    Tokenizer::new(&FormulaDialect, text)
        .tokenize_with_location()
        .map_err(|err| at_end_if_unplaced(parser_error(err.into()), text))
}

fn parse_tokens(text: &str, tokens: Vec<TokenWithSpan>) -> Result<Expr, FormulaError> {
    let dialect = FormulaDialect;
    let at_end = |err| at_end_if_unplaced(parser_error(err), text);
    let mut parser = Parser::new(&dialect).with_tokens_with_locations(tokens);
    let expr = parser.parse_expr().map_err(at_end)?;
    let rest = parser.peek_token();
    if rest.token != sqlparser::tokenizer::Token::EOF {
        return Err(FormulaError::new(
            format!(
                "unexpected `{}` after the end of the expression",
                rest.token
            ),
            location(rest.span.start),
        ));
    }
    convert(&expr)
}

/// An error sqlparser could not place ("found: EOF") is at the end of the text.
fn at_end_if_unplaced(mut err: FormulaError, text: &str) -> FormulaError {
    if err.pos.line == 0 {
        let line = text.matches('\n').count() as u64 + 1;
        let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
        err.pos = Pos { line, column };
    }
    err
}

/// sqlparser puts the position in its message ("... at Line: 1, Column: 5"); lift it out.
fn parser_error(err: sqlparser::parser::ParserError) -> FormulaError {
    let text = match err {
        sqlparser::parser::ParserError::TokenizerError(s)
        | sqlparser::parser::ParserError::ParserError(s) => s,
        sqlparser::parser::ParserError::RecursionLimitExceeded => {
            return FormulaError::new("the formula is nested too deeply", Pos::default())
        }
    };
    let (message, pos) = match text.rfind(" at Line: ") {
        Some(at) => (text[..at].to_string(), parse_line_col(&text[at + 10..])),
        None => (text, Pos::default()),
    };
    FormulaError::new(format!("syntax error: {}", message.trim()), pos)
}

fn parse_line_col(s: &str) -> Pos {
    let mut parts = s.split(", Column: ");
    let line = parts
        .next()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    let column = parts
        .next()
        .and_then(|c| {
            c.trim()
                .trim_end_matches(|ch: char| !ch.is_ascii_digit())
                .parse()
                .ok()
        })
        .unwrap_or(0);
    Pos { line, column }
}

fn location(loc: sqlparser::tokenizer::Location) -> Pos {
    Pos {
        line: loc.line,
        column: loc.column,
    }
}

fn pos_of(expr: &sql::Expr) -> Pos {
    location(expr.span().start)
}

fn unsupported(what: impl std::fmt::Display, pos: Pos) -> FormulaError {
    FormulaError::new(format!("{what} is not supported in formulas"), pos)
}

fn boxed(expr: &sql::Expr) -> Result<Box<Expr>, FormulaError> {
    convert(expr).map(Box::new)
}

/// Converts one sqlparser expression, recursively.
fn convert(expr: &sql::Expr) -> Result<Expr, FormulaError> {
    let pos = pos_of(expr);
    let kind = match expr {
        sql::Expr::Identifier(ident) => ExprKind::Ident {
            name: ident.value.clone(),
            quoted: ident.quote_style.is_some(),
        },
        sql::Expr::CompoundIdentifier(parts) => {
            return Err(FormulaError::new(
                format!(
                    "`{}`: qualified names are not supported; quote a column whose name has a dot: \"{}\"",
                    expr,
                    parts.iter().map(|p| p.value.as_str()).collect::<Vec<_>>().join(".")
                ),
                pos,
            ))
        }
        sql::Expr::Nested(inner) => return convert(inner),
        sql::Expr::Value(v) => ExprKind::Literal(literal(&v.value, pos)?),
        sql::Expr::TypedString(ts) => ExprKind::Literal(typed_literal(&ts.data_type, &ts.value.value, pos)?),
        sql::Expr::UnaryOp { op, expr: inner } => unary(*op, inner, pos)?,
        sql::Expr::BinaryOp { left, op, right } => ExprKind::Binary {
            op: binary_op(op, pos)?,
            left: boxed(left)?,
            right: boxed(right)?,
        },
        sql::Expr::IsNull(e) => is_null(e, false)?,
        sql::Expr::IsNotNull(e) => is_null(e, true)?,
        sql::Expr::IsTrue(e) => is_bool(e, true, false, pos)?,
        sql::Expr::IsNotTrue(e) => is_bool(e, true, true, pos)?,
        sql::Expr::IsFalse(e) => is_bool(e, false, false, pos)?,
        sql::Expr::IsNotFalse(e) => is_bool(e, false, true, pos)?,
        sql::Expr::InList { expr: e, list, negated } => ExprKind::InList {
            expr: boxed(e)?,
            list: list.iter().map(convert).collect::<Result<_, _>>()?,
            negated: *negated,
        },
        sql::Expr::Between { expr: e, negated, low, high } => ExprKind::Between {
            expr: boxed(e)?,
            low: boxed(low)?,
            high: boxed(high)?,
            negated: *negated,
        },
        sql::Expr::Like { negated, expr: e, pattern, escape_char, any } => {
            like(e, pattern, *negated, false, escape_char.is_some() || *any, pos)?
        }
        sql::Expr::ILike { negated, expr: e, pattern, escape_char, any } => {
            like(e, pattern, *negated, true, escape_char.is_some() || *any, pos)?
        }
        sql::Expr::Case { operand, conditions, else_result, .. } => ExprKind::Case {
            operand: operand.as_deref().map(boxed).transpose()?,
            whens: conditions
                .iter()
                .map(|w| Ok((convert(&w.condition)?, convert(&w.result)?)))
                .collect::<Result<_, FormulaError>>()?,
            otherwise: else_result.as_deref().map(boxed).transpose()?,
        },
        sql::Expr::Cast { expr: e, data_type, format: None, .. } => ExprKind::Cast {
            expr: boxed(e)?,
            to: cast_type(data_type, pos)?,
        },
        sql::Expr::Trim { expr: e, trim_where: None, trim_what: None, trim_characters: None } => {
            ExprKind::Call(plain_call("trim", vec![convert(e)?]))
        }
        sql::Expr::Function(f) => ExprKind::Call(call(f, pos)?),
        other => return Err(unsupported(format!("`{other}`"), pos)),
    };
    Ok(Expr::new(kind, pos))
}

fn plain_call(name: &str, args: Vec<Expr>) -> Call {
    Call {
        name: name.to_string(),
        args,
        star: false,
        distinct: false,
        filter: None,
        text: name.to_string(),
    }
}

fn unary(op: sql::UnaryOperator, inner: &sql::Expr, pos: Pos) -> Result<ExprKind, FormulaError> {
    Ok(match op {
        sql::UnaryOperator::Not => ExprKind::Not(boxed(inner)?),
        sql::UnaryOperator::Minus => ExprKind::Neg(boxed(inner)?),
        sql::UnaryOperator::Plus => return convert(inner).map(|e| e.kind),
        other => return Err(unsupported(format!("the operator `{other}`"), pos)),
    })
}

fn is_null(e: &sql::Expr, negated: bool) -> Result<ExprKind, FormulaError> {
    Ok(ExprKind::IsNull {
        expr: boxed(e)?,
        negated,
    })
}

/// `x IS TRUE` is `coalesce(x = true, false)`: never null, as in SQL.
fn is_bool(e: &sql::Expr, value: bool, negated: bool, pos: Pos) -> Result<ExprKind, FormulaError> {
    let compare = Expr::new(
        ExprKind::Binary {
            op: BinOp::Eq,
            left: boxed(e)?,
            right: Box::new(Expr::new(ExprKind::Literal(Literal::Bool(value)), pos)),
        },
        pos,
    );
    let is = Expr::new(
        ExprKind::Call(plain_call(
            "coalesce",
            vec![
                compare,
                Expr::new(ExprKind::Literal(Literal::Bool(false)), pos),
            ],
        )),
        pos,
    );
    Ok(if negated {
        ExprKind::Not(Box::new(is))
    } else {
        is.kind
    })
}

fn like(
    e: &sql::Expr,
    pattern: &sql::Expr,
    negated: bool,
    case_insensitive: bool,
    has_extras: bool,
    pos: Pos,
) -> Result<ExprKind, FormulaError> {
    if has_extras {
        return Err(unsupported("LIKE with ESCAPE or ANY", pos));
    }
    Ok(ExprKind::Like {
        expr: boxed(e)?,
        pattern: boxed(pattern)?,
        negated,
        case_insensitive,
    })
}

fn binary_op(op: &sql::BinaryOperator, pos: Pos) -> Result<BinOp, FormulaError> {
    use sql::BinaryOperator as B;
    Ok(match op {
        B::Plus => BinOp::Add,
        B::Minus => BinOp::Sub,
        B::Multiply => BinOp::Mul,
        B::Divide => BinOp::Div,
        B::Modulo => BinOp::Mod,
        B::Eq => BinOp::Eq,
        B::NotEq => BinOp::NotEq,
        B::Lt => BinOp::Lt,
        B::LtEq => BinOp::LtEq,
        B::Gt => BinOp::Gt,
        B::GtEq => BinOp::GtEq,
        B::And => BinOp::And,
        B::Or => BinOp::Or,
        B::StringConcat => BinOp::Concat,
        other => return Err(unsupported(format!("the operator `{other}`"), pos)),
    })
}

fn literal(value: &sql::Value, pos: Pos) -> Result<Literal, FormulaError> {
    Ok(match value {
        sql::Value::Number(text, _) => match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Literal::Num(n),
            _ => return Err(FormulaError::new(format!("`{text}` is not a number"), pos)),
        },
        sql::Value::SingleQuotedString(s) => Literal::Str(s.clone()),
        sql::Value::Boolean(b) => Literal::Bool(*b),
        sql::Value::Null => Literal::Null,
        sql::Value::DoubleQuotedString(s) => {
            return Err(FormulaError::new(
                format!("\"{s}\" is a quoted name here; write text in single quotes: '{s}'"),
                pos,
            ))
        }
        other => return Err(unsupported(format!("the literal `{other}`"), pos)),
    })
}

/// `DATE '2026-01-01'`, `TIMESTAMP '2026-01-01 10:00'`.
fn typed_literal(
    ty: &sql::DataType,
    value: &sql::Value,
    pos: Pos,
) -> Result<Literal, FormulaError> {
    let text = match value {
        sql::Value::SingleQuotedString(s) => s.as_str(),
        other => return Err(unsupported(format!("the literal `{other}`"), pos)),
    };
    let target = cast_type(ty, pos)?;
    super::check::literal_from_text(text, target)
        .ok_or_else(|| FormulaError::new(format!("'{text}' is not a valid {target}"), pos))
}

fn cast_type(ty: &sql::DataType, pos: Pos) -> Result<DataType, FormulaError> {
    use sql::DataType as T;
    Ok(match ty {
        T::Date => DataType::Date,
        T::Timestamp(..) | T::Datetime(_) | T::TimestampNtz => DataType::DateTime,
        T::Boolean | T::Bool => DataType::Bool,
        T::Text | T::Varchar(_) | T::String(_) | T::Char(_) => DataType::String,
        T::Double(_)
        | T::DoublePrecision
        | T::Float(_)
        | T::Real
        | T::Int(_)
        | T::Integer(_)
        | T::BigInt(_)
        | T::SmallInt(_)
        | T::Decimal(_)
        | T::Numeric(_)
        | T::Float64
        | T::Int64
        | T::Float8
        | T::Float4
        | T::Int4(_)
        | T::Int8(_)
        | T::HugeInt => DataType::Number,
        other => return Err(unsupported(format!("the type `{other}`"), pos)),
    })
}

fn call(f: &sql::Function, pos: Pos) -> Result<Call, FormulaError> {
    if f.over.is_some() {
        return Err(unsupported("a window function (OVER)", pos));
    }
    let name = f.name.to_string().to_lowercase();
    let mut out = plain_call(&name, vec![]);
    out.text = f.to_string();
    out.filter = f.filter.as_deref().map(boxed).transpose()?;
    match &f.args {
        sql::FunctionArguments::None => {}
        sql::FunctionArguments::Subquery(_) => return Err(unsupported("a subquery", pos)),
        sql::FunctionArguments::List(list) => {
            if !list.clauses.is_empty() {
                return Err(unsupported(format!("`{list}` inside a call"), pos));
            }
            out.distinct = matches!(
                list.duplicate_treatment,
                Some(sql::DuplicateTreatment::Distinct)
            );
            for arg in &list.args {
                match arg {
                    sql::FunctionArg::Unnamed(sql::FunctionArgExpr::Expr(e)) => {
                        out.args.push(convert(e)?)
                    }
                    sql::FunctionArg::Unnamed(sql::FunctionArgExpr::Wildcard) => out.star = true,
                    other => return Err(unsupported(format!("the argument `{other}`"), pos)),
                }
            }
        }
    }
    Ok(out)
}
