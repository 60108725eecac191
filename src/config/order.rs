//! Derived KPIs after the KPIs they use, every cycle found, and each KPI's fingerprint.

use super::{Kpi, Source};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    New,
    Visiting,
    Done,
    /// In a cycle, or using a KPI that is: it cannot be computed.
    Broken,
}

/// Orders KPIs so that each derived KPI follows the KPIs it uses (source KPIs keep their order
/// in the file). KPIs in a cycle, and those that use them, are left out; each cycle is returned
/// as the ids along it, the first repeated at the end.
pub(super) fn by_dependencies(kpis: Vec<Kpi>, sources: &[Source]) -> (Vec<Kpi>, Vec<Vec<String>>) {
    let mut walk = Walk {
        kpis: &kpis,
        marks: vec![Mark::New; kpis.len()],
        order: Vec::with_capacity(kpis.len()),
        path: Vec::new(),
        cycles: Vec::new(),
    };
    for i in 0..kpis.len() {
        walk.visit(i);
    }
    let (order, cycles) = (walk.order, walk.cycles);
    let mut slots: Vec<Option<Kpi>> = kpis.into_iter().map(Some).collect();
    let mut ordered: Vec<Kpi> = order.into_iter().filter_map(|i| slots[i].take()).collect();
    fingerprints(&mut ordered, sources);
    (ordered, cycles)
}

struct Walk<'k> {
    kpis: &'k [Kpi],
    marks: Vec<Mark>,
    order: Vec<usize>,
    path: Vec<String>,
    cycles: Vec<Vec<String>>,
}

impl Walk<'_> {
    /// Depth first; whether KPI `i` can be computed.
    fn visit(&mut self, i: usize) -> bool {
        match self.marks[i] {
            Mark::Done => return true,
            Mark::Broken => return false,
            Mark::Visiting => {
                let id = &self.kpis[i].id;
                let start = self.path.iter().position(|p| p == id).unwrap_or(0);
                let mut cycle = self.path[start..].to_vec();
                cycle.push(id.clone());
                self.cycles.push(cycle);
                return false;
            }
            Mark::New => {}
        }
        self.marks[i] = Mark::Visiting;
        self.path.push(self.kpis[i].id.clone());
        let mut ok = true;
        for used in &self.kpis[i].uses {
            if let Some(j) = self.kpis.iter().position(|k| &k.id == used) {
                ok &= self.visit(j);
            }
        }
        self.path.pop();
        self.marks[i] = if ok { Mark::Done } else { Mark::Broken };
        if ok {
            self.order.push(i);
        }
        ok
    }
}

/// A KPI's fingerprint covers what shapes its value: formula, filter, time, frequency, source
/// and, for a derived KPI, the fingerprints of the KPIs it uses. FNV-1a: stable across builds.
fn fingerprints(kpis: &mut [Kpi], sources: &[Source]) {
    for i in 0..kpis.len() {
        let k = &kpis[i];
        let mut canon = format!(
            "formula={}|filter={}|time={}|frequency={}|source={}",
            normalise(&k.formula.text),
            k.filter
                .as_ref()
                .map_or(String::new(), |f| normalise(&f.text)),
            k.time.as_deref().unwrap_or(""),
            k.frequency.name(),
            k.source.as_deref().unwrap_or(""),
        );
        canon.push_str(&k.extent.fingerprint());
        // What a rollup or a computed column is made of is part of the value's definition
        // (nothing is added for a plain source: its archives keep their fingerprints).
        if let Some(source) = &k.source {
            let definition = super::rollup::definition(source, sources, &mut Vec::new());
            if !definition.is_empty() {
                canon.push_str(&format!("|source_definition={definition}"));
            }
        }
        for used in &k.uses {
            if let Some(u) = kpis[..i].iter().find(|u| &u.id == used) {
                canon.push_str(&format!("|{}={}", u.id, u.fingerprint));
            }
        }
        kpis[i].fingerprint = format!("{:016x}", fnv1a(canon.as_bytes()));
    }
}

/// Spacing, comments and keyword case do not change a formula's meaning, so they do not
/// change the fingerprint.
fn normalise(text: &str) -> String {
    crate::formula::canonical(text)
}

pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}
