//! Writes an output file whole or not at all.
//!
//! The bytes go to a temporary file in the target's folder, reach the disk, then the temporary
//! file is renamed over the target: a killed job never leaves half a report. Deciding where
//! output goes (stdout or `-o FILE`) is the command layer's job.

use std::io::{self, Write};
use std::path::Path;

use tempfile::NamedTempFile;

/// How temporary files start: a run killed while writing may leave one, which the archive
/// removes under its lock.
pub const TEMP_PREFIX: &str = ".kpi-tmp-";

/// Replaces `path` with `bytes` atomically: readers see the old file or the new one, never a
/// mix. The folder must exist. On error the target is untouched and no temporary file is left.
///
/// Only a regular file is replaced: a device or a pipe (`-o /dev/null`, `-o /dev/stdout`, a
/// FIFO) is written to as it is — renaming over it would destroy the device — and a symbolic
/// link has the file it points to replaced, not the link.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => std::fs::OpenOptions::new()
            .write(true)
            .open(path)?
            .write_all(bytes),
        Ok(_) => replace(&std::fs::canonicalize(path)?, bytes),
        Err(_) => replace(path, bytes),
    }
}

fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = temp_file_beside(path)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|err| err.error)?;
    Ok(())
}

/// A temporary file in the folder of `path`, so that the final rename stays on one filesystem.
fn temp_file_beside(path: &Path) -> io::Result<NamedTempFile> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A temporary file is private (0600) by default; the report or archive file it becomes
        // should be readable like any file the user creates (0666 less the umask).
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_to_never_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let null = Path::new("/dev/null");
        write_atomic(null, b"discarded\n").unwrap();
        let meta = std::fs::metadata(null).unwrap();
        assert!(
            meta.file_type().is_char_device(),
            "/dev/null must stay a device"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_keeps_pointing_at_the_replaced_file() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        let link = dir.path().join("link.csv");
        std::fs::write(&real, b"old\n").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new\n").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new\n");
    }

    #[test]
    fn writes_and_replaces_leaving_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.csv");
        write_atomic(&path, b"first\n").unwrap();
        write_atomic(&path, b"second\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second\n");
        assert_eq!(entries(dir.path()), ["report.csv"]);
    }

    #[test]
    fn missing_folder_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-dir").join("report.csv");
        assert!(write_atomic(&path, b"x").is_err());
        assert!(entries(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn new_file_is_not_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_atomic(&path, b"{}").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        // Readable by the owner's group or others unless the umask forbids it; never 0600 alone.
        assert_eq!(mode & 0o400, 0o400);
        assert_ne!(mode & 0o777, 0o600, "mode {mode:o}");
    }
}
