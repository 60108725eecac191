//! Column types from the data: declared types win, the others are inferred from the first rows
//! of the source's files, file after file (a header-only export first in a glob leaves the
//! inference to the next file). Also what those rows say of a KPI's time column, to tell a
//! column of no dates (the data's fault) from a wrong column (the configuration's).
//!
//! What one value may be is decided in `parse`; how evidence adds up, in `sniff`.

use super::date_guess;
use super::files;
use super::parse::{is_null, parse_date_only, parse_datetime, FieldFormat};
use super::quality::KEPT_EXAMPLES;
use super::records::RecordReader;
use super::row::unclosed_quote;
use super::scan::located;
use super::schema::{find_column, next_header, Schema};
use super::sniff::Evidence;
use crate::config::Source;
use crate::value::DataType;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Rows read to infer the types of undeclared columns (and to look at a time column).
const INFERENCE_ROWS: usize = 20_000;

/// The header's types, and what the sample could not decide.
pub(super) struct Inferred {
    pub types: Vec<DataType>,
    pub declared: Vec<bool>,
    /// Undeclared columns with no value in any row, when the sample was all the rows.
    pub empty: Vec<usize>,
}

/// Declared types win; the others are inferred from the first rows. A column with no value
/// is a string, unless the sample is all the data: then it is listed in `empty`, for its uses
/// to type (no row holds a value that a type could read differently).
pub(super) fn column_types(
    source: &Source,
    files: &[PathBuf],
    delimiter: u8,
    header: &[String],
    format: &FieldFormat,
) -> Result<Inferred> {
    for (name, _) in &source.columns {
        find_column(header, name, &source.name, "columns")?;
    }
    let declared: Vec<Option<DataType>> = header
        .iter()
        .map(|name| {
            let found = source
                .columns
                .iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(name));
            found.map(|(_, t)| *t)
        })
        .collect();
    let mut evidence: Vec<Evidence> = header.iter().map(|_| Evidence::new(format)).collect();
    // Columns still undecided; a declared one, or one that can only be a string, is not.
    let mut open: Vec<usize> = (0..header.len())
        .filter(|&i| declared[i].is_none())
        .collect();
    let mut rows = 0;
    let whole = for_sample_rows(source, files, header, delimiter, |_, _, record| {
        if open.is_empty() || rows == INFERENCE_ROWS {
            return false;
        }
        rows += 1;
        for &i in &open {
            evidence[i].offer(&String::from_utf8_lossy(record.field(i)));
        }
        open.retain(|&i| !evidence[i].only_string());
        true
    })?;
    let empty = (0..header.len())
        .filter(|&i| whole && declared[i].is_none() && !evidence[i].seen_any())
        .collect();
    Ok(Inferred {
        types: declared
            .iter()
            .zip(&evidence)
            .map(|(declared, evidence)| declared.unwrap_or_else(|| evidence.verdict()))
            .collect(),
        declared: declared.iter().map(Option::is_some).collect(),
        empty,
    })
}

