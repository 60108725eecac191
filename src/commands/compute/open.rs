//! Opening a source for its pass: a file source's schema from its files; a rollup's built from
//! its input's rows, in one pass over the input; the tables of lookups from sources built from
//! those sources' rows. A source that another reads is opened first, and a rollup is built once
//! however many sources read it.

use super::guards::{self, Limits};
use crate::config::{Config, Rollup, Source};
use crate::engine::rollup::{plan_rollup, RollupPass};
use crate::error::{Error, Kind, ResultExt};
use crate::ingest::lookup::LookupTable;
use crate::ingest::mismatch::is_config_mismatch;
use crate::ingest::table::{Built, Table};
use crate::ingest::{self, Schema};
use crate::progress::Progress;
use crate::value::DataType;
use anyhow::anyhow;
use std::collections::HashMap;
use std::sync::Arc;

/// Rows of a rollup's input read to build it for `kpi validate`, which checks a sample.
const SAMPLE_ROWS: u64 = 100_000;

/// A rollup built: its typed columns, rows and where they come from.
type BuiltRollup = (Vec<(String, DataType)>, Arc<Table>, Built);

/// Opens sources, building what they are built from.
pub(crate) struct Opener<'c> {
    config: &'c Config,
    threads: usize,
    limits: Limits,
    /// Build rollups from the first rows of their input only (`kpi validate`).
    sample: bool,
    rollups: HashMap<String, BuiltRollup>,
    /// The sources being opened, outermost first: a lookup leading back to one of them is cut.
    opening: Vec<String>,
}

impl<'c> Opener<'c> {
    pub fn new(config: &'c Config, limits: Limits) -> Opener<'c> {
        Opener {
            config,
            threads: super::super::threads(),
            limits,
            sample: false,
            rollups: HashMap::new(),
            opening: Vec::new(),
        }
    }

    /// An opener for `kpi validate`: rollups are built from a sample of their input.
    pub fn sampling(config: &'c Config, limits: Limits) -> Opener<'c> {
        Opener {
            sample: true,
            ..Opener::new(config, limits)
        }
    }

    /// The schema of `source`: errors are the configuration's (exit 3) when it does not match
    /// the files, else the data's (exit 4).
    pub fn open(&mut self, source: &Source) -> Result<Schema, Error> {
        self.opening.push(source.name.clone());
        let source = source.without_lookups_from(&self.opening);
        let opened = self.open_inner(&source);
        self.opening.pop();
        opened
    }

    fn open_inner(&mut self, source: &Source) -> Result<Schema, Error> {
        let from_sources = self.lookup_tables(source)?;
        match &source.rollup {
            None => Schema::open_with(source, from_sources).map_err(opening),
            Some(rollup) => {
                let (columns, table, built) = self.rollup(source, rollup)?;
                Schema::of_table(source, columns, table, built, from_sources).map_err(opening)
            }
        }
    }

    /// The tables of the lookups of `source` that come from sources.
    fn lookup_tables(&mut self, source: &Source) -> Result<Vec<LookupTable>, Error> {
        let mut tables = Vec::new();
        for lookup in &source.lookups {
            let Some(from) = &lookup.source else { continue };
            let from = self.source(from)?;
            let schema = self.open(from)?;
            let (table, stats) =
                ingest::lookup_source::build(lookup, &schema, from.filter.as_ref(), self.threads)
                    .map_err(|e| {
                    let e = e.context(format!(
                        "source `{}`: lookup `{}`",
                        source.name, lookup.name
                    ));
                    opening(e)
                })?;
            guards::check(from, &stats, self.limits)?;
            tables.push(table);
        }
        Ok(tables)
    }

    /// A rollup's columns and rows, built from its input once.
    fn rollup(&mut self, source: &Source, rollup: &Rollup) -> Result<BuiltRollup, Error> {
        if let Some((columns, table, built)) = self.rollups.get(&source.name) {
            return Ok((columns.clone(), table.clone(), built.clone()));
        }
        let input = self.source(&rollup.input)?;
        let schema = self.open(input)?;
        let plan = plan_rollup(self.config, source, rollup, &schema.columns).kind(Kind::Config)?;
        let new_pass = || RollupPass::new(&plan, self.sample.then_some(SAMPLE_ROWS));
        let scanned = if self.sample {
            let mut pass = new_pass();
            ingest::scan::sample(&schema, &plan.used, &mut pass).map(|stats| (pass, stats))
        } else {
            let total = schema
                .files
                .iter()
                .filter_map(|f| std::fs::metadata(f).ok())
                .map(|m| m.len())
                .sum();
            let progress = Progress::for_source(&schema.source, total);
            ingest::scan(&schema, &plan.used, self.threads, &progress, &new_pass)
        };
        let refused = matches!(&scanned, Err(e) if e.is::<ingest::Refused>());
        let (pass, stats) = scanned.kind(if refused { Kind::Config } else { Kind::Data })?;
        guards::check(input, &stats, self.limits)?;
        let built = Built {
            input: input.name.clone(),
            input_rows: stats.rows_read,
        };
        let columns = plan.columns.clone();
        let table = Arc::new(Table {
            rows: pass.finish(),
        });
        let done = (columns, table, built);
        self.rollups.insert(source.name.clone(), done.clone());
        Ok(done)
    }

    fn source(&self, name: &str) -> Result<&'c Source, Error> {
        self.config.source(name).ok_or_else(|| Error {
            kind: Kind::Config,
            inner: anyhow!("unknown source `{name}`"),
        })
    }
}

/// An error opening a source: the configuration's when it names what the files lack.
fn opening(e: anyhow::Error) -> Error {
    let kind = if is_config_mismatch(&e) {
        Kind::Config
    } else {
        Kind::Data
    };
    Error { kind, inner: e }
}

impl ingest::Sink for RollupPass<'_> {
    fn add_row(&mut self, row: &[crate::value::Value<'_>]) -> bool {
        RollupPass::add_row(self, row)
    }

    fn absorb(&mut self, other: Self) {
        self.merge(other);
    }

    fn refusal(&self) -> Option<String> {
        RollupPass::refusal(self)
    }

    fn is_full(&self) -> bool {
        RollupPass::is_full(self)
    }
}
