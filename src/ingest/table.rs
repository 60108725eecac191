//! The rows of a source built in memory (a rollup's), and what they were built from.

use crate::value::Cell;

/// Rows of typed cells, in the order of the schema's header.
#[derive(Debug, Default)]
pub struct Table {
    pub rows: Vec<Vec<Cell>>,
}

/// Where a rollup's rows come from, for `explain`: the input source and the rows it gave.
#[derive(Debug, Clone)]
pub struct Built {
    pub input: String,
    pub input_rows: u64,
}
