//! One spreadsheet cell as the text a CSV export of its sheet holds, written so that the CSV
//! parser reads back the cell's value: numbers with the source's decimal separator, dates in
//! ISO 8601 or the source's `date_format`, booleans as `true`/`false`, errors as Excel shows
//! them (`#DIV/0!`, an invalid value of a number column).

use calamine::{Data, ExcelDateTime};
use chrono::{NaiveDate, NaiveDateTime};
use std::fmt::Write;

/// How typed cells are written as text: as the source's text cells are, so one parser reads
/// both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellText {
    /// `b'.'` or `b','`.
    pub decimal: u8,
    /// The source's strftime pattern for dates; None: ISO 8601.
    pub date_format: Option<String>,
}

impl Default for CellText {
    /// A decimal point and ISO dates.
    fn default() -> Self {
        CellText {
            decimal: b'.',
            date_format: None,
        }
    }
}

/// Appends the cell's text, quoted as CSV when it holds a comma, a quote or a line break.
pub fn write_cell(out: &mut Vec<u8>, cell: &Data, text: &CellText) {
    match cell {
        Data::Empty => {}
        Data::String(s) | Data::DurationIso(s) => quoted(out, s),
        Data::DateTimeIso(s) if text.date_format.is_none() => quoted(out, s),
        Data::DateTimeIso(s) => quoted(out, &iso_in_pattern(s, text)),
        Data::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Data::Float(f) => number(out, *f, text.decimal),
        Data::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Data::DateTime(dt) => quoted(out, &date_time(dt, text)),
        Data::Error(e) => quoted(out, &e.to_string()),
    }
}

/// The shortest text that reads back as the same f64, with the source's decimal separator.
fn number(out: &mut Vec<u8>, value: f64, decimal: u8) {
    let text = value.to_string();
    out.extend(text.bytes().map(|b| if b == b'.' { decimal } else { b }));
}

/// A date cell: the date, with its time of day when it has one; a time-only cell (a serial
/// below one day) is its time; a duration is `H:MM:SS`, as Excel shows `[h]:mm:ss`.
fn date_time(dt: &ExcelDateTime, text: &CellText) -> String {
    let serial = dt.as_f64();
    if dt.is_duration() || (0.0..1.0).contains(&serial) {
        let seconds = (serial * 86_400.0).round() as i64;
        return format!(
            "{}:{:02}:{:02}",
            seconds / 3600,
            seconds % 3600 / 60,
            seconds % 60
        );
    }
    let (y, m, d, hh, mm, ss, ms) = dt.to_ymd_hms_milli();
    let stamp = NaiveDate::from_ymd_opt(y.into(), m.into(), d.into())
        .and_then(|date| date.and_hms_milli_opt(hh.into(), mm.into(), ss.into(), ms.into()));
    match stamp {
        Some(stamp) => formatted(stamp, text),
        // Only Excel's phantom 1900-02-29 has no calendar date: shown as Excel shows it.
        None => format!("{y:04}-{m:02}-{d:02}"),
    }
}

/// A date and time in the source's pattern, else ISO 8601 (the date alone at midnight).
fn formatted(stamp: NaiveDateTime, text: &CellText) -> String {
    if let Some(pattern) = &text.date_format {
        let mut out = String::new();
        // A pattern chrono cannot write for a naive time (`%z`) falls back to ISO below.
        if write!(out, "{}", stamp.format(pattern)).is_ok() {
            return out;
        }
    }
    let time = stamp.time();
    if time == chrono::NaiveTime::MIN {
        stamp.format("%Y-%m-%d").to_string()
    } else if stamp.and_utc().timestamp_subsec_millis() == 0 {
        stamp.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        stamp.format("%Y-%m-%d %H:%M:%S%.3f").to_string()
    }
}

/// An ISO date cell (OpenDocument stores them so) in the source's pattern, as the other date
/// cells; left as it is when it is not a date.
fn iso_in_pattern(iso: &str, text: &CellText) -> String {
    let stamp = NaiveDateTime::parse_from_str(iso, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(iso, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        });
    stamp.map_or_else(|| iso.to_string(), |s| formatted(s, text))
}

/// A CSV field: quoted when it must be, quotes doubled.
fn quoted(out: &mut Vec<u8>, s: &str) {
    if !s.contains([',', '"', '\n', '\r']) {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    out.push(b'"');
    for b in s.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTimeType};

    fn text_of(cell: Data, text: &CellText) -> String {
        let mut out = Vec::new();
        write_cell(&mut out, &cell, text);
        String::from_utf8(out).unwrap()
    }

    fn iso() -> CellText {
        CellText::default()
    }

    fn date(serial: f64) -> Data {
        Data::DateTime(ExcelDateTime::new(
            serial,
            ExcelDateTimeType::DateTime,
            false,
        ))
    }

    #[test]
    fn numbers_read_back_as_the_same_f64() {
        assert_eq!(text_of(Data::Float(1234.5), &iso()), "1234.5");
        assert_eq!(text_of(Data::Float(3.0), &iso()), "3");
        assert_eq!(text_of(Data::Float(0.1), &iso()), "0.1");
        assert_eq!(text_of(Data::Int(-7), &iso()), "-7");
        let comma = CellText {
            decimal: b',',
            date_format: None,
        };
        assert_eq!(text_of(Data::Float(1234.5), &comma), "1234,5");
    }

    #[test]
    fn dates_are_iso_or_the_source_pattern() {
        // 46027 is 2026-01-05 in Excel's 1900 system.
        assert_eq!(text_of(date(46027.0), &iso()), "2026-01-05");
        assert_eq!(text_of(date(46027.5), &iso()), "2026-01-05 12:00:00");
        assert_eq!(text_of(date(0.25), &iso()), "6:00:00");
        let french = CellText {
            decimal: b',',
            date_format: Some("%d/%m/%Y".into()),
        };
        assert_eq!(text_of(date(46027.0), &french), "05/01/2026");
        let iso_cell = Data::DateTimeIso("2026-01-05".into());
        assert_eq!(text_of(iso_cell, &french), "05/01/2026");
    }

    #[test]
    fn text_is_quoted_only_when_needed() {
        assert_eq!(text_of(Data::String("EMEA".into()), &iso()), "EMEA");
        assert_eq!(
            text_of(Data::String("Acme, \"Inc\"".into()), &iso()),
            "\"Acme, \"\"Inc\"\"\""
        );
        assert_eq!(text_of(Data::Bool(true), &iso()), "true");
        assert_eq!(text_of(Data::Error(CellErrorType::Div0), &iso()), "#DIV/0!");
        assert_eq!(text_of(Data::Empty, &iso()), "");
    }
}
