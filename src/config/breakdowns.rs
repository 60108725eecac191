//! The breakdowns a derived KPI can have: those every KPI it uses has. A source KPI has the
//! ones it declares; a derived one those it declares, else the ones all its inputs share.
//! Declaring one an input lacks is a configuration error naming the input: the engine would
//! otherwise leave that breakdown out without a word.

use super::raw::RawKpi;
use super::resolve::Ctx;
use super::Kpi;
use std::collections::HashMap;

pub type Breakdown = Vec<String>;

impl super::Config {
    /// The breakdowns a KPI has by its configuration (before `--by`): its `dimensions`, or for
    /// a derived KPI without them, those all the KPIs it uses have.
    pub fn breakdowns(&self, kpi: &Kpi) -> Vec<Breakdown> {
        available(&self.kpis)
            .remove(kpi.id.as_str())
            .unwrap_or_default()
    }
}

/// One problem per derived KPI dimension that one of its inputs lacks. `kpis` is in dependency
/// order (inputs first).
pub(super) fn check(kpis: &[Kpi], raws: &[&RawKpi], ctx: &Ctx) -> Vec<String> {
    let available = available(kpis);
    kpis.iter()
        .filter(|k| k.source.is_none())
        .flat_map(|kpi| lacking(kpi, &inputs(kpi, &available), raws, ctx))
        .collect()
}

/// Each KPI's breakdowns, `kpis` in dependency order (inputs first).
fn available(kpis: &[Kpi]) -> HashMap<&str, Vec<Breakdown>> {
    let mut available: HashMap<&str, Vec<Breakdown>> = HashMap::new();
    for kpi in kpis {
        let own = if kpi.source.is_some() || !kpi.dimensions.is_empty() {
            kpi.dimensions.clone()
        } else {
            shared(&inputs(kpi, &available))
        };
        available.insert(kpi.id.as_str(), own);
    }
    available
}

/// The breakdowns of each KPI a derived one uses, by id.
fn inputs<'a>(
    kpi: &'a Kpi,
    available: &'a HashMap<&str, Vec<Breakdown>>,
) -> Vec<(&'a str, &'a [Breakdown])> {
    kpi.uses
        .iter()
        .filter_map(|u| {
            available
                .get(u.as_str())
                .map(|b| (u.as_str(), b.as_slice()))
        })
        .collect()
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
