//! Ctrl-C (and SIGTERM, as sent by `kill` or a job scheduler): the handler only raises a flag;
//! the long loops look at it and stop with [`Interrupted`], which `main` turns into exit 130.
//! Nothing is cut off halfway: the pass stops between rows, before anything is written, and
//! an archive update that has started is finished first (it takes milliseconds).

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// The run was interrupted; carried inside an `anyhow::Error` up to the exit code.
#[derive(Debug, thiserror::Error)]
#[error("interrupted; nothing was recorded or written after that point")]
pub struct Interrupted;

/// Installs the handler. Without it (a library user, a test) the flag never rises.
pub fn install() {
    // A second install (or a host that already handles signals) keeps the default behaviour,
    // which also leaves nothing half-written thanks to the atomic writes.
    let _ = ctrlc::set_handler(|| REQUESTED.store(true, Ordering::SeqCst));
}

/// Whether Ctrl-C was pressed.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

/// `Err(Interrupted)` once Ctrl-C was pressed.
pub fn check() -> Result<(), Interrupted> {
    if requested() {
        Err(Interrupted)
    } else {
        Ok(())
    }
}
