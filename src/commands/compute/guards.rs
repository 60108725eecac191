//! The guards a pass's counts go through before any of its values is published (SPEC.md,
//! "Guards"): ragged rows, invalid values of the used columns, lookup keys that found no row.
//! Under its limit a problem is a warning with an example; over it, the run stops with exit 4.

use super::super::warn;
use crate::config::Source;
use crate::error::{Error, Kind, ResultExt};
use crate::ingest::date_guess;
use crate::ingest::parse::parse_number;
use crate::ingest::quality::{ColumnValues, Example, Unmatched};
use crate::ingest::{Issue, ScanStats};
use crate::report::format::format_count as thousands;
use crate::value::DataType;
use anyhow::anyhow;

/// Unmatched keys shown in a lookup's warning.
const SHOWN_KEYS: usize = 5;

/// How much bad data a run tolerates: `settings.max_invalid`, or nothing under `--strict`.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_invalid: f64,
    pub strict: bool,
}

impl Limits {
    fn max_invalid(&self) -> f64 {
        if self.strict {
            0.0
        } else {
            self.max_invalid
        }
    }
}

/// Warns of what is under the limits; stops (exit 4) with every problem over them.
pub(crate) fn check(source: &Source, stats: &ScanStats, limits: Limits) -> Result<(), Error> {
    let mut over = Vec::new();
    let mut under = Vec::new();
    if stats.ragged.count > 0 {
        let text = ragged(&source.name, &stats.ragged, limits.strict);
        if limits.strict { &mut over } else { &mut under }.push(text);
    }
    for (column, ty, values) in &stats.values {
        if values.invalid == 0 {
            continue;
        }
        let too_many = values.invalid_share() > limits.max_invalid();
        let text = invalid(source, column, *ty, values, too_many);
        if too_many { &mut over } else { &mut under }.push(text);
    }
    for (lookup, unmatched) in &stats.unmatched {
        if unmatched.rows == 0 {
            continue;
        }
        let min_match = source
            .lookups
            .iter()
            .find(|l| &l.name == lookup)
            .and_then(|l| l.min_match);
        let too_many = min_match.is_some_and(|m| unmatched.match_share() < m);
        let text = unmatched_keys(source, lookup, unmatched, min_match);
        if too_many { &mut over } else { &mut under }.push(text);
    }
    under.iter().for_each(warn);
    if over.is_empty() {
        return Ok(());
    }
    let limit = if limits.strict {
        "--strict allows no invalid value and no ragged row".to_string()
    } else {
        format!(
            "settings.max_invalid ({}) is the share of a column's values that may be invalid; \
             fix the source or its format, rather than raise it",
            share(limits.max_invalid)
        )
    };
    Err(anyhow!(
        "source `{}`: data that cannot be trusted\n  {}\n  hint: {limit}",
        source.name,
        over.join("\n  ")
    ))
    .kind(Kind::Data)
}

fn ragged(source: &str, ragged: &Issue, strict: bool) -> String {
    let first = ragged
        .first
        .as_ref()
        .map_or_else(String::new, |l| format!("{}:{}", l.file.display(), l.line));
    format!(
        "source `{source}`: {} row(s) with a wrong number of fields{}, first at {first}",
        thousands(ragged.count),
        if strict { "" } else { " skipped" },
    )
}

/// "column `Order Date`: 5,982 of 9,994 values (59.9 %) are not a valid date …", with two
/// examples, and over the limit a hint on the format the values do match.
fn invalid(
    source: &Source,
    column: &str,
    ty: DataType,
    values: &ColumnValues,
    too_many: bool,
) -> String {
    let examples: Vec<String> = values.examples.iter().take(2).map(example).collect();
    let what = match (ty, &source.date_format) {
        (DataType::Date | DataType::DateTime, Some(format)) => {
            format!("a valid {ty} for date_format \"{format}\"")
        }
        _ => format!("a valid {ty}"),
    };
    let mut text = format!(
        "source `{}`, column `{column}`: {} of {} values ({}) are not {what}{}: {}",
        source.name,
        thousands(values.invalid),
        thousands(values.present),
        share(values.invalid_share()),
        if too_many { "" } else { ", counted as null" },
        examples.join(", ")
    );
    if let Some(hint) = format_hint(source, ty, values) {
        text.push_str(&format!("\n  hint: {hint}"));
    }
    text
}

/// `"11/8/2016" at data/superstore.csv:2`
fn example(e: &Example) -> String {
    format!("\"{}\" at {}:{}", e.text, e.at.file.display(), e.at.line)
}

/// The date format or decimal separator the invalid values do read with, when one does.
fn format_hint(source: &Source, ty: DataType, values: &ColumnValues) -> Option<String> {
    let texts: Vec<&str> = values.examples.iter().map(|e| e.text.as_str()).collect();
    match ty {
        DataType::Date | DataType::DateTime => {
            let found = date_guess::guess(&texts, ty, source.date_format.as_deref())?;
            Some(date_guess::hint(&found, &source.name))
        }
        DataType::Number => {
            let other = if source.decimal == b',' { b'.' } else { b',' };
            texts
                .iter()
                .all(|t| parse_number(t, other).is_some())
                .then(|| {
                    format!(
                        "they read with a decimal {}: set decimal = \"{}\" on source `{}`",
                        if other == b',' { "comma" } else { "point" },
                        other as char,
                        source.name
                    )
                })
        }
        _ => None,
    }
}

/// "1,480 of 8,800 rows (16.8 %) found no row in lookup `products` …: GTXPro: 1,480 rows".
fn unmatched_keys(
    source: &Source,
    lookup: &str,
    unmatched: &Unmatched,
    min_match: Option<f64>,
) -> String {
    let on = source
        .lookups
        .iter()
        .find(|l| l.name == lookup)
        .map_or("", |l| l.on.as_str());
    let keys: Vec<String> = unmatched
        .top_keys(SHOWN_KEYS)
        .iter()
        .map(|(key, n)| {
            let key = if key.is_empty() { "(blank)" } else { key };
            format!(
                "{key}: {} row{}",
                thousands(*n),
                if *n == 1 { "" } else { "s" }
            )
        })
        .collect();
    let more = unmatched.keys.len().saturating_sub(SHOWN_KEYS);
    let limit = match min_match {
        Some(m) => format!(" (min_match {})", share(m)),
        None => String::new(),
    };
    format!(
        "source `{}`: {} of {} rows ({}) found no row in lookup `{lookup}` (key `{on}`), so its columns are null for them{limit}: {}{}\n  \
         hint: check that both files write the keys alike (case, spaces, codes); set min_match on the lookup to make this an error",
        source.name,
        thousands(unmatched.rows),
        thousands(unmatched.looked_up),
        share(1.0 - unmatched.match_share()),
        keys.join(", "),
        if more > 0 {
            format!(" and {more} other key(s)")
        } else {
            String::new()
        }
    )
}

/// `12.5 %`, with more digits when it would round to 0 or 100.
pub(crate) fn share(x: f64) -> String {
    let pct = x * 100.0;
    let text = format!("{pct:.1}");
    if (text == "0.0" && pct > 0.0) || (text == "100.0" && pct < 100.0) {
        format!("{pct:.3} %")
    } else {
        format!("{text} %")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_counts_read_well() {
        assert_eq!(share(0.599), "59.9 %");
        assert_eq!(share(0.00001), "0.001 %");
        assert_eq!(share(0.01), "1.0 %");
    }
}
