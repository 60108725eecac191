//! The volume guard: a source that has far fewer rows than at the last recording run (a
//! truncated export, a filter changed in the CRM) warns, and its KPIs' `ok` results become
//! `warn`, so that `kpi check` does not pass a figure computed from half the data. A source
//! that grew by more than half is told too, without changing any status.

use super::super::warn;
use super::sources::Scanned;
use crate::archive::SourceState;
use crate::config::Source;
use crate::model::Status;
use crate::report::format::format_count;

/// Compares the rows read with the source's state at the last run, and warns.
pub(super) fn judge(source: &Source, before: &SourceState, scanned: &mut Scanned) {
    let (old, new) = (before.rows, scanned.state.rows);
    let (old_rows, new_rows) = (format_count(old), format_count(new));
    if dropped(old, new, source.max_row_drop) {
        let drop = format!(
            "{new_rows} rows, down {:.0} % from {old_rows}",
            (old - new) as f64 / old as f64 * 100.0
        );
        warn(format!(
            "source `{}`: {drop} at the run of {} (max_row_drop = {}); its KPIs are at warn at least",
            source.name, before.recorded_at, source.max_row_drop
        ));
        let why = format!(
            "source `{}`: {drop} at the last run (max_row_drop = {})",
            source.name, source.max_row_drop
        );
        let results = scanned.results.iter_mut().flat_map(|(_, rs)| rs.iter_mut());
        for r in results.filter(|r| r.status == Status::Ok) {
            r.status = Status::Warn;
            r.breach = Some(why.clone());
        }
    } else if grew(old, new) {
        warn(format!(
            "source `{}` changed size: {new_rows} rows, against {old_rows} at the run of {} (grew by more than half)",
            source.name, before.recorded_at
        ));
    }
}

/// Fewer than `(1 − max_row_drop)` times the rows of the last run.
fn dropped(old: u64, new: u64, max_row_drop: f64) -> bool {
    (new as f64) < (1.0 - max_row_drop) * old as f64
}

/// More than half again the rows of the last run (or rows where there were none).
fn grew(old: u64, new: u64) -> bool {
    if old == 0 {
        return new > 0;
    }
    (new as f64 - old as f64) / old as f64 > 0.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drop_is_fewer_rows_than_the_share_kept() {
        assert!(!dropped(1000, 500, 0.5));
        assert!(dropped(1000, 499, 0.5));
        assert!(!dropped(1000, 1000, 0.0));
        assert!(dropped(1000, 999, 0.0));
        assert!(!dropped(1000, 0, 1.0));
        assert!(!dropped(0, 0, 0.5));
    }

    #[test]
    fn growth_is_more_than_half_again() {
        assert!(!grew(1000, 1500));
        assert!(grew(1000, 1501));
        assert!(grew(0, 1));
        assert!(!grew(0, 0));
        assert!(!grew(1000, 10));
    }
}
