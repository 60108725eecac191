//! Periods: frequencies, period labels, bucketing dates into periods, and ranges of periods.
//!
//! Pure calendar arithmetic shaped by the `[settings]` week start and fiscal year start. It reads
//! no files and no clock: the command layer decides what "today" is and passes it in as `as_of`.

use std::fmt;

use chrono::NaiveDate;

/// How often a KPI is computed: the length of its periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Frequency {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Frequency {
    /// Every frequency, shortest first.
    pub const ALL: [Frequency; 5] = [
        Frequency::Day,
        Frequency::Week,
        Frequency::Month,
        Frequency::Quarter,
        Frequency::Year,
    ];

    /// The frequency named in the configuration: `day`, `week`, `month`, `quarter` or `year`.
    pub fn from_name(s: &str) -> Option<Frequency> {
        Self::ALL.into_iter().find(|f| f.name() == s)
    }

    /// The configuration name of the frequency.
    pub fn name(self) -> &'static str {
        match self {
            Frequency::Day => "day",
            Frequency::Week => "week",
            Frequency::Month => "month",
            Frequency::Quarter => "quarter",
            Frequency::Year => "year",
        }
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The first day of a week: Monday gives ISO weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeekStart {
    Monday,
    Sunday,
}

impl WeekStart {
    /// The week start named in the configuration: `monday` or `sunday`.
    pub fn from_name(s: &str) -> Option<WeekStart> {
        match s {
            "monday" => Some(WeekStart::Monday),
            "sunday" => Some(WeekStart::Sunday),
            _ => None,
        }
    }

    /// The configuration name of the week start.
    pub fn name(self) -> &'static str {
        match self {
            WeekStart::Monday => "monday",
            WeekStart::Sunday => "sunday",
        }
    }
}

/// Settings that shape periods: from `[settings]` `week_start` and `fiscal_year_start` (1..=12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    pub week_start: WeekStart,
    /// The month (1 = January) that opens the fiscal year, and so the first quarter.
    pub fiscal_year_start: u32,
}

impl Default for Calendar {
    fn default() -> Calendar {
        Calendar {
            week_start: WeekStart::Monday,
            fiscal_year_start: 1,
        }
    }
}

/// A whole period of a frequency: `start` and `end` are inclusive calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub frequency: Frequency,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// Whether `date` falls in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// A label that does not parse, or a setting out of range; the message is for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError(pub String);

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PeriodError {}

mod arithmetic;
mod baseline;
mod extent;
mod label;
mod window;

pub use baseline::Baseline;
pub use extent::{Extent, WindowUnit};
pub use window::{PeriodChoice, Window};

#[cfg(test)]
mod tests;
