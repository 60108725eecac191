//! Reading one CSV export for `kpi init`: its encoding, delimiter, decimal separator and date
//! format, its header, and what a sample of its rows says about each column.
//!
//! The file is read by the same path as a source's (`ingest::Schema::open`, then
//! `ingest::scan::sample`), every column declared text so that the values come back as written:
//! blank lines before the header are skipped and a quote left open is an error with its line,
//! as for `kpi run`. What is tried here is the choice `kpis.toml` would otherwise leave to the
//! user (encoding, decimal, date format), by which choice reads the most columns; then the
//! column types, as an analyst would read them (`names`): identifiers and codes stay text, and
//! a column of 0 and 1 is a flag.

use super::{dates, names};
use crate::config::{Encoding, Source, DEFAULT_MAX_ROW_DROP};
use crate::ingest::parse::FieldFormat;
use crate::ingest::{files, header, scan, sniff, Schema, Sink};
use crate::value::{DataType, Value};
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
    /// Text although its values read as numbers (an identifier, a code, `02134`): declared
    /// `"string"`, so that `kpi run` never infers a number from another export.
    pub kept_text: bool,
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
    let values = sample_columns(path, &input, delimiter, &header)?;
    let (decimal, date_format) = best_format(&values);
    let format = field_format(decimal, date_format.clone());
    let columns = header
        .into_iter()
        .zip(&values)
        .map(|(name, values)| column(name, values, &format))
        .collect();
    Ok(Profile {
        delimiter,
        decimal,
        encoding,
        date_format,
        columns,
    })
}

/// One column's type and shape. Numbers named like an identifier are text (a customer number
/// is never summed; `02134` keeps its zero, which `sniff` already sees); 0 and 1, both seen, are
/// a flag unless the name says a count.
fn column(name: String, values: &[String], format: &FieldFormat) -> Column {
    let inferred = sniff::infer_type(values.iter().map(String::as_str), format);
    let levels = levels(values, format);
    let zero_one = levels.len() == 2 && levels.iter().all(|(v, _)| v == "0" || v == "1");
    let number = inferred == DataType::Number;
    let ty = if number && names::is_identifier(&name) {
        DataType::String
    } else if number && zero_one && !names::is_count(&name) {
        DataType::Bool
    } else {
        inferred
    };
    Column {
        kept_text: ty == DataType::String && digits_only(values, format),
        money_shaped: money_shaped(values, format),
        ty,
        levels,
        name,
    }
}

/// Every value reads as a number (leading zeros allowed): a column `kpi run` could come to
/// infer as one from another export, so its text type is declared.
fn digits_only(values: &[String], format: &FieldFormat) -> bool {
    let mut present = values
        .iter()
        .filter(|v| !crate::ingest::parse::is_null(v, format))
        .peekable();
    present.peek().is_some()
        && present.all(|v| crate::ingest::parse::parse_number(v, format.decimal).is_some())
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

/// The values of each column in the first rows, as written (trimmed; blank is ""), read as a
/// source whose every column is text.
fn sample_columns(
    path: &Path,
    input: &files::Input,
    delimiter: u8,
    header: &[String],
) -> Result<Vec<Vec<String>>> {
    let text = path.to_string_lossy();
    let source = Source {
        name: "init".into(),
        // A path is taken as a glob pattern when it has `*`, `?` or `[`.
        path: glob::Pattern::escape(&text).into(),
        delimiter: Some(delimiter),
        decimal: b'.',
        encoding: input.encoding,
        sheet: input.sheet.clone(),
        date_format: None,
        null_values: Vec::new(),
        key: None,
        filter: None,
        columns: header
            .iter()
            .map(|h| (h.clone(), DataType::String))
            .collect(),
        table: None,
        lookups: Vec::new(),
        fresh_within: None,
        max_row_drop: DEFAULT_MAX_ROW_DROP,
        computed: Vec::new(),
        rollup: None,
    };
    let schema = Schema::open(&source)?;
    let used: Vec<usize> = (0..header.len()).collect();
    let mut sink = RawSample {
        columns: vec![Vec::new(); header.len()],
        rows: 0,
    };
    scan::sample(&schema, &used, &mut sink)?;
    Ok(sink.columns)
}

/// The first `SAMPLE_ROWS` rows, as text.
struct RawSample {
    columns: Vec<Vec<String>>,
    rows: usize,
}

impl Sink for RawSample {
    fn add_row(&mut self, row: &[Value<'_>]) -> bool {
        if self.rows < SAMPLE_ROWS {
            self.rows += 1;
            for (column, value) in self.columns.iter_mut().zip(row) {
                column.push(match value {
                    Value::Str(s) => s.to_string(),
                    _ => String::new(),
                });
            }
        }
        true
    }

    fn is_full(&self) -> bool {
        self.rows >= SAMPLE_ROWS
    }

    // A sample is read on one thread, in file order; parts would merge in that order.
    fn absorb(&mut self, other: Self) {
        for (column, more) in self.columns.iter_mut().zip(other.columns) {
            column.extend(more);
        }
        self.rows += other.rows;
    }
}

fn field_format(decimal: u8, date_format: Option<String>) -> FieldFormat {
    FieldFormat {
        decimal,
        date_format,
        null_values: DEFAULT_NULLS.iter().map(|s| s.to_string()).collect(),
    }
}

/// The decimal separator that reads the most columns as numbers (a tie keeps the point), then
/// the date format the values decide (`dates`).
pub fn best_format(columns: &[Vec<String>]) -> (u8, Option<String>) {
    let numbers = |decimal| {
        let format = field_format(decimal, None);
        columns
            .iter()
            .filter(|c| {
                sniff::infer_type(c.iter().map(String::as_str), &format) == DataType::Number
            })
            .count()
    };
    let decimal = if numbers(b',') > numbers(b'.') {
        b','
    } else {
        b'.'
    };
    (
        decimal,
        dates::source_format(columns, &field_format(decimal, None)),
    )
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
    fn identifiers_stay_text_and_zero_one_is_a_flag() {
        let fmt = field_format(b'.', None);
        let of = |name: &str, v: &[&str]| {
            let values: Vec<String> = v.iter().map(|s| s.to_string()).collect();
            let c = column(name.into(), &values, &fmt);
            (c.ty, c.kept_text)
        };
        assert_eq!(
            of("Postal Code", &["42420", "10001"]),
            (DataType::String, true)
        );
        assert_eq!(of("zip", &["02134", ""]), (DataType::String, true));
        assert_eq!(of("Row ID", &["1", "2"]), (DataType::String, true));
        assert_eq!(of("customerID", &["7590-VHVEG"]), (DataType::String, false));
        assert_eq!(
            of("SeniorCitizen", &["0", "1", "0"]),
            (DataType::Bool, false)
        );
        assert_eq!(of("PhoneService", &["Yes", "No"]), (DataType::Bool, false));
        assert_eq!(of("has_gtin", &["True", "False"]), (DataType::Bool, false));
        // A count of 0 and 1, or a column of 1 alone, stays a number.
        assert_eq!(of("quantity", &["0", "1"]), (DataType::Number, false));
        assert_eq!(of("score", &["1", "1"]), (DataType::Number, false));
        assert_eq!(of("tenure", &["0", "34"]), (DataType::Number, false));
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
