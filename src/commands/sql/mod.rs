//! `kpi sql --dialect D`: the selected source KPIs compiled into one query for a warehouse
//! (`crate::warehouse`), for the period asked and each of its baselines (`compare`), over the
//! KPI's windows (`window`, `to_date`). Reads the sources' headers (for column types) but no
//! rows; a source with a `table` and no local files is typed by its declared `columns`.

mod open;

use super::compute::{chosen_windows, select, with_dependencies};
use super::{emit, load_config};
use crate::cli::{Cli, SqlArgs};
use crate::config::{Config, Kpi};
use crate::engine::{self, plan::SourcePlan};
use crate::error::{Error, Kind, Outcome, ResultExt};
use crate::ingest::schema::Schema;
use crate::period::{Calendar, Window};
use crate::warehouse::{self, Dialect, KpiPeriods, PeriodRange, SourceQuery};
use anyhow::anyhow;
use chrono::NaiveDate;

pub fn sql(cli: &Cli, args: &SqlArgs) -> Result<Outcome, Error> {
    let mut config = load_config(cli)?;
    super::compute::override_compare(&mut config, &args.selection.compare)?;
    super::compute::override_top(&mut config, args.selection.top);
    let as_of = args
        .selection
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let text = match &args.rows {
        Some(source) => rows_query(&config, args.dialect, source)?,
        None => kpis_query(&config, args, as_of)?,
    };
    emit(&text, args.output.as_deref())?;
    Ok(Outcome::Success)
}

fn kpis_query(config: &Config, args: &SqlArgs, as_of: NaiveDate) -> Result<String, Error> {
    let selection = &args.selection;
    let selected = select(config, selection)?;
    let by: Option<Vec<String>> = selection
        .by
        .as_ref()
        .map(|b| b.split('+').map(|p| p.trim().to_string()).collect());
    let kpis: Vec<&Kpi> = with_dependencies(config, &selected)
        .into_iter()
        .filter(|k| k.source.is_some())
        .collect();
    if kpis.is_empty() {
        return Err(anyhow!(
            "no source KPI selected: derived KPIs are computed by `kpi run --results`"
        ))
        .kind(Kind::Config);
    }
    if let Some(kpi) = kpis.iter().find(|k| k.top.is_some()) {
        let reason = format!(
            "kpi `{}` keeps its top groups (top), which kpi sql does not compile yet",
            kpi.id
        );
        return Err(refused(args.dialect, reason));
    }
    let mut opened = Vec::new();
    let (mut rollups, mut preludes) = (open::Written::default(), Vec::new());
    for source in &config.sources {
        let of_source: Vec<&Kpi> = kpis
            .iter()
            .copied()
            .filter(|k| k.source.as_deref() == Some(&source.name))
            .collect();
        if of_source.is_empty() {
            continue;
        }
        let opened_source = open::open_source(config, source, args.dialect, &mut rollups)?;
        preludes.extend(opened_source.prelude);
        let mut schema = opened_source.schema;
        // As in `run`: a source without the --by column gives overall values only.
        let has = |c: &String| {
            schema
                .columns
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(c))
        };
        let by_here = by
            .as_deref()
            .map(|cols| if cols.iter().all(has) { cols } else { &[] });
        let (columns, empty) = (&mut schema.columns, &schema.empty);
        engine::type_empty_columns(config, &source.name, &of_source, columns, empty, by_here);
        let plan = engine::plan_source(config, &source.name, &of_source, &schema.columns, by_here)
            .kind(Kind::Config)?;
        let periods = of_source
            .iter()
            .map(|k| kpi_periods(config, k, &selection.period, as_of))
            .collect::<Result<_, _>>()?;
        opened.push((opened_source.table, schema, plan, periods));
    }
    let sources: Vec<SourceQuery> = opened
        .iter()
        .map(
            |(table, schema, plan, periods): &(
                Option<String>,
                Schema,
                SourcePlan,
                Vec<KpiPeriods>,
            )| {
                SourceQuery {
                    schema,
                    table: table.as_deref(),
                    plan,
                    periods: periods.clone(),
                }
            },
        )
        .collect();
    let mut header = format!(
        "-- kpi sql --dialect {} --as-of {as_of} --period {}\n-- One row per result: kpi, period, dimensions, value, rows, parts. Export it as CSV\n-- and read it with: kpi run --as-of {as_of} --period {} --results FILE\n",
        args.dialect, selection.period, selection.period
    );
    let windows_1252 = sources.iter().any(|s| {
        s.table.is_none() && s.schema.input.encoding == crate::config::Encoding::Windows1252
    });
    if args.dialect == Dialect::DuckDb && windows_1252 {
        header += "-- A source is windows-1252: DuckDB reads it with its encodings extension, so run\n-- INSTALL encodings; LOAD encodings; first.\n";
    }
    warehouse::query(args.dialect, &preludes, &sources, &header)
        .map_err(|e| refused(args.dialect, e))
}

