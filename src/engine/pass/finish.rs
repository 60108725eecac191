//! The end of a pass: each atom's accumulators settled, each window assembled from its atoms
//! (one at a time), and every group's value computed.

use super::top::{TopAsk, TopOutput};
use super::{Group, KpiCounts, KpiState};
use crate::engine::accumulator::Accumulator;
use crate::engine::groups::{Combos, Interner};
use crate::engine::plan::KpiPlan;
use crate::period::Window;
use crate::value::{date_from_days, Value};

impl KpiState {
    pub(super) fn finish(
        mut self,
        plan: &KpiPlan,
        interners: &[Interner],
        combos: &[Combos],
        asks: &[TopAsk],
    ) -> KpiOutput {
        let nb = plan.breakdowns.len();
        let n_atoms = self.atoms.ranges.len().max(1);
        for a in 0..n_atoms {
            let atom = &mut self.groups[a * nb..(a + 1) * nb];
            atom.iter_mut()
                .flatten()
                .flatten()
                .for_each(|g| g.accs.iter_mut().for_each(Accumulator::settle));
            if nb > 1 {
                // Every row of the atom is in exactly one group of any breakdown, so the
                // overall group is the merge of the first breakdown's groups.
                atom[0] = vec![union_of(plan, &atom[1])];
            }
        }
        // Each window assembled in turn; one that a later window compares with (retention's
        // base) is kept until then, so that merged windows are not all held at once.
        let n = self.windows.len().max(1);
        let mut last_use: Vec<Option<usize>> = vec![None; n];
        for (w, base) in self.bases.iter().enumerate() {
            if let Some(b) = *base {
                last_use[b] = Some(last_use[b].map_or(w, |u: usize| u.max(w)));
            }
        }
        let mut kept: Vec<Option<Assembled>> = (0..n).map(|_| None).collect();
        let mut windows = Vec::with_capacity(n);
        for w in 0..n {
            let current = kept[w]
                .take()
                .unwrap_or_else(|| self.assemble_window(w, nb));
            let base = self.bases.get(w).copied().flatten();
            if let Some(b) = base.filter(|&b| kept[b].is_none() && b != w) {
                kept[b] = Some(self.assemble_window(b, nb));
            }
            let previous = match base {
                Some(b) if b == w => Some(self.view(&current, nb)),
                Some(b) => kept[b].as_ref().map(|a| self.view(a, nb)),
                None => None,
            };
            let groups = self.outputs(plan, interners, combos, self.view(&current, nb), previous);
            windows.push(WindowOutput {
                window: self.windows.get(w).copied(),
                groups,
            });
            if let Some(b) = base.filter(|&b| last_use[b] == Some(w)) {
                kept[b] = None;
            }
            if last_use[w].is_some_and(|u| u > w) {
                kept[w] = Some(current);
            }
        }
        let tops = self.tops(plan, interners, combos, asks);
        KpiOutput {
            id: plan.id.clone(),
            windows,
            tops,
            counts: self.counts,
            span: self
                .span
                .and_then(|(a, b)| Some((date_from_days(a)?, date_from_days(b)?))),
        }
    }

    /// The groups of a window: the overall one first, then each breakdown's sorted by value;
    /// `previous` is its base's, for retention.
    fn outputs(
        &self,
        plan: &KpiPlan,
        interners: &[Interner],
        combos: &[Combos],
        current: &[Vec<Option<Group>>],
        previous: Option<&[Vec<Option<Group>>]>,
    ) -> Vec<GroupOutput> {
        let mut out = Vec::new();
        for (b, breakdown) in plan.breakdowns.iter().enumerate() {
            let keys = &combos[self.combos[b]].keys;
            let mut found: Vec<GroupOutput> = current[b]
                .iter()
                .enumerate()
                .filter_map(|(id, group)| Some((id, group.as_ref()?)))
                .map(|(id, group)| {
                    let before = previous.and_then(|p| p[b].get(id)?.as_ref());
                    let key = keys[id];
                    let dimensions = breakdown
                        .names
                        .iter()
                        .zip(&breakdown.slots)
                        .enumerate()
                        .map(|(k, (name, &slot))| {
                            (name.clone(), interners[slot].names[key[k] as usize].clone())
                        })
                        .collect();
                    finish_group(plan, group, before, dimensions)
                })
                .collect();
            if b == 0 && found.is_empty() {
                // The overall value always exists: a count over no rows is 0, a ratio null.
                found.push(finish_group(plan, &Group::default(), None, vec![]));
            }
            found.sort_by(|a, b| a.dimensions.cmp(&b.dimensions));
            out.extend(found);
        }
        out
    }

