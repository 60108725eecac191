//! One archived value, the rule that merges a run's values into a KPI's records, and the rule
//! that tells a restated value from a new one.
//!
//! Pure: reading and writing files is [`super::store`]'s job, and deciding what to record the
//! command layer's.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde_json::{Map, Value as Json};

use crate::model::KpiResult;
use crate::value::Value;

/// One archived value: a KPI, for one period, overall (`dimensions` empty) or for one breakdown.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchiveRecord {
    pub kpi: String,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// `region=EMEA;channel=Web`, as in the CSV output; empty for the overall value.
    pub dimensions: String,
    pub value: Option<f64>,
    pub rows: u64,
    /// When the run that computed the value happened (RFC 3339, chosen by the caller).
    pub recorded_at: String,
    /// A fingerprint of the KPI's definition, to tell whether two values are like-for-like.
    pub fingerprint: String,
    /// A fingerprint of the data the value came from (empty in layout 1 records).
    pub source_fingerprint: String,
    /// What the value was made of: each aggregate by its text (`count(*)`, `avg(amount) n`),
    /// or for a derived KPI each KPI it uses. Empty in layout 1 records.
    pub parts: Map<String, Json>,
}

impl ArchiveRecord {
    /// The record of a computed result.
    pub fn from_result(
        result: &KpiResult,
        recorded_at: &str,
        fingerprint: &str,
        source_fingerprint: &str,
    ) -> ArchiveRecord {
        ArchiveRecord {
            kpi: result.kpi.clone(),
            period: result.period.clone(),
            period_start: result.period_start,
            period_end: result.period_end,
            dimensions: result.dimensions_label(),
            value: result.value,
            rows: result.rows,
            recorded_at: recorded_at.to_string(),
            fingerprint: fingerprint.to_string(),
            source_fingerprint: source_fingerprint.to_string(),
            parts: result
                .parts
                .iter()
                .map(|(name, value)| (name.clone(), part_json(value)))
                .collect(),
        }
    }

    /// What a record is unique by within its KPI's file.
    pub(super) fn key(&self) -> (String, String) {
        (self.period.clone(), self.dimensions.clone())
    }
}

/// A part as JSON: numbers stay numbers, dates become `YYYY-MM-DD`.
fn part_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        // Counts read better as 94 than as 94.0.
        Value::Num(x) if x.fract() == 0.0 && x.abs() < 9e15 => Json::from(*x as i64),
        Value::Num(x) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
        Value::Bool(b) => Json::Bool(*b),
        other => Json::String(crate::engine::label_of(other)),
    }
}

/// Finds the record of a period and dimensions label in records read earlier.
pub fn find<'a>(
    records: &'a [ArchiveRecord],
    period: &str,
    dimensions: &str,
) -> Option<&'a ArchiveRecord> {
    records
        .iter()
        .find(|r| r.period == period && r.dimensions == dimensions)
}

/// `region=EMEA;channel=Web` → `region+channel`: which breakdown a dimensions label belongs
/// to (empty for the overall value).
pub fn breakdown_of(dimensions: &str) -> String {
    if dimensions.is_empty() {
        return String::new();
    }
    dimensions
        .split(';')
        .map(|pair| pair.split_once('=').map_or(pair, |(name, _)| name))
        .collect::<Vec<_>>()
        .join("+")
}

/// The breakdowns a run computed, by period: what it replaces as a whole.
fn replaced<'a>(incoming: &[&'a ArchiveRecord]) -> HashSet<(&'a str, String)> {
    incoming
        .iter()
        .map(|r| (r.period.as_str(), breakdown_of(&r.dimensions)))
        .collect()
}

/// Existing records of a breakdown the run recomputed for their period, that the run did not
/// give again: the group has no row any more (a corrected export moved the deals of a region).
fn superseded<'e>(
    existing: &'e [ArchiveRecord],
    incoming: &[&ArchiveRecord],
) -> Vec<&'e ArchiveRecord> {
    let replaced = replaced(incoming);
    let given: HashSet<(&str, &str)> = incoming
        .iter()
        .map(|r| (r.period.as_str(), r.dimensions.as_str()))
        .collect();
    existing
        .iter()
        .filter(|r| {
            replaced.contains(&(r.period.as_str(), breakdown_of(&r.dimensions)))
                && !given.contains(&(r.period.as_str(), r.dimensions.as_str()))
        })
        .collect()
}

