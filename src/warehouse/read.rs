//! A source's rows as the query sees them: its warehouse `table`, or — in the DuckDB dialect —
//! its CSV files read directly, with kpi's reading rules written in SQL: the dialect options,
//! trimmed cells, null values, typed columns, keep-last deduplication and lookups.

use super::dialect::Dialect;
use super::expr::Writer;
use super::numbers::number;
use super::Refusal;
use super::{FALSE_WORDS, TRUE_WORDS};
use crate::config::Encoding;
use crate::ingest::compressed::Compression;
use crate::ingest::lookup::LookupTable;
use crate::ingest::parse::FieldFormat;
use crate::ingest::schema::Schema;
use crate::value::DataType;
use std::path::PathBuf;

/// The column of a row's place in file order ([`rows_in_file_order`]).
pub const ORDINAL: &str = "kpi_row";

/// The body of a CTE that gives the source's `used` columns (indices into `schema.columns`),
/// named as in the schema. Computed columns are written as their expressions over the columns
/// read (those of other computed columns inlined), in a select around them.
pub fn source_rows(
    d: Dialect,
    schema: &Schema,
    table: Option<&str>,
    used: &[usize],
) -> Result<String, Refusal> {
    rows_of(d, schema, table, used, false)
}

/// [`source_rows`], with each row's place in file order as `kpi_row` (files read by DuckDB
/// only: a table has no order).
pub fn rows_in_file_order(d: Dialect, schema: &Schema, used: &[usize]) -> Result<String, Refusal> {
    rows_of(d, schema, None, used, true)
}

fn rows_of(
    d: Dialect,
    schema: &Schema,
    table: Option<&str>,
    used: &[usize],
    ordinal: bool,
) -> Result<String, Refusal> {
    let start = schema.computed_start();
    let all = schema.with_inputs(used);
    let read: Vec<usize> = all.iter().copied().filter(|&c| c < start).collect();
    let rows = read_rows(d, schema, table, &read, ordinal)?;
    if all.len() == read.len() {
        return Ok(rows);
    }
    let name = |c: usize| super::column(d, &schema.columns[c].0, table.is_some());
    let mut sql: Vec<Option<String>> = vec![None; schema.columns.len()];
    for &c in &read {
        sql[c] = Some(name(c));
    }
    for (k, column) in schema.computed.iter().enumerate() {
        if !all.contains(&(start + k)) {
            continue;
        }
        let inputs: Vec<(String, Option<DataType>)> = column
            .inputs
            .iter()
            .map(|&i| {
                let text = sql[i].clone().unwrap_or_else(|| "NULL".into());
                (text, Some(schema.columns[i].1))
            })
            .collect();
        let writer = Writer {
            dialect: d,
            inputs: &inputs,
        };
        let expr = writer.sql(&column.node).map_err(|e| {
            format!(
                "source `{}`: computed column `{}`: {e}",
                schema.source, column.name
            )
        })?;
        sql[start + k] = Some(format!("({expr})"));
    }
    let mut columns: Vec<String> = used
        .iter()
        .map(|&c| format!("{} AS {}", sql[c].as_deref().unwrap_or("NULL"), name(c)))
        .collect();
    if ordinal {
        columns.push(ORDINAL.into());
    }
    Ok(format!(
        "SELECT {}\n  FROM ({rows}) AS read_rows",
        columns.join(",\n         ")
    ))
}

