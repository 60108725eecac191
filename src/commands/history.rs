//! `kpi history ID`: the archived values of a KPI over time, each with its previous period's
//! value, delta, status and trend, as a table, CSV or JSON (the fields of `run`; every
//! breakdown in CSV and JSON, the overall value alone in the table unless `--by`).

use super::compute::SPARKLINE_PERIODS;
use super::record::open_archive;
use super::{emit, load_config, look};
use crate::archive::ArchiveRecord;
use crate::cli::{Cli, HistoryArgs, OutputFormat};
use crate::config::{Config, Kpi};
use crate::engine::compare::{finish, Context};
use crate::engine::significance::{self, Sample};
use crate::engine::NoHistory;
use crate::error::{usage, Error, Kind, Outcome, ResultExt};
use crate::model::{Comparison, KpiResult, RunReport, Status};
use crate::report::{self, Format};
use std::collections::{BTreeMap, HashMap};

pub fn history(cli: &Cli, args: &HistoryArgs) -> Result<Outcome, Error> {
    let config = load_config(cli)?;
    let kpi = super::compute::find_kpi(&config, &args.kpi)?;
    let archive = open_archive(&config)?;
    let records = archive.read(&kpi.id).kind(Kind::Archive)?;
    let by = args.by.as_deref().map(normalise_dimension);
    if let Some(dim) = &by {
        let known = records.iter().any(|r| breakdown_of(&r.dimensions) == *dim);
        if !known && !records.is_empty() {
            return Err(usage(format!(
                "--by {}: the archive holds no breakdown of `{}` by it (breakdowns: {})",
                args.by.as_deref().unwrap_or_default(),
                kpi.id,
                breakdowns(&records).join(", ")
            )));
        }
    }
    // CSV and JSON hold one result per period and breakdown (SPEC); the table keeps to the
    // overall value unless `--by` asks for one breakdown.
    let every_breakdown = by.is_none() && !matches!(args.format, OutputFormat::Table);
    let wanted: Vec<&ArchiveRecord> = records
        .iter()
        .filter(|r| {
            r.dimensions.is_empty()
                || every_breakdown
                || by.as_deref() == Some(&breakdown_of(&r.dimensions))
        })
        .collect();
    let results = results(&config, kpi, &wanted, args.periods as usize);
    if results.is_empty() {
        super::warn(format!(
            "the archive {} holds no value of `{}` yet: `kpi run` or `kpi backfill` records them",
            archive.dir().display(),
            kpi.id
        ));
    }
    let report = RunReport::of(chrono::Local::now().date_naive(), results);
    let text = match args.format {
        OutputFormat::Table => report::render_history(&report, look(args.output.as_deref())),
        OutputFormat::Csv => report::render(&report, Format::Csv, report::Look::PLAIN),
        OutputFormat::Json => report::render(&report, Format::Json, report::Look::PLAIN),
    };
    emit(&text, args.output.as_deref())?;
    Ok(Outcome::Success)
}

