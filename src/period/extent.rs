//! Extents: how far back from a period's end a value reaches (SPEC, Comparisons and windows).
//! The period itself; a trailing window of N days, weeks, months or quarters ending with the
//! period's end (`window = "3 months"`); or from the start of the containing month, quarter
//! or year (`to_date = "year"`, fiscal aware).

use super::{Calendar, Frequency, PeriodError, Window};
use chrono::{Days, Months, NaiveDate};
use std::fmt;

/// The longest trailing window, in days: ten years. Past this a typo is likelier than a need.
const MAX_WINDOW_DAYS: u64 = 3660;

/// The unit of a trailing window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WindowUnit {
    Days,
    Weeks,
    Months,
    Quarters,
}

impl WindowUnit {
    fn name(self, count: u32) -> &'static str {
        let one = count == 1;
        match self {
            WindowUnit::Days if one => "day",
            WindowUnit::Days => "days",
            WindowUnit::Weeks if one => "week",
            WindowUnit::Weeks => "weeks",
            WindowUnit::Months if one => "month",
            WindowUnit::Months => "months",
            WindowUnit::Quarters if one => "quarter",
            WindowUnit::Quarters => "quarters",
        }
    }

    /// The fewest days N units take (a month is at least 28 days).
    fn min_days(self) -> u64 {
        match self {
            WindowUnit::Days => 1,
            WindowUnit::Weeks => 7,
            WindowUnit::Months => 28,
            WindowUnit::Quarters => 89,
        }
    }
}

/// The stretch of days a KPI's value covers for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Extent {
    /// The period alone (no `window`, no `to_date`).
    #[default]
    Period,
    /// `window = "N units"`: the N units that end with the period's end.
    Trailing { count: u32, unit: WindowUnit },
    /// `to_date = "month|quarter|year"`: from the start of the month, quarter or year that
    /// holds the period's last day.
    ToDate(Frequency),
}

impl Extent {
    /// `window = "3 months"`: a count from 1 and a unit (`day(s)`, `week(s)`, `month(s)`,
    /// `quarter(s)`), at least one period of the KPI's frequency long: a shorter window would
    /// leave out rows of the period it stands for.
    pub fn parse_window(text: &str, frequency: Frequency) -> Result<Extent, PeriodError> {
        let bad = || {
            PeriodError(format!(
                "`{text}` is not a window: write a count and a unit, such as \"3 months\", \"28 days\", \"4 weeks\" or \"2 quarters\""
            ))
        };
        let mut words = text.split_whitespace();
        let (Some(count), Some(unit), None) = (words.next(), words.next(), words.next()) else {
            return Err(bad());
        };
        let count: u32 = count.parse().map_err(|_| bad())?;
        let unit = match unit.to_ascii_lowercase().as_str() {
            "day" | "days" => WindowUnit::Days,
            "week" | "weeks" => WindowUnit::Weeks,
            "month" | "months" => WindowUnit::Months,
            "quarter" | "quarters" => WindowUnit::Quarters,
            _ => return Err(bad()),
        };
        if count == 0 {
            return Err(PeriodError(format!(
                "`{text}`: a window covers at least one {}",
                unit.name(1)
            )));
        }
        if u64::from(count) * unit.min_days() > MAX_WINDOW_DAYS {
            return Err(PeriodError(format!(
                "`{text}`: a window reaches ten years back at most"
            )));
        }
        if !covers(count, unit, frequency) {
            return Err(PeriodError(format!(
                "window = \"{text}\" is shorter than a {frequency}, the KPI's frequency: a window covers whole periods and reaches back from them"
            )));
        }
        Ok(Extent::Trailing { count, unit })
    }

    /// `to_date = "month|quarter|year"`, which must be longer than the KPI's own frequency
    /// (a monthly KPI to date of the month is the month itself).
    pub fn parse_to_date(text: &str, frequency: Frequency) -> Result<Extent, PeriodError> {
        let unit = match text {
            "month" => Frequency::Month,
            "quarter" => Frequency::Quarter,
            "year" => Frequency::Year,
            _ => {
                return Err(PeriodError(format!(
                    "`{text}`: to_date takes \"month\", \"quarter\" or \"year\""
                )))
            }
        };
        if unit <= frequency {
            return Err(PeriodError(format!(
                "to_date = \"{text}\" on a KPI of frequency {frequency}: the value would be its {frequency} alone; to_date takes a longer period than the frequency"
            )));
        }
        Ok(Extent::ToDate(unit))
    }

