//! `date_diff` and `date_trunc` per dialect. kpi counts the part boundaries crossed from start
//! to end, as DuckDB does (23:00 → 01:00 the next day is one day); weeks are whole 7-day spans
//! between the dates, and weeks start on Monday. Engines without that function get the
//! arithmetic that gives the same count.

use super::dialect::Dialect;
use crate::formula::functions::DatePart;

pub fn date_diff(d: Dialect, part: DatePart, start: &str, end: &str) -> String {
    let ts = |x: &str| d.cast(x, d.timestamp());
    let date = |x: &str| d.cast(x, "DATE");
    let (a, b) = (ts(start), ts(end));
    let whole_weeks = |days: String| match d {
        Dialect::BigQuery => format!("DIV({days}, 7)"),
        Dialect::Postgres => format!("(({days}) / 7)"),
        // Spark has no one-argument TRUNC; DIV truncates toward zero.
        Dialect::Spark => format!("(({days}) DIV 7)"),
        _ => format!("CAST(TRUNC(({days}) / 7) AS BIGINT)"),
    };
    let count = match (d, part) {
        (Dialect::DuckDb, DatePart::Week) => {
            whole_weeks(format!("{} - {}", date(end), date(start)))
        }
        (Dialect::DuckDb, _) => format!("date_diff('{}', {a}, {b})", part.name()),
        (Dialect::Snowflake, DatePart::Week) => whole_weeks(format!("DATEDIFF(day, {a}, {b})")),
        (Dialect::Snowflake, _) => format!("DATEDIFF({}, {a}, {b})", part.name()),
        (Dialect::BigQuery, DatePart::Week) => {
            whole_weeks(format!("DATE_DIFF({}, {}, DAY)", date(end), date(start)))
        }
        (Dialect::BigQuery, _) => {
            format!("DATETIME_DIFF({b}, {a}, {})", part.name().to_uppercase())
        }
        (Dialect::Postgres, _) => postgres(part, &a, &b, &whole_weeks),
        (Dialect::Spark, _) => spark(part, &a, &b, &whole_weeks),
    };
    d.to_double(&count)
}

/// Seconds in a part of fixed length.
fn seconds(part: DatePart) -> Option<u64> {
    match part {
        DatePart::Second => Some(1),
        DatePart::Minute => Some(60),
        DatePart::Hour => Some(3600),
        DatePart::Day => Some(86_400),
        _ => None,
    }
}

fn calendar_diff(
    part: DatePart,
    year: &dyn Fn(&str) -> String,
    month: &dyn Fn(&str) -> String,
    a: &str,
    b: &str,
) -> String {
    let months = |x: &str| format!("({} * 12 + {} - 1)", year(x), month(x));
    match part {
        DatePart::Month => format!("({} - {})", months(b), months(a)),
        DatePart::Quarter => format!("(FLOOR({} / 3) - FLOOR({} / 3))", months(b), months(a)),
        _ => format!("({} - {})", year(b), year(a)),
    }
}

fn postgres(part: DatePart, a: &str, b: &str, whole_weeks: &dyn Fn(String) -> String) -> String {
    if let Some(unit) = seconds(part) {
        // EXTRACT(EPOCH …) is exact (numeric); flooring both ends counts the boundaries.
        return format!(
            "(FLOOR(EXTRACT(EPOCH FROM {b}) / {unit}) - FLOOR(EXTRACT(EPOCH FROM {a}) / {unit}))"
        );
    }
    if part == DatePart::Week {
        return whole_weeks(format!("CAST({b} AS DATE) - CAST({a} AS DATE)"));
    }
    let year = |x: &str| format!("EXTRACT(YEAR FROM {x})");
    let month = |x: &str| format!("EXTRACT(MONTH FROM {x})");
    calendar_diff(part, &year, &month, a, b)
}

fn spark(part: DatePart, a: &str, b: &str, whole_weeks: &dyn Fn(String) -> String) -> String {
    let days = format!("datediff(CAST({b} AS DATE), CAST({a} AS DATE))");
    if part == DatePart::Day {
        return days;
    }
    if part == DatePart::Week {
        return whole_weeks(days);
    }
    if let Some(unit) = seconds(part) {
        let micros = unit * 1_000_000;
        return format!(
            "(FLOOR(unix_micros({b}) / {micros}) - FLOOR(unix_micros({a}) / {micros}))"
        );
    }
    let year = |x: &str| format!("year({x})");
    let month = |x: &str| format!("month({x})");
    calendar_diff(part, &year, &month, a, b)
}

/// The start of the part containing the value, as a timestamp (the caller casts it back to a
/// date for a date).
pub fn date_trunc(d: Dialect, part: DatePart, value: &str) -> String {
    let ts = d.cast(value, d.timestamp());
    let name = part.name();
    match d {
        Dialect::BigQuery => {
            let unit = match part {
                DatePart::Week => "ISOWEEK".to_string(),
                _ => name.to_uppercase(),
            };
            format!("DATETIME_TRUNC({ts}, {unit})")
        }
        Dialect::Snowflake if part == DatePart::Week => {
            // Not DATE_TRUNC('week'): it follows the session's WEEK_START.
            format!("DATEADD(day, 1 - DAYOFWEEKISO({ts}), DATE_TRUNC('day', {ts}))")
        }
        _ => format!("date_trunc('{name}', {ts})"),
    }
}
