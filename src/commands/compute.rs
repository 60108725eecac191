//! Computing a selection of KPIs for a run: schemas, one pass per source, derived KPIs,
//! previous values. Shared by the commands that compute (`run`, later `check`).

use super::warn;
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
use std::collections::HashMap;

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

/// Computes `selected` (and what they depend on) for the chosen period. Returns the results of
/// every KPI computed, in dependency order.
pub fn compute(
    config: &Config,
    selected: &[&Kpi],
    selection: &Selection,
    as_of: NaiveDate,
    strict: bool,
    history: &dyn History,
) -> Result<Vec<KpiResult>, Error> {
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
    let planned = plan_sources(config, &kpis, by.as_deref())?;
    if let (Some(dim), false) = (&selection.by, planned.iter().any(|p| p.by_applied)) {
        return Err(usage(format!(
            "--by {dim}: no selected KPI's source has this column"
        )));
    }
    let mut results: HashMap<String, Vec<KpiResult>> = HashMap::new();
    for source in &planned {
        results.extend(scan_source(source, &windows, &ctx, strict)?);
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
    Ok(ordered)
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
        let plan = engine::plan_source(config, &source.name, &of_source, &schema.columns, by_here)
            .kind(Kind::Config)?;
        planned.push(PlannedSource {
            kpis: of_source,
            schema,
            plan,
            by_applied: by_here.is_some_and(|b| !b.is_empty()),
        });
    }
    Ok(planned)
}

/// One pass over a source for all its selected KPIs.
fn scan_source(
    source: &PlannedSource,
    windows: &HashMap<&str, RunWindows>,
    ctx: &Context,
    strict: bool,
) -> Result<Vec<(String, Vec<KpiResult>)>, Error> {
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
    Ok(source
        .kpis
        .iter()
        .zip(outputs)
        .map(|(kpi, out)| {
            let windows = &windows[kpi.id.as_str()];
            (
                kpi.id.clone(),
                compare::source_results(kpi, &out, windows, ctx),
            )
        })
        .collect())
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
