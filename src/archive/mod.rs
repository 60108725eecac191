//! The archive: every value a run computed, kept by KPI, period and breakdown in a folder of CSV
//! files that a person and a spreadsheet can read (SPEC.md, "The archive").
//!
//! Layout 1: `<dir>/LAYOUT` holds `kpi-archive 1`; each KPI has `<dir>/<kpi>.csv` with the
//! columns `kpi,period,period_start,period_end,dimensions,value,rows,recorded_at,fingerprint`,
//! sorted by period start, then dimensions (overall first). `store` parses and writes one file,
//! `record` holds the record type and the merge rule; this module ties them to the folder.
//!
//! Each file is replaced whole and atomically. Locking against two runs at once, reporting
//! restated values and history queries are left to later work; they fit around
//! [`Archive::record`] (lock the folder around it; compare `existing` with the incoming records
//! before [`merge`]) and [`Archive::read`].

mod history;
mod record;
mod store;

pub use history::LoadedHistory;
pub use record::{find, merge, ArchiveRecord};

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// The name of the file that says which layout a folder uses.
pub const LAYOUT_FILE: &str = "LAYOUT";
/// The content of [`LAYOUT_FILE`] for the layout this version reads and writes.
pub const LAYOUT_V1: &str = "kpi-archive 1";

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
        "{}: unknown archive layout `{found}`; this version of kpi reads `{LAYOUT_V1}` \
         (upgrade kpi, or set `archive` in the configuration to another folder)",
        path.display()
    )]
    UnknownLayout { path: PathBuf, found: String },
    #[error("invalid KPI id `{kpi}` for the archive: an id has only a-z, 0-9 and _")]
    InvalidKpiId { kpi: String },
}

/// A folder of archived values.
#[derive(Debug, Clone)]
pub struct Archive {
    dir: PathBuf,
}

impl Archive {
    /// The archive in `dir`. Touches nothing: the folder is created by the first [`record`].
    ///
    /// [`record`]: Archive::record
    pub fn new(dir: impl Into<PathBuf>) -> Archive {
        Archive { dir: dir.into() }
    }

    /// The archive's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every record of a KPI; empty when the archive or the KPI's file does not exist yet.
    /// A file that exists but is malformed (bad header, bad number, bad date, wrong field count,
    /// unknown layout) is an error naming file and line, never skipped.
    pub fn read(&self, kpi: &str) -> Result<Vec<ArchiveRecord>, ArchiveError> {
        check_kpi_id(kpi)?;
        self.check_layout()?;
        store::read_file(&self.file_of(kpi), kpi)
    }

    /// Merges records into their KPIs' files: a record replaces the one with the same period and
    /// dimensions, every other record is kept. Creates the folder and its LAYOUT when missing.
    /// Each file is replaced whole (temporary file, fsync, rename), so a killed run leaves it
    /// as it was or fully updated.
    pub fn record(&self, records: &[ArchiveRecord]) -> Result<(), ArchiveError> {
        let mut by_kpi: BTreeMap<&str, Vec<&ArchiveRecord>> = BTreeMap::new();
        for record in records {
            check_kpi_id(&record.kpi)?;
            by_kpi.entry(&record.kpi).or_default().push(record);
        }
        if by_kpi.is_empty() {
            return Ok(());
        }
        self.prepare()?;
        for (kpi, incoming) in by_kpi {
            let path = self.file_of(kpi);
            let existing = store::read_file(&path, kpi)?;
            store::write_file(&path, &merge(existing, incoming))?;
        }
        Ok(())
    }

    fn file_of(&self, kpi: &str) -> PathBuf {
        self.dir.join(format!("{kpi}.csv"))
    }