/// The rows of the source's files or table: `used` are columns of the header or of lookups.
fn read_rows(
    d: Dialect,
    schema: &Schema,
    table: Option<&str>,
    used: &[usize],
    ordinal: bool,
) -> Result<String, Refusal> {
    let names: Vec<&str> = used.iter().map(|&c| schema.columns[c].0.as_str()).collect();
    if let (Some(table), true) = (table, ordinal) {
        return Err(format!(
            "source `{}` is the table {table}, whose rows have no file order",
            schema.source
        ));
    }
    if let Some(table) = table {
        // Named as the KPIs' rows refer to them: see `column`.
        let columns: Vec<String> = names.iter().map(|n| super::column(d, n, true)).collect();
        return Ok(format!("SELECT {} FROM {table}", columns.join(", ")));
    }
    if d != Dialect::DuckDb {
        return Err(format!(
            "source `{}` has no `table`: only the duckdb dialect reads CSV files; set table = \"schema.name\" on the source",
            schema.source
        ));
    }
    if schema.files.is_empty() {
        return Err(format!("source `{}` has no file to read", schema.source));
    }
    readable_by_duckdb(&schema.files, &format!("source `{}`", schema.source))?;
    // Cells are decoded, trimmed and nulled once (inner select), then typed (outer select).
    let header_width = schema.header.len();
    let mut cells = Vec::new();
    let mut columns = Vec::new();
    for (slot, &c) in used.iter().enumerate() {
        let (name, ty) = &schema.columns[c];
        let cell = if c < header_width {
            let text = text_cell(d, &format!("raw.c{c}"), &schema.format);
            columns.push(typed(
                d,
                &format!("t{slot}"),
                *ty,
                &schema.format,
                &schema.source,
                name,
            )?);
            text
        } else {
            columns.push(format!("t{slot}"));
            let (l, name) = lookup_of(schema, c - header_width)
                .ok_or_else(|| format!("source `{}`: no column {c}", schema.source))?;
            format!("l{l}.{}", d.ident(name))
        };
        cells.push(format!("{cell} AS t{slot}"));
    }
    let mut columns: Vec<String> = columns
        .iter()
        .zip(&names)
        .map(|(value, name)| format!("{value} AS {}", d.ident(name)))
        .collect();
    if ordinal {
        cells.push(format!("raw.ordinality AS {ORDINAL}"));
        columns.push(ORDINAL.into());
    }
    let mut from = format!(
        "(SELECT * FROM {}) AS raw",
        read_csv(
            d,
            &schema.files,
            schema.delimiter,
            schema.input.encoding,
            header_width,
            schema.key
        )
    );
    for (l, lookup) in schema.lookups.iter().enumerate() {
        // DuckDB reads an empty field as null; kpi matches a blank key like any other.
        let on = d.trim(&format!("raw.c{}", lookup.on));
        let rows = match lookup.file {
            Some(_) => format!(
                "({})",
                lookup_rows(d, lookup, &schema.format, &schema.source)?
            ),
            None => lookup_cte(&schema.source, &lookup.name),
        };
        from += &format!(
            "\n      LEFT JOIN {rows} AS l{l} ON COALESCE(l{l}.k, '') = COALESCE({on}, '')"
        );
    }
    Ok(format!(
        "SELECT {}\n  FROM (SELECT {}\n    FROM {from}) AS cells",
        columns.join(",\n         "),
        cells.join(",\n           ")
    ))
}

/// The lookup (its index) and name of the n-th lookup column of the schema.
fn lookup_of(schema: &Schema, mut n: usize) -> Option<(usize, &str)> {
    for (l, lookup) in schema.lookups.iter().enumerate() {
        match lookup.columns.get(n) {
            Some((name, _)) => return Some((l, name)),
            None => n -= lookup.columns.len(),
        }
    }
    None
}

/// DuckDB's read_csv reads CSV files, plain or compressed, telling the compression by the
/// file's name: a spreadsheet, or a compressed file not named so, is refused by name.
fn readable_by_duckdb(files: &[PathBuf], what: &str) -> Result<(), Refusal> {
    for file in files {
        if let Some(ext) = crate::config::spreadsheet_extension(file) {
            return Err(format!(
                "spreadsheet {what} (.{ext}): DuckDB's read_csv does not read {}; set table = \"schema.name\" on the source, or export the sheet as CSV",
                file.display()
            ));
        }
        let compression = Compression::of_file(file).unwrap_or(Compression::Plain);
        let named = |ext: &str| {
            file.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case(ext))
        };
        if let Some(ext) = compression.extension().filter(|ext| !named(ext)) {
            return Err(format!(
                "{what}: {} is {}-compressed but not named .{ext}, and DuckDB tells compression by the name; rename it",
                file.display(),
                compression.name()
            ));
        }
    }
    Ok(())
}

/// `read_csv(...)` of every file as text, in file order, with each row's ordinal; rows sharing
/// a key keep the last one (`key`: index of the key column).
fn read_csv(
    d: Dialect,
    files: &[PathBuf],
    delimiter: u8,
    encoding: Encoding,
    width: usize,
    key: Option<usize>,
) -> String {
    let paths: Vec<String> = files
        .iter()
        .map(|f| d.string(&f.display().to_string()))
        .collect();
    let columns: Vec<String> = (0..width).map(|i| format!("'c{i}': 'VARCHAR'")).collect();
    let encoding = match encoding {
        Encoding::Utf8 => "utf-8",
        // DuckDB reads windows-1252 with its `encodings` extension only (docs/warehouse.md);
        // its latin-1 refuses the bytes 0x80–0x9F, where kpi reads windows-1252's € and œ.
        Encoding::Windows1252 => "windows-1252",
        Encoding::Latin1 => "latin-1",
    };
    let scan = format!(
        "read_csv([{}], header = true, delim = {}, quote = '\"', escape = '\"', columns = {{{}}}, encoding = '{encoding}', auto_detect = false, ignore_errors = true, null_padding = false) WITH ORDINALITY",
        paths.join(", "),
        d.string(&(delimiter as char).to_string()),
        columns.join(", ")
    );
    match key {
        None => scan,
        Some(k) => {
            // DuckDB reads an empty field as null: rows with a blank key are all kept.
            let key = d.trim(&format!("c{k}"));
            format!(
                "{scan}\n    QUALIFY COALESCE({key}, '') = '' OR row_number() OVER (PARTITION BY {key} ORDER BY ordinality DESC) = 1"
            )
        }
    }
}

/// The CTE of the rows of a lookup from a source (`k`, then its columns), which the query
/// writes before the sources that join it.
pub fn lookup_cte(source: &str, lookup: &str) -> String {
    format!("lookup_{source}_{lookup}")
}

