//! A derived KPI's baselines must be its inputs' too: its value beside `year_ago` is made of
//! their values beside `year_ago`, which they compute only when they compare with it.

use super::raw::RawKpi;
use super::resolve::Ctx;
use super::Kpi;

/// One problem per baseline of a derived KPI that one of its inputs does not compare with.
pub(super) fn check(kpis: &[Kpi], raws: &[&RawKpi], ctx: &Ctx) -> Vec<String> {
    let mut problems = Vec::new();
    for kpi in kpis.iter().filter(|k| k.source.is_none()) {
        let raw = raws.iter().find(|r| r.id.get_ref() == &kpi.id);
        let at = raw.map_or(0, |r| {
            r.compare
                .as_ref()
                .map_or(r.formula.span().start, |c| c.span().start)
        });
        for input in kpi
            .uses
            .iter()
            .filter_map(|u| kpis.iter().find(|k| &k.id == u))
        {
            if let Some(missing) = kpi.compare.iter().find(|b| !input.compare.contains(b)) {
                let name = missing.name();
                problems.push(format!(
                    "{}: kpi `{}` compares with {name}, which `{}` (one of its inputs) does not: a derived value beside a baseline is made of its inputs' values beside it\n  hint: add \"{name}\" to the compare of `{}`, or set the list once in settings.compare",
                    ctx.at(at),
                    kpi.id,
                    input.id,
                    input.id
                ));
            }
        }
    }
    problems
}
