//! The one pass over a source: every row goes once through every KPI of the source, into the
//! accumulators of its window (period) and of each breakdown group. Pure: rows come in through
//! [`SourcePass::add_row`], results go out through [`SourcePass::finish`] (`finish.rs`).

mod finish;
mod top;

pub use finish::{GroupOutput, KpiOutput, WindowOutput};
pub use top::{TopAsk, TopBreakdown, TopOutput, OTHER_LABEL};

use super::accumulator::Accumulator;
use super::atoms::Atoms;
use super::groups::{combos_of, Combos, Interner};
use super::plan::{KpiPlan, SourcePlan};
use super::shared::{KpiExprs, SharedExprs};
use crate::formula::Val;
use crate::period::Window;
use crate::value::{days_from_date, recycle, Value, MICROS_PER_DAY};

/// The label of rows whose dimension value is empty: they are shown, never dropped.
pub const EMPTY_LABEL: &str = "(empty)";

#[derive(Debug, Default, Clone)]
struct Group {
    rows: u64,
    accs: Vec<Accumulator>,
}

impl Group {
    /// A group without rows, with the KPI's accumulators.
    fn empty(plan: &KpiPlan) -> Group {
        Group {
            rows: 0,
            accs: plan
                .formula
                .aggs
                .iter()
                .map(|a| Accumulator::new(a.kind))
                .collect(),
        }
    }

    fn absorb(&mut self, other: &Group) {
        self.rows += other.rows;
        for (acc, theirs) in self.accs.iter_mut().zip(&other.accs) {
            acc.merge(theirs);
        }
    }
}

/// Per-KPI counters, for `explain` and for the message when a period has no rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KpiCounts {
    /// Rows removed by the KPI's own filter.
    pub filtered: u64,
    /// Rows whose time is null or outside every window computed.
    pub outside: u64,
}

/// A window a pass computes and, for `retention`, the window its base is (one period before).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wanted {
    pub window: Window,
    pub base: Option<Window>,
}

struct KpiState {
    /// Sorted, each once; they may overlap. Empty for a snapshot KPI (every row counts).
    windows: Vec<Window>,
    /// Each window's base among `windows`.
    bases: Vec<Option<usize>>,
    /// The stretches rows are accumulated in: see [`Atoms`].
    atoms: Atoms,
    /// An earlier KPI of the pass with the same time column and windows, whose window for
    /// the row this one takes instead of searching again.
    same_windows_as: Option<usize>,
    /// Index: atom × breakdowns + breakdown, then the group's number in its breakdown's
    /// [`Combos`] (None: no row yet).
    groups: Vec<Vec<Option<Group>>>,
    /// Each breakdown's index in the pass's combos.
    combos: Vec<usize>,
    counts: KpiCounts,
    /// First and last day of the time column over the rows read: the stretch the data covers.
    span: Option<(i32, i32)>,
}

pub struct SourcePass<'p> {
    plan: &'p SourcePlan,
    kpis: Vec<KpiState>,
    interners: Vec<Interner>,
    combos: Vec<Combos>,
    /// Rows removed by the source's filter.
    pub filtered: u64,
    /// Rows that went through the source filter.
    pub rows: u64,
    /// Each aggregate's input for the current row; kept to reuse its allocation row after row.
    args: Vec<Option<Val<'static>>>,
    /// Filters and arguments, each evaluated once per row whatever the KPIs that use it.
    exprs: SharedExprs,
    /// Per KPI: where its expressions are in `exprs`.
    kpi_exprs: Vec<KpiExprs>,
    /// The current row's value of each of `exprs` (None until first used).
    cache: Vec<Option<Val<'static>>>,
    /// The current row's day and window, per KPI.
    found: Vec<(Option<i32>, Option<usize>)>,
    /// The current row's interned dimension values, by slot.
    ids: Vec<u32>,
    /// The current row's group number in each of `combos`.
    row_groups: Vec<u32>,
    /// Slots that some breakdown groups by.
    dimension_slots: Vec<usize>,
    /// The time column's slot and the day ranges of every window, sorted, when a row can be
    /// told unwanted by its time alone: see [`SourcePass::time_gate`].
    gate: Option<(usize, Vec<(i32, i32)>)>,
    /// A breakdown (index in `combos`) that went past `plan.max_groups`.
    overflow: Option<usize>,
}

