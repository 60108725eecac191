//! Computing a selection of KPIs for a run: schemas, one pass per source, derived KPIs,
//! previous values. Shared by the commands that compute (`run`, later `check`).

use super::warn;
use crate::archive::{column_changes, row_count_jump, SourceState};
use crate::cli::Selection;
use crate::config::{Config, Kpi};
use crate::engine::compare::{self, Context};
use crate::engine::{self, derived, History, RunWindows, SourcePass, SourcePlan};
use crate::error::{usage, Error, Kind, ResultExt};
use crate::ingest::schema::is_config_mismatch;
use crate::ingest::{self, ScanStats, Schema};
use crate::model::KpiResult;
use crate::period::PeriodChoice;
use crate::progress::Progress;
use anyhow::anyhow;
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// Periods in the table's sparklines.
pub const SPARKLINE_PERIODS: usize = 12;

/// The KPIs to show: all of them in configuration order, or those asked for; unknown ids
/// are usage errors.
pub fn select<'c>(config: &'c Config, selection: &Selection) -> Result<Vec<&'c Kpi>, Error> {
    let mut ids: Vec<String> = selection.kpis.clone();
    if let Some(report) = &selection.report {
        let Some(r) = config.reports.iter().find(|r| &r.id == report) else {
            let known: Vec<&str> = config.reports.iter().map(|r| r.id.as_str()).collect();
            return Err(usage(format!(
                "unknown report `{report}` (reports: {})",
                known.join(", ")
            )));
        };
        ids.extend(r.kpis.iter().cloned());
    }
    for id in &ids {
        if config.kpi(id).is_none() {
            let known: Vec<&str> = config.kpis.iter().map(|k| k.id.as_str()).collect();
            return Err(usage(format!(
                "unknown KPI `{id}` (KPIs: {})",
                known.join(", ")
            )));
        }
    }
    // In the order asked for: a report lists its KPIs in the order its audience reads them.
    if ids.is_empty() {
        return Ok(config.kpis.iter().collect());
    }
    let mut selected: Vec<&Kpi> = Vec::new();
    for kpi in ids.iter().filter_map(|id| config.kpi(id)) {
        if !selected.iter().any(|k| k.id == kpi.id) {
            selected.push(kpi);
        }
    }
    Ok(selected)
}

/// The selected KPIs and every KPI a derived one among them needs, in dependency order.
fn with_dependencies<'c>(config: &'c Config, selected: &[&'c Kpi]) -> Vec<&'c Kpi> {
    let mut needed: Vec<&str> = selected.iter().map(|k| k.id.as_str()).collect();
    let mut i = 0;
    while i < needed.len() {
        if let Some(kpi) = config.kpi(needed[i]) {
            for used in &kpi.uses {
                if !needed.contains(&used.as_str()) {
                    needed.push(used);
                }
            }
        }
        i += 1;
    }
    config
        .kpis
        .iter()
        .filter(|k| needed.contains(&k.id.as_str()))
        .collect()
}

/// What a computation produced besides the results.
pub struct Computed {
    /// Every KPI computed, in dependency order.
    pub results: Vec<KpiResult>,
    /// Each source read, as the archive remembers it (`recorded_at` left empty).
    pub sources: Vec<SourceState>,
    /// The KPIs whose values are final for their period (not to date, not a snapshot).
    pub closed: HashSet<String>,
}

/// What was known before the run: archived values, and each source's state at the last run.
pub struct Known<'a> {
    pub history: &'a dyn History,
    pub sources: &'a HashMap<String, SourceState>,
}

/// Computes `selected` (and what they depend on) for the chosen period.
pub fn compute(
    config: &Config,
    selected: &[&Kpi],
    selection: &Selection,
    as_of: NaiveDate,
    strict: bool,
    known: &Known,
) -> Result<Computed, Error> {
    let history = known.history;
    let kpis = with_dependencies(config, selected);
    let choice = PeriodChoice::parse(&selection.period);
    let by: Option<Vec<String>> = selection
        .by
        .as_ref()
        .map(|b| b.split('+').map(|s| s.trim().to_string()).collect());
    let mut windows: HashMap<&str, RunWindows> = HashMap::new();
    for kpi in &kpis {
        let needs_base = uses_retention(kpi);
        let w = engine::run_windows(&config.settings.calendar, kpi, &choice, as_of, needs_base)
            .map_err(|e| anyhow!("kpi `{}`: --period {}: {e}", kpi.id, selection.period))
            .kind(Kind::Config)?;
        windows.insert(kpi.id.as_str(), w);
    }
    let ctx = Context {
        calendar: &config.settings.calendar,
        history,
        alert_change: config.settings.alert_change,
        sparkline: SPARKLINE_PERIODS,
    };
    let planned = plan_sources(config, &kpis, by.as_deref(), known.sources)?;
    if let (Some(dim), false) = (&selection.by, planned.iter().any(|p| p.by_applied)) {
        return Err(usage(format!(
            "--by {dim}: no selected KPI's source has this column"
        )));
    }
    let mut results: HashMap<String, Vec<KpiResult>> = HashMap::new();
    let mut sources = Vec::new();
    for source in &planned {
        let (source_results, state) = scan_source(source, &windows, &ctx, strict)?;
        if let Some(before) = known.sources.get(&state.source) {
            if let Some(jump) = row_count_jump(before, state.rows) {
                warn(format!(
                    "source `{}` changed size: {jump} (moved by more than half)",
                    state.source
                ));
            }
        }
        results.extend(source_results);
        sources.push(state);
    }
    let mut ordered = Vec::new();
    for kpi in &kpis {
        let r = match kpi.source {
            Some(_) => results.remove(&kpi.id).unwrap_or_default(),
            None => {
                let used: Vec<Vec<KpiResult>> = kpi
                    .uses
                    .iter()
                    .map(|u| ordered_results(&ordered, u))
                    .collect();
                derived::derived_results(kpi, &used, &windows[kpi.id.as_str()], &ctx)
            }
        };
        ordered.extend(r);
    }
    let closed = kpis
        .iter()
        .filter(|k| !k.is_snapshot() && !windows[k.id.as_str()].target.is_partial())
        .map(|k| k.id.clone())
        .collect();
    Ok(Computed {
        results: ordered,
        sources,
        closed,
    })
}

