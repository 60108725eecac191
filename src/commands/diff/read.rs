//! Reads back the results files that `kpi run --format json|csv` writes, for `kpi diff`.
//!
//! Only what identifies a result (KPI, period, breakdown) and what `diff` compares (value,
//! status) is read. Other fields are ignored, so that files from later versions, which only add
//! fields, still read, and so that a hand-written expected file may keep just those columns.

use anyhow::{anyhow, bail, Result};
use serde::{Deserialize, Deserializer};
use std::collections::HashMap;
use std::fmt;

/// What identifies a result. The breakdown is kept as CSV writes it (`region=EMEA;channel=Web`,
/// empty for the overall value): that text is all a CSV file has, and JSON maps onto it exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub kpi: String,
    pub period: String,
    pub dimensions: String,
}

impl fmt::Display for Key {
    /// `win_rate 2026-10 region=EMEA`, or `win_rate 2026-10` for the overall value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kpi, self.period)?;
        if !self.dimensions.is_empty() {
            write!(f, " {}", self.dimensions)?;
        }
        Ok(())
    }
}

/// One result as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Key,
    /// `None`: the KPI had no value (JSON `null`, an empty CSV cell).
    pub value: Option<f64>,
    /// `None` when the file has no status for it; then it is not compared.
    pub status: Option<String>,
    /// Where it is in the file, for messages.
    pub place: Place,
}

/// A CSV line, or a JSON result's position in `results` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Line(u64),
    Item(usize),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Item(n) => write!(f, "result {n}"),
        }
    }
}

/// Parses a results file: JSON when its first character (after a BOM and blanks) is `{`, else
/// CSV. Two results with the same key are an error: which one to compare would be a guess.
pub fn parse(text: &str) -> Result<Vec<Entry>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let entries = match text.trim_start().chars().next() {
        None => bail!("the file is empty"),
        Some('{') => from_json(text)?,
        Some(_) => from_csv(text)?,
    };
    let mut seen: HashMap<&Key, Place> = HashMap::new();
    for entry in &entries {
        if let Some(first) = seen.insert(&entry.key, entry.place) {
            bail!(
                "two results for {} ({first} and {})",
                entry.key,
                entry.place
            );
        }
    }
    Ok(entries)
}

#[derive(Deserialize)]
struct Document {
    results: Vec<JsonEntry>,
}

#[derive(Deserialize)]
struct JsonEntry {
    kpi: String,
    period: String,
    #[serde(default)]
    dimensions: serde_json::Map<String, serde_json::Value>,
    /// Required although it may be null: a result without a value is not a result.
    #[serde(deserialize_with = "nullable")]
    value: Option<f64>,
    #[serde(default)]
    status: Option<String>,
}

fn nullable<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    Option::<f64>::deserialize(deserializer)
}

fn from_json(text: &str) -> Result<Vec<Entry>> {
    // serde_json's messages name the field and the line and column.
    let document: Document = serde_json::from_str(text).map_err(|e| anyhow!("{e}"))?;
    let entries = document.results.into_iter().enumerate();
    entries
        .map(|(i, entry)| json_entry(entry, Place::Item(i + 1)))
        .collect()
}

fn json_entry(entry: JsonEntry, place: Place) -> Result<Entry> {
    let dimensions = json_dimensions(&entry.dimensions).map_err(|e| anyhow!("{place}: {e}"))?;
    Ok(Entry {
        key: Key {
            kpi: entry.kpi,
            period: entry.period,
            dimensions,
        },
        value: entry.value,
        status: entry.status,
        place,
    })
}

/// `{"region": "EMEA", "channel": "Web"}` → `region=EMEA;channel=Web`, in the file's order.
fn json_dimensions(map: &serde_json::Map<String, serde_json::Value>) -> Result<String> {
    let pairs = map.iter().map(|(name, value)| match value.as_str() {
        Some(value) => Ok(format!("{name}={value}")),
        None => Err(anyhow!("dimension `{name}` is {value}, not a string")),
    });
    Ok(pairs.collect::<Result<Vec<_>>>()?.join(";"))
}

/// Where the columns `diff` reads are; `dimensions` and `status` may be missing.
struct Columns {
    kpi: usize,
    period: usize,
    value: usize,
    dimensions: Option<usize>,
    status: Option<usize>,
}

impl Columns {
    fn find(header: &csv::StringRecord) -> Result<Columns> {
        let at = |name: &str| header.iter().position(|h| h == name);
        let required = ["kpi", "period", "value"].map(|name| (name, at(name)));
        let missing: Vec<&str> = required
            .iter()
            .filter(|(_, i)| i.is_none())
            .map(|(name, _)| *name)
            .collect();
        if let [(_, Some(kpi)), (_, Some(period)), (_, Some(value))] = required {
            return Ok(Columns {
                kpi,
                period,
                value,
                dimensions: at("dimensions"),
                status: at("status"),
            });
        }
        // A one-column "header" is not CSV at all (a table, say): listing it would not help.
        let found = match header.len() {
            0 | 1 => "not a CSV header".to_string(),
            _ => format!(
                "the header has: {}",
                header.iter().collect::<Vec<_>>().join(", ")
            ),
        };
        bail!(
            "line 1: missing column {} ({found})\n  hint: compare files written by \
             `kpi run --format json` or `kpi run --format csv`",
            missing.join(", "),
        )
    }
}