    /// Window `w`'s groups (a snapshot's one atom when there are no windows).
    pub(super) fn assemble_window(&self, w: usize, nb: usize) -> Assembled {
        match self.atoms.spans.get(w) {
            Some(&span) => self.assemble(span, nb),
            None => Assembled::Atom(0),
        }
    }

    /// A window's groups: its one atom's, or the merge of its atoms' (group by group: a group's
    /// number is the same in every atom).
    fn assemble(&self, (first, last): (usize, usize), nb: usize) -> Assembled {
        if first == last {
            return Assembled::Atom(first);
        }
        let mut merged: Vec<Vec<Option<Group>>> = vec![Vec::new(); nb];
        for a in first..=last {
            for (b, into) in merged.iter_mut().enumerate() {
                let groups = &self.groups[a * nb + b];
                if into.len() < groups.len() {
                    into.resize_with(groups.len(), || None);
                }
                for (mine, theirs) in into.iter_mut().zip(groups) {
                    match (mine, theirs) {
                        (_, None) => {}
                        (Some(mine), Some(theirs)) => mine.absorb(theirs),
                        (empty, Some(theirs)) => *empty = Some(theirs.clone()),
                    }
                }
            }
        }
        merged
            .iter_mut()
            .flatten()
            .flatten()
            .for_each(|g| g.accs.iter_mut().for_each(Accumulator::settle));
        Assembled::Merged(merged)
    }

    /// The groups of an assembled window, per breakdown.
    pub(super) fn view<'a>(
        &'a self,
        assembled: &'a Assembled,
        nb: usize,
    ) -> &'a [Vec<Option<Group>>] {
        match assembled {
            Assembled::Atom(a) => &self.groups[a * nb..(a + 1) * nb],
            Assembled::Merged(groups) => groups,
        }
    }
}

/// A window's groups, per breakdown: those of its one atom, or a merge of several.
pub(super) enum Assembled {
    Atom(usize),
    Merged(Vec<Vec<Option<Group>>>),
}

/// The merge of a breakdown's groups (None when it has none).
fn union_of(plan: &KpiPlan, groups: &[Option<Group>]) -> Option<Group> {
    let mut union: Option<Group> = None;
    for group in groups.iter().flatten() {
        union
            .get_or_insert_with(|| Group::empty(plan))
            .absorb(group);
    }
    if let Some(union) = &mut union {
        union.accs.iter_mut().for_each(Accumulator::settle);
    }
    union
}

pub(super) fn finish_group(
    plan: &KpiPlan,
    group: &Group,
    before: Option<&Group>,
    dimensions: Vec<(String, String)>,
) -> GroupOutput {
    let aggregates: Vec<Value<'static>> = plan
        .formula
        .aggs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let empty = Accumulator::new(spec.kind);
            let acc = group.accs.get(i).unwrap_or(&empty);
            acc.finish(spec.kind, spec.arg_type, before.and_then(|b| b.accs.get(i)))
        })
        .collect();
    let value = plan
        .formula
        .outer
        .eval(&aggregates)
        .as_num()
        .filter(|v| v.is_finite());
    let mut parts = Vec::new();
    for (i, (spec, finished)) in plan.formula.aggs.iter().zip(&aggregates).enumerate() {
        parts.push((spec.text.clone(), *finished));
        if let Some(acc) = group.accs.get(i) {
            for (suffix, x) in acc.extra_parts() {
                parts.push((format!("{} {suffix}", spec.text), Value::Num(x)));
            }
        }
    }
    GroupOutput {
        dimensions,
        value,
        rows: group.rows,
        aggregates,
        parts,
    }
}

#[derive(Debug, Clone)]
pub struct KpiOutput {
    pub id: String,
    /// In window order (oldest first); one window with `window: None` for a snapshot KPI.
    pub windows: Vec<WindowOutput>,
    /// With `top`: what each reported period keeps (empty without).
    pub tops: Vec<TopOutput>,
    pub counts: KpiCounts,
    /// First and last date of the time column in the data (None for a snapshot, or no dates).
    pub span: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
}

#[derive(Debug, Clone)]
pub struct WindowOutput {
    pub window: Option<Window>,
    /// The overall group first, then each breakdown's groups sorted by their values.
    pub groups: Vec<GroupOutput>,
}

#[derive(Debug, Clone)]
pub struct GroupOutput {
    pub dimensions: Vec<(String, String)>,
    pub value: Option<f64>,
    pub rows: u64,
    /// Each aggregate's finished value, for `explain`.
    pub aggregates: Vec<Value<'static>>,
    /// What the archive keeps besides the value: each aggregate by its text (`count(*)`), and
    /// what a significance test needs (`avg(amount) n`, `avg(amount) variance`).
    pub parts: Vec<(String, Value<'static>)>,
}