fn ordered_results(results: &[KpiResult], id: &str) -> Vec<KpiResult> {
    results.iter().filter(|r| r.kpi == id).cloned().collect()
}

fn uses_retention(kpi: &Kpi) -> bool {
    let mut found = false;
    kpi.formula.expr.walk(&mut |e| {
        if let crate::formula::ast::ExprKind::Call(call) = &e.kind {
            found |= call.name == "retention";
        }
    });
    found
}

/// A source ready for its pass: schema read, KPIs bound to its columns.
struct PlannedSource<'c> {
    kpis: Vec<&'c Kpi>,
    schema: Schema,
    plan: SourcePlan,
    /// Whether `--by` names columns of this source (else its KPIs show overall values only).
    by_applied: bool,
}

/// Reads every source's header and binds every formula before any pass: a configuration
/// error is reported before any data is computed.
fn plan_sources<'c>(
    config: &'c Config,
    kpis: &[&'c Kpi],
    by: Option<&[String]>,
    known: &HashMap<String, SourceState>,
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
        let schema = Schema::open(source).map_err(|e| {
            let kind = if is_config_mismatch(&e) {
                Kind::Config
            } else {
                Kind::Data
            };
            Error { kind, inner: e }
        })?;
        let has = |c: &String| {
            schema
                .columns
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case(c))
        };
        // --by asks for that breakdown alone: a source without the column shows overall values.
        let by_here = by.map(|cols| if cols.iter().all(has) { cols } else { &[] });
        let changes = known
            .get(&source.name)
            .map(|before| (before, column_changes(before, &header_types(&schema))));
        let plan = engine::plan_source(config, &source.name, &of_source, &schema.columns, by_here)
            .map_err(|e| match &changes {
                Some((before, changes)) if !changes.is_empty() => e.context(drift_hint(
                    &source.name,
                    before,
                    changes.iter().map(|c| c.to_string()),
                )),
                _ => e,
            })
            .kind(Kind::Config)?;
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
            kpis: of_source,
            schema,
            plan,
            by_applied: by_here.is_some_and(|b| !b.is_empty()),
        });
    }
    Ok(planned)
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

/// One pass over a source for all its selected KPIs.
fn scan_source(
    source: &PlannedSource,
    windows: &HashMap<&str, RunWindows>,
    ctx: &Context,
    strict: bool,
) -> Result<(SourceResults, SourceState), Error> {
    let kpi_windows = source
        .kpis
        .iter()
        .map(|k| windows[k.id.as_str()].computed.clone())
        .collect();
    let mut pass = SourcePass::new(&source.plan, kpi_windows);
    let schema = &source.schema;
    let total = schema
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let progress = Progress::for_source(&schema.source, total);
    let stats = ingest::scan(schema, &source.plan.used, &progress, &mut |row| {
        pass.add_row(row)
    })
    .kind(Kind::Data)?;
    report_issues(&schema.source, &stats, strict)?;
    let outputs = pass.finish();
    let fingerprint = source_fingerprint(schema, stats.rows_read);
    let results = source
        .kpis
        .iter()
        .zip(outputs)
        .map(|(kpi, out)| {
            let windows = &windows[kpi.id.as_str()];
            let mut results = compare::source_results(kpi, &out, windows, ctx);
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
    Ok((results, state))
}

/// Invalid values and ragged rows: a warning each (count and first place), or exit 4 under
/// `--strict`.
fn report_issues(source: &str, stats: &ScanStats, strict: bool) -> Result<(), Error> {
    let mut problems = Vec::new();
    if stats.ragged.count > 0 {
        problems.push(format!(
            "source `{source}`: {} row(s) with a wrong number of fields{}, first at {}",
            stats.ragged.count,
            if strict { "" } else { " skipped" },
            place(&stats.ragged)
        ));
    }
    for (column, ty, issue) in &stats.invalid {
        if issue.count > 0 {
            problems.push(format!(
                "source `{source}`: {} value(s) of column `{column}` are not a valid {ty}{}, first at {}, column `{column}`",
                issue.count,
                if strict { "" } else { " and count as null" },
                place(issue)
            ));
        }
    }
    if strict && !problems.is_empty() {
        return Err(anyhow!(
            "invalid data (--strict)\n  {}\n  hint: without --strict these are warnings and the values count as null",
            problems.join("\n  ")
        ))
        .kind(Kind::Data);
    }
    problems.iter().for_each(warn);
    Ok(())
}

fn place(issue: &ingest::Issue) -> String {
    issue
        .first
        .as_ref()
        .map_or_else(String::new, |l| format!("{}:{}", l.file.display(), l.line))
}
