//! What the archive remembers of each source: its header, column types and row count at the
//! last recording run, to warn when the data model changed and nobody said so (a column used by
//! a KPI vanished, was renamed or changed type; the row count dropped or jumped: see
//! `commands::compute::volume`).
//!
//! One file per source, `sources/<source>.csv`, replaced at each recording run:
//! `source,recorded_at,rows,fingerprint,position,column,type`, a line per column of the header.

use std::io;
use std::path::Path;

use super::ArchiveError;

/// The header of a source state file, in order.
pub const HEADER: [&str; 7] = [
    "source",
    "recorded_at",
    "rows",
    "fingerprint",
    "position",
    "column",
    "type",
];

/// A source as a run saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceState {
    pub source: String,
    pub recorded_at: String,
    /// Data rows read (duplicates and invalid rows included).
    pub rows: u64,
    /// A fingerprint of the data: header, types, row count, file names and sizes.
    pub fingerprint: String,
    /// The header's columns and their types (`number`, `date`, …), in order.
    pub columns: Vec<(String, String)>,
}

/// A change of the header since the last run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnChange {
    /// Gone from the header; `replaced_by` is a new column at the same place (renamed?).
    Vanished {
        column: String,
        replaced_by: Option<String>,
    },
    TypeChanged {
        column: String,
        from: String,
        to: String,
    },
}

impl ColumnChange {
    pub fn column(&self) -> &str {
        match self {
            ColumnChange::Vanished { column, .. } | ColumnChange::TypeChanged { column, .. } => {
                column
            }
        }
    }
}

impl std::fmt::Display for ColumnChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnChange::Vanished {
                column,
                replaced_by: Some(new),
            } => write!(
                f,
                "column `{column}` is gone; `{new}` is in its place (renamed?)"
            ),
            ColumnChange::Vanished { column, .. } => write!(f, "column `{column}` is gone"),
            ColumnChange::TypeChanged { column, from, to } => {
                write!(f, "column `{column}` was {from} and is now {to}")
            }
        }
    }
}

/// How the header changed from `before` to `now` (names compared ignoring case, as formulas do).
pub fn column_changes(before: &SourceState, now: &[(String, String)]) -> Vec<ColumnChange> {
    let find = |columns: &[(String, String)], name: &str| {
        columns
            .iter()
            .position(|(c, _)| c.eq_ignore_ascii_case(name))
    };
    let mut changes = Vec::new();
    for (position, (column, old_type)) in before.columns.iter().enumerate() {
        match find(now, column) {
            Some(i) if now[i].1 != *old_type => changes.push(ColumnChange::TypeChanged {
                column: column.clone(),
                from: old_type.clone(),
                to: now[i].1.clone(),
            }),
            Some(_) => {}
            None => {
                let replaced_by = now
                    .get(position)
                    .filter(|(new, _)| find(&before.columns, new).is_none())
                    .map(|(new, _)| new.clone());
                changes.push(ColumnChange::Vanished {
                    column: column.clone(),
                    replaced_by,
                });
            }
        }
    }
    changes
}

/// The state recorded for a source; None before its first recording run.
pub fn read_state(path: &Path, source: &str) -> Result<Option<SourceState>, ArchiveError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            let path = path.to_path_buf();
            return Err(ArchiveError::Read { path, error });
        }
    };
    parse(&bytes, source)
        .map(Some)
        .map_err(|(line, message)| ArchiveError::Malformed {
            path: path.to_path_buf(),
            line,
            message,
        })
}

pub fn write_state(path: &Path, state: &SourceState) -> Result<(), ArchiveError> {
    let error = |error| ArchiveError::Write {
        path: path.to_path_buf(),
        error,
    };
    let bytes = serialise(state).map_err(error)?;
    crate::output::write_atomic(path, &bytes).map_err(error)
}

fn parse(bytes: &[u8], source: &str) -> Result<SourceState, (u64, String)> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = reader.records();
    let fail = |line: u64, message: String| (line, message);
    match rows.next() {
        Some(Ok(header)) if header.iter().eq(HEADER) => {}
        _ => {
            return Err(fail(
                1,
                format!("a source state file starts with `{}`", HEADER.join(",")),
            ))
        }
    }
    let mut state: Option<SourceState> = None;
    for row in rows {
        let row = row.map_err(|e| fail(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = row.position().map_or(0, |p| p.line());
        if row.len() != HEADER.len() || &row[0] != source {
            return Err(fail(
                line,
                format!(
                    "expected {} fields for source `{source}`, found `{}`",
                    HEADER.len(),
                    row.iter().collect::<Vec<_>>().join(",")
                ),
            ));
        }
        let rows_read = row[2]
            .parse()
            .map_err(|_| fail(line, format!("bad rows `{}`", &row[2])))?;
        let state = state.get_or_insert_with(|| SourceState {
            source: source.to_string(),
            recorded_at: row[1].to_string(),
            rows: rows_read,
            fingerprint: row[3].to_string(),
            columns: Vec::new(),
        });
        state.columns.push((row[5].to_string(), row[6].to_string()));
    }
    state.ok_or_else(|| fail(1, "no column recorded".to_string()))
}

fn serialise(state: &SourceState) -> io::Result<Vec<u8>> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADER)?;
    let rows = state.rows.to_string();
    for (i, (column, ty)) in state.columns.iter().enumerate() {
        writer.write_record([
            state.source.as_str(),
            &state.recorded_at,
            &rows,
            &state.fingerprint,
            &(i + 1).to_string(),
            column,
            ty,
        ])?;
    }
    writer.into_inner().map_err(|e| e.into_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(columns: &[(&str, &str)], rows: u64) -> SourceState {
        SourceState {
            source: "deals".into(),
            recorded_at: "2026-11-21T06:00:00+00:00".into(),
            rows,
            fingerprint: "ab".into(),
            columns: columns
                .iter()
                .map(|(c, t)| (c.to_string(), t.to_string()))
                .collect(),
        }
    }

    fn owned(columns: &[(&str, &str)]) -> Vec<(String, String)> {
        state(columns, 0).columns
    }

    #[test]
    fn renamed_vanished_and_retyped_columns_are_told_apart() {
        let before = state(
            &[
                ("id", "string"),
                ("amount", "number"),
                ("closed", "date"),
                ("x", "bool"),
            ],
            10,
        );
        let now = owned(&[
            ("ID", "string"),
            ("amount_eur", "number"),
            ("closed", "string"),
        ]);
        let changes = column_changes(&before, &now);
        let text: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
        assert_eq!(
            text,
            [
                "column `amount` is gone; `amount_eur` is in its place (renamed?)",
                "column `closed` was date and is now string",
                "column `x` is gone",
            ]
        );
        assert_eq!(column_changes(&before, &before.columns), []);
    }

    #[test]
    fn state_files_round_trip_and_bad_ones_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deals.csv");
        assert_eq!(read_state(&path, "deals").unwrap(), None);
        let s = state(&[("id", "string"), ("amount, EUR", "number")], 7);
        write_state(&path, &s).unwrap();
        assert_eq!(read_state(&path, "deals").unwrap(), Some(s));
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("deals,t,seven,f,3,c,string\n");
        std::fs::write(&path, text).unwrap();
        let message = read_state(&path, "deals").unwrap_err().to_string();
        assert!(
            message.ends_with("deals.csv:4: bad rows `seven`"),
            "{message}"
        );
    }
}
