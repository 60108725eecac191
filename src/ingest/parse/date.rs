//! Dates as days since 1970-01-01 and datetimes as microseconds since its midnight (UTC when
//! the value carries an offset): ISO 8601 read byte by byte, or a strftime pattern handed to
//! chrono and applied strictly.
//!
//! The ISO path computes the day number itself (`days_from_civil`) and never calls chrono, so
//! the common case stays cheap; patterns, rarer, get chrono's full strftime support.

use super::leading_digits;
use crate::value::MICROS_PER_DAY;
use chrono::format::{Item, Parsed, StrftimeItems};
use chrono::Datelike;
use std::cell::RefCell;

/// Parses a date as days since 1970-01-01.
///
/// Without a pattern: ISO `YYYY-MM-DD`; a full ISO datetime is also accepted and gives the date
/// as written (before any offset is applied), because exports mix the two in one column.
/// With a strftime pattern: the value must match it exactly; a pattern with a time gives the
/// date part. A pattern does not fall back to ISO: being strict is why one is given.
pub fn parse_date(s: &str, pattern: Option<&str>) -> Option<i32> {
    date_trimmed(s.trim(), pattern)
}

/// Parses a datetime as microseconds since 1970-01-01 00:00, converted to UTC when the value
/// carries an offset.
///
/// Without a pattern: ISO `YYYY-MM-DD` then `T` or a space and `HH:MM`, optionally `:SS` and a
/// fraction (`.123`, `.123456`; digits past microseconds are truncated), optionally `Z` or an
/// offset (`+01:00`, `+0100`, `+01`). A date alone is its midnight.
/// With a strftime pattern: the value must match it exactly (`%H:%M` does not accept seconds); a
/// date-only pattern gives midnight; `%z` in the pattern converts to UTC.
pub fn parse_datetime(s: &str, pattern: Option<&str>) -> Option<i64> {
    datetime_trimmed(s.trim(), pattern)
}

/// Like [`parse_date`], but refuses values that carry a time of day (inference tells dates from
/// datetimes with it).
pub fn parse_date_only(s: &str, pattern: Option<&str>) -> Option<i32> {
    let s = s.trim();
    match pattern {
        None => match iso_date(s.as_bytes())? {
            (days, []) => Some(days),
            _ => None,
        },
        Some(p) if pattern_has_time(p) => None,
        Some(p) => pattern_date(s, p),
    }
}

/// Whether a strftime pattern reads a time of day (`%H`, `%M`, `%T`, `%.f`, ...).
pub fn pattern_has_time(pattern: &str) -> bool {
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        // Skip the padding, width and precision flags: `%-H`, `%_M`, `%.3f`, `%:z`.
        let spec = chars.find(|c| !matches!(c, '-' | '_' | '0'..='9' | '^' | '#' | '.' | ':'));
        if matches!(
            spec,
            Some('H' | 'k' | 'I' | 'l' | 'M' | 'S' | 'f' | 'T' | 'R' | 'X' | 'r' | 'c' | '+' | 's')
        ) {
            return true;
        }
    }
    false
}

pub(super) fn date_trimmed(s: &str, pattern: Option<&str>) -> Option<i32> {
    match pattern {
        Some(p) => pattern_date(s, p),
        None => match iso_date(s.as_bytes())? {
            (days, []) => Some(days),
            (days, [b'T' | b't' | b' ', time @ ..]) => iso_time(time).map(|_| days),
            _ => None,
        },
    }
}

pub(super) fn datetime_trimmed(s: &str, pattern: Option<&str>) -> Option<i64> {
    match pattern {
        Some(p) => pattern_datetime(s, p),
        None => {
            let (days, rest) = iso_date(s.as_bytes())?;
            let midnight = i64::from(days) * MICROS_PER_DAY;
            match rest {
                [] => Some(midnight),
                [b'T' | b't' | b' ', time @ ..] => {
                    let (time, offset) = iso_time(time)?;
                    Some(midnight + time - offset)
                }
                _ => None,
            }
        }
    }
}

fn pattern_date(s: &str, pattern: &str) -> Option<i32> {
    parsed(s, pattern)?
        .to_naive_date()
        .ok()
        .filter(|date| plausible_year(date.year(), pattern))
        .map(crate::value::days_from_date)
}

/// chrono reads `%Y` from one digit up, so `1/6/03` with `%m/%d/%Y` is 6 January of the year
/// 3: a two-digit year (`%y`) misread. No CRM export holds a year before 1000; such a value is
/// invalid, so that the guards name the format it reads with instead of a silent wrong date.
fn plausible_year(year: i32, pattern: &str) -> bool {
    year >= 1000 || !pattern.contains("%Y")
}

