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

/// The variables of `warn` and `fail` conditions, in slot order.
pub const CONDITION_VARIABLES: [&str; 5] = ["value", "previous", "delta", "delta_pct", "target"];

pub struct ConditionScope;

impl Scope for ConditionScope {
    fn ident(&mut self, name: &str, _quoted: bool, pos: Pos) -> Result<(Node, Ty), FormulaError> {
        match CONDITION_VARIABLES
            .iter()
            .position(|v| v.eq_ignore_ascii_case(name))
        {
            Some(slot) => Ok((Node::Load(slot), Some(DataType::Number))),
            None => Err(FormulaError::new(
                format!(
                    "unknown name `{name}`: conditions use {}",
                    CONDITION_VARIABLES.join(", ")
                ),
                pos,
            )),
        }
    }
}
