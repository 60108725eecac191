//! Breakdown groups as small integers: each dimension value is interned once per row, and each
//! breakdown numbers its combinations of values as they appear. A KPI's groups then live in a
//! flat vector indexed by that number, shared by every KPI with the same breakdown: one hash
//! lookup per breakdown and row, not one per KPI.

use super::pass::EMPTY_LABEL;
use crate::value::Value;
use rustc_hash::FxHashMap;

/// Dimension values of a group, interned per column; breakdowns have at most four columns.
pub(super) type GroupKey = [u32; 4];

/// A column's distinct values (as labels), numbered as they appear.
#[derive(Default)]
pub(super) struct Interner {
    ids: FxHashMap<String, u32>,
    pub names: Vec<String>,
}

impl Interner {
    pub fn id(&mut self, value: &Value) -> u32 {
        match value {
            Value::Str(s) if !s.is_empty() => self.id_of(s),
            Value::Null | Value::Str(_) => self.id_of(EMPTY_LABEL),
            other => self.id_of(&super::label_of(other)),
        }
    }

    pub fn id_of(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(text.to_string());
        self.ids.insert(text.to_string(), id);
        id
    }
}

/// The combinations of values one breakdown (a list of slots) has met, numbered.
pub(super) struct Combos {
    pub slots: Vec<usize>,
    ids: FxHashMap<GroupKey, u32>,
    pub keys: Vec<GroupKey>,
}

impl Combos {
    pub fn new(slots: Vec<usize>) -> Combos {
        Combos {
            slots,
            ids: FxHashMap::default(),
            keys: Vec::new(),
        }
    }

    /// The number of the combination of the current row's values (`ids` by slot).
    pub fn id(&mut self, ids: &[u32]) -> u32 {
        let mut key: GroupKey = [0; 4];
        for (k, &slot) in self.slots.iter().enumerate() {
            key[k] = ids[slot];
        }
        self.id_of(key)
    }

    pub fn id_of(&mut self, key: GroupKey) -> u32 {
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = self.keys.len() as u32;
        self.keys.push(key);
        self.ids.insert(key, id);
        id
    }
}

/// Every slot list some breakdown uses, once each (the overall value's empty list included),
/// and for each KPI the index of each of its breakdowns in that list.
pub(super) fn combos_of(breakdowns: &[Vec<Vec<usize>>]) -> (Vec<Combos>, Vec<Vec<usize>>) {
    let mut combos: Vec<Combos> = Vec::new();
    let mut of_kpis = Vec::new();
    for kpi in breakdowns {
        let mut indices = Vec::new();
        for slots in kpi {
            let index = match combos.iter().position(|c| &c.slots == slots) {
                Some(i) => i,
                None => {
                    combos.push(Combos::new(slots.clone()));
                    combos.len() - 1
                }
            };
            indices.push(index);
        }
        of_kpis.push(indices);
    }
    (combos, of_kpis)
}
