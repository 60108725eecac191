//! What identifiers mean in each kind of expression.

use super::ast::Pos;
use super::check::{Scope, Ty};
use super::eval::Node;
use super::FormulaError;
use crate::value::DataType;

/// Columns of a source (its header, plus lookup columns), by name and type. Every column a
/// formula uses is appended to `used`; its slot in a row is its position there.
pub struct ColumnScope<'a> {
    pub columns: &'a [(String, DataType)],
    pub used: &'a mut Vec<usize>,
    /// Shown in "unknown column" messages: where the columns come from.
    pub source: &'a str,
}

impl ColumnScope<'_> {
    /// Finds a column: the exact name first, then case-insensitively (DuckDB's rule).
    pub fn find(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|(c, _)| c == name)
            .or_else(|| {
                self.columns
                    .iter()
                    .position(|(c, _)| c.eq_ignore_ascii_case(name))
            })
            .or_else(|| {
                self.columns
                    .iter()
                    .position(|(c, _)| c.to_lowercase() == name.to_lowercase())
            })
    }

    /// The slot of a column in the row, adding it to the used columns if needed.
    pub fn slot(&mut self, column: usize) -> usize {
        match self.used.iter().position(|&c| c == column) {
            Some(slot) => slot,
            None => {
                self.used.push(column);
                self.used.len() - 1
            }
        }
    }
}

impl Scope for ColumnScope<'_> {
    fn ident(&mut self, name: &str, quoted: bool, pos: Pos) -> Result<(Node, Ty), FormulaError> {
        let Some(column) = self.find(name) else {
            let names: Vec<&str> = self.columns.iter().map(|(c, _)| c.as_str()).collect();
            let hint = if quoted {
                format!("; \"{name}\" is a column name in SQL, text is written '{name}'")
            } else {
                String::new()
            };
            return Err(FormulaError::new(
                format!(
                    "unknown column `{name}` (columns of {}: {}){hint}",
                    self.source,
                    names.join(", ")
                ),
                pos,
            ));
        };
        let ty = self.columns[column].1;
        Ok((Node::Load(self.slot(column)), Some(ty)))
    }
}

/// The KPIs a derived formula may use; `used` lists the referenced ids in slot order.
pub struct KpiScope<'a> {
    pub known: &'a [String],
    pub used: Vec<String>,
}

impl Scope for KpiScope<'_> {
    fn ident(&mut self, name: &str, _quoted: bool, pos: Pos) -> Result<(Node, Ty), FormulaError> {
        if !self.known.iter().any(|k| k == name) {
            return Err(FormulaError::new(
                format!(
                    "unknown KPI `{name}`: a formula without `source` combines other KPIs by id"
                ),
                pos,
            ));
        }
        let slot = match self.used.iter().position(|u| u == name) {
            Some(slot) => slot,
            None => {
                self.used.push(name.to_string());
                self.used.len() - 1
            }
        };
        Ok((Node::Load(slot), Some(DataType::Number)))
    }

    fn aggregate(&mut self, call: &super::ast::Call, pos: Pos) -> Result<(Node, Ty), FormulaError> {
        Err(FormulaError::new(
            format!(
                "`{}` needs a source: a KPI without `source` can only combine other KPIs",
                call.name
            ),
            pos,
        ))
    }
}

/// The variables of `warn` and `fail` conditions, in slot order: the value, the first
/// baseline's value and its move, the target. Each baseline named in a condition
/// (`year_ago_delta_pct`) takes three more slots after these: see [`ConditionScope`].
pub const CONDITION_VARIABLES: [&str; 5] = ["value", "previous", "delta", "delta_pct", "target"];

/// The suffixes of a baseline's variables, in slot order: its value, delta and delta_pct.
pub const BASELINE_FIELDS: [&str; 3] = ["", "_delta", "_delta_pct"];

/// The names of `warn` and `fail`. Besides [`CONDITION_VARIABLES`], `B`, `B_delta` and
/// `B_delta_pct` for every baseline `B` the KPI compares with (`year_ago`, `previous_delta`,
/// `"4_periods_ago_delta"`): the first baseline named takes slots 5 to 7, the next 8 to 10.
#[derive(Debug, Default)]
pub struct ConditionScope {
    /// The baselines of the KPI, by name.
    pub baselines: Vec<String>,
    /// Whether a name not among them is a baseline all the same (told apart to say so).
    pub is_baseline: Option<fn(&str) -> bool>,
    /// The baselines the conditions name, in slot order.
    pub used: Vec<String>,
    /// Whether they name `previous` (the first baseline's value).
    pub names_previous: bool,
}

impl ConditionScope {
    /// A scope for a KPI comparing with these baselines.
    pub fn new(baselines: Vec<String>, is_baseline: fn(&str) -> bool) -> ConditionScope {
        ConditionScope {
            baselines,
            is_baseline: Some(is_baseline),
            used: Vec::new(),
            names_previous: false,
        }
    }

    /// The baseline and field (0 value, 1 delta, 2 delta_pct) a name stands for.
    fn baseline_field(name: &str, is: impl Fn(&str) -> bool) -> Option<(&str, usize)> {
        (0..BASELINE_FIELDS.len()).rev().find_map(|field| {
            let base = name.strip_suffix(BASELINE_FIELDS[field])?;
            is(base).then_some((base, field))
        })
    }
}

impl Scope for ConditionScope {
    fn ident(&mut self, name: &str, _quoted: bool, pos: Pos) -> Result<(Node, Ty), FormulaError> {
        let lower = name.to_ascii_lowercase();
        if let Some(slot) = CONDITION_VARIABLES.iter().position(|v| *v == lower) {
            self.names_previous |= slot == 1;
            return Ok((Node::Load(slot), Some(DataType::Number)));
        }
        let known = |b: &str| self.baselines.iter().any(|k| k == b);
        if let Some((baseline, field)) = Self::baseline_field(&lower, known) {
            let index = match self.used.iter().position(|u| u == baseline) {
                Some(index) => index,
                None => {
                    self.used.push(baseline.to_string());
                    self.used.len() - 1
                }
            };
            let slot = CONDITION_VARIABLES.len() + BASELINE_FIELDS.len() * index + field;
            return Ok((Node::Load(slot), Some(DataType::Number)));
        }
        if let Some(is) = self.is_baseline {
            if let Some((baseline, _)) = Self::baseline_field(&lower, is) {
                return Err(FormulaError::new(
                    format!(
                        "`{name}`: the KPI does not compare with {baseline} (compare = [{}]): add \"{baseline}\" to compare",
                        self.baselines
                            .iter()
                            .map(|b| format!("\"{b}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    pos,
                ));
            }
        }
        let mut names: Vec<String> = CONDITION_VARIABLES.iter().map(|v| v.to_string()).collect();
        for b in &self.baselines {
            names.extend(BASELINE_FIELDS.iter().map(|f| format!("{b}{f}")));
        }
        names.dedup();
        Err(FormulaError::new(
            format!("unknown name `{name}`: conditions use {}", names.join(", ")),
            pos,
        ))
    }
}
