//! Windows: the stretch of days a run computes (a whole period or its part to date), and the
//! command line's choice of period.

use super::{Calendar, Frequency, Period, PeriodError};
use chrono::{Days, NaiveDate};

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

    /// Whether the window ends before its period does: a period to date. (A window reaching
    /// back past the period's start, `window = "3 months"`, is whole.)
    pub fn is_partial(&self) -> bool {
        self.end != self.period.end
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
pub(super) fn same_offset(from: &Period, date: NaiveDate, to: &Period) -> NaiveDate {
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
