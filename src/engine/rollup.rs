//! Rollups: one row per entity (a distinct value of `by`) among an input source's rows, each
//! column an aggregate over the entity's rows (`min(event_time)`, `arg_max(team, event_time)`,
//! `count_if(status = 'Reopened') > 0`).
//!
//! Memory grows with entities, not rows: per entity its key and each column's accumulators.
//! Entities keep the order of their first row, and passes over pieces of the input merge in
//! file order, so `first`, `last` and ties come out the same on any number of threads. As in
//! SQL's GROUP BY, rows whose `by` is null make one entity of their own.

use super::accumulator::Accumulator;
use crate::config::{Config, Rollup, Source};
use crate::formula::{self, AggKind, AggregateFormula, ColumnScope, Node, Val};
use crate::value::{Cell, DataType, Value};
use anyhow::{anyhow, Result};
use rustc_hash::FxHashMap;
use std::fmt::Write;

/// A rollup bound to its input's columns.
#[derive(Debug)]
pub struct RollupPlan {
    /// The rollup source's name.
    pub source: String,
    /// Input columns read per row (indices into the input schema's columns), in slot order.
    pub used: Vec<usize>,
    /// The input source's own filter: a rollup is built from the rows it keeps.
    pub filter: Option<Node>,
    /// Slots of the `by` columns.
    pub by: Vec<usize>,
    /// The rollup's columns: `by`'s, then each aggregate's, typed.
    pub columns: Vec<(String, DataType)>,
    pub aggregates: Vec<AggregateFormula>,
    /// Most entities the rollup may have (`settings.max_entities`).
    pub max_entities: u64,
}

/// Binds `rollup` (of source `source`) to the columns of its input source.
pub fn plan_rollup(
    config: &Config,
    source: &Source,
    rollup: &Rollup,
    input_columns: &[(String, DataType)],
) -> Result<RollupPlan> {
    let mut used = Vec::new();
    let label = format!("source `{}`", rollup.input);
    let at = |key: &str| format!("{}: source `{}`: {key}", config.path.display(), source.name);
    let mut scope = ColumnScope {
        columns: input_columns,
        used: &mut used,
        source: &label,
    };
    let mut by = Vec::new();
    let mut columns = Vec::new();
    for name in &rollup.by {
        let column = scope.find(name).ok_or_else(|| {
            let names: Vec<&str> = input_columns.iter().map(|(c, _)| c.as_str()).collect();
            anyhow!(
                "{}: unknown column `{name}` (columns of {label}: {})",
                at("by"),
                names.join(", ")
            )
        })?;
        by.push(scope.slot(column));
        columns.push(input_columns[column].clone());
    }
    let mut aggregates = Vec::new();
    for (name, located) in &rollup.columns {
        let (formula, ty) =
            formula::compile_rollup_column(&located.expr, &mut scope).map_err(|e| {
                anyhow!(
                    "{}: {}",
                    at(&format!("column `{name}`")),
                    located.describe(&e)
                )
            })?;
        // An untyped NULL is a column of no value: text, the type of an empty column.
        columns.push((name.clone(), ty.unwrap_or(DataType::String)));
        aggregates.push(formula);
    }
    let filter = match config.source(&rollup.input).and_then(|s| s.filter.as_ref()) {
        Some(f) => Some(formula::compile_filter(&f.expr, &mut scope).map_err(|e| {
            anyhow!(
                "{}: {label}: filter: {}",
                config.path.display(),
                f.describe(&e)
            )
        })?),
        None => None,
    };
    Ok(RollupPlan {
        source: source.name.clone(),
        used,
        filter,
        by,
        columns,
        aggregates,
        max_entities: config.settings.max_entities,
    })
}

/// The pass building a rollup: a sink for the input's rows.
pub struct RollupPass<'p> {
    plan: &'p RollupPlan,
    /// Entity index by encoded key.
    index: FxHashMap<Box<str>, usize>,
    /// Entity i's `by` values are `by[i * plan.by.len()..]`, its accumulators (every column's
    /// aggregates in order) `accs[i * width..]`: two allocations, not two per entity.
    by: Vec<Cell>,
    accs: Vec<Accumulator>,
    /// Accumulators per entity.
    width: usize,
    key: String,
    /// Rows the input's filter removed.
    pub filtered: u64,
    /// Rows fed to the entities.
    pub rows: u64,
    /// Set once an entity beyond `max_entities` was met: the pass stops.
    overflow: bool,
    /// Rows to take before the pass has enough (a sample); None: all.
    limit: Option<u64>,
}

