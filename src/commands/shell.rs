//! `kpi completions SHELL` and `kpi man`: generated from the command line's definition, so they
//! never drift from it.

use super::emit;
use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Error, Kind, Outcome, ResultExt};
use clap::CommandFactory;

/// Prints the completion script: `kpi completions bash > ~/.local/share/bash-completion/completions/kpi`.
pub fn completions(args: &CompletionsArgs) -> Result<Outcome, Error> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "kpi", &mut script);
    emit(&String::from_utf8_lossy(&script), None)?;
    Ok(Outcome::Success)
}

/// Prints the man page (roff): `kpi man > /usr/local/share/man/man1/kpi.1`.
pub fn man() -> Result<Outcome, Error> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| anyhow::anyhow!("cannot render the man page: {e}"))
        .kind(Kind::Archive)?;
    emit(&String::from_utf8_lossy(&page), None)?;
    Ok(Outcome::Success)
}
