//! `kpi run --results FILE`: the source KPIs' values as a warehouse computed them (the query of
//! `kpi sql`, exported as CSV), turned into the same results a pass over the sources gives.
//! Everything after — derived KPIs, previous values from the archive, statuses, recording,
//! reports — is the normal run's.

use super::Targets;
use crate::config::{Config, Kpi};
use crate::engine::compare::{self, Context};
use crate::engine::pass::{GroupOutput, KpiOutput, WindowOutput};
use crate::engine::RunWindows;
use crate::error::{Error, Kind, ResultExt};
use crate::model::{dimension_pairs, KpiResult};
use crate::period::Window;
use crate::value::Value;
use anyhow::{anyhow, bail, Context as _};
use std::collections::HashMap;
use std::path::Path;

/// The columns a results file must have; `parts` (a JSON object, as in the archive) is
/// optional and only feeds significance tests.
const REQUIRED: [&str; 5] = ["kpi", "period", "dimensions", "value", "rows"];

/// One row of the file.
struct Row {
    period: String,
    group: GroupOutput,
}

/// The results of the selected source KPIs, by KPI id, from the file at `path`.
pub(super) fn read_results(
    path: &Path,
    config: &Config,
    kpis: &[&Kpi],
    targets: &Targets,
    ctx: &Context,
) -> Result<HashMap<String, Vec<KpiResult>>, Error> {
    let mut rows = read_rows(path).kind(Kind::Data)?;
    let calendar = &config.settings.calendar;
    let mut results = HashMap::new();
    for kpi in kpis.iter().filter(|k| k.source.is_some()) {
        let Some(found) = rows.remove(&kpi.id) else {
            return Err(anyhow!(
                "{}: no row for kpi `{}`\n  hint: the file must come from `kpi sql` with this KPI selected (or all of them)",
                path.display(),
                kpi.id
            ))
            .kind(Kind::Data);
        };
        let mut of_kpi = Vec::new();
        for windows in &targets[kpi.id.as_str()] {
            let window_output = |window: &Window| {
                let label = calendar.label(&window.period);
                let mut groups: Vec<GroupOutput> = found
                    .iter()
                    .filter(|r| r.period == label)
                    .map(|r| r.group.clone())
                    .collect();
                // As a pass gives them: the overall value, then each breakdown in the KPI's
                // order, its groups sorted by their values.
                groups.sort_by_cached_key(|g| {
                    (breakdown_rank(kpi, &g.dimensions), g.dimensions.clone())
                });
                WindowOutput {
                    window: Some(*window),
                    groups,
                }
            };
            let output = KpiOutput {
                tops: vec![],
                id: kpi.id.clone(),
                windows: file_windows(kpi.is_snapshot(), windows)
                    .iter()
                    .map(window_output)
                    .collect(),
                counts: Default::default(),
                span: None,
            };
            of_kpi.extend(compare::source_results(kpi, &output, windows, ctx));
        }
        results.insert(kpi.id.clone(), of_kpi);
    }
    Ok(results)
}

/// The windows the file has rows for, oldest first: the one reported and each baseline's (a
/// base of `retention` is not in the file: its share is). A snapshot has one window, the state
/// reported; its baselines come from the archive alone.
fn file_windows(snapshot: bool, windows: &RunWindows) -> Vec<Window> {
    if snapshot {
        return vec![windows.target];
    }
    let in_file =
        |w: &Window| *w == windows.target || windows.baselines.iter().any(|(_, b)| b == w);
    windows.computed_windows().filter(in_file).collect()
}

/// 0 for the overall value, then 1, 2… in the order of the KPI's `dimensions`.
fn breakdown_rank(kpi: &Kpi, dimensions: &[(String, String)]) -> usize {
    if dimensions.is_empty() {
        return 0;
    }
    let same = |names: &Vec<String>| {
        names.len() == dimensions.len()
            && names
                .iter()
                .zip(dimensions)
                .all(|(n, (d, _))| n.eq_ignore_ascii_case(d))
    };
    1 + kpi
        .dimensions
        .iter()
        .position(same)
        .unwrap_or(kpi.dimensions.len())
}

/// Every row of the file, by KPI.
fn read_rows(path: &Path) -> anyhow::Result<HashMap<String, Vec<Row>>> {
    let mut reader = csv::ReaderBuilder::new()
        .from_path(path)
        .with_context(|| format!("cannot read the results file {}", path.display()))?;
    let header = reader
        .headers()
        .with_context(|| format!("{}: cannot read the header", path.display()))?
        .clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let mut at = Vec::new();
    for name in REQUIRED {
        match column(name) {
            Some(i) => at.push(i),
            None => bail!(
                "{}: no column `{name}` (a results file has the columns {}, and optionally parts)",
                path.display(),
                REQUIRED.join(", ")
            ),
        }
    }
    let parts_at = column("parts");
    let mut rows: HashMap<String, Vec<Row>> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.with_context(|| format!("{}:{line}: malformed CSV", path.display()))?;
        let field = |k: usize| record.get(at[k]).unwrap_or_default().trim();
        let place = || format!("{}:{line}", path.display());
        let value = match field(3) {
            "" => None,
            text => Some(
                text.parse::<f64>()
                    .map_err(|_| anyhow!("{}: value `{text}` is not a number", place()))?,
            ),
        };
        let count = field(4)
            .parse::<u64>()
            .map_err(|_| anyhow!("{}: rows `{}` is not a whole number", place(), field(4)))?;
        let parts = match parts_at.and_then(|p| record.get(p)).map(str::trim) {
            None | Some("") => vec![],
            Some(text) => parts_of(text).map_err(|e| anyhow!("{}: parts: {e}", place()))?,
        };
        rows.entry(field(0).to_string()).or_default().push(Row {
            period: field(1).to_string(),
            group: GroupOutput {
                dimensions: dimension_pairs(field(2)),
                value: value.filter(|v| v.is_finite()),
                rows: count,
                aggregates: vec![],
                parts,
            },
        });
    }
    Ok(rows)
}

/// `{"count(*)": 12, "avg(x) n": 12}` → the parts a pass would have computed.
fn parts_of(text: &str) -> anyhow::Result<Vec<(String, Value<'static>)>> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)?;
    Ok(map
        .into_iter()
        .map(|(name, v)| (name, v.as_f64().map_or(Value::Null, Value::Num)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::pass::Wanted;
    use crate::period::{Baseline, Calendar, Frequency};

    #[test]
    fn the_file_gives_every_baselines_window_but_not_retentions_bases() {
        let calendar = Calendar::default();
        let month = |label: &str| {
            let period = calendar
                .parse_label(Frequency::Month, label)
                .expect("label");
            Window::whole(period)
        };
        let (target, previous, year_ago) = (month("2026-10"), month("2026-09"), month("2025-10"));
        let wanted = |window: Window, base: Option<&str>| Wanted {
            window,
            base: base.map(month),
        };
        let windows = RunWindows {
            target,
            previous,
            baselines: vec![
                (Baseline::Previous, previous),
                (Baseline::YearAgo, year_ago),
            ],
            computed: vec![
                wanted(month("2025-09"), None),
                wanted(year_ago, Some("2025-09")),
                wanted(month("2026-08"), None),
                wanted(previous, Some("2026-08")),
                wanted(target, Some("2026-09")),
            ],
        };
        assert_eq!(file_windows(false, &windows), [year_ago, previous, target]);
        assert_eq!(file_windows(true, &windows), [target]);
    }
}
