//! Periods: frequencies, period labels, bucketing dates into periods, and ranges of periods.
//!
//! Pure calendar arithmetic shaped by the `[settings]` week start and fiscal year start. It reads
//! no files and no clock: the command layer decides what "today" is and passes it in as `as_of`.

use std::fmt;

use chrono::{Datelike, Days, NaiveDate};

/// How often a KPI is computed: the length of its periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Frequency {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Frequency {
    /// Every frequency, shortest first.
    pub const ALL: [Frequency; 5] = [
        Frequency::Day,
        Frequency::Week,
        Frequency::Month,
        Frequency::Quarter,
        Frequency::Year,
    ];

    /// The frequency named in the configuration: `day`, `week`, `month`, `quarter` or `year`.
    pub fn from_name(s: &str) -> Option<Frequency> {
        Self::ALL.into_iter().find(|f| f.name() == s)
    }

    /// The configuration name of the frequency.
    pub fn name(self) -> &'static str {
        match self {
            Frequency::Day => "day",
            Frequency::Week => "week",
            Frequency::Month => "month",
            Frequency::Quarter => "quarter",
            Frequency::Year => "year",
        }
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The first day of a week: Monday gives ISO weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeekStart {
    Monday,
    Sunday,
}

impl WeekStart {
    /// The week start named in the configuration: `monday` or `sunday`.
    pub fn from_name(s: &str) -> Option<WeekStart> {
        match s {
            "monday" => Some(WeekStart::Monday),
            "sunday" => Some(WeekStart::Sunday),
            _ => None,
        }
    }

    /// The configuration name of the week start.
    pub fn name(self) -> &'static str {
        match self {
            WeekStart::Monday => "monday",
            WeekStart::Sunday => "sunday",
        }
    }
}

/// Settings that shape periods: from `[settings]` `week_start` and `fiscal_year_start` (1..=12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    pub week_start: WeekStart,
    /// The month (1 = January) that opens the fiscal year, and so the first quarter.
    pub fiscal_year_start: u32,
}

impl Default for Calendar {
    fn default() -> Calendar {
        Calendar {
            week_start: WeekStart::Monday,
            fiscal_year_start: 1,
        }
    }
}

/// A whole period of a frequency: `start` and `end` are inclusive calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub frequency: Frequency,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// Whether `date` falls in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// A label that does not parse, or a setting out of range; the message is for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError(pub String);

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PeriodError {}

impl Calendar {
    /// A calendar from the settings; `fiscal_year_start` must be a month number.
    pub fn new(week_start: WeekStart, fiscal_year_start: u32) -> Result<Calendar, PeriodError> {
        if !(1..=12).contains(&fiscal_year_start) {
            return Err(PeriodError(format!(
                "fiscal_year_start must be a month number from 1 to 12, not {fiscal_year_start}"
            )));
        }
        Ok(Calendar {
            week_start,
            fiscal_year_start,
        })
    }

    /// The period of `frequency` that contains `date`: the bucket a dated row falls in.
    pub fn containing(&self, frequency: Frequency, date: NaiveDate) -> Period {
        let month = month_index(date);
        let (start, end) = match frequency {
            Frequency::Day => (date, date),
            Frequency::Week => self.week_span(date),
            Frequency::Month => month_span(month, 1),
            Frequency::Quarter => month_span(self.quarter_start(month), 3),
            Frequency::Year => month_span(self.year_start(month), 12),
        };
        Period {
            frequency,
            start,
            end,
        }
    }

    /// The period just before `period`.
    pub fn previous(&self, period: &Period) -> Period {
        // At the very first representable day there is nothing before: stay put rather than panic.
        let day = period.start.pred_opt().unwrap_or(period.start);
        self.containing(period.frequency, day)
    }

    /// The period just after `period`.
    pub fn next(&self, period: &Period) -> Period {
        let day = period.end.succ_opt().unwrap_or(period.end);
        self.containing(period.frequency, day)
    }

