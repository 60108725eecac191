//! The command line (clap derive). Doc comments are the `--help` text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0    success (warnings may have been printed)
  1    check found a KPI at fail level; diff found a difference
  2    usage error (the command line itself)
  3    configuration error: TOML, unknown key, column or KPI, bad formula, bad period
  4    data error: a source missing or unreadable, malformed CSV, invalid values under --strict
  5    archive or output error: cannot write, archive unreadable or of an unknown layout
  130  interrupted (Ctrl-C)";

/// Computes key performance indicators from CRM exports (CSV), compares them with the previous
/// period and keeps their history.
#[derive(Debug, Parser)]
#[command(name = "kpi", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// The configuration file [default: $KPI_CONFIG, else ./kpis.toml]
    #[arg(short, long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute KPIs for a period, compare with the previous one, record them in the archive.
    Run(RunArgs),
    /// Run, then judge each KPI by its warn and fail conditions; exit 1 on a fail.
    Check(CheckArgs),
    /// Show the archived values of a KPI over time, with deltas and a trend.
    History(HistoryArgs),
    /// Compute and record every complete past period the data covers, in one pass per source.
    Backfill(BackfillArgs),
    /// Compare two result files written by `run` (JSON or CSV); exit 1 when they differ.
    Diff(DiffArgs),
    /// Show how a KPI's value came about: rows at each step, each aggregate, the formula.
    Explain(ExplainArgs),
    /// Check the configuration and the sources' headers without computing; list every error.
    Validate(ValidateArgs),
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The KPI's id.
    #[arg(value_name = "ID")]
    pub kpi: String,

    /// What "today" is, YYYY-MM-DD [default: today]
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<chrono::NaiveDate>,

    /// previous (the last complete period), current (to date), or a label such as 2026-10
    #[arg(long, value_name = "P", default_value = "previous")]
    pub period: String,

    /// Also show the parts of each group of this breakdown (a column, or columns joined by +).
    #[arg(long, value_name = "DIM")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Treat lint warnings (no owner, no target, …) as errors (exit 3).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The expected results (a file written by `kpi run --format json|csv`).
    #[arg(value_name = "EXPECTED")]
    pub expected: PathBuf,

    /// The actual results, to compare with the expected ones.
    #[arg(value_name = "ACTUAL")]
    pub actual: PathBuf,

    /// Largest relative difference taken as equal (0.001 = 0.1 %; 0 = exact)
    #[arg(
        long,
        value_name = "T",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub tolerance: f64,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The KPI's id.
    #[arg(value_name = "ID")]
    pub kpi: String,

    /// How many of the latest archived periods to show.
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..))]
    pub periods: u32,

    /// Show this breakdown too (a dimension, or dimensions joined by +), under the overall value.
    #[arg(long, value_name = "DIM")]
    pub by: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,

    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// The first day of the range: the period that contains it is the first one computed.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: chrono::NaiveDate,

    /// The last day of the range [default: the day before --as-of]
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<chrono::NaiveDate>,

    /// What "today" is: periods that end on or after it are not complete [default: today]
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<chrono::NaiveDate>,

    /// Only this KPI (repeatable), and what it needs.
    #[arg(long = "kpi", value_name = "ID")]
    pub kpis: Vec<String>,

    /// Treat invalid values and ragged rows as errors (exit 4) instead of warnings.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub selection: Selection,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,

    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub recording: Recording,
}

/// Whether values are recorded, and how strict reading is.
#[derive(Debug, Args)]
pub struct Recording {
    /// Do not record the values in the archive.
    #[arg(long)]
    pub no_archive: bool,

    /// Treat invalid values and ragged rows as errors (exit 4) instead of warnings.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub selection: Selection,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,

    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also exit 1 when a KPI is at warn level (and report warns as JUnit failures).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,

    #[command(flatten)]
    pub recording: Recording,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Table,
    Json,
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Warn,
}

/// Which KPIs, for which period, broken down how.
#[derive(Debug, Args)]
pub struct Selection {
    /// What "today" is, YYYY-MM-DD [default: today]
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<chrono::NaiveDate>,

    /// previous (the last complete period), current (to date), or a label such as 2026-10
    #[arg(long, value_name = "P", default_value = "previous")]
    pub period: String,

    /// Only this KPI (repeatable).
    #[arg(long = "kpi", value_name = "ID")]
    pub kpis: Vec<String>,

    /// Only the KPIs of this report.
    #[arg(long, value_name = "ID")]
    pub report: Option<String>,

    /// Break down by this dimension only (a column, or columns joined by +).
    #[arg(long, value_name = "DIM")]
    pub by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Csv,
    Json,
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date: use YYYY-MM-DD, such as 2026-11-22"))
}