/// A lookup file's rows: `k`, the trimmed join key, and its added columns, the last row of a
/// key kept.
fn lookup_rows(
    d: Dialect,
    lookup: &LookupTable,
    format: &FieldFormat,
    source: &str,
) -> Result<String, Refusal> {
    let Some(file) = &lookup.file else {
        return Err(format!(
            "lookup `{}` of source `{source}`: no file",
            lookup.name
        ));
    };
    readable_by_duckdb(
        std::slice::from_ref(&file.path),
        &format!("lookup `{}` of source `{source}`", lookup.name),
    )?;
    let scan = read_csv(
        d,
        std::slice::from_ref(&file.path),
        file.delimiter,
        file.encoding,
        file.header.len(),
        None,
    );
    let key = d.trim(&format!("c{}", file.key));
    let mut cells = vec![format!("{key} AS k")];
    let mut columns = vec!["k".to_string()];
    for (n, (&i, (name, ty))) in file.wanted.iter().zip(&lookup.columns).enumerate() {
        cells.push(format!(
            "{} AS t{n}",
            text_cell(d, &format!("c{i}"), format)
        ));
        let value = typed(d, &format!("t{n}"), *ty, format, source, name)?;
        columns.push(format!("{value} AS {}", d.ident(name)));
    }
    Ok(format!(
        "SELECT {} FROM (SELECT {} FROM {scan}\n      QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY ordinality DESC) = 1)",
        columns.join(", "),
        cells.join(", ")
    ))
}

/// A cell as kpi sees it before typing: trimmed, and null when blank or one of the
/// source's null values.
fn text_cell(d: Dialect, column: &str, format: &FieldFormat) -> String {
    let trimmed = d.trim(column);
    let mut nulls: Vec<String> = vec![d.string("")];
    for null in &format.null_values {
        for text in [null.as_str(), null.trim()] {
            let literal = d.string(text);
            if !nulls.contains(&literal) {
                nulls.push(literal);
            }
        }
    }
    format!(
        "CASE WHEN {trimmed} IN ({}) THEN NULL ELSE {trimmed} END",
        nulls.join(", ")
    )
}

const ISO_DATE: &str = r"[0-9]{4}-[0-9]{2}-[0-9]{2}";
const ISO_TIME: &str = r"[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?";
const OFFSET: &str = r"(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)";

/// A text cell converted to its column's type; a value that does not convert is null, as kpi
/// counts it (kpi also warns; the query cannot).
fn typed(
    d: Dialect,
    cell: &str,
    ty: DataType,
    format: &FieldFormat,
    source: &str,
    column: &str,
) -> Result<String, Refusal> {
    let pattern = format.date_format.as_deref();
    Ok(match (ty, pattern) {
        (DataType::String, _) => cell.to_string(),
        (DataType::Number, _) => number(d, cell, format.decimal),
        (DataType::Bool, _) => format!(
            "CASE WHEN LOWER({cell}) IN ({TRUE_WORDS}) THEN TRUE WHEN LOWER({cell}) IN ({FALSE_WORDS}) THEN FALSE END"
        ),
        (DataType::Date, None) => format!(
            "CASE WHEN {} THEN TRY_CAST(substr({cell}, 1, 10) AS DATE) END",
            d.full_match(cell, &format!("{ISO_DATE}({ISO_TIME}{OFFSET}?)?"))
        ),
        (DataType::DateTime, None) => {
            let local = d.full_match(cell, &format!("{ISO_DATE}({ISO_TIME})?"));
            let offset = d.full_match(cell, &format!("{ISO_DATE}{ISO_TIME}{OFFSET}"));
            format!(
                "CASE WHEN {local} THEN TRY_CAST({cell} AS TIMESTAMP) WHEN {offset} THEN timezone('UTC', TRY_CAST({cell} AS TIMESTAMPTZ)) END"
            )
        }
        (DataType::Date | DataType::DateTime, Some(p)) => {
            let p = strptime_pattern(p).ok_or_else(|| {
                format!("source `{source}`: date_format {p:?} (column `{column}`) has no DuckDB strptime equivalent")
            })?;
            let parsed = format!("try_strptime({cell}, {})", d.string(&p));
            if ty == DataType::Date {
                format!("CAST({parsed} AS DATE)")
            } else {
                format!("CAST({parsed} AS TIMESTAMP)")
            }
        }
    })
}

/// A chrono date pattern as DuckDB's strptime reads it: the common specifiers mean the same in
/// both; others (`%z`, `%.f`, padding flags) are refused.
fn strptime_pattern(pattern: &str) -> Option<String> {
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '%'
            && !matches!(
                chars.next()?,
                'd' | 'm' | 'Y' | 'y' | 'H' | 'M' | 'S' | 'b' | 'B' | 'I' | 'p' | 'j' | '%'
            )
        {
            return None;
        }
    }
    Some(pattern.to_string())
}
