//! Which date format a column's invalid values do match, for the hint of an invalid-value
//! error: Superstore's `11/8/2016` under `date_format = "%d/%m/%Y"` reads as `%m/%d/%Y`.
//!
//! A guess, so a careful one: every example must parse, to a plausible year (1900–2099), and
//! the format already in use is never suggested.

use super::parse::{parse_date, parse_datetime};
use crate::value::DataType;

/// The formats exports use besides ISO 8601 (which `auto` reads), most common first.
const DATE_FORMATS: [&str; 10] = [
    "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%Y/%m/%d", "%d/%m/%y", "%m/%d/%y",
    "%d.%m.%y", "%Y%m%d",
];

/// Times of day that follow a date in datetime columns.
const TIME_FORMATS: [&str; 4] = ["%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p"];

/// Days since 1970-01-01 of 1900-01-01 and of 2100-01-01.
const PLAUSIBLE_DAYS: std::ops::Range<i64> = -25_567..47_482;
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// A strftime pattern (or `auto` for ISO) that reads every example as a `ty`, other than
/// `current` (None: `auto`).
pub fn guess(examples: &[&str], ty: DataType, current: Option<&str>) -> Option<String> {
    if examples.is_empty() || !matches!(ty, DataType::Date | DataType::DateTime) {
        return None;
    }
    if current.is_some() && examples.iter().all(|e| plausible(e, ty, None)) {
        return Some(AUTO.to_string());
    }
    formats_reading(examples, ty)
        .into_iter()
        .find(|f| Some(f.as_str()) != current)
}

/// Every pattern (ISO aside) that reads every example as a plausible `ty`, most common first:
/// for a caller that chooses between them itself (`kpi init`, where `03/04/2026` reads both
/// day first and month first).
pub fn formats_reading(examples: &[&str], ty: DataType) -> Vec<String> {
    if examples.is_empty() || !matches!(ty, DataType::Date | DataType::DateTime) {
        return Vec::new();
    }
    candidates(ty)
        .into_iter()
        .filter(|f| examples.iter().all(|e| plausible(e, ty, Some(f))))
        .collect()
}

/// What `guess` says of ISO 8601 values.
const AUTO: &str = "auto";

/// The hint of a guessed format: `they read as %m/%d/%Y: set date_format = "%m/%d/%Y" on …`.
pub fn hint(format: &str, source: &str) -> String {
    let what = if format == AUTO {
        "they are ISO 8601 dates".to_string()
    } else {
        format!("they read as {format}")
    };
    format!("{what}: set date_format = \"{format}\" on source `{source}`")
}

fn candidates(ty: DataType) -> Vec<String> {
    let mut formats: Vec<String> = DATE_FORMATS.iter().map(|f| f.to_string()).collect();
    // A datetime column may hold dates alone (read as midnight), or dates with a time.
    if ty == DataType::DateTime {
        for date in DATE_FORMATS {
            formats.extend(TIME_FORMATS.iter().map(|t| format!("{date} {t}")));
        }
    }
    formats
}

fn plausible(text: &str, ty: DataType, format: Option<&str>) -> bool {
    let days = match ty {
        DataType::Date => parse_date(text, format).map(i64::from),
        _ => parse_datetime(text, format).map(|t| t.div_euclid(MICROS_PER_DAY)),
    };
    days.is_some_and(|d| PLAUSIBLE_DAYS.contains(&d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_first_dates_are_recognised_under_a_day_first_format() {
        let examples = [
            "11/8/2016",
            "6/12/2016",
            "10/11/2015",
            "6/9/2014",
            "12/31/2019",
        ];
        let found = guess(&examples, DataType::Date, Some("%d/%m/%Y"));
        assert_eq!(found.as_deref(), Some("%m/%d/%Y"));
    }

    #[test]
    fn day_first_dates_under_iso_get_their_pattern() {
        let found = guess(&["31/10/2026", "15/01/2025"], DataType::Date, None);
        assert_eq!(found.as_deref(), Some("%d/%m/%Y"));
    }

    #[test]
    fn iso_dates_under_a_pattern_are_told_to_use_auto() {
        let found = guess(&["2026-10-31"], DataType::Date, Some("%d/%m/%Y"));
        assert_eq!(found.as_deref(), Some("auto"));
    }

    #[test]
    fn iso_datetimes_under_a_pattern_are_told_to_use_auto() {
        let found = guess(
            &["2026-10-01 08:15:00"],
            DataType::DateTime,
            Some("%d/%m/%Y %H:%M"),
        );
        assert_eq!(found.as_deref(), Some("auto"));
        assert_eq!(
            hint("auto", "tickets"),
            "they are ISO 8601 dates: set date_format = \"auto\" on source `tickets`"
        );
    }

    #[test]
    fn datetimes_with_a_time_of_day() {
        let found = guess(&["10/31/2026 14:05"], DataType::DateTime, None);
        assert_eq!(found.as_deref(), Some("%m/%d/%Y %H:%M"));
    }

    #[test]
    fn every_format_that_reads_the_examples_is_listed() {
        let both = formats_reading(&["03/04/2026", "05/06/2026"], DataType::Date);
        assert_eq!(both, ["%d/%m/%Y", "%m/%d/%Y"]);
        // Two-digit years: `%m/%d/%Y` would read the year 3.
        let short = formats_reading(&["02/24/03"], DataType::Date);
        assert_eq!(short, ["%m/%d/%y"]);
        assert!(formats_reading(&["2026-10-31"], DataType::Date).is_empty());
        assert!(formats_reading(&[], DataType::Date).is_empty());
    }

    #[test]
    fn no_guess_for_values_that_are_no_date_or_an_implausible_year() {
        assert_eq!(guess(&["n/a", "11/8/2016"], DataType::Date, None), None);
        assert_eq!(guess(&["31/31/2016"], DataType::Date, None), None);
        assert_eq!(guess(&["1/2/1850"], DataType::Date, None), None);
        assert_eq!(guess(&["12"], DataType::Number, None), None);
    }
}
