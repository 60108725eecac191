//! `kpi init CSV...`: a starter kpis.toml from CSV exports.

use crate::cli::InitArgs;
use crate::error::{usage, Error, Outcome};

pub fn init(args: &InitArgs) -> Result<Outcome, Error> {
    let _ = args;
    Err(usage("kpi init: not implemented yet"))
}
