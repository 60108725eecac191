//! SMART targets: how far a KPI is along the way to its target, and where its recent trend
//! leads by the target date (ordinary least squares over the archived periods).

use crate::config::Target;
use crate::measure::Direction;
use crate::value::days_from_date;
use chrono::NaiveDate;

/// Fewer points than this make no trend worth projecting.
pub const MIN_TREND_POINTS: usize = 3;

/// A KPI's standing against its target.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Standing {
    /// value / target when up is good, target / value when down is good: 1 means reached.
    pub attainment: Option<f64>,
    /// The value the trend reaches on the target date.
    pub projected: Option<f64>,
    /// Whether the target is met now or projected to be met on its date; None without a date,
    /// or without a trend when it is not met yet.
    pub on_track: Option<bool>,
}

/// `series` holds (period start, value) of recent periods, oldest first, this one last;
/// `target_period` is the first day of the period that contains the target date (the value to
/// project is that period's), and `today` the last day of this one.
pub fn standing(
    target: &Target,
    direction: Direction,
    value: Option<f64>,
    series: &[(NaiveDate, f64)],
    target_period: Option<NaiveDate>,
    today: NaiveDate,
) -> Standing {
    let attainment = value.and_then(|v| match direction {
        Direction::Up if target.value != 0.0 => Some(v / target.value),
        Direction::Down if v != 0.0 => Some(target.value / v),
        _ => None,
    });
    let (Some(by), Some(at)) = (target.by, target_period) else {
        return Standing {
            attainment,
            ..Standing::default()
        };
    };
    let meets = |x: f64| match direction {
        Direction::Up => Some(x >= target.value),
        Direction::Down => Some(x <= target.value),
        Direction::None => None,
    };
    // Past the date, the question is whether it was met; before, where the trend leads.
    let projected = if by <= today {
        value
    } else {
        trend_at(series, at)
    };
    // A value that already meets the target is on track whatever the trend (SPEC): a 7-day
    // cycle against a 45-day target is not "off track" because last months were shorter.
    let met = value.and_then(meets).filter(|met| *met);
    Standing {
        attainment,
        projected,
        on_track: met.or_else(|| projected.and_then(meets)),
    }
}

/// The least-squares line through the points (days since the epoch, value), read at `date`.
pub fn trend_at(series: &[(NaiveDate, f64)], date: NaiveDate) -> Option<f64> {
    let points: Vec<(f64, f64)> = series
        .iter()
        .filter(|(_, y)| y.is_finite())
        .map(|(d, y)| (days_from_date(*d) as f64, *y))
        .collect();
    if points.len() < MIN_TREND_POINTS {
        return None;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    if sxx == 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let y = mean_y + slope * (days_from_date(date) as f64 - mean_x);
    y.is_finite().then_some(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn months(values: &[f64]) -> Vec<(NaiveDate, f64)> {
        // Points 30 days apart, so the slope per day is exact.
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (d("2026-01-01") + chrono::Days::new(30 * i as u64), *v))
            .collect()
    }

    #[test]
    fn a_straight_line_is_projected_exactly() {
        let series = months(&[10.0, 13.0, 16.0, 19.0]);
        // 19 on day 90; +0.1 a day; 60 days later: 25.
        let at = d("2026-01-01") + chrono::Days::new(150);
        assert!((trend_at(&series, at).unwrap() - 25.0).abs() < 1e-9);
        assert_eq!(trend_at(&series[..2], at), None);
    }

    #[test]
    fn attainment_and_track_honour_the_direction() {
        let up = Target {
            value: 25.0,
            by: Some(d("2026-05-31")),
        };
        let today = d("2026-04-05");
        let at = Some(d("2026-06-30"));
        let rising = standing(
            &up,
            Direction::Up,
            Some(19.0),
            &months(&[10.0, 13.0, 16.0, 19.0]),
            at,
            today,
        );
        assert_eq!(rising.attainment, Some(0.76));
        assert_eq!(rising.on_track, Some(true));
        let flat = standing(
            &up,
            Direction::Up,
            Some(19.0),
            &months(&[19.0, 19.0, 19.0, 19.0]),
            at,
            today,
        );
        assert_eq!(flat.on_track, Some(false));
        let down = Target {
            value: 10.0,
            by: None,
        };
        let late = standing(&down, Direction::Down, Some(20.0), &[], None, today);
        assert_eq!(
            late,
            Standing {
                attainment: Some(0.5),
                projected: None,
                on_track: None
            }
        );
        // Past its date, a target is judged on the value itself.
        let past = Target {
            value: 10.0,
            by: Some(d("2026-03-31")),
        };
        let met = standing(&past, Direction::Down, Some(9.0), &[], at, today);
        assert_eq!((met.projected, met.on_track), (Some(9.0), Some(true)));
    }

    #[test]
    fn a_down_kpi_at_or_below_its_target_is_on_track_whatever_the_trend() {
        let cycle = Target {
            value: 45.0,
            by: Some(d("2028-12-31")),
        };
        let today = d("2026-05-31");
        let at = Some(d("2028-12-01"));
        // 1, 2, 4, 7 days: rising, the trend passes 45 days long before December 2028.
        let rising = months(&[1.0, 2.0, 4.0, 7.0]);
        let standing = standing(&cycle, Direction::Down, Some(7.0), &rising, at, today);
        assert_eq!(standing.attainment, Some(45.0 / 7.0));
        assert!(standing.projected.is_some_and(|p| p > 45.0), "{standing:?}");
        assert_eq!(standing.on_track, Some(true));
        let at_target = super::standing(&cycle, Direction::Down, Some(45.0), &rising, at, today);
        assert_eq!(at_target.on_track, Some(true));
        // Above the target, the trend decides, and this one misses.
        let above = super::standing(&cycle, Direction::Down, Some(46.0), &rising, at, today);
        assert_eq!(
            (above.attainment, above.on_track),
            (Some(45.0 / 46.0), Some(false))
        );
    }
}
