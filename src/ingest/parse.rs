//! Parsing one CSV field into a typed value: numbers written with local separators and currency
//! signs, booleans in English and French, ISO 8601 or strftime dates and datetimes.
//!
//! Called once per field per row, so the common cases allocate nothing, use no regex and read
//! each byte once or twice. Choosing a source's format (delimiter, decimal, column types) is left
//! to the configuration and to `sniff`; counting and reporting invalid values, to the caller.

use crate::value::{DataType, Value, MICROS_PER_DAY};
use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// How the fields of one source are written, decided once per source.
#[derive(Debug, Clone)]
pub struct FieldFormat {
    /// The decimal separator, `b'.'` or `b','`; the other one is taken as a thousands separator.
    pub decimal: u8,
    /// `None`: ISO 8601 (`2026-01-05`, `2026-01-05T10:00:00Z`). `Some`: a strftime pattern such
    /// as `"%d/%m/%Y"` or `"%d/%m/%Y %H:%M"`, applied strictly (see [`parse_date`]).
    pub date_format: Option<String>,
    /// Texts that mean "no value", matched exactly against the trimmed field (`"NULL"`, `"N/A"`).
    /// A blank field is null whatever this says.
    pub null_values: Vec<String>,
}

impl Default for FieldFormat {
    /// Decimal point, ISO dates, and only blank fields as nulls.
    fn default() -> Self {
        FieldFormat {
            decimal: b'.',
            date_format: None,
            null_values: Vec::new(),
        }
    }
}

/// Outcome of parsing one field as a given type: `Ok(Value::Null)` for a blank field or one of
/// `null_values`, `Err(())` for a value that is not of that type (the caller counts and reports
/// it). Strings come back trimmed: CRM exports pad their cells.
// The error carries nothing on purpose: the caller knows the field, the row and the type, and
// this keeps the per-field path free of any allocation.
#[allow(clippy::result_unit_err)]
pub fn parse_field<'a>(raw: &'a str, ty: DataType, fmt: &FieldFormat) -> Result<Value<'a>, ()> {
    // Most cells have no padding: two byte tests instead of a Unicode-aware trim.
    let padded = |b: Option<&u8>| b.is_none_or(|b| !b.is_ascii_graphic());
    let s = if padded(raw.as_bytes().first()) || padded(raw.as_bytes().last()) {
        raw.trim()
    } else {
        raw
    };
    if is_null_trimmed(s, fmt) {
        return Ok(Value::Null);
    }
    let pattern = fmt.date_format.as_deref();
    let value = match ty {
        DataType::String => Some(Value::Str(s)),
        DataType::Number => parse_number(s, fmt.decimal).map(Value::Num),
        DataType::Bool => bool_word(s).map(Value::Bool),
        DataType::Date => date_trimmed(s, pattern).map(Value::Date),
        DataType::DateTime => datetime_trimmed(s, pattern).map(Value::DateTime),
    };
    value.ok_or(())
}

/// Whether a field is null: blank, or equal after trimming to one of `fmt.null_values`.
pub fn is_null(s: &str, fmt: &FieldFormat) -> bool {
    is_null_trimmed(s.trim(), fmt)
}

fn is_null_trimmed(s: &str, fmt: &FieldFormat) -> bool {
    // Trimming a configured null value only when it is longer than the field keeps the common
    // case to a length check, yet still honours `" N/A "` written in the configuration.
    s.is_empty()
        || fmt
            .null_values
            .iter()
            .any(|null| null == s || (null.len() > s.len() && null.trim() == s))
}

// ---------------------------------------------------------------------------------------------
// Numbers

