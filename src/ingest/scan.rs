//! The streaming pass over a source: every row, once, as typed values of the used columns,
//! handed to a [`Sink`].
//!
//! Plain files without a deduplication key are split into byte ranges read by several threads
//! (see `chunks`), each into its own sink, merged in file order (windows-1252 transcoded per
//! piece). Other files are read by one thread: compressed streams and spreadsheets have no
//! offset to start at, and keep-last deduplication needs the rows in order (a first pass over the key column finds each key's last row; the map holds one
//! entry per distinct key, not the rows). Memory stays flat either way: a record buffer per
//! thread, and whatever the sinks keep.

use super::chunks;
use super::files;
use super::header::skip_header;
use super::located::located;
use super::memory;
use super::records::RecordReader;
use super::row::{last_row_per_key, Dedup, RowDecoder};
use super::schema::Schema;
use super::single_byte;
use super::sink::{refused, Sink};
use super::stats::ScanStats;
use crate::config::Encoding;
use crate::progress::Progress;
use anyhow::Result;
use rustc_hash::FxHashMap;

/// Streams the rows of a source into sinks made by `new_sink`, with the values of `used`
/// columns (indices into `schema.columns`) in that order, on up to `threads` threads.
pub fn scan<S: Sink>(
    schema: &Schema,
    used: &[usize],
    threads: usize,
    progress: &Progress,
    new_sink: &(dyn Fn() -> S + Sync),
) -> Result<(S, ScanStats)> {
    // The sinks get the values of `used` first, then those computed columns read.
    let used = &schema.with_inputs(used);
    let decoder = RowDecoder::new(schema, used);
    let mut stats = ScanStats::new(schema, used);
    // A compressed stream or a spreadsheet has no byte offset to start a stretch at.
    let splittable = schema.key.is_none()
        && schema.files.iter().all(|f| files::is_splittable(f))
        && (schema.input.encoding == Encoding::Utf8 || no_byte_order_mark(schema));
    let sink = if let Some(table) = &schema.table {
        memory::scan_table(
            table,
            &schema.source,
            &decoder,
            threads,
            new_sink,
            &mut stats,
        )?
    } else if threads > 1 && splittable {
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

/// Whether no file of a single-byte source starts with a byte-order mark (which the whole-file
/// reader honours, so such a file is read in order).
fn no_byte_order_mark(schema: &Schema) -> bool {
    schema
        .files
        .iter()
        .all(|f| single_byte::has_bom(f).is_ok_and(|bom| !bom))
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
        let mut reader = RecordReader::new(files::open(file, &schema.input)?, schema.delimiter);
        let header_lines = skip_header(&mut reader, file)?;
        let shown = files::shown(file, &schema.input);
        let rows_before = stats.rows_read;
        let size = std::fs::metadata(file).map_or(0, |m| m.len());
        let mut tick = |offset: u64, rows: u64| {
            // The offset is in the text read: past the file's size once it is decompressed.
            progress.set(done_bytes + offset.min(size), rows_before + rows);
            Ok(crate::interrupt::check()?)
        };
        let stretch = decoder
            .read_stretch(&mut reader, u64::MAX, sink, dedup.as_mut(), &mut tick)
            .map_err(|e| located(e, &shown, header_lines))?;
        stats.absorb(stretch, &shown, header_lines);
        done_bytes += size;
        if sink.is_full() {
            break;
        }
    }
    Ok(())
}

/// The first rows of a source, in file order on one thread, until `sink` is full: what
/// `kpi validate` checks. Without deduplication, which would read every file's keys first.
pub fn sample<S: Sink>(schema: &Schema, used: &[usize], sink: &mut S) -> Result<ScanStats> {
    let used = &schema.with_inputs(used);
    let decoder = RowDecoder::new(schema, used);
    let mut stats = ScanStats::new(schema, used);
    let progress = Progress::hidden();
    match &schema.table {
        Some(table) => memory::sample_table(table, &schema.source, &decoder, sink, &mut stats)?,
        None => scan_in_order(schema, &decoder, &progress, sink, &mut stats, false)?,
    }
    Ok(stats)
}

/// The keep-last map: each key's last row, over every file in order.
fn first_pass(schema: &Schema, key: usize) -> Result<Dedup> {
    let mut dedup = Dedup {
        key,
        last: FxHashMap::default(),
        ordinal: 0,
    };
    for file in &schema.files {
        let mut reader = RecordReader::new(files::open(file, &schema.input)?, schema.delimiter);
        let header_lines = skip_header(&mut reader, file)?;
        last_row_per_key(&mut reader, &schema.header, key, &mut dedup)
            .map_err(|e| located(e, &files::shown(file, &schema.input), header_lines))?;
    }
    dedup.ordinal = 0;
    Ok(dedup)
}
