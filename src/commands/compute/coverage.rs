//! The coverage and freshness guards: a period that a source's dates do not reach (the export
//! stops before it, or starts after it), or a source whose newest date is older than its
//! `fresh_within`, gives `stale` results and one warning per source and time column, so that an
//! old export never passes for a quiet period. Snapshot KPIs (no `time`) are not concerned.

use super::super::warn;
use super::sources::Scanned;
use crate::config::{Config, FreshWithin, Source};
use crate::model::{KpiResult, Status};
use chrono::NaiveDate;

type Span = (NaiveDate, NaiveDate);

/// What one time column of a source showed: its dates, and the KPIs they failed.
struct Column {
    name: String,
    span: Span,
    /// (period, KPI) pairs whose period the dates do not reach.
    uncovered: Vec<(String, String)>,
    /// KPIs stale because the newest date is too old.
    unfresh: Vec<String>,
}

/// Marks the source's stale results and warns. `as_of` is None when freshness does not apply
/// (`backfill` records past periods, which an old export may well cover).
pub(super) fn judge(
    config: &Config,
    source: &Source,
    scanned: &mut Scanned,
    as_of: Option<NaiveDate>,
) {
    let mut columns: Vec<Column> = Vec::new();
    let freshness = as_of.zip(source.fresh_within);
    for (id, results) in &mut scanned.results {
        let kpi = config.kpi(id);
        let time = kpi.and_then(|k| k.time.as_deref());
        let span = scanned.traces.iter().find(|(t, _)| t == id);
        let (Some(time), Some(span)) = (time, span.and_then(|(_, t)| t.span)) else {
            continue;
        };
        let column = column_of(&mut columns, time, span);
        // A window reaching back before the period is judged on the period itself: data that
        // stops in the window's first months would otherwise pass for the whole window.
        let calendar = &config.settings.calendar;
        let own_start = |r: &KpiResult| {
            let period = kpi.and_then(|k| calendar.parse_label(k.frequency, &r.period).ok());
            period.map_or(r.period_start, |p| p.start.max(r.period_start))
        };
        for r in results
            .iter_mut()
            .filter(|r| outside(span, own_start(r), r))
        {
            mark(r, format!("no row in {}: {}", r.period, holds(time, span)));
            let seen = |(p, k): &(String, String)| *p == r.period && k == id;
            if !column.uncovered.iter().any(seen) {
                column.uncovered.push((r.period.clone(), id.clone()));
            }
        }
        if let Some((as_of, within)) = freshness.filter(|(a, w)| too_old(span.1, *a, *w)) {
            let why = format!(
                "not fresh: the newest `{time}` is {}, older than {within} before {as_of} (fresh_within)",
                span.1
            );
            // A period the data does not reach keeps that reason, the more precise one.
            let covered = results.iter_mut().filter(|r| r.status != Status::Stale);
            covered.for_each(|r| mark(r, why.clone()));
            column.unfresh.push(id.clone());
        }
    }
    for column in &columns {
        warn_column(&source.name, column, as_of, source.fresh_within);
    }
}

/// The entry of this time column (names compared as formulas do, ignoring case).
fn column_of<'a>(columns: &'a mut Vec<Column>, name: &str, span: Span) -> &'a mut Column {
    let at = match columns
        .iter()
        .position(|c| c.name.eq_ignore_ascii_case(name))
    {
        Some(at) => at,
        None => {
            columns.push(Column {
                name: name.to_string(),
                span,
                uncovered: vec![],
                unfresh: vec![],
            });
            columns.len() - 1
        }
    };
    let column = &mut columns[at];
    column.span = (column.span.0.min(span.0), column.span.1.max(span.1));
    column
}

/// Whether every date lies before the result's period (which starts on `start`), or every
/// date after it.
fn outside(span: Span, start: NaiveDate, r: &KpiResult) -> bool {
    span.1 < start || span.0 > r.period_end
}

/// Whether the newest date is older than `as_of` minus the span.
fn too_old(newest: NaiveDate, as_of: NaiveDate, within: FreshWithin) -> bool {
    as_of
        .checked_sub_days(chrono::Days::new(within.days.into()))
        .is_some_and(|oldest_allowed| newest < oldest_allowed)
}

fn mark(r: &mut KpiResult, why: String) {
    r.status = Status::Stale;
    r.breach = Some(why);
}

fn holds(column: &str, span: Span) -> String {
    format!(
        "column `{column}` holds dates from {} to {} only",
        span.0, span.1
    )
}

fn warn_column(source: &str, c: &Column, as_of: Option<NaiveDate>, within: Option<FreshWithin>) {
    if !c.uncovered.is_empty() {
        let mut periods: Vec<(&str, Vec<&str>)> = Vec::new();
        for (period, kpi) in &c.uncovered {
            match periods.iter_mut().find(|(p, _)| p == period) {
                Some((_, kpis)) => kpis.push(kpi),
                None => periods.push((period, vec![kpi])),
            }
        }
        let periods: Vec<String> = periods
            .iter()
            .map(|(period, kpis)| format!("{period} ({})", kpi_list(kpis)))
            .collect();
        warn(format!(
            "source `{source}`: no row in {}: {}",
            periods.join(" nor in "),
            holds(&c.name, c.span)
        ));
    }
    if let (false, Some(as_of), Some(within)) = (c.unfresh.is_empty(), as_of, within) {
        let kpis: Vec<&str> = c.unfresh.iter().map(String::as_str).collect();
        let verb = if kpis.len() == 1 { "is" } else { "are" };
        warn(format!(
            "source `{source}`: the newest `{}` is {}, older than fresh_within ({within}) before {as_of}: {} {verb} stale",
            c.name,
            c.span.1,
            kpi_list(&kpis)
        ));
    }
}

/// "kpi `a`" or "kpis `a`, `b`".
fn kpi_list(kpis: &[&str]) -> String {
    let quoted: Vec<String> = kpis.iter().map(|k| format!("`{k}`")).collect();
    let plural = if kpis.len() == 1 { "" } else { "s" };
    format!("kpi{plural} {}", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn freshness_counts_whole_days_back_from_as_of() {
        let within = FreshWithin { days: 2 };
        let as_of = day("2026-11-22");
        assert!(!too_old(day("2026-11-20"), as_of, within));
        assert!(too_old(day("2026-11-19"), as_of, within));
        assert!(!too_old(day("2026-11-22"), as_of, FreshWithin { days: 0 }));
        assert!(too_old(day("2026-11-21"), as_of, FreshWithin { days: 0 }));
    }

    #[test]
    fn kpis_are_listed_with_their_plural() {
        assert_eq!(kpi_list(&["a"]), "kpi `a`");
        assert_eq!(kpi_list(&["a", "b"]), "kpis `a`, `b`");
    }
}