/// The records of one KPI file after a run: the run replaces, for each period it computed,
/// every breakdown it computed (the latest run wins, the last of duplicates too); other
/// periods and other breakdowns stay. Sorted by period start, then dimensions with the
/// overall value first, for stable files.
pub fn merge(existing: Vec<ArchiveRecord>, incoming: &[&ArchiveRecord]) -> Vec<ArchiveRecord> {
    let stale: HashSet<(String, String)> = superseded(&existing, incoming)
        .into_iter()
        .map(ArchiveRecord::key)
        .collect();
    let mut by_key: BTreeMap<(String, String), ArchiveRecord> = existing
        .into_iter()
        .filter(|r| !stale.contains(&r.key()))
        .map(|r| (r.key(), r))
        .collect();
    for record in incoming {
        by_key.insert(record.key(), (*record).clone());
    }
    let mut merged: Vec<ArchiveRecord> = by_key.into_values().collect();
    merged.sort_by(|a, b| {
        (a.period_start, &a.dimensions, &a.period).cmp(&(b.period_start, &b.dimensions, &b.period))
    });
    merged
}

/// A value recorded for a closed period that a later run changed (late data, a corrected
/// export, a new definition): worth telling, never silently overwritten.
#[derive(Debug, Clone, PartialEq)]
pub struct Restatement {
    pub kpi: String,
    pub period: String,
    pub dimensions: String,
    pub old: Option<f64>,
    pub new: Option<f64>,
    /// The definition changed between the two values (so a change is expected).
    pub definition_changed: bool,
}

/// The incoming values of closed periods that differ from what was recorded for the same
/// period, dimensions and stretch of days, then the recorded values the run drops (a
/// breakdown group that has no row any more). A value recorded to date (a shorter stretch)
/// that the whole period replaces is not a restatement: it was never final.
pub fn restatements(
    existing: &[ArchiveRecord],
    incoming: &[&ArchiveRecord],
    closed: &dyn Fn(&ArchiveRecord) -> bool,
) -> Vec<Restatement> {
    let mut found = changed(existing, incoming, closed);
    let stretch = |r: &ArchiveRecord| (r.period.clone(), r.period_start, r.period_end);
    let closed_stretches: HashSet<_> = incoming
        .iter()
        .filter(|r| closed(r))
        .map(|r| stretch(r))
        .collect();
    found.extend(
        superseded(existing, incoming)
            .into_iter()
            .filter(|old| old.value.is_some() && closed_stretches.contains(&stretch(old)))
            .map(|old| Restatement {
                kpi: old.kpi.clone(),
                period: old.period.clone(),
                dimensions: old.dimensions.clone(),
                old: old.value,
                new: None,
                definition_changed: false,
            }),
    );
    found
}

fn changed(
    existing: &[ArchiveRecord],
    incoming: &[&ArchiveRecord],
    closed: &dyn Fn(&ArchiveRecord) -> bool,
) -> Vec<Restatement> {
    let by_key: BTreeMap<(&str, &str), &ArchiveRecord> = existing
        .iter()
        .map(|r| ((r.period.as_str(), r.dimensions.as_str()), r))
        .collect();
    incoming
        .iter()
        .filter(|new| closed(new))
        .filter_map(|new| {
            let old = by_key.get(&(new.period.as_str(), new.dimensions.as_str()))?;
            let same_stretch =
                old.period_start == new.period_start && old.period_end == new.period_end;
            (same_stretch && !same_value(old.value, new.value)).then(|| Restatement {
                kpi: new.kpi.clone(),
                period: new.period.clone(),
                dimensions: new.dimensions.clone(),
                old: old.value,
                new: new.value,
                definition_changed: old.fingerprint != new.fingerprint,
            })
        })
        .collect()
}

