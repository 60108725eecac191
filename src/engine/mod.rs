//! The engine: pure computation from typed rows to KPI results.
//!
//! `plan` binds formulas to a source's columns (`typing` types those no row fills); `pass` streams rows into accumulators (one
//! pass per source, all its KPIs and periods side by side); `compare` turns values into
//! results with previous values and statuses; `derived` computes KPIs made of other KPIs;
//! `rollup` builds one row per entity from a source's rows.
//! No files, no clock, no terminal here: the command layer supplies rows, dates and history.

pub mod accumulator;
mod atoms;
pub mod compare;
pub mod derived;
pub mod distinct;
pub mod exact_sum;
mod groups;
pub mod pass;
pub mod plan;
pub mod rollup;
mod shared;
pub mod significance;
pub mod targets;
mod typing;
pub mod windows;

pub use compare::{History, NoHistory, Past, Recorded};
pub use pass::{KpiOutput, SourcePass};
pub use plan::{plan_source, SourcePlan};
pub use typing::type_empty_columns;
pub use windows::{run_windows, RunWindows};

use crate::value::{date_from_days, Value};

/// How a dimension value reads in a breakdown label.
pub fn label_of(value: &Value) -> String {
    match *value {
        Value::Null => pass::EMPTY_LABEL.to_string(),
        Value::Str(s) => s.to_string(),
        Value::Num(n) => format!("{n}"),
        Value::Bool(b) => b.to_string(),
        Value::Date(d) => date_from_days(d).map_or_else(String::new, |d| d.to_string()),
        Value::DateTime(t) => {
            crate::formula::functions::to_datetime(t).map_or_else(String::new, |t| t.to_string())
        }
    }
}
