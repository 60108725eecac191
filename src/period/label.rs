//! Period labels: written (`2026-W47`, `FY2027-Q1`) and parsed back, with messages that name
//! the expected form.

use super::arithmetic::{first_of_month, month_index};
use super::{Calendar, Frequency, Period, PeriodError, WeekStart};
use chrono::{Datelike, NaiveDate};

impl Calendar {
    /// The label of `period`, as written in outputs and in the archive: `2026-11-22`,
    /// `2026-W47` (`2026-W48S` for Sunday weeks), `2026-11`, `2026-Q4` or `FY2027-Q1`, `2026` or
    /// `FY2027`.
    pub fn label(&self, period: &Period) -> String {
        let start = period.start;
        match period.frequency {
            Frequency::Day => format!(
                "{:04}-{:02}-{:02}",
                start.year(),
                start.month(),
                start.day()
            ),
            Frequency::Week => self.week_label(start),
            Frequency::Month => format!("{:04}-{:02}", start.year(), start.month()),
            Frequency::Quarter => self.quarter_label(month_index(start)),
            Frequency::Year => self.year_label(month_index(start)),
        }
    }

    /// A Sunday week takes the ISO week of the Monday after its Sunday, plus `S`, so that the two
    /// kinds of week never share a label.
    fn week_label(&self, date: NaiveDate) -> String {
        let (start, _) = self.week_span(date);
        let (monday, suffix) = match self.week_start {
            WeekStart::Monday => (start, ""),
            WeekStart::Sunday => (start.succ_opt().unwrap_or(start), "S"),
        };
        let week = monday.iso_week();
        format!("{:04}-W{:02}{suffix}", week.year(), week.week())
    }

    fn quarter_label(&self, month: i64) -> String {
        let start = self.quarter_start(month);
        let year_start = self.year_start(start);
        let quarter = (start - year_start) / 3 + 1;
        format!("{}-Q{quarter}", self.year_label(year_start))
    }

    fn year_label(&self, month: i64) -> String {
        let name = self.year_name(self.year_start(month));
        if self.is_fiscal() {
            format!("FY{name:04}")
        } else {
            format!("{name:04}")
        }
    }

    /// Parses a label of `frequency` back into its period. Letters may be in either case; the
    /// form must match the calendar (`S` weeks for Sunday weeks, `FY` quarters and years for a
    /// fiscal year), so that a label means one period only. The error names the expected form,
    /// e.g. "`2026-13` is not a month label (expected YYYY-MM, such as 2026-11)".
    pub fn parse_label(&self, frequency: Frequency, label: &str) -> Result<Period, PeriodError> {
        let text = label.to_ascii_uppercase();
        let start = match frequency {
            Frequency::Day => parse_day(&text),
            Frequency::Week => self.parse_week(&text),
            Frequency::Month => parse_month(&text),
            Frequency::Quarter => self.parse_quarter(&text),
            Frequency::Year => self.parse_year(&text),
        };
        match start {
            Ok(start) => Ok(self.containing(frequency, start)),
            Err(problem) => Err(self.label_error(frequency, label, problem)),
        }
    }

    fn label_error(&self, frequency: Frequency, label: &str, problem: Problem) -> PeriodError {
        let expected = self.expected_form(frequency);
        let name = frequency.name();
        let label = printable(label);
        PeriodError(match problem {
            Problem::Form => format!("`{label}` is not a {name} label (expected {expected})"),
            Problem::Detail(why) => {
                format!("`{label}` is not a {name} label: {why} (expected {expected})")
            }
        })
    }

