//! The archive: every value a run computed, kept by KPI, period and breakdown in a folder of CSV
//! files that a person and a spreadsheet can read (SPEC.md, "The archive"; docs/archive.md).
//!
//! Layout 2: `<dir>/LAYOUT` holds `kpi-archive 2`; each KPI has `<dir>/<kpi>.csv` (see
//! `store.rs`), each source `<dir>/sources/<source>.csv` (see `sources.rs`). Layout 1 folders and
//! files are read too, and upgraded file by file as runs record into them.
//!
//! A recording run holds the folder's lock (`lock.rs`) while it reads, merges and rewrites
//! files; each file is replaced whole (temporary file, fsync, rename), so a run killed at any
//! instant leaves every file either as it was or fully updated.

mod history;
mod lock;
mod outdated;
mod record;
mod sources;
mod store;

pub use history::LoadedHistory;
pub use lock::LOCK_FILE;
pub use outdated::{outdated, Outdated};
pub use record::{breakdown_of, find, merge, restatements, ArchiveRecord, Restatement};
pub use sources::{column_changes, ColumnChange, SourceState};
pub use store::parse as parse_kpi_file;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The name of the file that says which layout a folder uses.
pub const LAYOUT_FILE: &str = "LAYOUT";
/// The layout this version writes.
pub const LAYOUT_V2: &str = "kpi-archive 2";
/// The first layout (kpi 0.1), still read.
pub const LAYOUT_V1: &str = "kpi-archive 1";
/// The folder of source states inside the archive.
pub const SOURCES_DIR: &str = "sources";
/// How long a run waits for another one to finish recording, by default.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the archive could not be read or written. Every message names the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot read the archive file {}: {error}", path.display())]
    Read { path: PathBuf, error: io::Error },
    #[error("cannot write the archive file {}: {error}", path.display())]
    Write { path: PathBuf, error: io::Error },
    #[error("{}:{line}: {message}", path.display())]
    Malformed {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error(
        "{}: unknown archive layout `{found}`; this version of kpi reads `{LAYOUT_V1}` and \
         `{LAYOUT_V2}` (upgrade kpi, or set `archive` in the configuration to another folder)",
        path.display()
    )]
    UnknownLayout { path: PathBuf, found: String },
    #[error("invalid KPI id `{kpi}` for the archive: an id has only a-z, 0-9 and _")]
    InvalidKpiId { kpi: String },
    #[error(
        "the archive is locked by another kpi run ({}), still after {waited} s; nothing was recorded\n  \
         hint: let that run finish and run again, or set KPI_LOCK_TIMEOUT (seconds) to wait longer",
        path.display()
    )]
    Locked { path: PathBuf, waited: f64 },
    #[error("interrupted while waiting for the archive lock")]
    Interrupted(#[source] crate::interrupt::Interrupted),
}

/// What a recording run writes.
pub struct Update<'a> {
    pub records: &'a [ArchiveRecord],
    pub sources: &'a [SourceState],
    /// Whether a record is the final value of a closed period (not to date, not a snapshot):
    /// only those can be restated.
    pub closed: &'a dyn Fn(&ArchiveRecord) -> bool,
}

/// A folder of archived values.
#[derive(Debug, Clone)]
pub struct Archive {
    dir: PathBuf,
    lock_timeout: Duration,
}

impl Archive {
    /// The archive in `dir`. Touches nothing: the folder is created by the first [`record`].
    ///
    /// [`record`]: Archive::record
    pub fn new(dir: impl Into<PathBuf>) -> Archive {
        Archive {
            dir: dir.into(),
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        }
    }

    /// How long [`record`](Archive::record) waits for another run's lock.
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Archive {
        self.lock_timeout = timeout;
        self
    }

    /// The archive's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every record of a KPI; empty when the archive or the KPI's file does not exist yet.
    /// A file that exists but is malformed (bad header, bad number, bad date, wrong field count,
    /// unknown layout) is an error naming file and line, never skipped.
    pub fn read(&self, kpi: &str) -> Result<Vec<ArchiveRecord>, ArchiveError> {
        check_id(kpi)?;
        self.check_layout()?;
        store::read_file(&self.file_of(kpi), kpi)
    }

    /// The state of a source at the last recording run; None before the first.
    pub fn source_state(&self, source: &str) -> Result<Option<SourceState>, ArchiveError> {
        check_id(source)?;
        self.check_layout()?;
        sources::read_state(&self.source_file(source), source)
    }

