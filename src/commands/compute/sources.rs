//! A source's part of a computation: its schema and plan, checked against what the archive
//! remembers of it, then its one pass for all its KPIs and periods.

use super::super::warn;
use super::guards::{self, Limits};
use super::open::Opener;
use super::trace::Trace;
use super::Targets;
use crate::archive::{column_changes, ColumnChange, SourceState};
use crate::config::{Config, Kpi, Source};
use crate::engine::compare::{self, Context};
use crate::engine::pass::{TopAsk, Wanted};
use crate::engine::{self, SourcePass, SourcePlan};
use crate::error::{Error, Kind, ResultExt};
use crate::ingest::{self, Schema};
use crate::model::KpiResult;
use crate::period::Window;
use crate::progress::Progress;
use anyhow::anyhow;
use std::collections::HashMap;

/// A source ready for its pass: schema read, KPIs bound to its columns.
pub(super) struct PlannedSource<'c> {
    config: &'c Source,
    kpis: Vec<&'c Kpi>,
    schema: Schema,
    plan: SourcePlan,
    /// Whether `--by` names columns of this source (else its KPIs show overall values only).
    pub(super) by_applied: bool,
}

/// Reads every source's header and binds every formula before any pass: a configuration
/// error is reported before any data is computed.
pub(super) fn plan_sources<'c>(
    config: &'c Config,
    kpis: &[&'c Kpi],
    by: Option<&[String]>,
    known: &HashMap<String, SourceState>,
    opener: &mut Opener,
) -> Result<Vec<PlannedSource<'c>>, Error> {
    let mut planned = Vec::new();
    for source in &config.sources {
        let of_source: Vec<&Kpi> = kpis
            .iter()
            .copied()
            .filter(|k| k.source.as_deref() == Some(source.name.as_str()))
            .collect();
        if of_source.is_empty() {
            continue;
        }
        let before = known.get(&source.name);
        let mut schema = opener.open(source).map_err(|e| {
            if e.kind != Kind::Config || source.rollup.is_some() {
                return e;
            }
            // A declared column missing from the header: say what changed since the last run.
            let now = ingest::schema::peek_header(source).unwrap_or_default();
            let changes = before.map(|b| column_changes(b, &names_with_old_types(b, &now)));
            with_drift_hint(e.inner, &source.name, before, changes.unwrap_or_default())
        })?;
        let has = |c: &String| {
            schema
                .columns
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case(c))
        };
        // --by asks for that breakdown alone: a source without the column shows overall values.
        let by_here = by.map(|cols| if cols.iter().all(has) { cols } else { &[] });
        type_empty_columns(config, &of_source, &mut schema, before, by_here);
        let times = of_source
            .iter()
            .filter_map(|k| Some((k.id.as_str(), k.time.as_deref()?)));
        schema
            .check_time_columns(source, times)
            .map_err(|message| anyhow!(message))
            .kind(Kind::Data)?;
        let changes = before.map(|before| (before, column_changes(before, &header_types(&schema))));
        let plan = engine::plan_source(config, &source.name, &of_source, &schema.columns, by_here)
            .map_err(|e| {
                let found = changes.clone().map(|(_, c)| c).unwrap_or_default();
                let e = with_delimiter_hint(e, &schema);
                with_drift_hint(e, &source.name, before, found)
            })?;
        if let Some((before, changes)) = &changes {
            let used: Vec<&str> = plan
                .used
                .iter()
                .map(|&c| schema.columns[c].0.as_str())
                .collect();
            let relevant = changes
                .iter()
                .filter(|c| used.iter().any(|u| u.eq_ignore_ascii_case(c.column())));
            let lines: Vec<String> = relevant.map(|c| c.to_string()).collect();
            if !lines.is_empty() {
                warn(drift_hint(&source.name, before, lines.into_iter()));
            }
        }
        planned.push(PlannedSource {
            config: source,
            kpis: of_source,
            schema,
            plan,
            by_applied: by_here.is_some_and(|b| !b.is_empty()),
        });
    }
    Ok(planned)
}

