//! The streaming pass over a source: every row, once, as typed values of the used columns,
//! handed to a [`Sink`].
//!
//! Plain files are split into byte ranges read by several threads (see `chunks`), each into
//! its own sink, merged in file order (windows-1252 transcoded per piece). Keep-last
//! deduplication takes two passes over the same pieces: the first finds each key's last row
//! (one map entry per distinct key, not the rows), the second keeps those. Compressed streams
//! and spreadsheets have no offset to start at: they are read by one thread. Memory stays flat
//! either way: a record buffer per thread, and whatever the sinks keep.

use super::chunks;
use super::files;
use super::header::skip_header;
use super::located::located;
use super::memory;
use super::records::RecordReader;
use super::row::{last_row_per_key, Dedup, KeyPositions, RowDecoder};
use super::schema::Schema;
use super::single_byte;
use super::sink::{refused, Sink};
use super::stats::ScanStats;
use crate::config::Encoding;
use crate::progress::Progress;
use anyhow::Result;
use std::io::Read;

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
    let splittable = schema.files.iter().all(|f| files::is_splittable(f))
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
        scan_in_pieces(schema, &decoder, threads, progress, new_sink, &mut stats)?
    } else {
        let mut sink = new_sink();
        scan_in_order(schema, &decoder, progress, &mut sink, &mut stats, true)?;
        sink
    };
    progress.finish();
    refused(&sink)?;
    Ok((sink, stats))
}

/// The source in pieces on several threads; with a `key`, a first parallel pass over the same
/// pieces finds each key's last row (merged in file order), and the second starts each piece
/// at its exact place, knowing how many rows come before it.
fn scan_in_pieces<S: Sink>(
    schema: &Schema,
    decoder: &RowDecoder,
    threads: usize,
    progress: &Progress,
    new_sink: &(dyn Fn() -> S + Sync),
    stats: &mut ScanStats,
) -> Result<S> {
    let Some(key) = schema.key else {
        let rows =
            |_: usize, reader: &mut RecordReader<Box<dyn Read>>, limit: u64, sink: &mut S| {
                let mut tick = |_: u64, _: u64| Ok(crate::interrupt::check()?);
                decoder.read_stretch(reader, limit, sink, None, &mut tick)
            };
        let (sink, _) =
            chunks::scan_split(schema, &rows, threads, progress, new_sink, stats, None)?;
        return Ok(sink);
    };
    let keys = |_: usize,
                reader: &mut RecordReader<Box<dyn Read>>,
                limit: u64,
                sink: &mut KeyPositions| {
        last_row_per_key(reader, &schema.header, key, sink, limit)
    };
    let mut key_stats = ScanStats::new(schema, &[]);
    let hidden = Progress::hidden();
    let (positions, starts) = chunks::scan_split(
        schema,
        &keys,
        threads,
        &hidden,
        &KeyPositions::default,
        &mut key_stats,
        None,
    )?;
    let rows =
        |piece: usize, reader: &mut RecordReader<Box<dyn Read>>, limit: u64, sink: &mut S| {
            let mut tick = |_: u64, _: u64| Ok(crate::interrupt::check()?);
            let mut dedup = Dedup {
                key,
                last: &positions.last,
                ordinal: positions.before[piece],
            };
            decoder.read_stretch(reader, limit, sink, Some(&mut dedup), &mut tick)
        };
    let known = Some(starts.as_slice());
    let (sink, _) = chunks::scan_split(schema, &rows, threads, progress, new_sink, stats, known)?;
    Ok(sink)
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
    let positions = match schema.key.filter(|_| deduplicate) {
        Some(key) => Some((key, first_pass(schema, key)?)),
        None => None,
    };
    let mut dedup = positions.as_ref().map(|(key, positions)| Dedup {
        key: *key,
        last: &positions.last,
        ordinal: 0,
    });
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
fn first_pass(schema: &Schema, key: usize) -> Result<KeyPositions> {
    let mut positions = KeyPositions::default();
    for file in &schema.files {
        let mut reader = RecordReader::new(files::open(file, &schema.input)?, schema.delimiter);
        let header_lines = skip_header(&mut reader, file)?;
        last_row_per_key(&mut reader, &schema.header, key, &mut positions, u64::MAX)
            .map_err(|e| located(e, &files::shown(file, &schema.input), header_lines))?;
    }
    Ok(positions)
}