/// `Region + Channel` → `region+channel`: how a breakdown is named in `--by`.
fn normalise_dimension(by: &str) -> String {
    by.split('+')
        .map(|d| d.trim().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("+")
}

/// `region=EMEA;channel=Web` → `region+channel` (lowercase).
fn breakdown_of(dimensions: &str) -> String {
    normalise_dimension(&crate::archive::breakdown_of(dimensions))
}

fn breakdowns(records: &[ArchiveRecord]) -> Vec<String> {
    let mut found: Vec<String> = records
        .iter()
        .filter(|r| !r.dimensions.is_empty())
        .map(|r| breakdown_of(&r.dimensions))
        .collect();
    found.sort();
    found.dedup();
    if found.is_empty() {
        found.push("none".to_string());
    }
    found
}

/// The last `periods` periods of the records, overall first then each breakdown, oldest
/// first within each; every result compared with the archived period before it.
fn results(
    config: &Config,
    kpi: &Kpi,
    records: &[&ArchiveRecord],
    periods: usize,
) -> Vec<KpiResult> {
    let mut starts: Vec<chrono::NaiveDate> = records.iter().map(|r| r.period_start).collect();
    starts.sort();
    starts.dedup();
    let first_shown = starts
        .len()
        .checked_sub(periods)
        .and_then(|i| starts.get(i))
        .copied();
    // Each breakdown group's records, grouped once (a scan per group would be quadratic).
    let mut series: BTreeMap<&str, Vec<&ArchiveRecord>> = BTreeMap::new();
    for record in records {
        series
            .entry(record.dimensions.as_str())
            .or_default()
            .push(record);
    }
    let ctx = Context {
        calendar: &config.settings.calendar,
        history: &NoHistory,
        alert_change: config.settings.alert_change,
        sparkline: SPARKLINE_PERIODS,
        confidence: config.settings.confidence,
        alert_on_noise: config.settings.alert_on_noise,
        min_sample: config.settings.min_sample,
    };
    let mut results = Vec::new();
    for mut line in series.into_values() {
        line.sort_by_key(|r| r.period_start);
        let by_period: HashMap<&str, &ArchiveRecord> =
            line.iter().map(|r| (r.period.as_str(), *r)).collect();
        for (i, record) in line.iter().enumerate() {
            if first_shown.is_some_and(|first| record.period_start < first) {
                continue;
            }
            let trend = &line[i.saturating_sub(SPARKLINE_PERIODS - 1)..=i];
            let mut result = result_of(kpi, record, &by_period, &ctx);
            result.history = trend.iter().map(|r| r.value).collect();
            result.history_periods = trend.iter().map(|r| r.period.clone()).collect();
            results.push(result);
        }
    }
    results
}

fn result_of(
    kpi: &Kpi,
    record: &ArchiveRecord,
    by_period: &HashMap<&str, &ArchiveRecord>,
    ctx: &Context,
) -> KpiResult {
    // Each baseline's period by the calendar, and its record if the archive holds it (a gap
    // in the archive is no value).
    let period_of = ctx.calendar.parse_label(kpi.frequency, &record.period).ok();
    let comparisons: Vec<Comparison> = period_of
        .as_ref()
        .map(|p| {
            kpi.compare
                .iter()
                .map(|&b| {
                    let period = ctx.calendar.label(&ctx.calendar.baseline(p, b));
                    let before = by_period.get(period.as_str()).copied();
                    Comparison {
                        baseline: b.name(),
                        value: before.and_then(|r| r.value),
                        comparable: before
                            .filter(|r| r.value.is_some())
                            .map(|r| r.fingerprint == record.fingerprint),
                        significant: before.and_then(|r| significance_between(kpi, r, record, ctx)),
                        period,
                        ..Comparison::default()
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let first = comparisons.first();
    let mut result = KpiResult {
        rank: Default::default(),
        kpi: kpi.id.clone(),
        name: kpi.name.clone(),
        unit: kpi.unit,
        direction: kpi.direction,
        period: record.period.clone(),
        period_start: record.period_start,
        period_end: record.period_end,
        to_date: kpi.is_snapshot()
            || period_of
                .as_ref()
                .is_some_and(|p| record.period_end < p.end),
        dimensions: crate::model::dimension_pairs(&record.dimensions),
        value: record.value,
        previous_period: first.map(|c| c.period.clone()),
        previous_value: first.and_then(|c| c.value),
        delta: None,
        delta_pct: None,
        status: Status::NoData,
        comparable: first.and_then(|c| c.comparable),
        rows: record.rows,
        history: vec![],
        history_periods: vec![],
        significant: first.and_then(|c| c.significant),
        low_sample: false,
        parts: vec![],
        source_fingerprint: record.source_fingerprint.clone(),
        breach: None,
        target: kpi.target_for(&record.period, &record.dimensions, record.period_end),
        standing: Default::default(),
        comparisons,
    };
    finish(&mut result, kpi, ctx);
    result
}

/// Whether the move from `before` to `now` is beyond noise, from the parts both records keep
/// (None for layout-1 records, which have none, and for formulas without a test).
fn significance_between(
    kpi: &Kpi,
    before: &ArchiveRecord,
    now: &ArchiveRecord,
    ctx: &Context,
) -> Option<bool> {
    let numbers = |r: &ArchiveRecord| -> Vec<(String, f64)> {
        r.parts
            .iter()
            .filter_map(|(name, v)| v.as_f64().map(|x| (name.clone(), x)))
            .collect()
    };
    let (a, b) = (numbers(now), numbers(before));
    let sample = |parts, r: &ArchiveRecord| Sample {
        parts,
        days: significance::days(r.period_start, r.period_end),
    };
    significance::significant(
        &significance::shape(&kpi.formula.expr),
        &sample(&a, now),
        &sample(&b, before),
        ctx.confidence,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimension_labels_round_trip_to_breakdown_names() {
        assert_eq!(breakdown_of("region=EMEA;channel=Web"), "region+channel");
        assert_eq!(normalise_dimension("Region + Channel"), "region+channel");
        assert_eq!(
            crate::model::dimension_pairs("region=EMEA;channel=a=b"),
            [
                ("region".to_string(), "EMEA".to_string()),
                ("channel".to_string(), "a=b".to_string())
            ]
        );
        assert_eq!(crate::model::dimension_pairs(""), []);
    }
}
