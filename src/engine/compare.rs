//! From computed values to results: the previous value (archived, else computed), the delta,
//! whether the two are like-for-like, and the status from `warn`, `fail` and `alert_change`.

use super::pass::{GroupOutput, KpiOutput, TopOutput, WindowOutput};
use super::significance::{self, Sample};
use super::targets;
use super::windows::RunWindows;
use crate::config::Kpi;
use crate::formula::Node;
use crate::model::{dimensions_label, Comparison, Direction, KpiResult, Rank, Status};
use crate::period::{Baseline, Calendar, Window};
use crate::value::Value;
use chrono::NaiveDate;
use std::collections::HashMap;

/// A value recorded by an earlier run.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub value: Option<f64>,
    /// The numeric parts the value was made of (see `KpiResult::parts`).
    pub parts: Vec<(String, f64)>,
    pub fingerprint: String,
    /// The last day the recorded value covers: before the period's end for a period to date.
    pub period_end: NaiveDate,
}

/// An archived value of an earlier period, for trends.
#[derive(Debug, Clone, PartialEq)]
pub struct Past {
    /// The first day the value covers (orders the series, dates the target's trajectory).
    pub start: NaiveDate,
    /// Its period's label as recorded (`2026-10`), for the x axis of a trend chart.
    pub period: String,
    pub value: Option<f64>,
}

/// What the archive knows, as the engine needs it (the command layer reads the files).
pub trait History {
    /// The value recorded for a KPI, period label and dimensions label.
    fn recorded(&self, kpi: &str, period: &str, dimensions: &str) -> Option<Recorded>;
    /// Up to `n` archived values of periods that start before `before`, oldest first.
    fn recent(&self, kpi: &str, dimensions: &str, before: NaiveDate, n: usize) -> Vec<Past>;
}

/// No archive (`--no-archive` on a first run, tests).
pub struct NoHistory;

impl History for NoHistory {
    fn recorded(&self, _: &str, _: &str, _: &str) -> Option<Recorded> {
        None
    }
    fn recent(&self, _: &str, _: &str, _: NaiveDate, _: usize) -> Vec<Past> {
        vec![]
    }
}

/// What results need besides the values.
pub struct Context<'a> {
    pub calendar: &'a Calendar,
    pub history: &'a dyn History,
    pub alert_change: Option<f64>,
    /// Periods in a sparkline, this one included.
    pub sparkline: usize,
    /// Significance tests: confidence level, whether `alert_change` fires on noise, and the
    /// fewest rows a value needs not to be flagged low-sample.
    pub confidence: f64,
    pub alert_on_noise: bool,
    pub min_sample: u64,
}

/// A previous value computed from the data, with its parts.
pub type FromData = Option<(Option<f64>, Vec<(String, f64)>)>;

/// The numeric parts of a computed group.
pub fn numeric_parts(parts: &[(String, Value)]) -> Vec<(String, f64)> {
    parts
        .iter()
        .filter_map(|(n, v)| v.as_num().map(|x| (n.clone(), x)))
        .collect()
}

/// The results of a source KPI for the target window: overall first, then breakdowns.
pub fn source_results(
    kpi: &Kpi,
    output: &KpiOutput,
    windows: &RunWindows,
    ctx: &Context,
) -> Vec<KpiResult> {
    let find = |w: &Window| output.windows.iter().find(|o| o.window.as_ref() == Some(w));
    let current = if kpi.is_snapshot() {
        output.windows.first()
    } else {
        find(&windows.target)
    };
    let Some(current) = current else {
        return vec![];
    };
    // Each baseline's window, its groups looked up by an index, not a scan (a breakdown can
    // have 100,000 groups). A snapshot's baselines come from the archive alone.
    let baselines: Vec<Option<Indexed>> = windows
        .baselines
        .iter()
        .map(|(_, w)| {
            let window = find(w).filter(|_| !kpi.is_snapshot())?;
            let groups = window
                .groups
                .iter()
                .map(|g| (g.dimensions.as_slice(), g))
                .collect();
            Some((window, groups))
        })
        .collect();
    let result_of = |group: &GroupOutput, rank: Rank, from_data: Vec<FromData>| {
        let mut result = base_result(
            kpi,
            windows,
            ctx,
            group.dimensions.clone(),
            group.value,
            group.rows,
        );
        result.parts = group.parts.clone();
        result.rank = rank;
        fill_previous(&mut result, kpi, windows, ctx, from_data);
        finish(&mut result, kpi, ctx);
        result
    };
    let all: Vec<KpiResult> = current
        .groups
        .iter()
        .map(|group| {
            let from_data: Vec<FromData> = baselines
                .iter()
                .map(|found| {
                    let (window, groups) = found.as_ref()?;
                    let before = groups.get(group.dimensions.as_slice()).copied();
                    previous_from_data(window, before, &group.dimensions, output.span)
                })
                .collect();
            result_of(group, Rank::All, from_data)
        })
        .collect();
    let target = (!kpi.is_snapshot()).then_some(windows.target);
    match output.tops.iter().find(|t| t.target == target) {
        Some(top) => ranked(all, top, |other, before| {
            let from_data = before
                .iter()
                .map(|g| {
                    let g = g.as_ref().filter(|g| g.rows > 0)?;
                    Some((g.value, numeric_parts(&g.parts)))
                })
                .collect();
            result_of(other, Rank::Other, from_data)
        }),
        None => all,
    }
}

