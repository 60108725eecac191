//! How a source KPI's values came about, kept from its pass for `kpi explain`: where the rows
//! went (read, skipped, dropped, filtered, outside the periods, inside each one) and the value
//! of each aggregate per period.

use crate::engine::pass::{KpiCounts, KpiOutput};
use crate::ingest::table::Built;
use crate::ingest::{ScanStats, Schema};
use crate::period::Window;
use crate::value::Value;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Trace {
    pub source: String,
    pub files: Vec<PathBuf>,
    /// A rollup's input and its rows.
    pub built: Option<Built>,
    /// The deduplication key's column, if the source has one.
    pub key: Option<String>,
    pub stats: ScanStats,
    /// Rows removed by the source's `filter` (before any KPI sees them).
    pub source_filtered: u64,
    pub counts: KpiCounts,
    /// First and last date of the KPI's time column over the rows read (None for a snapshot,
    /// or when no row has a date): what the coverage and freshness guards judge.
    pub span: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// The overall value of every window computed, oldest first.
    pub windows: Vec<WindowTrace>,
}

#[derive(Debug, Clone)]
pub struct WindowTrace {
    /// None for a snapshot (every row counts).
    pub window: Option<Window>,
    pub rows: u64,
    /// Each aggregate of the formula by its text, with its value.
    pub aggregates: Vec<(String, Value<'static>)>,
    pub value: Option<f64>,
}

impl Trace {
    pub fn of(
        schema: &Schema,
        stats: &ScanStats,
        source_filtered: u64,
        output: &KpiOutput,
        aggregate_texts: &[String],
    ) -> Trace {
        let windows = output
            .windows
            .iter()
            .filter_map(|w| {
                let overall = w.groups.iter().find(|g| g.dimensions.is_empty())?;
                Some(WindowTrace {
                    window: w.window,
                    rows: overall.rows,
                    aggregates: aggregate_texts
                        .iter()
                        .cloned()
                        .zip(overall.aggregates.iter().copied())
                        .collect(),
                    value: overall.value,
                })
            })
            .collect();
        Trace {
            source: schema.source.clone(),
            files: schema.files.clone(),
            built: schema.built.clone(),
            key: schema.key.map(|k| schema.header[k].clone()),
            stats: stats.clone(),
            source_filtered,
            counts: output.counts.clone(),
            span: output.span,
            windows,
        }
    }
}
