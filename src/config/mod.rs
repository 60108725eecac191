//! Configuration: `kpis.toml` → a checked [`Config`].
//!
//! Parse, then resolve: `document.rs` reads the file item by item into the `raw.rs` mirror;
//! `resolve.rs`, `source.rs` and `kpi.rs` check every key and parse every formula; `order.rs` orders derived
//! KPIs. Every problem is collected, not only the first. Checks that need a source's header
//! (columns, types) happen when the engine plans a source (`engine::plan`), still before any
//! row is read.

mod baselines;
mod breakdowns;
mod document;
mod freshness;
mod kpi;
mod located;
mod order;
mod raw;
mod resolve;
mod rollup;
mod scale;
mod source;
mod target_file;

pub use freshness::{FreshWithin, DEFAULT_MAX_ROW_DROP};
pub use located::{Located, Origin};
pub use order::fnv1a;
pub use resolve::sort_by_place;
pub use source::spreadsheet_extension;
pub use target_file::TargetFile;

use crate::currency::Currency;
use crate::formula::Node;
pub use crate::measure::{Direction, Target, Unit};
use crate::period::{Baseline, Calendar, Extent, Frequency};
use crate::value::DataType;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// Where the configuration file is: `-c`, else `$KPI_CONFIG`, else `./kpis.toml`.
pub fn discover(flag: Option<&Path>, env: Option<&str>) -> PathBuf {
    match (flag, env) {
        (Some(path), _) => path.to_path_buf(),
        (None, Some(env)) if !env.is_empty() => PathBuf::from(env),
        _ => PathBuf::from("kpis.toml"),
    }
}

/// Reads and resolves a configuration file; any problem is an error that lists them all.
pub fn load(path: &Path) -> Result<Config> {
    let checked = check(path)?;
    if checked.problems.is_empty() {
        Ok(checked.config)
    } else {
        Err(Problems(checked.problems).into())
    }
}

/// Reads and resolves a configuration file as far as it goes (for `kpi validate`): the items
/// without a problem, and every problem found. Fails only when the file cannot be read.
pub fn check(path: &Path) -> Result<Checked> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration {}", path.display()))?;
    Ok(check_text(&text, path))
}

/// [`check`] of a configuration's text; `path` places messages and anchors relative paths.
pub fn check_text(text: &str, path: &Path) -> Checked {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    resolve::resolve(text, path, &dir)
}

/// A configuration resolved as far as it goes: the sources and KPIs with a problem, and what
/// depends on them, are left out; `problems` lists each once, with its place in the file.
#[derive(Debug)]
pub struct Checked {
    pub config: Config,
    pub problems: Vec<String>,
}