/// The results in the order top-N shows them: the overall value, then each breakdown's kept
/// groups best first and its `(other)`; then the groups left out, ranked `Hidden` (derived KPIs
/// still use them; nothing shows or records them).
fn ranked(
    all: Vec<KpiResult>,
    top: &TopOutput,
    other_result: impl Fn(&GroupOutput, &[Option<GroupOutput>]) -> KpiResult,
) -> Vec<KpiResult> {
    let at: HashMap<Vec<(String, String)>, usize> = all
        .iter()
        .enumerate()
        .map(|(i, r)| (r.dimensions.clone(), i))
        .collect();
    let mut pending: Vec<Option<KpiResult>> = all.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(pending.len() + top.breakdowns.len());
    out.extend(
        pending
            .iter_mut()
            .filter_map(|r| r.take_if(|r| r.dimensions.is_empty())),
    );
    for breakdown in &top.breakdowns {
        for (n, dimensions) in breakdown.kept.iter().enumerate() {
            if let Some(mut kept) = at.get(dimensions).and_then(|&i| pending[i].take()) {
                kept.rank = Rank::Top(n as u32 + 1);
                out.push(kept);
            }
        }
        if let Some(other) = &breakdown.other {
            out.push(other_result(other, &breakdown.other_before));
        }
    }
    out.extend(pending.into_iter().flatten().map(|mut r| {
        r.rank = Rank::Hidden;
        r
    }));
    out
}

/// A baseline's computed window, with its groups by dimensions.
type Indexed<'o> = (
    &'o WindowOutput,
    HashMap<&'o [(String, String)], &'o GroupOutput>,
);

/// The previous value computed from the data: a group that had rows then; or, for the overall
/// value, a period inside the stretch the data covers even if no row of it passed the filters
/// (a count of 0, not "no data").
fn previous_from_data(
    previous: &WindowOutput,
    group: Option<&GroupOutput>,
    dimensions: &[(String, String)],
    span: Option<(NaiveDate, NaiveDate)>,
) -> FromData {
    let group = group?;
    let covered = match (previous.window, span) {
        (Some(w), Some((first, last))) => {
            dimensions.is_empty() && first <= w.end && last >= w.start
        }
        _ => false,
    };
    (group.rows > 0 || covered).then(|| (group.value, numeric_parts(&group.parts)))
}

/// A result with its value and period; previous value and status still to fill.
pub fn base_result(
    kpi: &Kpi,
    windows: &RunWindows,
    ctx: &Context,
    dimensions: Vec<(String, String)>,
    value: Option<f64>,
    rows: u64,
) -> KpiResult {
    KpiResult {
        kpi: kpi.id.clone(),
        name: kpi.name.clone(),
        unit: kpi.unit,
        direction: kpi.direction,
        period: ctx.calendar.label(&windows.target.period),
        period_start: windows.target.start,
        period_end: windows.target.end,
        to_date: windows.target.is_partial() || kpi.is_snapshot(),
        dimensions,
        value,
        previous_period: Some(ctx.calendar.label(&windows.previous.period)),
        previous_value: None,
        delta: None,
        delta_pct: None,
        status: Status::NoData,
        comparable: None,
        rows,
        history: vec![],
        history_periods: vec![],
        significant: None,
        low_sample: false,
        parts: vec![],
        source_fingerprint: String::new(),
        breach: None,
        target: None,
        standing: Default::default(),
        comparisons: vec![],
        rank: Rank::All,
    }
}

/// Each baseline's value (`from_data[i]` is baseline i's, computed): archived for that period
/// if any (unless this is a period to date, which compares with the same elapsed part, never a
/// whole recorded period), else computed. The first one also fills `previous_*`.
pub fn fill_previous(
    result: &mut KpiResult,
    kpi: &Kpi,
    windows: &RunWindows,
    ctx: &Context,
    from_data: Vec<FromData>,
) {
    let label = dimensions_label(&result.dimensions);
    result.low_sample = kpi.source.is_some() && result.rows < ctx.min_sample;
    let mut from_data = from_data.into_iter();
    result.comparisons = windows
        .baselines
        .iter()
        .map(|&(baseline, window)| {
            let computed = from_data.next().flatten();
            compare_with(
                result,
                kpi,
                windows,
                ctx,
                &label,
                (baseline, window),
                computed,
            )
        })
        .collect();
    if let Some(first) = result.comparisons.first() {
        result.previous_period = Some(first.period.clone());
        result.previous_value = first.value;
        result.comparable = first.comparable;
        result.significant = first.significant;
    }
    let mut recent = ctx.history.recent(
        &kpi.id,
        &label,
        windows.target.start,
        ctx.sparkline.saturating_sub(1),
    );
    recent.push(Past {
        start: windows.target.start,
        period: result.period.clone(),
        value: result.value,
    });
    result.history = recent.iter().map(|p| p.value).collect();
    result.history_periods = recent.iter().map(|p| p.period.clone()).collect();
    // A fixed target holds the overall value; a file's row its own period and breakdown.
    if let Some(target) = kpi.target_for(&result.period, &label, windows.target.end) {
        let series: Vec<(NaiveDate, f64)> = recent
            .iter()
            .filter_map(|p| p.value.map(|v| (p.start, v)))
            .collect();
        result.standing = targets::standing(
            &target,
            kpi.direction,
            result.value,
            &series,
            target
                .by
                .map(|by| ctx.calendar.containing(kpi.frequency, by).start),
            windows.target.end,
        );
        result.target = Some(target.clone());
    }
}

