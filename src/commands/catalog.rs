//! `kpi catalog`: the generated documentation of the reporting system — every report, KPI and
//! source as configured, in Markdown or as an HTML page. The data files are not read.

use super::{emit, load_config};
use crate::cli::{CatalogArgs, CatalogFormat, Cli};
use crate::error::{usage, Error, Outcome};
use crate::report::catalog::{self, Format};

pub fn catalog(cli: &Cli, args: &CatalogArgs) -> Result<Outcome, Error> {
    let config = load_config(cli)?;
    let selected = catalog::select(&config, args.report.as_deref()).map_err(usage)?;
    let format = match args.format {
        CatalogFormat::Markdown => Format::Markdown,
        CatalogFormat::Html => Format::Html,
    };
    emit(&catalog::render(&selected, format), args.output.as_deref())?;
    Ok(Outcome::Success)
}
