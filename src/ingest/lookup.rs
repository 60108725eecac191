//! Lookup tables: a small CSV loaded once and joined to each row of a source by key.

use super::files::{self, Input};
use super::header::{self, next_header, read_header};
use super::located::{located, unclosed_quote};
use super::mismatch::{find_column, mismatch_with_hint};
use super::parse::{is_null, parse_field, FieldFormat};
use super::records::RecordReader;
use super::sniff;
use super::spreadsheet::CellText;
use crate::config::Lookup;
use crate::value::DataType;
use anyhow::{Context, Result};
use std::collections::HashMap;

pub use crate::value::Cell;

#[derive(Debug)]
pub struct LookupTable {
    pub name: String,
    /// Index in the source's header of the join column.
    pub on: usize,
    /// The added columns, named as in the lookup file, with their inferred types.
    pub columns: Vec<(String, DataType)>,
    /// Added columns (indices into `columns`) with no value in any row: their uses type them.
    pub empty: Vec<usize>,
    /// How the file is written, for `kpi sql` to read it the same way; None for a lookup
    /// from a source.
    pub file: Option<LookupFile>,
    rows: HashMap<String, Vec<Cell>>,
}

#[derive(Debug, Clone)]
pub struct LookupFile {
    pub path: std::path::PathBuf,
    pub encoding: crate::config::Encoding,
    pub delimiter: u8,
    pub header: Vec<String>,
    /// Index in `header` of the join column.
    pub key: usize,
    /// Indices in `header` of the added columns.
    pub wanted: Vec<usize>,
}

impl LookupTable {
    /// Loads the lookup file. A key that appears twice keeps its last row, like a source key.
    pub fn load(lookup: &Lookup, on: usize, format: &FieldFormat) -> Result<LookupTable> {
        let what = format!("lookup `{}`", lookup.name);
        let input = Input {
            encoding: lookup.encoding,
            sheet: lookup.sheet.clone(),
            cells: CellText {
                decimal: format.decimal,
                date_format: format.date_format.clone(),
            },
        };
        let delimiter = header::delimiter(&lookup.path, &input, lookup.delimiter)
            .with_context(|| what.clone())?;
        let header = read_header(&lookup.path, &input, delimiter).with_context(|| what.clone())?;
        let hint = lookup
            .delimiter
            .and_then(|d| sniff::delimiter_hint(&header, d, &lookup.path));
        let with_hint = |e| mismatch_with_hint(e, hint.as_deref());
        let key = find_column(&header, &lookup.on, &lookup.name, "on").map_err(with_hint)?;
        let wanted: Vec<usize> = lookup
            .columns
            .iter()
            .map(|c| find_column(&header, c, &lookup.name, "columns").map_err(with_hint))
            .collect::<Result<_>>()?;
        let raw = read_all(&lookup.path, &input, delimiter, &header)?;
        let columns: Vec<(String, DataType)> = wanted
            .iter()
            .map(|&i| {
                (
                    header[i].clone(),
                    sniff::infer_type(raw.iter().map(|r| r[i].as_str()), format),
                )
            })
            .collect();
        let empty = (0..wanted.len())
            .filter(|&c| raw.iter().all(|r| is_null(&r[wanted[c]], format)))
            .collect();
        let mut rows = HashMap::new();
        for record in &raw {
            let cells = wanted
                .iter()
                .zip(&columns)
                .map(|(&i, (_, ty))| {
                    parse_field(&record[i], *ty, format).map_or(Cell::Null, Cell::from_value)
                })
                .collect();
            rows.insert(record[key].trim().to_string(), cells);
        }
        Ok(LookupTable {
            name: lookup.name.clone(),
            on,
            columns,
            empty,
            file: Some(LookupFile {
                path: lookup.path.clone(),
                encoding: lookup.encoding,
                delimiter,
                header,
                key,
                wanted,
            }),
            rows,
        })
    }

    /// A table from rows already read (a lookup from a source): each trimmed key's cells, in
    /// the order of `columns`; `on` is set when the table is attached to its source.
    pub fn from_rows(
        name: &str,
        columns: Vec<(String, DataType)>,
        rows: HashMap<String, Vec<Cell>>,
    ) -> LookupTable {
        let empty = (0..columns.len())
            .filter(|&c| {
                rows.values()
                    .all(|r| r.get(c).is_none_or(|v| *v == Cell::Null))
            })
            .collect();
        LookupTable {
            name: name.to_string(),
            on: 0,
            columns,
            empty,
            file: None,
            rows,
        }
    }

    /// A table with its columns and no rows: what `kpi sql` knows of a lookup from a source,
    /// whose rows the query joins itself.
    pub fn declared(name: &str, columns: Vec<(String, DataType)>) -> LookupTable {
        LookupTable {
            name: name.to_string(),
            on: 0,
            columns,
            empty: vec![],
            file: None,
            rows: HashMap::new(),
        }
    }

    /// The added cells for a join key; None when the key is not in the table.
    pub fn get(&self, key: &str) -> Option<&[Cell]> {
        self.rows.get(key.trim()).map(Vec::as_slice)
    }
}

/// The rows of the lookup file with as many fields as its header. A quote left open at the end
/// is malformed, as in a source.
fn read_all(
    path: &std::path::Path,
    input: &Input,
    delimiter: u8,
    header: &[String],
) -> Result<Vec<Vec<String>>> {
    let mut reader = RecordReader::new(files::open(path, input)?, delimiter);
    let mut lines = next_header(&mut reader, path)?.map_or(0, |h| h.lines);
    let mut out = Vec::new();
    let cannot_read = |e| anyhow::anyhow!("{}: cannot read: {e}", path.display());
    while let Some(record) = reader.next_record().map_err(cannot_read)? {
        let line = lines + 1 + record.blank_lines_before();
        lines += record.line_breaks();
        unclosed_quote(&record, line, header)
            .map_err(|e| located(e, &files::shown(path, input), 0))?;
        if record.len() != header.len() {
            continue;
        }
        let fields = (0..record.len()).map(|i| match std::str::from_utf8(record.field(i)) {
            Ok(field) => Ok(field.to_string()),
            Err(_) => Err(anyhow::anyhow!(
                "{}:{line}: the file is not valid UTF-8\n  hint: if it comes from Excel on \
                 Windows, set encoding = \"windows-1252\" on the lookup",
                path.display()
            )),
        });
        out.push(fields.collect::<Result<_>>()?);
    }
    Ok(out)
}
