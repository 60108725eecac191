//! The `kpi` binary: parse the command line, run, print an error once, exit with its code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = kpi::cli::Cli::parse();
    kpi::interrupt::install();
    match kpi::commands::dispatch(&cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => {
            kpi::error::report(&err);
            err.exit_code()
        }
    }
}
