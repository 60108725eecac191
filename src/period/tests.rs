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
