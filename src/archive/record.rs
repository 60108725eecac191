//! One archived value and the rule that merges a run's values into a KPI's records.
//!
//! Pure: reading and writing files is [`super::store`]'s job, and deciding what to record the
//! command layer's.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::model::KpiResult;

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
}

impl ArchiveRecord {
    /// The record of a computed result.
    pub fn from_result(result: &KpiResult, recorded_at: &str, fingerprint: &str) -> ArchiveRecord {
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
        }
    }

    /// What a record is unique by within its KPI's file.
    pub(super) fn key(&self) -> (String, String) {
        (self.period.clone(), self.dimensions.clone())
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

/// The records of one KPI file after a run: incoming records replace those with the same
/// period and dimensions (the latest run wins, the last of duplicates too), the rest stay.
/// Sorted by period start, then dimensions with the overall value first, for stable files.
pub fn merge<'a>(
    existing: Vec<ArchiveRecord>,
    incoming: impl IntoIterator<Item = &'a ArchiveRecord>,
) -> Vec<ArchiveRecord> {
    let mut by_key: BTreeMap<(String, String), ArchiveRecord> =
        existing.into_iter().map(|r| (r.key(), r)).collect();
    for record in incoming {
        by_key.insert(record.key(), record.clone());
    }
    let mut merged: Vec<ArchiveRecord> = by_key.into_values().collect();
    merged.sort_by(|a, b| {
        (a.period_start, &a.dimensions, &a.period).cmp(&(b.period_start, &b.dimensions, &b.period))
    });
    merged
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
        let merged = merge(existing, [&b, &a, &b_again]);
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
}