/// Parses a number written with `decimal` (`b'.'` or `b','`) as its decimal separator.
///
/// Tolerated around the digits: surrounding whitespace, a sign (`-12`, or SAP's trailing
/// `12-`), accounting parentheses for negatives (`(12.50)`), one currency symbol or ISO code
/// before or after (`$1,234.56`, `1 234,56 €`, `USD 1,000`, `12.5 EUR`), and an exponent
/// (`1e3`). Thousands separators are `,` with a decimal point and `.` with a decimal comma,
/// plus spaces (also U+00A0 and U+202F) and `'` with either; groups must have three digits, so
/// `1,2,3` and, with a decimal point, `12,34` are invalid rather than silently misread.
///
/// A percent sign is not stripped: `12 %` would silently become 12 where the export means 0.12,
/// so it is invalid and the user declares what the column holds. `NaN`, `inf` and numbers too
/// large for an f64 are invalid. The result is the correctly rounded f64 of the decimal text.
pub fn parse_number(s: &str, decimal: u8) -> Option<f64> {
    let value = if is_plain_number(s.as_bytes(), decimal) {
        // The common case, "1234.56": no copy.
        s.parse::<f64>().ok()?
    } else {
        parse_decorated_number(s, decimal)?
    };
    value.is_finite().then_some(value)
}

/// `[+-]digits[.digits][e[+-]digits]`, which `str::parse::<f64>` reads as it stands.
fn is_plain_number(b: &[u8], decimal: u8) -> bool {
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_digits = leading_digits(b, i);
    i += int_digits;
    let mut frac_digits = 0;
    if decimal == b'.' && b.get(i) == Some(&b'.') {
        frac_digits = leading_digits(b, i + 1);
        i += 1 + frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(b.get(i), Some(b'+' | b'-')));
        let exp_digits = leading_digits(b, i);
        if exp_digits == 0 {
            return false;
        }
        i += exp_digits;
    }
    i == b.len()
}

/// Number of ASCII digits in `b` from `from` on.
fn leading_digits(b: &[u8], from: usize) -> usize {
    b.get(from..).map_or(0, |rest| {
        rest.iter().take_while(|c| c.is_ascii_digit()).count()
    })
}

/// The general case: affixes around a core of digits and separators, normalized into a stack
/// buffer of plain ASCII before `str::parse` does the rounding.
fn parse_decorated_number(s: &str, decimal: u8) -> Option<f64> {
    let b = s.as_bytes();
    let is_core = |c: &u8| c.is_ascii_digit() || *c == decimal;
    let start = b.iter().position(is_core)?;
    let end = b.iter().rposition(is_core)? + 1;
    let negative = read_affixes(s.get(..start)?, s.get(end..)?)?;
    let core = b.get(start..end)?;

    let mut stack = [0u8; 64];
    let mut heap = Vec::new();
    let room = core.len() + 1;
    let bytes: &mut [u8] = if room <= stack.len() {
        &mut stack
    } else {
        // Only for absurdly long numbers; they still deserve a correct answer.
        heap.resize(room, 0);
        &mut heap
    };
    let mut out = Ascii { bytes, len: 0 };
    if negative {
        out.push(b'-')?;
    }
    normalize_core(core, decimal, &mut out)?;
    std::str::from_utf8(out.bytes.get(..out.len)?)
        .ok()?
        .parse()
        .ok()
}

/// A bounded ASCII writer that refuses, rather than panics, when full.
struct Ascii<'b> {
    bytes: &'b mut [u8],
    len: usize,
}

impl Ascii<'_> {
    fn push(&mut self, c: u8) -> Option<()> {
        *self.bytes.get_mut(self.len)? = c;
        self.len += 1;
        Some(())
    }
}

/// What was found around the digits.
#[derive(Default)]
struct Affixes {
    minus: usize,
    plus: usize,
    open: usize,
    close: usize,
    currencies: usize,
}

/// Checks the text before and after the digits; returns whether the number is negative.
fn read_affixes(prefix: &str, suffix: &str) -> Option<bool> {
    let mut found = Affixes::default();
    scan_affix(prefix, true, &mut found)?;
    scan_affix(suffix, false, &mut found)?;
    let signs = found.minus + found.plus;
    let parens = found.open == 1 && found.close == 1;
    let consistent = found.currencies <= 1
        && signs <= 1
        && found.open == found.close
        && found.open <= 1
        && !(parens && signs > 0);
    consistent.then_some(parens || found.minus == 1)
}