    /// Merges records into their KPIs' files: a record replaces the one with the same period and
    /// dimensions, every other record is kept; replaces the source states. Creates the folder
    /// and its LAYOUT when missing. Holds the folder's lock throughout. Returns the values of
    /// closed periods that changed (restatements), in the order of `records`.
    pub fn record(&self, update: &Update) -> Result<Vec<Restatement>, ArchiveError> {
        let mut by_kpi: BTreeMap<&str, Vec<&ArchiveRecord>> = BTreeMap::new();
        for record in update.records {
            check_id(&record.kpi)?;
            by_kpi.entry(&record.kpi).or_default().push(record);
        }
        for state in update.sources {
            check_id(&state.source)?;
        }
        if by_kpi.is_empty() && update.sources.is_empty() {
            return Ok(vec![]);
        }
        // Refuse a foreign layout before creating anything in its folder.
        self.check_layout()?;
        self.create_folder()?;
        let _lock = lock::acquire(&self.dir, self.lock_timeout)?;
        let layout = self.check_layout()?;
        self.remove_leftovers();
        let mut restated = Vec::new();
        for (kpi, incoming) in by_kpi {
            let path = self.file_of(kpi);
            let existing = store::read_file(&path, kpi)?;
            restated.extend(restatements(&existing, &incoming, update.closed));
            store::write_file(&path, &merge(existing, &incoming))?;
        }
        for state in update.sources {
            sources::write_state(&self.source_file(&state.source), state)?;
        }
        if layout != Some(LAYOUT_V2) {
            let path = self.dir.join(LAYOUT_FILE);
            crate::output::write_atomic(&path, format!("{LAYOUT_V2}\n").as_bytes())
                .map_err(|error| ArchiveError::Write { path, error })?;
        }
        sync_folder(&self.dir);
        Ok(restated)
    }

    fn file_of(&self, kpi: &str) -> PathBuf {
        self.dir.join(format!("{kpi}.csv"))
    }

    fn source_file(&self, source: &str) -> PathBuf {
        self.dir.join(SOURCES_DIR).join(format!("{source}.csv"))
    }

