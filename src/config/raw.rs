//! The serde mirror of `kpis.toml`: every key, nothing resolved. Unknown keys are refused
//! (`deny_unknown_fields`), and enumerated values are enums, so that the TOML parser itself
//! reports a typo with its line and column.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub settings: RawSettings,
    #[serde(default)]
    pub sources: BTreeMap<String, RawSource>,
    #[serde(default, rename = "kpi")]
    pub kpis: Vec<RawKpi>,
    #[serde(default, rename = "report")]
    pub reports: Vec<RawReport>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    pub archive: Option<String>,
    pub frequency: Option<RawFrequency>,
    pub week_start: Option<RawWeekStart>,
    pub fiscal_year_start: Option<Spanned<i64>>,
    pub alert_change: Option<f64>,
    pub confidence: Option<f64>,
    pub alert_on_noise: Option<bool>,
    pub min_sample: Option<i64>,
    pub max_groups: Option<i64>,
    pub max_entities: Option<i64>,
    pub max_invalid: Option<f64>,
    pub currency: Option<Spanned<String>>,
    /// The baselines of every KPI without its own `compare`.
    pub compare: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RawFrequency {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RawWeekStart {
    Monday,
    Sunday,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    /// The files; None for a rollup, whose rows are built from another source.
    pub path: Option<Spanned<String>>,
    pub delimiter: Option<Spanned<String>>,
    pub decimal: Option<Spanned<String>>,
    pub encoding: Option<RawEncoding>,
    pub sheet: Option<Spanned<String>>,
    pub date_format: Option<String>,
    pub null_values: Option<Vec<String>>,
    pub key: Option<String>,
    pub filter: Option<Spanned<String>>,
    /// Declared types (`amount = "number"`); for a rollup, each column's aggregate.
    pub columns: Option<BTreeMap<String, Spanned<String>>>,
    pub table: Option<String>,
    pub lookup: Option<BTreeMap<String, RawLookup>>,
    /// Columns computed from each row: `name = "expression"`.
    pub computed: Option<BTreeMap<String, Spanned<String>>>,
    /// The source a rollup is built from: one row per distinct `by` among its rows.
    pub rollup: Option<Spanned<String>>,
    /// A rollup's entity key: a column, or a list of columns.
    pub by: Option<Spanned<RawColumns>>,
    /// Where the source's table starts in the file (set by `document`, not a key).
    #[serde(skip)]
    pub place: usize,
    pub fresh_within: Option<Spanned<String>>,
    pub max_row_drop: Option<Spanned<f64>>,
}

/// One column name, or several.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawColumns {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum RawEncoding {
    #[serde(rename = "utf-8", alias = "utf8", alias = "UTF-8")]
    Utf8,
    #[serde(rename = "windows-1252", alias = "cp1252", alias = "Windows-1252")]
    Windows1252,
    #[serde(
        rename = "latin-1",
        alias = "latin1",
        alias = "iso-8859-1",
        alias = "ISO-8859-1"
    )]
    Latin1,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLookup {
    /// A file; exactly one of `path` and `source`.
    pub path: Option<Spanned<String>>,
    /// Another source of the configuration (a rollup, say), joined by `on`.
    pub source: Option<Spanned<String>>,
    pub on: Spanned<String>,
    pub columns: Vec<String>,
    pub delimiter: Option<Spanned<String>>,
    pub encoding: Option<RawEncoding>,
    pub sheet: Option<Spanned<String>>,
    pub min_match: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKpi {
    pub id: Spanned<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub action: Option<String>,
    pub owner: Option<String>,
    pub source: Option<Spanned<String>>,
    pub time: Option<Spanned<String>>,
    pub frequency: Option<RawFrequency>,
    pub formula: Spanned<String>,
    pub filter: Option<Spanned<String>>,
    #[serde(default)]
    pub dimensions: Vec<Spanned<String>>,
    pub unit: Option<RawUnit>,
    pub currency: Option<Spanned<String>>,
    pub direction: Option<RawDirection>,
    pub target: Option<Spanned<RawTarget>>,
    pub warn: Option<Spanned<String>>,
    pub fail: Option<Spanned<String>>,
    pub compare: Option<Spanned<Vec<String>>>,
    pub window: Option<Spanned<String>>,
    pub to_date: Option<Spanned<String>>,
    /// Keep the N best groups of each breakdown, and one `(other)` group for the rest.
    pub top: Option<Spanned<i64>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RawUnit {
    Number,
    Percent,
    Currency,
    Days,
    Hours,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RawDirection {
    Up,
    Down,
    None,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    /// A fixed target; exactly one of `value` and `file`.
    pub value: Option<Spanned<f64>>,
    /// Targets per period from a CSV file, relative to the configuration file.
    pub file: Option<Spanned<String>>,
    /// A date, written as a string ("2026-12-31") or as a TOML date (2026-12-31).
    pub by: Option<Spanned<RawDate>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawDate {
    Text(String),
    Toml(toml::value::Datetime),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReport {
    pub id: Spanned<String>,
    pub title: Option<String>,
    pub audience: Option<String>,
    pub description: Option<String>,
    pub kpis: Vec<Spanned<String>>,
    pub frequency: Option<RawFrequency>,
    pub dimensions: Option<Vec<String>>,
}
