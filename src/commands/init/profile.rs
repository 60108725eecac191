//! Reading one CSV export for `kpi init`: its encoding, delimiter, decimal separator and date
//! format, its header, and what a sample of its rows says about each column.
//!
//! The delimiter and the column types come from `ingest::sniff`, as when a source without
//! declarations is read; what is tried here is the choice `kpis.toml` would otherwise leave to
//! the user (encoding, decimal, date format), by which choice reads the most columns.

use crate::config::Encoding;
use crate::ingest::parse::FieldFormat;
use crate::ingest::{files, header, sniff};
use crate::value::DataType;
use anyhow::{bail, Context, Result};
use std::io::Read;
use std::path::Path;

/// Bytes read to tell UTF-8 from windows-1252: a stray `é` is seldom in the first line.
const ENCODING_BYTES: u64 = 4 << 20;
/// Rows read to infer types, as `Schema::open` does.
const SAMPLE_ROWS: usize = 20_000;
/// More distinct values than this and a column is not a category.
pub const MAX_LEVELS: usize = 20;
/// What `null_values` means when not set (as in `config::source`).
const DEFAULT_NULLS: [&str; 3] = ["", "NULL", "N/A"];

/// Date formats tried when ISO 8601 does not read a column: day first (European exports) before
/// month first, so that an ambiguous `05/10/2026` is read as the 5th of October.
const DATE_FORMATS: [&str; 10] = [
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d-%m-%Y",
    "%Y/%m/%d",
];

/// What `kpi init` learnt about one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub delimiter: u8,
    pub decimal: u8,
    pub encoding: Encoding,
    /// None: ISO 8601 dates (or no dates at all).
    pub date_format: Option<String>,
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub ty: DataType,
    /// Its distinct values (trimmed, nulls aside) with their counts, in order of appearance;
    /// cut at `MAX_LEVELS + 1`.
    pub levels: Vec<(String, usize)>,
    /// Every value has a currency sign or two decimals, as amounts do.
    pub money_shaped: bool,
}

/// Reads and profiles one CSV file; any problem reading it is an error naming the file.
pub fn profile(path: &Path) -> Result<Profile> {
    let encoding = detect_encoding(&head(path)?);
    let input = files::Input::text(encoding);
    let sample = files::sample(path, &input, 64 * 1024)?;
    // A spreadsheet's text is comma-separated whatever its cells hold.
    let sniffed = match files::is_spreadsheet(path) {
        true if !sample.is_empty() => Some(b','),
        _ => sniff::sniff_delimiter(&sample),
    };
    let Some(delimiter) = sniffed else {
        bail!(
            "{} is empty: a CSV export needs at least a header line",
            path.display()
        );
    };
    let header = header::read_header(path, &input, delimiter)?;
    let values = sample_columns(path, &input, delimiter, header.len())?;
    let (decimal, date_format) = best_format(&values);
    let format = field_format(decimal, date_format.clone());
    let columns = header
        .into_iter()
        .zip(&values)
        .map(|(name, values)| Column {
            ty: sniff::infer_type(values.iter().map(String::as_str), &format),
            levels: levels(values, &format),
            money_shaped: money_shaped(values, &format),
            name,
        })
        .collect();
    Ok(Profile {
        delimiter,
        decimal,
        encoding,
        date_format,
        columns,
    })
}

/// The first bytes as read, decompressed (a spreadsheet's are its UTF-8 text).
fn head(path: &Path) -> Result<Vec<u8>> {
    let file = files::open(path, &files::Input::text(Encoding::Utf8))?;
    let mut bytes = Vec::new();
    file.take(ENCODING_BYTES)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(bytes)
}

/// UTF-8 when the bytes are; else windows-1252, what Excel writes in Western Europe (and a
/// superset of latin-1 for every printable character).
pub fn detect_encoding(bytes: &[u8]) -> Encoding {
    match std::str::from_utf8(bytes) {
        Ok(_) => Encoding::Utf8,
        // Cut inside a character at the end of the sample: still UTF-8.
        Err(e) if e.error_len().is_none() => Encoding::Utf8,
        Err(_) => Encoding::Windows1252,
    }
}

/// The values of each column in the first rows (the header and ragged rows left out).
fn sample_columns(
    path: &Path,
    input: &files::Input,
    delimiter: u8,
    width: usize,
) -> Result<Vec<Vec<String>>> {
    let mut columns = vec![Vec::new(); width];
    let mut reader = files::csv_reader(path, input, delimiter)?;
    let mut record = csv::StringRecord::new();
    let mut rows = 0;
    // A bad line ends the sample: the types are inferred from the rows before it, and
    // `kpi run` reports the line itself.
    while rows <= SAMPLE_ROWS && matches!(reader.read_record(&mut record), Ok(true)) {
        rows += 1;
        if rows == 1 || record.len() != width {
            continue;
        }
        for (column, field) in columns.iter_mut().zip(record.iter()) {
            column.push(field.to_string());
        }
    }
    Ok(columns)
}

fn field_format(decimal: u8, date_format: Option<String>) -> FieldFormat {
    FieldFormat {
        decimal,
        date_format,
        null_values: DEFAULT_NULLS.iter().map(|s| s.to_string()).collect(),
    }
}

