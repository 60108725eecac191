//! One file per subcommand; this module dispatches and holds what they share: loading the
//! configuration, and writing the output (stdout, or a file replaced atomically).

mod backfill;
mod catalog;
mod check;
mod compute;
mod diff;
mod explain;
mod history;
mod init;
mod record;
mod run;
mod shell;
mod sql;
mod validate;

use crate::cli::{Cli, ColorChoice, Command};
use crate::config::{self, Config};
use crate::error::{Error, Kind, Outcome, ResultExt};
use std::io::Write;
use std::path::Path;

pub fn dispatch(cli: &Cli) -> Result<Outcome, Error> {
    let _ = COLOR.set(cli.color);
    let _ = WIDTH.set(cli.width);
    crate::progress::set_quiet(cli.quiet);
    let _ = THREADS.set(cli.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    ));
    match &cli.command {
        Command::Run(args) => run::run(cli, args),
        Command::Check(args) => check::check(cli, args),
        Command::History(args) => history::history(cli, args),
        Command::Backfill(args) => backfill::backfill(cli, args),
        Command::Diff(args) => diff::diff(args),
        Command::Explain(args) => explain::explain(cli, args),
        Command::Catalog(args) => catalog::catalog(cli, args),
        Command::Init(args) => init::init(args),
        Command::Sql(args) => sql::sql(cli, args),
        Command::Completions(args) => shell::completions(args),
        Command::Man => shell::man(),
        Command::Validate(args) => validate::validate(cli, args),
    }
}

/// `-c`, else `$KPI_CONFIG`, else `./kpis.toml`.
pub(crate) fn load_config(cli: &Cli) -> Result<Config, Error> {
    let env = std::env::var("KPI_CONFIG").ok();
    let path = config::discover(cli.config.as_deref(), env.as_deref());
    if !path.exists() {
        return Err(anyhow::anyhow!(
            "no configuration file at {}\n  hint: pass -c FILE, set KPI_CONFIG, or run `kpi` where kpis.toml is",
            path.display()
        ))
        .kind(Kind::Config);
    }
    config::load(&path)
        .map_err(|e| e.context(format!("invalid configuration {}", path.display())))
        .kind(Kind::Config)
}

/// Writes the result to stdout, or atomically to `-o FILE`. A closed pipe is not an error.
pub(crate) fn emit(text: &str, output: Option<&Path>) -> Result<(), Error> {
    if let Some(path) = output {
        return crate::output::write_atomic(path, text.as_bytes())
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
            .kind(Kind::Archive);
    }
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::anyhow!("cannot write to standard output: {e}")).kind(Kind::Archive)
        }
        _ => Ok(()),
    }
}

/// `--threads`: set once from the command line, read by the passes over data.
static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// How many threads read a source.
pub(crate) fn threads() -> usize {
    THREADS.get().copied().unwrap_or(1)
}

/// `--color`: set once from the command line, read by [`use_color`].
static COLOR: std::sync::OnceLock<ColorChoice> = std::sync::OnceLock::new();

/// Colour in tables: `--color always` or `never` decide; `auto` (the default) colours a
/// terminal only, and never when NO_COLOR is set. A file written with `-o` is never coloured
/// unless `always` says so.
pub(crate) fn use_color(output: Option<&Path>) -> bool {
    use std::io::IsTerminal;
    match COLOR.get().copied().unwrap_or(ColorChoice::Auto) {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            output.is_none()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// `--width`: set once from the command line, read by [`look`].
static WIDTH: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();

/// How a table looks: colour per [`use_color`], and its width per [`table_width`].
pub(crate) fn look(output: Option<&Path>) -> crate::report::Look {
    crate::report::Look {
        color: use_color(output),
        width: table_width(output),
    }
}

/// `--width N` decides (0 = no limit); else, for standard output, the terminal's width, else
/// `COLUMNS` when it is a positive integer; else no limit, so that piped output and files
/// stay the same whatever the terminal they were made in.
fn table_width(output: Option<&Path>) -> Option<usize> {
    if let Some(width) = WIDTH.get().copied().flatten() {
        return (width > 0).then_some(width);
    }
    if output.is_some() {
        return None;
    }
    // comfy-table asks the terminal (through crossterm) when stdout is one: no other crate.
    let terminal = comfy_table::Table::new().width().map(usize::from);
    terminal.filter(|w| *w > 0).or_else(|| {
        let columns = std::env::var("COLUMNS").ok()?;
        columns.trim().parse::<usize>().ok().filter(|w| *w > 0)
    })
}

/// A warning for a person reading stderr (or a cron mail).
pub(crate) fn warn(message: impl std::fmt::Display) {
    eprintln!("kpi: warning: {message}");
}