impl<'p> RollupPass<'p> {
    /// A pass taking every row, or the first `limit` (a sample).
    pub fn new(plan: &'p RollupPlan, limit: Option<u64>) -> RollupPass<'p> {
        RollupPass {
            plan,
            index: FxHashMap::default(),
            by: Vec::new(),
            accs: Vec::new(),
            width: plan.aggregates.iter().map(|f| f.aggs.len()).sum(),
            key: String::new(),
            filtered: 0,
            rows: 0,
            overflow: false,
            limit,
        }
    }

    /// Whether a sample has its rows.
    pub fn is_full(&self) -> bool {
        self.limit.is_some_and(|l| self.rows + self.filtered >= l)
    }

    /// Feeds one input row (values of `plan.used`); false when the input's filter removed it.
    pub fn add_row(&mut self, row: &[Value<'_>]) -> bool {
        if let Some(filter) = &self.plan.filter {
            if !filter.eval(row).is_true() {
                self.filtered += 1;
                return false;
            }
        }
        self.key.clear();
        for &slot in &self.plan.by {
            encode(&mut self.key, &row[slot]);
        }
        let entity = match self.index.get(self.key.as_str()) {
            Some(&i) => i,
            None => {
                let n = self.entities();
                if n as u64 >= self.plan.max_entities {
                    self.overflow = true;
                    return true;
                }
                let by = self.plan.by.iter().map(|&s| Cell::from_value(row[s]));
                self.by.extend(by);
                self.accs.extend(new_accumulators(self.plan));
                self.index.insert(self.key.as_str().into(), n);
                n
            }
        };
        self.rows += 1;
        let accs = &mut self.accs[entity * self.width..(entity + 1) * self.width];
        let specs = self.plan.aggregates.iter().flat_map(|f| &f.aggs);
        for (acc, spec) in accs.iter_mut().zip(specs) {
            if let Some(filter) = &spec.filter {
                if !filter.eval(row).is_true() {
                    continue;
                }
            }
            let value = spec.arg.as_ref().map_or(Val::Null, |a| a.eval(row));
            match &spec.order {
                Some(order) => acc.add_ordered(spec.kind, &value, &order.eval(row)),
                None => acc.add(spec.kind, &value),
            }
        }
        true
    }

    /// Merges a pass over rows that come after this one's.
    pub fn merge(&mut self, other: RollupPass<'p>) {
        self.filtered += other.filtered;
        self.rows += other.rows;
        self.overflow |= other.overflow;
        let (width, nb) = (self.width, self.plan.by.len());
        let mut keys: Vec<(usize, Box<str>)> =
            other.index.into_iter().map(|(k, i)| (i, k)).collect();
        keys.sort_unstable_by_key(|(i, _)| *i);
        let kinds: Vec<AggKind> = self
            .plan
            .aggregates
            .iter()
            .flat_map(|f| &f.aggs)
            .map(|a| a.kind)
            .collect();
        let mut their_by = other.by.into_iter();
        let mut their_accs = other.accs.into_iter();
        for (_, key) in keys {
            let by = their_by.by_ref().take(nb);
            let accs = their_accs.by_ref().take(width);
            match self.index.get(&key) {
                Some(&i) => {
                    by.for_each(drop);
                    let mine = &mut self.accs[i * width..(i + 1) * width];
                    for ((acc, theirs), &kind) in mine.iter_mut().zip(accs).zip(&kinds) {
                        acc.merge_kind(kind, &theirs);
                    }
                }
                None => {
                    let n = self.entities();
                    if n as u64 >= self.plan.max_entities {
                        self.overflow = true;
                        return;
                    }
                    self.index.insert(key, n);
                    self.by.extend(by);
                    self.accs.extend(accs);
                }
            }
        }
    }

    /// Why the pass stopped: more entities than `settings.max_entities`.
    pub fn refusal(&self) -> Option<String> {
        self.overflow.then(|| {
            format!(
                "source `{}`: the rollup has more than {} entities (settings.max_entities): \
                 its `by` looks like a column that is different on every row\n  hint: check \
                 `by`, or raise settings.max_entities (each entity takes memory)",
                self.plan.source, self.plan.max_entities
            )
        })
    }

    /// The rollup's rows, one per entity in the order of their first row: `by`'s values, then
    /// each column's.
    pub fn finish(self) -> Vec<Vec<Cell>> {
        let (plan, width, nb) = (self.plan, self.width, self.plan.by.len());
        let mut rows = Vec::with_capacity(self.entities());
        let mut by = self.by.into_iter();
        for accs in self.accs.chunks(width.max(1)).take(self.index.len()) {
            let mut row: Vec<Cell> = by.by_ref().take(nb).collect();
            let mut accs = accs.iter();
            for formula in &plan.aggregates {
                let values: Vec<Value> = formula
                    .aggs
                    .iter()
                    .zip(accs.by_ref())
                    .map(|(spec, acc)| acc.finish_ref(spec.kind, spec.arg_type))
                    .collect();
                row.push(formula.outer.eval(&values).into_cell());
            }
            rows.push(row);
        }
        rows
    }

    /// Entities so far.
    pub fn entities(&self) -> usize {
        self.index.len()
    }
}

fn new_accumulators(plan: &RollupPlan) -> Vec<Accumulator> {
    let specs = plan.aggregates.iter().flat_map(|f| &f.aggs);
    specs.map(|spec| Accumulator::new(spec.kind)).collect()
}

/// Appends a key part, tagged with its type so that `1` and `'1'` stay apart.
fn encode(key: &mut String, value: &Value<'_>) {
    let _ = match *value {
        Value::Str(s) => {
            key.push('s');
            key.push_str(s);
            key.push('\u{1f}');
            Ok(())
        }
        Value::Null => write!(key, "n\u{1f}"),
        // -0 and 0 are one value, as in SQL.
        Value::Num(n) => write!(key, "f{}\u{1f}", (n + 0.0).to_bits()),
        Value::Bool(b) => write!(key, "b{b}\u{1f}"),
        Value::Date(d) => write!(key, "d{d}\u{1f}"),
        Value::DateTime(t) => write!(key, "t{t}\u{1f}"),
    };
}
