//! `kpi run`: compute, record in the archive, print or write the result.

use super::compute::{compute, select, Known, Periods};
use super::record::{load_known, open_archive, record};
use super::{emit, load_config, use_color};
use crate::cli::{Cli, OutputFormat, Recording, RunArgs, Selection};
use crate::error::{Error, Kind, Outcome, ResultExt};
use crate::model::RunReport;
use crate::report::{self, Format};
use std::path::Path;

pub fn run(cli: &Cli, args: &RunArgs) -> Result<Outcome, Error> {
    let report = compute_report(
        cli,
        &args.selection,
        &args.recording,
        args.output.as_deref(),
    )?;
    let format = match args.format {
        OutputFormat::Table => Format::Table,
        OutputFormat::Csv => Format::Csv,
        OutputFormat::Json => Format::Json,
    };
    let text = report::render(&report, format, use_color(args.output.as_deref()));
    emit(&text, args.output.as_deref())?;
    Ok(Outcome::Success)
}

/// What `run` and `check` share: compute the selection for its period, record it (unless
/// `--no-archive`), and return the selected KPIs' results in the order asked for.
pub(super) fn compute_report(
    cli: &Cli,
    selection: &Selection,
    recording: &Recording,
    output: Option<&Path>,
) -> Result<RunReport, Error> {
    let config = load_config(cli)?;
    if let Some(path) = output {
        check_output_folder(path)?;
    }
    let selected = select(&config, selection)?;
    let as_of = selection
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let archive = open_archive(&config)?;
    let (history, sources) = load_known(&config, &archive)?;
    let known = Known {
        history: &history,
        sources: &sources,
    };
    let periods = Periods::Chosen {
        period: &selection.period,
        as_of,
    };
    let by = selection.by.as_deref();
    let computed = compute(&config, &selected, periods, by, recording.strict, &known)?;
    if !recording.no_archive {
        record(&config, &archive, &computed)?;
    }
    let results = selected
        .iter()
        .flat_map(|k| computed.results.iter().filter(|r| r.kpi == k.id).cloned())
        .collect();
    Ok(RunReport { as_of, results })
}

/// Fails before any work when `-o` points into a folder that does not exist, so that a run
/// never records its values and then fails to deliver its report.
fn check_output_folder(path: &Path) -> Result<(), Error> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    match folder {
        Some(folder) if !folder.is_dir() => Err(anyhow::anyhow!(
            "cannot write {}: the folder {} does not exist",
            path.display(),
            folder.display()
        ))
        .kind(Kind::Archive),
        _ => Ok(()),
    }
}
