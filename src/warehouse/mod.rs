//! `kpi sql`: the selected KPIs compiled into one SQL query for a warehouse (DuckDB, PostgreSQL,
//! BigQuery, Snowflake, Spark), which returns the rows `kpi run --results` reads.
//!
//! Pure: it takes the planned sources (schemas, bound formulas, periods) and returns text. The
//! query computes what a pass over the sources computes, rule for rule; what a dialect cannot
//! say faithfully is refused with the feature named, never written approximately.

mod aggregates;
mod dates;
mod dialect;
mod expr;
mod lookups;
mod numbers;
mod query;
mod read;
mod rollup;

pub use dialect::Dialect;
pub use lookups::lookup_source_rows;
pub use query::query;
pub use read::{lookup_cte, source_rows};
pub use rollup::rollup_rows;

use crate::engine::plan::SourcePlan;
use crate::ingest::schema::Schema;
use crate::value::DataType;
use chrono::NaiveDate;

/// The words kpi reads as booleans (`ingest::parse::parse_bool`), lower case, as SQL lists.
const TRUE_WORDS: &str = "'true', 't', 'yes', 'y', '1', 'oui', 'vrai'";
const FALSE_WORDS: &str = "'false', 'f', 'no', 'n', '0', 'non', 'faux'";

/// What a dialect cannot express as kpi computes it.
pub type Refusal = String;

/// One source of the query: how to read it, and its KPIs bound to its columns.
pub struct SourceQuery<'a> {
    pub schema: &'a Schema,
    /// The warehouse table (`table` in the configuration), else the CSV files (DuckDB only).
    pub table: Option<&'a str>,
    pub plan: &'a SourcePlan,
    /// Per KPI of the plan, in its order.
    pub periods: Vec<KpiPeriods>,
}

/// The periods a KPI's rows are placed in.
#[derive(Debug, Clone)]
pub struct KpiPeriods {
    /// Oldest first (by start, then end): the reported window, each baseline's, and the bases
    /// of `retention` if needed. Windows may overlap (`window = "3 months"`, `to_date`), but
    /// each has its own label. Empty for a snapshot KPI.
    pub computed: Vec<PeriodRange>,
    /// The labels of the result rows, oldest first: every baseline's period and the reported
    /// one (only the reported one for a snapshot).
    pub reported: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct PeriodRange {
    pub label: String,
    pub start: NaiveDate,
    /// Inclusive.
    pub end: NaiveDate,
    /// The label of the window `retention` compares this one with, if computed.
    pub base: Option<String>,
}

impl PeriodRange {
    pub fn end_exclusive(&self) -> NaiveDate {
        self.end.succ_opt().unwrap_or(self.end)
    }
}

/// Words that cannot name a column unquoted in one of the dialects.
const RESERVED: [&str; 46] = [
    "all", "and", "any", "array", "as", "asc", "between", "by", "case", "cast", "create", "cross",
    "current", "date", "default", "desc", "distinct", "else", "end", "exists", "false", "from",
    "full", "group", "having", "in", "inner", "interval", "is", "join", "like", "limit", "not",
    "null", "on", "or", "order", "rows", "select", "table", "then", "true", "union", "when",
    "where", "with",
];

/// A source column in the query. In a warehouse table a plain lower-case name stays unquoted,
/// so that each engine folds it as it folds the table's own names (Snowflake to upper case,
/// hence an upper-case quoted name for a reserved word there); other names are quoted exactly.
pub fn column(d: Dialect, name: &str, in_table: bool) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .enumerate()
            .all(|(i, c)| c == '_' || c.is_ascii_lowercase() || (i > 0 && c.is_ascii_digit()));
    if !(in_table && plain) {
        return d.ident(name);
    }
    match (RESERVED.contains(&name), d) {
        (false, _) => name.to_string(),
        (true, Dialect::Snowflake) => d.ident(&name.to_uppercase()),
        (true, _) => d.ident(name),
    }
}

/// A dimension column's value as kpi labels its group: the text, `(empty)` for null or blank,
/// `true`/`false`, ISO dates, whole numbers without a decimal point.
pub fn label(d: Dialect, (sql, ty): &(String, Option<DataType>)) -> Result<String, Refusal> {
    let text = |x: &str| d.cast(x, d.text());
    let empty = d.string(crate::engine::pass::EMPTY_LABEL);
    Ok(match ty {
        None | Some(DataType::String) => format!("COALESCE(NULLIF({sql}, ''), {empty})"),
        Some(DataType::Bool) => {
            format!("CASE WHEN {sql} THEN 'true' WHEN NOT {sql} THEN 'false' ELSE {empty} END")
        }
        Some(DataType::Date) => format!("COALESCE({}, {empty})", text(sql)),
        Some(DataType::DateTime) if d == Dialect::Snowflake => {
            return Err(
                "a breakdown by a datetime column (Snowflake writes datetimes with milliseconds)"
                    .into(),
            )
        }
        Some(DataType::DateTime) => format!("COALESCE({}, {empty})", text(sql)),
        Some(DataType::Number) => {
            let int = if d == Dialect::BigQuery {
                "INT64"
            } else {
                "BIGINT"
            };
            format!(
                "COALESCE(CASE WHEN {sql} = FLOOR({sql}) AND ABS({sql}) < 1e15 THEN {} ELSE {} END, {empty})",
                text(&d.cast(sql, int)),
                text(sql)
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_columns_are_quoted_only_when_needed() {
        let cases = [
            (Dialect::Postgres, "closed_at", "closed_at"),
            (Dialect::Postgres, "Customer ID", "\"Customer ID\""),
            (Dialect::Postgres, "order", "\"order\""),
            (Dialect::Snowflake, "order", "\"ORDER\""),
            (Dialect::Snowflake, "amount", "amount"),
            (Dialect::BigQuery, "Customer ID", "`Customer ID`"),
            (Dialect::Spark, "2024", "`2024`"),
        ];
        for (d, name, want) in cases {
            assert_eq!(column(d, name, true), want, "{d} {name}");
        }
        // Columns kpi names itself (read from CSV in DuckDB) are always quoted.
        assert_eq!(column(Dialect::DuckDb, "closed_at", false), "\"closed_at\"");
    }

    #[test]
    fn strings_are_escaped_per_dialect() {
        assert_eq!(Dialect::Postgres.string("it's \\d"), "'it''s \\d'");
        assert_eq!(Dialect::BigQuery.string("it's \\d"), "'it\\'s \\\\d'");
    }
}
