//! Derived KPIs: a formula over other KPIs' values (`revenue_won / won_accounts`), computed for
//! the overall value and for every breakdown that all the KPIs it uses have, group by group.
//! A group that one input lacks (no rows there) gets no value: its part is null, its status
//! no_data, rather than a row left out or a number made of a missing operand.

use super::compare::{base_result, fill_previous, finish, Context};
use super::windows::RunWindows;
use crate::config::Kpi;
use crate::formula::Node;
use crate::model::{KpiResult, Status};
use crate::value::Value;

type Dimensions = Vec<(String, String)>;

/// `used` holds the results of the KPIs `kpi.uses` names, in that order.
pub fn derived_results(
    kpi: &Kpi,
    used: &[Vec<KpiResult>],
    windows: &RunWindows,
    ctx: &Context,
) -> Vec<KpiResult> {
    let Some(formula) = &kpi.derived else {
        return vec![];
    };
    shared_groups(used)
        .into_iter()
        .filter(|dimensions| wanted(kpi, dimensions))
        .map(|dimensions| group_result(kpi, formula, used, dimensions, windows, ctx))
        .collect()
}

/// One group's result from each input's value for the same group (None where it has none).
fn group_result(
    kpi: &Kpi,
    formula: &Node,
    used: &[Vec<KpiResult>],
    dimensions: Dimensions,
    windows: &RunWindows,
    ctx: &Context,
) -> KpiResult {
    let matching: Vec<Option<&KpiResult>> = used
        .iter()
        .map(|rs| rs.iter().find(|o| o.dimensions == dimensions))
        .collect();
    let present: Vec<&KpiResult> = matching.iter().flatten().copied().collect();
    let complete = present.len() == matching.len();
    let values: Vec<Option<f64>> = matching.iter().map(|m| m.and_then(|m| m.value)).collect();
    let value = if complete {
        eval(formula, &values)
    } else {
        None
    };
    let rows = present.iter().map(|m| m.rows).max().unwrap_or(0);
    let mut result = base_result(kpi, windows, ctx, dimensions, value, rows);
    result.parts = kpi
        .uses
        .iter()
        .zip(&values)
        .map(|(id, v)| (id.clone(), v.map_or(Value::Null, Value::Num)))
        .collect();
    let mut inputs: Vec<&str> = present
        .iter()
        .map(|m| m.source_fingerprint.as_str())
        .collect();
    inputs.dedup();
    result.source_fingerprint = inputs.join("+");
    // Each baseline's value from the inputs' values beside the same baseline (the
    // configuration makes every input compare with the derived KPI's baselines).
    let from_data = windows
        .baselines
        .iter()
        .map(|(baseline, _)| {
            let name = baseline.name();
            // A snapshot input (of another period: now) stands for every period, its baselines'
            // too.
            let before: Option<Vec<Option<f64>>> = present
                .iter()
                .map(|m| match m.period != result.period {
                    true => Some(m.value),
                    false => Some(m.comparison(&name)?.value),
                })
                .collect();
            let before = before.filter(|_| complete)?;
            Some((eval(formula, &before), vec![]))
        })
        .collect();
    fill_previous(&mut result, kpi, windows, ctx, from_data);
    finish(&mut result, kpi, ctx);
    stale_from_inputs(&mut result, &kpi.uses, &matching);
    result
}

fn eval(formula: &Node, inputs: &[Option<f64>]) -> Option<f64> {
    let values: Vec<Value> = inputs
        .iter()
        .map(|v| v.map_or(Value::Null, Value::Num))
        .collect();
    formula.eval(&values).as_num().filter(|v| v.is_finite())
}

/// The overall value, then the groups of each breakdown (a set of dimension names) that every
/// input has: the first input's groups in its order, and among them, in order, the groups only
/// other inputs have.
fn shared_groups(used: &[Vec<KpiResult>]) -> Vec<Dimensions> {
    let shared = |dimensions: &Dimensions| {
        used.iter()
            .all(|rs| rs.iter().any(|r| same_breakdown(&r.dimensions, dimensions)))
    };
    // The overall value is always there: with no value when an input has none, not missing.
    let mut groups: Vec<Dimensions> = vec![Vec::new()];
    // Flattened in input order, so the first input's groups come first, in its order.
    for result in used.iter().flatten() {
        let dimensions = &result.dimensions;
        if groups.contains(dimensions) || !shared(dimensions) {
            continue;
        }
        // Among its breakdown's groups, before the first that sorts after it (inputs list groups
        // sorted); else after the breakdown's last one.
        let same: Vec<usize> = (0..groups.len())
            .filter(|&i| same_breakdown(&groups[i], dimensions))
            .collect();
        let at = same
            .iter()
            .find(|&&i| groups[i] > *dimensions)
            .copied()
            .or_else(|| same.last().map(|i| i + 1))
            .unwrap_or(groups.len());
        groups.insert(at, dimensions.clone());
    }
    groups
}

fn same_breakdown(a: &Dimensions, b: &Dimensions) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|((x, _), (y, _))| x == y)
}

/// A value computed from a stale one is stale too, saying which input and why.
fn stale_from_inputs(result: &mut KpiResult, uses: &[String], inputs: &[Option<&KpiResult>]) {
    let stale = uses
        .iter()
        .zip(inputs)
        .find_map(|(id, r)| r.filter(|r| r.status == Status::Stale).map(|r| (id, r)));
    if let Some((id, input)) = stale {
        result.status = Status::Stale;
        let why = input.breach.as_deref().unwrap_or("stale");
        result.breach = Some(format!("`{id}` is stale: {why}"));
    }
}

/// The overall value always; a breakdown when the derived KPI lists it (or lists none: then it
/// follows the KPIs it uses).
fn wanted(kpi: &Kpi, dimensions: &[(String, String)]) -> bool {
    if dimensions.is_empty() || kpi.dimensions.is_empty() {
        return true;
    }
    let names: Vec<&str> = dimensions.iter().map(|(n, _)| n.as_str()).collect();
    kpi.dimensions
        .iter()
        .any(|d| d.iter().map(String::as_str).eq(names.iter().copied()))
}
