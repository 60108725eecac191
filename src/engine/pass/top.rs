//! Top-N: in each breakdown, the N groups with the best values of the reported window, and
//! one `(other)` group merged from the accumulators of all the rest — in that window and in
//! each baseline's, over the same groups, so that its value and its move are exact (a distinct
//! count or a median of the rest, not a sum of values).

use super::finish::{finish_group, Assembled, GroupOutput};
use super::{Group, KpiState};
use crate::engine::accumulator::Accumulator;
use crate::engine::groups::{Combos, Interner};
use crate::engine::plan::{Breakdown, KpiPlan};
use crate::period::Window;
use std::collections::HashSet;

/// The label of the group that stands for every group not kept.
pub const OTHER_LABEL: &str = "(other)";

/// A reported period of a KPI with `top`: the window ranked (None for a snapshot) and its
/// baselines' windows, in the KPI's order.
#[derive(Debug, Clone, PartialEq)]
pub struct TopAsk {
    pub target: Option<Window>,
    pub baselines: Vec<Window>,
}

/// What top-N keeps of one reported period.
#[derive(Debug, Clone)]
pub struct TopOutput {
    pub target: Option<Window>,
    /// One per breakdown (the overall value has none).
    pub breakdowns: Vec<TopBreakdown>,
}

#[derive(Debug, Clone)]
pub struct TopBreakdown {
    /// The kept groups' dimensions, best first.
    pub kept: Vec<Vec<(String, String)>>,
    /// Every other group merged, in the reported window; None when none is left out.
    pub other: Option<GroupOutput>,
    /// The same groups merged in each baseline's window (None: no rows there).
    pub other_before: Vec<Option<GroupOutput>>,
}

impl KpiState {
    pub(super) fn tops(
        &self,
        plan: &KpiPlan,
        interners: &[Interner],
        combos: &[Combos],
        asks: &[TopAsk],
    ) -> Vec<TopOutput> {
        let Some(n) = plan.top else { return vec![] };
        asks.iter()
            .filter_map(|ask| {
                let target = self.held(plan, ask.target)?;
                let baselines: Vec<Option<Held>> = ask
                    .baselines
                    .iter()
                    .map(|&w| self.held(plan, Some(w)))
                    .collect();
                let breakdowns = (1..plan.breakdowns.len())
                    .map(|b| {
                        let ctx = Ranking {
                            plan,
                            breakdown: &plan.breakdowns[b],
                            b,
                            keys: &combos[self.combos[b]].keys,
                            interners,
                        };
                        ctx.top(self, n, &target, &baselines)
                    })
                    .collect();
                Some(TopOutput {
                    target: ask.target,
                    breakdowns,
                })
            })
            .collect()
    }

    /// A window's groups and its base's (for retention), assembled; None: not computed.
    fn held(&self, plan: &KpiPlan, window: Option<Window>) -> Option<Held> {
        let nb = plan.breakdowns.len();
        let w = match window {
            Some(w) => self.windows.iter().position(|x| *x == w)?,
            None => 0,
        };
        let base = self.bases.get(w).copied().flatten();
        Some(Held {
            current: self.assemble_window(w, nb),
            base: base.map(|b| self.assemble_window(b, nb)),
        })
    }
}

/// A group's number, value and dimensions.
type Ranked = (usize, Option<f64>, Vec<(String, String)>);

struct Held {
    current: Assembled,
    base: Option<Assembled>,
}

/// One breakdown being ranked.
struct Ranking<'a> {
    plan: &'a KpiPlan,
    breakdown: &'a Breakdown,
    /// The breakdown's index in the plan.
    b: usize,
    keys: &'a [[u32; 4]],
    interners: &'a [Interner],
}

impl Ranking<'_> {
    fn top(
        &self,
        state: &KpiState,
        n: usize,
        target: &Held,
        baselines: &[Option<Held>],
    ) -> TopBreakdown {
        let nb = self.plan.breakdowns.len();
        let groups = &state.view(&target.current, nb)[self.b];
        let before = target.base.as_ref().map(|a| &state.view(a, nb)[self.b]);
        let mut ranked: Vec<Ranked> = groups
            .iter()
            .enumerate()
            .filter_map(|(id, g)| Some((id, g.as_ref()?)))
            .map(|(id, g)| {
                let was = before.and_then(|p| p.get(id)?.as_ref());
                let value = finish_group(self.plan, g, was, vec![]).value;
                (id, value, self.dimensions(id))
            })
            .collect();
        ranked.sort_by(|x, y| {
            self.plan
                .direction
                .best_first(x.1, y.1)
                .then_with(|| x.2.cmp(&y.2))
        });
        let kept_ids: HashSet<usize> = ranked.iter().take(n).map(|r| r.0).collect();
        let left_out = ranked.len() > n;
        let kept = ranked.into_iter().take(n).map(|r| r.2).collect();
        let other_of = |held: &Held| {
            let current = self.rest(&state.view(&held.current, nb)[self.b], &kept_ids)?;
            let base = held
                .base
                .as_ref()
                .and_then(|a| self.rest(&state.view(a, nb)[self.b], &kept_ids));
            Some(finish_group(
                self.plan,
                &current,
                base.as_ref(),
                self.other_dimensions(),
            ))
        };
        TopBreakdown {
            kept,
            other: left_out.then(|| other_of(target)).flatten(),
            other_before: baselines
                .iter()
                .map(|held| held.as_ref().and_then(other_of))
                .collect(),
        }
    }

    /// Every group not kept, merged; None when there is none.
    fn rest(&self, groups: &[Option<Group>], kept: &HashSet<usize>) -> Option<Group> {
        let mut union: Option<Group> = None;
        for (_, group) in groups
            .iter()
            .enumerate()
            .filter(|(id, _)| !kept.contains(id))
            .filter_map(|(id, g)| Some((id, g.as_ref()?)))
        {
            union
                .get_or_insert_with(|| Group::empty(self.plan))
                .absorb(group);
        }
        if let Some(union) = &mut union {
            union.accs.iter_mut().for_each(Accumulator::settle);
        }
        union
    }

    fn dimensions(&self, id: usize) -> Vec<(String, String)> {
        let key = &self.keys[id];
        self.breakdown
            .names
            .iter()
            .zip(&self.breakdown.slots)
            .enumerate()
            .map(|(k, (name, &slot))| {
                (
                    name.clone(),
                    self.interners[slot].names[key[k] as usize].clone(),
                )
            })
            .collect()
    }

    fn other_dimensions(&self) -> Vec<(String, String)> {
        self.breakdown
            .names
            .iter()
            .map(|name| (name.clone(), OTHER_LABEL.to_string()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::measure::Direction;

    #[test]
    fn the_best_come_first_by_direction_and_no_value_last() {
        let mut up = vec![Some(2.0), None, Some(5.0), Some(-1.0)];
        up.sort_by(|a, b| Direction::Up.best_first(*a, *b));
        assert_eq!(up, [Some(5.0), Some(2.0), Some(-1.0), None]);
        let mut down = vec![Some(2.0), None, Some(5.0), Some(-1.0)];
        down.sort_by(|a, b| Direction::Down.best_first(*a, *b));
        assert_eq!(down, [Some(-1.0), Some(2.0), Some(5.0), None]);
        let mut none = vec![Some(1.0), Some(3.0)];
        none.sort_by(|a, b| Direction::None.best_first(*a, *b));
        assert_eq!(none, [Some(3.0), Some(1.0)]);
    }
}
