//! The advisory lock that serialises recording runs: `<archive>/.lock`, held (flock) while a
//! run reads, merges and rewrites the files, so that two runs at once never lose each other's
//! values. The operating system drops the lock when its holder dies, even by SIGKILL: there is
//! never a stale lock to clean by hand.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::ArchiveError;

/// The name of the lock file in the archive's folder.
pub const LOCK_FILE: &str = ".lock";

/// How often a waiting run tries again.
const RETRY: Duration = Duration::from_millis(25);

/// Held until dropped.
#[derive(Debug)]
pub struct ArchiveLock {
    _file: File,
}

/// Takes the lock of the archive in `dir` (which must exist), waiting up to `timeout` for the
/// run that holds it. Ctrl-C stops the wait.
pub fn acquire(dir: &Path, timeout: Duration) -> Result<ArchiveLock, ArchiveError> {
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|error| ArchiveError::Write {
            path: path.clone(),
            error,
        })?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(ArchiveLock { _file: file }),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(error)) => return Err(ArchiveError::Write { path, error }),
        }
        if crate::interrupt::requested() {
            return Err(ArchiveError::Interrupted(crate::interrupt::Interrupted));
        }
        if started.elapsed() >= timeout {
            return Err(locked(path, timeout));
        }
        std::thread::sleep(RETRY);
    }
}

fn locked(path: PathBuf, timeout: Duration) -> ArchiveError {
    ArchiveError::Locked {
        path,
        waited: timeout.as_secs_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), Duration::ZERO).unwrap();
        let err = acquire(dir.path(), Duration::from_millis(60)).unwrap_err();
        assert!(matches!(err, ArchiveError::Locked { .. }), "{err}");
        drop(first);
        acquire(dir.path(), Duration::ZERO).unwrap();
    }
}
