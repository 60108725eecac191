//! A source's schema, read before any row is computed: its files, dialect, header, column
//! types (declared, else inferred from a sample: `infer`) and lookup tables. What its KPIs'
//! time columns hold is checked in `time_columns`.

use super::computed::{self, ComputedColumn};
use super::files::{self, Input};
use super::header::{self, read_header};
use super::infer;
use super::lookup::LookupTable;
use super::mismatch::{find_column, mismatch_with_hint, ConfigMismatch};
use super::parse::FieldFormat;
use super::sniff;
use super::table::{Built, Table};
use crate::config::Source;
use crate::value::DataType;
use anyhow::{bail, Result};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug)]
pub struct Schema {
    pub source: String,
    pub files: Vec<PathBuf>,
    pub delimiter: u8,
    /// How the files are read: encoding, or sheet and cell text.
    pub input: Input,
    pub format: FieldFormat,
    /// Columns of the files, in header order.
    pub header: Vec<String>,
    /// Every column a formula may use: the header's, then each lookup's, then the computed
    /// ones, with their types.
    pub columns: Vec<(String, DataType)>,
    pub lookups: Vec<LookupTable>,
    /// The computed columns, in the order of `columns` from [`Schema::computed_start`] on.
    pub computed: Vec<ComputedColumn>,
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
    /// A rollup's rows, in memory (its `files` are none).
    pub table: Option<Arc<Table>>,
    /// What a rollup's rows were built from.
    pub built: Option<Built>,
}

impl Schema {
    /// Reads the headers and a sample of `source`, and loads its lookups from files.
    pub fn open(source: &Source) -> Result<Schema> {
        Schema::open_with(source, Vec::new())
    }

    /// [`Schema::open`], with the tables of the lookups that come from sources (`from_sources`,
    /// by lookup name) built by the caller.
    pub fn open_with(source: &Source, from_sources: Vec<LookupTable>) -> Result<Schema> {
        if source.rollup.is_some() {
            bail!(ConfigMismatch(format!(
                "source `{}` is a rollup: its rows are built from its input source",
                source.name
            )));
        }
        let files = files::expand(&source.path, &source.name)?;
        one_kind(&files, &source.name)?;
        let input = Input::of_source(source);
        let delimiter = header::delimiter(&files[0], &input, source.delimiter)?;
        let header = read_header(&files[0], &input, delimiter)?;
        let delimiter_hint = source
            .delimiter
            .and_then(|d| sniff::delimiter_hint(&header, d, &files[0]));
        let with_hint = |e| mismatch_with_hint(e, delimiter_hint.as_deref());
        for other in &files[1..] {
            let h = read_header(other, &input, delimiter)?;
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
        let lookups = attach_lookups(source, &header, &mut columns, &mut empty, from_sources)
            .map_err(with_hint)?;
        let computed = computed::compile_all(source, &mut columns, &empty)?;
        Ok(Schema {
            source: source.name.clone(),
            files,
            delimiter,
            input,
            format,
            header,
            columns,
            lookups,
            computed,
            key,
            empty,
            declared: types.declared,
            delimiter_hint,
            table: None,
            built: None,
        })
    }

    /// The schema of a rollup: `columns` typed by their aggregates, `table` its rows.
    pub fn of_table(
        source: &Source,
        mut columns: Vec<(String, DataType)>,
        table: Arc<Table>,
        built: Built,
        from_sources: Vec<LookupTable>,
    ) -> Result<Schema> {
        let header: Vec<String> = columns.iter().map(|(n, _)| n.clone()).collect();
        let declared = vec![true; header.len()];
        let mut empty = Vec::new();
        let lookups = attach_lookups(source, &header, &mut columns, &mut empty, from_sources)?;
        let computed = computed::compile_all(source, &mut columns, &empty)?;
        Ok(Schema {
            source: source.name.clone(),
            files: Vec::new(),
            delimiter: b',',
            input: Input::of_source(source),
            format: FieldFormat::default(),
            header,
            columns,
            lookups,
            computed,
            key: None,
            empty,
            declared,
            delimiter_hint: None,
            table: Some(table),
            built: Some(built),
        })
    }
}

/// The lookup tables of a source, in its order: loaded from their files, or taken from
/// `from_sources`; their columns (and those no row fills) are appended.
fn attach_lookups(
    source: &Source,
    header: &[String],
    columns: &mut Vec<(String, DataType)>,
    empty: &mut Vec<usize>,
    mut from_sources: Vec<LookupTable>,
) -> Result<Vec<LookupTable>> {
    let format = FieldFormat {
        decimal: source.decimal,
        date_format: source.date_format.clone(),
        null_values: source.null_values.clone(),
    };
    let mut lookups = Vec::new();
    for lookup in &source.lookups {
        let what = format!("lookup `{}`: on", lookup.name);
        let on = find_column(header, &lookup.on, &source.name, &what)?;
        let mut table = match from_sources.iter().position(|t| t.name == lookup.name) {
            Some(i) => from_sources.swap_remove(i),
            None => LookupTable::load(lookup, on, &format)?,
        };
        table.on = on;
        empty.extend(table.empty.iter().map(|&c| columns.len() + c));
        columns.extend(table.columns.iter().cloned());
        lookups.push(table);
    }
    Ok(lookups)
}

impl Schema {
    /// The index in `columns` of the first computed column.
    pub fn computed_start(&self) -> usize {
        self.columns.len() - self.computed.len()
    }

    /// `used` and every column its computed columns read: what a row decodes.
    pub fn with_inputs(&self, used: &[usize]) -> Vec<usize> {
        computed::with_inputs(used, &self.computed, self.computed_start())
    }
}

/// The header of a source's first file alone (to explain an error about its columns).
pub fn peek_header(source: &Source) -> Result<Vec<String>> {
    let files = files::expand(&source.path, &source.name)?;
    let input = Input::of_source(source);
    let delimiter = header::delimiter(&files[0], &input, source.delimiter)?;
    read_header(&files[0], &input, delimiter)
}

/// A glob may mix plain and compressed CSV files, not CSV files and spreadsheets: they differ
/// in the keys that apply (a delimiter, a sheet).
fn one_kind(files: &[PathBuf], source: &str) -> Result<()> {
    let spreadsheet = files.iter().find(|f| files::is_spreadsheet(f));
    let text = files.iter().find(|f| !files::is_spreadsheet(f));
    if let (Some(spreadsheet), Some(text)) = (spreadsheet, text) {
        bail!(ConfigMismatch(format!(
            "source `{source}`: its files mix spreadsheets and CSV files ({} and {}): make \
             the path match one kind",
            spreadsheet.display(),
            text.display()
        )));
    }
    Ok(())
}