/// The decimal separator and date format that read the most columns as numbers, then as dates;
/// a tie keeps the decimal point and ISO dates.
pub fn best_format(columns: &[Vec<String>]) -> (u8, Option<String>) {
    let count = |format: &FieldFormat, pick: fn(DataType) -> bool| {
        columns
            .iter()
            .filter(|c| pick(sniff::infer_type(c.iter().map(String::as_str), format)))
            .count()
    };
    let numbers = |decimal| count(&field_format(decimal, None), |t| t == DataType::Number);
    let decimal = if numbers(b',') > numbers(b'.') {
        b','
    } else {
        b'.'
    };
    let mut best = (
        count(&field_format(decimal, None), DataType::is_temporal),
        None,
    );
    for pattern in DATE_FORMATS {
        let format = field_format(decimal, Some(pattern.to_string()));
        let dates = count(&format, DataType::is_temporal);
        if dates > best.0 {
            best = (dates, Some(pattern.to_string()));
        }
    }
    (decimal, best.1)
}

/// Distinct values with their counts, in order of appearance, stopping past `MAX_LEVELS`.
fn levels(values: &[String], format: &FieldFormat) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for value in values.iter().map(|v| v.trim()) {
        if crate::ingest::parse::is_null(value, format) {
            continue;
        }
        if let Some((_, n)) = out.iter_mut().find(|(v, _)| v == value) {
            *n += 1;
        } else if out.len() > MAX_LEVELS {
            break;
        } else {
            out.push((value.to_string(), 1));
        }
    }
    out
}

/// Whether every value looks like an amount: a currency sign, or exactly two decimals.
pub fn money_shaped(values: &[String], format: &FieldFormat) -> bool {
    let decimal = format.decimal as char;
    let mut any = false;
    for value in values.iter().map(|v| v.trim()) {
        if crate::ingest::parse::is_null(value, format) {
            continue;
        }
        any = true;
        let sign = value.contains(['€', '$', '£']);
        let cents = value
            .rsplit_once(decimal)
            .is_some_and(|(_, frac)| frac.len() == 2 && frac.bytes().all(|b| b.is_ascii_digit()));
        if !(sign || cents) {
            return false;
        }
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(rows: &[&[&str]]) -> Vec<Vec<String>> {
        let width = rows[0].len();
        (0..width)
            .map(|i| rows.iter().map(|r| r[i].to_string()).collect())
            .collect()
    }

    #[test]
    fn tells_utf8_from_windows_1252() {
        assert_eq!(detect_encoding("Équipe".as_bytes()), Encoding::Utf8);
        assert_eq!(detect_encoding(b"\xc9quipe"), Encoding::Windows1252);
        assert_eq!(detect_encoding(b"\x80 5"), Encoding::Windows1252);
        // A sample cut in the middle of `é` is still UTF-8.
        assert_eq!(detect_encoding(b"caf\xc3"), Encoding::Utf8);
        assert_eq!(detect_encoding(b""), Encoding::Utf8);
    }

    #[test]
    fn finds_decimal_commas_and_day_first_dates() {
        let french = columns(&[
            &["05/10/2026 14:30", "4,5", "1 234,50"],
            &["13/10/2026 09:05", "24", "12,00"],
        ]);
        assert_eq!(
            best_format(&french),
            (b',', Some("%d/%m/%Y %H:%M".to_string()))
        );
        let american = columns(&[&["10/13/2026", "4.5"], &["10/05/2026", "1,234.5"]]);
        assert_eq!(best_format(&american), (b'.', Some("%m/%d/%Y".to_string())));
        let iso = columns(&[&["2026-10-05", "12"], &["2026-10-13", "7"]]);
        assert_eq!(best_format(&iso), (b'.', None));
        // Nothing to tell them apart: day first.
        let ambiguous = columns(&[&["05/10/2026"], &["06/11/2026"]]);
        assert_eq!(
            best_format(&ambiguous),
            (b'.', Some("%d/%m/%Y".to_string()))
        );
    }

    #[test]
    fn amounts_have_cents_or_a_currency_sign() {
        let fmt = field_format(b'.', None);
        let of = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(money_shaped(&of(&["3200.00", " 12.50", "", "N/A"]), &fmt));
        assert!(money_shaped(&of(&["€12", "$3"]), &fmt));
        assert!(!money_shaped(&of(&["3200.00", "4.5"]), &fmt));
        assert!(!money_shaped(&of(&["", "NULL"]), &fmt));
        assert!(money_shaped(&of(&["1 234,50"]), &field_format(b',', None)));
    }

    #[test]
    fn counts_levels_up_to_a_limit() {
        let fmt = field_format(b'.', None);
        let values: Vec<String> = ["Won", "Lost", "", "Won", " Won "]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            levels(&values, &fmt),
            [("Won".to_string(), 3), ("Lost".to_string(), 1)]
        );
        let many: Vec<String> = (0..100).map(|i| i.to_string()).collect();
        assert_eq!(levels(&many, &fmt).len(), MAX_LEVELS + 1);
    }
}