    /// All periods of `frequency` that overlap `[from, to]`, in order; none when `from > to`.
    pub fn periods_between(
        &self,
        frequency: Frequency,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<Period> {
        let mut periods = Vec::new();
        if from > to {
            return periods;
        }
        let mut period = self.containing(frequency, from);
        loop {
            periods.push(period);
            let next = self.next(&period);
            // `next == period` only at the end of the representable calendar.
            if period.end >= to || next == period {
                return periods;
            }
            period = next;
        }
    }

    /// Monday-to-Sunday or Sunday-to-Saturday, whichever week holds `date`.
    fn week_span(&self, date: NaiveDate) -> (NaiveDate, NaiveDate) {
        let offset = match self.week_start {
            WeekStart::Monday => date.weekday().num_days_from_monday(),
            WeekStart::Sunday => date.weekday().num_days_from_sunday(),
        };
        let start = date
            .checked_sub_days(Days::new(offset.into()))
            .unwrap_or(NaiveDate::MIN);
        let end = start
            .checked_add_days(Days::new(6))
            .unwrap_or(NaiveDate::MAX);
        (start, end)
    }

    /// The fiscal year's first month counted from January = 0; out-of-range settings wrap
    /// rather than panic, since the fields are public.
    fn fiscal_month0(&self) -> i64 {
        (i64::from(self.fiscal_year_start) - 1).rem_euclid(12)
    }

    /// Whether quarters and years follow a fiscal year other than the calendar year.
    fn is_fiscal(&self) -> bool {
        self.fiscal_month0() != 0
    }

    /// The month index that opens the (fiscal) quarter holding month index `month`.
    fn quarter_start(&self, month: i64) -> i64 {
        month - (month - self.fiscal_month0()).rem_euclid(3)
    }

    /// The month index that opens the (fiscal) year holding month index `month`.
    fn year_start(&self, month: i64) -> i64 {
        month - (month - self.fiscal_month0()).rem_euclid(12)
    }

    /// The year a (fiscal) year is named by: a fiscal year by the calendar year it ends in.
    fn year_name(&self, year_start: i64) -> i64 {
        let first_year = year_start.div_euclid(12);
        if self.is_fiscal() {
            first_year + 1
        } else {
            first_year
        }
    }

    /// The month index that opens the (fiscal) year named `name`; the inverse of `year_name`.
    fn named_year_start(&self, name: i64) -> i64 {
        let first_year = if self.is_fiscal() { name - 1 } else { name };
        first_year * 12 + self.fiscal_month0()
    }
}

/// Months counted from January of year 0, so that month arithmetic never carries years by hand.
fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

/// The first day of month index `month`, if chrono can represent it.
fn first_of_month(month: i64) -> Option<NaiveDate> {
    let year = i32::try_from(month.div_euclid(12)).ok()?;
    let month0 = u32::try_from(month.rem_euclid(12)).ok()?;
    NaiveDate::from_ymd_opt(year, month0 + 1, 1)
}

/// The representable day nearest to month index `month`, which lies outside chrono's range.
fn saturate(month: i64) -> NaiveDate {
    if month <= month_index(NaiveDate::MIN) {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    }
}

/// The first and last day of `len` months from month index `start`.
fn month_span(start: i64, len: i64) -> (NaiveDate, NaiveDate) {
    let first = first_of_month(start).unwrap_or_else(|| saturate(start));
    let last = first_of_month(start + len)
        .and_then(|d| d.pred_opt())
        .unwrap_or_else(|| saturate(start + len - 1));
    (first, last)
}

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

/// A stretch of days actually computed: a whole period, or the part of it up to as-of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    pub period: Period,
    pub start: NaiveDate,
    /// Inclusive.
    pub end: NaiveDate,
}

impl Window {
    /// The window covering all of `period`.
    pub fn whole(period: Period) -> Window {
        Window {
            period,
            start: period.start,
            end: period.end,
        }
    }

    /// Whether the window covers less than its whole period.
    pub fn is_partial(&self) -> bool {
        self.start != self.period.start || self.end != self.period.end
    }

    /// Whether `date` falls in the window.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

impl Calendar {
    /// The part of `period` from its start up to and including `as_of`, clamped to the period:
    /// an `as_of` past the end gives the whole period, one before the start its first day.
    pub fn to_date(&self, period: Period, as_of: NaiveDate) -> Window {
        // max then min rather than `clamp`, which panics on a malformed period (start > end).
        let end = as_of.max(period.start).min(period.end);
        Window {
            period,
            start: period.start,
            end,
        }
    }

    /// The same elapsed part of the period before `window.period`: the same number of days from
    /// its start (Nov 1–22 → Oct 1–22; Mar 1–30 → Feb 1–28 or 29, clamped to February's end).
    /// A whole window maps to the whole previous period.
    pub fn previous_window(&self, window: &Window) -> Window {
        let before = self.previous(&window.period);
        if !window.is_partial() {
            return Window::whole(before);
        }
        Window {
            period: before,
            start: same_offset(&window.period, window.start, &before),
            end: same_offset(&window.period, window.end, &before),
        }
    }

