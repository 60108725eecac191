//! A source as the query reads it: its files or table, or — for a rollup — a grouped subquery
//! over its input (itself opened so, a rollup of a rollup too), named as a table.

use super::refused;
use crate::config::{Config, Source};
use crate::engine::rollup::plan_rollup;
use crate::error::{Error, Kind, ResultExt};
use crate::ingest::parse::FieldFormat;
use crate::ingest::schema::Schema;
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

/// The rollup CTEs of a query so far, by source: each is written once, however many sources
/// read it.
#[derive(Default)]
pub struct Rollups {
    names: Vec<String>,
}

/// Opens `source`; a rollup's CTEs not in `rollups` yet come in its prelude.
pub fn open_source(
    config: &Config,
    source: &Source,
    d: Dialect,
    rollups: &mut Rollups,
) -> Result<Opened, Error> {
    if let Some(feature) = not_compiled(source) {
        return Err(refused(d, feature));
    }
    let Some(rollup) = &source.rollup else {
        return Ok(Opened {
            schema: schema(source)?,
            table: source.table.clone(),
            prelude: vec![],
        });
    };
    let input_source = config
        .source(&rollup.input)
        .ok_or_else(|| anyhow!("source `{}`: unknown input `{}`", source.name, rollup.input))
        .kind(Kind::Config)?;
    let input = open_source(config, input_source, d, rollups)?;
    let plan = plan_rollup(config, source, rollup, &input.schema.columns).kind(Kind::Config)?;
    let body = warehouse::rollup_rows(d, &input.schema, input.table.as_deref(), &plan)
        .map_err(|e| refused(d, e))?;
    let mut prelude = input.prelude;
    let name = match rollups.names.iter().position(|n| *n == source.name) {
        Some(i) => format!("rollup_{i}"),
        None => {
            let name = format!("rollup_{}", rollups.names.len());
            rollups.names.push(source.name.clone());
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

/// What of Rollups, computed columns and top-N a source uses that `kpi sql` does not compile
/// yet.
fn not_compiled(source: &Source) -> Option<String> {
    let name = &source.name;
    if let Some(from_source) = source.lookups.iter().find(|l| l.source.is_some()) {
        return Some(format!(
            "lookup `{}` of source `{name}` comes from a source, which kpi sql does not compile yet",
            from_source.name
        ));
    }
    let lookup = source.lookups.first().filter(|_| source.rollup.is_some())?;
    Some(format!(
        "lookup `{}` of rollup source `{name}`: a rollup's lookups are not compiled yet",
        lookup.name
    ))
}

/// The source's schema from its files; a warehouse source without local files is typed by its
/// declared columns.
fn schema(source: &Source) -> Result<Schema, Error> {
    match Schema::open(source) {
        Ok(schema) => Ok(schema),
        Err(_)
            if source.table.is_some()
                && crate::ingest::files::expand(&source.path, &source.name).is_err() =>
        {
            let mut columns = source.columns.clone();
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
