//! The scalar functions of the formula language: date parts, LIKE patterns, casts, and the
//! row functions (`lower`, `round`, `date_diff`, …) evaluated by [`super::eval`].

use super::eval::{compare, Func, Node, Val};
use crate::value::{DataType, Value, MICROS_PER_DAY};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use std::borrow::Cow;
use std::cmp::Ordering;

/// A unit of `date_diff` and `date_trunc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl DatePart {
    pub fn from_name(name: &str) -> Option<DatePart> {
        Some(match name.to_ascii_lowercase().trim_end_matches('s') {
            "second" => DatePart::Second,
            "minute" => DatePart::Minute,
            "hour" => DatePart::Hour,
            "day" => DatePart::Day,
            "week" => DatePart::Week,
            "month" => DatePart::Month,
            "quarter" => DatePart::Quarter,
            "year" => DatePart::Year,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            DatePart::Second => "second",
            DatePart::Minute => "minute",
            DatePart::Hour => "hour",
            DatePart::Day => "day",
            DatePart::Week => "week",
            DatePart::Month => "month",
            DatePart::Quarter => "quarter",
            DatePart::Year => "year",
        }
    }

    fn micros(self) -> Option<i64> {
        match self {
            DatePart::Second => Some(1_000_000),
            DatePart::Minute => Some(60_000_000),
            DatePart::Hour => Some(3_600_000_000),
            DatePart::Day => Some(MICROS_PER_DAY),
            DatePart::Week => Some(7 * MICROS_PER_DAY),
            _ => None,
        }
    }
}

/// `date_diff(part, start, end)`: the number of `part` boundaries crossed from start to end,
/// as DuckDB counts them (23:00 → 01:00 the next day is 1 day).
pub fn date_diff(part: DatePart, start: i64, end: i64) -> f64 {
    match part {
        DatePart::Month | DatePart::Quarter | DatePart::Year => {
            let (Some(a), Some(b)) = (to_datetime(start), to_datetime(end)) else {
                return f64::NAN;
            };
            let months = |d: NaiveDateTime| d.year() as i64 * 12 + d.month0() as i64;
            match part {
                DatePart::Month => (months(b) - months(a)) as f64,
                DatePart::Quarter => (months(b).div_euclid(3) - months(a).div_euclid(3)) as f64,
                _ => (b.year() - a.year()) as f64,
            }
        }
        // DuckDB counts weeks as whole 7-day spans between the two dates, not boundaries.
        DatePart::Week => {
            ((end.div_euclid(MICROS_PER_DAY) - start.div_euclid(MICROS_PER_DAY)) / 7) as f64
        }
        _ => {
            let unit = part.micros().unwrap_or(1);
            (end.div_euclid(unit) - start.div_euclid(unit)) as f64
        }
    }
}

/// `date_trunc(part, x)`: the start of the part containing x, in microseconds.
pub fn date_trunc(part: DatePart, micros: i64) -> Option<i64> {
    if let (Some(unit), false) = (part.micros(), part == DatePart::Week) {
        return Some(micros - micros.rem_euclid(unit));
    }
    let date = to_datetime(micros)?.date();
    let start = match part {
        DatePart::Week => date - chrono::Days::new(date.weekday().num_days_from_monday() as u64),
        DatePart::Month => date.with_day(1)?,
        DatePart::Quarter => NaiveDate::from_ymd_opt(date.year(), date.month0() / 3 * 3 + 1, 1)?,
        _ => NaiveDate::from_ymd_opt(date.year(), 1, 1)?,
    };
    Some(crate::value::days_from_date(start) as i64 * MICROS_PER_DAY)
}

pub fn to_datetime(micros: i64) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp_micros(micros).map(|t| t.naive_utc())
}

/// Parses ISO text into a date (days) — the form of SQL literals and casts.
pub fn parse_iso_date(text: &str) -> Option<i32> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(crate::value::days_from_date(date))
}

/// Parses ISO text into a datetime (microseconds); a bare date is its midnight.
pub fn parse_iso_datetime(text: &str) -> Option<i64> {
    let text = text.trim();
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc().timestamp_micros());
        }
    }
    parse_iso_date(text).map(|d| d as i64 * MICROS_PER_DAY)
}

/// A LIKE pattern, compiled once: `%` any run, `_` one character.
#[derive(Debug, Clone, PartialEq)]
pub struct LikePattern {
    tokens: Vec<LikeToken>,
    case_insensitive: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum LikeToken {
    Any,
    One,
    Char(char),
}

impl LikePattern {
    pub fn new(pattern: &str, case_insensitive: bool) -> LikePattern {
        let fold = |c: char| {
            if case_insensitive {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                c
            }
        };
        let tokens = pattern
            .chars()
            .map(|c| match c {
                '%' => LikeToken::Any,
                '_' => LikeToken::One,
                c => LikeToken::Char(fold(c)),
            })
            .collect();
        LikePattern {
            tokens,
            case_insensitive,
        }
    }

