//! The calendar: every date falls in exactly one period of each frequency, whatever the week
//! start and fiscal year; periods tile time; labels read back as the period they name.

use chrono::{Duration, NaiveDate};
use kpi::period::{Calendar, Frequency, WeekStart};
use proptest::prelude::*;

fn any_date() -> impl Strategy<Value = NaiveDate> {
    // 1900-01-01 .. 2199-12-31, leap years, ISO weeks 53 and century rules included.
    (0i64..109_572).prop_map(|d| NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + Duration::days(d))
}

fn any_calendar() -> impl Strategy<Value = Calendar> {
    (any::<bool>(), 1u32..=12).prop_map(|(sunday, fiscal)| {
        let start = if sunday {
            WeekStart::Sunday
        } else {
            WeekStart::Monday
        };
        Calendar::new(start, fiscal).expect("valid calendar")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn a_date_is_in_exactly_one_period_and_labels_round_trip(
        date in any_date(),
        calendar in any_calendar(),
    ) {
        for frequency in Frequency::ALL {
            let period = calendar.containing(frequency, date);
            prop_assert!(period.contains(date), "{frequency:?} {period:?} lacks {date}");
            prop_assert!(period.start <= period.end);
            // Its first and last days are in it too, and the days around are in its neighbours.
            prop_assert_eq!(calendar.containing(frequency, period.start), period);
            prop_assert_eq!(calendar.containing(frequency, period.end), period);
            let previous = calendar.previous(&period);
            let next = calendar.next(&period);
            prop_assert_eq!(previous.end + Duration::days(1), period.start);
            prop_assert_eq!(period.end + Duration::days(1), next.start);
            prop_assert_eq!(calendar.next(&previous), period);
            let label = calendar.label(&period);
            prop_assert_eq!(calendar.parse_label(frequency, &label).ok(), Some(period), "label {}", label);
        }
    }
}