    /// The form of a label, with an example, for error messages.
    fn expected_form(&self, frequency: Frequency) -> &'static str {
        match (frequency, self.week_start, self.is_fiscal()) {
            (Frequency::Day, _, _) => "YYYY-MM-DD, such as 2026-11-22",
            (Frequency::Week, WeekStart::Monday, _) => "YYYY-Www, such as 2026-W47",
            (Frequency::Week, WeekStart::Sunday, _) => "YYYY-WwwS, such as 2026-W48S",
            (Frequency::Month, _, _) => "YYYY-MM, such as 2026-11",
            (Frequency::Quarter, _, false) => "YYYY-Qn, such as 2026-Q4",
            (Frequency::Quarter, _, true) => "FYyyyy-Qn, such as FY2027-Q1",
            (Frequency::Year, _, false) => "YYYY, such as 2026",
            (Frequency::Year, _, true) => "FYyyyy, such as FY2027",
        }
    }

    fn parse_week(&self, text: &str) -> Result<NaiveDate, Problem> {
        let (body, sunday) = match text.strip_suffix('S') {
            Some(body) => (body, true),
            None => (text, false),
        };
        let (year, week) = body.split_once("-W").ok_or(Problem::Form)?;
        let year = year_number(year)?;
        let week = number(week, 2).ok_or(Problem::Form)?;
        if !(1..=53).contains(&week) {
            return Err(Problem::Form);
        }
        self.check_week_suffix(sunday)?;
        let monday = NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)
            .ok_or_else(|| Problem::Detail(format!("ISO year {year:04} has 52 weeks, not 53")))?;
        match self.week_start {
            WeekStart::Monday => Ok(monday),
            WeekStart::Sunday => monday.pred_opt().ok_or(Problem::Form),
        }
    }

    fn check_week_suffix(&self, sunday: bool) -> Result<(), Problem> {
        match (self.week_start, sunday) {
            (WeekStart::Monday, true) => Err(Problem::Detail(
                "the S suffix marks a Sunday week, but week_start is monday".to_string(),
            )),
            (WeekStart::Sunday, false) => Err(Problem::Detail(
                "week_start is sunday, so week labels end in S".to_string(),
            )),
            _ => Ok(()),
        }
    }

    fn parse_quarter(&self, text: &str) -> Result<NaiveDate, Problem> {
        let (fiscal, body) = strip_fiscal(text);
        let (year, quarter) = body.split_once("-Q").ok_or(Problem::Form)?;
        let year = year_number(year)?;
        let quarter = number(quarter, 1).ok_or(Problem::Form)?;
        if !(1..=4).contains(&quarter) {
            return Err(Problem::Form);
        }
        self.check_fiscal_prefix(fiscal, "quarters")?;
        let start = self.named_year_start(year.into()) + 3 * i64::from(quarter - 1);
        first_of_month(start).ok_or(Problem::Form)
    }

    fn parse_year(&self, text: &str) -> Result<NaiveDate, Problem> {
        let (fiscal, body) = strip_fiscal(text);
        let year = year_number(body)?;
        self.check_fiscal_prefix(fiscal, "years")?;
        first_of_month(self.named_year_start(year.into())).ok_or(Problem::Form)
    }

    fn check_fiscal_prefix(&self, fiscal: bool, what: &str) -> Result<(), Problem> {
        match (self.is_fiscal(), fiscal) {
            (true, false) => Err(Problem::Detail(format!(
                "fiscal_year_start is {}, so {what} are fiscal and take an FY prefix \
                 with the year they end in",
                self.fiscal_year_start
            ))),
            (false, true) => Err(Problem::Detail(format!(
                "fiscal_year_start is 1 (January), so {what} are calendar {what} \
                 without an FY prefix"
            ))),
            _ => Ok(()),
        }
    }
}

/// Why a label did not parse: not of the form at all, or of the form but naming no period.
enum Problem {
    Form,
    Detail(String),
}

fn parse_day(text: &str) -> Result<NaiveDate, Problem> {
    let mut parts = text.split('-');
    let (Some(year), Some(month), Some(day), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Problem::Form);
    };
    let month = number(month, 2).ok_or(Problem::Form)?;
    let day = number(day, 2).ok_or(Problem::Form)?;
    NaiveDate::from_ymd_opt(year_number(year)?, month, day).ok_or(Problem::Form)
}

fn parse_month(text: &str) -> Result<NaiveDate, Problem> {
    let (year, month) = text.split_once('-').ok_or(Problem::Form)?;
    let month = number(month, 2).ok_or(Problem::Form)?;
    NaiveDate::from_ymd_opt(year_number(year)?, month, 1).ok_or(Problem::Form)
}

/// The label as typed, with control characters escaped so that an error message cannot garble
/// the terminal it is printed to.
fn printable(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Splits off an `FY` prefix (the text is already upper case).
fn strip_fiscal(text: &str) -> (bool, &str) {
    match text.strip_prefix("FY") {
        Some(body) => (true, body),
        None => (false, text),
    }
}

/// A four-digit year: labels never carry signs or five-digit years.
fn year_number(text: &str) -> Result<i32, Problem> {
    number(text, 4)
        .and_then(|year| i32::try_from(year).ok())
        .ok_or(Problem::Form)
}

/// Exactly `width` ASCII digits, and nothing else (no sign, no spaces, no other scripts' digits).
fn number(text: &str, width: usize) -> Option<u32> {
    if text.len() != width || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}