/// The value beside one baseline: archived, else computed; its significance.
fn compare_with(
    result: &KpiResult,
    kpi: &Kpi,
    windows: &RunWindows,
    ctx: &Context,
    label: &str,
    (baseline, window): (Baseline, Window),
    from_data: FromData,
) -> Comparison {
    let period = ctx.calendar.label(&window.period);
    let to_date = windows.target.is_partial() && !kpi.is_snapshot();
    // `(other)` is recorded over the groups left out then, which may not be those of now: the
    // same groups computed from the data are the baseline, the recorded value only without.
    let other = result.rank == Rank::Other;
    let archived = if to_date || (other && from_data.is_some()) {
        None
    } else {
        ctx.history
            .recorded(&kpi.id, &period, label)
            // A value recorded to date is not the whole period's (a snapshot always is to date).
            .filter(|r| kpi.is_snapshot() || r.period_end >= window.end)
    };
    let mut comparison = Comparison {
        baseline: baseline.name(),
        period,
        ..Comparison::default()
    };
    let parts = match (archived, from_data) {
        (Some(recorded), _) => {
            comparison.value = recorded.value;
            comparison.comparable = recorded
                .value
                .map(|_| recorded.fingerprint == kpi.fingerprint && !other);
            recorded.parts
        }
        (None, Some((value, parts))) => {
            comparison.value = value;
            comparison.comparable = value.map(|_| true);
            parts
        }
        (None, None) => vec![],
    };
    if result.value.is_some() && comparison.value.is_some() {
        let shape = significance::shape(&kpi.formula.expr);
        let now = numeric_parts(&result.parts);
        let days = significance::days(windows.target.start, windows.target.end);
        let days_before = significance::days(window.start, window.end);
        comparison.significant = significance::significant(
            &shape,
            &Sample { parts: &now, days },
            &Sample {
                parts: &parts,
                days: days_before,
            },
            ctx.confidence,
        );
    }
    comparison
}

/// Delta and status, with the condition that set it.
pub fn finish(result: &mut KpiResult, kpi: &Kpi, ctx: &Context) {
    result.compute_delta();
    (result.status, result.breach) = status(result, kpi, ctx);
}

fn status(r: &KpiResult, kpi: &Kpi, ctx: &Context) -> (Status, Option<String>) {
    let alert_change = ctx.alert_change;
    if r.value.is_none() {
        return (Status::NoData, None);
    }
    let num = |v: Option<f64>| v.map_or(Value::Null, Value::Num);
    let mut inputs = vec![
        num(r.value),
        num(r.previous_value),
        num(r.delta),
        num(r.delta_pct),
        // The result's own target (`fill_previous`): none for a breakdown without a file row.
        num(r.target.as_ref().map(|t| t.value)),
    ];
    // Then each baseline the conditions name, in their slot order.
    for baseline in &kpi.condition_baselines {
        let c = r.comparison(&baseline.name());
        inputs.push(num(c.and_then(|c| c.value)));
        inputs.push(num(c.and_then(|c| c.delta)));
        inputs.push(num(c.and_then(|c| c.delta_pct)));
    }
    let holds = |cond: &Option<Node>| cond.as_ref().is_some_and(|c| c.eval(&inputs).is_true());
    if holds(&kpi.fail) {
        return (Status::Fail, kpi.fail_text.clone());
    }
    if holds(&kpi.warn) {
        return (Status::Warn, kpi.warn_text.clone());
    }
    let bad_move = match (alert_change, r.delta_pct, kpi.direction) {
        (Some(limit), Some(pct), Direction::Up) => pct < -limit,
        (Some(limit), Some(pct), Direction::Down) => pct > limit,
        _ => false,
    };
    // A big move on a small sample is often noise: it only warns when it is beyond it (or
    // when the test cannot say), unless alert_on_noise asks for every move.
    let bad_move = bad_move && (ctx.alert_on_noise || r.significant != Some(false));
    match (bad_move, alert_change, r.delta_pct) {
        (true, Some(limit), Some(pct)) => (
            Status::Warn,
            Some(format!(
                "moved {:+.1} % (alert_change {:.0} %)",
                pct * 100.0,
                limit * 100.0
            )),
        ),
        _ => (Status::Ok, None),
    }
}
