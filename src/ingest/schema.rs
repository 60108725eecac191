//! A source's schema, read before any row is computed: its files, dialect, header, column
//! types (declared, else inferred from a sample: `infer`) and lookup tables.

use super::files;
use super::infer;
use super::lookup::LookupTable;
use super::parse::FieldFormat;
use super::records::RecordReader;
use super::row::unclosed_quote;
use super::scan::located;
use super::sniff;
use crate::config::{Encoding, Source};
use crate::value::DataType;
use anyhow::{anyhow, bail, Result};
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct Schema {
    pub source: String,
    pub files: Vec<PathBuf>,
    pub delimiter: u8,
    pub encoding: Encoding,
    pub format: FieldFormat,
    /// Columns of the files, in header order.
    pub header: Vec<String>,
    /// Every column a formula may use: the header's, then each lookup's, with their types.
    pub columns: Vec<(String, DataType)>,
    pub lookups: Vec<LookupTable>,
    /// Index in `header` of the deduplication key.
    pub key: Option<usize>,
    /// Columns (indices into `columns`) with no value in any row, read to the end: no type
    /// can be inferred, and none matters to a row, so the KPIs' uses may choose it
    /// (`engine::type_empty_columns`).
    pub empty: Vec<usize>,
    /// Per header column: its type was declared, not inferred.
    pub declared: Vec<bool>,
    /// When the header looks split on the wrong delimiter: the hint naming the right one.
    pub delimiter_hint: Option<String>,
}

impl Schema {
    /// Reads the headers and a sample of `source`, and loads its lookups.
    pub fn open(source: &Source) -> Result<Schema> {
        let files = files::expand(&source.path, &source.name)?;
        let delimiter = match source.delimiter {
            Some(d) => d,
            None => sniff_file(&files[0], source.encoding)?,
        };
        let header = read_header(&files[0], source.encoding, delimiter)?;
        let delimiter_hint = source
            .delimiter
            .and_then(|d| sniff::delimiter_hint(&header, d, &files[0]));
        let with_hint = |e| mismatch_with_hint(e, delimiter_hint.as_deref());
        for other in &files[1..] {
            let h = read_header(other, source.encoding, delimiter)?;
            if h != header {
                bail!(
                    "source `{}`: {} has a different header than {}\n  expected: {}\n  found:    {}",
                    source.name,
                    other.display(),
                    files[0].display(),
                    header.join(", "),
                    h.join(", ")
                );
            }
        }
        let format = FieldFormat {
            decimal: source.decimal,
            date_format: source.date_format.clone(),
            null_values: source.null_values.clone(),
        };
        let types =
            infer::column_types(source, &files, delimiter, &header, &format).map_err(with_hint)?;
        let mut columns: Vec<(String, DataType)> =
            header.iter().cloned().zip(types.types).collect();
        let mut empty = types.empty;
        let key = source
            .key
            .as_ref()
            .map(|k| find_column(&header, k, &source.name, "key"))
            .transpose()
            .map_err(with_hint)?;
        let mut lookups = Vec::new();
        for lookup in &source.lookups {
            let on = find_column(
                &header,
                &lookup.on,
                &source.name,
                &format!("lookup `{}`: on", lookup.name),
            )
            .map_err(with_hint)?;
            let table = LookupTable::load(lookup, on, &format)?;
            empty.extend(table.empty.iter().map(|&c| columns.len() + c));
            columns.extend(table.columns.iter().cloned());
            lookups.push(table);
        }
        Ok(Schema {
            source: source.name.clone(),
            files,
            delimiter,
            encoding: source.encoding,
            format,
            header,
            columns,
            lookups,
            key,
            empty,
            declared: types.declared,
            delimiter_hint,
        })
    }
}

/// The header of a source's first file alone (to explain an error about its columns).
pub fn peek_header(source: &Source) -> Result<Vec<String>> {
    let files = files::expand(&source.path, &source.name)?;
    let delimiter = match source.delimiter {
        Some(d) => d,
        None => sniff_file(&files[0], source.encoding)?,
    };
    read_header(&files[0], source.encoding, delimiter)
}

fn sniff_file(path: &Path, encoding: Encoding) -> Result<u8> {
    let sample = files::sample(path, encoding, 64 * 1024)?;
    Ok(sniff::sniff_delimiter(&sample).unwrap_or(b','))
}

/// The header of a file, trimmed: its first record that is not blank. Lines of spaces before
/// it are skipped, as they are between rows (a user sees no header there, and a spreadsheet
/// export may start with one); a file with no other line has no header, which is an error, not
/// an empty source.
pub fn read_header(path: &Path, encoding: Encoding, delimiter: u8) -> Result<Vec<String>> {
    let mut reader = RecordReader::new(files::open(path, encoding)?, delimiter);
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
                    "{}:{line}: the header is not valid UTF-8\n  hint: if the file comes from \
                     Excel on Windows, set encoding = \"windows-1252\" on the source",
                    path.display()
                )),
            })
            .collect::<Result<_>>()?;
        return Ok(Some(HeaderRecord { names, line, lines }));
    }
}

/// A column the configuration names is not in the file: the configuration's fault (exit 3),
/// unlike an unreadable file (exit 4). Callers tell them apart with [`is_config_mismatch`].
#[derive(Debug)]
pub struct ConfigMismatch(pub String);

impl std::fmt::Display for ConfigMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigMismatch {}

/// Whether an error from [`Schema::open`] is a configuration mismatch.
pub fn is_config_mismatch(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.is::<ConfigMismatch>())
}

/// A configuration mismatch with a hint added, still a mismatch; other errors as they are.
pub fn mismatch_with_hint(error: anyhow::Error, hint: Option<&str>) -> anyhow::Error {
    match hint {
        Some(hint) if is_config_mismatch(&error) => {
            anyhow::Error::new(ConfigMismatch(format!("{error:#}\n  hint: {hint}")))
        }
        _ => error,
    }
}

pub fn find_column(header: &[String], name: &str, source: &str, what: &str) -> Result<usize> {
    header
        .iter()
        .position(|h| h == name)
        .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
        .ok_or_else(|| {
            anyhow::Error::new(ConfigMismatch(format!(
                "source `{source}`: {what}: unknown column `{name}` (columns: {})",
                header.join(", ")
            )))
        })
}
