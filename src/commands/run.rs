//! `kpi run`: compute, record in the archive, print or write the result.

use super::compute::{compute, select, Known, Periods};
use super::record::{load_known, open_archive, record};
use super::{emit, load_config, use_color};
use crate::cli::{Cli, OutputFormat, RunArgs};
use crate::error::{Error, Kind, Outcome, ResultExt};
use crate::model::RunReport;
use crate::report::{self, Format};

pub fn run(cli: &Cli, args: &RunArgs) -> Result<Outcome, Error> {
    let config = load_config(cli)?;
    if let Some(path) = &args.output {
        check_output_folder(path)?;
    }
    let selected = select(&config, &args.selection)?;
    let as_of = args
        .selection
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let archive = open_archive(&config)?;
    let (history, sources) = load_known(&config, &archive)?;
    let known = Known {
        history: &history,
        sources: &sources,
    };
    let periods = Periods::Chosen {
        period: &args.selection.period,
        as_of,
    };
    let by = args.selection.by.as_deref();
    let computed = compute(&config, &selected, periods, by, args.strict, &known)?;
    if !args.no_archive {
        record(&config, &archive, &computed)?;
    }
    let shown: Vec<_> = selected
        .iter()
        .flat_map(|k| computed.results.iter().filter(|r| r.kpi == k.id).cloned())
        .collect();
    let report = RunReport {
        as_of,
        results: shown,
    };
    let format = match args.format {
        OutputFormat::Table => Format::Table,
        OutputFormat::Csv => Format::Csv,
        OutputFormat::Json => Format::Json,
    };
    let text = report::render(&report, format, use_color(args.output.as_deref()));
    emit(&text, args.output.as_deref())?;
    Ok(Outcome::Success)
}

/// Fails before any work when `-o` points into a folder that does not exist, so that a run
/// never records its values and then fails to deliver its report.
fn check_output_folder(path: &std::path::Path) -> Result<(), Error> {
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
