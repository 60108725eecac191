//! Which windows (periods, or parts of periods) a run computes for a KPI.

use crate::config::Kpi;
use crate::period::{Calendar, PeriodChoice, PeriodError, Window};
use chrono::NaiveDate;

/// The windows of one KPI in a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunWindows {
    /// The period reported.
    pub target: Window,
    /// The period compared with: the one before, or its same elapsed part for a period to date.
    pub previous: Window,
    /// What the pass accumulates; empty for a snapshot KPI (all rows, no period).
    pub computed: Vec<Window>,
}

/// `retention` needs the period before each computed one as its base, so it gets one more.
pub fn run_windows(
    calendar: &Calendar,
    kpi: &Kpi,
    choice: &PeriodChoice,
    as_of: NaiveDate,
    needs_base: bool,
) -> Result<RunWindows, PeriodError> {
    if kpi.is_snapshot() {
        // A snapshot is the state of the source now, recorded for the period containing as-of.
        let period = calendar.containing(kpi.frequency, as_of);
        let target = calendar.to_date(period, as_of);
        let previous = Window::whole(calendar.previous(&period));
        return Ok(RunWindows {
            target,
            previous,
            computed: vec![],
        });
    }
    let target = calendar.resolve(choice, kpi.frequency, as_of)?;
    let previous = calendar.previous_window(&target);
    let mut computed = vec![previous, target];
    if needs_base {
        computed.insert(0, calendar.previous_window(&previous));
    }
    Ok(RunWindows {
        target,
        previous,
        computed,
    })
}
