//! The archive seen by the engine: recorded values by KPI, period and breakdown.

use super::{Archive, ArchiveError, ArchiveRecord};
use crate::engine::{History, Past, Recorded};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The records of some KPIs, read once before computing, indexed by breakdown group: a lookup
/// reads the group's few periods, not the whole file (100,000 groups would make that quadratic).
#[derive(Debug, Default)]
pub struct LoadedHistory {
    records: HashMap<String, Indexed>,
}

#[derive(Debug, Default)]
struct Indexed {
    records: Vec<ArchiveRecord>,
    /// Per dimensions label, the indices of its records in file order.
    by_group: HashMap<String, Vec<usize>>,
}

impl Indexed {
    fn of(records: Vec<ArchiveRecord>) -> Indexed {
        let mut by_group: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in records.iter().enumerate() {
            by_group.entry(r.dimensions.clone()).or_default().push(i);
        }
        Indexed { records, by_group }
    }

    /// The group's records, in file order.
    fn group<'a>(&'a self, dimensions: &str) -> impl Iterator<Item = &'a ArchiveRecord> + 'a {
        let indices = self.by_group.get(dimensions).map_or(&[][..], Vec::as_slice);
        indices.iter().map(|&i| &self.records[i])
    }
}

impl LoadedHistory {
    pub fn load<'a>(
        archive: &Archive,
        kpis: impl IntoIterator<Item = &'a str>,
    ) -> Result<LoadedHistory, ArchiveError> {
        let mut records = HashMap::new();
        for kpi in kpis {
            records.insert(kpi.to_string(), Indexed::of(archive.read(kpi)?));
        }
        Ok(LoadedHistory { records })
    }
}

impl History for LoadedHistory {
    fn recorded(&self, kpi: &str, period: &str, dimensions: &str) -> Option<Recorded> {
        let mut group = self.records.get(kpi)?.group(dimensions);
        let record = group.find(|r| r.period == period)?;
        Some(Recorded {
            value: record.value,
            parts: record
                .parts
                .iter()
                .filter_map(|(name, v)| v.as_f64().map(|x| (name.clone(), x)))
                .collect(),
            fingerprint: record.fingerprint.clone(),
            period_end: record.period_end,
        })
    }

    fn recent(&self, kpi: &str, dimensions: &str, before: NaiveDate, n: usize) -> Vec<Past> {
        let Some(indexed) = self.records.get(kpi) else {
            return vec![];
        };
        let earlier: Vec<Past> = indexed
            .group(dimensions)
            .filter(|r| r.period_start < before)
            .map(|r| Past {
                start: r.period_start,
                period: r.period.clone(),
                value: r.value,
            })
            .collect();
        let from = earlier.len().saturating_sub(n);
        earlier.into_iter().skip(from).collect()
    }
}
