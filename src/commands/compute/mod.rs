//! Computing a selection of KPIs for one period (`run`) or a range of periods (`backfill`):
//! schemas, one pass per source with every period side by side, derived KPIs, previous values.

mod coverage;
pub(super) mod guards;
pub(crate) mod open;
mod sources;
mod trace;
mod volume;
mod warehouse;

pub use trace::{Trace, WindowTrace};

use crate::archive::SourceState;
use crate::cli::Selection;
use crate::config::{Config, Kpi};
use crate::engine::compare::Context;
use crate::engine::{self, derived, History, RunWindows};
use crate::error::{usage, Error, Kind};
use crate::model::{dimensions_label, KpiResult, Rank};
use crate::period::{Baseline, Calendar, Frequency, PeriodChoice, Window};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::path::Path;

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
        find_kpi(config, id)?;
    }
    // In the order asked for: a report lists its KPIs in the order its audience reads them.
    let selected: Vec<&Kpi> = if ids.is_empty() {
        config.kpis.iter().collect()
    } else {
        let mut selected: Vec<&Kpi> = Vec::new();
        for kpi in ids.iter().filter_map(|id| config.kpi(id)) {
            if !selected.iter().any(|k| k.id == kpi.id) {
                selected.push(kpi);
            }
        }
        selected
    };
    check_condition_baselines(&with_dependencies(config, &selected))?;
    Ok(selected)
}

/// The KPI of this id; an unknown id is a usage error that lists the known ones.
pub fn find_kpi<'c>(config: &'c Config, id: &str) -> Result<&'c Kpi, Error> {
    config.kpi(id).ok_or_else(|| {
        let known: Vec<&str> = config.kpis.iter().map(|k| k.id.as_str()).collect();
        usage(format!("unknown KPI `{id}` (KPIs: {})", known.join(", ")))
    })
}

/// `--compare B…`: every KPI compares with these baselines for this run. A KPI whose `warn` or
/// `fail` names a baseline left out would judge a null: a usage error naming it.
pub fn override_compare(config: &mut Config, compare: &[String]) -> Result<(), Error> {
    if compare.is_empty() {
        return Ok(());
    }
    let mut baselines: Vec<Baseline> = Vec::new();
    for text in compare {
        let baseline = Baseline::parse(text).map_err(|e| usage(format!("--compare: {e}")))?;
        if baselines.contains(&baseline) {
            return Err(usage(format!("--compare {text} is given twice")));
        }
        baselines.push(baseline);
    }
    for kpi in &mut config.kpis {
        kpi.compare = baselines.clone();
    }
    Ok(())
}

/// `--top N`: every KPI with a source keeps its N best groups for this run (derived KPIs show
/// every group: see `config::kpi`).
pub fn override_top(config: &mut Config, top: Option<u32>) {
    let Some(n) = top else { return };
    for kpi in config.kpis.iter_mut().filter(|k| k.source.is_some()) {
        kpi.top = Some(n as usize);
    }
}

/// A KPI to compute whose condition names a baseline that `--compare` left out is a usage
/// error; KPIs not computed in this run may keep such conditions (the configuration
/// guarantees the rest).
fn check_condition_baselines(kpis: &[&Kpi]) -> Result<(), Error> {
    for kpi in kpis {
        if let Some(missing) = kpi
            .condition_baselines
            .iter()
            .find(|b| !kpi.compare.contains(b))
        {
            let name = missing.name();
            let given: Vec<String> = kpi.compare.iter().map(Baseline::name).collect();
            return Err(usage(format!(
                "--compare {}: kpi `{}` has a condition on {name}, which would have no value\n  hint: add --compare {name}",
                given.join(" --compare "),
                kpi.id
            )));
        }
    }
    Ok(())
}

/// The selected KPIs and every KPI a derived one among them needs, in dependency order.
pub(crate) fn with_dependencies<'c>(config: &'c Config, selected: &[&'c Kpi]) -> Vec<&'c Kpi> {
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
    /// Every KPI computed, in dependency order (and period order within a KPI).
    pub results: Vec<KpiResult>,
    /// Each source read, as the archive remembers it (`recorded_at` left empty).
    pub sources: Vec<SourceState>,
    /// The KPIs whose values are final for their period (not to date, not a snapshot).
    pub closed: HashSet<String>,
    /// How each source KPI's values came about (for `kpi explain`).
    pub traces: HashMap<String, Trace>,
    /// The groups `top` left out (KPI, period, dimensions label): not shown, not recorded,
    /// and not gone from the data either.
    pub left_out: HashSet<(String, String, String)>,
}

/// What was known before the run: archived values, and each source's state at the last run.
pub struct Known<'a> {
    pub history: &'a dyn History,
    pub sources: &'a HashMap<String, SourceState>,
}

