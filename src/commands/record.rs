//! What the commands that compute share about the archive: opening it, reading what it knows
//! before a run, recording what the run computed and telling restated values.

use super::compute::{Computed, Known};
use super::warn;
use crate::archive::{
    outdated, Archive, ArchiveRecord, LoadedHistory, Restatement, SourceState, Update,
};
use crate::config::Config;
use crate::engine::pass::OTHER_LABEL;
use crate::error::{Error, Kind, ResultExt};
use crate::model::{Rank, Status};
use crate::report::format::format_change;
use anyhow::anyhow;
use std::collections::HashMap;
use std::time::Duration;

/// The configured archive, waiting `$KPI_LOCK_TIMEOUT` seconds for another run's lock.
pub fn open_archive(config: &Config) -> Result<Archive, Error> {
    let archive = Archive::new(&config.settings.archive);
    let Some(text) = std::env::var_os("KPI_LOCK_TIMEOUT") else {
        return Ok(archive);
    };
    let text = text.to_string_lossy();
    let seconds: f64 = text
        .trim()
        .parse()
        .ok()
        .filter(|s: &f64| s.is_finite() && *s >= 0.0)
        .ok_or_else(|| {
            anyhow!("KPI_LOCK_TIMEOUT=`{text}`: expected a number of seconds, such as 30")
        })
        .kind(Kind::Usage)?;
    Ok(archive.with_lock_timeout(Duration::from_secs_f64(seconds)))
}

/// The archive and what it held when the command started: archived values and source states,
/// read once before computing.
pub struct Opened {
    pub archive: Archive,
    history: LoadedHistory,
    sources: HashMap<String, SourceState>,
}

impl Opened {
    /// What a computation compares with.
    pub fn known(&self) -> Known<'_> {
        Known {
            history: &self.history,
            sources: &self.sources,
        }
    }
}

/// Opens the configured archive and reads what it knows.
pub fn open_known(config: &Config) -> Result<Opened, Error> {
    let archive = open_archive(config)?;
    let ids = config.kpis.iter().map(|k| k.id.as_str());
    let history = LoadedHistory::load(&archive, ids).kind(Kind::Archive)?;
    let mut sources = HashMap::new();
    for source in &config.sources {
        if let Some(state) = archive.source_state(&source.name).kind(Kind::Archive)? {
            sources.insert(source.name.clone(), state);
        }
    }
    Ok(Opened {
        archive,
        history,
        sources,
    })
}

/// Records every value computed (but stale ones) and each source's state, then tells restated values on stderr.
pub fn record(config: &Config, archive: &Archive, computed: &Computed) -> Result<(), Error> {
    // Ctrl-C during the pass stops before anything is written; once recording has started,
    // it finishes (milliseconds) so that the archive is never left half-updated.
    crate::interrupt::check().kind(Kind::Interrupted)?;
    let now = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    // A stale figure is not a measurement of its period (the export stops before it): kept
    // out of the archive, it never becomes a previous value or a point of history.
    let records: Vec<ArchiveRecord> = computed
        .results
        .iter()
        .filter(|r| r.status != Status::Stale)
        .filter_map(|r| {
            let kpi = config.kpi(&r.kpi)?;
            Some(ArchiveRecord::from_result(
                r,
                &now,
                &kpi.fingerprint,
                &r.source_fingerprint,
            ))
        })
        .collect();
    let sources: Vec<SourceState> = computed
        .sources
        .iter()
        .map(|s| SourceState {
            recorded_at: now.clone(),
            ..s.clone()
        })
        .collect();
    let mut restated = archive
        .record(&Update {
            records: &records,
            sources: &sources,
            closed: &|r| computed.closed.contains(&r.kpi),
        })
        .kind(Kind::Archive)?;
    // A group that `top` now leaves out is in `(other)`, not gone from the data; an `(other)`
    // no longer given means `top` changed.
    restated.retain(|r| {
        let key = (r.kpi.clone(), r.period.clone(), r.dimensions.clone());
        let other = r.dimensions.contains(&format!("={OTHER_LABEL}"));
        r.new.is_some() || !(other || computed.left_out.contains(&key))
    });
    for message in restatement_messages(config, &restated) {
        warn(message);
    }
    for message in definition_notes(config, archive, computed, &restated)? {
        warn(message);
    }
    Ok(())
}

/// After a definition change (a value restated under the new one, or a delta that is not
/// like-for-like), the periods still stored under an earlier definition and the backfill that
/// recomputes them: without it, history and sparklines mix two definitions unnoticed.
fn definition_notes(
    config: &Config,
    archive: &Archive,
    computed: &Computed,
    restated: &[Restatement],
) -> Result<Vec<String>, Error> {
    let changed = restated.iter().filter(|r| r.definition_changed);
    let unlike = computed
        .results
        .iter()
        .filter(|r| r.comparable == Some(false) && r.rank != Rank::Other);
    let mut ids: Vec<&str> = changed.map(|r| r.kpi.as_str()).collect();
    ids.extend(unlike.map(|r| r.kpi.as_str()));
    let mut notes = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let Some(kpi) = config.kpi(id).filter(|_| !ids[..i].contains(id)) else {
            continue;
        };
        let records = archive.read(id).kind(Kind::Archive)?;
        if let Some(old) = outdated(&records, &kpi.fingerprint) {
            notes.push(format!(
                "{id}: {} still stored under an earlier definition: run `kpi backfill --from {}` to recompute under the current one",
                old.describe(),
                old.from
            ));
        }
    }
    Ok(notes)
}

/// One message per KPI and period: the overall value's change (or the first breakdown's), and
/// how many breakdown values changed with it.
fn restatement_messages(config: &Config, restated: &[Restatement]) -> Vec<String> {
    let mut groups: Vec<(&str, &str, Vec<&Restatement>)> = Vec::new();
    for r in restated {
        match groups
            .iter_mut()
            .find(|(k, p, _)| *k == r.kpi && *p == r.period)
        {
            Some((_, _, list)) => list.push(r),
            None => groups.push((&r.kpi, &r.period, vec![r])),
        }
    }
    groups
        .into_iter()
        .map(|(kpi, period, list)| {
            let unit = config.kpi(kpi).map(|k| k.unit).unwrap_or_default();
            let shown = list
                .iter()
                .find(|r| r.dimensions.is_empty())
                .unwrap_or(&list[0]);
            let whose = if shown.dimensions.is_empty() {
                String::new()
            } else {
                format!(" ({})", shown.dimensions)
            };
            let others = list.len() - 1;
            let more = match others {
                0 => String::new(),
                1 => " and 1 other value".to_string(),
                n => format!(" and {n} other values"),
            };
            let why = if shown.definition_changed {
                "its definition changed since it was recorded"
            } else {
                "the data changed since it was recorded"
            };
            let (old, new) = format_change(shown.old, shown.new, unit);
            format!("restated {kpi} for {period}{whose}: {old} → {new}{more}; {why}")
        })
        .collect()
}