fn from_csv(text: &str) -> Result<Vec<Entry>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let columns = Columns::find(reader.headers()?)?;
    let mut entries = Vec::new();
    for record in reader.records() {
        // The csv crate's own messages already say which line.
        let record = record?;
        let line = record.position().map_or(0, |p| p.line());
        let place = Place::Line(line);
        entries.push(csv_entry(&record, &columns, place).map_err(|e| anyhow!("{place}: {e}"))?);
    }
    Ok(entries)
}

fn csv_entry(record: &csv::StringRecord, columns: &Columns, place: Place) -> Result<Entry> {
    let cell = |i: usize| record.get(i).unwrap_or_default();
    let optional = |i: Option<usize>| i.map(cell).filter(|c| !c.is_empty());
    let key = Key {
        kpi: cell(columns.kpi).to_string(),
        period: cell(columns.period).to_string(),
        dimensions: optional(columns.dimensions).unwrap_or_default().to_string(),
    };
    Ok(Entry {
        key,
        value: csv_number(cell(columns.value))?,
        status: optional(columns.status).map(str::to_string),
        place,
    })
}

/// An empty cell is no value; anything else must be a finite number, as `run` writes them
/// (Rust would also read `NaN` and `inf`, which `run` never writes).
fn csv_number(cell: &str) -> Result<Option<f64>> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(None);
    }
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => bail!("value `{cell}` is not a number"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{self, fixture, Format};

    fn key(kpi: &str, period: &str, dimensions: &str) -> Key {
        Key {
            kpi: kpi.into(),
            period: period.into(),
            dimensions: dimensions.into(),
        }
    }

    fn error(text: &str) -> String {
        parse(text).expect_err("an error").to_string()
    }

    /// The fixture exercises nulls, statuses and a two-dimension breakdown.
    #[test]
    fn json_and_csv_of_one_report_read_the_same() {
        let report = fixture::report();
        let json = parse(&report::render(&report, Format::Json, report::Look::PLAIN)).unwrap();
        let csv = parse(&report::render(&report, Format::Csv, report::Look::PLAIN)).unwrap();
        let without_place = |entries: Vec<Entry>| -> Vec<_> {
            entries
                .into_iter()
                .map(|e| (e.key, e.value, e.status))
                .collect()
        };
        let json = without_place(json);
        assert_eq!(json, without_place(csv));
        assert_eq!(json.len(), report.results.len());
        assert_eq!(
            json[4].0,
            key("cycle_time", "2026-10", "region=EMEA;channel=Web")
        );
        assert_eq!((json[2].1, json[2].2.as_deref()), (None, Some("no_data")));
    }

    #[test]
    fn keeps_only_what_diff_needs() {
        let text = "\u{feff}kpi,period,value,extra\nwin_rate,2026-10,0.5,x\nnps,2026-W47,,y\n";
        let entries = parse(text).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].key, key("win_rate", "2026-10", ""));
        assert_eq!(
            (entries[0].value, entries[0].status.as_ref()),
            (Some(0.5), None)
        );
        assert_eq!((entries[1].value, entries[1].place), (None, Place::Line(3)));
    }

    #[test]
    fn json_results_are_told_by_the_first_character() {
        let text = " \n{\"results\": [{\"kpi\": \"a\", \"period\": \"2026\", \"value\": null, \
                    \"dimensions\": {\"r\": \"x\", \"c\": \"y\"}, \"new_field\": 1}]}";
        let entries = parse(text).unwrap();
        assert_eq!(entries[0].key, key("a", "2026", "r=x;c=y"));
        assert_eq!(entries[0].place, Place::Item(1));
    }

    #[test]
    fn malformed_files_say_where() {
        assert_eq!(error(" \n"), "the file is empty");
        assert!(error("kpi,value\na,1\n")
            .starts_with("line 1: missing column period (the header has: kpi, value)"));
        assert!(error("┌──┐\n").contains("(not a CSV header)"));
        assert_eq!(
            error("kpi,period,value\na,2026,1\na,2026,NaN\n"),
            "line 3: value `NaN` is not a number"
        );
        assert_eq!(
            error("kpi,period,value\na,2026,1\nb,2026,\na,2026,2\n"),
            "two results for a 2026 (line 2 and line 4)"
        );
        let json = |result: &str| error(&format!("{{\"results\": [{result}]}}"));
        assert!(json(r#"{"kpi": "a", "period": "2026"}"#).starts_with("missing field `value`"));
        assert_eq!(
            json(r#"{"kpi": "a", "period": "2026", "value": 1, "dimensions": {"r": 1}}"#),
            "result 1: dimension `r` is 1, not a string"
        );
        assert!(error("{\"as_of\": \"2026-11-22\"}").starts_with("missing field `results`"));
    }
}
