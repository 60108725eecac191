//! Expressions several KPIs of a source share — `stage = 'Won'` in five formulas, `amount` in
//! three — evaluated once per row instead of once per use.

use crate::formula::{AggSpec, Node, Val};
use crate::value::Value;

/// The distinct filters and aggregate arguments of a source's KPIs.
#[derive(Default)]
pub(super) struct SharedExprs {
    nodes: Vec<Node>,
}

/// Where a KPI finds its filter and each aggregate's FILTER and argument among the shared ones.
pub(super) struct KpiExprs {
    pub filter: Option<usize>,
    /// Per aggregate: its FILTER and its argument (None for `count(*)`).
    pub aggs: Vec<(Option<usize>, Option<usize>)>,
}

impl SharedExprs {
    pub fn bind(&mut self, filter: Option<&Node>, aggs: &[AggSpec]) -> KpiExprs {
        KpiExprs {
            filter: filter.map(|f| self.index(f)),
            aggs: aggs
                .iter()
                .map(|a| {
                    let filter = a.filter.as_ref().map(|f| self.index(f));
                    (filter, a.arg.as_ref().map(|arg| self.index(arg)))
                })
                .collect(),
        }
    }

    fn index(&mut self, node: &Node) -> usize {
        match self.nodes.iter().position(|n| n == node) {
            Some(i) => i,
            None => {
                self.nodes.push(node.clone());
                self.nodes.len() - 1
            }
        }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Expression `i` on the row, evaluated at its first use in the row (`cache` holds one
    /// slot per expression, emptied between rows).
    pub fn eval<'r>(&self, i: usize, row: &[Value<'r>], cache: &mut [Option<Val<'r>>]) -> Val<'r> {
        cache[i]
            .get_or_insert_with(|| self.nodes[i].eval(row))
            .clone()
    }

    pub fn is_true<'r>(&self, i: usize, row: &[Value<'r>], cache: &mut [Option<Val<'r>>]) -> bool {
        cache[i]
            .get_or_insert_with(|| self.nodes[i].eval(row))
            .is_true()
    }
}
