//! A source whose rows are in memory (a rollup's entities, one row each): scanned like a file,
//! its rows cut into one stretch per thread, each into its own sink, merged in order.

use super::located::StretchError;
use super::row::{RowDecoder, Stretch, ROWS_PER_TICK};
use super::sink::{refused, Sink};
use super::stats::ScanStats;
use super::table::Table;
use crate::value::Cell;
use anyhow::Result;
use std::path::Path;

/// Streams the table's rows into sinks (in order, on up to `threads` threads).
pub(super) fn scan_table<S: Sink>(
    table: &Table,
    name: &str,
    decoder: &RowDecoder,
    threads: usize,
    new_sink: &(dyn Fn() -> S + Sync),
    stats: &mut ScanStats,
) -> Result<S> {
    let per_thread = table.rows.len().div_ceil(threads.max(1)).max(1);
    let parts: Vec<&[Vec<Cell>]> = table.rows.chunks(per_thread).collect();
    let read: Vec<Result<(S, Stretch), StretchError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .iter()
            .map(|rows| {
                scope.spawn(move || {
                    let mut sink = new_sink();
                    read_rows(rows, decoder, &mut sink).map(|stretch| (sink, stretch))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(StretchError::Other(panicked())))
            })
            .collect()
    });
    let shown = Path::new(name);
    let mut merged = new_sink();
    let mut lines_before = 0;
    for part in read {
        let (sink, stretch) = part.map_err(|e| in_table(e, name))?;
        let lines = stretch.rows_read;
        merged.absorb(sink);
        refused(&merged)?;
        stats.absorb(stretch, shown, lines_before);
        lines_before += lines;
    }
    Ok(merged)
}

/// The first rows of the table into `sink`, until it is full (what `kpi validate` checks).
pub(super) fn sample_table<S: Sink>(
    table: &Table,
    name: &str,
    decoder: &RowDecoder,
    sink: &mut S,
    stats: &mut ScanStats,
) -> Result<()> {
    let stretch = read_rows(&table.rows, decoder, sink).map_err(|e| in_table(e, name))?;
    stats.absorb(stretch, Path::new(name), 0);
    Ok(())
}

fn in_table(e: StretchError, name: &str) -> anyhow::Error {
    match e {
        StretchError::Other(e) => e,
        StretchError::At { line, message } => anyhow::anyhow!("{name}, row {line}: {message}"),
    }
}

fn read_rows<S: Sink>(
    rows: &[Vec<Cell>],
    decoder: &RowDecoder,
    sink: &mut S,
) -> Result<Stretch, StretchError> {
    let mut stretch = decoder.stretch();
    let mut state = decoder.row_state();
    let gate = decoder.gate(sink);
    for (i, row) in rows.iter().enumerate() {
        if (i as u64).is_multiple_of(ROWS_PER_TICK) {
            crate::interrupt::check().map_err(|e| StretchError::Other(e.into()))?;
            refused(sink).map_err(StretchError::Other)?;
            if sink.is_full() {
                break;
            }
        }
        stretch.rows_read += 1;
        let line = i as u64 + 1;
        decoder.feed(row.as_slice(), line, sink, gate, &mut state, &mut stretch)?;
    }
    stretch.lines = stretch.rows_read;
    Ok(stretch)
}

fn panicked() -> anyhow::Error {
    anyhow::anyhow!("a thread reading a rollup's rows stopped unexpectedly")
}