    /// The pattern as SQL writes it (lower-cased when case-insensitive, which ILIKE ignores).
    pub fn text(&self) -> String {
        self.tokens
            .iter()
            .map(|t| match t {
                LikeToken::Any => '%',
                LikeToken::One => '_',
                LikeToken::Char(c) => *c,
            })
            .collect()
    }

    pub fn case_insensitive(&self) -> bool {
        self.case_insensitive
    }

    /// Greedy matching with one backtrack point per `%`: linear for the patterns people write.
    pub fn matches(&self, text: &str) -> bool {
        let chars: Vec<char> = if self.case_insensitive {
            text.chars()
                .map(|c| c.to_lowercase().next().unwrap_or(c))
                .collect()
        } else {
            text.chars().collect()
        };
        let (mut t, mut p) = (0, 0);
        let mut backtrack: Option<(usize, usize)> = None;
        while t < chars.len() {
            match self.tokens.get(p) {
                Some(LikeToken::Any) => {
                    backtrack = Some((p, t));
                    p += 1;
                    continue;
                }
                Some(LikeToken::One) => {
                    t += 1;
                    p += 1;
                    continue;
                }
                Some(LikeToken::Char(c)) if *c == chars[t] => {
                    t += 1;
                    p += 1;
                    continue;
                }
                _ => {}
            }
            match backtrack {
                Some((bp, bt)) => {
                    p = bp + 1;
                    t = bt + 1;
                    backtrack = Some((bp, bt + 1));
                }
                None => return false,
            }
        }
        self.tokens[p.min(self.tokens.len())..]
            .iter()
            .all(|tok| *tok == LikeToken::Any)
    }
}

/// `CAST(x AS type)` and `x::type`; a value that does not convert is null (DuckDB's TRY_CAST).
pub fn cast(v: Val<'_>, to: DataType) -> Val<'_> {
    match (v, to) {
        (Val::Null, _) => Val::Null,
        (v @ Val::Num(_), DataType::Number) => v,
        (Val::Bool(b), DataType::Number) => Val::Num(if b { 1.0 } else { 0.0 }),
        (Val::Str(s), DataType::Number) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map_or(Val::Null, Val::Num),
        (Val::Str(s), DataType::Date) => parse_iso_date(&s).map_or(Val::Null, Val::Date),
        (Val::Str(s), DataType::DateTime) => {
            parse_iso_datetime(&s).map_or(Val::Null, Val::DateTime)
        }
        (Val::Str(s), DataType::Bool) => {
            crate::ingest::parse::parse_bool(&s).map_or(Val::Null, Val::Bool)
        }
        (Val::Num(n), DataType::Bool) => Val::Bool(n != 0.0),
        (v @ Val::Bool(_), DataType::Bool) => v,
        (v @ Val::Str(_), DataType::String) => v,
        (v, DataType::String) => Val::Str(Cow::Owned(display(&v))),
        (Val::Date(d), DataType::DateTime) => Val::DateTime(d as i64 * MICROS_PER_DAY),
        (v @ Val::DateTime(_), DataType::DateTime) => v,
        (Val::DateTime(t), DataType::Date) => Val::Date(t.div_euclid(MICROS_PER_DAY) as i32),
        (v @ Val::Date(_), DataType::Date) => v,
        _ => Val::Null,
    }
}

fn display(v: &Val) -> String {
    match v {
        Val::Num(n) => format!("{n}"),
        Val::Bool(b) => b.to_string(),
        Val::Date(d) => crate::value::date_from_days(*d)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        Val::DateTime(t) => to_datetime(*t).map(|t| t.to_string()).unwrap_or_default(),
        Val::Str(s) => s.to_string(),
        Val::Null => String::new(),
    }
}

/// Evaluates a scalar function call.
pub fn call<'a>(func: &Func, args: &[Node], inputs: &[Value<'a>]) -> Val<'a> {
    let arg = |i: usize| args.get(i).map_or(Val::Null, |n| n.eval(inputs));
    match func {
        Func::Lower => map_str(arg(0), |s| s.to_lowercase()),
        Func::Upper => map_str(arg(0), |s| s.to_uppercase()),
        Func::Trim => match arg(0) {
            Val::Str(Cow::Borrowed(s)) => Val::Str(Cow::Borrowed(s.trim())),
            Val::Str(Cow::Owned(s)) => Val::Str(Cow::Owned(s.trim().to_string())),
            _ => Val::Null,
        },
        Func::Abs => arg(0).as_num().map_or(Val::Null, |n| Val::Num(n.abs())),
        Func::Round => round(
            arg(0),
            if args.len() > 1 {
                arg(1)
            } else {
                Val::Num(0.0)
            },
        ),
        Func::Coalesce => args
            .iter()
            .map(|n| n.eval(inputs))
            .find(|v| !v.is_null())
            .unwrap_or(Val::Null),
        Func::NullIf => {
            let (a, b) = (arg(0), arg(1));
            if compare(&a, &b) == Some(Ordering::Equal) {
                Val::Null
            } else {
                a
            }
        }
        Func::Greatest => extreme(args, inputs, Ordering::Greater),
        Func::Least => extreme(args, inputs, Ordering::Less),
        Func::DateDiff(part) => match (arg(1).as_micros(), arg(2).as_micros()) {
            (Some(a), Some(b)) => Val::Num(date_diff(*part, a, b)),
            _ => Val::Null,
        },
        Func::DateTrunc(part) => match arg(1) {
            Val::Date(d) => date_trunc(*part, d as i64 * MICROS_PER_DAY).map_or(Val::Null, |t| {
                Val::Date(t.div_euclid(MICROS_PER_DAY) as i32)
            }),
            Val::DateTime(t) => date_trunc(*part, t).map_or(Val::Null, Val::DateTime),
            _ => Val::Null,
        },
    }
}

