//! A compiled expression ([`Node`]) written as SQL for one dialect, with kpi's rules spelled
//! out where engines differ: true division, a division by zero that gives null, casts that give
//! null, `date_diff` counting boundaries, text compared byte by byte. What a dialect cannot say
//! faithfully is refused, with the feature named.

use super::dialect::Dialect;
use super::{Refusal, FALSE_WORDS, TRUE_WORDS};
use crate::formula::eval::{ArithOp, CmpOp, Func};
use crate::formula::functions::to_datetime;
use crate::formula::{Node, Val};
use crate::value::{date_from_days, DataType};

type Ty = Option<DataType>;

/// Writes nodes whose inputs (`Node::Load(i)`) are the given SQL expressions and types.
pub struct Writer<'a> {
    pub dialect: Dialect,
    pub inputs: &'a [(String, Ty)],
}

const NUMBER_TEXT: &str = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?";
const DATE_TEXT: &str = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}";
const DATETIME_TEXT: &str =
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2}(\.[0-9]+)?)?)?";

impl Writer<'_> {
    pub fn sql(&self, node: &Node) -> Result<String, Refusal> {
        let d = self.dialect;
        Ok(match node {
            Node::Load(i) => self
                .inputs
                .get(*i)
                .map_or("NULL".into(), |(s, _)| s.clone()),
            Node::Const(v) => self.constant(v),
            Node::Not(e) => format!("(NOT {})", self.sql(e)?),
            Node::Neg(e) => format!("(- {})", self.sql(e)?),
            Node::Arith(op, l, r) => self.arith(*op, l, r)?,
            Node::DateShift { date, days, negate } => self.date_shift(date, days, *negate)?,
            Node::DateSub(a, b) => {
                let (a, b) = (self.sql(a)?, self.sql(b)?);
                match d {
                    Dialect::DuckDb | Dialect::Postgres => format!("({a} - {b})"),
                    Dialect::BigQuery => format!("DATE_DIFF({a}, {b}, DAY)"),
                    Dialect::Snowflake => format!("DATEDIFF(day, {b}, {a})"),
                    Dialect::Spark => format!("datediff({a}, {b})"),
                }
            }
            Node::Cmp(op, l, r) => self.compare(*op, l, r)?,
            Node::And(l, r) => format!("({} AND {})", self.sql(l)?, self.sql(r)?),
            Node::Or(l, r) => format!("({} OR {})", self.sql(l)?, self.sql(r)?),
            Node::Concat(l, r) => format!("({} || {})", self.sql(l)?, self.sql(r)?),
            Node::IsNull { expr, negated } => {
                let not = if *negated { " NOT" } else { "" };
                format!("({} IS{not} NULL)", self.sql(expr)?)
            }
            Node::InConst { expr, set, negated } => {
                let items: Vec<String> = set.iter().map(|v| self.constant(v)).collect();
                self.in_list(expr, items, *negated)?
            }
            Node::InList {
                expr,
                list,
                negated,
            } => {
                let items = list.iter().map(|n| self.sql(n)).collect::<Result<_, _>>()?;
                self.in_list(expr, items, *negated)?
            }
            Node::Like {
                expr,
                pattern,
                negated,
            } => {
                let text = match d {
                    Dialect::Spark | Dialect::BigQuery => pattern.text().replace('\\', "\\\\"),
                    _ => pattern.text(),
                };
                let literal = d.string(&text);
                self.like(
                    expr,
                    &literal,
                    *negated,
                    pattern.case_insensitive(),
                    text.contains('\\'),
                )?
            }
            Node::LikeDynamic {
                expr,
                pattern,
                negated,
                case_insensitive,
            } => {
                if matches!(d, Dialect::Spark | Dialect::BigQuery) {
                    return Err("LIKE with a pattern computed per row".into());
                }
                let pattern = self.sql(pattern)?;
                self.like(expr, &pattern, *negated, *case_insensitive, true)?
            }
            Node::Case { whens, otherwise } => {
                let mut out = String::from("CASE");
                for (cond, then) in whens {
                    out += &format!(" WHEN {} THEN {}", self.sql(cond)?, self.sql(then)?);
                }
                format!("{out} ELSE {} END", self.sql(otherwise)?)
            }
            Node::Cast(e, to) => self.cast(e, *to)?,
            Node::Call(func, args) => self.call(func, args)?,
        })
    }

    /// The type of a node's value (None: only null).
    pub fn ty(&self, node: &Node) -> Ty {
        match node {
            Node::Load(i) => self.inputs.get(*i).and_then(|(_, t)| *t),
            Node::Const(v) => match v {
                Val::Null => None,
                Val::Num(_) => Some(DataType::Number),
                Val::Str(_) => Some(DataType::String),
                Val::Bool(_) => Some(DataType::Bool),
                Val::Date(_) => Some(DataType::Date),
                Val::DateTime(_) => Some(DataType::DateTime),
            },
            Node::Not(_)
            | Node::Cmp(..)
            | Node::And(..)
            | Node::Or(..)
            | Node::IsNull { .. }
            | Node::InConst { .. }
            | Node::InList { .. }
            | Node::Like { .. }
            | Node::LikeDynamic { .. } => Some(DataType::Bool),
            Node::Neg(_) | Node::Arith(..) | Node::DateSub(..) => Some(DataType::Number),
            Node::DateShift { .. } => Some(DataType::Date),
            Node::Concat(..) => Some(DataType::String),
            Node::Case { whens, otherwise } => whens
                .iter()
                .map(|(_, then)| self.ty(then))
                .chain([self.ty(otherwise)])
                .find(Option::is_some)
                .flatten(),
            Node::Cast(_, to) => Some(*to),
            Node::Call(func, args) => match func {
                Func::Lower | Func::Upper | Func::Trim => Some(DataType::String),
                Func::Abs | Func::Round | Func::DateDiff(_) => Some(DataType::Number),
                Func::DateTrunc(_) => args.get(1).and_then(|a| self.ty(a)),
                Func::NullIf => args.first().and_then(|a| self.ty(a)),
                Func::Coalesce | Func::Greatest | Func::Least => {
                    let types: Vec<DataType> = args.iter().filter_map(|a| self.ty(a)).collect();
                    match types.first() {
                        Some(first) if types.iter().any(|t| t != first) => Some(DataType::DateTime),
                        first => first.copied(),
                    }
                }
            },
        }
    }

    fn constant(&self, v: &Val) -> String {
        let d = self.dialect;
        match v {
            Val::Null => "NULL".into(),
            Val::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Val::Num(n) => d.to_double(&format!("{n:?}")),
            Val::Str(s) => d.string(s),
            Val::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            Val::Date(days) => date_from_days(*days).map_or("NULL".into(), |x| d.date_literal(x)),
            Val::DateTime(t) => to_datetime(*t).map_or("NULL".into(), |x| {
                d.timestamp_literal(&x.format("%Y-%m-%d %H:%M:%S%.6f").to_string())
            }),
        }
    }

    fn arith(&self, op: ArithOp, l: &Node, r: &Node) -> Result<String, Refusal> {
        let d = self.dialect;
        let (a, b) = (self.sql(l)?, self.sql(r)?);
        Ok(match op {
            ArithOp::Add => format!("({a} + {b})"),
            ArithOp::Sub => format!("({a} - {b})"),
            ArithOp::Mul => format!("({a} * {b})"),
            // True division, and no value rather than an error or infinity for a zero divisor.
            ArithOp::Div => format!("({} / NULLIF({}, 0))", d.to_double(&a), d.to_double(&b)),
            ArithOp::Mod => match d {
                Dialect::DuckDb | Dialect::Spark => format!("({a} % NULLIF({b}, 0))"),
                Dialect::Snowflake => format!("MOD({a}, NULLIF({b}, 0))"),
                Dialect::Postgres | Dialect::BigQuery => {
                    return Err("`%` (the remainder of numbers with a fraction)".into())
                }
            },
        })
    }

    fn date_shift(&self, date: &Node, days: &Node, negate: bool) -> Result<String, Refusal> {
        let d = self.dialect;
        let (date, n) = (self.sql(date)?, self.sql(days)?);
        let sign = if negate { "-" } else { "" };
        let int = match d {
            Dialect::BigQuery => "INT64",
            _ => "INTEGER",
        };
        let whole = format!("{sign}CAST({n} AS {int})");
        let shifted = match d {
            Dialect::DuckDb | Dialect::Postgres => format!("({date} + {whole})"),
            Dialect::BigQuery => format!("DATE_ADD({date}, INTERVAL {whole} DAY)"),
            Dialect::Snowflake => format!("DATEADD(day, {whole}, {date})"),
            Dialect::Spark => format!("date_add({date}, {whole})"),
        };
        // kpi adds whole days only: a fraction gives no value.
        Ok(format!("CASE WHEN {n} = FLOOR({n}) THEN {shifted} END"))
    }

    fn compare(&self, op: CmpOp, l: &Node, r: &Node) -> Result<String, Refusal> {
        let d = self.dialect;
        let (lt, rt) = (self.ty(l), self.ty(r));
        let (mut a, mut b) = (self.sql(l)?, self.sql(r)?);
        // A date compared with a datetime is its midnight.
        if lt != rt
            && lt.is_some_and(DataType::is_temporal)
            && rt.is_some_and(DataType::is_temporal)
        {
            a = d.cast(&a, d.timestamp());
            b = d.cast(&b, d.timestamp());
        }
        let symbol = match op {
            CmpOp::Eq => "=",
            CmpOp::NotEq => "<>",
            CmpOp::Lt => "<",
            CmpOp::LtEq => "<=",
            CmpOp::Gt => ">",
            CmpOp::GtEq => ">=",
        };
        let ordering = !matches!(op, CmpOp::Eq | CmpOp::NotEq);
        if ordering && (lt == Some(DataType::String) || rt == Some(DataType::String)) {
            a = d.byte_order(&a);
        }
        Ok(format!("({a} {symbol} {b})"))
    }

    fn in_list(&self, expr: &Node, items: Vec<String>, negated: bool) -> Result<String, Refusal> {
        let not = if negated { "NOT " } else { "" };
        Ok(format!(
            "({} {not}IN ({}))",
            self.sql(expr)?,
            items.join(", ")
        ))
    }

    fn like(
        &self,
        expr: &Node,
        pattern: &str,
        negated: bool,
        case_insensitive: bool,
        has_backslash: bool,
    ) -> Result<String, Refusal> {
        let d = self.dialect;
        let e = self.sql(expr)?;
        let not = if negated { "NOT " } else { "" };
        // PostgreSQL's LIKE takes a backslash as an escape unless told otherwise; kpi has none.
        let escape = if d == Dialect::Postgres && has_backslash {
            " ESCAPE ''"
        } else {
            ""
        };
        Ok(match (case_insensitive, d) {
            (false, _) => format!("({e} {not}LIKE {pattern}{escape})"),
            (true, Dialect::DuckDb | Dialect::Postgres | Dialect::Snowflake) => {
                format!("({e} {not}ILIKE {pattern}{escape})")
            }
            (true, _) => format!("(LOWER({e}) {not}LIKE LOWER({pattern}))"),
        })
    }

    fn cast(&self, expr: &Node, to: DataType) -> Result<String, Refusal> {
        let d = self.dialect;
        let from = self.ty(expr);
        let e = self.sql(expr)?;
        let sql_type = |t: DataType| match t {
            DataType::Number => d.double(),
            DataType::String => d.text(),
            DataType::Bool => "BOOLEAN",
            DataType::Date => "DATE",
            DataType::DateTime => d.timestamp(),
        };
        let Some(from) = from else {
            return Ok(d.cast("NULL", sql_type(to)));
        };
        if from == to {
            return Ok(e);
        }
        let refuse = || format!("a cast from {from} to {to}");
        Ok(match (from, to) {
            (DataType::Bool, DataType::Number) => {
                format!("CASE WHEN {e} THEN 1 WHEN NOT {e} THEN 0 END")
            }
            (DataType::Number, DataType::Bool) => format!("({e} <> 0)"),
            (DataType::Date, DataType::DateTime) => d.cast(&e, d.timestamp()),
            (DataType::DateTime, DataType::Date) => d.cast(&e, "DATE"),
            (DataType::Date | DataType::Bool, DataType::String) => d.cast(&e, d.text()),
            (DataType::DateTime, DataType::String) if d != Dialect::Snowflake => {
                d.cast(&e, d.text())
            }
            (DataType::String, DataType::Bool) => {
                let word = format!("LOWER({})", d.trim(&e));
                format!(
                    "CASE WHEN {word} IN ({TRUE_WORDS}) THEN TRUE WHEN {word} IN ({FALSE_WORDS}) THEN FALSE END"
                )
            }
            (DataType::String, DataType::Number | DataType::Date | DataType::DateTime) => {
                let text = d.trim(&e);
                let shape = match to {
                    DataType::Number => NUMBER_TEXT,
                    DataType::Date => DATE_TEXT,
                    _ => DATETIME_TEXT,
                };
                // The shape first: engines accept more than kpi does (`1_000`, `inf`, `2026-1-5 x`).
                let converted = match d.try_cast(&text, sql_type(to)) {
                    Some(c) => c,
                    None if to == DataType::Number => d.cast(&text, sql_type(to)),
                    None => return Err(refuse()),
                };
                format!(
                    "CASE WHEN {} THEN {converted} END",
                    d.full_match(&text, shape)
                )
            }
            (DataType::Number | DataType::DateTime, DataType::String) => return Err(refuse()),
            // kpi gives no value for the rest (a bool as a date, a date as a number).
            _ => d.cast("NULL", sql_type(to)),
        })
    }

    fn call(&self, func: &Func, args: &[Node]) -> Result<String, Refusal> {
        let d = self.dialect;
        let arg = |i: usize| args.get(i).map_or(Ok("NULL".to_string()), |a| self.sql(a));
        let all = || -> Result<Vec<String>, Refusal> { args.iter().map(|a| self.sql(a)).collect() };
        Ok(match func {
            Func::Lower => format!("LOWER({})", arg(0)?),
            Func::Upper => format!("UPPER({})", arg(0)?),
            Func::Trim => d.trim(&arg(0)?),
            Func::Abs => format!("ABS({})", arg(0)?),
            Func::Round => self.round(args)?,
            Func::Coalesce => format!("COALESCE({})", all()?.join(", ")),
            Func::NullIf => format!("NULLIF({}, {})", arg(0)?, arg(1)?),
            Func::Greatest | Func::Least => {
                if matches!(d, Dialect::BigQuery | Dialect::Snowflake) {
                    return Err("greatest/least (kpi skips nulls, this engine returns null)".into());
                }
                let name = if *func == Func::Greatest {
                    "GREATEST"
                } else {
                    "LEAST"
                };
                format!("{name}({})", all()?.join(", "))
            }
            Func::DateDiff(part) => super::dates::date_diff(d, *part, &arg(1)?, &arg(2)?),
            Func::DateTrunc(part) => {
                let value = arg(1)?;
                let truncated = super::dates::date_trunc(d, *part, &value);
                match args.get(1).and_then(|a| self.ty(a)) {
                    Some(DataType::Date) => d.cast(&truncated, "DATE"),
                    _ => truncated,
                }
            }
        })
    }

    /// `round(x, digits)`: half away from zero, as kpi rounds.
    fn round(&self, args: &[Node]) -> Result<String, Refusal> {
        let d = self.dialect;
        let x = args
            .first()
            .map_or(Ok("NULL".to_string()), |a| self.sql(a))?;
        let digits = match args.get(1) {
            None => 0,
            Some(Node::Const(Val::Num(n))) => n.clamp(-15.0, 15.0) as i32,
            Some(_) => return Err("round with digits computed per row".into()),
        };
        Ok(match d {
            // PostgreSQL rounds a double half to even; its numeric rounds half away from zero.
            Dialect::Postgres => d.to_double(&format!("ROUND(CAST({x} AS NUMERIC), {digits})")),
            _ => format!("ROUND({x}, {digits})"),
        })
    }
}
