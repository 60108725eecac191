//! What the first rows say of a KPI's time column, to tell a column of no dates (the data's
//! fault, exit 4) from a wrong column (the configuration's, left to type checking). Read from
//! the same sample as the type inference of `infer`.

use super::date_guess;
use super::infer::{for_sample_rows, INFERENCE_ROWS};
use super::parse::{is_null, parse_date_only, parse_datetime};
use super::quality::KEPT_EXAMPLES;
use super::schema::Schema;
use crate::config::Source;
use crate::value::DataType;
use std::path::PathBuf;

impl Schema {
    /// Checks the time columns of KPIs (`(kpi, column)` pairs) against the first rows: a header
    /// column that holds values, none of them a date or datetime, is the data's fault (exit 4),
    /// not the configuration's: the message names the file, the line and a value. A column
    /// that is not in the header, or holds some date, is left to type checking.
    pub fn check_time_columns<'k>(
        &self,
        source: &Source,
        times: impl IntoIterator<Item = (&'k str, &'k str)>,
    ) -> Result<(), String> {
        let mut checked = Vec::new();
        for (kpi, name) in times {
            let Some(column) = self
                .header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
            else {
                continue;
            };
            // KPIs sharing a time column: its first rows are read once.
            if checked.contains(&column) {
                continue;
            }
            checked.push(column);
            // An inferred date or datetime column holds only dates: nothing to look at.
            if self.columns[column].1.is_temporal() && !self.declared[column] {
                continue;
            }
            if let Some(found) = self.first_non_dates(source, column) {
                return Err(no_date_message(source, kpi, &self.header[column], &found));
            }
        }
        Ok(())
    }

    /// The first value of `column` and the count of values, when no value of the first rows
    /// is a date or datetime (None when one is, or when there is no value).
    fn first_non_dates(&self, source: &Source, column: usize) -> Option<NonDates> {
        let pattern = self.format.date_format.as_deref();
        let mut found: Option<NonDates> = None;
        let mut some_date = false;
        let mut rows = 0;
        let _ = for_sample_rows(
            source,
            &self.files,
            &self.header,
            self.delimiter,
            |path, line, record| {
                rows += 1;
                let value = String::from_utf8_lossy(record.field(column));
                let value = value.trim();
                if is_null(value, &self.format) {
                    return rows < INFERENCE_ROWS;
                }
                if parse_date_only(value, pattern).is_some()
                    || parse_datetime(value, pattern).is_some()
                {
                    some_date = true;
                    return false;
                }
                let found = found.get_or_insert_with(|| NonDates {
                    file: path.to_path_buf(),
                    line,
                    values: 0,
                    examples: Vec::new(),
                });
                found.values += 1;
                if found.examples.len() < KEPT_EXAMPLES {
                    found.examples.push(value.to_string());
                }
                rows < INFERENCE_ROWS
            },
        );
        found.filter(|_| !some_date)
    }
}

/// A time column's values, none of which is a date: the first one, and how many.
struct NonDates {
    file: PathBuf,
    line: u64,
    values: u64,
    /// The first values, the first one at `line` (they tell which format they read with).
    examples: Vec<String>,
}

impl NonDates {
    /// The format every example reads with as a date or a datetime, if one does.
    fn format(&self, current: Option<&str>) -> Option<String> {
        let examples: Vec<&str> = self.examples.iter().map(String::as_str).collect();
        [DataType::Date, DataType::DateTime]
            .into_iter()
            .find_map(|ty| date_guess::guess(&examples, ty, current))
    }
}

fn no_date_message(source: &Source, kpi: &str, column: &str, found: &NonDates) -> String {
    let hint = match (
        found.format(source.date_format.as_deref()),
        &source.date_format,
    ) {
        (Some(format), _) => date_guess::hint(&format, &source.name),
        (None, Some(pattern)) => format!(
            "the values do not match date_format = \"{pattern}\" of source `{}`: fix the pattern, \
             or point `time` at a date column",
            source.name
        ),
        (None, None) => format!(
            "if the dates are written another way, set date_format on source `{}` (such as \
             date_format = \"%d/%m/%Y\"); else point `time` at a date column",
            source.name
        ),
    };
    format!(
        "{}:{}: column `{column}`, the time of kpi `{kpi}`, holds no date: none of its {} value(s) \
         in the first rows reads as a date or datetime (this one is `{}`)\n  hint: {hint}",
        found.file.display(),
        found.line,
        found.values,
        found.examples.first().map_or("", String::as_str),
    )
}