/// Types the columns that no row fills by their uses, each first tried with the type it had at
/// the last run (a header-only export then changes no recorded type).
fn type_empty_columns(
    config: &Config,
    kpis: &[&Kpi],
    schema: &mut Schema,
    before: Option<&SourceState>,
    by: Option<&[String]>,
) {
    for &c in &schema.empty {
        let (name, ty) = &mut schema.columns[c];
        let recorded = before
            .and_then(|b| b.columns.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)))
            .and_then(|(_, t)| crate::value::DataType::from_name(t));
        *ty = recorded.unwrap_or(*ty);
    }
    let name = &schema.source;
    engine::type_empty_columns(config, name, kpis, &mut schema.columns, &schema.empty, by);
}

/// A planning error with the hint that the header seems split on the wrong delimiter, when it
/// does: the likely cause of an unknown column.
pub(crate) fn with_delimiter_hint(error: anyhow::Error, schema: &Schema) -> anyhow::Error {
    match &schema.delimiter_hint {
        Some(hint) => anyhow!("{error:#}\n  hint: {hint}"),
        None => error,
    }
}

/// A configuration error (exit 3), with what changed in the source since the last run when
/// something did: the likely reason a formula no longer fits the data.
fn with_drift_hint(
    error: anyhow::Error,
    source: &str,
    before: Option<&SourceState>,
    changes: Vec<ColumnChange>,
) -> Error {
    let inner = match before {
        Some(before) if !changes.is_empty() => anyhow!(
            "{error:#}\n  hint: {}",
            drift_hint(source, before, changes.iter().map(|c| c.to_string()))
        ),
        _ => error,
    };
    Error {
        kind: Kind::Config,
        inner,
    }
}

/// A header's names, typed as they were before (types are unknown when the schema failed).
fn names_with_old_types(before: &SourceState, now: &[String]) -> Vec<(String, String)> {
    now.iter()
        .map(|name| {
            let old = before
                .columns
                .iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(name))
                .map_or_else(String::new, |(_, t)| t.clone());
            (name.clone(), old)
        })
        .collect()
}

/// The header's columns with their type names, as the archive remembers them.
fn header_types(schema: &Schema) -> Vec<(String, String)> {
    schema.columns[..schema.header.len()]
        .iter()
        .map(|(name, ty)| (name.clone(), ty.name().to_string()))
        .collect()
}

/// "The data model changed and nobody said so": what changed in a source since the last run.
fn drift_hint(source: &str, before: &SourceState, changes: impl Iterator<Item = String>) -> String {
    let lines: Vec<String> = changes.collect();
    format!(
        "source `{source}` changed since the run of {}: {}",
        before.recorded_at,
        lines.join("; ")
    )
}

/// What identifies the data a source gave: header, types, rows read, file names and sizes.
fn source_fingerprint(schema: &Schema, rows: u64) -> String {
    let mut canon = String::new();
    for (name, ty) in header_types(schema) {
        canon.push_str(&format!("{name}:{ty}|"));
    }
    canon.push_str(&format!("rows={rows}|"));
    // File names, not paths: moving the project does not change the data.
    for file in &schema.files {
        let size = std::fs::metadata(file).map_or(0, |m| m.len());
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        canon.push_str(&format!("{name}={size}|"));
    }
    format!("{:016x}", crate::config::fnv1a(canon.as_bytes()))
}

/// The results of a source's KPIs, by KPI id.
type SourceResults = Vec<(String, Vec<KpiResult>)>;

/// What a pass over a source gave: results, the source's state, and each KPI's trace.
pub(super) struct Scanned {
    pub results: SourceResults,
    pub state: SourceState,
    pub traces: Vec<(String, Trace)>,
}

