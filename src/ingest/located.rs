//! Errors at a place in a file: what reading records stopped on ([`StretchError`], at a line
//! counted from where the reading started), and the message naming the file and line it becomes.
//! Shared by everything that reads records: headers, samples, lookups and the scan.

use super::records::Record;
use anyhow::anyhow;
use std::path::Path;

/// Why a stretch stopped early.
#[derive(Debug)]
pub(super) enum StretchError {
    /// A problem at a line counted from the stretch's start.
    At {
        line: u64,
        message: String,
    },
    Other(anyhow::Error),
}

impl From<std::io::Error> for StretchError {
    fn from(e: std::io::Error) -> Self {
        StretchError::Other(e.into())
    }
}

/// A record that the file ends inside a quoted field of is malformed, in any column: csv_core
/// would read the rest of the file as that one value, and the rows in it would be lost.
/// The error is at the line where the quote opened.
pub(super) fn unclosed_quote(
    record: &Record<'_>,
    line: u64,
    header: &[String],
) -> Result<(), StretchError> {
    let Some(before) = record.unclosed_quote() else {
        return Ok(());
    };
    let field = record.len() - 1;
    let column = header.get(field).map_or_else(
        || format!("field {}", field + 1),
        |c| format!("column `{c}`"),
    );
    let lines_after = record
        .field(field)
        .split(|&b| b == b'\n')
        .skip(1)
        .filter(|l| !l.trim_ascii().is_empty())
        .count();
    let consequence = match lines_after {
        0 => "the file ends inside it".to_string(),
        n => format!("the {n} line(s) after it, up to the end of the file, would be one value"),
    };
    Err(StretchError::At {
        line: line + before,
        message: format!(
            "malformed CSV: a quote opened in {column} on this line is never closed: \
             {consequence}\n  hint: look for a stray \" in that row (a quote inside a value is \
             written \"\")"
        ),
    })
}

/// A stretch's error as a message naming the file and line.
pub(super) fn located(error: StretchError, file: &Path, lines_before: u64) -> anyhow::Error {
    match error {
        StretchError::At { line, message } => {
            anyhow!("{}:{}: {message}", file.display(), line + lines_before)
        }
        StretchError::Other(e) if e.is::<std::io::Error>() => {
            anyhow!("{}: cannot read: {e}", file.display())
        }
        StretchError::Other(e) => e,
    }
}
