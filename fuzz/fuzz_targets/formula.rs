//! The formula language: parsing and type checking of any text, as a KPI formula, a filter, a
//! condition and a derived formula, must give a result or an error, never a panic.
#![no_main]

use kpi::formula::{self, ColumnScope, ConditionScope};
use kpi::period::Baseline;
use kpi::value::DataType;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = formula::canonical(text);
    let _ = formula::printed(text);
    let Ok(expr) = formula::parse(text) else {
        return;
    };
    let columns = [
        ("amount".to_string(), DataType::Number),
        ("stage".to_string(), DataType::String),
        ("created_at".to_string(), DataType::DateTime),
        ("closed_on".to_string(), DataType::Date),
        ("won".to_string(), DataType::Bool),
    ];
    let mut used = Vec::new();
    let mut scope = ColumnScope {
        columns: &columns,
        used: &mut used,
        source: "fuzz",
    };
    if let Ok(compiled) = formula::compile_aggregate(&expr, &mut scope) {
        let _ = compiled.outer.eval(&[]);
    }
    let _ = formula::compile_filter(&expr, &mut scope);
    let baselines = vec!["previous".to_string(), "year_ago".to_string()];
    let mut conditions = ConditionScope::new(baselines, |b| Baseline::parse(b).is_ok());
    let _ = formula::compile_condition(&expr, &mut conditions);
    let _ = formula::identifiers(&expr);
});
