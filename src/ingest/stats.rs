//! What a pass over a source counted: rows, duplicates, ragged rows, and per used column and
//! lookup the value counts of `quality`, merged stretch after stretch in file order.

use super::quality::{ColumnValues, Issue, Unmatched};
use super::row::Stretch;
use super::schema::Schema;
use crate::value::DataType;
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct ScanStats {
    /// Data rows in the files (header excluded), ragged ones included.
    pub rows_read: u64,
    /// Rows skipped because a later row has the same key.
    pub duplicates: u64,
    /// Rows whose number of fields differs from the header's: skipped.
    pub ragged: Issue,
    /// Per used column (by name): values present, and those that did not parse as the
    /// column's type (made null).
    pub values: Vec<(String, DataType, ColumnValues)>,
    /// Per lookup table (by name): rows whose key found no row in it.
    pub unmatched: Vec<(String, Unmatched)>,
}

impl ScanStats {
    pub(super) fn new(schema: &Schema, used: &[usize]) -> ScanStats {
        ScanStats {
            values: used
                .iter()
                .map(|&c| {
                    let (name, ty) = &schema.columns[c];
                    (name.clone(), *ty, ColumnValues::default())
                })
                .collect(),
            unmatched: schema
                .lookups
                .iter()
                .map(|l| (l.name.clone(), Unmatched::default()))
                .collect(),
            ..ScanStats::default()
        }
    }

    /// Adds a stretch of `file` whose first line is line `lines_before + 1`.
    pub(super) fn absorb(&mut self, stretch: Stretch, file: &Path, lines_before: u64) {
        self.rows_read += stretch.rows_read;
        self.duplicates += stretch.duplicates;
        self.ragged.absorb(stretch.ragged, file, lines_before);
        for ((_, _, total), values) in self.values.iter_mut().zip(stretch.values) {
            total.absorb(values, file, lines_before);
        }
        for ((_, total), unmatched) in self.unmatched.iter_mut().zip(stretch.unmatched) {
            total.absorb(unmatched);
        }
    }
}