fn scan_affix(text: &str, is_prefix: bool, found: &mut Affixes) -> Option<()> {
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let token = rest
            .find(|c: char| !is_currency_char(c))
            .unwrap_or(rest.len());
        if token > 0 {
            if !is_currency_token(rest.get(..token)?) {
                return None;
            }
            found.currencies += 1;
            rest = rest.get(token..)?;
            continue;
        }
        match (c, is_prefix) {
            (c, _) if c.is_whitespace() => {}
            ('-', _) => found.minus += 1,
            ('+', true) => found.plus += 1,
            ('(', true) => found.open += 1,
            (')', false) => found.close += 1,
            // Anything else, `%` included (see `parse_number`), makes the field invalid.
            _ => return None,
        }
        rest = rest.get(c.len_utf8()..)?;
    }
    Some(())
}

fn is_currency_char(c: char) -> bool {
    c.is_ascii_alphabetic() || is_currency_symbol(c)
}

/// The currency signs of Unicode's Sc category that exports actually use.
fn is_currency_symbol(c: char) -> bool {
    matches!(c,
        '$' | '\u{a2}'..='\u{a5}' | '\u{58f}' | '\u{e3f}' | '\u{20a0}'..='\u{20c0}'
        | '\u{fdfc}' | '\u{ff04}' | '\u{ffe0}' | '\u{ffe1}' | '\u{ffe5}' | '\u{ffe6}')
}

/// ISO codes of the currencies CRM exports are likely to carry. A closed list rather than "any
/// three capitals", so that `SKU 123` stays a string.
const CURRENCY_CODES: [&str; 40] = [
    "AED", "ARS", "AUD", "BGN", "BRL", "CAD", "CHF", "CLP", "CNY", "COP", "CZK", "DKK", "EGP",
    "EUR", "GBP", "HKD", "HUF", "IDR", "ILS", "INR", "JPY", "KRW", "MAD", "MXN", "MYR", "NGN",
    "NOK", "NZD", "PEN", "PHP", "PLN", "RON", "RUB", "SAR", "SEK", "SGD", "THB", "TRY", "USD",
    "ZAR",
];

/// `€`, `$`, `US$`, `R$`, `EUR`: one sign with at most three capitals, or a known ISO code.
fn is_currency_token(token: &str) -> bool {
    let letters = token.chars().filter(char::is_ascii_alphabetic).count();
    let signs = token.chars().count() - letters;
    let capitals = token.chars().all(|c| !c.is_ascii_lowercase());
    match signs {
        0 => CURRENCY_CODES.contains(&token),
        1 => capitals && letters <= 3,
        _ => false,
    }
}

