//! Which windows (periods, or parts of periods, reaching back as far as the KPI's `window` or
//! `to_date` says) a run computes for a KPI: the period reported, each baseline's, and for
//! `retention` the period before each of those.

use super::pass::Wanted;
use crate::config::Kpi;
use crate::period::{Baseline, Calendar, PeriodChoice, PeriodError, Window};
use chrono::NaiveDate;

/// The windows of one KPI for one reported period.
#[derive(Debug, Clone, PartialEq)]
pub struct RunWindows {
    /// The period reported.
    pub target: Window,
    /// The first baseline's window (it fills `previous_value`): `baselines[0].1`.
    pub previous: Window,
    /// Each baseline and its window, in the KPI's order: the same stretch of the baseline
    /// period (its same elapsed part for a period to date).
    pub baselines: Vec<(Baseline, Window)>,
    /// What the pass accumulates, each once, oldest first; empty for a snapshot KPI (all rows,
    /// no period). With its base for `retention`.
    pub computed: Vec<Wanted>,
}

impl RunWindows {
    /// The windows of `core` (the period, whole or to date, before any `window`/`to_date`) and
    /// of its baselines.
    pub fn of(
        calendar: &Calendar,
        kpi: &Kpi,
        core: Window,
        baselines: &[Baseline],
        needs_base: bool,
    ) -> RunWindows {
        let baselines = if baselines.is_empty() {
            &[Baseline::Previous][..]
        } else {
            baselines
        };
        let extend = |w: Window| calendar.extend(w, kpi.extent);
        let compared: Vec<(Baseline, Window)> = baselines
            .iter()
            .map(|&b| (b, calendar.baseline_window(&core, b)))
            .collect();
        let mut computed: Vec<Wanted> = Vec::new();
        let mut add = |wanted: Wanted| match computed.iter_mut().find(|w| w.window == wanted.window)
        {
            Some(found) => found.base = found.base.or(wanted.base),
            None => computed.push(wanted),
        };
        for core in std::iter::once(core).chain(compared.iter().map(|&(_, w)| w)) {
            let base = needs_base.then(|| extend(calendar.previous_window(&core)));
            add(Wanted {
                window: extend(core),
                base,
            });
            if let Some(window) = base {
                add(Wanted { window, base: None });
            }
        }
        computed.sort_by_key(|w| (w.window.start, w.window.end));
        let baselines: Vec<(Baseline, Window)> =
            compared.into_iter().map(|(b, w)| (b, extend(w))).collect();
        RunWindows {
            target: extend(core),
            previous: baselines[0].1,
            baselines,
            computed,
        }
    }

    /// The windows the pass accumulates.
    pub fn computed_windows(&self) -> impl Iterator<Item = Window> + '_ {
        self.computed.iter().map(|w| w.window)
    }
}

/// A KPI's windows for `--period`. A snapshot is the state of the source now, recorded for the
/// period containing as-of; its baselines are whole periods, read from the archive alone.
pub fn run_windows(
    calendar: &Calendar,
    kpi: &Kpi,
    choice: &PeriodChoice,
    as_of: NaiveDate,
    needs_base: bool,
) -> Result<RunWindows, PeriodError> {
    if kpi.is_snapshot() {
        let period = calendar.containing(kpi.frequency, as_of);
        let baselines: Vec<(Baseline, Window)> = kpi
            .compare
            .iter()
            .chain(kpi.compare.is_empty().then_some(&Baseline::Previous))
            .map(|&b| (b, Window::whole(calendar.baseline(&period, b))))
            .collect();
        return Ok(RunWindows {
            target: calendar.to_date(period, as_of),
            previous: baselines[0].1,
            baselines,
            computed: vec![],
        });
    }
    let core = calendar.resolve(choice, kpi.frequency, as_of)?;
    Ok(RunWindows::of(
        calendar,
        kpi,
        core,
        &kpi.compare,
        needs_base,
    ))
}