fn pattern_datetime(s: &str, pattern: &str) -> Option<i64> {
    if pattern.contains("%z") || pattern.contains(":z") || pattern.contains("%#z") {
        let parsed = parsed(s, pattern)?.to_datetime().ok()?;
        let plausible = plausible_year(parsed.year(), pattern);
        return plausible.then(|| parsed.naive_utc().and_utc().timestamp_micros());
    }
    if pattern_has_time(pattern) {
        let parsed = parsed(s, pattern)?.to_naive_datetime_with_offset(0).ok()?;
        plausible_year(parsed.year(), pattern).then(|| parsed.and_utc().timestamp_micros())
    } else {
        pattern_date(s, pattern).map(|days| i64::from(days) * MICROS_PER_DAY)
    }
}

/// `s` read with `pattern` as chrono's `parse_from_str` reads it, the pattern's items parsed
/// once per thread rather than once per value (that was a seventh of a pass over French dates).
fn parsed(s: &str, pattern: &str) -> Option<Parsed> {
    thread_local! {
        static ITEMS: RefCell<Option<(String, Vec<Item<'static>>)>> = const { RefCell::new(None) };
    }
    ITEMS.with_borrow_mut(|cache| {
        if cache.as_ref().is_none_or(|(p, _)| p != pattern) {
            let items = StrftimeItems::new(pattern).parse_to_owned().ok()?;
            *cache = Some((pattern.to_string(), items));
        }
        let (_, items) = cache.as_ref()?;
        let mut parsed = Parsed::new();
        chrono::format::parse(&mut parsed, s, items.iter()).ok()?;
        Some(parsed)
    })
}

/// Reads `YYYY-MM-DD` at the start of `b`; returns the day number and what follows.
fn iso_date(b: &[u8]) -> Option<(i32, &[u8])> {
    let (head, rest) = b.split_at_checked(10)?;
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = head else {
        return None;
    };
    let year = two_digits(y0, y1)? * 100 + two_digits(y2, y3)?;
    let days = days_from_civil(year, two_digits(m0, m1)?, two_digits(d0, d1)?)?;
    Some((days, rest))
}

/// Reads `HH:MM[:SS[.fraction]][ ][Z|±HH[:MM]]`, the whole of `b`; returns the time of day
/// and the offset east of UTC, both in microseconds.
fn iso_time(b: &[u8]) -> Option<(i64, i64)> {
    let &[h0, h1, b':', m0, m1, ref rest @ ..] = b else {
        return None;
    };
    let (hour, minute) = (two_digits(h0, h1)?, two_digits(m0, m1)?);
    let (second, micros, rest) = match rest {
        [b':', s0, s1, rest @ ..] => {
            let (micros, rest) = fraction(rest)?;
            (two_digits(*s0, *s1)?, micros, rest)
        }
        _ => (0, 0, rest),
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let offset = iso_offset(rest)?;
    let seconds = i64::from(hour * 3600 + minute * 60 + second);
    Some((seconds * 1_000_000 + micros, offset))
}

/// Reads an optional `.123456` (or `,123456`), 1 to 9 digits; returns microseconds and the rest.
fn fraction(b: &[u8]) -> Option<(i64, &[u8])> {
    let [b'.' | b',', rest @ ..] = b else {
        return Some((0, b));
    };
    let n = leading_digits(rest, 0);
    if !(1..=9).contains(&n) {
        return None;
    }
    let (digits, rest) = rest.split_at_checked(n)?;
    // Past microseconds the digits are dropped, not rounded: rounding could carry into the
    // next second, and no CRM export is that precise.
    let micros = (0..6).fold(0i64, |acc, k| {
        acc * 10 + digits.get(k).map_or(0, |&c| i64::from(c - b'0'))
    });
    Some((micros, rest))
}

/// Reads what follows the time: nothing, `Z`, or `±HH[[:]MM]`, after at most one space.
fn iso_offset(b: &[u8]) -> Option<i64> {
    let b = b.strip_prefix(b" ").unwrap_or(b);
    let (sign, rest) = match b {
        [] | [b'Z' | b'z'] => return Some(0),
        [b'+', rest @ ..] => (1, rest),
        [b'-', rest @ ..] => (-1, rest),
        _ => return None,
    };
    let (hours, minutes) = match *rest {
        [h0, h1] => (two_digits(h0, h1)?, 0),
        [h0, h1, m0, m1] | [h0, h1, b':', m0, m1] => (two_digits(h0, h1)?, two_digits(m0, m1)?),
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * i64::from(hours * 60 + minutes) * 60 * 1_000_000)
}

fn two_digits(a: u8, b: u8) -> Option<u32> {
    (a.is_ascii_digit() && b.is_ascii_digit())
        .then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
}

/// Days since 1970-01-01 of a proleptic Gregorian date, or `None` if the date does not exist
/// (Howard Hinnant's `days_from_civil`, so that the ISO path never calls chrono).
fn days_from_civil(year: u32, month: u32, day: u32) -> Option<i32> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let (y, m, d) = (i32::try_from(year).ok()?, month as i32, day as i32);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use chrono::{DateTime, NaiveDate, NaiveDateTime};

    #[test]
    fn a_pattern_parsed_once_reads_as_chrono_parse_from_str() {
        let cases = [
            (
                "%d/%m/%Y %H:%M",
                [
                    "15/11/2023 16:35",
                    "5/3/2024 9:05",
                    "31/02/2024 10:00",
                    "15/11/2023",
                    "x",
                ],
            ),
            (
                "%d/%m/%Y",
                ["15/11/2023", "1/1/99", "15/11/2023 16:35", "29/02/2023", ""],
            ),
            (
                "%Y-%m-%dT%H:%M:%S%z",
                [
                    "2024-03-01T10:00:00+0100",
                    "2024-03-01T10:00:00",
                    "2024-03-01",
                    "",
                    "z",
                ],
            ),
        ];
        for (pattern, values) in cases {
            // Alternating patterns: the cache must follow.
            for value in values {
                let expected_date = NaiveDate::parse_from_str(value, pattern).ok();
                let got_date = parsed(value, pattern).and_then(|p| p.to_naive_date().ok());
                assert_eq!(got_date, expected_date, "{pattern} {value:?}");
                let _ = parsed(value, "%Y");
                let expected = NaiveDateTime::parse_from_str(value, pattern).ok();
                let got =
                    parsed(value, pattern).and_then(|p| p.to_naive_datetime_with_offset(0).ok());
                assert_eq!(got, expected, "{pattern} {value:?}");
                let expected = DateTime::parse_from_str(value, pattern).ok();
                let got = parsed(value, pattern).and_then(|p| p.to_datetime().ok());
                assert_eq!(got, expected, "{pattern} {value:?}");
            }
        }
    }

    pub(in crate::ingest::parse) fn days(y: i32, m: u32, d: u32) -> i32 {
        NaiveDate::from_ymd_opt(y, m, d).map_or(i32::MIN, crate::value::days_from_date)
    }

    fn micros(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, us: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_micro_opt(h, mi, s, us))
            .map_or(i64::MIN, |dt| dt.and_utc().timestamp_micros())
    }
    #[test]
    fn iso_dates() {
        let cases = [
            ("2026-01-05", Some(days(2026, 1, 5))),
            ("1970-01-01", Some(0)),
            ("1969-12-31", Some(-1)),
            ("0000-03-01", Some(days(0, 3, 1))),
            ("9999-12-31", Some(days(9999, 12, 31))),
            ("2024-02-29", Some(days(2024, 2, 29))),
            ("2000-02-29", Some(days(2000, 2, 29))),
            ("2023-02-29", None),
            ("1900-02-29", None),
            ("2026-02-30", None),
            ("2026-04-31", None),
            ("2026-13-01", None),
            ("2026-00-10", None),
            ("2026-01-00", None),
            ("2026-1-5", None),
            ("2026/01/05", None),
            ("05/01/2026", None),
            ("2026-01-05x", None),
            // A datetime in a date column is its date, as written.
            ("2026-01-05T10:00", Some(days(2026, 1, 5))),
            ("2026-01-05 23:30:00-05:00", Some(days(2026, 1, 5))),
            ("2026-01-05T25:00", None),
            ("2026-01-05T", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_date(text, None), expected, "{text:?}");
        }
    }

    #[test]
    fn iso_dates_agree_with_chrono_over_eight_centuries() {
        let mut date = NaiveDate::from_ymd_opt(1600, 1, 1);
        while let Some(d) = date.filter(|d| chrono::Datelike::year(d) < 2400) {
            let text = d.format("%Y-%m-%d").to_string();
            assert_eq!(
                parse_date(&text, None),
                Some(crate::value::days_from_date(d)),
                "{text}"
            );
            date = d.succ_opt();
        }
    }

    #[test]
    fn iso_datetimes() {
        let cases = [
            ("2026-01-05 10:30", Some(micros(2026, 1, 5, 10, 30, 0, 0))),
            ("2026-01-05T10:30", Some(micros(2026, 1, 5, 10, 30, 0, 0))),
            (
                "2026-01-05t10:30:15",
                Some(micros(2026, 1, 5, 10, 30, 15, 0)),
            ),
            (
                "2026-01-05T10:30:15.123",
                Some(micros(2026, 1, 5, 10, 30, 15, 123_000)),
            ),
            (
                "2026-01-05T10:30:15,5",
                Some(micros(2026, 1, 5, 10, 30, 15, 500_000)),
            ),
            (
                "2026-01-05T10:30:15.123456",
                Some(micros(2026, 1, 5, 10, 30, 15, 123_456)),
            ),
            (
                "2026-01-05T10:30:15.123456789",
                Some(micros(2026, 1, 5, 10, 30, 15, 123_456)),
            ),
            (
                "2026-01-05T10:30:15Z",
                Some(micros(2026, 1, 5, 10, 30, 15, 0)),
            ),
            (
                "2026-01-05T10:30:15+00:00",
                Some(micros(2026, 1, 5, 10, 30, 15, 0)),
            ),
            (
                "2026-01-05T10:30:15+02:00",
                Some(micros(2026, 1, 5, 8, 30, 15, 0)),
            ),
            (
                "2026-01-05T10:30+0530",
                Some(micros(2026, 1, 5, 5, 0, 0, 0)),
            ),
            (
                "2026-01-05T22:00:00-05",
                Some(micros(2026, 1, 6, 3, 0, 0, 0)),
            ),
            (
                "2026-01-05 10:30:15 +01:00",
                Some(micros(2026, 1, 5, 9, 30, 15, 0)),
            ),
            ("2026-01-05", Some(micros(2026, 1, 5, 0, 0, 0, 0))),
            ("1969-12-31T23:59:59", Some(-1_000_000)),
            ("2026-01-05T24:00", None),
            ("2026-01-05T10:60", None),
            ("2026-01-05T10:30:60", None),
            ("2026-01-05T10", None),
            ("2026-01-05T10:30:15.", None),
            ("2026-01-05T10:30:15.1234567890", None),
            ("2026-01-05T10:30+25:00", None),
            ("2026-01-05T10:30 UTC", None),
            ("2026-01-05X10:30", None),
            ("2023-02-29 10:00", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_datetime(text, None), expected, "{text:?}");
        }
    }

    #[test]
    fn a_two_digit_year_read_by_percent_capital_y_is_invalid() {
        let mdy = Some("%m/%d/%Y");
        assert_eq!(parse_date("1/6/03", mdy), None);
        assert_eq!(parse_date("1/6/2003", mdy), Some(days(2003, 1, 6)));
        assert_eq!(parse_datetime("1/6/03 10:30", Some("%m/%d/%Y %H:%M")), None);
        assert_eq!(
            parse_datetime("1/6/03 10:30 +0200", Some("%m/%d/%Y %H:%M %z")),
            None
        );
        assert_eq!(
            parse_date("1/6/03", Some("%m/%d/%y")),
            Some(days(2003, 1, 6))
        );
    }

    #[test]
    fn dates_with_a_pattern_are_strict() {
        let dmy = Some("%d/%m/%Y");
        let dmy_hm = Some("%d/%m/%Y %H:%M");
        assert_eq!(parse_date("05/01/2026", dmy), Some(days(2026, 1, 5)));
        assert_eq!(parse_date("29/02/2023", dmy), None);
        assert_eq!(parse_date("2026-01-05", dmy), None);
        assert_eq!(
            parse_date("05/01/2026 10:30", dmy_hm),
            Some(days(2026, 1, 5))
        );
        assert_eq!(
            parse_datetime("05/01/2026", dmy),
            Some(micros(2026, 1, 5, 0, 0, 0, 0))
        );
        let with_time = parse_datetime("05/01/2026 10:30", dmy_hm);
        assert_eq!(with_time, Some(micros(2026, 1, 5, 10, 30, 0, 0)));
        assert_eq!(parse_datetime("05/01/2026 10:30:15", dmy_hm), None);
        assert_eq!(parse_datetime("2026-01-05 10:30", dmy_hm), None);
        let offset = parse_datetime("05/01/2026 10:30 +0200", Some("%d/%m/%Y %H:%M %z"));
        assert_eq!(offset, Some(micros(2026, 1, 5, 8, 30, 0, 0)));
        // chrono cannot build a time from an hour alone: every value is invalid, loudly.
        assert_eq!(parse_datetime("05/01/2026 10", Some("%d/%m/%Y %H")), None);
    }

    #[test]
    fn dates_only_and_patterns_with_time() {
        assert_eq!(parse_date_only("2026-01-05", None), Some(days(2026, 1, 5)));
        assert_eq!(parse_date_only("2026-01-05T10:00", None), None);
        assert_eq!(
            parse_date_only("05/01/2026", Some("%d/%m/%Y")),
            Some(days(2026, 1, 5))
        );
        assert_eq!(
            parse_date_only("05/01/2026 10:00", Some("%d/%m/%Y %H:%M")),
            None
        );
        for (pattern, has_time) in [
            ("%d/%m/%Y", false),
            ("%Y-%m-%d %H:%M", true),
            ("%d.%m.%Y %-I%p", true),
            ("%Y%m%d%.3f", true),
            ("%F %T", true),
            ("%Y %% %d %m", false),
        ] {
            assert_eq!(pattern_has_time(pattern), has_time, "{pattern}");
        }
    }
}
