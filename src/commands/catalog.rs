//! `kpi catalog`: the generated documentation of the reporting system.

use crate::cli::{CatalogArgs, Cli};
use crate::error::{usage, Error, Outcome};

pub fn catalog(cli: &Cli, args: &CatalogArgs) -> Result<Outcome, Error> {
    let _ = (cli, args);
    Err(usage("kpi catalog: not implemented yet"))
}