/// Feeds `each` the full-width records of the files, in order, with their file and line, until
/// it returns false. Returns whether every row was read. A bad line ends the sample quietly (the
/// scan reports it with its line), except a quote open to the end of the file: with the rest of
/// the file in one value, the sample is no guide to the types, and the configuration must not be
/// blamed for what follows (a number column typed a string), so that is the error here.
fn for_sample_rows(
    source: &Source,
    files: &[PathBuf],
    header: &[String],
    delimiter: u8,
    mut each: impl FnMut(&Path, u64, &super::records::Record<'_>) -> bool,
) -> Result<bool> {
    for path in files {
        let Ok(input) = files::open(path, source.encoding) else {
            return Ok(false);
        };
        let mut reader = RecordReader::new(input, delimiter);
        let Ok(found) = next_header(&mut reader, path) else {
            return Ok(false);
        };
        let mut lines = found.map_or(0, |h| h.lines);
        loop {
            let record = match reader.next_record() {
                Ok(Some(record)) => record,
                Ok(None) => break,
                Err(_) => return Ok(false),
            };
            let line = lines + 1 + record.blank_lines_before();
            lines += record.line_breaks();
            unclosed_quote(&record, line, header).map_err(|e| located(e, path, 0))?;
            if record.len() == header.len() && !each(path, line, &record) {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

impl Schema {
    /// Checks the time columns of KPIs (`(kpi, column)` pairs) against the first rows: a header
    /// column that holds values, none of them a date or datetime, is the data's fault (exit 4),
    /// not the configuration's: the message names the file, the line and a value. A column
    /// that is not in the header, or holds some date, is left to type checking.
    pub fn check_time_columns<'k>(
        &self,
        source: &Source,
        times: impl IntoIterator<Item = (&'k str, &'k str)>,
    ) -> Result<(), String> {
        let mut checked = Vec::new();
        for (kpi, name) in times {
            let Some(column) = self
                .header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
            else {
                continue;
            };
            // KPIs sharing a time column: its first rows are read once.
            if checked.contains(&column) {
                continue;
            }
            checked.push(column);
            // An inferred date or datetime column holds only dates: nothing to look at.
            if self.columns[column].1.is_temporal() && !self.declared[column] {
                continue;
            }
            if let Some(found) = self.first_non_dates(source, column) {
                return Err(no_date_message(source, kpi, &self.header[column], &found));
            }
        }
        Ok(())
    }

    /// The first value of `column` and the count of values, when no value of the first rows
    /// is a date or datetime (None when one is, or when there is no value).
    fn first_non_dates(&self, source: &Source, column: usize) -> Option<NonDates> {
        let pattern = self.format.date_format.as_deref();
        let mut found: Option<NonDates> = None;
        let mut some_date = false;
        let mut rows = 0;
        let _ = for_sample_rows(
            source,
            &self.files,
            &self.header,
            self.delimiter,
            |path, line, record| {
                rows += 1;
                let value = String::from_utf8_lossy(record.field(column));
                let value = value.trim();
                if is_null(value, &self.format) {
                    return rows < INFERENCE_ROWS;
                }
                if parse_date_only(value, pattern).is_some()
                    || parse_datetime(value, pattern).is_some()
                {
                    some_date = true;
                    return false;
                }
                let found = found.get_or_insert_with(|| NonDates {
                    file: path.to_path_buf(),
                    line,
                    values: 0,
                    examples: Vec::new(),
                });
                found.values += 1;
                if found.examples.len() < KEPT_EXAMPLES {
                    found.examples.push(value.to_string());
                }
                rows < INFERENCE_ROWS
            },
        );
        found.filter(|_| !some_date)
    }
}

/// A time column's values, none of which is a date: the first one, and how many.
struct NonDates {
    file: PathBuf,
    line: u64,
    values: u64,
    /// The first values, the first one at `line` (they tell which format they read with).
    examples: Vec<String>,
}

impl NonDates {
    /// The format every example reads with as a date or a datetime, if one does.
    fn format(&self, current: Option<&str>) -> Option<String> {
        let examples: Vec<&str> = self.examples.iter().map(String::as_str).collect();
        [DataType::Date, DataType::DateTime]
            .into_iter()
            .find_map(|ty| date_guess::guess(&examples, ty, current))
    }
}

fn no_date_message(source: &Source, kpi: &str, column: &str, found: &NonDates) -> String {
    let hint = match (
        found.format(source.date_format.as_deref()),
        &source.date_format,
    ) {
        (Some(format), _) => date_guess::hint(&format, &source.name),
        (None, Some(pattern)) => format!(
            "the values do not match date_format = \"{pattern}\" of source `{}`: fix the pattern, \
             or point `time` at a date column",
            source.name
        ),
        (None, None) => format!(
            "if the dates are written another way, set date_format on source `{}` (such as \
             date_format = \"%d/%m/%Y\"); else point `time` at a date column",
            source.name
        ),
    };
    format!(
        "{}:{}: column `{column}`, the time of kpi `{kpi}`, holds no date: none of its {} value(s) \
         in the first rows reads as a date or datetime (this one is `{}`)\n  hint: {hint}",
        found.file.display(),
        found.line,
        found.values,
        found.examples.first().map_or("", String::as_str),
    )
}
