//! The query: per source, its rows (`read`); per KPI, its rows in the computed periods with
//! each aggregate's argument; per breakdown, the aggregates by period and group; then one
//! `UNION ALL` of result rows shaped as `kpi run --results` reads them.

use super::aggregates::{self, Aggregate};
use super::dialect::Dialect;
use super::expr::Writer;
use super::{KpiPeriods, Refusal, SourceQuery};
use crate::engine::plan::{Breakdown, KpiPlan};
use crate::value::DataType;

/// The derived table of computed windows a row is joined with when they overlap, and its
/// columns: names no source column is likely to have, as they are unqualified in the query.
const WINDOWS: &str = "kpi_w";
const WINDOW_LABEL: &str = "kpi_window";
const WINDOW_START: &str = "kpi_window_start";
const WINDOW_END: &str = "kpi_window_end";

/// The whole query for the given sources (their KPIs in plan order).
/// `prelude`: CTEs the sources read (rollups), in order.
pub fn query(
    d: Dialect,
    prelude: &[String],
    sources: &[SourceQuery],
    header: &str,
) -> Result<String, Refusal> {
    let mut ctes = prelude.to_vec();
    let mut selects = Vec::new();
    let mut n = 0;
    for (s, source) in sources.iter().enumerate() {
        let rows = super::read::source_rows(d, source.schema, source.table, &source.plan.used)?;
        ctes.push(format!("src_{s} AS (\n  {rows}\n)"));
        for (kpi, periods) in source.plan.kpis.iter().zip(&source.periods) {
            let mut built = Kpi::new(d, source, s, n, kpi, periods);
            built
                .build()
                .map_err(|e| format!("kpi `{}`: {e}", kpi.id))?;
            ctes.extend(built.ctes);
            selects.extend(built.selects);
            n += 1;
        }
    }
    let columns = ["kpi", "period", "dimensions", "value", "rows", "parts"]
        .map(|c| d.ident(c))
        .join(", ");
    Ok(format!(
        "{header}WITH\n{},\nresults AS (\n{}\n)\nSELECT {columns} FROM results\nORDER BY 1, 2, 3\n",
        ctes.join(",\n"),
        selects.join("\nUNION ALL\n")
    ))
}

/// One KPI's CTEs and result selects.
struct Kpi<'a> {
    d: Dialect,
    source: &'a SourceQuery<'a>,
    src: String,
    name: String,
    plan: &'a KpiPlan,
    periods: &'a KpiPeriods,
    aggregates: Vec<Aggregate>,
    ctes: Vec<String>,
    selects: Vec<String>,
}

