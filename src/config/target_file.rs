//! `target = { file = "targets.csv" }`: targets per period (and breakdown) read from a CSV with
//! the columns `kpi`, `period`, `dimensions` and `value`. Read when the configuration loads, so
//! that every bad row is a configuration error naming the file and line. Several KPIs may share
//! one file: each row names its KPI.

use super::raw::{RawKpi, RawUnit};
use super::resolve::Ctx;
use super::{scale, Kpi};
use crate::dimensions::dimension_pairs;
use crate::period::Calendar;
use anyhow::{anyhow, bail, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const COLUMNS: [&str; 4] = ["kpi", "period", "dimensions", "value"];

/// One KPI's rows of a target file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetFile {
    /// The file as written in the configuration (`targets.csv`), for the catalog.
    pub written: String,
    /// (period label as the results write it, breakdown label) → target value.
    pub rows: BTreeMap<(String, String), f64>,
}

impl TargetFile {
    pub fn value(&self, period: &str, dimensions: &str) -> Option<f64> {
        self.rows
            .get(&(period.to_string(), dimensions.to_string()))
            .copied()
    }
}

/// Reads every target file the KPIs name (each once) and hands each KPI its rows; each
/// problem is pushed to `problems` with the file and line.
pub(super) fn attach(
    ctx: &Ctx,
    raws: &[&RawKpi],
    kpis: &mut [Kpi],
    calendar: &Calendar,
    problems: &mut Vec<String>,
) {
    let mut files: BTreeMap<PathBuf, Vec<&RawKpi>> = BTreeMap::new();
    for raw in raws {
        if let Some(file) = raw.target.as_ref().and_then(|t| t.get_ref().file.as_ref()) {
            files
                .entry(ctx.relative(file.get_ref()))
                .or_default()
                .push(raw);
        }
    }
    for (path, users) in files {
        for kpi in kpis.iter_mut() {
            if let Some(raw) = users.iter().find(|r| r.id.get_ref() == &kpi.id) {
                let written = raw.target.as_ref().and_then(|t| t.get_ref().file.as_ref());
                kpi.target_file = Some(TargetFile {
                    written: written.map(|w| w.get_ref().clone()).unwrap_or_default(),
                    rows: BTreeMap::new(),
                });
            }
        }
        if let Err(e) = read(&path, &users, kpis, calendar, problems) {
            problems.push(format!("{e:#}"));
        }
    }
}

/// The rows of one file into the KPIs that use it; a bad row is recorded and the others kept.
fn read(
    path: &Path,
    users: &[&RawKpi],
    kpis: &mut [Kpi],
    calendar: &Calendar,
    problems: &mut Vec<String>,
) -> Result<()> {
    let file = path.display();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| anyhow!("{file}: cannot read the target file: {}", io_reason(&e)))?;
    let header = reader
        .headers()
        .map_err(|e| anyhow!("{file}:1: {e}"))?
        .clone();
    let index: Vec<usize> = COLUMNS
        .iter()
        .map(|name| {
            header.iter().position(|h| h.trim() == *name).ok_or_else(|| {
                anyhow!("{file}:1: target file has no column `{name}` (it needs kpi, period, dimensions, value)")
            })
        })
        .collect::<Result<_>>()?;
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let result = record.map_err(|e| anyhow!("{e}")).and_then(|r| {
            let cell = |i: usize| r.get(index[i]).unwrap_or("").trim().to_string();
            let row = [cell(0), cell(1), cell(2), cell(3)];
            one_row(&row, users, kpis, calendar)
        });
        if let Err(e) = result {
            problems.push(format!("{file}:{line}: {e:#}"));
        }
    }
    Ok(())
}

/// One row `[kpi, period, dimensions, value]` added to its KPI.
fn one_row(
    [id, period, dimensions, value]: &[String; 4],
    users: &[&RawKpi],
    kpis: &mut [Kpi],
    calendar: &Calendar,
) -> Result<()> {
    let Some(raw) = users.iter().find(|r| r.id.get_ref() == id) else {
        let using: Vec<&str> = users.iter().map(|r| r.id.get_ref().as_str()).collect();
        bail!(
            "kpi `{id}` does not take its target from this file (KPIs with target.file = this file: {})",
            using.join(", ")
        );
    };
    // A KPI left out for another problem: its rows cannot be checked further.
    let Some(kpi) = kpis.iter_mut().find(|k| &k.id == id) else {
        return Ok(());
    };
    let label = calendar
        .parse_label(kpi.frequency, period)
        .map(|p| calendar.label(&p))
        .map_err(|e| {
            anyhow!(
                "kpi `{id}`: period: {e} (the KPI is {})",
                kpi.frequency.name()
            )
        })?;
    check_breakdown(kpi, dimensions)?;
    let number: f64 = value
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| anyhow!("kpi `{id}`: value {value:?} is not a number"))?;
    if matches!(raw.unit, Some(RawUnit::Percent)) && number.abs() > 1.0 {
        bail!(
            "kpi `{id}`: value {number} is above 1 on a percent KPI, whose values are fractions\n  hint: {}",
            scale::hint(number)
        );
    }
    let Some(file) = kpi.target_file.as_mut() else {
        return Ok(());
    };
    if file
        .rows
        .insert((label.clone(), dimensions.clone()), number)
        .is_some()
    {
        bail!("kpi `{id}`: a second row for period {label} and dimensions {dimensions:?}");
    }
    Ok(())
}

/// `region=EMEA;channel=Web` must name one of the KPI's breakdowns, in its order: a label no
/// result carries would silently hold nothing.
fn check_breakdown(kpi: &Kpi, dimensions: &str) -> Result<()> {
    if dimensions.is_empty() {
        return Ok(());
    }
    let pairs = dimension_pairs(dimensions);
    let names: Vec<String> = pairs.iter().map(|(name, _)| name.clone()).collect();
    if pairs.iter().all(|(_, value)| !value.is_empty()) && kpi.dimensions.contains(&names) {
        return Ok(());
    }
    let breakdowns: Vec<String> = kpi.dimensions.iter().map(|d| d.join("+")).collect();
    bail!(
        "kpi `{}`: dimensions {dimensions:?} is not one of its breakdowns, written `column=value` joined by `;` ({})",
        kpi.id,
        if breakdowns.is_empty() {
            "it has none".to_string()
        } else {
            breakdowns.join(", ")
        }
    )
}

fn io_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
            "no such file".to_string()
        }
        _ => e.to_string(),
    }
}
