//! `kpi check`: does what `run` does, then gives a verdict a CI job or a scheduled job can act
//! on: exit 1 when a KPI is at fail level or stale (or at warn level with `--fail-on warn`).

use super::run::compute_report;
use super::{emit, look};
use crate::cli::{CheckArgs, CheckFormat, Cli, FailOn};
use crate::error::{Error, Outcome};
use crate::model::Status;
use crate::report::{self, Format};

pub fn check(cli: &Cli, args: &CheckArgs) -> Result<Outcome, Error> {
    let output = args.output.as_deref();
    let report = compute_report(cli, &args.selection, &args.recording, output)?;
    let warn_fails = args.fail_on == Some(FailOn::Warn);
    let text = match args.format {
        CheckFormat::Table => report::render_check(&report, look(output)),
        CheckFormat::Json => report::render(&report, Format::Json, report::Look::PLAIN),
        CheckFormat::Junit => report::junit::render(&report, warn_fails),
    };
    emit(&text, output)?;
    let failed = report
        .results
        .iter()
        .any(|r| r.status.fails() || (warn_fails && r.status == Status::Warn));
    Ok(if failed {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}
