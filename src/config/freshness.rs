//! The volume and freshness guards of a source (`fresh_within = "2 days"`, `max_row_drop = 0.5`),
//! parsed and range-checked. What they decide at run time is the command layer's
//! (`commands::compute::coverage` and `volume`).

use std::fmt;

/// `max_row_drop` when a source does not set it: fewer than half the rows of the last run warn.
pub const DEFAULT_MAX_ROW_DROP: f64 = 0.5;

/// How old a source's newest date may be, in whole days: dates carry no time of day that the
/// as-of date could be compared with, so spans are counted in days (a week is 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreshWithin {
    pub days: u32,
}

impl FreshWithin {
    /// `"2 days"`, `"1 day"`, `"3 weeks"` (any case, the unit singular or plural).
    pub fn parse(text: &str) -> Result<FreshWithin, String> {
        let refused = || {
            format!(
                "fresh_within must be a number of days or weeks such as \"2 days\" or \"1 week\", not {text:?}"
            )
        };
        let mut words = text.split_whitespace();
        let (Some(count), Some(unit), None) = (words.next(), words.next(), words.next()) else {
            return Err(refused());
        };
        let count: u32 = count.parse().map_err(|_| refused())?;
        let per_unit = match unit.to_ascii_lowercase().as_str() {
            "day" | "days" => 1,
            "week" | "weeks" => 7,
            "hour" | "hours" => {
                return Err(format!(
                    "{}\n  hint: dates are compared with the as-of date, a day: write \"1 day\" for 24 hours",
                    refused()
                ))
            }
            _ => return Err(refused()),
        };
        let days = count.checked_mul(per_unit).ok_or_else(refused)?;
        Ok(FreshWithin { days })
    }
}

impl fmt::Display for FreshWithin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.days == 1 { "" } else { "s" };
        write!(f, "{} day{plural}", self.days)
    }
}

/// `max_row_drop` checked: a share from 0 (any drop warns) to 1 (never).
pub fn max_row_drop(value: Option<f64>) -> Result<f64, String> {
    match value {
        None => Ok(DEFAULT_MAX_ROW_DROP),
        Some(v) if (0.0..=1.0).contains(&v) => Ok(v),
        Some(v) => Err(format!(
            "max_row_drop must be a share from 0 to 1 such as 0.5 (warn below half the rows of the last run), not {v}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_whole_days() {
        let days = |t: &str| FreshWithin::parse(t).map(|f| f.days);
        assert_eq!(days("2 days"), Ok(2));
        assert_eq!(days("1 day"), Ok(1));
        assert_eq!(days(" 1  Week "), Ok(7));
        assert_eq!(days("3 weeks"), Ok(21));
        assert_eq!(days("0 days"), Ok(0));
        for bad in [
            "",
            "2",
            "days",
            "two days",
            "-1 days",
            "2 months",
            "2 days ago",
            "1.5 days",
        ] {
            assert!(days(bad).is_err(), "{bad}");
        }
        assert!(days("36 hours")
            .unwrap_err()
            .contains("hint: dates are compared"));
        assert_eq!(FreshWithin { days: 1 }.to_string(), "1 day");
        assert_eq!(
            FreshWithin::parse("2 weeks").unwrap().to_string(),
            "14 days"
        );
    }

    #[test]
    fn a_row_drop_is_a_share() {
        assert_eq!(max_row_drop(None), Ok(0.5));
        assert_eq!(max_row_drop(Some(0.0)), Ok(0.0));
        assert_eq!(max_row_drop(Some(1.0)), Ok(1.0));
        assert!(max_row_drop(Some(1.5)).is_err());
        assert!(max_row_drop(Some(-0.1)).is_err());
        assert!(max_row_drop(Some(f64::NAN)).is_err());
    }
}