impl<'a> Kpi<'a> {
    fn new(
        d: Dialect,
        source: &'a SourceQuery<'a>,
        s: usize,
        n: usize,
        plan: &'a KpiPlan,
        periods: &'a KpiPeriods,
    ) -> Kpi<'a> {
        Kpi {
            d,
            source,
            src: format!("src_{s}"),
            name: format!("kpi_{n}"),
            plan,
            periods,
            aggregates: Vec::new(),
            ctes: Vec::new(),
            selects: Vec::new(),
        }
    }

    /// The source's columns by slot, as SQL and with their types.
    fn columns(&self) -> Vec<(String, Option<DataType>)> {
        let schema = self.source.schema;
        self.source
            .plan
            .used
            .iter()
            .map(|&c| {
                let (name, ty) = &schema.columns[c];
                (
                    super::column(self.d, name, self.source.table.is_some()),
                    Some(*ty),
                )
            })
            .collect()
    }

    fn build(&mut self) -> Result<(), Refusal> {
        let d = self.d;
        let columns = self.columns();
        let row = Writer {
            dialect: d,
            inputs: &columns,
        };
        let filter = self.plan.filter.as_ref().map(|f| row.sql(f)).transpose()?;
        self.aggregates = self
            .plan
            .formula
            .aggs
            .iter()
            .map(|spec| aggregates::prepare(spec, &row))
            .collect::<Result<_, _>>()?;
        // Overlapping windows (`window`, `to_date`): a row counts in each window it falls in,
        // so it is repeated once per window by a join; else a CASE places it in its one window.
        let overlap = self.plan.time.is_some() && self.windows_overlap();
        let period = if overlap {
            format!("{WINDOWS}.{WINDOW_LABEL}")
        } else {
            self.period_of(&columns)
        };
        let mut select = vec![format!("{period} AS period")];
        for slot in self.dimension_slots() {
            select.push(format!("{} AS d{slot}", super::label(d, &columns[slot])?));
        }
        for (i, agg) in self.aggregates.iter().enumerate() {
            if let Some(arg) = agg.row_value() {
                select.push(format!("{arg} AS x{i}"));
            }
        }
        // The source's filter, then the KPI's: rows outside them are in no value and no count.
        let mut conditions = Vec::new();
        if let Some(f) = &self.source.plan.filter {
            conditions.push(row.sql(f)?);
        }
        conditions.extend(filter);
        let (from, in_windows) = self.rows_in_windows(&columns, overlap);
        conditions.extend(in_windows);
        let mut rows = format!("SELECT {}\n  FROM {from}", select.join(",\n         "));
        if !conditions.is_empty() {
            rows += &format!("\n  WHERE {}", conditions.join("\n    AND "));
        }
        self.ctes.push(format!("{} AS (\n  {rows}\n)", self.name));
        for b in 0..self.plan.breakdowns.len() {
            self.breakdown(b)?;
        }
        Ok(())
    }

    /// Every dimension column of the KPI's breakdowns, once.
    fn dimension_slots(&self) -> Vec<usize> {
        let mut slots: Vec<usize> = Vec::new();
        for b in &self.plan.breakdowns {
            for &s in &b.slots {
                if !slots.contains(&s) {
                    slots.push(s);
                }
            }
        }
        slots
    }

    /// The label of the computed period a row falls in (a snapshot has one).
    fn period_of(&self, columns: &[(String, Option<DataType>)]) -> String {
        let d = self.d;
        let Some(time) = self.plan.time else {
            // A snapshot: every row is in the one period reported.
            let label = self.periods.reported.first().map_or("", String::as_str);
            return d.string(label);
        };
        let (t, ty) = &columns[time];
        let mut out = String::from("CASE");
        for w in &self.periods.computed {
            let (start, end) = self.bounds(w, *ty);
            out += &format!(
                " WHEN {t} >= {start} AND {t} < {end} THEN {}",
                d.string(&w.label)
            );
        }
        out + " END"
    }

    /// A period's bounds as literals of the time column's type: midnights for a datetime, so
    /// that no engine has to compare a date with a datetime (BigQuery would not).
    fn bounds(&self, w: &super::PeriodRange, ty: Option<DataType>) -> (String, String) {
        let d = self.d;
        let literal = |date: chrono::NaiveDate| match ty {
            Some(DataType::DateTime) => d.timestamp_literal(&format!("{date} 00:00:00")),
            _ => d.date_literal(date),
        };
        (literal(w.start), literal(w.end_exclusive()))
    }

    /// What the KPI's rows are read from, and the condition that keeps those in its windows
    /// (none for a snapshot): the source joined with the windows when they overlap.
    fn rows_in_windows(
        &self,
        columns: &[(String, Option<DataType>)],
        overlap: bool,
    ) -> (String, Option<String>) {
        let Some(time) = self.plan.time else {
            return (self.src.clone(), None);
        };
        let (t, ty) = &columns[time];
        if !overlap {
            return (self.src.clone(), Some(self.in_windows(t, *ty)));
        }
        let from = format!(
            "{} CROSS JOIN {} AS {WINDOWS}",
            self.src,
            self.window_list(*ty)
        );
        let condition = format!("{t} >= {WINDOWS}.{WINDOW_START} AND {t} < {WINDOWS}.{WINDOW_END}");
        (from, Some(condition))
    }

    fn in_windows(&self, t: &str, ty: Option<DataType>) -> String {
        let ranges: Vec<String> = self
            .periods
            .computed
            .iter()
            .map(|w| {
                let (start, end) = self.bounds(w, ty);
                format!("({t} >= {start} AND {t} < {end})")
            })
            .collect();
        format!("({})", ranges.join(" OR "))
    }

    /// Whether a day falls in two computed windows (sorted by start).
    fn windows_overlap(&self) -> bool {
        let computed = &self.periods.computed;
        (1..computed.len()).any(|i| computed[..i].iter().any(|w| computed[i].start <= w.end))
    }

    /// The computed windows as a derived table (label, start, end exclusive) to join rows with:
    /// a UNION ALL of one-row SELECTs, which every dialect runs (VALUES lists differ).
    fn window_list(&self, ty: Option<DataType>) -> String {
        let rows: Vec<String> = self
            .periods
            .computed
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let (start, end) = self.bounds(w, ty);
                let label = self.d.string(&w.label);
                match i {
                    0 => format!(
                        "SELECT {label} AS {WINDOW_LABEL}, {start} AS {WINDOW_START}, {end} AS {WINDOW_END}"
                    ),
                    _ => format!("SELECT {label}, {start}, {end}"),
                }
            })
            .collect();
        format!("({})", rows.join(" UNION ALL "))
    }

    /// The window each computed window is compared with (for retention: its `base`), as a CASE.
    fn previous_label(&self, period: &str) -> String {
        let d = self.d;
        let pairs: Vec<String> = self
            .periods
            .computed
            .iter()
            .filter_map(|w| {
                let base = w.base.as_ref()?;
                Some(format!(
                    " WHEN {} THEN {}",
                    d.string(&w.label),
                    d.string(base)
                ))
            })
            .collect();
        if pairs.is_empty() {
            return "NULL".into();
        }
        format!("CASE {period}{} END", pairs.concat())
    }

    fn reported_list(&self) -> String {
        let labels: Vec<String> = self
            .periods
            .reported
            .iter()
            .map(|l| self.d.string(l))
            .collect();
        labels.join(", ")
    }

    fn breakdown(&mut self, b: usize) -> Result<(), Refusal> {
        let d = self.d;
        let breakdown: &Breakdown = &self.plan.breakdowns[b];
        let dims: Vec<String> = breakdown.slots.iter().map(|s| format!("d{s}")).collect();
        let grouped = format!("{}_g{b}", self.name);
        let mut select = vec!["r.period AS period".to_string()];
        select.extend(dims.iter().map(|x| format!("r.{x} AS {x}")));
        select.push("COUNT(r.period) AS n_rows".into());
        for (i, agg) in self.aggregates.iter().enumerate() {
            for (suffix, sql) in agg.grouped(d, i) {
                select.push(format!("{sql} AS a{i}{suffix}"));
            }
        }
        let rows = self.rows_with_windows(&dims);
        let from = if b == 0 {
            // Every reported period has an overall row, even with no rows: a count is 0.
            let periods: Vec<String> = self
                .periods
                .reported
                .iter()
                .map(|l| format!("SELECT {} AS period", d.string(l)))
                .collect();
            select[0] = "p.period AS period".into();
            format!(
                "({}) AS p\n    LEFT JOIN {rows} AS r ON r.period = p.period\n  GROUP BY p.period",
                periods.join(" UNION ALL "),
            )
        } else {
            let mut group = vec!["r.period".to_string()];
            group.extend(dims.iter().map(|x| format!("r.{x}")));
            format!(
                "{rows} AS r\n  WHERE r.period IN ({})\n  GROUP BY {}",
                self.reported_list(),
                group.join(", ")
            )
        };
        self.ctes.push(format!(
            "{grouped} AS (\n  SELECT {}\n  FROM {from}\n)",
            select.join(", ")
        ));
        self.result_select(b, &grouped, &dims)
    }

    /// The KPI's rows for a breakdown's grouping, with the analytic columns an aggregate needs
    /// over the partition of its period and group (BigQuery's percentiles), else its CTE.
    fn rows_with_windows(&self, dims: &[String]) -> String {
        let mut partition = vec!["period".to_string()];
        partition.extend(dims.iter().cloned());
        let partition = partition.join(", ");
        let windows: Vec<String> = self
            .aggregates
            .iter()
            .enumerate()
            .filter_map(|(i, agg)| agg.window(self.d, i, &partition))
            .collect();
        if windows.is_empty() {
            return self.name.clone();
        }
        format!("(SELECT *, {} FROM {})", windows.join(", "), self.name)
    }

    fn result_select(&mut self, b: usize, grouped: &str, dims: &[String]) -> Result<(), Refusal> {
        let d = self.d;
        let mut joins = String::new();
        let mut inputs = Vec::new();
        for (i, agg) in self.aggregates.iter().enumerate() {
            if agg.is_retention() {
                let (cte, value) = self.retention(b, i, dims);
                self.ctes.extend(cte);
                joins += &value.0;
                inputs.push((value.1, Some(DataType::Number)));
            } else {
                inputs.push((format!("g.a{i}"), agg.result_type));
            }
        }
        let outer = Writer {
            dialect: d,
            inputs: &inputs,
        };
        let value = d.to_double(&outer.sql(&self.plan.formula.outer)?);
        let label = dimensions_label(d, &self.plan.breakdowns[b], dims);
        let parts = aggregates::parts_json(d, &self.aggregates, &inputs);
        self.selects.push(format!(
            "SELECT {} AS kpi, g.period AS period, {label} AS dimensions, {value} AS value, g.n_rows AS {}, {parts} AS parts\n  FROM {grouped} AS g{joins}",
            d.string(&self.plan.id),
            d.ident("rows"),
        ));
        Ok(())
    }

    /// retention(x): per group, the share of the distinct values of the period before that are
    /// seen again. Returns the CTEs, and the joins and value expression for the result select.
    fn retention(&self, b: usize, i: usize, dims: &[String]) -> (Vec<String>, (String, String)) {
        let base = format!("{}_g{b}_v{i}", self.name);
        let dim_list: String = dims.iter().map(|x| format!(", {x}")).collect();
        let same = |l: &str, r: &str| -> String {
            dims.iter()
                .map(|x| format!(" AND {l}.{x} = {r}.{x}"))
                .collect()
        };
        let values = format!(
            "{base} AS (\n  SELECT DISTINCT period{dim_list}, x{i} AS v FROM {} WHERE x{i} IS NOT NULL\n)",
            self.name
        );
        let counts = format!(
            "{base}_of AS (\n  SELECT period{dim_list}, COUNT(*) AS n FROM {base} GROUP BY period{dim_list}\n)"
        );
        let c_dims: String = dims.iter().map(|x| format!(", c.{x}")).collect();
        let kept = format!(
            "{base}_kept AS (\n  SELECT c.period AS period{c_dims}, COUNT(*) AS n\n  FROM {base} AS c JOIN {base} AS b ON b.v = c.v AND b.period = {}{}\n  GROUP BY c.period{c_dims}\n)",
            self.previous_label("c.period"),
            same("b", "c")
        );
        let joins = format!(
            "\n    LEFT JOIN {base}_of AS of{i} ON of{i}.period = {}{}\n    LEFT JOIN {base}_kept AS kept{i} ON kept{i}.period = g.period{}",
            self.previous_label("g.period"),
            same(&format!("of{i}"), "g"),
            same(&format!("kept{i}"), "g"),
        );
        let value = format!(
            "CASE WHEN of{i}.n > 0 THEN {} / of{i}.n END",
            self.d.to_double(&format!("COALESCE(kept{i}.n, 0)"))
        );
        (vec![values, counts, kept], (joins, value))
    }
}

/// `region=EMEA;channel=Web` from the group's labels; '' for the overall value.
fn dimensions_label(d: Dialect, breakdown: &Breakdown, dims: &[String]) -> String {
    if dims.is_empty() {
        return d.string("");
    }
    let parts: Vec<String> = breakdown
        .names
        .iter()
        .zip(dims)
        .enumerate()
        .map(|(k, (name, x))| {
            let sep = if k == 0 { "" } else { ";" };
            format!("{} || g.{x}", d.string(&format!("{sep}{name}=")))
        })
        .collect();
    format!("({})", parts.join(" || "))
}