/// Equal, or within the last bits of a float (a value read back from its shortest digits is
/// exact; this only absorbs summation order).
fn same_value(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs()),
        (a, b) => a.is_none() && b.is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(period: &str, day: u32, dimensions: &str, value: f64) -> ArchiveRecord {
        let start = NaiveDate::from_ymd_opt(2026, 10, day).unwrap();
        ArchiveRecord {
            kpi: "k".into(),
            period: period.into(),
            period_start: start,
            period_end: start,
            dimensions: dimensions.into(),
            value: Some(value),
            rows: 1,
            recorded_at: String::new(),
            fingerprint: String::new(),
            source_fingerprint: String::new(),
            parts: Map::new(),
        }
    }

    #[test]
    fn merge_replaces_by_period_and_dimensions_and_sorts() {
        let existing = vec![
            rec("2026-10-02", 2, "", 1.0),
            rec("2026-10-01", 1, "r=B", 2.0),
        ];
        let a = rec("2026-10-01", 1, "", 3.0);
        let b = rec("2026-10-02", 2, "", 4.0);
        let b_again = rec("2026-10-02", 2, "", 5.0);
        let merged = merge(existing, &[&b, &a, &b_again]);
        let keys: Vec<(&str, &str, Option<f64>)> = merged
            .iter()
            .map(|r| (r.period.as_str(), r.dimensions.as_str(), r.value))
            .collect();
        assert_eq!(
            keys,
            [
                ("2026-10-01", "", Some(3.0)),
                ("2026-10-01", "r=B", Some(2.0)),
                ("2026-10-02", "", Some(5.0)),
            ]
        );
        assert_eq!(
            find(&merged, "2026-10-01", "r=B").map(|r| r.value),
            Some(Some(2.0))
        );
    }

    #[test]
    fn a_changed_closed_value_is_a_restatement_and_nothing_else_is() {
        let existing = vec![
            rec("2026-10-01", 1, "", 1.0),
            rec("2026-10-01", 1, "r=B", 2.0),
            rec("2026-10-02", 2, "", 3.0),
        ];
        let same = rec("2026-10-01", 1, "", 1.0);
        let mut changed = rec("2026-10-01", 1, "r=B", 2.5);
        changed.fingerprint = "new".into();
        let brand_new = rec("2026-10-03", 3, "", 9.0);
        let mut longer = rec("2026-10-02", 2, "", 4.0);
        longer.period_end = NaiveDate::from_ymd_opt(2026, 10, 9).unwrap();
        let all = [&same, &changed, &brand_new, &longer];
        let found = restatements(&existing, &all, &|_| true);
        assert_eq!(
            found,
            [Restatement {
                kpi: "k".into(),
                period: "2026-10-01".into(),
                dimensions: "r=B".into(),
                old: Some(2.0),
                new: Some(2.5),
                definition_changed: true,
            }]
        );
        // An open period (to date, a snapshot) changes freely.
        assert_eq!(restatements(&existing, &all, &|_| false), []);
        // A value that vanished is a restatement too.
        let mut gone = rec("2026-10-01", 1, "", 0.0);
        gone.value = None;
        assert_eq!(restatements(&existing, &[&gone], &|_| true)[0].new, None);
    }

    #[test]
    fn a_breakdown_group_without_rows_any_more_is_dropped_and_told() {
        let existing = vec![
            rec("p1", 1, "", 10.0),
            rec("p1", 1, "r=A", 4.0),
            rec("p1", 1, "r=B", 6.0),
            rec("p1", 1, "r=A;c=X", 4.0),
            rec("p2", 2, "r=B", 1.0),
        ];
        // The run of p1 by region: B has no row any more, A got them all.
        let overall = rec("p1", 1, "", 10.0);
        let a = rec("p1", 1, "r=A", 10.0);
        let incoming = [&overall, &a];
        let merged = merge(existing.clone(), &incoming);
        let keys: Vec<(&str, &str)> = merged
            .iter()
            .map(|r| (r.period.as_str(), r.dimensions.as_str()))
            .collect();
        // The other breakdown (r+c) and the other period stay.
        assert_eq!(
            keys,
            [("p1", ""), ("p1", "r=A"), ("p1", "r=A;c=X"), ("p2", "r=B")]
        );
        let told = restatements(&existing, &incoming, &|_| true);
        let told: Vec<(&str, Option<f64>, Option<f64>)> = told
            .iter()
            .map(|r| (r.dimensions.as_str(), r.old, r.new))
            .collect();
        assert_eq!(
            told,
            [("r=A", Some(4.0), Some(10.0)), ("r=B", Some(6.0), None)]
        );
        assert_eq!(breakdown_of("r=A;c=X"), "r+c");
        assert_eq!(breakdown_of(""), "");
    }

    #[test]
    fn parts_keep_numbers_and_dates() {
        let json = [
            part_json(&Value::Num(33.0)),
            part_json(&Value::Null),
            part_json(&Value::Num(f64::NAN)),
            part_json(&Value::Date(0)),
        ];
        assert_eq!(json[0].to_string(), "33");
        assert_eq!(json[1], Json::Null);
        assert_eq!(json[2], Json::Null);
        assert_eq!(json[3], Json::String("1970-01-01".into()));
    }
}
