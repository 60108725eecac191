//! `kpi backfill --from DATE [--to DATE]`: computes and records every complete period the data
//! covers in the range, for every KPI, in one pass over each source (all periods side by side).

use super::compute::{compute, select, Inputs, Periods};
use super::record::{open_known, record};
use super::{emit, load_config, warn};
use crate::cli::{BackfillArgs, Cli, Selection};
use crate::config::Kpi;
use crate::error::{usage, Error, Outcome};
use crate::model::KpiResult;

pub fn backfill(cli: &Cli, args: &BackfillArgs) -> Result<Outcome, Error> {
    let config = load_config(cli)?;
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let to = match args.to {
        Some(to) => to,
        None => as_of.pred_opt().unwrap_or(as_of),
    };
    if args.from > to {
        return Err(usage(format!(
            "--from {} is after --to {to}: nothing to backfill",
            args.from
        )));
    }
    let selection = Selection {
        as_of: Some(as_of),
        period: "previous".to_string(),
        kpis: args.kpis.clone(),
        report: None,
        by: None,
        compare: vec![],
        top: None,
    };
    let mut selected = select(&config, &selection)?;
    let snapshots: Vec<&str> = selected
        .iter()
        .filter(|k| k.is_snapshot())
        .map(|k| k.id.as_str())
        .collect();
    if !snapshots.is_empty() {
        warn(format!(
            "not backfilled: {} (a snapshot KPI is the state of its source now; its past values \
             exist only where runs recorded them)",
            snapshots.join(", ")
        ));
    }
    selected.retain(|k| !k.is_snapshot());
    let opened = open_known(&config)?;
    let known = opened.known();
    let periods = Periods::Range {
        from: args.from,
        to,
        as_of,
    };
    let inputs = Inputs::Sources {
        by: None,
        strict: args.strict,
    };
    let computed = compute(&config, &selected, periods, inputs, &known)?;
    record(&config, &opened.archive, &computed)?;
    let summary = summary(&selected, &computed.results);
    emit(&summary, None)?;
    Ok(Outcome::Success)
}

/// A line per KPI: how many periods were recorded, first and last, and how many values
/// (overall and breakdowns). Plain text: this is a one-off command read by a person.
fn summary(selected: &[&Kpi], results: &[KpiResult]) -> String {
    let mut out = String::new();
    for kpi in selected {
        let mine: Vec<&KpiResult> = results.iter().filter(|r| r.kpi == kpi.id).collect();
        let mut periods: Vec<&str> = mine.iter().map(|r| r.period.as_str()).collect();
        periods.dedup();
        let line = match (periods.first(), periods.last()) {
            (Some(first), Some(last)) => format!(
                "{}: {} period(s), {first} to {last}, {} value(s) recorded\n",
                kpi.id,
                periods.len(),
                mine.len()
            ),
            _ => format!("{}: no complete period of the data in the range\n", kpi.id),
        };
        out.push_str(&line);
    }
    out
}
