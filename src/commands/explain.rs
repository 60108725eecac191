//! `kpi explain ID`: how a value came about, to reconcile a KPI with its source: where the rows
//! went, the value of each aggregate, and the formula with those values in place — for the
//! period and the one it is compared with. Computes like `run --no-archive`; records nothing.

use super::compute::{compute, Inputs, Periods, Trace, WindowTrace};
use super::record::open_known;
use super::{emit, load_config};
use crate::cli::{Cli, ExplainArgs};
use crate::config::Kpi;
use crate::engine::label_of;
use crate::error::{Error, Outcome};
use crate::model::KpiResult;
use crate::period::{Baseline, Calendar, Extent, Frequency};
use crate::report::format::format_count;
use std::fmt::Write as _;

pub fn explain(cli: &Cli, args: &ExplainArgs) -> Result<Outcome, Error> {
    let mut config = load_config(cli)?;
    super::compute::override_compare(&mut config, &args.compare)?;
    super::compute::override_top(&mut config, args.top);
    let config = config;
    let kpi = super::compute::find_kpi(&config, &args.kpi)?;
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let opened = open_known(&config)?;
    let known = opened.known();
    let periods = Periods::Chosen {
        period: &args.period,
        as_of,
    };
    let inputs = Inputs::Sources {
        by: args.by.as_deref(),
        strict: false,
    };
    let computed = compute(&config, &[kpi], periods, inputs, &known)?;
    let mine: Vec<&KpiResult> = computed
        .results
        .iter()
        .filter(|r| r.kpi == kpi.id)
        .collect();
    let mut out = String::new();
    match computed.traces.get(&kpi.id) {
        Some(trace) => {
            let calendar = &config.settings.calendar;
            source_kpi(&mut out, kpi, trace, &mine, args.by.is_some(), calendar)
        }
        None => derived_kpi(&mut out, kpi, &mine),
    }
    let width = super::look(None).width;
    emit(&fit_lines(&out, width), None)?;
    Ok(Outcome::Success)
}

fn source_kpi(
    out: &mut String,
    kpi: &Kpi,
    trace: &Trace,
    results: &[&KpiResult],
    with_breakdowns: bool,
    calendar: &Calendar,
) {
    let overall = results.iter().find(|r| r.dimensions.is_empty());
    let _ = writeln!(out, "{} ({})", kpi.name, kpi.id);
    let files: Vec<String> = trace
        .files
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    match &trace.built {
        Some(built) => {
            let _ = writeln!(
                out,
                "source `{}`: a rollup of source `{}`, one row per entity: {} entities from {} rows",
                trace.source,
                built.input,
                format_count(trace.stats.rows_read),
                format_count(built.input_rows)
            );
        }
        None => {
            let _ = writeln!(out, "source `{}`: {}", trace.source, files.join(", "));
        }
    }
    if kpi.extent != Extent::Period {
        let _ = writeln!(
            out,
            "each value covers {}, ending with its period's end",
            describe_extent(kpi.extent, calendar)
        );
    }
    let shown: Vec<Shown> = shown_windows(trace, overall, kpi, calendar);
    rows(out, trace, &shown);
    aggregates(out, &shown);
    formula(out, kpi, &shown);
    if with_breakdowns {
        breakdowns(out, results);
    }
}

/// A window shown, with what it is: the period reported, or a baseline.
struct Shown<'t> {
    trace: &'t WindowTrace,
    name: String,
}

/// The reported window, then each baseline's (retention computes more, not shown). With the
/// default baseline alone, the one before is named by its dates only, as it always was.
fn shown_windows<'t>(
    trace: &'t Trace,
    overall: Option<&&KpiResult>,
    kpi: &Kpi,
    calendar: &Calendar,
) -> Vec<Shown<'t>> {
    let reported = overall.map(|r| (r.period_start, r.period_end));
    let last = trace.windows.len().checked_sub(1);
    let index = trace
        .windows
        .iter()
        .position(|w| w.window.map(|w| (w.start, w.end)) == reported)
        .or(last);
    let Some(index) = index else {
        return vec![];
    };
    let plain = kpi.compare == [Baseline::Previous];
    let mut shown = vec![Shown {
        trace: &trace.windows[index],
        name: period_name(&trace.windows[index]),
    }];
    let Some(result) = overall else {
        return shown;
    };
    for c in &result.comparisons {
        let found = trace.windows.iter().find(|w| {
            w.window.is_some_and(|w| {
                calendar.label(&w.period) == c.period && w.end <= result.period_end
            })
        });
        if let Some(w) = found {
            let dates = period_name(w);
            let name = if plain {
                dates
            } else {
                format!("{dates} ({}, {})", c.baseline, c.period)
            };
            shown.push(Shown { trace: w, name });
        }
    }
    shown
}

/// `a trailing 3 months`, `the fiscal year to date`.
fn describe_extent(extent: Extent, calendar: &Calendar) -> String {
    match extent {
        Extent::ToDate(unit) if calendar.fiscal_year_start != 1 && unit != Frequency::Month => {
            format!("the fiscal {unit} to date")
        }
        Extent::ToDate(unit) => format!("the {unit} to date"),
        other => format!("a trailing {other}"),
    }
}

fn period_name(w: &WindowTrace) -> String {
    w.window.map_or_else(
        || "all rows".to_string(),
        |w| format!("{} to {}", w.start, w.end),
    )
}

/// Ends a line of the Rows section, a label and its count: [`fit_lines`] narrows the gap
/// between them to the width (`\u{1}` cannot come from a label: they are names from the
/// configuration, which cannot hold control characters, and fixed text).
const COUNT_END: char = '\u{1}';

