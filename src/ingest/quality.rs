//! What a pass counts about the values it reads, for the guards of SPEC.md: per used column,
//! how many values were there and how many were invalid (with the first few as examples); per
//! lookup, how many rows found no match, and the keys they carried; any other problem, counted
//! with where it was first seen.
//!
//! Counts are kept per stretch and merged in file order, so that the examples are the first
//! ones of the source whatever the number of threads. Deciding what is too much is left to the
//! command layer.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Invalid values kept per column: two are shown, the others help guess the date format.
pub const KEPT_EXAMPLES: usize = 16;
/// Distinct unmatched keys counted per lookup; beyond, rows are still counted, keys are not
/// (a wrong `on` column would otherwise keep every key of the source in memory).
pub const KEPT_KEYS: usize = 10_000;

/// Where something was first seen: file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: u64,
}

/// A problem counted over the pass, with its first occurrence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Issue {
    pub count: u64,
    pub first: Option<Location>,
}

impl Issue {
    /// Counts one occurrence at a line of the stretch being read (the file is set on merging).
    pub(super) fn record_local(&mut self, line: u64) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(Location {
                file: PathBuf::new(),
                line,
            });
        }
    }

    /// Adds a later stretch's occurrences, its lines shifted by the lines before it.
    pub(super) fn absorb(&mut self, other: Issue, file: &Path, lines_before: u64) {
        self.count += other.count;
        if self.first.is_none() {
            self.first = other.first.map(|l| Location {
                file: file.to_path_buf(),
                line: l.line + lines_before,
            });
        }
    }
}

/// A value as written in the file, where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    pub at: Location,
}

/// The non-empty values of a used column, and those that were invalid for its type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnValues {
    /// Values neither blank nor one of `null_values`, valid or not.
    pub present: u64,
    pub invalid: u64,
    /// The first invalid values, in file order (at most [`KEPT_EXAMPLES`]).
    pub examples: Vec<Example>,
}

impl ColumnValues {
    /// An invalid value at a line of the stretch being read (the file is set on merging).
    pub(super) fn record_invalid(&mut self, text: &str, line: u64) {
        self.present += 1;
        self.invalid += 1;
        if self.examples.len() < KEPT_EXAMPLES {
            self.examples.push(Example {
                text: text.trim().to_string(),
                at: Location {
                    file: Default::default(),
                    line,
                },
            });
        }
    }

    /// The share of present values that are invalid (0 when none is present).
    pub fn invalid_share(&self) -> f64 {
        if self.present == 0 {
            0.0
        } else {
            self.invalid as f64 / self.present as f64
        }
    }

    /// Adds a later stretch's counts, its lines shifted by the lines before it.
    pub(super) fn absorb(&mut self, other: ColumnValues, file: &Path, lines_before: u64) {
        self.present += other.present;
        self.invalid += other.invalid;
        let room = KEPT_EXAMPLES.saturating_sub(self.examples.len());
        self.examples
            .extend(other.examples.into_iter().take(room).map(|e| Example {
                text: e.text,
                at: Location {
                    file: file.to_path_buf(),
                    line: e.at.line + lines_before,
                },
            }));
    }
}

/// The rows of a source whose key found no row in one lookup table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unmatched {
    /// Rows that looked the table up.
    pub looked_up: u64,
    pub rows: u64,
    /// Rows per unmatched key, for the first [`KEPT_KEYS`] distinct keys.
    pub keys: HashMap<String, u64>,
}

impl Unmatched {
    pub(super) fn record(&mut self, matched: bool, key: &str) {
        self.looked_up += 1;
        if matched {
            return;
        }
        self.rows += 1;
        let key = key.trim();
        if let Some(n) = self.keys.get_mut(key) {
            *n += 1;
        } else if self.keys.len() < KEPT_KEYS {
            self.keys.insert(key.to_string(), 1);
        }
    }

    pub(super) fn absorb(&mut self, other: Unmatched) {
        self.looked_up += other.looked_up;
        self.rows += other.rows;
        for (key, n) in other.keys {
            if let Some(total) = self.keys.get_mut(&key) {
                *total += n;
            } else if self.keys.len() < KEPT_KEYS {
                self.keys.insert(key, n);
            }
        }
    }

    /// The share of rows that found their key (1 when no row looked the table up).
    pub fn match_share(&self) -> f64 {
        if self.looked_up == 0 {
            1.0
        } else {
            1.0 - self.rows as f64 / self.looked_up as f64
        }
    }

    /// The `n` most frequent unmatched keys, most rows first, then in key order.
    pub fn top_keys(&self, n: usize) -> Vec<(&str, u64)> {
        let mut keys: Vec<(&str, u64)> = self.keys.iter().map(|(k, &c)| (k.as_str(), c)).collect();
        keys.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        keys.truncate(n);
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_the_first_ones_in_file_order() {
        let mut first = ColumnValues::default();
        first.record_invalid(" 13/31/2024 ", 4);
        let mut second = ColumnValues {
            present: 3,
            ..ColumnValues::default()
        };
        second.record_invalid("x", 2);
        let mut total = ColumnValues::default();
        total.absorb(first, Path::new("a.csv"), 1);
        total.absorb(second, Path::new("a.csv"), 10);
        assert_eq!((total.present, total.invalid), (5, 2));
        assert_eq!(total.examples[0].text, "13/31/2024");
        assert_eq!(total.examples[0].at.line, 5);
        assert_eq!(total.examples[1].at.line, 12);
        assert!((total.invalid_share() - 0.4).abs() < 1e-12);
    }

    #[test]
    fn unmatched_keys_merge_and_rank() {
        let mut a = Unmatched::default();
        a.record(false, "GTXPro");
        a.record(true, "GTX Basic");
        let mut b = Unmatched::default();
        b.record(false, "GTXPro ");
        b.record(false, "MG Special");
        a.absorb(b);
        assert_eq!((a.looked_up, a.rows), (4, 3));
        assert_eq!(a.top_keys(5), vec![("GTXPro", 2), ("MG Special", 1)]);
        assert!((a.match_share() - 0.25).abs() < 1e-12);
    }
}