/// `--rows SOURCE`: every column of the source, as kpi reads it.
fn rows_query(config: &Config, dialect: Dialect, name: &str) -> Result<String, Error> {
    let Some(source) = config.source(name) else {
        let known: Vec<&str> = config.sources.iter().map(|s| s.name.as_str()).collect();
        return Err(crate::error::usage(format!(
            "unknown source `{name}` (sources: {})",
            known.join(", ")
        )));
    };
    let opened = open::open_source(config, source, dialect, &mut open::Written::default())?;
    let schema = &opened.schema;
    let all: Vec<usize> = (0..schema.columns.len()).collect();
    let table = opened.table.as_deref().filter(|_| source.rollup.is_some());
    let rows =
        warehouse::source_rows(dialect, schema, table, &all).map_err(|e| refused(dialect, e))?;
    let with = match opened.prelude.is_empty() {
        true => String::new(),
        false => format!("WITH\n{}\n", opened.prelude.join(",\n")),
    };
    Ok(format!(
        "-- kpi sql --dialect {dialect} --rows {name}\n{with}{rows}\n"
    ))
}

pub(super) fn refused(dialect: Dialect, reason: String) -> Error {
    Error {
        kind: Kind::Config,
        inner: anyhow!("cannot write the query for {dialect}: {reason}\n  hint: docs/warehouse.md lists what each dialect supports; `kpi run` computes every formula"),
    }
}

fn kpi_periods(
    config: &Config,
    kpi: &Kpi,
    period: &str,
    as_of: NaiveDate,
) -> Result<KpiPeriods, Error> {
    let calendar = &config.settings.calendar;
    let windows = chosen_windows(config, kpi, period, as_of)?;
    let label = |w: &Window| calendar.label(&w.period);
    if kpi.is_snapshot() {
        return Ok(KpiPeriods {
            computed: vec![],
            reported: vec![label(&windows.target)],
        });
    }
    let mut reported: Vec<Window> = windows.baselines.iter().map(|(_, w)| *w).collect();
    reported.push(windows.target);
    reported.sort_by_key(|w| (w.start, w.end));
    reported.dedup();
    let all: Vec<Window> = windows.computed_windows().collect();
    let name = |w: &Window| window_label(calendar, w, &reported, &all);
    Ok(KpiPeriods {
        computed: windows
            .computed
            .iter()
            .map(|wanted| PeriodRange {
                label: name(&wanted.window),
                start: wanted.window.start,
                end: wanted.window.end,
                base: wanted.base.as_ref().map(name),
            })
            .collect(),
        reported: reported.iter().map(label).collect(),
    })
}

/// A window's label in the query: its period's, as the results file names it. A base of
/// `retention` is never reported, and may be another stretch of a reported period (to date on
/// March 30, `2_periods_ago` is January 1–30, and the base of `previous`, all of February, is
/// all of January): it then gets a label of its own, so that its rows stay apart.
fn window_label(calendar: &Calendar, w: &Window, reported: &[Window], all: &[Window]) -> String {
    let plain = calendar.label(&w.period);
    let shared = all
        .iter()
        .any(|o| o != w && calendar.label(&o.period) == plain);
    if shared && !reported.contains(w) {
        format!("{plain} {}..{}", w.start, w.end)
    } else {
        plain
    }
}