/// Every problem of a configuration, one a line, each naming its place in the file.
#[derive(Debug)]
pub struct Problems(pub Vec<String>);

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.as_slice() {
            [one] => f.write_str(one),
            all => {
                write!(f, "{} errors:", all.len())?;
                for problem in all {
                    // A message's own lines (a hint, a TOML excerpt) stay under their item.
                    write!(f, "\n  - {}", problem.replace('\n', "\n    "))?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Problems {}

#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub settings: Settings,
    pub sources: Vec<Source>,
    /// In dependency order: a derived KPI comes after the KPIs it uses.
    pub kpis: Vec<Kpi>,
    pub reports: Vec<Report>,
}

impl Config {
    pub fn kpi(&self, id: &str) -> Option<&Kpi> {
        self.kpis.iter().find(|k| k.id == id)
    }

    pub fn source(&self, name: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.name == name)
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub archive: PathBuf,
    pub frequency: Frequency,
    pub calendar: Calendar,
    pub alert_change: Option<f64>,
    /// The confidence level of significance tests (0.95 by default).
    pub confidence: f64,
    /// Whether `alert_change` warns on a move that is within noise.
    pub alert_on_noise: bool,
    /// Fewer rows than this flag a value as low-sample.
    pub min_sample: u64,
    /// Most groups one breakdown may have in a pass: a dimension with more values (an id
    /// column) stops the run instead of exhausting memory.
    pub max_groups: u64,
    /// Most entities a rollup may have: a `by` that differs on every row stops the run
    /// instead of exhausting memory.
    pub max_entities: u64,
    /// The share of a used column's non-empty values that may be invalid before a run stops
    /// (exit 4); `--strict` makes it 0.
    pub max_invalid: f64,
    /// The currency of `unit = "currency"` KPIs without their own (`settings.currency`).
    pub currency: Option<Currency>,
    /// The baselines of KPIs without their own `compare` (`["previous"]` unless set).
    pub compare: Vec<Baseline>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Windows1252,
    Latin1,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    /// Absolute (or config-relative) path or glob pattern.
    pub path: PathBuf,
    /// None: sniffed from the first lines.
    pub delimiter: Option<u8>,
    pub decimal: u8,
    pub encoding: Encoding,
    /// The sheet of a spreadsheet source; None: its first sheet.
    pub sheet: Option<String>,
    pub date_format: Option<String>,
    pub null_values: Vec<String>,
    pub key: Option<String>,
    pub filter: Option<Located>,
    /// Declared column types; other columns are inferred.
    pub columns: Vec<(String, DataType)>,
    pub table: Option<String>,
    pub lookups: Vec<Lookup>,
    /// The newest `time` value may be this old at most (else the source's KPIs are stale).
    pub fresh_within: Option<FreshWithin>,
    /// The share of the last run's rows a source may lose before a run warns.
    pub max_row_drop: f64,
    /// Columns computed from each row, by name (`computed = { … }`), in the file's order.
    pub computed: Vec<(String, Located)>,
    /// Set for a rollup source: its rows are built from another source's, not read from files
    /// (`path` is then empty).
    pub rollup: Option<Rollup>,
}

/// `rollup = "input"`: one row per distinct `by` among the input's rows, each column an
/// aggregate over that entity's rows.
#[derive(Debug, Clone)]
pub struct Rollup {
    /// The source it is built from.
    pub input: String,
    /// The entity key: one column or several, of the input.
    pub by: Vec<String>,
    /// Each column's aggregate formula, by name.
    pub columns: Vec<(String, Located)>,
}

impl Source {
    /// The sources this one reads rows from before its own pass: a rollup's input, and the
    /// sources its lookups come from. A lookup may lead back to this source (orders looking up
    /// a rollup of orders): the source is then read without that lookup to build it.
    pub fn depends_on(&self) -> Vec<&str> {
        let rollup = self.rollup.iter().map(|r| r.input.as_str());
        let lookups = self.lookups.iter().filter_map(|l| l.source.as_deref());
        rollup.chain(lookups).collect()
    }

    /// The source without its lookups from the sources being opened (`opening`: orders
    /// looking up a rollup of orders, read to build that rollup), nor the computed columns
    /// that read them: the rollup is built from the rest of the row.
    pub fn without_lookups_from(&self, opening: &[String]) -> Source {
        let mut source = self.clone();
        let mut cut: Vec<String> = Vec::new();
        source.lookups.retain(|l| {
            let loops = l.source.as_ref().is_some_and(|s| opening.contains(s));
            if loops {
                cut.extend(l.columns.iter().map(|c| c.to_lowercase()));
            }
            !loops
        });
        while let Some(i) = source.computed.iter().position(|(_, located)| {
            let names = crate::formula::identifiers(&located.expr);
            names.iter().any(|n| cut.contains(&n.to_lowercase()))
        }) {
            let (name, _) = source.computed.remove(i);
            cut.push(name.to_lowercase());
        }
        source
    }
}

#[derive(Debug, Clone)]
pub struct Lookup {
    pub name: String,
    /// The file; empty when the lookup comes from a `source`.
    pub path: PathBuf,
    /// Another source whose rows make the table (`source = "customers"`).
    pub source: Option<String>,
    pub on: String,
    pub columns: Vec<String>,
    pub delimiter: Option<u8>,
    pub encoding: Encoding,
    /// The sheet of a spreadsheet lookup; None: its first sheet.
    pub sheet: Option<String>,
    /// The share of source rows whose key must be found; below it the run stops (exit 4).
    /// None: any unmatched row is a warning.
    pub min_match: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Kpi {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub action: Option<String>,
    pub owner: Option<String>,
    /// None: a derived KPI, computed from `uses`.
    pub source: Option<String>,
    pub time: Option<String>,
    pub frequency: Frequency,
    pub formula: Located,
    pub filter: Option<Located>,
    /// Each breakdown is one or more columns (`region+channel`).
    pub dimensions: Vec<Vec<String>>,
    pub unit: Unit,
    pub direction: Direction,
    /// A fixed target, for the overall value only.
    pub target: Option<Target>,
    /// Targets per period (and breakdown) from `target = { file = … }`.
    pub target_file: Option<TargetFile>,
    pub warn: Option<Node>,
    pub fail: Option<Node>,
    /// What the value is compared with, first one first (it fills `previous_value`); never
    /// empty.
    pub compare: Vec<Baseline>,
    /// The baselines `warn` and `fail` name, in their slot order (see `ConditionScope`).
    pub condition_baselines: Vec<Baseline>,
    /// How far back from each period's end the value reaches (`window`, `to_date`).
    pub extent: Extent,
    /// Keep the N best groups of each breakdown, the rest merged into `(other)`.
    pub top: Option<usize>,
    /// The conditions as written, to say which one fired.
    pub warn_text: Option<String>,
    pub fail_text: Option<String>,
    /// KPI ids a derived formula refers to, in slot order.
    pub uses: Vec<String>,
    /// A derived KPI's compiled formula (over `uses`).
    pub derived: Option<Node>,
    /// Changes whenever anything that shapes the value changes (see `resolve::fingerprint`).
    pub fingerprint: String,
}

impl Kpi {
    /// The target of the result for `period` (a label) and `dimensions` (a breakdown label,
    /// "" for overall): a fixed target holds the overall value only; a file's row holds its
    /// period and breakdown, due at the period's end. None: nothing to reach.
    pub fn target_for(
        &self,
        period: &str,
        dimensions: &str,
        period_end: NaiveDate,
    ) -> Option<Target> {
        if let Some(file) = &self.target_file {
            return file.value(period, dimensions).map(|value| Target {
                value,
                by: Some(period_end),
            });
        }
        self.target.clone().filter(|_| dimensions.is_empty())
    }

    pub fn is_snapshot(&self) -> bool {
        self.source.is_some() && self.time.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    pub id: String,
    pub title: String,
    pub audience: Option<String>,
    pub description: Option<String>,
    pub kpis: Vec<String>,
    /// How often the report is read (documentation: headers and catalog).
    pub frequency: Option<Frequency>,
    /// The breakdowns the report shows (`region`, `region+channel`); None: each KPI's own.
    pub dimensions: Option<Vec<String>>,
}
