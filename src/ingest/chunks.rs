//! A source read by several threads: each file is cut into byte ranges ("pieces"), each piece
//! is read into its own sink by whichever thread is free, and the pieces are merged in file
//! order on the calling thread. A windows-1252 or latin-1 piece is transcoded by its thread
//! (`single_byte`).
//!
//! A piece owns the records that start inside it. Where its first record starts cannot be known
//! without reading what comes before (a line break inside quotes is not a record end), so a
//! thread guesses: the byte after the first line feed. The guess is checked when the piece is
//! merged: it must be where the previous piece's last record ended. A wrong guess (the line
//! feed was inside a quoted field), and any error in a piece, make the merging thread read the
//! piece again from the known start. Results therefore never depend on where the cuts fall, and
//! the rare bad guess costs one piece read twice.

use super::header::skip_header;
use super::located::{located, StretchError};
use super::records::RecordReader;
use super::row::Stretch;
use super::schema::Schema;
use super::single_byte::{decoded, Widths};
use super::sink::{refused, Refused, Sink};
use super::stats::ScanStats;
use crate::config::Encoding;
use crate::progress::Progress;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// Pieces per thread for a file read in parallel: more than one, so that a thread done early
/// takes another piece instead of idling.
const PIECES_PER_THREAD: u64 = 4;
const MIN_PIECE: u64 = 4 << 20;
const MAX_PIECE: u64 = 64 << 20;
/// A guessed start can land in a quoted field and make one "record" of the rest of the file;
/// a piece whose record grows past this is abandoned and read again from its known start.
const MAX_GUESSED_RECORD: usize = 16 << 20;

/// A byte range of a file: the records starting in `begin..end` are its.
#[derive(Debug, Clone, Copy)]
struct Piece {
    file: usize,
    begin: u64,
    end: u64,
    /// The first piece of a file starts right after the header: no guess.
    first: bool,
}

/// A file's data: where its first record starts and how many lines the header took.
struct FileStart {
    data_start: u64,
    header_lines: u64,
}

/// What a thread made of a piece.
struct PieceRead<S> {
    /// Where its first record was taken to start.
    start: u64,
    outcome: Result<(S, Stretch), StretchError>,
}

/// How a piece's records are read into its sink: the piece's number, its reader, the offset
/// (in the reader's text) before which its records start, the sink.
pub(super) type ReadPiece<'a, S> = dyn Fn(usize, &mut RecordReader<Box<dyn Read>>, u64, &mut S) -> Result<Stretch, StretchError>
    + Sync
    + 'a;

/// Reads the pieces on `threads` threads and merges their sinks in file order. `known`: each
/// piece's exact start, from an earlier pass over the same pieces (none is guessed then).
/// Returns the merged sink and each piece's exact start.
pub(super) fn scan_split<S: Sink>(
    schema: &Schema,
    read: &ReadPiece<S>,
    threads: usize,
    progress: &Progress,
    new_sink: &(dyn Fn() -> S + Sync),
    stats: &mut ScanStats,
    known: Option<&[u64]>,
) -> Result<(S, Vec<u64>)> {
    let widths = (schema.input.encoding != Encoding::Utf8).then(Widths::windows_1252);
    let starts: Vec<FileStart> = schema
        .files
        .iter()
        .map(|f| file_start(f, schema.delimiter, widths.as_ref()))
        .collect::<Result<_>>()?;
    let pieces = plan_pieces(schema, &starts, threads)?;
    let split = Split {
        schema,
        read,
        new_sink,
        widths,
    };
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..threads.min(pieces.len()) {
            let sender = sender.clone();
            let (next, stop, pieces, split) = (&next, &stop, &pieces, &split);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(piece) = pieces.get(index) else {
                        break;
                    };
                    let start = match known {
                        Some(starts) => Ok(starts[index]),
                        None if piece.first => Ok(piece.begin),
                        None => guess_start(schema, piece),
                    };
                    let read = match start {
                        Ok(start) => split.read_piece(index, piece, start, known.is_some()),
                        Err(e) => PieceRead {
                            start: u64::MAX,
                            outcome: Err(StretchError::Other(e)),
                        },
                    };
                    if sender.send((index, read)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let merged = split.merge_in_order(&pieces, &starts, receiver, progress, stats);
        stop.store(true, Ordering::Relaxed);
        merged
    })
}

/// What every piece is read with.
struct Split<'a, S> {
    schema: &'a Schema,
    read: &'a ReadPiece<'a, S>,
    new_sink: &'a (dyn Fn() -> S + Sync),
    /// A single-byte encoding's UTF-8 widths: each piece is transcoded on its own.
    widths: Option<Widths>,
}