/// One pass over a source for all its selected KPIs and all their periods. With
/// `covered_only`, a period that the data's dates do not reach gets no result.
pub(super) fn scan_source(
    source: &PlannedSource,
    targets: &Targets,
    ctx: &Context,
    limits: Limits,
    covered_only: bool,
) -> Result<Scanned, Error> {
    let kpi_windows: Vec<Vec<Wanted>> = source
        .kpis
        .iter()
        .map(|k| windows_to_compute(&targets[k.id.as_str()]))
        .collect();
    let new_pass = || SourcePass::new(&source.plan, kpi_windows.clone());
    let schema = &source.schema;
    let total = schema
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let progress = Progress::for_source(&schema.source, total);
    let threads = super::super::threads();
    let scanned = ingest::scan(schema, &source.plan.used, threads, &progress, &new_pass);
    // Too many groups is the configuration's to fix; anything else is the data's.
    let refused = matches!(&scanned, Err(e) if e.is::<ingest::Refused>());
    let (pass, stats) = scanned.kind(if refused { Kind::Config } else { Kind::Data })?;
    guards::check(source.config, &stats, limits)?;
    let source_filtered = pass.filtered;
    let tops: Vec<Vec<TopAsk>> = source
        .kpis
        .iter()
        .map(|k| match k.top {
            Some(_) => targets[k.id.as_str()]
                .iter()
                .map(|w| top_ask(k, w))
                .collect(),
            None => vec![],
        })
        .collect();
    let outputs = pass.finish(&tops);
    let traces = source
        .plan
        .kpis
        .iter()
        .zip(&outputs)
        .map(|(plan, out)| {
            let texts: Vec<String> = plan.formula.aggs.iter().map(|a| a.text.clone()).collect();
            let trace = Trace::of(schema, &stats, source_filtered, out, &texts);
            (plan.id.clone(), trace)
        })
        .collect();
    let fingerprint = source_fingerprint(schema, stats.rows_read);
    let results = source
        .kpis
        .iter()
        .zip(outputs)
        .map(|(kpi, out)| {
            let mut results = Vec::new();
            for windows in &targets[kpi.id.as_str()] {
                if covered_only && !covers(out.span, &windows.target) {
                    continue;
                }
                results.extend(compare::source_results(kpi, &out, windows, ctx));
            }
            results
                .iter_mut()
                .for_each(|r| r.source_fingerprint = fingerprint.clone());
            (kpi.id.clone(), results)
        })
        .collect();
    let state = SourceState {
        source: schema.source.clone(),
        recorded_at: String::new(),
        rows: stats.rows_read,
        fingerprint,
        columns: header_types(schema),
    };
    Ok(Scanned {
        results,
        state,
        traces,
    })
}

/// Every window the pass accumulates for a KPI: each reported period, its baselines' and, for
/// retention, the one before each; once each (with its base when some period needs it).
fn windows_to_compute(targets: &[crate::engine::RunWindows]) -> Vec<Wanted> {
    let mut windows: Vec<Wanted> = Vec::new();
    for wanted in targets.iter().flat_map(|t| t.computed.iter()) {
        match windows.iter_mut().find(|w| w.window == wanted.window) {
            Some(found) => found.base = found.base.or(wanted.base),
            None => windows.push(*wanted),
        }
    }
    windows
}

/// The window a KPI with `top` ranks its groups in, and its baselines'.
fn top_ask(kpi: &Kpi, windows: &crate::engine::RunWindows) -> TopAsk {
    if kpi.is_snapshot() {
        return TopAsk {
            target: None,
            baselines: vec![],
        };
    }
    TopAsk {
        target: Some(windows.target),
        baselines: windows.baselines.iter().map(|&(_, w)| w).collect(),
    }
}

/// Whether the data's first and last dates reach into the window.
fn covers(span: Option<(chrono::NaiveDate, chrono::NaiveDate)>, window: &Window) -> bool {
    span.is_some_and(|(first, last)| first <= window.end && last >= window.start)
}

impl ingest::Sink for SourcePass<'_> {
    fn add_row(&mut self, row: &[crate::value::Value<'_>]) -> bool {
        SourcePass::add_row(self, row)
    }

    fn absorb(&mut self, other: Self) {
        self.merge(other);
    }

    fn gate(&self) -> Option<usize> {
        self.time_gate()
    }

    fn wants(&self, time: &crate::value::Value<'_>) -> bool {
        SourcePass::wants(self, time)
    }

    fn add_unwanted(&mut self, time: &crate::value::Value<'_>) {
        self.add_outside(time);
    }

    fn refusal(&self) -> Option<String> {
        let (kpi, breakdown) = self.too_many_groups()?;
        Some(format!(
            "kpi `{kpi}`: the breakdown by `{breakdown}` has more than {} groups (settings.max_groups): \
             a breakdown is for categories such as regions or owners, not for identifiers\n  \
             hint: remove `{breakdown}` from the KPI's dimensions, or raise settings.max_groups",
            self.max_groups()
        ))
    }
}
