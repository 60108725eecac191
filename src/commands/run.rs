//! `kpi run`: compute, record in the archive, print or write the result.

use super::compute::{compute, select, Inputs, Periods};
use super::record::{open_known, record};
use super::{emit, load_config, look};
use crate::cli::{Cli, Recording, RunArgs, RunFormat, Selection};
use crate::error::{Error, Kind, Outcome, ResultExt};
use crate::model::{Direction, KpiInfo, KpiResult, ReportInfo, RunReport};
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
        RunFormat::Table => Format::Table,
        RunFormat::Csv => Format::Csv,
        RunFormat::Json => Format::Json,
        RunFormat::Markdown => Format::Markdown,
        RunFormat::Html => Format::Html,
    };
    let text = report::render(&report, format, look(args.output.as_deref()));
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
    let mut config = load_config(cli)?;
    super::compute::override_compare(&mut config, &selection.compare)?;
    super::compute::override_top(&mut config, selection.top);
    if let Some(path) = output {
        check_output_folder(path)?;
    }
    let selected = select(&config, selection)?;
    let as_of = selection
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let opened = open_known(&config)?;
    let known = opened.known();
    let periods = Periods::Chosen {
        period: &selection.period,
        as_of,
    };
    let by = selection.by.as_deref();
    let inputs = match &recording.results {
        Some(path) => Inputs::Results(path),
        None => Inputs::Sources {
            by,
            strict: recording.strict,
        },
    };
    let computed = compute(&config, &selected, periods, inputs, &known)?;
    if !recording.no_archive {
        record(&config, &opened.archive, &computed)?;
    }
    let report = selection
        .report
        .as_ref()
        .and_then(|id| config.reports.iter().find(|r| &r.id == id));
    // A report that lists its breakdowns shows those alone (unless --by chose one).
    let shown_breakdowns = report
        .and_then(|r| r.dimensions.as_ref())
        .filter(|_| selection.by.is_none());
    let shown = |r: &KpiResult| {
        let breakdown = crate::archive::breakdown_of(&r.dimensions_label()).to_ascii_lowercase();
        r.dimensions.is_empty() || shown_breakdowns.is_none_or(|dims| dims.contains(&breakdown))
    };
    let results = selected
        .iter()
        .flat_map(|k| computed.results.iter().filter(|r| r.kpi == k.id).cloned())
        .filter(|r| shown(r))
        .collect();
    Ok(RunReport {
        as_of,
        results,
        report: report.map(|r| ReportInfo {
            id: r.id.clone(),
            title: r.title.clone(),
            audience: r.audience.clone(),
            description: r.description.clone(),
            frequency: r.frequency.map(|f| f.name().to_string()),
        }),
        generated_at: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        kpis: selected
            .iter()
            .map(|k| KpiInfo {
                id: k.id.clone(),
                description: k.description.clone(),
                owner: k.owner.clone(),
                action: k.action.clone(),
                warn: k.warn_text.clone(),
                fail: k.fail_text.clone(),
                alert_change: config
                    .settings
                    .alert_change
                    .filter(|_| k.direction != Direction::None),
            })
            .collect(),
    })
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
