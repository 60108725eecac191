//! What the catalog says about each report, KPI and source, as labelled [`Piece`]s that both
//! renderers write the same way.

use super::sources::dialect;
use super::{one_line, Catalog, Piece};
use crate::config::{Kpi, Report};
use crate::model::Direction;
use crate::period::{Baseline, Extent};
use crate::report::format_value;
use std::path::Path;

/// One labelled line of a section: `Owner: Sales director`.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub label: &'static str,
    pub value: Vec<Piece>,
}

/// A column of a source, and who uses it for what.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDoc {
    pub name: String,
    /// `number` as declared, `inferred`, or `from lookup accounts`.
    pub kind: Vec<Piece>,
    pub used_by: Vec<Piece>,
}

pub(super) const NONE: &str = "—";

pub(super) fn text(s: impl Into<String>) -> Piece {
    Piece::Text(s.into())
}

pub(super) fn code(s: impl Into<String>) -> Piece {
    Piece::Code(s.into())
}

pub(super) fn field(label: &'static str, value: Vec<Piece>) -> Field {
    Field { label, value }
}

/// `items` separated by `sep`, or `empty` as text when there are none.
pub(super) fn joined(items: Vec<Vec<Piece>>, sep: &str, empty: &str) -> Vec<Piece> {
    if items.is_empty() {
        return vec![text(empty)];
    }
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(text(sep));
        }
        out.extend(item);
    }
    out
}

pub(super) fn optional(value: Option<&str>) -> Vec<Piece> {
    vec![text(value.map_or(NONE.to_string(), one_line))]
}

impl Catalog<'_> {
    /// A source's path as written in the configuration (relative to its folder).
    pub fn path(&self, path: &Path) -> String {
        let dir = self.config.path.parent().unwrap_or(Path::new(""));
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        path.strip_prefix(dir).unwrap_or(path).display().to_string()
    }

    /// The facts of a report, under its title.
    pub fn report_fields(&self, report: &Report) -> Vec<Field> {
        let mut out = vec![
            field("ID", vec![code(&report.id)]),
            field("Audience", optional(report.audience.as_deref())),
        ];
        if let Some(frequency) = report.frequency {
            out.push(field("Frequency", vec![text(frequency.name())]));
        }
        if let Some(dims) = &report.dimensions {
            let items = dims.iter().map(|d| vec![code(d)]).collect();
            out.push(field(
                "Breakdowns",
                joined(items, ", ", "overall values only"),
            ));
        }
        out
    }

    /// The cells of a KPI's row in a report's table or in the KPI index.
    pub fn kpi_row(&self, kpi: &Kpi) -> Vec<Vec<Piece>> {
        let source = match &kpi.source {
            Some(name) => vec![self.source_link(name)],
            None => vec![text("derived")],
        };
        vec![
            vec![self.kpi_link(&kpi.id, &one_line(&kpi.name))],
            vec![code(&kpi.id)],
            source,
            vec![text(kpi.frequency.name())],
            optional(kpi.owner.as_deref()),
        ]
    }

    /// The facts of a KPI, under its name, description and formula.
    pub fn kpi_fields(&self, kpi: &Kpi) -> Vec<Field> {
        let mut out = vec![
            field("ID", vec![code(&kpi.id)]),
            field("Source", self.kpi_source(kpi)),
            field(
                "Filter",
                kpi.filter
                    .as_ref()
                    .map_or(vec![text(NONE)], |f| vec![code(one_line(&f.text))]),
            ),
            field("Time column", time(kpi)),
            field("Frequency", vec![text(kpi.frequency.name())]),
        ];
        // Shown when set, so that a catalog of v1 definitions reads as it did.
        if kpi.extent != Extent::Period {
            let covers = match kpi.extent {
                Extent::ToDate(unit) => format!("the {unit} to date at each period's end"),
                other => format!("a trailing {other}, ending with each period"),
            };
            out.push(field("Window", vec![text(covers)]));
        }
        if kpi.compare != [Baseline::Previous] {
            let names = kpi.compare.iter().map(|b| vec![code(b.name())]).collect();
            out.push(field("Compared with", joined(names, ", ", NONE)));
        }
        out.extend([
            field(
                "Dimensions",
                dimensions(&self.config.breakdowns(kpi), inherited(kpi)),
            ),
            field("Unit", vec![text(kpi.unit.describe())]),
            field("Direction", vec![text(direction(kpi.direction))]),
            field("Owner", optional(kpi.owner.as_deref())),
            field("Action", optional(kpi.action.as_deref())),
            field("Target", target(kpi)),
            field("Thresholds", thresholds(kpi)),
        ]);
        let users: Vec<Vec<Piece>> = self
            .kpis
            .iter()
            .filter(|k| k.uses.contains(&kpi.id))
            .map(|k| vec![self.kpi_link(&k.id, &one_line(&k.name))])
            .collect();
        if !users.is_empty() {
            out.push(field("Input of", joined(users, ", ", NONE)));
        }
        let reports: Vec<Vec<Piece>> = self
            .config
            .reports
            .iter()
            .filter(|r| r.kpis.contains(&kpi.id))
            .map(|r| vec![self.report_link(r)])
            .collect();
        out.push(field("Reports", joined(reports, ", ", "— (in no report)")));
        out
    }

    /// The source with its file pattern, dialect, key and filter; or the KPIs it derives from.
    fn kpi_source(&self, kpi: &Kpi) -> Vec<Piece> {
        let Some(source) = kpi.source.as_deref().and_then(|s| self.config.source(s)) else {
            let inputs = kpi
                .uses
                .iter()
                .map(|id| {
                    let name = self
                        .config
                        .kpi(id)
                        .map_or(id.clone(), |k| one_line(&k.name));
                    vec![self.kpi_link(id, &name)]
                })
                .collect();
            let mut out = vec![text("derived from ")];
            out.extend(joined(inputs, ", ", NONE));
            return out;
        };
        let mut out = vec![self.source_link(&source.name), text(": ")];
        match &source.rollup {
            Some(rollup) => {
                out.extend([text("a rollup of "), self.source_link(&rollup.input)]);
                out.extend([text(" by "), code(rollup.by.join(", "))]);
            }
            None => {
                out.extend([code(self.path(&source.path)), text(" (")]);
                out.extend(dialect(source));
                out.push(text(")"));
            }
        }
        if let Some(key) = &source.key {
            out.extend([text(", key "), code(key)]);
        }
        if let Some(filter) = &source.filter {
            out.extend([text(", filter "), code(one_line(&filter.text))]);
        }
        out
    }
}

