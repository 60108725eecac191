//! A streaming CSV record splitter for the hot path: bytes in, fields out, no UTF-8 checks.
//!
//! Records and fields equal the `csv` crate's byte records (csv_core's rules, `flexible(true)`,
//! no headers), blank lines skipped alike; validating the fields it uses is left to the caller.
//! Fields are slices of the read buffer; only a field with a doubled quote or bytes after its
//! closing quote is copied, unescaped, into a scratch buffer. A quote still open at the end of
//! input ends the record as csv_core does, but the record says so (`unclosed_quote`): whether
//! that is malformed is the caller's call.

use memchr::{memchr, memchr3, memchr3_iter, memchr_iter};
use std::io::{self, Read};

/// Large enough that reads are few; the buffer grows only for a record that does not fit.
const DEFAULT_CAPACITY: usize = 1 << 20;

/// Tags the start of a field range that points into `scratch` instead of the read buffer (no
/// buffer gets near half the address space).
const IN_SCRATCH: usize = 1 << (usize::BITS - 1);

/// Reads CSV records from `inner` through one reused buffer.
pub struct RecordReader<R: Read> {
    inner: R,
    delimiter: u8,
    /// Bytes read from `inner`; `buf[start..end]` is not yet returned as a record.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// `inner` reported the end of input: a record cut by the buffer's end is complete.
    eof: bool,
    /// Offset in the input of `buf[0]`.
    buf_offset: u64,
    position: u64,
    /// Line feeds of the blank lines skipped since the last record returned.
    skipped_line_feeds: u64,
    /// A record that needs more buffer than this is an error (see `limit_record_size`).
    max_record: usize,
    /// The start of the input was checked for a byte-order mark.
    bom_checked: bool,
    /// The current record's field ranges: into `buf`, or into `scratch` if tagged `IN_SCRATCH`.
    fields: Vec<(usize, usize)>,
    /// The current record's unescaped fields, those that cannot be slices of `buf`.
    scratch: Vec<u8>,
}

/// One record, borrowed from its reader until the next call to `next_record`.
pub struct Record<'a> {
    buf: &'a [u8],
    scratch: &'a [u8],
    fields: &'a [(usize, usize)],
    line_breaks: u64,
    blank_lines_before: u64,
    unclosed_quote: Option<u64>,
}

/// How far splitting a record got in the bytes read so far.
enum Split {
    /// The record's content stops at this index: its terminator, or the end of input.
    Complete(usize),
    /// The buffer ends inside the record and more input may follow.
    Incomplete,
    /// A field starts with a quote: a job for `split_quoted`.
    Quoted,
    /// The input ends inside the quoted field opened at this index: the record ends there too.
    Unclosed(usize),
}

/// A record found in the buffer, described without borrowing it.
struct Found {
    next_start: usize,
    line_breaks: u64,
    blank_lines_before: u64,
    /// Line feeds of the record before the opening quote of a field the input ends in.
    unclosed_quote: Option<u64>,
}

impl<R: Read> RecordReader<R> {
    /// `delimiter`: b',' or b';' or b'\t' etc. Reads through an internal buffer (start 1 MiB,
    /// grows only when one record is larger than the buffer), so memory stays flat.
    ///
    /// # Panics
    ///
    /// If `delimiter` is a quote or a line break: csv_core would read such a file differently.
    pub fn new(inner: R, delimiter: u8) -> Self {
        Self::build(inner, delimiter, DEFAULT_CAPACITY)
    }

    /// A reader with a small buffer, so that tests reach every refill edge.
    #[cfg(test)]
    fn with_capacity(inner: R, delimiter: u8, capacity: usize) -> Self {
        Self::build(inner, delimiter, capacity)
    }