    /// Resolves `--period` for a frequency and an as-of date: the last complete period before
    /// as-of, the period containing as-of up to as-of, or a labelled period (whole when it ended
    /// before as-of, to date when it contains as-of, an error when it starts after).
    pub fn resolve(
        &self,
        choice: &PeriodChoice,
        frequency: Frequency,
        as_of: NaiveDate,
    ) -> Result<Window, PeriodError> {
        let current = self.containing(frequency, as_of);
        Ok(match choice {
            PeriodChoice::Previous => Window::whole(self.previous(&current)),
            PeriodChoice::Current => self.to_date(current, as_of),
            PeriodChoice::Label(label) => {
                let period = self.parse_label(frequency, label)?;
                if period.start > as_of {
                    return Err(PeriodError(format!(
                        "{label} has not started on {as_of} (--as-of): it has no value yet"
                    )));
                }
                // A period not over on as-of is computed to date, like `current`: recording
                // it as a whole period would pass a partial value off as final.
                if period.end >= as_of {
                    self.to_date(period, as_of)
                } else {
                    Window::whole(period)
                }
            }
        })
    }
}

/// The day of `to` as many days from its start as `date` is from the start of `from`, clamped to
/// `to`'s end.
fn same_offset(from: &Period, date: NaiveDate, to: &Period) -> NaiveDate {
    let days = u64::try_from((date - from.start).num_days()).unwrap_or(0);
    to.start
        .checked_add_days(Days::new(days))
        .unwrap_or(to.end)
        .min(to.end)
}

/// The command line's `--period`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodChoice {
    /// The last complete period before as-of (the default).
    Previous,
    /// The period containing as-of, to date.
    Current,
    /// A period named by its label, checked against the frequency when resolved.
    Label(String),
}

