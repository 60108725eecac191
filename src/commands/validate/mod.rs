//! `kpi validate`: everything that can be checked without computing — the configuration
//! (`config::check`), then the sources' files and headers against the formulas
//! (`sources.rs`), then a sample of each source's rows through the guards of a run
//! (`samples.rs`) — plus lint warnings (`lints.rs`, `ratios.rs`).
//!
//! Every configuration error is listed, one `kpi: error:` line each, before the verdict: a
//! person fixing a configuration wants the whole list at once, not one error per run. Each
//! exits 3, a missing source file included (a run says 4): the question asked is "does this
//! configuration fit these files?". The sample is read once the configuration is valid; data
//! it cannot trust exits 4, as the run would. Lint warnings follow once there is no error.

mod lints;
mod ratios;
mod samples;
mod sources;

use super::{emit, warn};
use crate::cli::{Cli, ValidateArgs};
use crate::config::{self, Config};
use crate::error::{Error, Kind, Outcome, ResultExt};
use anyhow::anyhow;
use std::path::{Path, PathBuf};

pub fn validate(cli: &Cli, args: &ValidateArgs) -> Result<Outcome, Error> {
    let path = config_path(cli)?;
    let checked = config::check(&path).kind(Kind::Config)?;
    let mut errors = checked.problems;
    let (problems, schemas) = sources::check(&checked.config);
    errors.extend(problems);
    config::sort_by_place(&mut errors, &path);
    for error in &errors {
        eprintln!("kpi: error: {error}");
    }
    if !errors.is_empty() {
        // Lints wait for a valid configuration: polish after repair, and a list of errors
        // is not lost among warnings.
        return Err(anyhow!(
            "{} is not valid: {} (lint warnings are checked once it is)",
            path.display(),
            count(errors.len(), "error"),
        ))
        .kind(Kind::Config);
    }
    samples::check(&checked.config, &schemas, args.strict)?;
    let lints = lints::lints(&checked.config);
    lints.iter().for_each(warn);
    if args.strict && !lints.is_empty() {
        return Err(anyhow!(
            "{} is not valid under --strict: {}",
            path.display(),
            count(lints.len(), "lint warning")
        ))
        .kind(Kind::Config);
    }
    emit(&summary(&path, &checked.config, lints.len()), None)?;
    Ok(Outcome::Success)
}

/// `-c`, else `$KPI_CONFIG`, else `./kpis.toml`, which must exist.
fn config_path(cli: &Cli) -> Result<PathBuf, Error> {
    let env = std::env::var("KPI_CONFIG").ok();
    let path = config::discover(cli.config.as_deref(), env.as_deref());
    if !path.exists() {
        return Err(anyhow!(
            "no configuration file at {}\n  hint: pass -c FILE, set KPI_CONFIG, or run `kpi` where kpis.toml is",
            path.display()
        ))
        .kind(Kind::Config);
    }
    Ok(path)
}

/// "kpis.toml: 18 KPIs, 5 reports, 8 sources: valid (3 lint warnings)".
fn summary(path: &Path, config: &Config, lints: usize) -> String {
    let warnings = match lints {
        0 => String::new(),
        n => format!(" ({})", count(n, "lint warning")),
    };
    format!(
        "{}: {}, {}, {}: valid{warnings}\n",
        path.display(),
        count(config.kpis.len(), "KPI"),
        count(config.reports.len(), "report"),
        count(config.sources.len(), "source"),
    )
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
