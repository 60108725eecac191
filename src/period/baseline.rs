//! Baselines: the period a value is compared with (SPEC, Comparisons and windows): the period
//! before, the same period a year earlier, or N periods earlier; and for a period to date, the
//! same elapsed part of that period.

use super::window::same_offset;
use super::{Calendar, Frequency, Period, PeriodError, WeekStart, Window};
use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The most periods back a baseline may reach: past this, a typo (`1000_periods_ago`) is more
/// likely than a need.
const MAX_PERIODS_AGO: u32 = 520;

/// What a value is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Baseline {
    /// The period before.
    Previous,
    /// The same month, quarter or week number a year earlier; for days, 364 days earlier (the
    /// same weekday).
    YearAgo,
    /// N periods earlier (`4_periods_ago`).
    PeriodsAgo(u32),
}

impl Baseline {
    /// `previous`, `year_ago` or `N_periods_ago` with N from 1 to 520.
    pub fn parse(text: &str) -> Result<Baseline, PeriodError> {
        match text {
            "previous" => return Ok(Baseline::Previous),
            "year_ago" => return Ok(Baseline::YearAgo),
            _ => {}
        }
        let count = text
            .strip_suffix("_periods_ago")
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<u32>().ok());
        match count {
            Some(n) if (1..=MAX_PERIODS_AGO).contains(&n) => Ok(Baseline::PeriodsAgo(n)),
            Some(n) => Err(PeriodError(format!(
                "`{n}_periods_ago`: N goes from 1 to {MAX_PERIODS_AGO}"
            ))),
            None => Err(PeriodError(format!(
                "`{text}` is not a baseline: write \"previous\", \"year_ago\" or \"N_periods_ago\" (such as \"4_periods_ago\")"
            ))),
        }
    }

    /// The name as written in `compare`, JSON and CSV column prefixes.
    pub fn name(&self) -> String {
        match self {
            Baseline::Previous => "previous".to_string(),
            Baseline::YearAgo => "year_ago".to_string(),
            Baseline::PeriodsAgo(n) => format!("{n}_periods_ago"),
        }
    }
}

impl Calendar {
    /// The period `baseline` compares `period` with.
    ///
    /// A year ago is the same label a year earlier: `2026-11` → `2025-11`, `FY2027-Q1` →
    /// `FY2026-Q1`, `2026-W10` → `2025-W10`. A week 53 whose year before has only 52 weeks is
    /// compared with that year's week 52, its last. A day is compared with the day 364 days
    /// earlier, the same weekday, as daily figures follow the week.
    pub fn baseline(&self, period: &Period, baseline: Baseline) -> Period {
        match baseline {
            Baseline::Previous => self.previous(period),
            Baseline::PeriodsAgo(n) => (0..n).fold(*period, |p, _| self.previous(&p)),
            Baseline::YearAgo => self.year_ago(period),
        }
    }

    /// The window `baseline` compares `window` with: the whole baseline period for a whole
    /// period, the same elapsed part of it for a period to date.
    pub fn baseline_window(&self, window: &Window, baseline: Baseline) -> Window {
        let before = self.baseline(&window.period, baseline);
        if !window.is_partial() {
            return Window::whole(before);
        }
        Window {
            period: before,
            start: same_offset(&window.period, window.start, &before),
            end: same_offset(&window.period, window.end, &before),
        }
    }

    fn year_ago(&self, period: &Period) -> Period {
        let frequency = period.frequency;
        let earlier = match frequency {
            Frequency::Day => period.start.checked_sub_days(Days::new(364)),
            Frequency::Week => self.same_week_a_year_before(period.start),
            Frequency::Month | Frequency::Quarter | Frequency::Year => {
                period.start.with_year(period.start.year() - 1)
            }
        };
        // At the edge of the representable calendar, the previous period stands in.
        match earlier {
            Some(day) => self.containing(frequency, day),
            None => self.previous(period),
        }
    }

