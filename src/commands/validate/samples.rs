//! `validate` reads the data too: the first rows of each source (at least 10,000), through the
//! same guards as a run, so that a wrong `date_format`, a wrong decimal separator or lookup
//! keys that do not match fail before any scheduled run (SPEC.md, Guards).

use super::super::compute::guards::{self, Limits};
use crate::config::{Config, Kpi, Source};
use crate::engine;
use crate::error::{Error, Kind, ResultExt};
use crate::formula::Node;
use crate::ingest::{self, Schema, Sink};
use crate::value::Value;

/// Rows a sample holds at least (the pass ends at its next look at the sink, a few thousand
/// rows later).
pub(super) const SAMPLE_ROWS: u64 = 10_000;

/// Samples every source a KPI uses, through the schemas `sources::check` opened (empty
/// columns already typed); the first source whose sample fails stops with its error.
pub(super) fn check(config: &Config, schemas: &[Schema], strict: bool) -> Result<(), Error> {
    let limits = Limits {
        max_invalid: config.settings.max_invalid,
        strict,
    };
    for source in &config.sources {
        let kpis: Vec<&Kpi> = config
            .kpis
            .iter()
            .filter(|k| k.source.as_deref() == Some(source.name.as_str()))
            .collect();
        let schema = schemas.iter().find(|s| s.source == source.name);
        if let (false, Some(schema)) = (kpis.is_empty(), schema) {
            check_source(config, source, schema, &kpis, limits)?;
        }
    }
    Ok(())
}

fn check_source(
    config: &Config,
    source: &Source,
    schema: &Schema,
    kpis: &[&Kpi],
    limits: Limits,
) -> Result<(), Error> {
    let times = kpis
        .iter()
        .filter_map(|k| Some((k.id.as_str(), k.time.as_deref()?)));
    schema
        .check_time_columns(source, times)
        .map_err(|message| anyhow::anyhow!(message))
        .kind(Kind::Data)?;
    let plan = engine::plan_source(config, &source.name, kpis, &schema.columns, None)
        .kind(Kind::Config)?;
    let mut sink = Sample {
        filter: plan.filter.as_ref(),
        rows: 0,
    };
    let stats = ingest::scan::sample(schema, &plan.used, &mut sink).kind(Kind::Data)?;
    guards::check(source, &stats, limits)
}

/// Keeps nothing: counts rows, and applies the source's filter, which decides which rows'
/// lookup keys matter.
struct Sample<'p> {
    filter: Option<&'p Node>,
    rows: u64,
}

impl Sink for Sample<'_> {
    fn add_row(&mut self, row: &[Value<'_>]) -> bool {
        self.rows += 1;
        self.filter.is_none_or(|f| f.eval(row).is_true())
    }

    fn is_full(&self) -> bool {
        self.rows >= SAMPLE_ROWS
    }

    fn absorb(&mut self, other: Self) {
        self.rows += other.rows;
    }
}
