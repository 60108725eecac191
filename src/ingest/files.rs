//! Opening a source's files: glob expansion, decompression, spreadsheets as CSV text,
//! encoding, BOM, and the CSV reader settings.

use super::compressed::{self, Compression};
use super::spreadsheet::{self, CellText};
use crate::config::{spreadsheet_extension, Encoding, Source};
use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// The files of a source: one path, or every file a glob matches, in name order (monthly
/// exports named by date read in date order, which keep-last deduplication relies on).
pub fn expand(pattern: &Path, source: &str) -> Result<Vec<PathBuf>> {
    let text = pattern.to_string_lossy();
    if !text.contains(['*', '?', '[']) {
        if !pattern.is_file() {
            bail!("source `{source}`: file not found: {}", pattern.display());
        }
        return Ok(vec![pattern.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = glob::glob(&text)
        .with_context(|| format!("source `{source}`: invalid glob pattern {text}"))?
        .filter_map(|entry| entry.ok())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    // Through a symlink (a loop, a link to a folder also matched directly) one file can match
    // under several names: read it once, under its first name.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    if files.is_empty() {
        bail!("source `{source}`: no file matches {text}");
    }
    Ok(files)
}

/// How a source's (or a lookup's) files are read: the encoding of a CSV file; for a
/// spreadsheet, the sheet and how its typed cells are written as text.
#[derive(Debug, Clone)]
pub struct Input {
    pub encoding: Encoding,
    /// None: the first sheet.
    pub sheet: Option<String>,
    pub cells: CellText,
}

impl Input {
    /// How the files of `source` are read.
    pub fn of_source(source: &Source) -> Input {
        Input {
            encoding: source.encoding,
            sheet: source.sheet.clone(),
            cells: CellText {
                decimal: source.decimal,
                date_format: source.date_format.clone(),
            },
        }
    }

    /// A CSV file in `encoding` (a spreadsheet: its first sheet, ISO dates).
    pub fn text(encoding: Encoding) -> Input {
        Input {
            encoding,
            sheet: None,
            cells: CellText::default(),
        }
    }
}

/// Whether a file is a spreadsheet, by its name.
pub fn is_spreadsheet(path: &Path) -> bool {
    spreadsheet_extension(path).is_some()
}

/// Whether a file can be read in byte ranges: a plain text file, neither compressed nor a
/// spreadsheet.
pub fn is_splittable(path: &Path) -> bool {
    !is_spreadsheet(path) && matches!(Compression::of_file(path), Ok(Compression::Plain))
}

/// The file as messages name it: a spreadsheet with its sheet, as line numbers there are the
/// sheet's row numbers.
pub fn shown(path: &Path, input: &Input) -> PathBuf {
    if !is_spreadsheet(path) {
        return path.to_path_buf();
    }
    let sheet = match &input.sheet {
        Some(name) => format!("sheet `{name}`"),
        None => "first sheet".to_string(),
    };
    PathBuf::from(format!("{} ({sheet})", path.display()))
}

/// A byte stream of the file as UTF-8 CSV text: a spreadsheet's sheet as the text of its CSV
/// export; a gzip or zstd file (told by its first bytes) decompressed while streaming;
/// windows-1252 and latin-1 transcoded while streaming, and a UTF-8 byte-order mark dropped.
/// UTF-8 is passed through untouched so that invalid bytes are reported (with their line)
/// instead of silently replaced.
pub fn open(path: &Path, input: &Input) -> Result<Box<dyn Read>> {
    if is_spreadsheet(path) {
        let sheet = spreadsheet::open(path, input.sheet.as_deref(), &input.cells)?;
        return Ok(Box::new(sheet));
    }
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader = compressed::decompressed(BufReader::with_capacity(1 << 16, file))
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(match input.encoding {
        Encoding::Utf8 => Box::new(SkipBom::new(reader)),
        // WHATWG maps latin-1 labels to windows-1252, a superset for every printable character.
        Encoding::Windows1252 | Encoding::Latin1 => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding_rs::WINDOWS_1252))
                .bom_override(true)
                .build(reader),
        ),
    })
}

/// The first bytes of a file (decoded), for sniffing the delimiter.
pub fn sample(path: &Path, input: &Input, size: usize) -> Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(size);
    open(path, input)?
        .take(size as u64)
        .read_to_end(&mut buf)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(buf)
}

/// A CSV reader over a file: no header handling (we read it ourselves), ragged rows allowed
/// (we count them), double quotes as Excel writes them.
pub fn csv_reader(path: &Path, input: &Input, delimiter: u8) -> Result<csv::Reader<Box<dyn Read>>> {
    Ok(csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(open(path, input)?))
}

/// Drops a leading UTF-8 byte-order mark.
struct SkipBom<R> {
    inner: R,
    checked: bool,
}

impl<R: Read> SkipBom<R> {
    fn new(inner: R) -> Self {
        SkipBom {
            inner,
            checked: false,
        }
    }
}

impl<R: Read> Read for SkipBom<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.checked {
            return self.inner.read(buf);
        }
        self.checked = true;
        let mut head = [0u8; 3];
        let mut n = 0;
        while n < 3 {
            let got = self.inner.read(&mut head[n..])?;
            if got == 0 {
                break;
            }
            n += got;
        }
        let start = if n == 3 && head == [0xEF, 0xBB, 0xBF] {
            3
        } else {
            0
        };
        let rest = &head[start..n];
        if rest.is_empty() {
            // Only the BOM so far: returning 0 would mean end of file.
            return self.inner.read(buf);
        }
        let len = rest.len().min(buf.len());
        buf[..len].copy_from_slice(&rest[..len]);
        if len < rest.len() {
            // Tiny caller buffer: keep it simple and correct by refusing such reads.
            return Err(std::io::Error::other("read buffer smaller than 3 bytes"));
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_dropped_once() {
        let mut out = String::new();
        SkipBom::new(&b"\xEF\xBB\xBFa,b\n\xEF\xBB\xBF"[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "a,b\n\u{feff}");
    }

    #[test]
    fn no_bom_passes_through() {
        let mut out = Vec::new();
        SkipBom::new(&b"ab"[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, b"ab");
    }
}
