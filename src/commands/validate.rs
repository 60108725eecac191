//! `kpi validate`: everything that can be checked without computing.

use crate::cli::{Cli, ValidateArgs};
use crate::error::{Error, Outcome};

pub fn validate(cli: &Cli, args: &ValidateArgs) -> Result<Outcome, Error> {
    let _ = (cli, args.strict);
    Err(crate::error::usage("kpi validate: not implemented yet"))
}