    /// As written in the configuration: `3 months`, `to date of year`; empty for the period.
    pub fn describe(&self) -> String {
        match self {
            Extent::Period => String::new(),
            Extent::Trailing { count, unit } => format!("{count} {}", unit.name(*count)),
            Extent::ToDate(unit) => format!("{unit} to date"),
        }
    }

    /// What the KPI's fingerprint adds for it (nothing for the period, so that v1 archives keep
    /// their fingerprints).
    pub fn fingerprint(&self) -> String {
        match self {
            Extent::Period => String::new(),
            Extent::Trailing { .. } => format!("|window={}", self.describe()),
            Extent::ToDate(unit) => format!("|to_date={unit}"),
        }
    }
}

impl fmt::Display for Extent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Calendar {
    /// `window` (a whole period or its part to date) reaching back as far as `extent` says: its
    /// end stays, its start moves back. A trailing window is counted back from the period's
    /// end (to date, it still starts where the whole window would); to date of a year starts
    /// on the first day of the year (fiscal) that holds the window's last day.
    pub fn extend(&self, window: Window, extent: Extent) -> Window {
        let start = match extent {
            Extent::Period => return window,
            Extent::Trailing { count, unit } => trailing_start(window.period.end, count, unit),
            Extent::ToDate(unit) => Some(self.containing(unit, window.end).start),
        };
        // At the edge of the representable calendar the window keeps its own start.
        let start = start.unwrap_or(window.start).min(window.start);
        Window { start, ..window }
    }
}

/// Whether `count` units always hold a whole period of `frequency`.
fn covers(count: u32, unit: WindowUnit, frequency: Frequency) -> bool {
    let (days, weeks, months) = match frequency {
        Frequency::Day => (1, 1, 1),
        Frequency::Week => (7, 1, 1),
        Frequency::Month => (31, 5, 1),
        Frequency::Quarter => (92, 14, 3),
        Frequency::Year => (366, 53, 12),
    };
    match unit {
        WindowUnit::Days => count >= days,
        WindowUnit::Weeks => count >= weeks,
        WindowUnit::Months => count >= months,
        WindowUnit::Quarters => 3 * count >= months,
    }
}

