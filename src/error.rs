//! The top-level error: what went wrong (a chain of messages) and which exit code it gets.
//! Printed once, by `main`, through [`report`].

use std::process::ExitCode;

/// The exit codes of SPEC.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Usage = 2,
    Config = 3,
    Data = 4,
    Archive = 5,
    Interrupted = 130,
}

#[derive(Debug)]
pub struct Error {
    pub kind: Kind,
    pub inner: anyhow::Error,
}

impl Error {
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.kind as u8)
    }
}

/// Tags any error with the exit code it deserves: `.kind(Kind::Data)?`.
pub trait ResultExt<T> {
    fn kind(self, kind: Kind) -> Result<T, Error>;
}

impl<T, E: Into<anyhow::Error>> ResultExt<T> for Result<T, E> {
    /// An interruption keeps its own code (130) whatever the step it stopped.
    fn kind(self, kind: Kind) -> Result<T, Error> {
        self.map_err(|e| {
            let inner: anyhow::Error = e.into();
            // Anywhere in the chain: waiting for the archive lock wraps it in an ArchiveError.
            let interrupted = inner
                .chain()
                .any(|cause| cause.is::<crate::interrupt::Interrupted>());
            Error {
                kind: if interrupted { Kind::Interrupted } else { kind },
                inner,
            }
        })
    }
}

pub fn usage(message: impl std::fmt::Display) -> Error {
    Error {
        kind: Kind::Usage,
        inner: anyhow::anyhow!("{message}"),
    }
}

/// Prints the error and its causes to stderr: the one place errors are printed.
pub fn report(err: &Error) {
    let mut chain = err.inner.chain();
    if let Some(top) = chain.next() {
        eprintln!("kpi: error: {top}");
    }
    for cause in chain {
        eprintln!("  caused by: {cause}");
    }
}

/// How a command ended without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// `check` found a failure, `diff` a difference: exit 1.
    Failed,
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Failed => ExitCode::from(1),
        }
    }
}
