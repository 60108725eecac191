//! A file's header: the first record that is not blank, its names trimmed and checked, and
//! where the data after it starts.

use super::compressed;
use super::files::{self, Input};
use super::located::{located, unclosed_quote};
use super::records::RecordReader;
use super::sniff;
use anyhow::{anyhow, bail, Result};
use std::io::Read;
use std::path::Path;

/// The header of a file, trimmed: its first record that is not blank. Lines of spaces before
/// it are skipped, as they are between rows (a user sees no header there, and a spreadsheet
/// export may start with one); a file with no other line has no header, which is an error, not
/// an empty source.
pub fn read_header(path: &Path, input: &Input, delimiter: u8) -> Result<Vec<String>> {
    let mut reader = RecordReader::new(files::open(path, input)?, delimiter);
    let Some(found) = next_header(&mut reader, path)? else {
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        if size == 0 {
            bail!(
                "{} is empty: a CSV export needs at least a header line",
                path.display()
            );
        }
        bail!(
            "{}:1: no header: the first line is blank, and so is every line after it; \
             a CSV export needs a header line",
            path.display()
        );
    };
    let header = found.names;
    if header.iter().all(String::is_empty) {
        bail!(
            "{}:{}: the header has no column names, only delimiters",
            path.display(),
            found.line
        );
    }
    if let Some(dup) = header
        .iter()
        .enumerate()
        .find(|(i, h)| header[..*i].contains(h))
    {
        bail!(
            "{}:{}: the column `{}` appears twice in the header",
            path.display(),
            found.line,
            dup.1
        );
    }
    Ok(header)
}

/// The delimiter of a file: the configured one, else guessed from its first 64 KB (a comma
/// when nothing tells); a spreadsheet's text is comma-separated.
pub fn delimiter(path: &Path, input: &Input, configured: Option<u8>) -> Result<u8> {
    if files::is_spreadsheet(path) {
        return Ok(b',');
    }
    if let Some(d) = configured {
        return Ok(d);
    }
    let sample = files::sample(path, input, 64 * 1024)?;
    Ok(sniff::sniff_delimiter(&sample).unwrap_or(b','))
}

/// A file's header record, where `read_header` finds it.
pub(super) struct HeaderRecord {
    /// The names, trimmed.
    pub names: Vec<String>,
    /// The line it starts on (after blank lines).
    pub line: u64,
    /// Line feeds read through its end: the lines before the first row.
    pub lines: u64,
}

/// Reads up to the end of the header: blank records (one field of spaces) are skipped; None
/// when the file has no other.
pub(super) fn next_header<R: Read>(
    reader: &mut RecordReader<R>,
    path: &Path,
) -> Result<Option<HeaderRecord>> {
    let mut lines = 0;
    loop {
        let record = reader
            .next_record()
            .map_err(|e| anyhow!("{}: cannot read: {e}", path.display()))?;
        let Some(record) = record else {
            return Ok(None);
        };
        let line = lines + 1 + record.blank_lines_before();
        lines += record.line_breaks();
        unclosed_quote(&record, line, &[]).map_err(|e| located(e, path, 0))?;
        if record.len() == 1 && record.field(0).trim_ascii().is_empty() {
            continue;
        }
        let names = (0..record.len())
            .map(|i| match std::str::from_utf8(record.field(i)) {
                Ok(name) => Ok(name.trim().to_string()),
                Err(_) => Err(anyhow!(
                    "{}:{line}: the header is not valid UTF-8\n  hint: {}",
                    path.display(),
                    compressed::unread_format(path).unwrap_or(
                        "if the file comes from Excel on Windows, set encoding = \
                         \"windows-1252\" on the source"
                    )
                )),
            })
            .collect::<Result<_>>()?;
        return Ok(Some(HeaderRecord { names, line, lines }));
    }
}

/// Reads the header record (checked when the schema was read), and the blank lines before it;
/// returns the lines they took.
pub(super) fn skip_header<R: Read>(reader: &mut RecordReader<R>, file: &Path) -> Result<u64> {
    let header = next_header(reader, file)?;
    Ok(header.map_or(0, |h| h.lines))
}
