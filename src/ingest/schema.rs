//! A source's schema, read before any row is computed: its files, dialect, header, column
//! types (declared, else inferred from a sample) and lookup tables.

use super::files;
use super::lookup::LookupTable;
use super::parse::FieldFormat;
use super::records::RecordReader;
use super::sniff;
use crate::config::{Encoding, Source};
use crate::value::DataType;
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};

/// Rows read to infer the types of undeclared columns.
const INFERENCE_ROWS: usize = 20_000;

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
        let types = column_types(source, &files[0], delimiter, &header, &format)?;
        let mut columns: Vec<(String, DataType)> = header.iter().cloned().zip(types).collect();
        let key = source
            .key
            .as_ref()
            .map(|k| find_column(&header, k, &source.name, "key"))
            .transpose()?;
        let mut lookups = Vec::new();
        for lookup in &source.lookups {
            let on = find_column(
                &header,
                &lookup.on,
                &source.name,
                &format!("lookup `{}`: on", lookup.name),
            )?;
            let table = LookupTable::load(lookup, on, &format)?;
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

/// The first record, trimmed. An empty file has no header: that is an error, not an empty source.
pub fn read_header(path: &Path, encoding: Encoding, delimiter: u8) -> Result<Vec<String>> {
    let mut reader = files::csv_reader(path, encoding, delimiter)?;
    let mut record = csv::StringRecord::new();
    let found = reader
        .read_record(&mut record)
        .map_err(|e| super::scan::csv_error(e, path))?;
    if !found || record.iter().all(|f| f.trim().is_empty()) {
        bail!(
            "{} is empty: a CSV export needs at least a header line",
            path.display()
        );
    }
    let header: Vec<String> = record.iter().map(|f| f.trim().to_string()).collect();
    if let Some(dup) = header
        .iter()
        .enumerate()
        .find(|(i, h)| header[..*i].contains(h))
    {
        bail!(
            "{}:1: the column `{}` appears twice in the header",
            path.display(),
            dup.1
        );
    }
    Ok(header)
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

/// Declared types win; the others are inferred from the first rows of the first file.
fn column_types(
    source: &Source,
    path: &Path,
    delimiter: u8,
    header: &[String],
    format: &FieldFormat,
) -> Result<Vec<DataType>> {
    for (name, _) in &source.columns {
        find_column(header, name, &source.name, "columns")?;
    }
    let declared: Vec<Option<DataType>> = header
        .iter()
        .map(|name| {
            let found = source
                .columns
                .iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(name));
            found.map(|(_, t)| *t)
        })
        .collect();
    let mut evidence: Vec<sniff::Evidence> = header
        .iter()
        .map(|_| sniff::Evidence::new(format))
        .collect();
    // Columns still undecided; a declared one, or one that can only be a string, is not.
    let mut open: Vec<usize> = (0..header.len())
        .filter(|&i| declared[i].is_none())
        .collect();
    let mut reader = RecordReader::new(files::open(path, source.encoding)?, delimiter);
    let mut rows = 0;
    while rows <= INFERENCE_ROWS && !open.is_empty() {
        // A bad line in the sample is reported by the scan, with its line; infer from the rest.
        let Ok(Some(record)) = reader.next_record() else {
            break;
        };
        rows += 1;
        if rows == 1 || record.len() != header.len() {
            continue;
        }
        for &i in &open {
            evidence[i].offer(&String::from_utf8_lossy(record.field(i)));
        }
        open.retain(|&i| !evidence[i].only_string());
    }
    Ok(declared
        .iter()
        .zip(&evidence)
        .map(|(declared, evidence)| declared.unwrap_or_else(|| evidence.verdict()))
        .collect())
}
