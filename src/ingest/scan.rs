//! The streaming pass over a source: every row, once, as typed values of the used columns,
//! handed to a [`Sink`].
//!
//! UTF-8 files without a deduplication key are split into byte ranges read by several threads
//! (see `chunks`), each into its own sink, merged in file order. Other files are read by one
//! thread: windows-1252 is transcoded while streaming, and keep-last deduplication needs the
//! rows in order (a first pass over the key column finds each key's last row; the map holds one
//! entry per distinct key, not the rows). Memory stays flat either way: a record buffer per
//! thread, and whatever the sinks keep.

use super::chunks;
use super::files;
use super::quality::{ColumnValues, Unmatched};
use super::records::RecordReader;
use super::row::{last_row_per_key, Dedup, RowDecoder, Stretch, StretchError};
use super::schema::Schema;
use crate::config::Encoding;
use crate::progress::Progress;
use crate::value::{DataType, Value};
use anyhow::{anyhow, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What the rows go to: one per thread and byte range, merged at the end. Merging must give
/// what one sink fed every row would give, whatever the split.
pub trait Sink: Send {
    /// Takes a row; returns whether it was kept (false: the source's filter removed it).
    fn add_row(&mut self, row: &[Value<'_>]) -> bool;
    /// A slot whose value alone can tell that a row is not wanted: it is parsed first, and
    /// [`Sink::wants`] decides whether the others are.
    fn gate(&self) -> Option<usize> {
        None
    }
    fn wants(&self, _gate_value: &Value<'_>) -> bool {
        true
    }
    /// A row turned down by [`Sink::wants`], still to be counted.
    fn add_unwanted(&mut self, _gate_value: &Value<'_>) {}
    /// Why the sink cannot take more rows (it would outgrow its limits): the pass stops.
    fn refusal(&self) -> Option<String> {
        None
    }
    /// Whether the sink has seen enough rows (a sample): the pass ends early, normally. Asked
    /// every few thousand rows, so a sink gets somewhat more rows than it asks for.
    fn is_full(&self) -> bool {
        false
    }
    fn absorb(&mut self, other: Self)
    where
        Self: Sized;
}

/// A sink's [`Sink::refusal`], carried up as the pass's error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// The sink's refusal as an error.
pub(super) fn refused<S: Sink>(sink: &S) -> Result<()> {
    match sink.refusal() {
        Some(reason) => Err(Refused(reason).into()),
        None => Ok(()),
    }
}

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
    /// Counts one occurrence at a line of the stretch being read (the file is set on merging).
    pub(super) fn record_local(&mut self, line: u64) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(Location {
                file: PathBuf::new(),
                line,
            });
        }
    }

    /// Adds a later stretch's occurrences, its lines shifted by the lines before it.
    fn absorb(&mut self, other: Issue, file: &Path, lines_before: u64) {
        self.count += other.count;
        if self.first.is_none() {
            self.first = other.first.map(|l| Location {
                file: file.to_path_buf(),
                line: l.line + lines_before,
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
    /// Per used column (by name): values present, and those that did not parse as the
    /// column's type (made null).
    pub values: Vec<(String, DataType, ColumnValues)>,
    /// Per lookup table (by name): rows whose key found no row in it.
    pub unmatched: Vec<(String, Unmatched)>,
}

impl ScanStats {
    fn new(schema: &Schema, used: &[usize]) -> ScanStats {
        ScanStats {
            values: used
                .iter()
                .map(|&c| {
                    let (name, ty) = &schema.columns[c];
                    (name.clone(), *ty, ColumnValues::default())
                })
                .collect(),
            unmatched: schema
                .lookups
                .iter()
                .map(|l| (l.name.clone(), Unmatched::default()))
                .collect(),
            ..ScanStats::default()
        }
    }

    /// Adds a stretch of `file` whose first line is line `lines_before + 1`.
    pub(super) fn absorb(&mut self, stretch: Stretch, file: &Path, lines_before: u64) {
        self.rows_read += stretch.rows_read;
        self.duplicates += stretch.duplicates;
        self.ragged.absorb(stretch.ragged, file, lines_before);
        for ((_, _, total), values) in self.values.iter_mut().zip(stretch.values) {
            total.absorb(values, file, lines_before);
        }
        for ((_, total), unmatched) in self.unmatched.iter_mut().zip(stretch.unmatched) {
            total.absorb(unmatched);
        }
    }
}

/// Streams the rows of a source into sinks made by `new_sink`, with the values of `used`
/// columns (indices into `schema.columns`) in that order, on up to `threads` threads.
pub fn scan<S: Sink>(
    schema: &Schema,
    used: &[usize],
    threads: usize,
    progress: &Progress,
    new_sink: &(dyn Fn() -> S + Sync),
) -> Result<(S, ScanStats)> {
    let decoder = RowDecoder::new(schema, used);
    let mut stats = ScanStats::new(schema, used);
    let splittable = schema.key.is_none() && schema.encoding == Encoding::Utf8;
    let sink = if threads > 1 && splittable {
        chunks::scan_split(schema, &decoder, threads, progress, new_sink, &mut stats)?
    } else {
        let mut sink = new_sink();
        scan_in_order(schema, &decoder, progress, &mut sink, &mut stats, true)?;
        sink
    };
    progress.finish();
    refused(&sink)?;
    Ok((sink, stats))
}

/// One thread, file after file, row after row; keep-last by the key if `deduplicate`.
fn scan_in_order<S: Sink>(
    schema: &Schema,
    decoder: &RowDecoder,
    progress: &Progress,
    sink: &mut S,
    stats: &mut ScanStats,
    deduplicate: bool,
) -> Result<()> {
    let mut dedup = match schema.key.filter(|_| deduplicate) {
        Some(key) => Some(first_pass(schema, key)?),
        None => None,
    };
    let mut done_bytes = 0;
    for file in &schema.files {
        let mut reader = RecordReader::new(files::open(file, schema.encoding)?, schema.delimiter);
        let header_lines = skip_header(&mut reader, file)?;
        let rows_before = stats.rows_read;
        let mut tick = |offset: u64, rows: u64| {
            progress.set(done_bytes + offset, rows_before + rows);
            Ok(crate::interrupt::check()?)
        };
        let stretch = decoder
            .read_stretch(&mut reader, u64::MAX, sink, dedup.as_mut(), &mut tick)
            .map_err(|e| located(e, file, header_lines))?;
        stats.absorb(stretch, file, header_lines);
        done_bytes += std::fs::metadata(file).map_or(0, |m| m.len());
        if sink.is_full() {
            break;
        }
    }
    Ok(())
}

/// The first rows of a source, in file order on one thread, until `sink` is full: what
/// `kpi validate` checks. Without deduplication, which would read every file's keys first.
pub fn sample<S: Sink>(schema: &Schema, used: &[usize], sink: &mut S) -> Result<ScanStats> {
    let decoder = RowDecoder::new(schema, used);
    let mut stats = ScanStats::new(schema, used);
    let progress = Progress::hidden();
    scan_in_order(schema, &decoder, &progress, sink, &mut stats, false)?;
    Ok(stats)
}

/// Reads the header record (checked when the schema was read), and the blank lines before it;
/// returns the lines they took.
pub(super) fn skip_header<R: std::io::Read>(
    reader: &mut RecordReader<R>,
    file: &Path,
) -> Result<u64> {
    let header = super::schema::next_header(reader, file)?;
    Ok(header.map_or(0, |h| h.lines))
}

/// The keep-last map: each key's last row, over every file in order.
fn first_pass(schema: &Schema, key: usize) -> Result<Dedup> {
    let mut dedup = Dedup {
        key,
        last: HashMap::new(),
        ordinal: 0,
    };
    for file in &schema.files {
        let mut reader = RecordReader::new(files::open(file, schema.encoding)?, schema.delimiter);
        let header_lines = skip_header(&mut reader, file)?;
        last_row_per_key(&mut reader, &schema.header, key, &mut dedup)
            .map_err(|e| located(e, file, header_lines))?;
    }
    dedup.ordinal = 0;
    Ok(dedup)
}

/// A stretch's error as a message naming the file and line.
pub(super) fn located(error: StretchError, file: &Path, lines_before: u64) -> anyhow::Error {
    match error {
        StretchError::At { line, message } => {
            anyhow!("{}:{}: {message}", file.display(), line + lines_before)
        }
        StretchError::Other(e) if e.is::<std::io::Error>() => {
            anyhow!("{}: cannot read: {e}", file.display())
        }
        StretchError::Other(e) => e,
    }
}