impl<S: Sink> Split<'_, S> {
    /// Takes the pieces as threads finish them and merges them in file order, reading again those
    /// whose start was guessed wrong or which failed.
    fn merge_in_order(
        &self,
        pieces: &[Piece],
        starts: &[FileStart],
        receiver: mpsc::Receiver<(usize, PieceRead<S>)>,
        progress: &Progress,
        stats: &mut ScanStats,
    ) -> Result<(S, Vec<u64>)> {
        let schema = self.schema;
        let mut merged = (self.new_sink)();
        let mut exact = Vec::with_capacity(pieces.len());
        let mut waiting = BTreeMap::new();
        let mut expected = 0;
        let (mut known_start, mut lines_before) = (0, 0);
        let mut done_bytes = 0;
        for (index, read) in receiver {
            if let PieceRead {
                outcome: Err(StretchError::Other(e)),
                ..
            } = &read
            {
                if e.is::<crate::interrupt::Interrupted>() {
                    return Err(crate::interrupt::Interrupted.into());
                }
                if let Some(refused) = e.downcast_ref::<Refused>() {
                    return Err(Refused(refused.0.clone()).into());
                }
            }
            waiting.insert(index, read);
            while let Some(read) = waiting.remove(&expected) {
                let piece = &pieces[expected];
                let file = &schema.files[piece.file];
                if piece.first {
                    known_start = starts[piece.file].data_start;
                    lines_before = starts[piece.file].header_lines;
                }
                exact.push(known_start);
                let read = match read {
                    PieceRead {
                        start,
                        outcome: Ok(done),
                    } if start == known_start => done,
                    _ => self
                        .read_piece(expected, piece, known_start, true)
                        .outcome
                        .map_err(|e| located(e, file, lines_before))?,
                };
                let (sink, stretch) = read;
                // The next record starts where this piece's last one ended.
                known_start += stretch.end;
                let lines = stretch.lines;
                merged.absorb(sink);
                refused(&merged)?;
                stats.absorb(stretch, file, lines_before);
                lines_before += lines;
                done_bytes += piece.end - piece.begin;
                progress.set(done_bytes, stats.rows_read);
                expected += 1;
            }
        }
        Ok((merged, exact))
    }

    /// Reads the records starting in `start..piece.end` into a new sink. `sure` says whether the
    /// start is known (else a runaway record abandons the piece, to be read again).
    fn read_piece(&self, index: usize, piece: &Piece, start: u64, sure: bool) -> PieceRead<S> {
        let schema = self.schema;
        let outcome = (|| {
            let path = &schema.files[piece.file];
            let mut file =
                File::open(path).map_err(|e| StretchError::Other(open_error(e, path)))?;
            file.seek(SeekFrom::Start(start))?;
            let mut sink = (self.new_sink)();
            // A single-byte encoding's reader counts UTF-8 bytes: the limit and the end are
            // converted.
            let (text, limit): (Box<dyn Read>, u64) = match &self.widths {
                None => (Box::new(file), piece.end.saturating_sub(start)),
                Some(widths) => (
                    Box::new(decoded(file)),
                    widths.text_len(path, start, piece.end)?,
                ),
            };
            let mut reader = RecordReader::new(text, schema.delimiter).starting_mid_file();
            if !sure {
                reader.limit_record_size(MAX_GUESSED_RECORD);
            }
            let mut stretch = (self.read)(index, &mut reader, limit, &mut sink)?;
            if let Some(widths) = &self.widths {
                stretch.end = widths.file_len(path, start, stretch.end)?;
            }
            Ok((sink, stretch))
        })();
        PieceRead { start, outcome }
    }
}

/// The byte after the first line feed at or after `piece.begin - 1`: where a record starts,
/// unless that line feed is inside quotes.
fn guess_start(schema: &Schema, piece: &Piece) -> Result<u64> {
    let path = &schema.files[piece.file];
    let mut file = File::open(path).map_err(|e| open_error(e, path))?;
    let mut at = piece.begin - 1;
    file.seek(SeekFrom::Start(at))?;
    let mut buffer = vec![0u8; 64 << 10];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(at);
        }
        if let Some(i) = memchr::memchr(b'\n', &buffer[..n]) {
            return Ok(at + i as u64 + 1);
        }
        at += n as u64;
    }
}

/// Where the data of a file starts: after a byte-order mark and the header record (read as
/// text of a single-byte encoding when `widths` is given: such a file has no mark).
fn file_start(path: &Path, delimiter: u8, widths: Option<&Widths>) -> Result<FileStart> {
    if let Some(widths) = widths {
        let file = File::open(path).map_err(|e| open_error(e, path))?;
        let mut reader = RecordReader::new(decoded(file), delimiter);
        let header_lines = skip_header(&mut reader, path)?;
        return Ok(FileStart {
            data_start: widths.file_len(path, 0, reader.position())?,
            header_lines,
        });
    }
    let mut file = File::open(path).map_err(|e| open_error(e, path))?;
    let mut bom = [0u8; 3];
    let n = file.read(&mut bom)?;
    let skip = if n == 3 && bom == [0xEF, 0xBB, 0xBF] {
        3
    } else {
        0
    };
    file.seek(SeekFrom::Start(skip))?;
    let mut reader = RecordReader::new(file, delimiter);
    let header_lines = skip_header(&mut reader, path)?;
    Ok(FileStart {
        data_start: skip + reader.position(),
        header_lines,
    })
}

/// Each file's data cut into pieces of about the same size.
fn plan_pieces(schema: &Schema, starts: &[FileStart], threads: usize) -> Result<Vec<Piece>> {
    let mut lengths = Vec::new();
    for path in &schema.files {
        let len = std::fs::metadata(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .len();
        lengths.push(len);
    }
    let total: u64 = lengths.iter().sum();
    let size = piece_size(total, threads);
    let mut pieces = Vec::new();
    for (file, (start, &len)) in starts.iter().zip(&lengths).enumerate() {
        let mut begin = start.data_start;
        loop {
            let end = (begin + size).min(len);
            pieces.push(Piece {
                file,
                begin,
                end: if end + size / 4 >= len { len } else { end },
                first: begin == start.data_start,
            });
            begin = pieces.last().map_or(len, |p| p.end);
            if begin >= len {
                break;
            }
        }
    }
    Ok(pieces)
}

/// `KPI_PIECE_BYTES` overrides the size, for tests that want cuts everywhere.
fn piece_size(total: u64, threads: usize) -> u64 {
    if let Some(size) = std::env::var("KPI_PIECE_BYTES")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|&s| s > 0)
    {
        return size;
    }
    (total / (threads as u64 * PIECES_PER_THREAD)).clamp(MIN_PIECE, MAX_PIECE)
}

fn open_error(e: std::io::Error, path: &Path) -> anyhow::Error {
    anyhow::anyhow!("cannot open {}: {e}", path.display())
}