/// The first day of the `count` units that end with `end`.
fn trailing_start(end: NaiveDate, count: u32, unit: WindowUnit) -> Option<NaiveDate> {
    let after = end.succ_opt()?;
    match unit {
        WindowUnit::Days => after.checked_sub_days(Days::new(u64::from(count))),
        WindowUnit::Weeks => after.checked_sub_days(Days::new(7 * u64::from(count))),
        WindowUnit::Months => after.checked_sub_months(Months::new(count)),
        WindowUnit::Quarters => after.checked_sub_months(Months::new(3 * count)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::WeekStart;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    /// The dates `extent` gives the period labelled `label` (to `end` when given).
    fn span(fiscal: u32, f: Frequency, label: &str, end: Option<&str>, extent: Extent) -> String {
        let calendar = Calendar::new(WeekStart::Monday, fiscal).expect("calendar");
        let period = calendar.parse_label(f, label).expect("label");
        let window = match end {
            Some(end) => calendar.to_date(period, d(end)),
            None => Window::whole(period),
        };
        let w = calendar.extend(window, extent);
        format!("{} {}", w.start, w.end)
    }

    fn window(text: &str) -> Extent {
        Extent::parse_window(text, Frequency::Day).expect("window")
    }

    #[test]
    fn a_trailing_window_ends_with_the_period() {
        let m = Frequency::Month;
        assert_eq!(
            span(1, m, "2026-10", None, window("3 months")),
            "2026-08-01 2026-10-31"
        );
        // From the day after the end: February's window of 1 month is February.
        assert_eq!(
            span(1, m, "2024-02", None, window("1 month")),
            "2024-02-01 2024-02-29"
        );
        assert_eq!(
            span(1, m, "2026-03", None, window("90 days")),
            "2026-01-01 2026-03-31"
        );
        assert_eq!(
            span(1, Frequency::Week, "2026-W10", None, window("4 weeks")),
            "2026-02-09 2026-03-08"
        );
        assert_eq!(
            span(1, Frequency::Week, "2026-W10", None, window("28 days")),
            "2026-02-09 2026-03-08"
        );
        assert_eq!(
            span(1, m, "2026-01", None, window("2 quarters")),
            "2025-08-01 2026-01-31"
        );
        // To date: the window starts where the whole one would, and ends on as-of.
        assert_eq!(
            span(1, m, "2026-11", Some("2026-11-22"), window("3 months")),
            "2026-09-01 2026-11-22"
        );
    }

    #[test]
    fn to_date_starts_with_the_containing_period_fiscal_aware() {
        let ytd = Extent::parse_to_date("year", Frequency::Month).expect("to date");
        assert_eq!(
            span(1, Frequency::Month, "2026-10", None, ytd),
            "2026-01-01 2026-10-31"
        );
        // Fiscal year from April: October is in FY2027, which began 2026-04-01.
        assert_eq!(
            span(4, Frequency::Month, "2026-10", None, ytd),
            "2026-04-01 2026-10-31"
        );
        // Across the fiscal year start, the first month is alone.
        assert_eq!(
            span(4, Frequency::Month, "2026-04", None, ytd),
            "2026-04-01 2026-04-30"
        );
        assert_eq!(
            span(4, Frequency::Month, "2026-03", None, ytd),
            "2025-04-01 2026-03-31"
        );
        let qtd = Extent::parse_to_date("quarter", Frequency::Week).expect("to date");
        assert_eq!(
            span(1, Frequency::Week, "2026-W15", None, qtd),
            "2026-04-01 2026-04-12"
        );
        assert_eq!(
            span(1, Frequency::Month, "2026-11", Some("2026-11-22"), ytd),
            "2026-01-01 2026-11-22"
        );
    }

    #[test]
    fn bad_extents_say_what_is_expected() {
        let parse = |text: &str, f: Frequency| Extent::parse_window(text, f);
        for bad in [
            "3",
            "three months",
            "3 fortnights",
            "3 months ago",
            "",
            "-1 days",
        ] {
            let e = parse(bad, Frequency::Day).expect_err(bad);
            assert!(e.0.contains("such as \"3 months\""), "{bad}: {e}");
        }
        assert!(parse("0 days", Frequency::Day).is_err());
        assert!(parse("100 quarters", Frequency::Day).is_err());
        assert!(parse("40 quarters", Frequency::Day).is_ok());
        // Shorter than the period: refused, whatever the unit.
        for (text, f) in [
            ("30 days", Frequency::Month),
            ("4 weeks", Frequency::Month),
            ("2 months", Frequency::Quarter),
            ("6 days", Frequency::Week),
            ("3 quarters", Frequency::Year),
        ] {
            let e = parse(text, f).expect_err(text);
            assert!(e.0.contains("shorter than a"), "{text}: {e}");
        }
        for (text, f) in [
            ("31 days", Frequency::Month),
            ("5 weeks", Frequency::Month),
            ("1 quarter", Frequency::Quarter),
            ("7 days", Frequency::Week),
            ("4 quarters", Frequency::Year),
        ] {
            assert!(parse(text, f).is_ok(), "{text}");
        }
        let e = Extent::parse_to_date("month", Frequency::Month).expect_err("same");
        assert!(e.0.contains("longer period"), "{e}");
        assert!(Extent::parse_to_date("week", Frequency::Day).is_err());
        assert!(Extent::parse_to_date("quarter", Frequency::Month).is_ok());
    }

    #[test]
    fn extents_describe_themselves_and_mark_the_fingerprint() {
        assert_eq!(window("1 month").describe(), "1 month");
        assert_eq!(window("3 Months").describe(), "3 months");
        assert_eq!(Extent::Period.fingerprint(), "");
        assert_eq!(window("28 days").fingerprint(), "|window=28 days");
        assert_eq!(
            Extent::ToDate(Frequency::Year).fingerprint(),
            "|to_date=year"
        );
    }
}
