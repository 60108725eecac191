//! A formula's text and its place in `kpis.toml`, so that an error found in the formula can be
//! reported at the line and column of the file, where the user will look.

use crate::formula::{Expr, FormulaError, Pos};

/// Where a formula's text starts in the file; maps positions inside the formula to the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin(Option<(u64, u64)>);

impl Origin {
    /// `span` is the byte range of the TOML string literal (quotes included) in `document`.
    pub fn of(document: &str, span: std::ops::Range<usize>) -> Origin {
        Origin(origin(document, span))
    }

    /// Where an error position falls in the file: "line 31, column 21".
    pub fn place(&self, pos: Pos) -> String {
        match self.0 {
            Some((line, column)) if pos.line <= 1 => {
                format!(
                    "line {line}, column {}",
                    column + pos.column.saturating_sub(1)
                )
            }
            Some((line, _)) => format!("line {}, column {}", line + pos.line - 1, pos.column),
            None => format!("{pos}"),
        }
    }

    /// The error with the file's position instead of the formula's.
    pub fn describe(&self, err: &FormulaError) -> String {
        if err.pos.line == 0 {
            return err.message.clone();
        }
        format!("{} ({})", err.message, self.place(err.pos))
    }
}

/// A parsed formula, its text, and where it sits in the file.
#[derive(Debug, Clone)]
pub struct Located {
    pub text: String,
    pub expr: Expr,
    pub origin: Origin,
}

impl Located {
    /// A formula not from a file (tests, command line).
    pub fn detached(text: String, expr: Expr) -> Located {
        Located {
            text,
            expr,
            origin: Origin::default(),
        }
    }

    /// The error with the file's position instead of the formula's.
    pub fn describe(&self, err: &FormulaError) -> String {
        self.origin.describe(err)
    }
}

/// The file position of the literal's content: after `"`, `'`, or `"""` and its newline.
fn origin(document: &str, span: std::ops::Range<usize>) -> Option<(u64, u64)> {
    let literal = document.get(span.clone())?;
    let mut start = span.start;
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if literal.starts_with(quote) {
            start += quote.len();
            let after = &document[start..];
            if quote.len() == 3 {
                if let Some(rest) = after.strip_prefix("\r\n") {
                    start = document.len() - rest.len();
                } else if after.starts_with('\n') {
                    start += 1;
                }
            }
            break;
        }
    }
    let before = document.get(..start)?;
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    Some((line, column))
}
