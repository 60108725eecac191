//! Calendar arithmetic: the period containing a day, the periods before and after, ranges.

use super::{Calendar, Frequency, Period, PeriodError, WeekStart};
use chrono::{Datelike, Days, NaiveDate};

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
    pub(super) fn week_span(&self, date: NaiveDate) -> (NaiveDate, NaiveDate) {
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
    pub(super) fn fiscal_month0(&self) -> i64 {
        (i64::from(self.fiscal_year_start) - 1).rem_euclid(12)
    }

    /// Whether quarters and years follow a fiscal year other than the calendar year.
    pub(super) fn is_fiscal(&self) -> bool {
        self.fiscal_month0() != 0
    }

    /// The month index that opens the (fiscal) quarter holding month index `month`.
    pub(super) fn quarter_start(&self, month: i64) -> i64 {
        month - (month - self.fiscal_month0()).rem_euclid(3)
    }

    /// The month index that opens the (fiscal) year holding month index `month`.
    pub(super) fn year_start(&self, month: i64) -> i64 {
        month - (month - self.fiscal_month0()).rem_euclid(12)
    }

    /// The year a (fiscal) year is named by: a fiscal year by the calendar year it ends in.
    pub(super) fn year_name(&self, year_start: i64) -> i64 {
        let first_year = year_start.div_euclid(12);
        if self.is_fiscal() {
            first_year + 1
        } else {
            first_year
        }
    }

    /// The month index that opens the (fiscal) year named `name`; the inverse of `year_name`.
    pub(super) fn named_year_start(&self, name: i64) -> i64 {
        let first_year = if self.is_fiscal() { name - 1 } else { name };
        first_year * 12 + self.fiscal_month0()
    }
}

/// Months counted from January of year 0, so that month arithmetic never carries years by hand.
pub(super) fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

/// The first day of month index `month`, if chrono can represent it.
pub(super) fn first_of_month(month: i64) -> Option<NaiveDate> {
    let year = i32::try_from(month.div_euclid(12)).ok()?;
    let month0 = u32::try_from(month.rem_euclid(12)).ok()?;
    NaiveDate::from_ymd_opt(year, month0 + 1, 1)
}

/// The representable day nearest to month index `month`, which lies outside chrono's range.
pub(super) fn saturate(month: i64) -> NaiveDate {
    if month <= month_index(NaiveDate::MIN) {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    }
}

/// The first and last day of `len` months from month index `start`.
pub(super) fn month_span(start: i64, len: i64) -> (NaiveDate, NaiveDate) {
    let first = first_of_month(start).unwrap_or_else(|| saturate(start));
    let last = first_of_month(start + len)
        .and_then(|d| d.pred_opt())
        .unwrap_or_else(|| saturate(start + len - 1));
    (first, last)
}