    /// Whether the folder has a LAYOUT file; an error when it names a layout we do not know.
    /// A folder without one is new (or made by hand) and read as layout 1; the header check
    /// of each file still refuses anything that is not an archive file.
    fn check_layout(&self) -> Result<bool, ArchiveError> {
        let path = self.dir.join(LAYOUT_FILE);
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(error) => return Err(ArchiveError::Read { path, error }),
        };
        let found = text.trim_end_matches(['\n', '\r']);
        if found == LAYOUT_V1 {
            return Ok(true);
        }
        let found: String = found.chars().take(60).collect();
        Err(ArchiveError::UnknownLayout { path, found })
    }

    /// Creates the folder and its LAYOUT file when missing, refuses a foreign layout.
    fn prepare(&self) -> Result<(), ArchiveError> {
        let write_error = |path: &Path, error| ArchiveError::Write {
            path: path.to_path_buf(),
            error,
        };
        std::fs::create_dir_all(&self.dir).map_err(|e| write_error(&self.dir, e))?;
        if !self.check_layout()? {
            let path = self.dir.join(LAYOUT_FILE);
            let content = format!("{LAYOUT_V1}\n");
            crate::output::write_atomic(&path, content.as_bytes())
                .map_err(|e| write_error(&path, e))?;
        }
        Ok(())
    }
}

/// KPI ids become file names: anything but `[a-z0-9_]+` could leave the folder (`../x`).
fn check_kpi_id(kpi: &str) -> Result<(), ArchiveError> {
    let valid = !kpi.is_empty()
        && kpi
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(ArchiveError::InvalidKpiId {
            kpi: kpi.to_string(),
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
        }
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
        archive
            .record(&[emea.clone(), overall.clone(), september.clone()])
            .unwrap();
        assert_eq!(
            archive.read("win_rate").unwrap(),
            [september, overall, emea]
        );
        let layout = std::fs::read_to_string(archive.dir().join("LAYOUT")).unwrap();
        assert_eq!(layout, "kpi-archive 1\n");
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
        archive.record(&old).unwrap();
        archive.record(std::slice::from_ref(&emea)).unwrap();
        let restated = rec("2026-10", "", Some(2.5));
        archive.record(std::slice::from_ref(&restated)).unwrap();
        let records = archive.read("win_rate").unwrap();
        assert_eq!(records, [old[0].clone(), restated, emea]);
        assert_eq!(find(&records, "2026-10", "").unwrap().value, Some(2.5));
        assert_eq!(find(&records, "2026-09", "region=EMEA"), None);
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
        archive.record(&[rec("2026-10", "", Some(1.0))]).unwrap();
        let path = dir.path().join("win_rate.csv");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("win_rate,2026-11,2026-11-01,2026-11-30,,twelve,1,t,f\n");
        std::fs::write(&path, text).unwrap();
        let message = archive.read("win_rate").unwrap_err().to_string();
        assert!(
            message.starts_with(&format!("{}:3: bad value", path.display())),
            "{message}"
        );
        // Recording over a malformed file must not silently drop its lines.
        assert!(archive.record(&[rec("2026-12", "", None)]).is_err());
    }

    #[test]
    fn unknown_layout_is_refused_for_reading_and_writing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("LAYOUT"), "kpi-archive 2\n").unwrap();
        let archive = Archive::new(dir.path());
        let err = archive.read("win_rate").unwrap_err();
        assert!(matches!(err, ArchiveError::UnknownLayout { .. }));
        assert!(err
            .to_string()
            .contains("LAYOUT: unknown archive layout `kpi-archive 2`"));
        assert!(archive.record(&[rec("2026-10", "", None)]).is_err());
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
            assert!(archive.record(&[record]).is_err());
        }
        assert_eq!(names(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn no_temporary_file_is_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path());
        let mut nps = rec("2026-10", "", Some(40.0));
        nps.kpi = "nps".into();
        archive
            .record(&[rec("2026-10", "", Some(1.0)), nps])
            .unwrap();
        archive.record(&[rec("2026-11", "", Some(1.0))]).unwrap();
        assert_eq!(names(dir.path()), ["LAYOUT", "nps.csv", "win_rate.csv"]);
    }
}