/// Which periods a computation reports.
#[derive(Debug, Clone, Copy)]
pub enum Periods<'a> {
    /// `run`: the period `--period` names, relative to as-of.
    Chosen { period: &'a str, as_of: NaiveDate },
    /// `backfill`: every complete period (ending before as-of) from the one containing `from`
    /// to the one containing `to`, where the data covers it. Snapshot KPIs have none.
    Range {
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    },
}

/// The periods reported per KPI, each with the period it is compared with.
pub(super) type Targets<'c> = HashMap<&'c str, Vec<RunWindows>>;

/// Where the source KPIs' values come from.
#[derive(Debug, Clone, Copy)]
pub enum Inputs<'a> {
    /// A pass over each source: `--by` and `--strict`.
    Sources { by: Option<&'a str>, strict: bool },
    /// `--results FILE`: what a warehouse computed with the query of `kpi sql`.
    Results(&'a Path),
}

/// Computes `selected` (and what they depend on) for the periods asked, in one pass per source.
pub fn compute(
    config: &Config,
    selected: &[&Kpi],
    periods: Periods,
    inputs: Inputs,
    known: &Known,
) -> Result<Computed, Error> {
    let kpis = with_dependencies(config, selected);
    let targets = targets(config, &kpis, periods)?;
    let ctx = Context {
        calendar: &config.settings.calendar,
        history: known.history,
        alert_change: config.settings.alert_change,
        sparkline: SPARKLINE_PERIODS,
        confidence: config.settings.confidence,
        alert_on_noise: config.settings.alert_on_noise,
        min_sample: config.settings.min_sample,
    };
    let (by, strict) = match inputs {
        Inputs::Sources { by, strict } => (by, strict),
        Inputs::Results(path) => {
            if let Some(kpi) = kpis.iter().find(|k| k.top.is_some()) {
                return Err(Error {
                    kind: Kind::Config,
                    inner: anyhow::anyhow!(
                        "kpi `{}`: top: a warehouse's results hold no rows to merge into `(other)`; compute it from the sources, or without top",
                        kpi.id
                    ),
                });
            }
            let results = warehouse::read_results(path, config, &kpis, &targets, &ctx)?;
            return Ok(finish(
                config,
                &kpis,
                &targets,
                &ctx,
                results,
                vec![],
                HashMap::new(),
            ));
        }
    };
    let by_columns: Option<Vec<String>> =
        by.map(|b| b.split('+').map(|s| s.trim().to_string()).collect());
    let limits = guards::Limits {
        max_invalid: config.settings.max_invalid,
        strict,
    };
    let mut opener = open::Opener::new(config, limits);
    let by_slice = by_columns.as_deref();
    let planned = sources::plan_sources(config, &kpis, by_slice, known.sources, &mut opener)?;
    if let (Some(dim), false) = (by, planned.iter().any(|p| p.by_applied)) {
        return Err(usage(format!(
            "--by {dim}: no selected KPI's source has this column"
        )));
    }
    let covered_only = matches!(periods, Periods::Range { .. });
    // Freshness is about today's figures: backfilled periods are judged by coverage alone.
    let fresh_as_of = match periods {
        Periods::Chosen { as_of, .. } => Some(as_of),
        Periods::Range { .. } => None,
    };
    let mut results: HashMap<String, Vec<KpiResult>> = HashMap::new();
    let mut states = Vec::new();
    let mut traces = HashMap::new();
    for source in &planned {
        let mut scanned = sources::scan_source(source, &targets, &ctx, limits, covered_only)?;
        let settings = config.source(&scanned.state.source);
        if let Some(settings) = settings {
            coverage::judge(config, settings, &mut scanned, fresh_as_of);
        }
        if let (Some(settings), Some(before)) = (settings, known.sources.get(&scanned.state.source))
        {
            volume::judge(settings, before, &mut scanned);
        }
        traces.extend(scanned.traces);
        results.extend(scanned.results);
        states.push(scanned.state);
    }
    Ok(finish(
        config, &kpis, &targets, &ctx, results, states, traces,
    ))
}

/// Source KPIs' results in selection order, with the derived KPIs computed from them.
fn finish(
    config: &Config,
    kpis: &[&Kpi],
    targets: &Targets,
    ctx: &Context,
    mut results: HashMap<String, Vec<KpiResult>>,
    states: Vec<SourceState>,
    traces: HashMap<String, Trace>,
) -> Computed {
    let mut ordered: Vec<KpiResult> = Vec::new();
    for kpi in kpis {
        if kpi.source.is_some() {
            ordered.extend(results.remove(&kpi.id).unwrap_or_default());
            continue;
        }
        for windows in &targets[kpi.id.as_str()] {
            let period = config.settings.calendar.label(&windows.target.period);
            // A snapshot input has one value, now's: it goes with every period (the size of a
            // cohort beside the customers active in a month).
            let snapshot = |u: &str| config.kpi(u).is_some_and(Kpi::is_snapshot);
            let used: Vec<Vec<KpiResult>> = kpi
                .uses
                .iter()
                .map(|u| {
                    // Every group of an input, the ones its `top` left out included: a
                    // derived KPI's groups are not its inputs' `(other)`s.
                    ordered
                        .iter()
                        .filter(|r| r.kpi == *u && (r.period == period || snapshot(u)))
                        .filter(|r| r.rank != Rank::Other)
                        .cloned()
                        .collect()
                })
                .collect();
            ordered.extend(derived::derived_results(kpi, &used, windows, ctx));
        }
    }
    let left_out = ordered
        .iter()
        .filter(|r| r.rank == Rank::Hidden)
        .map(|r| {
            (
                r.kpi.clone(),
                r.period.clone(),
                dimensions_label(&r.dimensions),
            )
        })
        .collect();
    ordered.retain(|r| r.rank != Rank::Hidden);
    let closed = kpis
        .iter()
        .filter(|k| !k.is_snapshot())
        .filter(|k| {
            targets[k.id.as_str()]
                .iter()
                .all(|w| !w.target.is_partial())
        })
        .map(|k| k.id.clone())
        .collect();
    Computed {
        results: ordered,
        sources: states,
        closed,
        traces,
        left_out,
    }
}

/// The reported periods of every KPI.
fn targets<'c>(config: &Config, kpis: &[&'c Kpi], periods: Periods) -> Result<Targets<'c>, Error> {
    let calendar = &config.settings.calendar;
    let mut targets: Targets = HashMap::new();
    for kpi in kpis {
        let needs_base = uses_retention(kpi);
        let windows = match periods {
            Periods::Chosen { period, as_of } => vec![chosen_windows(config, kpi, period, as_of)?],
            Periods::Range { .. } if kpi.is_snapshot() => vec![],
            Periods::Range { from, to, as_of } => calendar
                .periods_between(kpi.frequency, from, to)
                .into_iter()
                .filter(|p| p.end < as_of)
                .map(|p| RunWindows::of(calendar, kpi, Window::whole(p), &kpi.compare, needs_base))
                .collect(),
        };
        targets.insert(kpi.id.as_str(), windows);
    }
    Ok(targets)
}

