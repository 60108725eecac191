//! The streaming pass over a source: every row, once, as typed values of the used columns.
//!
//! Memory stays flat: one record buffer and one value buffer are reused for every row. With a
//! `key`, a first pass over the key column alone finds each key's last row (keep-last), and the
//! second pass skips the others: the map holds one entry per distinct key, not the rows.

use super::files;
use super::lookup::Cell;
use super::parse::parse_field;
use super::schema::Schema;
use crate::progress::Progress;
use crate::value::{recycle, DataType, Value};
use anyhow::{anyhow, bail, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where something was first seen: file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: u64,
}

/// A problem counted over the pass, with its first occurrence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Issue {
    pub count: u64,
    pub first: Option<Location>,
}

impl Issue {
    fn record(&mut self, file: &Path, line: u64) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(Location {
                file: file.to_path_buf(),
                line,
            });
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ScanStats {
    /// Data rows in the files (header excluded), ragged ones included.
    pub rows_read: u64,
    /// Rows skipped because a later row has the same key.
    pub duplicates: u64,
    /// Rows whose number of fields differs from the header's: skipped.
    pub ragged: Issue,
    /// Per used column (by name): values that did not parse as the column's type (made null).
    pub invalid: Vec<(String, DataType, Issue)>,
}

/// Where each used column's value comes from.
enum Slot {
    Field(usize, DataType),
    Lookup { table: usize, cell: usize },
}

/// Streams the rows of a source, calling `on_row` with the values of `used` columns (indices
/// into `schema.columns`), in that order.
pub fn scan(
    schema: &Schema,
    used: &[usize],
    progress: &Progress,
    on_row: &mut dyn FnMut(&[Value<'_>]),
) -> Result<ScanStats> {
    let slots = slots(schema, used);
    let mut stats = ScanStats {
        invalid: used
            .iter()
            .map(|&c| {
                (
                    schema.columns[c].0.clone(),
                    schema.columns[c].1,
                    Issue::default(),
                )
            })
            .collect(),
        ..ScanStats::default()
    };
    let last_rows = match schema.key {
        Some(key) => Some(last_row_per_key(schema, key)?),
        None => None,
    };
    let width = schema.header.len();
    let mut record = csv::StringRecord::new();
    let mut buffer: Vec<Value<'static>> = Vec::with_capacity(used.len());
    let mut ordinal: u64 = 0;
    let mut done_bytes = 0;
    for file in &schema.files {
        let mut reader = files::csv_reader(file, schema.encoding, schema.delimiter)?;
        let mut first = true;
        while reader
            .read_record(&mut record)
            .map_err(|e| csv_error(e, file))?
        {
            if std::mem::take(&mut first) {
                continue; // the header, checked when the schema was read
            }
            let (line, byte) = record.position().map_or((0, 0), |p| (p.line(), p.byte()));
            if stats.rows_read.is_multiple_of(65_536) {
                progress.set(done_bytes + byte, stats.rows_read);
                crate::interrupt::check()?;
            }
            stats.rows_read += 1;
            if record.len() != width {
                if record.len() == 1 && record[0].trim().is_empty() {
                    stats.rows_read -= 1; // a blank line is not a row
                    continue;
                }
                if let Some(swallowed) = swallowed_lines(&record) {
                    bail!(
                        "{}:{line}: malformed CSV: a quote opened on this line is not closed where the row ends; \
                         the row runs over {swallowed} more line(s) and has {} fields instead of {width}\n  \
                         hint: look for a stray \" in that row",
                        file.display(),
                        record.len()
                    );
                }
                stats.ragged.record(file, line);
                continue;
            }
            ordinal += 1;
            if let (Some(last), Some(key)) = (&last_rows, schema.key) {
                let k = record[key].trim();
                if !k.is_empty() && last.get(k) != Some(&ordinal) {
                    stats.duplicates += 1;
                    continue;
                }
            }
            let mut values = recycle(std::mem::take(&mut buffer));
            for (i, slot) in slots.iter().enumerate() {
                let value = match *slot {
                    Slot::Field(index, ty) => parse_field(&record[index], ty, &schema.format)
                        .unwrap_or_else(|()| {
                            stats.invalid[i].2.record(file, line);
                            Value::Null
                        }),
                    Slot::Lookup { table, cell } => schema
                        .lookups
                        .get(table)
                        .and_then(|lookup| lookup.get(record.get(lookup.on)?))
                        .and_then(|cells| cells.get(cell))
                        .map_or(Value::Null, Cell::as_value),
                };
                values.push(value);
            }
            on_row(&values);
            buffer = recycle(values);
        }
        done_bytes += std::fs::metadata(file).map_or(0, |m| m.len());
    }
    progress.finish();
    Ok(stats)
}

/// Line breaks inside the fields of a ragged record: the mark of an unbalanced quote, which
/// swallows the following lines into one field (a real quoted line break keeps the row whole).
fn swallowed_lines(record: &csv::StringRecord) -> Option<usize> {
    let breaks: usize = record.iter().map(|f| f.matches('\n').count()).sum();
    (breaks > 0).then_some(breaks)
}

fn slots(schema: &Schema, used: &[usize]) -> Vec<Slot> {
    let width = schema.header.len();
    used.iter()
        .map(|&c| {
            if c < width {
                return Slot::Field(c, schema.columns[c].1);
            }
            let mut offset = c - width;
            for (table, lookup) in schema.lookups.iter().enumerate() {
                if offset < lookup.columns.len() {
                    return Slot::Lookup {
                        table,
                        cell: offset,
                    };
                }
                offset -= lookup.columns.len();
            }
            Slot::Lookup {
                table: usize::MAX,
                cell: 0,
            }
        })
        .collect()
}

/// First pass for keep-last deduplication: the ordinal of the last row of each key.
fn last_row_per_key(schema: &Schema, key: usize) -> Result<HashMap<String, u64>> {
    let mut last = HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut ordinal: u64 = 0;
    for file in &schema.files {
        let mut reader = files::csv_reader(file, schema.encoding, schema.delimiter)?;
        let mut first = true;
        while reader
            .read_record(&mut record)
            .map_err(|e| csv_error(e, file))?
        {
            if std::mem::take(&mut first) || record.len() != schema.header.len() {
                continue;
            }
            ordinal += 1;
            if ordinal.is_multiple_of(65_536) {
                crate::interrupt::check()?;
            }
            let k = record[key].trim();
            if !k.is_empty() {
                match last.get_mut(k) {
                    Some(o) => *o = ordinal,
                    None => {
                        last.insert(k.to_string(), ordinal);
                    }
                }
            }
        }
    }
    Ok(last)
}

/// A CSV reading error as a message naming the file and line, with a hint for encodings.
pub fn csv_error(err: csv::Error, path: &Path) -> anyhow::Error {
    let line = err.position().map(|p| p.line());
    let at = match line {
        Some(l) => format!("{}:{l}", path.display()),
        None => path.display().to_string(),
    };
    match err.kind() {
        csv::ErrorKind::Utf8 { .. } => anyhow!(
            "{at}: the file is not valid UTF-8\n  hint: if it comes from Excel on Windows, set encoding = \"windows-1252\" on the source"
        ),
        csv::ErrorKind::Io(e) => anyhow!("{at}: cannot read: {e}"),
        _ => anyhow!("{at}: malformed CSV: {err}"),
    }
}