    /// The folder's layout: None without a LAYOUT file (a new folder, or one made by hand,
    /// read as layout 1: each file's header still refuses anything that is not an archive
    /// file); an error when it names a layout we do not know.
    fn check_layout(&self) -> Result<Option<&'static str>, ArchiveError> {
        let path = self.dir.join(LAYOUT_FILE);
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(ArchiveError::Read { path, error }),
        };
        let found = text.trim_end_matches(['\n', '\r']);
        for known in [LAYOUT_V2, LAYOUT_V1] {
            if found == known {
                return Ok(Some(known));
            }
        }
        let found: String = found.chars().take(60).collect();
        Err(ArchiveError::UnknownLayout { path, found })
    }

    fn create_folder(&self) -> Result<(), ArchiveError> {
        let sources = self.dir.join(SOURCES_DIR);
        std::fs::create_dir_all(&sources).map_err(|error| ArchiveError::Write {
            path: sources,
            error,
        })
    }

    /// Temporary files of runs killed while writing (under the lock, no live run owns one).
    fn remove_leftovers(&self) {
        for dir in [self.dir.clone(), self.dir.join(SOURCES_DIR)] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                if entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(crate::output::TEMP_PREFIX)
                {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
}

/// Makes the renames durable (the folder's entries reach the disk). Best effort: not every
/// filesystem lets a folder be synced, and the files themselves already are.
fn sync_folder(dir: &Path) {
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
}

/// KPI ids and source names become file names: anything but `[a-z0-9_]+` could leave the
/// folder (`../x`).
fn check_id(id: &str) -> Result<(), ArchiveError> {
    let valid = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(ArchiveError::InvalidKpiId {
            kpi: id.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn rec(period: &str, dimensions: &str, value: Option<f64>) -> ArchiveRecord {
        let month: u32 = period[5..].parse().unwrap();
        let start = NaiveDate::from_ymd_opt(2026, month, 1).unwrap();
        ArchiveRecord {
            kpi: "win_rate".into(),
            period: period.into(),
            period_start: start,
            period_end: start + chrono::Days::new(27),
            dimensions: dimensions.into(),
            value,
            rows: 7,
            recorded_at: "2026-11-22T08:00:00Z".into(),
            fingerprint: "ab12".into(),
            source_fingerprint: String::new(),
            parts: serde_json::Map::new(),
        }
    }

    fn save(
        archive: &Archive,
        records: &[ArchiveRecord],
    ) -> Result<Vec<Restatement>, ArchiveError> {
        archive.record(&Update {
            records,
            sources: &[],
            closed: &|_| true,
        })
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn round_trip_in_stable_order() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path().join("kpi-archive"));
        let emea = rec("2026-10", "region=EMEA", Some(0.1 + 0.2));
        let overall = rec("2026-10", "", None);
        let september = rec("2026-09", "", Some(1e-7));
        save(
            &archive,
            &[emea.clone(), overall.clone(), september.clone()],
        )
        .unwrap();
        assert_eq!(
            archive.read("win_rate").unwrap(),
            [september, overall, emea]
        );
        let layout = std::fs::read_to_string(archive.dir().join("LAYOUT")).unwrap();
        assert_eq!(layout, "kpi-archive 2\n");
        let file = std::fs::read_to_string(archive.dir().join("win_rate.csv")).unwrap();
        assert!(
            file.contains(",region=EMEA,0.30000000000000004,7,"),
            "{file}"
        );
    }

    #[test]
    fn a_rerun_replaces_its_period_and_keeps_everything_else() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path());
        let old = [rec("2026-09", "", Some(1.0)), rec("2026-10", "", Some(2.0))];
        let emea = rec("2026-10", "region=EMEA", Some(3.0));
        save(&archive, &old).unwrap();
        save(&archive, std::slice::from_ref(&emea)).unwrap();
        let restated = rec("2026-10", "", Some(2.5));
        let told = save(&archive, std::slice::from_ref(&restated)).unwrap();
        assert_eq!((told[0].old, told[0].new), (Some(2.0), Some(2.5)));
        assert_eq!(save(&archive, std::slice::from_ref(&restated)).unwrap(), []);
        let records = archive.read("win_rate").unwrap();
        assert_eq!(records, [old[0].clone(), restated, emea]);
        assert_eq!(find(&records, "2026-10", "").unwrap().value, Some(2.5));
        assert_eq!(find(&records, "2026-09", "region=EMEA"), None);
    }

    #[test]
    fn a_layout_1_archive_is_read_and_upgraded_when_recorded_into() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("LAYOUT"), "kpi-archive 1\n").unwrap();
        std::fs::write(
            dir.path().join("win_rate.csv"),
            "kpi,period,period_start,period_end,dimensions,value,rows,recorded_at,fingerprint\n\
             win_rate,2026-09,2026-09-01,2026-09-28,,0.5,7,2026-11-22T08:00:00Z,ab12\n",
        )
        .unwrap();
        let archive = Archive::new(dir.path());
        let september = rec("2026-09", "", Some(0.5));
        assert_eq!(
            archive.read("win_rate").unwrap(),
            std::slice::from_ref(&september)
        );
        let october = rec("2026-10", "", Some(0.25));
        save(&archive, std::slice::from_ref(&october)).unwrap();
        assert_eq!(archive.read("win_rate").unwrap(), [september, october]);
        let layout = std::fs::read_to_string(dir.path().join("LAYOUT")).unwrap();
        assert_eq!(layout, "kpi-archive 2\n");
        let file = std::fs::read_to_string(dir.path().join("win_rate.csv")).unwrap();
        assert!(file.starts_with(&store::HEADER.join(",")), "{file}");
    }

    #[test]
    fn leftovers_of_a_killed_run_are_removed_under_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path());
        save(&archive, &[rec("2026-10", "", Some(1.0))]).unwrap();
        std::fs::write(dir.path().join(".kpi-tmp-x1"), "half a file").unwrap();
        save(&archive, &[rec("2026-11", "", Some(1.0))]).unwrap();
        assert!(!dir.path().join(".kpi-tmp-x1").exists());
    }

    #[test]
    fn missing_folder_reads_as_empty_and_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path().join("nothing-yet"));
        assert_eq!(archive.read("win_rate").unwrap(), []);
        assert!(!archive.dir().exists());
    }

    #[test]
    fn malformed_file_is_an_error_naming_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path());
        save(&archive, &[rec("2026-10", "", Some(1.0))]).unwrap();
        let path = dir.path().join("win_rate.csv");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("win_rate,2026-11,2026-11-01,2026-11-30,,twelve,1,t,f,s,\n");
        std::fs::write(&path, text).unwrap();
        let message = archive.read("win_rate").unwrap_err().to_string();
        assert!(
            message.starts_with(&format!("{}:3: bad value", path.display())),
            "{message}"
        );
        // Recording over a malformed file must not silently drop its lines.
        assert!(save(&archive, &[rec("2026-12", "", None)]).is_err());
    }

    #[test]
    fn unknown_layout_is_refused_for_reading_and_writing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("LAYOUT"), "kpi-archive 9\n").unwrap();
        let archive = Archive::new(dir.path());
        let err = archive.read("win_rate").unwrap_err();
        assert!(matches!(err, ArchiveError::UnknownLayout { .. }));
        assert!(err
            .to_string()
            .contains("LAYOUT: unknown archive layout `kpi-archive 9`"));
        assert!(save(&archive, &[rec("2026-10", "", None)]).is_err());
        assert_eq!(names(dir.path()), ["LAYOUT"]);
    }

    #[test]
    fn ids_that_could_leave_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path().join("a"));
        for kpi in ["../escape", "Win", "", "a.b", "a/b"] {
            let err = archive.read(kpi).unwrap_err();
            assert!(matches!(err, ArchiveError::InvalidKpiId { .. }), "{kpi}");
            let mut record = rec("2026-10", "", None);
            record.kpi = kpi.into();
            assert!(save(&archive, &[record]).is_err());
        }
        assert_eq!(names(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn no_temporary_file_is_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path());
        let mut nps = rec("2026-10", "", Some(40.0));
        nps.kpi = "nps".into();
        save(&archive, &[rec("2026-10", "", Some(1.0)), nps]).unwrap();
        save(&archive, &[rec("2026-11", "", Some(1.0))]).unwrap();
        assert_eq!(
            names(dir.path()),
            [".lock", "LAYOUT", "nps.csv", "sources", "win_rate.csv"]
        );
    }
}