    /// A day of the week with the same ISO week number (the number its label shows) in the
    /// year before, or that year's last week when it has fewer.
    fn same_week_a_year_before(&self, week_start: NaiveDate) -> Option<NaiveDate> {
        // The label's number is the ISO week of the week's Monday (a Sunday week's second day).
        let monday = match self.week_start {
            WeekStart::Monday => week_start,
            WeekStart::Sunday => week_start.succ_opt()?,
        };
        let week = monday.iso_week();
        let year = week.year() - 1;
        let last = NaiveDate::from_ymd_opt(year, 12, 28)?.iso_week().week();
        NaiveDate::from_isoywd_opt(year, week.week().min(last), Weekday::Mon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    fn cal(week_start: WeekStart, fiscal: u32) -> Calendar {
        Calendar::new(week_start, fiscal).expect("calendar")
    }

    /// The label of the baseline of the period labelled `label`.
    fn back(calendar: &Calendar, frequency: Frequency, label: &str, baseline: &str) -> String {
        let period = calendar.parse_label(frequency, label).expect("label");
        let baseline = Baseline::parse(baseline).expect("baseline");
        calendar.label(&calendar.baseline(&period, baseline))
    }

    #[test]
    fn baselines_parse_and_name_themselves() {
        for text in [
            "previous",
            "year_ago",
            "1_periods_ago",
            "4_periods_ago",
            "520_periods_ago",
        ] {
            assert_eq!(Baseline::parse(text).expect(text).name(), text);
        }
        for text in [
            "",
            "year",
            "0_periods_ago",
            "521_periods_ago",
            "-1_periods_ago",
            "_periods_ago",
            "4 periods ago",
        ] {
            assert!(Baseline::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn a_year_ago_is_the_same_label_a_year_earlier() {
        let iso = cal(WeekStart::Monday, 1);
        let fiscal = cal(WeekStart::Monday, 4);
        let sunday = cal(WeekStart::Sunday, 1);
        let cases = [
            (&iso, Frequency::Month, "2026-11", "2025-11"),
            (&iso, Frequency::Month, "2024-02", "2023-02"),
            (&iso, Frequency::Quarter, "2026-Q1", "2025-Q1"),
            (&fiscal, Frequency::Quarter, "FY2027-Q1", "FY2026-Q1"),
            (&fiscal, Frequency::Year, "FY2027", "FY2026"),
            (&iso, Frequency::Year, "2026", "2025"),
            (&iso, Frequency::Week, "2027-W10", "2026-W10"),
            (&iso, Frequency::Week, "2021-W01", "2020-W01"),
            // 2020 and 2026 have a week 53; 2019 and 2025 do not: their week 52 is their last.
            (&iso, Frequency::Week, "2020-W53", "2019-W52"),
            (&iso, Frequency::Week, "2026-W53", "2025-W52"),
            (&sunday, Frequency::Week, "2026-W48S", "2025-W48S"),
            (&sunday, Frequency::Week, "2026-W53S", "2025-W52S"),
            // 364 days: the same weekday (2026-11-22 and 2025-11-23 are Sundays).
            (&iso, Frequency::Day, "2026-11-22", "2025-11-23"),
            (&iso, Frequency::Day, "2024-02-29", "2023-03-02"),
        ];
        for (calendar, frequency, label, expected) in cases {
            assert_eq!(
                back(calendar, frequency, label, "year_ago"),
                expected,
                "{label}"
            );
        }
    }

    #[test]
    fn n_periods_ago_steps_back_n_periods() {
        let iso = cal(WeekStart::Monday, 1);
        assert_eq!(
            back(&iso, Frequency::Week, "2026-W02", "4_periods_ago"),
            "2025-W50"
        );
        assert_eq!(
            back(&iso, Frequency::Month, "2026-02", "3_periods_ago"),
            "2025-11"
        );
        assert_eq!(
            back(&iso, Frequency::Month, "2026-02", "1_periods_ago"),
            "2026-01"
        );
        assert_eq!(
            back(&iso, Frequency::Month, "2026-02", "previous"),
            "2026-01"
        );
        assert_eq!(
            back(&iso, Frequency::Month, "2026-02", "12_periods_ago"),
            "2025-02"
        );
    }

    /// Checked against chrono's own ISO weeks for every week of 2015–2035: the same week
    /// number in the year before, else that year's last week.
    #[test]
    fn week_year_ago_agrees_with_chrono_iso_weeks() {
        let iso = cal(WeekStart::Monday, 1);
        let mut day = d("2015-01-05");
        while day < d("2035-12-31") {
            let period = iso.containing(Frequency::Week, day);
            let got = iso.baseline(&period, Baseline::YearAgo).start.iso_week();
            let week = day.iso_week();
            let weeks_before = NaiveDate::from_ymd_opt(week.year() - 1, 12, 28)
                .expect("date")
                .iso_week()
                .week();
            assert_eq!(got.year(), week.year() - 1, "{day}");
            assert_eq!(got.week(), week.week().min(weeks_before), "{day}");
            day = day + Days::new(7);
        }
    }

    #[test]
    fn a_period_to_date_is_compared_with_the_same_elapsed_part() {
        let iso = cal(WeekStart::Monday, 1);
        let november = iso.containing(Frequency::Month, d("2026-11-22"));
        let window = iso.to_date(november, d("2026-11-22"));
        let before = iso.baseline_window(&window, Baseline::YearAgo);
        assert_eq!(
            (before.start, before.end),
            (d("2025-11-01"), d("2025-11-22"))
        );
        // A whole period maps to the whole baseline period.
        let october = Window::whole(iso.containing(Frequency::Month, d("2026-10-05")));
        let before = iso.baseline_window(&october, Baseline::PeriodsAgo(2));
        assert_eq!(
            (before.start, before.end),
            (d("2026-08-01"), d("2026-08-31"))
        );
        // March 1–30 a year before February: clamped to February's end.
        let march = iso.to_date(
            iso.containing(Frequency::Month, d("2026-03-30")),
            d("2026-03-30"),
        );
        let before = iso.baseline_window(&march, Baseline::PeriodsAgo(1));
        assert_eq!(
            (before.start, before.end),
            (d("2026-02-01"), d("2026-02-28"))
        );
    }

    #[test]
    fn the_edge_of_the_calendar_does_not_panic() {
        let iso = cal(WeekStart::Monday, 1);
        for frequency in [
            Frequency::Day,
            Frequency::Week,
            Frequency::Month,
            Frequency::Quarter,
            Frequency::Year,
        ] {
            let first = iso.containing(frequency, NaiveDate::MIN);
            let _ = iso.baseline(&first, Baseline::YearAgo);
            let _ = iso.baseline(&first, Baseline::PeriodsAgo(MAX_PERIODS_AGO));
        }
    }
}
