//! Column types from the data: declared types win, the others are inferred from the first rows
//! of the source's files, file after file (a header-only export first in a glob leaves the
//! inference to the next file). The same first rows are what `time_columns` looks at.
//!
//! What one value may be is decided in `parse`; how evidence adds up, in `sniff`.

use super::files;
use super::header::next_header;
use super::located::{located, unclosed_quote};
use super::mismatch::find_column;
use super::parse::FieldFormat;
use super::records::{Record, RecordReader};
use super::sniff::Evidence;
use crate::config::Source;
use crate::value::DataType;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Rows read to infer the types of undeclared columns (and to look at a time column).
pub(super) const INFERENCE_ROWS: usize = 20_000;

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
pub(super) fn for_sample_rows(
    source: &Source,
    files: &[PathBuf],
    header: &[String],
    delimiter: u8,
    mut each: impl FnMut(&Path, u64, &Record<'_>) -> bool,
) -> Result<bool> {
    for path in files {
        let Ok(input) = files::open(path, &files::Input::of_source(source)) else {
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
