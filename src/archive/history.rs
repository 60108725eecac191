//! The archive seen by the engine: recorded values by KPI, period and breakdown.

use super::{find, Archive, ArchiveError, ArchiveRecord};
use crate::engine::{History, Recorded};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The records of some KPIs, read once before computing.
#[derive(Debug, Default)]
pub struct LoadedHistory {
    records: HashMap<String, Vec<ArchiveRecord>>,
}

impl LoadedHistory {
    pub fn load<'a>(
        archive: &Archive,
        kpis: impl IntoIterator<Item = &'a str>,
    ) -> Result<LoadedHistory, ArchiveError> {
        let mut records = HashMap::new();
        for kpi in kpis {
            records.insert(kpi.to_string(), archive.read(kpi)?);
        }
        Ok(LoadedHistory { records })
    }
}

impl History for LoadedHistory {
    fn recorded(&self, kpi: &str, period: &str, dimensions: &str) -> Option<Recorded> {
        let record = find(self.records.get(kpi)?, period, dimensions)?;
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

    fn recent(
        &self,
        kpi: &str,
        dimensions: &str,
        before: NaiveDate,
        n: usize,
    ) -> Vec<(NaiveDate, Option<f64>)> {
        let Some(records) = self.records.get(kpi) else {
            return vec![];
        };
        let earlier: Vec<(NaiveDate, Option<f64>)> = records
            .iter()
            .filter(|r| r.dimensions == dimensions && r.period_start < before)
            .map(|r| (r.period_start, r.value))
            .collect();
        earlier[earlier.len().saturating_sub(n)..].to_vec()
    }
}