/// One KPI's windows for `--period`. A label that does not fit the KPI is a command-line error
/// (exit 2), like a bad `--as-of`: the same configuration works with another label. So is a
/// label of another frequency than the KPI's: computing the KPIs it fits and leaving the
/// others out would publish a partial report without a word.
pub(crate) fn chosen_windows(
    config: &Config,
    kpi: &Kpi,
    period: &str,
    as_of: NaiveDate,
) -> Result<RunWindows, Error> {
    let calendar = &config.settings.calendar;
    let choice = PeriodChoice::parse(period);
    engine::run_windows(calendar, kpi, &choice, as_of, uses_retention(kpi)).map_err(|e| {
        let hint = match calendar.parse_label(kpi.frequency, period) {
            Ok(_) => String::new(),
            Err(_) => format!("\n  hint: {}", period_hint(calendar, kpi.frequency, period)),
        };
        usage(format!("--period {period}: kpi `{}`: {e}{hint}", kpi.id))
    })
}

/// The forms `--period` takes for a KPI, and the frequency the label fits, if any.
fn period_hint(calendar: &Calendar, frequency: Frequency, label: &str) -> String {
    let accepted = format!("--period takes previous, current or a {frequency} label");
    let fits = Frequency::ALL
        .into_iter()
        .find(|f| calendar.parse_label(*f, label).is_ok());
    match fits {
        Some(other) => format!(
            "{accepted}; `{label}` is a {other} label: select the KPIs whose frequency is {other} with --kpi"
        ),
        None => accepted,
    }
}

pub(crate) fn uses_retention(kpi: &Kpi) -> bool {
    let mut found = false;
    kpi.formula.expr.walk(&mut |e| {
        if let crate::formula::ast::ExprKind::Call(call) = &e.kind {
            found |= call.name == "retention";
        }
    });
    found
}
