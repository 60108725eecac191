//! A source as the query reads it: its files or table, or — for a rollup — a grouped subquery
//! over its input (itself opened so, a rollup of a rollup too), named as a table.

use super::refused;
use crate::config::{Config, Source};
use crate::engine::rollup::plan_rollup;
use crate::error::{Error, Kind, ResultExt};
use crate::ingest::lookup::LookupTable;
use crate::ingest::parse::FieldFormat;
use crate::ingest::schema::Schema;
use crate::value::DataType;
use crate::warehouse::{self, Dialect};
use anyhow::anyhow;

/// A source ready for the query.
pub struct Opened {
    pub schema: Schema,
    /// What its rows are read from: the configured table, a rollup's CTE, or None (its files).
    pub table: Option<String>,
    /// The CTEs it needs before its own (a rollup's, its input's first).
    pub prelude: Vec<String>,
}

/// The CTEs of a query so far (rollups by source, lookups from sources by their CTE's name),
/// each written once however many sources read it; and the sources being opened.
#[derive(Default)]
pub struct Written {
    rollups: Vec<String>,
    lookups: Vec<String>,
    opening: Vec<String>,
}

/// Opens `source`; the CTEs it needs that are not in `written` yet come in its prelude.
pub fn open_source(
    config: &Config,
    source: &Source,
    d: Dialect,
    written: &mut Written,
) -> Result<Opened, Error> {
    // Orders looking up a rollup of orders are read without that lookup to build it.
    let source = source.without_lookups_from(&written.opening);
    written.opening.push(source.name.clone());
    let opened = open_unlooped(config, &source, d, written);
    written.opening.pop();
    opened
}

fn open_unlooped(
    config: &Config,
    source: &Source,
    d: Dialect,
    written: &mut Written,
) -> Result<Opened, Error> {
    if let Some(feature) = not_compiled(source) {
        return Err(refused(d, feature));
    }
    let Some(rollup) = &source.rollup else {
        let (tables, prelude) = lookups_from_sources(config, source, d, written)?;
        return Ok(Opened {
            schema: schema(source, tables)?,
            table: source.table.clone(),
            prelude,
        });
    };
    let input_source = config
        .source(&rollup.input)
        .ok_or_else(|| anyhow!("source `{}`: unknown input `{}`", source.name, rollup.input))
        .kind(Kind::Config)?;
    let input = open_source(config, input_source, d, written)?;
    let plan = plan_rollup(config, source, rollup, &input.schema.columns).kind(Kind::Config)?;
    let body = warehouse::rollup_rows(d, &input.schema, input.table.as_deref(), &plan)
        .map_err(|e| refused(d, e))?;
    let mut prelude = input.prelude;
    let name = match written.rollups.iter().position(|n| *n == source.name) {
        Some(i) => format!("rollup_{i}"),
        None => {
            let name = format!("rollup_{}", written.rollups.len());
            written.rollups.push(source.name.clone());
            prelude.push(format!("{name} AS (\n  {body}\n)"));
            name
        }
    };
    let header: Vec<String> = plan.columns.iter().map(|(n, _)| n.clone()).collect();
    let mut columns = plan.columns;
    let computed =
        crate::ingest::computed::compile_all(source, &mut columns, &[]).kind(Kind::Config)?;
    let schema = Schema {
        declared: vec![true; header.len()],
        header,
        columns,
        computed,
        ..bare_schema(source)
    };
    Ok(Opened {
        schema,
        table: Some(name),
        prelude,
    })
}

/// The tables of the lookups of `source` that come from sources, with their columns' types,
/// and the CTEs of their rows (needed when the source's files are read: a table holds its
/// lookups' columns already).
fn lookups_from_sources(
    config: &Config,
    source: &Source,
    d: Dialect,
    written: &mut Written,
) -> Result<(Vec<LookupTable>, Vec<String>), Error> {
    let (mut tables, mut prelude) = (Vec::new(), Vec::new());
    for lookup in &source.lookups {
        let Some(from) = &lookup.source else { continue };
        let from_source = config
            .source(from)
            .ok_or_else(|| anyhow!("lookup `{}`: unknown source `{from}`", lookup.name))
            .kind(Kind::Config)?;
        let opened = open_source(config, from_source, d, written)?;
        let mut columns = Vec::new();
        for name in &lookup.columns {
            let found = opened
                .schema
                .columns
                .iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(name));
            let Some(found) = found else {
                return Err(anyhow!(
                    "source `{}`: lookup `{}`: unknown column `{name}` in source `{from}`",
                    source.name,
                    lookup.name
                ))
                .kind(Kind::Config);
            };
            columns.push(found.clone());
        }
        tables.push(LookupTable::declared(&lookup.name, columns));
        let name = warehouse::lookup_cte(&source.name, &lookup.name);
        if source.table.is_some() || written.lookups.contains(&name) {
            continue;
        }
        // A rollup's `by` is on one row each: which row of a key is last does not matter.
        let unique = from_source
            .rollup
            .as_ref()
            .is_some_and(|r| r.by.len() == 1 && r.by[0].eq_ignore_ascii_case(&lookup.on));
        let filter = from_source.filter.as_ref();
        let body = warehouse::lookup_source_rows(
            d,
            lookup,
            &opened.schema,
            opened.table.as_deref(),
            filter,
            unique,
        )
        .map_err(|e| refused(d, format!("source `{}`: {e}", source.name)))?;
        prelude.extend(opened.prelude);
        prelude.push(format!("{name} AS (\n  {body}\n)"));
        written.lookups.push(name);
    }
    Ok((tables, prelude))
}

/// What of Rollups, computed columns and top-N a source uses that `kpi sql` does not compile
/// yet.
fn not_compiled(source: &Source) -> Option<String> {
    let name = &source.name;
    let lookup = source.lookups.first().filter(|_| source.rollup.is_some())?;
    Some(format!(
        "lookup `{}` of rollup source `{name}`: a rollup's lookups are not compiled yet",
        lookup.name
    ))
}

/// The source's schema from its files; a warehouse source without local files is typed by its
/// declared columns.
fn schema(source: &Source, from_sources: Vec<LookupTable>) -> Result<Schema, Error> {
    let declared: Vec<(String, DataType)> = from_sources
        .iter()
        .flat_map(|t| t.columns.iter().cloned())
        .collect();
    match Schema::open_with(source, from_sources) {
        Ok(schema) => Ok(schema),
        Err(_)
            if source.table.is_some()
                && crate::ingest::files::expand(&source.path, &source.name).is_err() =>
        {
            let mut columns = source.columns.clone();
            columns.extend(declared);
            let computed = crate::ingest::computed::compile_all(source, &mut columns, &[])
                .kind(Kind::Config)?;
            Ok(Schema {
                header: source.columns.iter().map(|(n, _)| n.clone()).collect(),
                columns,
                computed,
                declared: vec![true; source.columns.len()],
                ..bare_schema(source)
            })
        }
        Err(e) => Err(e).kind(Kind::Data),
    }
}

/// A schema with no files, columns nor lookups: what a query reads without local files.
fn bare_schema(source: &Source) -> Schema {
    Schema {
        source: source.name.clone(),
        files: vec![],
        delimiter: b',',
        input: crate::ingest::files::Input::of_source(source),
        format: FieldFormat::default(),
        header: vec![],
        columns: vec![],
        lookups: vec![],
        computed: vec![],
        key: None,
        empty: vec![],
        declared: vec![],
        delimiter_hint: None,
        table: None,
        built: None,
    }
}
