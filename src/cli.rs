//! The command line (clap derive). Doc comments are the `--help` text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0    success (warnings may have been printed)
  1    check found a KPI at fail level or stale; diff found a difference
  2    usage error (the command line itself: a flag, --as-of, --period)
  3    configuration error: TOML, unknown key, column or KPI, bad formula, bad period setting
  4    data error: a source missing or unreadable, malformed CSV, invalid values above
       settings.max_invalid (any under --strict), lookup keys below min_match
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

    /// Colour in tables: auto (a terminal without NO_COLOR), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// The most characters a table line may take [default: the terminal's width, else $COLUMNS,
    /// else no limit]; 0 is no limit. The trend, then the previous value, are left out first.
    #[arg(long, global = true, value_name = "N")]
    pub width: Option<usize>,

    /// No progress bars (they only ever appear when stderr is a terminal).
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Threads that read the data [default: $KPI_THREADS, else every core]. Results are the same
    /// whatever the number.
    #[arg(long, global = true, value_name = "N", env = "KPI_THREADS", hide_env = true,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute KPIs for a period, compare with the previous one, record them in the archive.
    #[command(
        after_help = "Examples:\n  kpi run --report direction-monthly            last complete period, as a table\n  kpi run --period current --kpi win_rate --by region\n  kpi run --format html -o report.html --report sales-monthly\n\n"
    )]
    Run(RunArgs),
    /// Run, then judge each KPI by its warn and fail conditions; exit 1 on a fail.
    #[command(
        after_help = "Examples:\n  kpi check                                      exit 1 when a KPI is at fail level\n  kpi check --fail-on warn --format junit -o kpi-junit.xml\n\n"
    )]
    Check(CheckArgs),
    /// Show the archived values of a KPI over time, with deltas and a trend.
    #[command(
        after_help = "Examples:\n  kpi history win_rate --periods 6\n  kpi history win_rate --by region --format csv\n\n"
    )]
    History(HistoryArgs),
    /// Compute and record every complete past period the data covers, in one pass per source.
    #[command(
        after_help = "Examples:\n  kpi backfill --from 2025-01-01                 every complete period since January 2025\n  kpi backfill --from 2026-01-01 --to 2026-06-30 --kpi win_rate\n\n"
    )]
    Backfill(BackfillArgs),
    /// Compare two result files written by `run` (JSON or CSV); exit 1 when they differ.
    #[command(
        after_help = "Examples:\n  kpi diff expected.json actual.json\n  kpi diff expected.csv actual.json --tolerance 0.001\n\n"
    )]
    Diff(DiffArgs),
    /// Show how a KPI's value came about: rows at each step, each aggregate, the formula.
    #[command(
        after_help = "Examples:\n  kpi explain win_rate\n  kpi explain win_rate --period 2026-10 --by region\n\n"
    )]
    Explain(ExplainArgs),
    /// Document every KPI, source and report (Markdown or HTML).
    #[command(
        after_help = "Examples:\n  kpi catalog > CATALOG.md\n  kpi catalog --format html -o catalog.html\n\n"
    )]
    Catalog(CatalogArgs),
    /// Compile the selected KPIs into one SQL query for a warehouse (its result feeds run --results).
    #[command(
        after_help = "Examples:\n  kpi sql --dialect duckdb --as-of 2026-11-22 > kpis.sql      reads the CSV files directly\n  kpi sql --dialect postgres --kpi win_rate -o win_rate.sql   sources need `table`\n  kpi sql --dialect duckdb --rows opportunities              a source's rows as kpi reads them\n\n"
    )]
    Sql(SqlArgs),
    /// Write a starter kpis.toml from CSV exports: sources with their dialect, suggested KPIs.
    #[command(
        after_help = "Examples:\n  kpi init exports/opportunities.csv exports/tickets.csv\n  kpi init exports/*.csv --force\n\n"
    )]
    Init(InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(
        after_help = "Examples:\n  kpi completions bash > ~/.local/share/bash-completion/completions/kpi\n  kpi completions zsh > ~/.zfunc/_kpi\n\n"
    )]
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `kpi man > /usr/local/share/man/man1/kpi.1`.
    #[command(after_help = "Examples:\n  kpi man > /usr/local/share/man/man1/kpi.1\n\n")]
    Man,
    /// Check the configuration and the sources' headers without computing; list every error.
    #[command(
        after_help = "Examples:\n  kpi validate\n  kpi validate --strict -c ci/kpis.toml            lint warnings fail too\n\n"
    )]
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

    /// Compare with this baseline instead of the configured ones (repeatable).
    #[arg(long = "compare", value_name = "B")]
    pub compare: Vec<String>,

    /// Keep the N best groups of each breakdown, and one (other) group for the rest.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub top: Option<u32>,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The SQL engine the query is written for.
    #[arg(long, value_enum)]
    pub dialect: crate::warehouse::Dialect,

    /// The KPIs and period, as for `run` (a derived KPI brings the KPIs it is made of).
    #[command(flatten)]
    pub selection: Selection,

    /// Instead of the KPIs: a query giving this source's rows as kpi reads them (typed,
    /// deduplicated, with lookups), to load a warehouse table.
    #[arg(long, value_name = "SOURCE", conflicts_with_all = ["kpis", "report"])]
    pub rows: Option<String>,

    /// Write the query to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// Only the KPIs of this report.
    #[arg(long, value_name = "ID")]
    pub report: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CatalogFormat::Markdown)]
    pub format: CatalogFormat,

    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    Markdown,
    Html,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The CSV exports to describe.
    #[arg(value_name = "CSV", required = true)]
    pub files: Vec<PathBuf>,

    /// Replace an existing configuration file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Treat lint warnings (no owner, no target, …) as errors (exit 3), and allow no invalid
    /// value in the sample of the data (exit 4).
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

    /// Show this breakdown alone under the overall value (a dimension, or dimensions joined
    /// by +); without it the table shows the overall value, CSV and JSON every breakdown.
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

    /// Allow no invalid value and no ragged row (exit 4); without it, invalid values above
    /// settings.max_invalid (1 %) stop the run and fewer are warnings.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub selection: Selection,

    /// Output format.
    #[arg(long, value_enum, default_value_t = RunFormat::Table)]
    pub format: RunFormat,

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

    /// Allow no invalid value and no ragged row (exit 4); without it, invalid values above
    /// settings.max_invalid (1 %) stop the run and fewer are warnings.
    #[arg(long)]
    pub strict: bool,

    /// Take the source KPIs' values from FILE, the CSV a warehouse returned for the query of
    /// `kpi sql`, instead of reading the sources; the rest of the run is the same.
    #[arg(long, value_name = "FILE", conflicts_with = "by")]
    pub results: Option<PathBuf>,
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

    /// Compare with this baseline instead of the configured ones (repeatable): previous,
    /// year_ago, N_periods_ago.
    #[arg(long = "compare", value_name = "B")]
    pub compare: Vec<String>,

    /// Keep the N best groups of each breakdown (by the KPI's direction), and one (other)
    /// group computed over the rest.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub top: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Csv,
    Json,
}

/// `kpi run`'s formats: the machine ones, and Markdown and HTML for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    Table,
    Csv,
    Json,
    Markdown,
    Html,
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date: use YYYY-MM-DD, such as 2026-11-22"))
}
