//! The breakdowns a derived KPI can have: those every KPI it uses has. A source KPI has the
//! ones it declares; a derived one those it declares, else the ones all its inputs share.
//! Declaring one an input lacks is a configuration error naming the input: the engine would
//! otherwise leave that breakdown out without a word.

use super::raw::RawKpi;
use super::resolve::Ctx;
use super::Kpi;
use std::collections::HashMap;

type Breakdown = Vec<String>;

/// One problem per derived KPI dimension that one of its inputs lacks. `kpis` is in dependency
/// order (inputs first).
pub(super) fn check(kpis: &[Kpi], raws: &[&RawKpi], ctx: &Ctx) -> Vec<String> {
    let mut available: HashMap<&str, Vec<Breakdown>> = HashMap::new();
    let mut problems = Vec::new();
    for kpi in kpis {
        let inputs: Vec<(&str, &[Breakdown])> = kpi
            .uses
            .iter()
            .filter_map(|u| {
                available
                    .get(u.as_str())
                    .map(|b| (u.as_str(), b.as_slice()))
            })
            .collect();
        let own = if kpi.source.is_some() || !kpi.dimensions.is_empty() {
            kpi.dimensions.clone()
        } else {
            shared(&inputs)
        };
        if kpi.source.is_none() {
            problems.extend(lacking(kpi, &inputs, raws, ctx));
        }
        available.insert(kpi.id.as_str(), own);
    }
    problems
}

/// The breakdowns every input has, in the first input's order.
fn shared(inputs: &[(&str, &[Breakdown])]) -> Vec<Breakdown> {
    let Some((_, first)) = inputs.first() else {
        return vec![];
    };
    first
        .iter()
        .filter(|b| inputs.iter().all(|(_, bs)| bs.contains(b)))
        .cloned()
        .collect()
}

fn lacking(kpi: &Kpi, inputs: &[(&str, &[Breakdown])], raws: &[&RawKpi], ctx: &Ctx) -> Vec<String> {
    let raw = raws.iter().find(|r| r.id.get_ref() == &kpi.id);
    let mut problems = Vec::new();
    for breakdown in &kpi.dimensions {
        let Some((input, _)) = inputs.iter().find(|(_, bs)| !bs.contains(breakdown)) else {
            continue;
        };
        let name = breakdown.join("+");
        let at = raw
            .and_then(|r| {
                r.dimensions
                    .iter()
                    .find(|d| d.get_ref().replace(' ', "") == name)
            })
            .map_or_else(
                || ctx.path.display().to_string(),
                |d| ctx.at(d.span().start),
            );
        problems.push(format!(
            "{at}: kpi `{}`: dimension `{name}`: input `{input}` has no such breakdown (a derived KPI is broken down only by dimensions all its inputs have)\n  hint: add `{name}` to the dimensions of `{input}`, or remove it here",
            kpi.id
        ));
    }
    problems
}
