//! Values a KPI's archive still holds under an earlier definition: after a definition change,
//! which periods they are and where a backfill would start to bring them up to date.
//!
//! Pure: the command layer reads the records and decides when to tell.

use super::ArchiveRecord;
use chrono::NaiveDate;

/// The periods recorded under another definition than the current one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outdated {
    /// How many distinct periods.
    pub periods: usize,
    /// The earliest and latest of them, by start.
    pub first: String,
    pub last: String,
    /// The first day of the earliest: the date to pass to `kpi backfill --from`.
    pub from: NaiveDate,
}

/// The periods of `records` whose values were recorded with another fingerprint than
/// `fingerprint`; None when every value is of the current definition.
pub fn outdated(records: &[ArchiveRecord], fingerprint: &str) -> Option<Outdated> {
    let mut periods: Vec<(NaiveDate, &str)> = records
        .iter()
        .filter(|r| r.fingerprint != fingerprint)
        .map(|r| (r.period_start, r.period.as_str()))
        .collect();
    periods.sort_unstable();
    periods.dedup();
    let (from, first) = *periods.first()?;
    let (_, last) = *periods.last()?;
    Some(Outdated {
        periods: periods.len(),
        first: first.to_string(),
        last: last.to_string(),
        from,
    })
}

impl Outdated {
    /// `3 periods (2026-07 to 2026-09) are`, `1 period (2026-07) is`.
    pub fn describe(&self) -> String {
        match self.periods {
            1 => format!("1 period ({}) is", self.first),
            n => format!("{n} periods ({} to {}) are", self.first, self.last),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(period: &str, start: &str, dimensions: &str, fingerprint: &str) -> ArchiveRecord {
        let start = NaiveDate::parse_from_str(start, "%Y-%m-%d").unwrap();
        ArchiveRecord {
            kpi: "revenue".into(),
            period: period.into(),
            period_start: start,
            period_end: start,
            dimensions: dimensions.into(),
            value: Some(1.0),
            rows: 1,
            recorded_at: String::new(),
            fingerprint: fingerprint.into(),
            source_fingerprint: String::new(),
            parts: Default::default(),
        }
    }

    #[test]
    fn the_periods_of_other_definitions_are_counted_once_from_the_earliest() {
        let records = [
            record("2026-08", "2026-08-01", "", "old"),
            record("2026-08", "2026-08-01", "region=EMEA", "old"),
            record("2026-07", "2026-07-01", "", "older"),
            record("2026-09", "2026-09-01", "", "old"),
            record("2026-10", "2026-10-01", "", "new"),
        ];
        let found = outdated(&records, "new").expect("outdated periods");
        assert_eq!(found.periods, 3);
        assert_eq!(
            (found.first.as_str(), found.last.as_str()),
            ("2026-07", "2026-09")
        );
        assert_eq!(found.from.to_string(), "2026-07-01");
        assert_eq!(found.describe(), "3 periods (2026-07 to 2026-09) are");
        assert_eq!(outdated(&records[4..], "new"), None);
        let one = outdated(&records[2..3], "new").unwrap();
        assert_eq!(one.describe(), "1 period (2026-07) is");
    }
}
