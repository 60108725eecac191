//! Planning a source: its KPIs' formulas, filters, time columns and dimensions bound to the
//! source's columns — type-checked against the real header before any row is read.

use crate::config::{Config, Kpi, Located};
use crate::formula::{self, AggregateFormula, ColumnScope, FormulaError, Node};
use crate::measure::Direction;
use crate::toml_text;
use crate::value::DataType;
use anyhow::{anyhow, bail, Result};

/// Everything the pass over one source computes.
#[derive(Debug)]
pub struct SourcePlan {
    pub source: String,
    /// Columns read per row (indices into the schema's columns), in slot order.
    pub used: Vec<usize>,
    pub filter: Option<Node>,
    pub kpis: Vec<KpiPlan>,
    /// `settings.max_groups`: most groups one breakdown may have.
    pub max_groups: u64,
}

#[derive(Debug)]
pub struct KpiPlan {
    pub id: String,
    /// Slot of the time column; None for a snapshot KPI.
    pub time: Option<usize>,
    pub filter: Option<Node>,
    pub formula: AggregateFormula,
    /// The overall value first (no columns), then each breakdown.
    pub breakdowns: Vec<Breakdown>,
    /// `top = N`: each breakdown keeps its N best groups by `direction`.
    pub top: Option<usize>,
    pub direction: Direction,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    pub names: Vec<String>,
    pub slots: Vec<usize>,
}

/// Binds the KPIs of one source to its columns (`columns` = the schema's names and types).
/// `dimensions_override` is `--by`: one breakdown instead of the configured ones (none when
/// it is empty).
pub fn plan_source(
    config: &Config,
    source: &str,
    kpis: &[&Kpi],
    columns: &[(String, DataType)],
    dimensions_override: Option<&[String]>,
) -> Result<SourcePlan> {
    let mut used = Vec::new();
    let label = format!("source `{source}`");
    let filter = match config.source(source).and_then(|s| s.filter.as_ref()) {
        Some(f) => Some(
            bind(f, columns, &mut used, &label, |e, s| {
                formula::compile_filter(e, s)
            })
            .map_err(|e| anyhow!("{}: {label}: filter: {e}", config.path.display()))?,
        ),
        None => None,
    };
    let mut plans = Vec::new();
    for kpi in kpis {
        plans.push(plan_kpi(
            config,
            kpi,
            columns,
            &mut used,
            &label,
            dimensions_override,
        )?);
    }
    Ok(SourcePlan {
        source: source.to_string(),
        used,
        filter,
        kpis: plans,
        max_groups: config.settings.max_groups,
    })
}

fn plan_kpi(
    config: &Config,
    kpi: &Kpi,
    columns: &[(String, DataType)],
    used: &mut Vec<usize>,
    label: &str,
    dimensions_override: Option<&[String]>,
) -> Result<KpiPlan> {
    let context = |key: &str| format!("{}: kpi `{}`: {key}", config.path.display(), kpi.id);
    let formula = bind(&kpi.formula, columns, used, label, |e, s| {
        formula::compile_aggregate(e, s)
    })
    .map_err(|e| anyhow!("{}: {e}", context("formula")))?;
    let filter = match &kpi.filter {
        Some(f) => Some(
            bind(f, columns, used, label, |e, s| {
                formula::compile_filter(e, s)
            })
            .map_err(|e| anyhow!("{}: {e}", context("filter")))?,
        ),
        None => None,
    };
    let mut scope = ColumnScope {
        columns,
        used,
        source: label,
    };
    let time = match &kpi.time {
        Some(name) => {
            let column =
                column_index(&scope, name).map_err(|e| anyhow!("{}: {e}", context("time")))?;
            if !columns[column].1.is_temporal() {
                bail!(
                    "{}: column `{name}` is a {}, not a date\n  hint: declare it in the source: {}, and set date_format if it is not ISO",
                    context("time"),
                    columns[column].1,
                    toml_text::declaration(name, DataType::Date)
                );
            }
            Some(scope.slot(column))
        }
        None => None,
    };
    let mut breakdowns = vec![Breakdown {
        names: vec![],
        slots: vec![],
    }];
    let dimensions: Vec<Vec<String>> = match dimensions_override {
        Some([]) => vec![],
        Some(by) => vec![by.to_vec()],
        None => kpi.dimensions.clone(),
    };
    for names in dimensions {
        let mut slots = Vec::new();
        for name in &names {
            let column = column_index(&scope, name)
                .map_err(|e| anyhow!("{}: {e}", context("dimensions")))?;
            slots.push(scope.slot(column));
        }
        breakdowns.push(Breakdown { names, slots });
    }
    Ok(KpiPlan {
        id: kpi.id.clone(),
        time,
        filter,
        formula,
        breakdowns,
        top: kpi.top,
        direction: kpi.direction,
    })
}

fn column_index(scope: &ColumnScope, name: &str) -> Result<usize> {
    scope.find(name).ok_or_else(|| {
        let names: Vec<&str> = scope.columns.iter().map(|(c, _)| c.as_str()).collect();
        anyhow!(
            "unknown column `{name}` (columns of {}: {})",
            scope.source,
            names.join(", ")
        )
    })
}

/// Compiles one located expression against the columns, with the error placed in the file.
fn bind<T>(
    located: &Located,
    columns: &[(String, DataType)],
    used: &mut Vec<usize>,
    label: &str,
    compile: impl FnOnce(&crate::formula::Expr, &mut ColumnScope) -> Result<T, FormulaError>,
) -> Result<T, String> {
    let mut scope = ColumnScope {
        columns,
        used,
        source: label,
    };
    compile(&located.expr, &mut scope).map_err(|e| located.describe(&e))
}