impl PeriodChoice {
    /// `previous`, `current`, or anything else as a label.
    pub fn parse(s: &str) -> PeriodChoice {
        match s {
            "previous" => PeriodChoice::Previous,
            "current" => PeriodChoice::Current,
            label => PeriodChoice::Label(label.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Tables are whitespace-separated text, one case a line, so that they stay one line a case
    //! under rustfmt. A calendar is written `mon:1` (week start, fiscal year start).

    use super::*;
    use std::collections::{HashMap, HashSet};

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    fn cal(text: &str) -> Calendar {
        let (week, fiscal) = text.split_once(':').expect("calendar as mon:1");
        let week_start = match week {
            "mon" => WeekStart::Monday,
            "sun" => WeekStart::Sunday,
            _ => panic!("week start {week}"),
        };
        Calendar::new(week_start, fiscal.parse().expect("fiscal month")).expect("calendar")
    }

    fn freq(text: &str) -> Frequency {
        Frequency::from_name(text).expect("frequency name")
    }

    /// The non-empty, non-comment lines of a table, split on whitespace into `N` columns.
    fn rows<const N: usize>(table: &str) -> Vec<[&str; N]> {
        table
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| {
                let cells: Vec<&str> = line.split_whitespace().collect();
                cells
                    .try_into()
                    .unwrap_or_else(|_| panic!("{N} cells: {line}"))
            })
            .collect()
    }

    /// The calendars the exhaustive checks run over.
    fn calendars() -> Vec<Calendar> {
        ["mon:1", "sun:1", "mon:4", "mon:10", "sun:7", "mon:12"]
            .into_iter()
            .map(cal)
            .collect()
    }

    fn label_of(calendar: Calendar, frequency: Frequency, date: &str) -> String {
        calendar.label(&calendar.containing(frequency, d(date)))
    }

    fn parse_error(calendar: Calendar, frequency: Frequency, label: &str) -> String {
        match calendar.parse_label(frequency, label) {
            Ok(period) => panic!("`{label}` parsed as {period:?}"),
            Err(err) => err.to_string(),
        }
    }

    #[test]
    fn frequency_and_week_start_names_round_trip() {
        for frequency in Frequency::ALL {
            assert_eq!(Frequency::from_name(frequency.name()), Some(frequency));
            assert_eq!(frequency.to_string(), frequency.name());
        }
        for week_start in [WeekStart::Monday, WeekStart::Sunday] {
            assert_eq!(WeekStart::from_name(week_start.name()), Some(week_start));
        }
        for bad in ["", "Day", "days", "weekly", "fortnight"] {
            assert_eq!(Frequency::from_name(bad), None, "{bad}");
        }
        assert_eq!(WeekStart::from_name("saturday"), None);
    }

    #[test]
    fn calendar_new_checks_the_fiscal_month() {
        assert_eq!(Calendar::new(WeekStart::Monday, 1), Ok(Calendar::default()));
        assert!(Calendar::new(WeekStart::Sunday, 12).is_ok());
        for bad in [0, 13, u32::MAX] {
            let err = Calendar::new(WeekStart::Monday, bad).unwrap_err();
            assert!(err.0.contains("from 1 to 12"), "{err}");
        }
    }

    const LABELS: &str = "
        # calendar frequency date label
        mon:1  week     2026-11-22  2026-W47
        mon:1  week     2026-11-16  2026-W47
        mon:1  week     2026-11-23  2026-W48
        # ISO years: the week holding a year's first Thursday is week 1.
        mon:1  week     2024-12-29  2024-W52
        mon:1  week     2024-12-30  2025-W01
        mon:1  week     2019-12-30  2020-W01
        mon:1  week     2020-12-31  2020-W53
        mon:1  week     2021-01-01  2020-W53
        mon:1  week     2021-01-03  2020-W53
        mon:1  week     2021-01-04  2021-W01
        mon:1  week     2023-01-01  2022-W52
        mon:1  week     2023-01-02  2023-W01
        mon:1  week     2026-12-31  2026-W53
        mon:1  week     2027-01-01  2026-W53
        mon:1  week     2027-01-03  2026-W53
        mon:1  week     2027-01-04  2027-W01
        # A Sunday week takes the ISO week of the Monday after its Sunday.
        sun:1  week     2026-11-22  2026-W48S
        sun:1  week     2026-11-28  2026-W48S
        sun:1  week     2026-11-21  2026-W47S
        sun:1  week     2024-12-28  2024-W52S
        sun:1  week     2024-12-29  2025-W01S
        sun:1  week     2021-01-02  2020-W53S
        sun:1  week     2027-01-02  2026-W53S
        sun:1  week     2027-01-03  2027-W01S
        mon:1  day      2026-11-22  2026-11-22
        mon:1  day      0999-01-05  0999-01-05
        mon:1  month    2026-11-22  2026-11
        mon:1  quarter  2026-01-01  2026-Q1
        mon:1  quarter  2026-06-30  2026-Q2
        mon:1  quarter  2026-11-22  2026-Q4
        mon:1  year     2026-11-22  2026
        # A fiscal year changes quarters and years only, named by the year they end in.
        mon:4  day      2026-11-22  2026-11-22
        mon:4  week     2026-11-22  2026-W47
        mon:4  month    2026-11-22  2026-11
        mon:4  quarter  2026-03-31  FY2026-Q4
        mon:4  quarter  2026-04-01  FY2027-Q1
        mon:4  quarter  2026-06-30  FY2027-Q1
        mon:4  quarter  2026-07-01  FY2027-Q2
        mon:4  quarter  2026-11-22  FY2027-Q3
        mon:4  quarter  2027-01-01  FY2027-Q4
        mon:4  quarter  2027-03-31  FY2027-Q4
        mon:4  year     2026-03-31  FY2026
        mon:4  year     2026-04-01  FY2027
        mon:4  year     2027-03-31  FY2027
        mon:10 quarter  2026-09-30  FY2026-Q4
        mon:10 quarter  2026-10-01  FY2027-Q1
        mon:10 quarter  2026-12-31  FY2027-Q1
        mon:10 quarter  2027-01-01  FY2027-Q2
        mon:10 quarter  2027-09-30  FY2027-Q4
        mon:10 year     2026-09-30  FY2026
        mon:10 year     2026-10-01  FY2027
        mon:2  quarter  2026-01-31  FY2026-Q4
        mon:2  year     2026-02-01  FY2027
        sun:4  week     2026-11-22  2026-W48S
    ";

    #[test]
    fn labels_of_dates() {
        for [calendar, frequency, date, label] in rows(LABELS) {
            let got = label_of(cal(calendar), freq(frequency), date);
            assert_eq!(got, label, "{calendar} {frequency} {date}");
        }
    }

    const SPANS: &str = "
        # calendar frequency date start end
        mon:1  week     2026-11-22  2026-11-16  2026-11-22
        mon:1  week     2026-11-23  2026-11-23  2026-11-29
        sun:1  week     2026-11-22  2026-11-22  2026-11-28
        sun:1  week     2026-11-28  2026-11-22  2026-11-28
        sun:1  week     2026-11-21  2026-11-15  2026-11-21
        sun:1  week     2027-01-01  2026-12-27  2027-01-02
        mon:1  month    2024-02-10  2024-02-01  2024-02-29
        mon:1  quarter  2026-11-22  2026-10-01  2026-12-31
        mon:4  quarter  2026-11-22  2026-10-01  2026-12-31
        mon:4  year     2026-11-22  2026-04-01  2027-03-31
        mon:10 quarter  2026-11-22  2026-10-01  2026-12-31
        mon:10 year     2026-11-22  2026-10-01  2027-09-30
        mon:2  quarter  2024-03-15  2024-02-01  2024-04-30
        mon:12 quarter  2024-01-15  2023-12-01  2024-02-29
        mon:12 year     2024-01-15  2023-12-01  2024-11-30
    ";

    #[test]
    fn spans_of_periods() {
        for [calendar, frequency, date, start, end] in rows(SPANS) {
            let period = cal(calendar).containing(freq(frequency), d(date));
            let got = (period.start, period.end);
            assert_eq!(got, (d(start), d(end)), "{calendar} {frequency} {date}");
        }
    }

    const NEIGHBOURS: &str = "
        # calendar frequency date label-before label-after
        mon:1  day      2026-01-01  2025-12-31  2026-01-02
        mon:1  day      2024-02-29  2024-02-28  2024-03-01
        mon:1  week     2027-01-04  2026-W53    2027-W02
        mon:1  week     2026-12-31  2026-W52    2027-W01
        mon:1  week     2025-01-01  2024-W52    2025-W02
        sun:1  week     2027-01-03  2026-W53S   2027-W02S
        sun:1  week     2024-12-29  2024-W52S   2025-W02S
        mon:1  month    2026-01-15  2025-12     2026-02
        mon:1  month    2026-12-15  2026-11     2027-01
        mon:1  quarter  2026-01-15  2025-Q4     2026-Q2
        mon:1  quarter  2026-12-15  2026-Q3     2027-Q1
        mon:1  year     2026-06-15  2025        2027
        mon:4  quarter  2026-04-15  FY2026-Q4   FY2027-Q2
        mon:4  quarter  2027-02-15  FY2027-Q3   FY2028-Q1
        mon:4  year     2026-04-15  FY2026      FY2028
        mon:10 quarter  2026-12-15  FY2026-Q4   FY2027-Q2
        mon:10 year     2026-12-15  FY2026      FY2028
    ";

    #[test]
    fn previous_and_next_cross_year_boundaries() {
        for [calendar, frequency, date, before, after] in rows(NEIGHBOURS) {
            let calendar = cal(calendar);
            let period = calendar.containing(freq(frequency), d(date));
            assert_eq!(
                calendar.label(&calendar.previous(&period)),
                before,
                "{date}"
            );
            assert_eq!(calendar.label(&calendar.next(&period)), after, "{date}");
        }
    }

    const PARSED: &str = "
        # calendar frequency label start end
        mon:1  day      2024-02-29  2024-02-29  2024-02-29
        mon:1  week     2026-W47    2026-11-16  2026-11-22
        mon:1  week     2026-w47    2026-11-16  2026-11-22
        mon:1  week     2020-W53    2020-12-28  2021-01-03
        mon:1  week     2026-W53    2026-12-28  2027-01-03
        mon:1  week     2025-W01    2024-12-30  2025-01-05
        sun:1  week     2026-W48S   2026-11-22  2026-11-28
        sun:1  week     2026-w48s   2026-11-22  2026-11-28
        sun:1  week     2025-W01S   2024-12-29  2025-01-04
        mon:1  month    2024-02     2024-02-01  2024-02-29
        mon:1  quarter  2026-Q4     2026-10-01  2026-12-31
        mon:1  year     2026        2026-01-01  2026-12-31
        mon:1  year     0000        0000-01-01  0000-12-31
        mon:4  quarter  FY2027-Q1   2026-04-01  2026-06-30
        mon:4  quarter  FY2027-Q4   2027-01-01  2027-03-31
        mon:4  quarter  fy2027-q4   2027-01-01  2027-03-31
        mon:4  year     FY2027      2026-04-01  2027-03-31
        mon:10 year     FY2027      2026-10-01  2027-09-30
        mon:10 quarter  FY2027-Q2   2027-01-01  2027-03-31
    ";

    #[test]
    fn parse_labels() {
        for [calendar, frequency, label, start, end] in rows(PARSED) {
            let frequency = freq(frequency);
            let (start, end) = (d(start), d(end));
            let expected = Period {
                frequency,
                start,
                end,
            };
            assert_eq!(
                cal(calendar).parse_label(frequency, label),
                Ok(expected),
                "{label}"
            );
        }
    }

    /// Each case is two lines: calendar, frequency and label, then the whole message.
    const ERRORS: &str = "
        mon:1 month 2026-13
        `2026-13` is not a month label (expected YYYY-MM, such as 2026-11)
        mon:1 day 2026-02-30
        `2026-02-30` is not a day label (expected YYYY-MM-DD, such as 2026-11-22)
        mon:1 week 2025-W53
        `2025-W53` is not a week label: ISO year 2025 has 52 weeks, not 53 (expected YYYY-Www, such as 2026-W47)
        mon:1 week 2026-W48S
        `2026-W48S` is not a week label: the S suffix marks a Sunday week, but week_start is monday (expected YYYY-Www, such as 2026-W47)
        sun:1 week 2026-W48
        `2026-W48` is not a week label: week_start is sunday, so week labels end in S (expected YYYY-WwwS, such as 2026-W48S)
        mon:1 quarter FY2027-Q1
        `FY2027-Q1` is not a quarter label: fiscal_year_start is 1 (January), so quarters are calendar quarters without an FY prefix (expected YYYY-Qn, such as 2026-Q4)
        mon:4 quarter 2027-Q1
        `2027-Q1` is not a quarter label: fiscal_year_start is 4, so quarters are fiscal and take an FY prefix with the year they end in (expected FYyyyy-Qn, such as FY2027-Q1)
        mon:4 year 2027
        `2027` is not a year label: fiscal_year_start is 4, so years are fiscal and take an FY prefix with the year they end in (expected FYyyyy, such as FY2027)
        mon:1 day 2026-11-22\u{0}\u{1b}[31m
        `2026-11-22\\u{0}\\u{1b}[31m` is not a day label (expected YYYY-MM-DD, such as 2026-11-22)
        mon:1 year FY2027
        `FY2027` is not a year label: fiscal_year_start is 1 (January), so years are calendar years without an FY prefix (expected YYYY, such as 2026)
    ";

    #[test]
    fn parse_errors_name_the_expected_form() {
        let lines: Vec<&str> = ERRORS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        for case in lines.chunks(2) {
            let [calendar, frequency, label] = rows(case[0])[0];
            assert_eq!(parse_error(cal(calendar), freq(frequency), label), case[1]);
        }
    }

    /// Labels that no calendar accepts for any frequency (but "2026", a calendar year), split on
    /// whitespace; `SPACED` holds those that whitespace is part of.
    const GARBAGE: &str = "
        - -- abc ü 🦀 \u{0} 1e3 0x7E6 FY FY-Q1 fy-2027 FYFY2027 99999-01 +2026-01 -2026-01
        2026- 2026-1 2026-001 2026-00 2026-13 2026--11 2026-ü ２０２６-11 2026-1１ 2026-11-
        2026-11-31 2025-02-29 2026-11-22-01 2026/11/22 20261122 2026-11-22T00:00
        2026-W00 2026-W54 2026-W5 2026-W047 2026W47 2026-W47SS 2026-W4🦀 2026-W\u{301}47
        2026-Q0 2026-Q5 2026-Q10 2026-Q4-01 FY2026-Q5 2026
    ";
    const SPACED: [&str; 5] = ["", " ", "FY 2027", "2026-11-22 ", " 2026-11-22"];

    #[test]
    fn parse_rejects_garbage() {
        for calendar in calendars() {
            for frequency in Frequency::ALL {
                for label in GARBAGE.split_whitespace().chain(SPACED) {
                    match calendar.parse_label(frequency, label) {
                        // "2026" is a fine label for a calendar year.
                        Ok(period) => assert_eq!(calendar.label(&period), label),
                        Err(err) => assert!(err.0.contains("(expected "), "{err}"),
                    }
                }
            }
        }
    }

    #[test]
    fn parse_never_panics_on_mutated_labels() {
        let swaps = [
            '0', '9', '-', 'W', 'Q', 'S', 'F', 'Y', 'é', '\u{0}', ' ', '5',
        ];
        for calendar in calendars() {
            for frequency in Frequency::ALL {
                let seed = calendar.label(&calendar.containing(frequency, d("2026-11-22")));
                for (at, old) in seed.char_indices() {
                    for swap in swaps {
                        let (head, tail) = (&seed[..at], &seed[at + old.len_utf8()..]);
                        let replaced = format!("{head}{swap}{tail}");
                        let inserted = format!("{head}{swap}{old}{tail}");
                        for label in [replaced, inserted] {
                            if let Ok(period) = calendar.parse_label(frequency, &label) {
                                assert_eq!(period.frequency, frequency);
                            }
                        }
                    }
                }
            }
        }
    }

    const TO_DATE: &str = "
        # frequency as-of window-start window-end previous-start previous-end
        month    2026-11-22  2026-11-01  2026-11-22  2026-10-01  2026-10-22
        month    2026-03-30  2026-03-01  2026-03-30  2026-02-01  2026-02-28
        month    2024-03-30  2024-03-01  2024-03-30  2024-02-01  2024-02-29
        month    2026-01-01  2026-01-01  2026-01-01  2025-12-01  2025-12-01
        # As-of on a period's last day: the whole period, against the whole period before.
        month    2026-03-31  2026-03-01  2026-03-31  2026-02-01  2026-02-28
        month    2024-03-31  2024-03-01  2024-03-31  2024-02-01  2024-02-29
        # Quarters count days, not months: 61 days of Q2 against the first 61 days of Q1.
        quarter  2026-11-22  2026-10-01  2026-11-22  2026-07-01  2026-08-22
        quarter  2026-05-31  2026-04-01  2026-05-31  2026-01-01  2026-03-02
        year     2026-11-22  2026-01-01  2026-11-22  2025-01-01  2025-11-22
        week     2026-11-18  2026-11-16  2026-11-18  2026-11-09  2026-11-11
        day      2026-11-22  2026-11-22  2026-11-22  2026-11-21  2026-11-21
    ";

    #[test]
    fn to_date_and_previous_window() {
        let calendar = Calendar::default();
        for [frequency, as_of, start, end, before_start, before_end] in rows(TO_DATE) {
            let period = calendar.containing(freq(frequency), d(as_of));
            let window = calendar.to_date(period, d(as_of));
            assert_eq!((window.start, window.end), (d(start), d(end)), "{as_of}");
            let before = calendar.previous_window(&window);
            let expected = (d(before_start), d(before_end));
            assert_eq!((before.start, before.end), expected, "{as_of}");
            assert_eq!(before.period, calendar.previous(&period));
        }
    }

    #[test]
    fn whole_and_partial_windows() {
        let calendar = Calendar::default();
        let november = calendar.containing(Frequency::Month, d("2026-11-05"));
        let partial = calendar.to_date(november, d("2026-11-22"));
        assert!(partial.is_partial());
        assert!(partial.contains(d("2026-11-22")) && !partial.contains(d("2026-11-23")));
        assert!(!calendar.to_date(november, d("2026-11-30")).is_partial());
        assert_eq!(
            calendar.to_date(november, d("2027-05-01")),
            Window::whole(november)
        );
        assert_eq!(
            calendar.to_date(november, d("2026-01-01")).end,
            d("2026-11-01")
        );
        let whole = calendar.previous_window(&Window::whole(november));
        assert_eq!(whole, Window::whole(calendar.previous(&november)));
        assert!(!whole.is_partial());
    }

    const RESOLVED: &str = "
        # calendar choice frequency start end partial   (as-of 2026-11-22, a Sunday)
        mon:1  previous   day      2026-11-21  2026-11-21  no
        mon:1  previous   week     2026-11-09  2026-11-15  no
        mon:1  previous   month    2026-10-01  2026-10-31  no
        mon:1  previous   quarter  2026-07-01  2026-09-30  no
        mon:1  previous   year     2025-01-01  2025-12-31  no
        sun:1  previous   week     2026-11-15  2026-11-21  no
        mon:4  previous   year     2025-04-01  2026-03-31  no
        mon:1  current    day      2026-11-22  2026-11-22  no
        mon:1  current    week     2026-11-16  2026-11-22  no
        sun:1  current    week     2026-11-22  2026-11-22  yes
        mon:1  current    month    2026-11-01  2026-11-22  yes
        mon:4  current    quarter  2026-10-01  2026-11-22  yes
        mon:1  2026-03    month    2026-03-01  2026-03-31  no
        mon:1  2026-W01   week     2025-12-29  2026-01-04  no
        mon:1  2026-Q4    quarter  2026-10-01  2026-11-22  yes
        mon:1  2026-11    month    2026-11-01  2026-11-22  yes
        mon:4  FY2027-Q1  quarter  2026-04-01  2026-06-30  no
    ";

    #[test]
    fn resolve_period_choices() {
        let as_of = d("2026-11-22");
        for [calendar, choice, frequency, start, end, partial] in rows(RESOLVED) {
            let choice = PeriodChoice::parse(choice);
            let got = cal(calendar)
                .resolve(&choice, freq(frequency), as_of)
                .unwrap();
            assert_eq!((got.start, got.end), (d(start), d(end)), "{choice:?}");
            assert_eq!(got.is_partial(), partial == "yes", "{choice:?}");
        }
        let calendar = Calendar::default();
        let label = PeriodChoice::parse("2026-11");
        let err = calendar
            .resolve(&label, Frequency::Week, as_of)
            .unwrap_err();
        assert!(err.0.starts_with("`2026-11` is not a week label"), "{err}");
        let future = PeriodChoice::parse("2027-Q1");
        let err = calendar
            .resolve(&future, Frequency::Quarter, as_of)
            .unwrap_err();
        assert!(
            err.0.contains("2027-Q1 has not started on 2026-11-22"),
            "{err}"
        );
        let capitalised = PeriodChoice::parse("Previous");
        assert!(calendar
            .resolve(&capitalised, Frequency::Month, as_of)
            .is_err());
    }

    #[test]
    fn period_choice_parse() {
        assert_eq!(PeriodChoice::parse("previous"), PeriodChoice::Previous);
        assert_eq!(PeriodChoice::parse("current"), PeriodChoice::Current);
        let label = PeriodChoice::Label("2026-11".to_string());
        assert_eq!(PeriodChoice::parse("2026-11"), label);
    }

    const BETWEEN: &str = "
        # calendar frequency from to labels...
        mon:1  quarter  2025-11-15  2026-04-01  2025-Q4 2026-Q1 2026-Q2
        mon:1  month    2026-01-31  2026-02-01  2026-01 2026-02
        mon:1  week     2026-12-27  2027-01-04  2026-W52 2026-W53 2027-W01
        sun:1  week     2026-12-27  2027-01-03  2026-W53S 2027-W01S
        mon:4  year     2026-01-01  2026-12-31  FY2026 FY2027
        mon:1  day      2026-11-22  2026-11-22  2026-11-22
        mon:1  day      2026-11-23  2026-11-22
    ";

    #[test]
    fn periods_between_ranges() {
        for line in BETWEEN.lines().map(str::trim) {
            let cells: Vec<&str> = line.split_whitespace().collect();
            let [calendar, frequency, from, to, expected @ ..] = cells.as_slice() else {
                continue; // blank lines
            };
            if calendar.starts_with('#') {
                continue;
            }
            let calendar = cal(calendar);
            let periods = calendar.periods_between(freq(frequency), d(from), d(to));
            let labels: Vec<String> = periods.iter().map(|p| calendar.label(p)).collect();
            assert_eq!(labels, expected, "{line}");
        }
        let year =
            Calendar::default().periods_between(Frequency::Day, d("2024-01-01"), d("2024-12-31"));
        assert_eq!(year.len(), 366);
    }

    #[test]
    fn extreme_dates_do_not_panic() {
        let mut extremes = vec![NaiveDate::MIN, NaiveDate::MAX];
        extremes.extend(NaiveDate::MIN.succ_opt());
        extremes.extend(NaiveDate::MAX.pred_opt());
        // The fields are public, so a calendar can bypass `Calendar::new`.
        let odd = [0, 13, u32::MAX].map(|fiscal_year_start| Calendar {
            week_start: WeekStart::Sunday,
            fiscal_year_start,
        });
        for calendar in calendars().into_iter().chain(odd) {
            for frequency in Frequency::ALL {
                for date in &extremes {
                    let period = calendar.containing(frequency, *date);
                    let _ = calendar.label(&calendar.previous(&period));
                    let _ = calendar.label(&calendar.next(&period));
                    let window = calendar.to_date(period, *date);
                    let _ = calendar.previous_window(&window);
                    let _ = calendar.periods_between(frequency, *date, *date);
                }
            }
        }
        let (start, end) = (d("2026-11-30"), d("2026-11-01"));
        let malformed = Period {
            frequency: Frequency::Month,
            start,
            end,
        };
        let window = Calendar::default().to_date(malformed, d("2026-11-15"));
        let _ = Calendar::default().previous_window(&window);
    }

    /// Every day 2019–2031, every frequency, several calendars: periods tile the days, and each
    /// label round-trips and names one period.
    #[test]
    fn periods_tile_the_calendar_and_labels_round_trip() {
        let days: Vec<NaiveDate> = d("2019-01-01")
            .iter_days()
            .take_while(|day| *day <= d("2031-12-31"))
            .collect();
        for calendar in calendars() {
            for frequency in Frequency::ALL {
                let mut labels: HashMap<String, Period> = HashMap::new();
                for date in &days {
                    let period = calendar.containing(frequency, *date);
                    check_period(calendar, period, *date);
                    let label = calendar.label(&period);
                    assert_eq!(
                        calendar.parse_label(frequency, &label),
                        Ok(period),
                        "{label}"
                    );
                    let known = labels.entry(label.clone()).or_insert(period);
                    assert_eq!(*known, period, "{label} names two periods");
                }
                let distinct: HashSet<Period> = labels.values().copied().collect();
                assert_eq!(distinct.len(), labels.len(), "two labels for one period");
            }
        }
    }

    /// `period` holds `date`, is its own bucket, and sits between contiguous neighbours.
    fn check_period(calendar: Calendar, period: Period, date: NaiveDate) {
        assert!(period.contains(date), "{calendar:?} {period:?} {date}");
        assert_eq!(calendar.containing(period.frequency, period.start), period);
        assert_eq!(calendar.containing(period.frequency, period.end), period);
        let before = calendar.previous(&period);
        let after = calendar.next(&period);
        assert_eq!(calendar.next(&before), period);
        assert_eq!(calendar.previous(&after), period);
        assert_eq!(before.end.succ_opt(), Some(period.start));
        assert_eq!(period.end.succ_opt(), Some(after.start));
        let days = (period.end - period.start).num_days() + 1;
        let lengths = match period.frequency {
            Frequency::Day => 1..=1,
            Frequency::Week => 7..=7,
            Frequency::Month => 28..=31,
            Frequency::Quarter => 89..=92,
            Frequency::Year => 365..=366,
        };
        assert!(lengths.contains(&days), "{period:?}");
    }
}
