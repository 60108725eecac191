//! The date format of an export, decided from its values: the formats `ingest::date_guess`
//! finds reading every value of a column (to a plausible year), and when several do
//! (`03/04/2026` reads day first and month first), the one under which the days vary more
//! than the months, as they do in any export that covers more than a few days of one month.

use crate::ingest::date_guess::formats_reading;
use crate::ingest::parse::{is_null, parse_date, parse_datetime, parse_number, FieldFormat};
use crate::value::{date_from_days, DataType, MICROS_PER_DAY};
use chrono::Datelike;
use std::collections::BTreeSet;

/// The format each column's values read with (None: ISO 8601, no date, or a number column).
pub fn column_formats(columns: &[Vec<String>], format: &FieldFormat) -> Vec<Option<String>> {
    columns.iter().map(|c| column_format(c, format)).collect()
}

fn column_format(values: &[String], format: &FieldFormat) -> Option<String> {
    let distinct: BTreeSet<&str> = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !is_null(v, format))
        .collect();
    // Numbers stay numbers: 20260105 is an amount or an id before it is a date.
    if distinct
        .iter()
        .all(|v| parse_number(v, format.decimal).is_some())
    {
        return None;
    }
    let distinct: Vec<&str> = distinct.into_iter().collect();
    for ty in [DataType::Date, DataType::DateTime] {
        let reading = formats_reading(&distinct, ty);
        if let Some(best) = most_plausible(&distinct, ty, reading) {
            return Some(best);
        }
    }
    None
}

/// Of the formats that read every value, the first under which the days of the month vary
/// the most against the months (ties keep the order: day first before month first).
fn most_plausible(values: &[&str], ty: DataType, formats: Vec<String>) -> Option<String> {
    let mut best: Option<(i64, String)> = None;
    for format in formats {
        let score = spread(values, ty, &format);
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, format));
        }
    }
    best.map(|(_, f)| f)
}

/// Distinct days of the month minus distinct months, under `format`.
fn spread(values: &[&str], ty: DataType, format: &str) -> i64 {
    let mut days = BTreeSet::new();
    let mut months = BTreeSet::new();
    for value in values {
        let day_number = match ty {
            DataType::Date => parse_date(value, Some(format)),
            _ => parse_datetime(value, Some(format))
                .and_then(|t| i32::try_from(t.div_euclid(MICROS_PER_DAY)).ok()),
        };
        if let Some(date) = day_number.and_then(date_from_days) {
            days.insert(date.day());
            months.insert(date.month());
        }
    }
    days.len() as i64 - months.len() as i64
}

/// The one format for the source (kpis.toml has one per source): the one most columns read
/// with, if more columns read with it than as ISO dates; else ISO (None).
pub fn source_format(columns: &[Vec<String>], format: &FieldFormat) -> Option<String> {
    let formats = column_formats(columns, format);
    let temporal = |pattern: Option<&String>| {
        let format = FieldFormat {
            date_format: pattern.cloned(),
            ..format.clone()
        };
        columns
            .iter()
            .filter(|c| {
                crate::ingest::sniff::infer_type(c.iter().map(String::as_str), &format)
                    .is_temporal()
            })
            .count()
    };
    let mut best = (temporal(None), None);
    for pattern in formats.iter().flatten() {
        let read = temporal(Some(pattern));
        if read > best.0 {
            best = (read, Some(pattern.clone()));
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| s.to_string()).collect()
    }

    fn format_of(values: &[&str]) -> Option<String> {
        source_format(&[column(values)], &FieldFormat::default())
    }

    #[test]
    fn day_first_or_month_first_from_the_values() {
        // A day past 12 decides.
        assert_eq!(
            format_of(&["05/10/2026", "13/10/2026"]).as_deref(),
            Some("%d/%m/%Y")
        );
        assert_eq!(
            format_of(&["11/8/2016", "12/31/2019"]).as_deref(),
            Some("%m/%d/%Y")
        );
        // None does: four days of November are not the 11th of four months.
        let november = [
            "11/1/2019 8:51:12",
            "11/2/2019 9:05:00",
            "11/4/2019 10:00:01",
        ];
        assert_eq!(format_of(&november).as_deref(), Some("%m/%d/%Y %H:%M:%S"));
        let october = ["01/10/2026", "02/10/2026", "05/10/2026"];
        assert_eq!(format_of(&october).as_deref(), Some("%d/%m/%Y"));
        // Nothing tells them apart: day first.
        assert_eq!(
            format_of(&["05/10/2026", "06/11/2026"]).as_deref(),
            Some("%d/%m/%Y")
        );
    }

    #[test]
    fn two_digit_years_and_iso() {
        // `%m/%d/%Y` would read year 3: not plausible.
        assert_eq!(
            format_of(&["02/24/03", "05/31/05"]).as_deref(),
            Some("%m/%d/%y")
        );
        assert_eq!(format_of(&["2026-10-05", "2026-10-13"]), None);
        assert_eq!(format_of(&["20261005", "20261013"]), None);
        assert_eq!(format_of(&["Won", "Lost"]), None);
    }

    #[test]
    fn the_format_most_columns_read_with() {
        let columns = [
            column(&["2026-10-05"]),
            column(&["31/10/2026"]),
            column(&["30/10/2026 10:00"]),
        ];
        assert_eq!(
            source_format(&columns, &FieldFormat::default()).as_deref(),
            None,
            "a tie keeps ISO"
        );
        let columns = [
            column(&["31/10/2026"]),
            column(&["30/10/2026"]),
            column(&["x"]),
        ];
        assert_eq!(
            source_format(&columns, &FieldFormat::default()).as_deref(),
            Some("%d/%m/%Y")
        );
    }
}
