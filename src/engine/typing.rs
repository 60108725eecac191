//! Types for the columns that no row gives a value (a header-only export, a column empty in
//! every row): with no value to read, every type gives the same figures, so such a column
//! takes a type that all its uses accept (`sum(amount)` a number, `time` a date), and a
//! header-only export gives the values of no rows instead of a type error.

use super::plan::plan_source;
use crate::config::{Config, Kpi};
use crate::value::DataType;

/// The types tried, after the column's own (a string, or what the caller knows it was).
const CANDIDATES: [DataType; 5] = [
    DataType::String,
    DataType::Number,
    DataType::Date,
    DataType::DateTime,
    DataType::Bool,
];

/// Type checks tried at most: enough for six empty columns named by the formulas.
const MAX_TRIES: usize = 5usize.pow(6);

/// Retypes the `empty` columns (indices into `columns`) that the source's KPIs name, so that
/// the plan type-checks: each keeps its current type when that works, else takes the first
/// candidate that does. Left as they were when no choice works (the plan's error stands).
pub fn type_empty_columns(
    config: &Config,
    source: &str,
    kpis: &[&Kpi],
    columns: &mut [(String, DataType)],
    empty: &[usize],
    by: Option<&[String]>,
) {
    let fits =
        |columns: &[(String, DataType)]| plan_source(config, source, kpis, columns, by).is_ok();
    if empty.is_empty() || fits(columns) {
        return;
    }
    let text = mentions(config, source, kpis);
    let named: Vec<usize> = empty
        .iter()
        .copied()
        .filter(|&c| text.contains(&columns[c].0.to_lowercase()))
        .collect();
    let choices: Vec<Vec<DataType>> = named
        .iter()
        .map(|&c| {
            let own = columns[c].1;
            let others = CANDIDATES.iter().copied().filter(|&t| t != own);
            std::iter::once(own).chain(others).collect()
        })
        .collect();
    let mut trial = columns.to_vec();
    // An odometer over the choices, the first column turning slowest: earlier columns keep
    // their own type as long as some choice for the later ones works.
    let mut digits = vec![0; named.len()];
    for _ in 0..MAX_TRIES {
        for ((&c, &d), choice) in named.iter().zip(&digits).zip(&choices) {
            trial[c].1 = choice[d];
        }
        if fits(&trial) {
            columns.clone_from_slice(&trial);
            return;
        }
        let Some(turned) = (0..digits.len())
            .rev()
            .find(|&i| digits[i] + 1 < choices[i].len())
        else {
            return;
        };
        digits[turned] += 1;
        digits[turned + 1..].iter_mut().for_each(|d| *d = 0);
    }
}

/// The texts that may name a source's columns, lowercased: formulas, filters, time columns,
/// dimensions. A column whose name is not in them cannot matter to the plan.
fn mentions(config: &Config, source: &str, kpis: &[&Kpi]) -> String {
    let mut text = String::new();
    if let Some(filter) = config.source(source).and_then(|s| s.filter.as_ref()) {
        text.push_str(&filter.text);
    }
    for kpi in kpis {
        text.push('\n');
        text.push_str(&kpi.formula.text);
        for part in kpi
            .filter
            .iter()
            .map(|f| f.text.as_str())
            .chain(kpi.time.as_deref())
        {
            text.push('\n');
            text.push_str(part);
        }
        for name in kpi.dimensions.iter().flatten() {
            text.push('\n');
            text.push_str(name);
        }
    }
    text.to_lowercase()
}
