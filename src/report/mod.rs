//! Renderers: one pure function per output format over a [`RunReport`].
//!
//! A renderer returns the whole output as a string. It reads no file, no clock and no terminal:
//! the command layer decides the format, whether to colour, and where the bytes go.

mod baselines;
pub mod catalog;
pub mod csv;
pub mod escape;
mod fit;
pub mod format;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
mod table;

pub use fit::{wrap_indented, Look};
pub use format::{format_delta, format_value, sparkline};
pub use table::{render_check, render_history};

use crate::model::RunReport;

/// An output format of `kpi run` and `kpi history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Markdown,
    Html,
}

impl Format {
    /// The format named on the command line (`--format csv`), if there is one by that name.
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "table" => Format::Table,
            "csv" => Format::Csv,
            "json" => Format::Json,
            "markdown" => Format::Markdown,
            "html" => Format::Html,
            _ => return None,
        })
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
}

/// Renders a report; `look` (colour, width) shapes the table and is ignored by machine formats.
pub fn render(report: &RunReport, format: Format, look: Look) -> String {
    match format {
        Format::Table => table::render(report, look),
        Format::Csv => self::csv::render(report),
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
    }
}

/// A small report that exercises every renderer: units, directions, breakdowns, nulls, a
/// changed definition and a period to date.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::model::{Direction, KpiResult, RunReport, Status, Unit};
    use chrono::NaiveDate;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn result(kpi: &str, name: &str, unit: Unit, direction: Direction) -> KpiResult {
        KpiResult {
            rank: Default::default(),
            kpi: kpi.into(),
            name: name.into(),
            unit,
            direction,
            period: "2026-10".into(),
            period_start: date("2026-10-01"),
            period_end: date("2026-10-31"),
            to_date: false,
            dimensions: vec![],
            value: None,
            previous_period: Some("2026-09".into()),
            previous_value: None,
            delta: None,
            delta_pct: None,
            status: Status::Ok,
            comparable: None,
            rows: 0,
            history: vec![],
            history_periods: vec![],
            significant: None,
            low_sample: false,
            parts: vec![],
            source_fingerprint: String::new(),
            breach: None,
            target: None,
            standing: Default::default(),
            comparisons: vec![],
        }
    }

    fn with(mut r: KpiResult, value: Option<f64>, previous: Option<f64>, rows: u64) -> KpiResult {
        r.value = value;
        r.previous_value = previous;
        r.rows = rows;
        r.compute_delta();
        if previous.is_some() {
            r.comparable = Some(true);
        }
        r
    }

    fn breakdown(mut r: KpiResult, dims: &[(&str, &str)]) -> KpiResult {
        r.dimensions = dims
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        r
    }

    pub(crate) fn report() -> RunReport {
        let win = result("win_rate", "Win rate", Unit::Percent, Direction::Up);
        let mut overall = with(win.clone(), Some(0.3125), Some(0.28), 48);
        overall.history = vec![Some(0.25), Some(0.31), None, Some(0.28), Some(0.3125)];
        overall.history_periods = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
            .map(String::from)
            .to_vec();
        let emea = breakdown(
            with(win.clone(), Some(0.4), Some(0.5), 20),
            &[("region", "EMEA")],
        );
        let mut apac = breakdown(with(win, None, Some(0.2), 0), &[("region", "APAC")]);
        apac.status = Status::NoData;
        let cycle = result("cycle_time", "Sales cycle", Unit::Days, Direction::Down);
        let mut cycle = with(cycle, Some(12.44), Some(14.0), 30);
        cycle.status = Status::Warn;
        let web = breakdown(
            with(cycle.clone(), Some(15.5), Some(11.0), 9),
            &[("region", "EMEA"), ("channel", "Web")],
        );
        let eur = crate::currency::Currency::from_code("EUR");
        let revenue = result("revenue", "Revenue", Unit::Currency(eur), Direction::Up);
        let mut revenue = with(revenue, Some(12345.678), Some(11061.0), 112);
        revenue.period = "2026-11".into();
        revenue.period_start = date("2026-11-01");
        revenue.period_end = date("2026-11-22");
        revenue.to_date = true;
        revenue.previous_period = Some("2026-10".into());
        revenue.comparable = Some(false);
        revenue.status = Status::Fail;
        let tickets = result("tickets", "Tickets", Unit::Number, Direction::None);
        let tickets = with(tickets, Some(1234.5), Some(1234.5), 3);
        let mut nps = with(
            result("nps", "NPS", Unit::Number, Direction::Up),
            Some(42.0),
            None,
            7,
        );
        nps.previous_period = None;
        RunReport::of(
            date("2026-11-22"),
            vec![overall, emea, apac, cycle, web, revenue, tickets, nps],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name() {
        for format in [Format::Table, Format::Csv, Format::Json] {
            assert_eq!(Format::from_name(format.name()), Some(format));
        }
        assert_eq!(Format::from_name("yaml"), None);
    }

    #[test]
    fn machine_formats_ignore_colour_and_width() {
        let report = fixture::report();
        let look = Look {
            color: true,
            width: Some(20),
        };
        for format in [Format::Csv, Format::Json] {
            assert_eq!(
                render(&report, format, look),
                render(&report, format, Look::PLAIN)
            );
        }
    }
}
