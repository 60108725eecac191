//! The checks that need the sources' files: each source's files, header, declared columns,
//! key and lookups are read as a run reads them (`ingest::Schema::open`), then every KPI is
//! bound to the columns on its own (`engine::plan_source`), so that each KPI with a problem is
//! listed, not only the first of its source. No row is computed.

use super::super::compute::guards::Limits;
use super::super::compute::open::Opener;
use crate::config::{Config, Kpi, Source};
use crate::engine;
use crate::ingest::Schema;
use std::borrow::Cow;

/// Every problem found in the sources, source by source: one line each; and the schemas
/// opened (empty columns typed), for the sample of the data to read without opening them again.
pub(super) fn check(config: &Config) -> (Vec<String>, Vec<Schema>) {
    let mut problems = Vec::new();
    let mut schemas = Vec::new();
    let limits = Limits {
        max_invalid: config.settings.max_invalid,
        strict: false,
    };
    // A rollup is built from a sample of its input, as the sample of a file is read.
    let mut opener = Opener::sampling(config, limits);
    // Every source, used or not: a source defined for a KPI yet to come should still exist.
    for source in &config.sources {
        match opener.open(source) {
            Ok(mut schema) => {
                problems.extend(check_kpis(config, source, &mut schema));
                schemas.push(schema);
            }
            // A missing file and a declared column absent from the header alike: the
            // configuration does not match the files it names.
            Err(e) => problems.push(format!("{}: {:#}", config.path.display(), e.inner)),
        }
    }
    (problems, schemas)
}

/// The source's filter, then each of its KPIs (formula, filter, time, dimensions). Columns
/// that no row fills are typed by their uses first, as a run types them.
fn check_kpis(config: &Config, source: &Source, schema: &mut Schema) -> Vec<String> {
    let mut problems = Vec::new();
    let all: Vec<&Kpi> = config
        .kpis
        .iter()
        .filter(|k| k.source.as_deref() == Some(source.name.as_str()))
        .collect();
    let (columns, empty) = (&mut schema.columns, &schema.empty);
    engine::type_empty_columns(config, &source.name, &all, columns, empty, None);
    // A time column that holds no date is the data's fault: `samples` says so, with exit 4.
    let hinted = |e: anyhow::Error| match &schema.delimiter_hint {
        Some(hint) => format!("{e:#}\n  hint: {hint}"),
        None => format!("{e:#}"),
    };
    let mut config = Cow::Borrowed(config);
    if let Err(e) = engine::plan_source(&config, &source.name, &[], &schema.columns, None) {
        problems.push(hinted(e));
        // Planning stops at the source's filter: check the KPIs without it, so that their own
        // problems are listed too.
        let mut without = config.into_owned();
        without
            .sources
            .iter_mut()
            .filter(|s| s.name == source.name)
            .for_each(|s| s.filter = None);
        config = Cow::Owned(without);
    }
    let kpis: Vec<&Kpi> = config
        .kpis
        .iter()
        .filter(|k| k.source.as_deref() == Some(source.name.as_str()))
        .collect();
    for kpi in kpis {
        if let Err(e) = engine::plan_source(&config, &source.name, &[kpi], &schema.columns, None) {
            problems.push(hinted(e));
        }
    }
    problems
}
