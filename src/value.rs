//! The typed values that flow from ingestion through formulas to results.
//!
//! Dates are days since 1970-01-01 and datetimes are microseconds since 1970-01-01 00:00
//! (naive, no time zone), as DuckDB stores them, so that `date_diff` and comparisons are
//! integer arithmetic. Strings borrow from the record being read: no allocation per row.

use std::fmt;

/// The type of a column or of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    String,
    Number,
    Date,
    DateTime,
    Bool,
}

impl DataType {
    /// The name used in `kpis.toml` (`columns = { amount = "number" }`) and in messages.
    pub fn name(self) -> &'static str {
        match self {
            DataType::String => "string",
            DataType::Number => "number",
            DataType::Date => "date",
            DataType::DateTime => "datetime",
            DataType::Bool => "bool",
        }
    }

    pub fn from_name(name: &str) -> Option<DataType> {
        Some(match name {
            "string" | "text" => DataType::String,
            "number" => DataType::Number,
            "date" => DataType::Date,
            "datetime" | "timestamp" => DataType::DateTime,
            "bool" | "boolean" => DataType::Bool,
            _ => return None,
        })
    }

    /// Dates and datetimes compare with each other (a date is its midnight).
    pub fn is_temporal(self) -> bool {
        matches!(self, DataType::Date | DataType::DateTime)
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One value of one row. `Str` borrows from the record (or a lookup table).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Num(f64),
    Str(&'a str),
    Bool(bool),
    /// Days since 1970-01-01.
    Date(i32),
    /// Microseconds since 1970-01-01 00:00:00.
    DateTime(i64),
}

/// An owned value: a lookup table's cell, a rollup's.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Num(f64),
    Str(String),
    Bool(bool),
    Date(i32),
    DateTime(i64),
}

impl Cell {
    pub fn as_value(&self) -> Value<'_> {
        match self {
            Cell::Null => Value::Null,
            Cell::Num(n) => Value::Num(*n),
            Cell::Str(s) => Value::Str(s),
            Cell::Bool(b) => Value::Bool(*b),
            Cell::Date(d) => Value::Date(*d),
            Cell::DateTime(t) => Value::DateTime(*t),
        }
    }

    /// The cell as text, as a CSV would write it: how a lookup key is matched.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match self {
            Cell::Null => Cow::Borrowed(""),
            Cell::Str(s) => Cow::Borrowed(s),
            Cell::Num(n) => Cow::Owned(n.to_string()),
            Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Cell::Date(d) => {
                Cow::Owned(date_from_days(*d).map_or_else(String::new, |d| d.to_string()))
            }
            Cell::DateTime(t) => Cow::Owned(
                chrono::DateTime::from_timestamp_micros(*t)
                    .map_or_else(String::new, |t| t.naive_utc().to_string()),
            ),
        }
    }

    pub fn from_value(v: Value<'_>) -> Cell {
        match v {
            Value::Null => Cell::Null,
            Value::Num(n) => Cell::Num(n),
            Value::Str(s) => Cell::Str(s.to_string()),
            Value::Bool(b) => Cell::Bool(b),
            Value::Date(d) => Cell::Date(d),
            Value::DateTime(t) => Cell::DateTime(t),
        }
    }
}

pub const MICROS_PER_DAY: i64 = 86_400_000_000;

impl<'a> Value<'a> {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A date or datetime as microseconds since the epoch (a date is its midnight).
    pub fn as_micros(&self) -> Option<i64> {
        match *self {
            Value::Date(d) => Some(d as i64 * MICROS_PER_DAY),
            Value::DateTime(t) => Some(t),
            _ => None,
        }
    }

    pub fn as_num(&self) -> Option<f64> {
        match *self {
            Value::Num(n) => Some(n),
            _ => None,
        }
    }
}

/// Empties a buffer and gives it back for items of another lifetime, keeping its allocation:
/// per-row buffers of values that borrow from the row are reused instead of reallocated.
pub fn recycle<T, U>(mut buffer: Vec<T>) -> Vec<U> {
    buffer.clear();
    buffer.into_iter().filter_map(|_| None).collect()
}

/// Converts days since the epoch to a calendar date.
pub fn date_from_days(days: i32) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?
        .checked_add_signed(chrono::TimeDelta::try_days(days as i64)?)
}

/// Converts a calendar date to days since the epoch.
pub fn days_from_date(date: chrono::NaiveDate) -> i32 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (date - epoch).num_days() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recycle_keeps_the_allocation() {
        let text = String::from("row");
        let mut values: Vec<Value<'_>> = Vec::with_capacity(16);
        values.push(Value::Str(&text));
        let capacity = values.capacity();
        let reused: Vec<Value<'static>> = recycle(values);
        assert!(reused.is_empty());
        assert_eq!(reused.capacity(), capacity);
    }
}
