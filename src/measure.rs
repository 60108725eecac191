//! What a KPI measures and how it is read: its unit, which way is good, and its target.
//! Plain value types, below both the configuration that declares them and the results that
//! carry them (so that neither imports the other).

use crate::currency::Currency;
use chrono::NaiveDate;

/// How a value is displayed. Display only: the value itself is always a raw number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    #[default]
    Number,
    Percent,
    /// An amount, in the currency given by `currency` (None: no sign is written).
    Currency(Option<Currency>),
    Days,
    Hours,
}

impl Unit {
    /// The unit as `kpis.toml`, JSON and CSV name it: `currency`, whatever the currency.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Number => "number",
            Unit::Percent => "percent",
            Unit::Currency(_) => "currency",
            Unit::Days => "days",
            Unit::Hours => "hours",
        }
    }

    /// The unit for a reader: `currency (EUR)` when a currency is set, else its name.
    pub fn describe(self) -> String {
        match self {
            Unit::Currency(Some(currency)) => format!("currency ({currency})"),
            _ => self.name().to_string(),
        }
    }
}

/// Which way is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    #[default]
    Up,
    Down,
    None,
}

impl Direction {
    pub fn name(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::None => "none",
        }
    }

    /// Orders two values best first: the highest (the lowest for `down`); no value last.
    pub fn best_first(self, a: Option<f64>, b: Option<f64>) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        match (a, b) {
            (Some(a), Some(b)) if self == Direction::Down => a.total_cmp(&b),
            (Some(a), Some(b)) => b.total_cmp(&a),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
}

/// A value to reach, and by when.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub value: f64,
    pub by: Option<NaiveDate>,
}