fn map_str<'a>(v: Val<'a>, f: impl Fn(&str) -> String) -> Val<'a> {
    match v {
        Val::Str(s) => Val::Str(Cow::Owned(f(&s))),
        _ => Val::Null,
    }
}

/// SQL round: half away from zero, to `digits` decimals.
fn round<'a>(v: Val<'a>, digits: Val<'a>) -> Val<'a> {
    let (Some(n), Some(d)) = (v.as_num(), digits.as_num()) else {
        return Val::Null;
    };
    let scale = 10f64.powi(d.clamp(-15.0, 15.0) as i32);
    let rounded = (n * scale).round() / scale;
    if rounded.is_finite() {
        Val::Num(rounded)
    } else {
        Val::Num(n)
    }
}

/// greatest/least skip nulls, as DuckDB does.
fn extreme<'a>(args: &[Node], inputs: &[Value<'a>], want: Ordering) -> Val<'a> {
    let mut best = Val::Null;
    for v in args.iter().map(|n| n.eval(inputs)).filter(|v| !v.is_null()) {
        if best.is_null() || compare(&v, &best) == Some(want) {
            best = v;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> i64 {
        parse_iso_datetime(text).unwrap()
    }

    #[test]
    fn date_diff_counts_boundaries_like_duckdb() {
        let cases = [
            (DatePart::Day, "2024-01-01 23:00", "2024-01-02 01:00", 1.0),
            (DatePart::Day, "2024-01-02 01:00", "2024-01-01 23:00", -1.0),
            (DatePart::Day, "2024-01-01 00:00", "2024-01-01 23:59", 0.0),
            (DatePart::Hour, "2024-01-01 10:59", "2024-01-01 11:00", 1.0),
            (
                DatePart::Hour,
                "2024-01-01 10:00",
                "2024-01-01 10:59:59",
                0.0,
            ),
            (
                DatePart::Minute,
                "2024-01-01 10:00:59",
                "2024-01-01 10:01:00",
                1.0,
            ),
            (DatePart::Month, "2024-01-31", "2024-02-01", 1.0),
            (DatePart::Quarter, "2024-03-31", "2024-04-01", 1.0),
            (DatePart::Year, "2023-12-31", "2024-01-01", 1.0),
            (DatePart::Day, "1969-12-31 23:00", "1970-01-01 01:00", 1.0),
        ];
        for (part, a, b, want) in cases {
            assert_eq!(date_diff(part, ts(a), ts(b)), want, "{part:?} {a} → {b}");
        }
    }

    #[test]
    fn date_trunc_finds_the_start() {
        assert_eq!(
            date_trunc(DatePart::Month, ts("2024-02-29 13:00")),
            Some(ts("2024-02-01"))
        );
        assert_eq!(
            date_trunc(DatePart::Week, ts("2024-01-07 13:00")),
            Some(ts("2024-01-01"))
        );
        assert_eq!(
            date_trunc(DatePart::Quarter, ts("2024-05-02")),
            Some(ts("2024-04-01"))
        );
        assert_eq!(
            date_trunc(DatePart::Hour, ts("2024-05-02 10:42:10")),
            Some(ts("2024-05-02 10:00"))
        );
    }

    #[test]
    fn like_patterns() {
        let cases = [
            ("abc", "a%", false, true),
            ("abc", "%c", false, true),
            ("abc", "a_c", false, true),
            ("abc", "a_", false, false),
            ("ABC", "a%", false, false),
            ("ABC", "a%", true, true),
            ("mississippi", "%iss%pi", false, true),
            ("", "%", false, true),
            ("", "_", false, false),
            ("été", "_t_", false, true),
        ];
        for (text, pattern, ci, want) in cases {
            assert_eq!(
                LikePattern::new(pattern, ci).matches(text),
                want,
                "{text} LIKE {pattern}"
            );
        }
    }
}