impl<'p> SourcePass<'p> {
    /// `windows[i]` are the windows of `plan.kpis[i]` (empty for a snapshot KPI); a base not
    /// among them is not computed.
    pub fn new(plan: &'p SourcePlan, windows: Vec<Vec<Wanted>>) -> SourcePass<'p> {
        let slot_lists: Vec<Vec<Vec<usize>>> = plan
            .kpis
            .iter()
            .map(|k| k.breakdowns.iter().map(|b| b.slots.clone()).collect())
            .collect();
        let (combos, of_kpis) = combos_of(&slot_lists);
        let kpis: Vec<KpiState> = plan
            .kpis
            .iter()
            .zip(windows)
            .zip(of_kpis)
            .map(|((kpi, wanted), combos)| {
                let mut windows: Vec<Window> = wanted.iter().map(|w| w.window).collect();
                windows.sort_by_key(|w| (w.start, w.end));
                windows.dedup();
                let bases = windows
                    .iter()
                    .map(|w| {
                        let base = wanted.iter().find(|x| x.window == *w)?.base?;
                        windows.iter().position(|x| *x == base)
                    })
                    .collect();
                let days: Vec<(i32, i32)> = windows
                    .iter()
                    .map(|w| (days_from_date(w.start), days_from_date(w.end)))
                    .collect();
                let atoms = Atoms::of(&days);
                let n = atoms.ranges.len().max(1) * kpi.breakdowns.len();
                KpiState {
                    windows,
                    bases,
                    atoms,
                    groups: (0..n).map(|_| Vec::new()).collect(),
                    combos,
                    counts: KpiCounts::default(),
                    span: None,
                    same_windows_as: None,
                }
            })
            .collect();
        let interners = (0..plan.used.len()).map(|_| Interner::default()).collect();
        let mut dimension_slots: Vec<usize> = combos
            .iter()
            .flat_map(|c| c.slots.iter().copied())
            .collect();
        dimension_slots.sort_unstable();
        dimension_slots.dedup();
        let mut kpis = kpis;
        for k in 0..kpis.len() {
            kpis[k].same_windows_as = (0..k).find(|&j| {
                plan.kpis[j].time.is_some()
                    && plan.kpis[j].time == plan.kpis[k].time
                    && kpis[j].atoms.ranges == kpis[k].atoms.ranges
            });
        }
        let gate = time_gate(plan, &kpis);
        let mut exprs = SharedExprs::default();
        let kpi_exprs = plan
            .kpis
            .iter()
            .map(|k| exprs.bind(k.filter.as_ref(), &k.formula.aggs))
            .collect();
        SourcePass {
            plan,
            gate,
            overflow: None,
            kpis,
            interners,
            row_groups: vec![0; combos.len()],
            combos,
            filtered: 0,
            rows: 0,
            args: Vec::new(),
            cache: Vec::new(),
            found: Vec::new(),
            exprs,
            kpi_exprs,
            ids: vec![0; plan.used.len()],
            dimension_slots,
        }
    }

    /// Adds what another pass over other rows of the same source accumulated (another thread's
    /// byte range): the same result as if this pass had read those rows too.
    pub fn merge(&mut self, other: SourcePass<'p>) {
        self.filtered += other.filtered;
        self.rows += other.rows;
        // Their numbers are theirs: translate values through their names, groups through
        // their values.
        let values: Vec<Vec<u32>> = other
            .interners
            .iter()
            .zip(&mut self.interners)
            .map(|(theirs, ours)| theirs.names.iter().map(|n| ours.id_of(n)).collect())
            .collect();
        let groups: Vec<Vec<u32>> = other
            .combos
            .iter()
            .zip(&mut self.combos)
            .map(|(theirs, ours)| {
                let slots = ours.slots.clone();
                theirs
                    .keys
                    .iter()
                    .map(|key| {
                        let mut key = *key;
                        for (k, &slot) in slots.iter().enumerate() {
                            key[k] = values[slot][key[k] as usize];
                        }
                        ours.id_of(key)
                    })
                    .collect()
            })
            .collect();
        let max = self.plan.max_groups;
        if let Some(index) = self.combos.iter().position(|c| c.keys.len() as u64 > max) {
            self.overflow = Some(index);
        }
        for (ours, theirs) in self.kpis.iter_mut().zip(other.kpis) {
            ours.counts.filtered += theirs.counts.filtered;
            ours.counts.outside += theirs.counts.outside;
            ours.span = match (ours.span, theirs.span) {
                (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
                (a, b) => a.or(b),
            };
            let nb = ours.combos.len();
            for (index, found) in theirs.groups.into_iter().enumerate() {
                let remap = &groups[ours.combos[index % nb]];
                let target = &mut ours.groups[index];
                for (id, group) in found.into_iter().enumerate() {
                    let Some(group) = group else { continue };
                    let id = remap[id] as usize;
                    if target.len() <= id {
                        target.resize_with(id + 1, || None);
                    }
                    match &mut target[id] {
                        Some(mine) => mine.absorb(&group),
                        empty => *empty = Some(group),
                    }
                }
            }
        }
    }

    /// The slot of the time column when a row's time alone can tell that no KPI wants it:
    /// every KPI of the source has that time column and no source filter comes first. The
    /// reader then parses that column first and skips the others of unwanted rows (most rows
    /// of a long export when one period is computed).
    pub fn time_gate(&self) -> Option<usize> {
        self.gate.as_ref().map(|(slot, _)| *slot)
    }

    /// Whether some KPI's window holds this time (the time column's value).
    pub fn wants(&self, time: &Value) -> bool {
        let Some((_, ranges)) = &self.gate else {
            return true;
        };
        day_of(time).is_some_and(|day| {
            let i = ranges.partition_point(|&(start, _)| start <= day);
            i > 0 && day <= ranges[i - 1].1
        })
    }

    /// Counts a row that [`SourcePass::wants`] turned down, as [`SourcePass::add_row`] would.
    pub fn add_outside(&mut self, time: &Value) {
        self.rows += 1;
        let day = day_of(time);
        for state in &mut self.kpis {
            state.counts.outside += 1;
            if let Some(day) = day {
                state.widen_span(day);
            }
        }
    }

    /// A breakdown that has more groups than `settings.max_groups`: the first KPI that has it
    /// and its columns. The reader stops the pass when it sees one.
    pub fn max_groups(&self) -> u64 {
        self.plan.max_groups
    }

    pub fn too_many_groups(&self) -> Option<(&str, String)> {
        let slots = &self.combos[self.overflow?].slots;
        self.plan.kpis.iter().find_map(|kpi| {
            let breakdown = kpi.breakdowns.iter().find(|b| &b.slots == slots)?;
            Some((kpi.id.as_str(), breakdown.names.join("+")))
        })
    }

    /// Feeds one row (values of `plan.used`, in slot order) to every KPI of the source.
    /// Adds a row to every KPI; false when the source's filter removed it.
    pub fn add_row(&mut self, row: &[Value<'_>]) -> bool {
        if let Some(filter) = &self.plan.filter {
            if !filter.eval(row).is_true() {
                self.filtered += 1;
                return false;
            }
        }
        self.rows += 1;
        for &slot in &self.dimension_slots {
            self.ids[slot] = self.interners[slot].id(&row[slot]);
        }
        for (index, (combo, id)) in self.combos.iter_mut().zip(&mut self.row_groups).enumerate() {
            *id = combo.id(&self.ids);
            if *id as u64 >= self.plan.max_groups {
                self.overflow = Some(index);
            }
        }
        let mut args: Vec<Option<Val>> = recycle(std::mem::take(&mut self.args));
        let mut cache: Vec<Option<Val>> = recycle(std::mem::take(&mut self.cache));
        cache.resize(self.exprs.len(), None);
        let exprs = &self.exprs;
        let mut found: Vec<(Option<i32>, Option<usize>)> = recycle(std::mem::take(&mut self.found));
        for ((plan, state), bound) in self
            .plan
            .kpis
            .iter()
            .zip(&mut self.kpis)
            .zip(&self.kpi_exprs)
        {
            let located = match state.same_windows_as {
                Some(leader) => {
                    let (day, window) = found[leader];
                    if let Some(day) = day {
                        state.widen_span(day);
                    }
                    (day, window)
                }
                None => state.window_of(plan, row),
            };
            found.push(located);
            let Some(window) = located.1 else {
                state.counts.outside += 1;
                continue;
            };
            if let Some(filter) = bound.filter {
                if !exprs.is_true(filter, row, &mut cache) {
                    state.counts.filtered += 1;
                    continue;
                }
            }
            args.clear();
            for &(filter, arg) in &bound.aggs {
                let passes = filter.is_none_or(|f| exprs.is_true(f, row, &mut cache));
                args.push(
                    passes.then(|| arg.map_or(Val::Null, |a| exprs.eval(a, row, &mut cache))),
                );
            }
            let nb = state.combos.len();
            // With a breakdown, the overall group is their union, made once at the end.
            let first = usize::from(nb > 1);
            for (b, &combo) in state.combos.iter().enumerate().skip(first) {
                let id = self.row_groups[combo] as usize;
                let groups = &mut state.groups[window * nb + b];
                if groups.len() <= id {
                    groups.resize_with(id + 1, || None);
                }
                let group = groups[id].get_or_insert_with(|| Group::empty(plan));
                group.rows += 1;
                for ((acc, spec), arg) in group.accs.iter_mut().zip(&plan.formula.aggs).zip(&args) {
                    if let Some(v) = arg {
                        acc.add(spec.kind, v);
                    }
                }
            }
        }
        self.args = recycle(args);
        cache.clear();
        self.cache = recycle(cache);
        self.found = recycle(found);
        true
    }

    /// The value of every KPI, window and group; `tops[i]`, the reported periods of KPI i
    /// when it keeps its top groups (missing: none).
    pub fn finish(self, tops: &[Vec<TopAsk>]) -> Vec<KpiOutput> {
        let (interners, combos) = (&self.interners, &self.combos);
        self.plan
            .kpis
            .iter()
            .zip(self.kpis)
            .enumerate()
            .map(|(i, (plan, state))| {
                let asks = tops.get(i).map_or(&[][..], Vec::as_slice);
                state.finish(plan, interners, combos, asks)
            })
            .collect()
    }
}

/// The day of a date or timestamp.
fn day_of(time: &Value) -> Option<i32> {
    match *time {
        Value::Date(d) => Some(d),
        Value::DateTime(t) => Some(t.div_euclid(MICROS_PER_DAY) as i32),
        _ => None,
    }
}

/// See [`SourcePass::time_gate`]: the shared time slot and the merged day ranges.
fn time_gate(plan: &SourcePlan, kpis: &[KpiState]) -> Option<(usize, Vec<(i32, i32)>)> {
    if plan.filter.is_some() {
        return None;
    }
    let slot = plan.kpis.first()?.time?;
    if plan.kpis.iter().any(|k| k.time != Some(slot)) {
        return None;
    }
    let mut ranges: Vec<(i32, i32)> = kpis
        .iter()
        .flat_map(|k| k.atoms.ranges.iter().copied())
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(i32, i32)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1.saturating_add(1) => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    Some((slot, merged))
}

impl KpiState {
    /// The row's day, and the atom that holds it (None: outside every window).
    fn window_of(&mut self, plan: &KpiPlan, row: &[Value]) -> (Option<i32>, Option<usize>) {
        let Some(slot) = plan.time else {
            return (None, Some(0));
        };
        let Some(day) = day_of(&row[slot]) else {
            return (None, None);
        };
        self.widen_span(day);
        (Some(day), self.atoms.holding(day))
    }

    fn widen_span(&mut self, day: i32) {
        self.span = Some(
            self.span
                .map_or((day, day), |(a, b)| (a.min(day), b.max(day))),
        );
    }
}