fn time(kpi: &Kpi) -> Vec<Piece> {
    match (&kpi.time, &kpi.source) {
        (Some(t), _) => vec![code(t)],
        (None, Some(_)) => vec![text(
            "— (snapshot: computed over the whole export, recorded for the period of the run)",
        )],
        (None, None) => vec![text("— (derived: the period of its inputs)")],
    }
}

/// Whether a KPI's breakdowns are not its own: a derived KPI without `dimensions` has those all
/// its inputs have.
fn inherited(kpi: &Kpi) -> bool {
    kpi.source.is_none() && kpi.dimensions.is_empty()
}

fn dimensions(breakdowns: &[Vec<String>], inherited: bool) -> Vec<Piece> {
    let items = breakdowns.iter().map(|d| vec![code(d.join("+"))]).collect();
    let mut out = joined(items, ", ", "— (overall value only)");
    if inherited && !breakdowns.is_empty() {
        out.push(text(" (those all its inputs have)"));
    }
    out
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Up => "up (higher is better)",
        Direction::Down => "down (lower is better)",
        Direction::None => "none (neither way is better)",
    }
}

fn target(kpi: &Kpi) -> Vec<Piece> {
    if let Some(file) = &kpi.target_file {
        return vec![text(format!(
            "from {} ({} rows)",
            file.written,
            file.rows.len()
        ))];
    }
    let Some(t) = &kpi.target else {
        return vec![text(NONE)];
    };
    let value = format_value(Some(t.value), kpi.unit);
    match t.by {
        Some(by) => vec![text(format!("{value} by {}", by.format("%Y-%m-%d")))],
        None => vec![text(value)],
    }
}

fn thresholds(kpi: &Kpi) -> Vec<Piece> {
    let items = [("warn ", &kpi.warn_text), ("fail ", &kpi.fail_text)]
        .into_iter()
        .filter_map(|(level, cond)| cond.as_ref().map(|c| vec![text(level), code(one_line(c))]))
        .collect();
    joined(items, "; ", NONE)
}