/// The explanation in `width` characters: the Rows section's counts move left (the gap of
/// each line shrinks to one space at least), and a longer line wraps at spaces, continued
/// under its own indentation plus two.
fn fit_lines(text: &str, width: Option<usize>) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let Some(counted) = line.strip_suffix(COUNT_END) else {
            out.push_str(&crate::report::wrap_indented(line, width));
            continue;
        };
        out.push_str(&narrowed(counted, width));
        out.push('\n');
    }
    out
}

/// `  label      1999` with as much of the gap removed as the width needs.
fn narrowed(line: &str, width: Option<usize>) -> String {
    let length = line.chars().count();
    let Some(over) = width.and_then(|w| length.checked_sub(w)).filter(|&o| o > 0) else {
        return line.to_string();
    };
    let Some((label, count)) = line.trim_end().rsplit_once(' ') else {
        return line.to_string();
    };
    let label = label.trim_end();
    let gap = (length - label.chars().count() - count.chars().count()).saturating_sub(over);
    format!("{label}{}{count}", " ".repeat(gap.max(1)))
}

fn rows(out: &mut String, trace: &Trace, shown: &[Shown]) {
    let s = &trace.stats;
    let _ = writeln!(out, "\nRows");
    let line = |out: &mut String, what: &str, n: u64| {
        let _ = writeln!(out, "  {what:<52} {n:>10}{COUNT_END}");
    };
    let read = match &trace.built {
        Some(_) => "entities of the rollup",
        None => "read from the files",
    };
    line(out, read, s.rows_read);
    line(out, "skipped: wrong number of fields", s.ragged.count);
    match &trace.key {
        Some(key) => line(
            out,
            &format!("dropped as duplicates of `{key}`"),
            s.duplicates,
        ),
        None => line(out, "dropped as duplicates (no key)", 0),
    }
    line(out, "removed by the source filter", trace.source_filtered);
    line(
        out,
        "outside the periods computed, or no date",
        trace.counts.outside,
    );
    line(out, "removed by the KPI filter", trace.counts.filtered);
    for w in shown {
        line(out, &format!("inside {}", w.name), w.trace.rows);
    }
    for (column, ty, values) in &s.values {
        if values.invalid > 0 {
            let what = format!("(values of `{column}` not a valid {ty}, counted as null)");
            line(out, &what, values.invalid);
        }
    }
    for (lookup, unmatched) in &s.unmatched {
        if unmatched.looked_up > 0 {
            let what = format!("(rows whose key lookup `{lookup}` does not hold)");
            line(out, &what, unmatched.rows);
        }
    }
}

fn aggregates(out: &mut String, shown: &[Shown]) {
    let _ = writeln!(out, "\nAggregates");
    for w in shown {
        let _ = writeln!(out, "  {}", w.name);
        for (text, value) in &w.trace.aggregates {
            let _ = writeln!(out, "    {text} = {}", show(value));
        }
    }
}

fn formula(out: &mut String, kpi: &Kpi, shown: &[Shown]) {
    let printed = crate::formula::printed(&kpi.formula.text).unwrap_or(kpi.formula.text.clone());
    let _ = writeln!(out, "\nFormula\n  {printed}");
    for w in shown {
        let mut substituted = printed.clone();
        // Longest first: `count(*)` must not replace part of `count(*) FILTER (...)`.
        let mut parts: Vec<&(String, crate::value::Value)> = w.trace.aggregates.iter().collect();
        parts.sort_by_key(|(text, _)| std::cmp::Reverse(text.len()));
        for (text, value) in parts {
            substituted = substituted.replace(text.as_str(), &show(value));
        }
        let value = w.trace.value.map_or("null".to_string(), |v| v.to_string());
        let _ = writeln!(out, "  {}: {substituted} = {value}", w.name);
    }
}

fn breakdowns(out: &mut String, results: &[&KpiResult]) {
    let groups: Vec<&&KpiResult> = results
        .iter()
        .filter(|r| !r.dimensions.is_empty())
        .collect();
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nBreakdowns ({})", groups[0].period);
    for r in groups {
        let parts: Vec<String> = r
            .parts
            .iter()
            .map(|(text, v)| format!("{text} = {}", show(v)))
            .collect();
        let value = r.value.map_or("null".to_string(), |v| v.to_string());
        let label = r.dimensions_label();
        let _ = writeln!(
            out,
            "  {label}: {value} ({} rows; {})",
            r.rows,
            parts.join(", ")
        );
    }
}

/// A derived KPI: the value of each KPI it uses, and its formula with them in place.
fn derived_kpi(out: &mut String, kpi: &Kpi, results: &[&KpiResult]) {
    let _ = writeln!(out, "{} ({}) = {}", kpi.name, kpi.id, kpi.formula.text);
    for r in results {
        let mut substituted = kpi.formula.text.clone();
        let mut parts: Vec<&(String, crate::value::Value)> = r.parts.iter().collect();
        parts.sort_by_key(|(id, _)| std::cmp::Reverse(id.len()));
        for (id, value) in parts {
            substituted = substituted.replace(id.as_str(), &show(value));
        }
        let value = r.value.map_or("null".to_string(), |v| v.to_string());
        let label = if r.dimensions.is_empty() {
            "overall".to_string()
        } else {
            r.dimensions_label()
        };
        let _ = writeln!(out, "  {} {label}: {substituted} = {value}", r.period);
    }
    let _ = writeln!(
        out,
        "  (run `kpi explain` on {} for their rows)",
        kpi.uses.join(", ")
    );
}

/// A value as the formula reads it: raw digits, `null` for none.
fn show(value: &crate::value::Value) -> String {
    match value {
        crate::value::Value::Null => "null".to_string(),
        other => label_of(other),
    }
}