    fn build(inner: R, delimiter: u8, capacity: usize) -> Self {
        assert!(
            !matches!(delimiter, b'"' | b'\n' | b'\r'),
            "a CSV delimiter cannot be a quote or a line break"
        );
        RecordReader {
            inner,
            delimiter,
            buf: vec![0; capacity.max(1)],
            start: 0,
            end: 0,
            eof: false,
            buf_offset: 0,
            position: 0,
            skipped_line_feeds: 0,
            max_record: usize::MAX,
            bom_checked: false,
            fields: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// For a reader that starts in the middle of a file (a byte range read by a thread): a
    /// byte-order mark there is text of the line, not a mark, as it is for a reader of the
    /// whole file. (Found by the `csv_ingest` fuzz target.)
    pub fn starting_mid_file(mut self) -> Self {
        self.bom_checked = true;
        self
    }

    /// Makes `next_record` fail (`InvalidData`) on a record that needs more than `max_bytes` of
    /// buffer (its terminator included) instead of growing the buffer for it: for readers that
    /// may start inside a quoted field, where the "record" could be the rest of the input. The
    /// failure repeats on later calls.
    pub fn limit_record_size(&mut self, max_bytes: usize) {
        self.max_record = max_bytes;
    }

    /// The next record, or None at end of input.
    ///
    /// Blank lines ("", "\r", "\n" or "\r\n" between terminators) yield no record, as with the
    /// `csv` crate; their line feeds count in the `line_breaks()` of the record after them. A
    /// UTF-8 byte-order mark at the start of the input is skipped, as csv_core does.
    pub fn next_record(&mut self) -> io::Result<Option<Record<'_>>> {
        let Some(found) = self.find_record()? else {
            return Ok(None);
        };
        self.start = found.next_start;
        self.position = self.buf_offset + found.next_start as u64;
        Ok(Some(Record {
            buf: &self.buf,
            scratch: &self.scratch,
            fields: &self.fields,
            line_breaks: found.line_breaks,
            blank_lines_before: found.blank_lines_before,
            unclosed_quote: found.unclosed_quote,
        }))
    }

    /// Bytes consumed from `inner` up to the end of the last record returned (terminator
    /// included): the offset where the next record starts.
    ///
    /// Blank lines after that record are not included: they belong to the next one.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Splits the next record into `fields`, reading more input as needed.
    fn find_record(&mut self) -> io::Result<Option<Found>> {
        loop {
            if !self.bom_checked && !self.skip_bom() {
                self.refill()?;
                continue;
            }
            self.skip_blank_lines();
            if self.start == self.end {
                if self.eof {
                    return Ok(None);
                }
            } else if let Some(found) = self.split_record() {
                return Ok(Some(found));
            } else if self.end - self.start >= self.max_record {
                return Err(self.too_large());
            }
            // The record, if any, goes past the buffer: split it again from its start once more
            // input is in, which keeps no parsing state across refills (the refill reads until
            // the buffer is full, so the work stays linear in the record's size).
            self.refill()?;
        }
    }

    fn too_large(&self) -> io::Error {
        let at = self.buf_offset + self.start as u64;
        let message = format!(
            "the record at byte {at} is larger than {} bytes (an unclosed quote?)",
            self.max_record
        );
        io::Error::new(io::ErrorKind::InvalidData, message)
    }

    /// Steps over a UTF-8 byte-order mark at the start of the input, as csv_core does. False
    /// while too few bytes are in to tell.
    fn skip_bom(&mut self) -> bool {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let head = &self.buf[self.start..self.end];
        if head.len() < BOM.len() && BOM.starts_with(head) && !self.eof {
            return false;
        }
        if head.starts_with(BOM) {
            self.start += BOM.len();
        }
        self.bom_checked = true;
        true
    }

    /// Steps over line breaks where a record would start: csv_core reads them as blank lines.
    fn skip_blank_lines(&mut self) {
        while self.start < self.end {
            match self.buf[self.start] {
                b'\n' => self.skipped_line_feeds += 1,
                b'\r' => {}
                _ => break,
            }
            self.start += 1;
        }
    }

    /// The record starting at `buf[start]` (not a line break), if the buffer holds all of it.
    fn split_record(&mut self) -> Option<Found> {
        let (buf, start) = (&self.buf[..self.end], self.start);
        let (delimiter, eof) = (self.delimiter, self.eof);
        let mut split = split_plain(buf, start, delimiter, eof, &mut self.fields);
        let quoted = matches!(split, Split::Quoted);
        if quoted {
            let scratch = &mut self.scratch;
            split = split_quoted(buf, start, delimiter, eof, &mut self.fields, scratch);
        }
        let (stop, unclosed_quote) = match split {
            Split::Complete(stop) => (stop, None),
            Split::Unclosed(open) => {
                let before = memchr_iter(b'\n', &buf[start..open]).count() as u64;
                (buf.len(), Some(before))
            }
            Split::Incomplete | Split::Quoted => return None,
        };
        let (next_start, terminator_feeds) = after_terminator(buf, stop, eof)?;
        // Only a quoted field can hold line feeds: a quote-free record has none to count.
        let inner_feeds = if quoted {
            memchr_iter(b'\n', &buf[start..stop]).count() as u64
        } else {
            0
        };
        let blank_lines_before = std::mem::take(&mut self.skipped_line_feeds);
        Some(Found {
            next_start,
            line_breaks: blank_lines_before + inner_feeds + terminator_feeds,
            blank_lines_before,
            unclosed_quote,
        })
    }

    /// Moves the unreturned bytes to the front, doubles the buffer if they fill it, then reads
    /// until the buffer is full or the input ends.
    fn refill(&mut self) -> io::Result<()> {
        self.buf.copy_within(self.start..self.end, 0);
        self.buf_offset += self.start as u64;
        self.end -= self.start;
        self.start = 0;
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        while self.end < self.buf.len() {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.end += n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }
}

impl<'a> Record<'a> {
    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the record has no field: never true, a record has at least one (maybe empty).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Field `i`, unquoted and unescaped.
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`; `get` is the checked version.
    pub fn field(&self, i: usize) -> &'a [u8] {
        self.slice(self.fields[i])
    }

    /// Field `i`, unquoted and unescaped, or None past the last field.
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.fields.get(i).map(|&range| self.slice(range))
    }

    fn slice(&self, (start, end): (usize, usize)) -> &'a [u8] {
        if start & IN_SCRATCH == 0 {
            &self.buf[start..end]
        } else {
            &self.scratch[start & !IN_SCRATCH..end]
        }
    }

    /// Line feeds ('\n') this record spans, its terminator included: 1 for an ordinary line,
    /// more when a quoted field holds line breaks, 0 for a last line without terminator. The
    /// line feeds of blank lines skipped just before the record are included too, so the sum
    /// over the records read so far is the number of '\n' in the input before `position()`.
    pub fn line_breaks(&self) -> u64 {
        self.line_breaks
    }

    /// Line feeds of the blank lines skipped just before this record, already counted in
    /// `line_breaks()`: the record starts on line `lines_before + 1 + blank_lines_before()`,
    /// where `lines_before` is the sum of the previous records' `line_breaks()`.
    pub fn blank_lines_before(&self) -> u64 {
        self.blank_lines_before
    }

    /// When the input ends inside a quoted field (its last field), the line feeds of the record
    /// before that field's opening quote: the quote opened on line `start + n` of the record.
    /// csv_core reads such a field to the end of input without a word; a CSV writer never
    /// leaves a quote open, so the callers treat it as malformed.
    pub fn unclosed_quote(&self) -> Option<u64> {
        self.unclosed_quote
    }
}

/// Gathers the low bit of each of 8 bytes (each 0 or 1) into one byte: byte k lands on bit k.
const GATHER_BITS: u64 = 0x0102_0408_1020_4080;

/// Bit k is set where `block[k]` is the delimiter or a line break. Written so the compiler
/// vectorizes the comparisons (SIMD intrinsics would need `unsafe`); a quote-free record is
/// then split with one bit scan per field instead of one memchr call.
fn stop_mask(block: &[u8; 64], delimiter: u8) -> u64 {
    let mut hits = [0u8; 64];
    for (hit, &b) in hits.iter_mut().zip(block) {
        *hit = u8::from((b == delimiter) | (b == b'\n') | (b == b'\r'));
    }
    let mut mask = 0;
    for (k, word) in hits.as_chunks::<8>().0.iter().enumerate() {
        mask |= (u64::from_le_bytes(*word).wrapping_mul(GATHER_BITS) >> 56) << (8 * k);
    }
    mask
}

/// Splits the record at `buf[start..]` in place, as long as no field starts with a quote (a
/// quote inside an unquoted field is a literal byte, so it does not matter).
fn split_plain(
    buf: &[u8],
    start: usize,
    delimiter: u8,
    eof: bool,
    fields: &mut Vec<(usize, usize)>,
) -> Split {
    fields.clear();
    if buf[start] == b'"' {
        return Split::Quoted;
    }
    let mut field_start = start;
    let mut block_start = start;
    while let Some(block) = buf[block_start..].first_chunk::<64>() {
        let mut mask = stop_mask(block, delimiter);
        while mask != 0 {
            let i = block_start + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            if let Some(split) = end_plain_field(buf, i, delimiter, &mut field_start, fields) {
                return split;
            }
        }
        block_start += 64;
    }
    for i in memchr3_iter(delimiter, b'\n', b'\r', &buf[block_start..]) {
        let i = block_start + i;
        if let Some(split) = end_plain_field(buf, i, delimiter, &mut field_start, fields) {
            return split;
        }
    }
    if !eof {
        // Also covers a delimiter at the buffer's end: the next field may start with a quote.
        return Split::Incomplete;
    }
    fields.push((field_start, buf.len()));
    Split::Complete(buf.len())
}

/// Ends the field at the delimiter or line break `buf[i]`; Some when that settles the record.
fn end_plain_field(
    buf: &[u8],
    i: usize,
    delimiter: u8,
    field_start: &mut usize,
    fields: &mut Vec<(usize, usize)>,
) -> Option<Split> {
    fields.push((*field_start, i));
    if buf[i] != delimiter {
        return Some(Split::Complete(i));
    }
    *field_start = i + 1;
    (buf.get(i + 1) == Some(&b'"')).then_some(Split::Quoted)
}

/// Splits the record at `buf[start..]` when some field starts with a quote.
fn split_quoted(
    buf: &[u8],
    start: usize,
    delimiter: u8,
    eof: bool,
    fields: &mut Vec<(usize, usize)>,
    scratch: &mut Vec<u8>,
) -> Split {
    fields.clear();
    scratch.clear();
    let mut i = start;
    loop {
        let quoted = buf.get(i) == Some(&b'"');
        let (field, stop, closed) = if quoted {
            quoted_field(buf, i, delimiter, scratch)
        } else {
            let stop = find_stop(buf, i, delimiter);
            ((i, stop), stop, true)
        };
        fields.push(field);
        if stop == buf.len() && !eof {
            return Split::Incomplete;
        }
        if !closed {
            return Split::Unclosed(i);
        }
        if stop == buf.len() || buf[stop] != delimiter {
            return Split::Complete(stop);
        }
        i = stop + 1;
    }
}

/// The next delimiter or line break at or after `i`, or the end of `buf`.
fn find_stop(buf: &[u8], i: usize, delimiter: u8) -> usize {
    memchr3(delimiter, b'\n', b'\r', &buf[i..]).map_or(buf.len(), |n| i + n)
}

/// The field whose opening quote is `buf[open]`, following csv_core: it runs to the closing
/// quote (`""` is a quote; no closing quote, to the end of input), and the bytes after that up
/// to the delimiter or line break are appended as they are. Returns its range, into `buf` when
/// the content is there as is, the index where it stops, and whether the quote was closed.
fn quoted_field(
    buf: &[u8],
    open: usize,
    delimiter: u8,
    scratch: &mut Vec<u8>,
) -> ((usize, usize), usize, bool) {
    let content = open + 1;
    let Some(close) = memchr(b'"', &buf[content..]).map(|n| content + n) else {
        return ((content, buf.len()), buf.len(), false);
    };
    match buf.get(close + 1) {
        Some(&b) if b != delimiter && b != b'\n' && b != b'\r' => {}
        _ => return ((content, close), close + 1, true), // the common case: nothing to unescape
    }
    let from = scratch.len();
    let (after, closed) = match copy_quoted(&buf[content..], scratch) {
        Some(used) => (content + used, true),
        None => (buf.len(), false),
    };
    let stop = find_stop(buf, after, delimiter);
    scratch.extend_from_slice(&buf[after..stop]);
    ((from | IN_SCRATCH, scratch.len()), stop, closed)
}

/// Copies a quoted field's content, `rest` starting after its opening quote, into `scratch`.
/// Returns the bytes used, closing quote included, or None if `rest` ends first. A quote that
/// ends `rest` counts as closing: if more input may follow, the caller finds the record
/// incomplete all the same, and splits it again once the next byte is known.
fn copy_quoted(rest: &[u8], scratch: &mut Vec<u8>) -> Option<usize> {
    let mut i = 0;
    while let Some(n) = memchr(b'"', &rest[i..]) {
        scratch.extend_from_slice(&rest[i..i + n]);
        if rest.get(i + n + 1) != Some(&b'"') {
            return Some(i + n + 1);
        }
        scratch.push(b'"'); // of a doubled quote
        i += n + 2;
    }
    scratch.extend_from_slice(&rest[i..]);
    None
}

/// Where the next record starts when this one stops at `buf[stop]`, and the terminator's line
/// feeds; None when a CR ends the buffer, as the next read may bring its LF.
fn after_terminator(buf: &[u8], stop: usize, eof: bool) -> Option<(usize, u64)> {
    match buf.get(stop) {
        None => Some((stop, 0)),
        Some(b'\n') => Some((stop + 1, 1)),
        Some(_) => match buf.get(stop + 1) {
            Some(b'\n') => Some((stop + 2, 1)),
            Some(_) => Some((stop + 1, 0)),
            None if eof => Some((stop + 1, 0)),
            None => None,
        },
    }
}

#[cfg(test)]
mod tests;