/// Writes the digits of `core` as `[digits][.digits][e[+-]digits]`, checking the grouping.
fn normalize_core(core: &[u8], decimal: u8, out: &mut Ascii) -> Option<()> {
    let (int_digits, mut i) = normalize_integer_part(core, decimal, out)?;
    let mut frac_digits = 0;
    if core.get(i) == Some(&decimal) {
        out.push(b'.')?;
        frac_digits = copy_digits(core, i + 1, out)?;
        i += 1 + frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(core.get(i), Some(b'e' | b'E')) {
        out.push(b'e')?;
        i += 1;
        if let Some(&sign @ (b'+' | b'-')) = core.get(i) {
            out.push(sign)?;
            i += 1;
        }
        let exp_digits = copy_digits(core, i, out)?;
        if exp_digits == 0 {
            return None;
        }
        i += exp_digits;
    }
    (i == core.len()).then_some(())
}

/// Copies the integer digits, dropping thousands separators once their grouping is checked:
/// one kind of separator, a first group of one to three digits not starting with 0, then
/// groups of exactly three. Returns the number of digits and where the integer part ends.
fn normalize_integer_part(core: &[u8], decimal: u8, out: &mut Ascii) -> Option<(usize, usize)> {
    let mut i = 0;
    let mut digits = 0;
    let mut group = 0;
    let mut separator: Option<&[u8]> = None;
    while let Some(&c) = core.get(i) {
        if c.is_ascii_digit() {
            out.push(c)?;
            digits += 1;
            group += 1;
            i += 1;
            continue;
        }
        if c == decimal || c == b'e' || c == b'E' {
            break;
        }
        let len = thousands_separator_len(core.get(i..)?, decimal)?;
        let this = core.get(i..i + len)?;
        let grouped_well = match separator {
            None => (1..=3).contains(&group) && core.first() != Some(&b'0'),
            Some(previous) => previous == this && group == 3,
        };
        if !grouped_well {
            return None;
        }
        separator = Some(this);
        group = 0;
        i += len;
    }
    if separator.is_some() && group != 3 {
        return None;
    }
    Some((digits, i))
}

/// The byte length of the thousands separator that starts `rest`, if one does.
fn thousands_separator_len(rest: &[u8], decimal: u8) -> Option<usize> {
    const NBSP: &[u8] = "\u{a0}".as_bytes();
    const NARROW_NBSP: &[u8] = "\u{202f}".as_bytes();
    let other = if decimal == b',' { b'.' } else { b',' };
    match rest.first()? {
        &c if c == other || c == b' ' || c == b'\'' => Some(1),
        _ if rest.starts_with(NBSP) => Some(NBSP.len()),
        _ if rest.starts_with(NARROW_NBSP) => Some(NARROW_NBSP.len()),
        _ => None,
    }
}

/// Copies the digits of `b` from `from` on; returns how many.
fn copy_digits(b: &[u8], from: usize, out: &mut Ascii) -> Option<usize> {
    let n = leading_digits(b, from);
    for &c in b.get(from..from + n)? {
        out.push(c)?;
    }
    Some(n)
}

// ---------------------------------------------------------------------------------------------
// Booleans

/// Parses `true/false`, `t/f`, `yes/no`, `y/n`, `1/0`, `oui/non`, `vrai/faux`, in any case.
pub fn parse_bool(s: &str) -> Option<bool> {
    bool_word(s.trim())
}

fn bool_word(s: &str) -> Option<bool> {
    let b = s.as_bytes();
    let mut lower = [0u8; 5];
    let lower = lower.get_mut(..b.len())?;
    for (l, c) in lower.iter_mut().zip(b) {
        *l = c.to_ascii_lowercase();
    }
    match &*lower {
        b"true" | b"t" | b"yes" | b"y" | b"1" | b"oui" | b"vrai" => Some(true),
        b"false" | b"f" | b"no" | b"n" | b"0" | b"non" | b"faux" => Some(false),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Dates and datetimes

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

fn date_trimmed(s: &str, pattern: Option<&str>) -> Option<i32> {
    match pattern {
        Some(p) => pattern_date(s, p),
        None => match iso_date(s.as_bytes())? {
            (days, []) => Some(days),
            (days, [b'T' | b't' | b' ', time @ ..]) => iso_time(time).map(|_| days),
            _ => None,
        },
    }
}

fn datetime_trimmed(s: &str, pattern: Option<&str>) -> Option<i64> {
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
    NaiveDate::parse_from_str(s, pattern)
        .ok()
        .map(crate::value::days_from_date)
}

fn pattern_datetime(s: &str, pattern: &str) -> Option<i64> {
    if pattern.contains("%z") || pattern.contains(":z") || pattern.contains("%#z") {
        let parsed = DateTime::parse_from_str(s, pattern).ok()?;
        return Some(parsed.naive_utc().and_utc().timestamp_micros());
    }
    if pattern_has_time(pattern) {
        let parsed = NaiveDateTime::parse_from_str(s, pattern).ok()?;
        Some(parsed.and_utc().timestamp_micros())
    } else {
        pattern_date(s, pattern).map(|days| i64::from(days) * MICROS_PER_DAY)
    }
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
mod tests {
    use super::*;

    fn fmt(decimal: u8, date_format: Option<&str>) -> FieldFormat {
        FieldFormat {
            decimal,
            date_format: date_format.map(str::to_owned),
            null_values: vec!["NULL".into(), "N/A".into()],
        }
    }

    fn days(y: i32, m: u32, d: u32) -> i32 {
        NaiveDate::from_ymd_opt(y, m, d).map_or(i32::MIN, crate::value::days_from_date)
    }

    fn micros(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, us: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_micro_opt(h, mi, s, us))
            .map_or(i64::MIN, |dt| dt.and_utc().timestamp_micros())
    }

    #[test]
    fn numbers_with_a_decimal_point() {
        let cases: &[(&str, Option<f64>)] = &[
            ("1234.56", Some(1234.56)),
            ("-12", Some(-12.0)),
            ("+12", Some(12.0)),
            (".5", Some(0.5)),
            ("0", Some(0.0)),
            ("00123", Some(123.0)),
            ("1e3", Some(1000.0)),
            ("1.5E-2", Some(0.015)),
            ("1,234", Some(1234.0)),
            ("1,234,567.5", Some(1_234_567.5)),
            ("1 234.5", Some(1234.5)),
            ("1'234.50", Some(1234.5)),
            ("$1,234.56", Some(1234.56)),
            ("-$12", Some(-12.0)),
            ("$-12", Some(-12.0)),
            ("€ 12", Some(12.0)),
            ("£3.50", Some(3.5)),
            ("12.5 EUR", Some(12.5)),
            ("12.5EUR", Some(12.5)),
            ("USD 1,000", Some(1000.0)),
            ("US$ 5", Some(5.0)),
            ("(12.50)", Some(-12.5)),
            ("($12.50)", Some(-12.5)),
            ("$(12.50)", Some(-12.5)),
            ("12-", Some(-12.0)),
            ("  42  ", Some(42.0)),
            ("0.1", Some(0.1)),
            ("1,2,3", None),
            ("12,34", None),
            ("1,23", None),
            (",123", None),
            ("1,,234", None),
            ("1234,567", None),
            ("0,123", None),
            ("1,234 567", None),
            ("1,234.5,6", None),
            ("12 %", None),
            ("12%", None),
            ("%12", None),
            ("NaN", None),
            ("inf", None),
            ("-infinity", None),
            ("1e400", None),
            ("1e", None),
            ("e3", None),
            ("--12", None),
            ("-(12)", None),
            ("(12", None),
            ("12)", None),
            ("$12 €", None),
            ("SKU 123", None),
            ("12 abc", None),
            ("2026-01-05", None),
            ("1-2", None),
            ("", None),
            ("-", None),
            (".", None),
            ("$", None),
            ("0x10", None),
            ("1_000", None),
        ];
        for &(text, expected) in cases {
            assert_eq!(parse_number(text, b'.'), expected, "{text:?}");
        }
    }

    #[test]
    fn numbers_with_a_decimal_comma() {
        let cases: &[(&str, Option<f64>)] = &[
            ("12,5", Some(12.5)),
            ("1 234,56 €", Some(1234.56)),
            ("1.234,56", Some(1234.56)),
            ("1.234.567", Some(1_234_567.0)),
            ("1\u{a0}234,56", Some(1234.56)),
            ("1\u{202f}234,56\u{a0}€", Some(1234.56)),
            ("-1 234,5", Some(-1234.5)),
            ("1,5e3", Some(1500.0)),
            ("CHF 12,50", Some(12.5)),
            ("(1.234,00)", Some(-1234.0)),
            ("1.234,56-", Some(-1234.56)),
            ("1234", Some(1234.0)),
            ("1.5", None),
            ("12.34", None),
            ("1,234,567", None),
            ("1.234 567,8", None),
            ("12,5 %", None),
        ];
        for &(text, expected) in cases {
            assert_eq!(parse_number(text, b','), expected, "{text:?}");
        }
    }

    #[test]
    fn numbers_round_like_the_standard_library() {
        for text in [
            "0.1",
            "2.675",
            "9007199254740993",
            "1.7976931348623157e308",
            "5e-324",
        ] {
            let plain = text.parse::<f64>().ok();
            assert_eq!(parse_number(text, b'.'), plain, "{text}");
            let decorated = format!("$ {text}");
            assert_eq!(parse_number(&decorated, b'.'), plain, "{decorated}");
        }
        let long = format!("0.{}1", "0".repeat(100));
        assert_eq!(parse_number(&format!("€{long}"), b'.'), long.parse().ok());
    }

    #[test]
    fn booleans_in_english_and_french() {
        let cases = [
            ("true", Some(true)),
            ("TRUE", Some(true)),
            ("t", Some(true)),
            ("Yes", Some(true)),
            ("y", Some(true)),
            ("1", Some(true)),
            ("oui", Some(true)),
            ("Vrai", Some(true)),
            ("false", Some(false)),
            ("F", Some(false)),
            ("no", Some(false)),
            ("N", Some(false)),
            ("0", Some(false)),
            ("NON", Some(false)),
            ("faux", Some(false)),
            (" yes ", Some(true)),
            ("truthy", None),
            ("2", None),
            ("", None),
            ("ja", None),
            ("é", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_bool(text), expected, "{text:?}");
        }
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

    #[test]
    fn fields_by_type() {
        let f = fmt(b',', None);
        let cases = [
            ("  ", DataType::Number, Ok(Value::Null)),
            ("", DataType::Date, Ok(Value::Null)),
            ("N/A", DataType::Number, Ok(Value::Null)),
            (" NULL ", DataType::Bool, Ok(Value::Null)),
            ("null", DataType::String, Ok(Value::Str("null"))),
            (
                "  Acme Corp ",
                DataType::String,
                Ok(Value::Str("Acme Corp")),
            ),
            (" 1 234,56 € ", DataType::Number, Ok(Value::Num(1234.56))),
            ("12 %", DataType::Number, Err(())),
            ("oui", DataType::Bool, Ok(Value::Bool(true))),
            ("maybe", DataType::Bool, Err(())),
            (
                "2026-01-05",
                DataType::Date,
                Ok(Value::Date(days(2026, 1, 5))),
            ),
            ("2026-02-30", DataType::Date, Err(())),
            (
                "1970-01-02",
                DataType::DateTime,
                Ok(Value::DateTime(MICROS_PER_DAY)),
            ),
        ];
        for (text, ty, expected) in cases {
            assert_eq!(parse_field(text, ty, &f), expected, "{text:?} as {ty}");
        }
        let dmy = fmt(b'.', Some("%d/%m/%Y"));
        let parsed = parse_field("05/01/2026", DataType::Date, &dmy);
        assert_eq!(parsed, Ok(Value::Date(days(2026, 1, 5))));
        assert!(is_null(" N/A\t", &f));
        let padded = FieldFormat {
            null_values: vec![" - ".into()],
            ..FieldFormat::default()
        };
        assert!(is_null("-", &padded));
        assert_eq!(parse_field("-", DataType::Number, &padded), Ok(Value::Null));
        assert!(!is_null("n/a", &f));
    }

    /// Odd texts from a small alphabet of troublemakers, reproducibly.
    fn odd_strings(count: usize) -> Vec<String> {
        const PIECES: &[&str] = &[
            "0",
            "1",
            "9",
            "-",
            "+",
            ".",
            ",",
            " ",
            "\u{a0}",
            "\u{202f}",
            "'",
            "e",
            "E",
            "(",
            ")",
            "$",
            "€",
            "%",
            "T",
            ":",
            "Z",
            "/",
            "2026-",
            "02-29",
            "12:30",
            "EUR",
            "NaN",
            "inf",
            "é",
            "\u{0}",
            "\"",
            "99999999999999999999",
            "\u{1F600}",
            "oui",
            "\t",
            "\n",
            ";",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..count)
            .map(|_| {
                let len = next() % 12;
                (0..len)
                    .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn never_panics_on_odd_input() {
        let formats = [
            fmt(b'.', None),
            fmt(b',', None),
            fmt(b',', Some("%d/%m/%Y %H:%M")),
            fmt(b'.', Some("%s")),
            fmt(b'x', Some("%Y-%m-%dT%H:%M:%S%.f%:z")),
        ];
        let types = [
            DataType::String,
            DataType::Number,
            DataType::Date,
            DataType::DateTime,
            DataType::Bool,
        ];
        let mut strings = odd_strings(20_000);
        strings.push("9".repeat(400));
        strings.push(format!("1{}", ",000".repeat(200)));
        strings.push(String::from_utf8_lossy(&(0..=255u8).collect::<Vec<_>>()).into_owned());
        for s in &strings {
            for f in &formats {
                for ty in types {
                    let _ = parse_field(s, ty, f);
                }
                let _ = parse_date_only(s, f.date_format.as_deref());
            }
        }
    }
}
