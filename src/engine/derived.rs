//! Derived KPIs: a formula over other KPIs' values (`revenue_won / won_accounts`), computed for
//! the overall value and for every breakdown that all the KPIs it uses have.

use super::compare::{base_result, fill_previous, finish, Context};
use super::windows::RunWindows;
use crate::config::Kpi;
use crate::model::{KpiResult, Status};
use crate::value::Value;

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
    let Some(first) = used.first() else {
        return vec![];
    };
    let eval = |inputs: &[Option<f64>]| -> Option<f64> {
        let values: Vec<Value> = inputs
            .iter()
            .map(|v| v.map_or(Value::Null, Value::Num))
            .collect();
        formula.eval(&values).as_num().filter(|v| v.is_finite())
    };
    first
        .iter()
        .filter(|r| wanted(kpi, &r.dimensions))
        .filter_map(|r| {
            let matching: Option<Vec<&KpiResult>> = used
                .iter()
                .map(|rs| rs.iter().find(|o| o.dimensions == r.dimensions))
                .collect();
            let matching = matching?;
            let values: Vec<Option<f64>> = matching.iter().map(|m| m.value).collect();
            let previous: Vec<Option<f64>> = matching.iter().map(|m| m.previous_value).collect();
            let rows = matching.iter().map(|m| m.rows).max().unwrap_or(0);
            let mut result =
                base_result(kpi, windows, ctx, r.dimensions.clone(), eval(&values), rows);
            result.parts = kpi
                .uses
                .iter()
                .zip(&values)
                .map(|(id, v)| (id.clone(), v.map_or(Value::Null, Value::Num)))
                .collect();
            let mut inputs: Vec<&str> = matching
                .iter()
                .map(|m| m.source_fingerprint.as_str())
                .collect();
            inputs.dedup();
            result.source_fingerprint = inputs.join("+");
            let from_data = matching
                .iter()
                .all(|m| m.previous_period.is_some())
                .then(|| (eval(&previous), vec![]));
            fill_previous(&mut result, kpi, windows, ctx, from_data);
            finish(&mut result, kpi, ctx);
            stale_from_inputs(&mut result, &kpi.uses, &matching);
            Some(result)
        })
        .collect()
}

/// A value computed from a stale one is stale too, saying which input and why.
fn stale_from_inputs(result: &mut KpiResult, uses: &[String], inputs: &[&KpiResult]) {
    let stale = uses
        .iter()
        .zip(inputs)
        .find(|(_, r)| r.status == Status::Stale);
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
