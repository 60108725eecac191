//! The result model shared by the engine, the archive and the renderers: what a run produced.
//!
//! Renderers are pure functions over [`RunReport`]; they never compute, read files or look at
//! the clock.

pub use crate::dimensions::{dimension_pairs, dimensions_label};
use crate::engine::targets::Standing;
pub use crate::measure::{Direction, Target, Unit};
use crate::value::Value;
use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Warn,
    Fail,
    NoData,
    /// The data does not reach the period (it stops before it or starts after it), or the
    /// source's newest date is older than its `fresh_within`: the value cannot be trusted.
    Stale,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::NoData => "no_data",
            Status::Stale => "stale",
        }
    }

    /// Whether `kpi check` counts it as a failure: a breach of `fail`, or a figure the data
    /// cannot stand for (a value computed from data that stops too early is as wrong as a fail).
    pub fn fails(self) -> bool {
        matches!(self, Status::Fail | Status::Stale)
    }
}

/// One computed value: a KPI, for one period, overall (`dimensions` empty) or for one breakdown.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiResult {
    pub kpi: String,
    pub name: String,
    pub unit: Unit,
    pub direction: Direction,
    pub period: String,
    pub period_start: NaiveDate,
    /// The last day computed: the period's end, or the as-of date for a period to date.
    pub period_end: NaiveDate,
    /// Whether the value stands for its period as of `period_end` only: a period to date, or a
    /// snapshot (the state of the source that day).
    pub to_date: bool,
    /// (dimension, value) pairs in the order of the breakdown (`region+channel`).
    pub dimensions: Vec<(String, String)>,
    pub value: Option<f64>,
    pub previous_period: Option<String>,
    pub previous_value: Option<f64>,
    pub delta: Option<f64>,
    pub delta_pct: Option<f64>,
    pub status: Status,
    /// False when the previous value was recorded under another definition; None without one.
    pub comparable: Option<bool>,
    /// Rows that fed this value (after filters, inside the period).
    pub rows: u64,
    /// Recent archived values, oldest first, ending with this one (for sparklines).
    pub history: Vec<Option<f64>>,
    /// The period label of each value of `history` (`2026-10`), for the axis of a trend chart;
    /// empty where not known.
    pub history_periods: Vec<String>,
    /// The parts the value was made of, kept in the archive: each aggregate by its text
    /// (`count(*)`, `avg(amount) n`), or each KPI a derived one uses by its id.
    pub parts: Vec<(String, Value<'static>)>,
    /// A fingerprint of the data the value came from (for a derived KPI, those of its inputs
    /// joined by `+`); empty when not computed from data.
    pub source_fingerprint: String,
    /// Why the status is warn, fail or stale: the condition that fired (`value < 0.05`), the
    /// move beyond `alert_change`, or why the data does not stand for the period.
    pub breach: Option<String>,
    /// Whether the move from the previous value is beyond noise (None: no test for this
    /// formula's shape, or no previous value).
    pub significant: Option<bool>,
    /// Fewer rows than `settings.min_sample` fed the value.
    pub low_sample: bool,
    /// The result's target: a fixed one for the overall value, or its row of a target file.
    pub target: Option<Target>,
    pub standing: Standing,
    /// The value beside each baseline of the KPI, in its order; the first one is also in
    /// `previous_period`, `previous_value`, `delta`, `delta_pct`, `comparable`, `significant`.
    pub comparisons: Vec<Comparison>,
    /// Where the group stands under `top = N`.
    pub rank: Rank,
}

/// Where a breakdown group stands under `top = N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rank {
    /// No `top` (or the overall value): shown as computed.
    #[default]
    All,
    /// Kept, the n-th best (from 1).
    Top(u32),
    /// The `(other)` group: every group not kept, merged.
    Other,
    /// Not kept: counted in `(other)`, neither shown nor recorded.
    Hidden,
}

/// A value beside one baseline (`year_ago`): that period's value and the move from it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Comparison {
    /// As written in `compare`: `previous`, `year_ago`, `4_periods_ago`.
    pub baseline: String,
    /// The baseline period's label.
    pub period: String,
    pub value: Option<f64>,
    pub delta: Option<f64>,
    pub delta_pct: Option<f64>,
    /// False when the baseline value was recorded under another definition; None without one.
    pub comparable: Option<bool>,
    /// Whether the move is beyond noise (None: no test for the formula, or no value).
    pub significant: Option<bool>,
}

/// The move from `before` to `value`: the difference, and its share of `before` (none from 0).
pub fn delta_of(value: Option<f64>, before: Option<f64>) -> (Option<f64>, Option<f64>) {
    match (value, before) {
        (Some(v), Some(p)) => {
            let delta = v - p;
            let pct = (p != 0.0).then(|| delta / p.abs());
            (Some(delta), pct)
        }
        _ => (None, None),
    }
}

impl KpiResult {
    /// Fills `delta` and `delta_pct` from `value` and `previous_value`.
    pub fn compute_delta(&mut self) {
        (self.delta, self.delta_pct) = delta_of(self.value, self.previous_value);
        for c in &mut self.comparisons {
            (c.delta, c.delta_pct) = delta_of(self.value, c.value);
        }
    }

    /// The comparison with this baseline (by name), if the result has one.
    pub fn comparison(&self, baseline: &str) -> Option<&Comparison> {
        self.comparisons.iter().find(|c| c.baseline == baseline)
    }

    /// `region=EMEA;channel=Web`, as in the CSV output and the archive.
    pub fn dimensions_label(&self) -> String {
        dimensions_label(&self.dimensions)
    }
}

/// Everything a run hands to a renderer.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    pub as_of: NaiveDate,
    pub results: Vec<KpiResult>,
    /// The `[[report]]` chosen with `--report`, for the headers of Markdown and HTML output.
    pub report: Option<ReportInfo>,
    /// When the run happened (RFC 3339), chosen by the command layer; empty in tests.
    pub generated_at: String,
    /// Owner, action and description of each KPI shown, by id (for Markdown and HTML).
    pub kpis: Vec<KpiInfo>,
}

/// The title and audience of a `[[report]]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportInfo {
    pub id: String,
    pub title: String,
    pub audience: Option<String>,
    pub description: Option<String>,
    /// How often it is read: `day`, `week`, `month`, `quarter`, `year`.
    pub frequency: Option<String>,
}

/// What a reader needs to act on a KPI besides its value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KpiInfo {
    pub id: String,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub action: Option<String>,
    /// The `warn` and `fail` conditions as written, and the `alert_change` that applies to it
    /// (None for `direction = "none"`), to say why a breakdown bar is coloured.
    pub warn: Option<String>,
    pub fail: Option<String>,
    pub alert_change: Option<f64>,
}

impl RunReport {
    /// A report with results only (no `[[report]]`, no run time, no KPI details).
    pub fn of(as_of: NaiveDate, results: Vec<KpiResult>) -> RunReport {
        RunReport {
            as_of,
            results,
            report: None,
            generated_at: String::new(),
            kpis: vec![],
        }
    }

    /// The details of a KPI shown.
    pub fn info(&self, kpi: &str) -> Option<&KpiInfo> {
        self.kpis.iter().find(|k| k.id == kpi)
    }
}
