//! Numbers as CRM exports write them: a decimal point or comma, thousands separators checked in
//! groups of three, a sign, accounting parentheses, one currency symbol or ISO code.
//!
//! A plain number goes straight to `str::parse`; a decorated one is first normalized into a
//! stack buffer of plain ASCII, so the rounding is always the standard library's.

use super::leading_digits;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
