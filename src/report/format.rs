//! Number formatting for the human-readable renderers: values by unit, deltas and sparklines.
//!
//! Machine formats (CSV, JSON) print raw numbers and leave this module alone. Rounding is half
//! away from zero (0.3125 → 31.3 %), as a person rounding by hand expects.

use crate::currency::Currency;
use crate::model::{Comparison, Unit};

/// Shown in place of a missing value.
pub const NO_VALUE: &str = "–";

/// Sparkline bars, lowest first.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A value as a person reads it: `31.3 %`, `€12,346`, `€12.50`, `12.4 d`, `36.5 h`, `1,234.5`;
/// `–` for none.
pub fn format_value(value: Option<f64>, unit: Unit) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => with_unit(v, unit),
        None => NO_VALUE.to_string(),
    }
}

/// An old and a new value as a person reads them, unless rounding would make them look the same
/// (`€1,352,350 → €1,352,350` for a cent restated): then as raw numbers, which differ.
pub fn format_change(old: Option<f64>, new: Option<f64>, unit: Unit) -> (String, String) {
    let (before, after) = (format_value(old, unit), format_value(new, unit));
    match (old, new) {
        (Some(old), Some(new)) if before == after && old != new => {
            (old.to_string(), new.to_string())
        }
        _ => (before, after),
    }
}

/// A signed change: `+3.3 pts` for a percent KPI, else `+1,234.5 (+11.6 %)`; `–` for none.
pub fn format_delta(delta: Option<f64>, delta_pct: Option<f64>, unit: Unit) -> String {
    let Some(delta) = delta.filter(|d| d.is_finite()) else {
        return NO_VALUE.to_string();
    };
    if unit == Unit::Percent {
        // A change of a share is read in points: 28 % → 31.3 % is +3.3 pts, not +11.6 %.
        return format!("{} pts", signed(decimal(delta * 100.0, 1, false)));
    }
    let absolute = signed(with_unit(delta, unit));
    match delta_pct.filter(|p| p.is_finite()) {
        Some(pct) => format!("{absolute} ({} %)", signed(decimal(pct * 100.0, 1, false))),
        None => absolute,
    }
}

/// A change as the tables write it: `▲ +3.3 pts`, `▼ -250.00 (-5.0 %)` or `=`, then `star`
/// when the two values are not like-for-like and `~` when the move is within noise.
/// Returns the text and the delta (for its colour); None when there is no delta.
pub fn delta_text(c: &Comparison, unit: Unit, star: &str) -> Option<(String, f64)> {
    let d = c.delta.filter(|d| d.is_finite())?;
    let mut text = if d > 0.0 {
        format!("▲ {}", format_delta(c.delta, c.delta_pct, unit))
    } else if d < 0.0 {
        format!("▼ {}", format_delta(c.delta, c.delta_pct, unit))
    } else {
        "=".to_string()
    };
    if c.comparable == Some(false) {
        text.push(' ');
        text.push_str(star);
    }
    if c.significant == Some(false) && d != 0.0 {
        text.push_str(" ~");
    }
    Some((text, d))
}

/// A bar per value, scaled between the series' minimum and maximum: a space for a missing value,
/// `▄` throughout for a flat series, an empty string for an empty one.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let present = || values.iter().flatten().copied().filter(|v| v.is_finite());
    let min = present().fold(f64::INFINITY, f64::min);
    let max = present().fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|v| match v.filter(|v| v.is_finite()) {
            Some(v) => bar(v, min, max),
            None => ' ',
        })
        .collect()
}

fn bar(value: f64, min: f64, max: f64) -> char {
    let span = max - min;
    if !(span > 0.0 && span.is_finite()) {
        return BARS[3];
    }
    // `as usize` saturates (a NaN becomes 0), so the index cannot leave the table.
    let index = ((value - min) / span * 7.0).round() as usize;
    BARS[index.min(BARS.len() - 1)]
}

/// The magnitude of a finite value with its unit's precision and suffix.
fn with_unit(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => format!("{} %", decimal(value * 100.0, 1, false)),
        Unit::Currency(currency) => amount(value, currency),
        Unit::Days => format!("{} d", decimal(value, 1, false)),
        Unit::Hours => format!("{} h", decimal(value, 1, false)),
        Unit::Number => decimal(value, 2, true),
    }
}

/// Amounts at or above 1,000 have no cents (noise next to the thousands), nor has a whole
/// amount: `€1,352,350`, `€25`, but `€12.50` and `€999.99`. Without a currency, no sign.
/// The sign goes after the minus: `-€250`.
fn amount(value: f64, currency: Option<Currency>) -> String {
    let with_cents = decimal(value, currency.map_or(2, |c| c.minor_digits()), false);
    // Decided on the rounded figure, so that 999.996 (1,000.00) loses its cents too.
    let (int, fraction) = with_cents.split_once('.').unwrap_or((&with_cents, ""));
    let thousands = int.chars().filter(char::is_ascii_digit).count() > 3;
    let whole = fraction.bytes().all(|b| b == b'0');
    let digits = if thousands || whole {
        decimal(value, 0, false)
    } else {
        with_cents
    };
    let Some(currency) = currency else {
        return digits;
    };
    match digits.strip_prefix('-') {
        Some(magnitude) => format!("-{}{magnitude}", currency.prefix()),
        None => format!("{}{digits}", currency.prefix()),
    }
}

/// Prefixes `+` to a positive figure; a negative one has its `-`, a zero stays unsigned.
fn signed(text: String) -> String {
    let zero = !text.chars().any(|c| c.is_ascii_digit() && c != '0');
    if zero || text.starts_with('-') {
        text
    } else {
        format!("+{text}")
    }
}

/// `value` rounded half away from zero to `decimals` places, with thousands separators;
/// `trim` drops trailing zeros of the fraction (and the point when nothing is left).
fn decimal(value: f64, decimals: usize, trim: bool) -> String {
    let digits = scaled_digits(value.abs(), decimals);
    let (int, frac) = digits.split_at(digits.len() - decimals);
    let frac = if trim {
        frac.trim_end_matches('0')
    } else {
        frac
    };
    let negative = value < 0.0 && digits.bytes().any(|b| b != b'0');
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2);
    if negative {
        out.push('-');
    }
    out.push_str(&group_thousands(int));
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// The digits of `magnitude × 10^decimals`, rounded, at least `decimals + 1` of them.
fn scaled_digits(magnitude: f64, decimals: usize) -> String {
    let scaled = magnitude * 10f64.powi(decimals as i32);
    // Drop binary noise first, so that 0.3125 - 0.28 = 0.03249999999999997 shows as +3.3 pts,
    // as the two rounded figures on either side of it suggest.
    let scaled = ((scaled * 1e6).round() / 1e6).round();
    let digits = if scaled < 1e15 {
        // Exact in an integer below 2^53; this is where half-away-from-zero rounding happens.
        (scaled as u64).to_string()
    } else {
        // Too large for a fraction to matter; the standard formatting keeps every digit.
        format!("{magnitude:.decimals$}").replace('.', "")
    };
    format!("{digits:0>width$}", width = decimals + 1)
}

/// A count with thousands separators, for messages: `9,994`.
pub fn format_count(n: u64) -> String {
    group_thousands(&n.to_string())
}

fn group_thousands(int: &str) -> String {
    let mut out = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(format_count(12), "12");
        assert_eq!(format_count(9_994), "9,994");
        assert_eq!(format_count(1_234_567), "1,234,567");
    }

    #[test]
    fn values_by_unit() {
        let cases = [
            (0.3125, Unit::Percent, "31.3 %"),
            (0.28, Unit::Percent, "28.0 %"),
            (1.5, Unit::Percent, "150.0 %"),
            (12345.678, Unit::Currency(None), "12,346"),
            (0.5, Unit::Currency(None), "0.50"),
            (-1234567.891, Unit::Currency(None), "-1,234,568"),
            (12.44, Unit::Days, "12.4 d"),
            (36.5, Unit::Hours, "36.5 h"),
            (1234.5, Unit::Number, "1,234.5"),
            (1234.0, Unit::Number, "1,234"),
            (0.125, Unit::Number, "0.13"),
            (999.999, Unit::Number, "1,000"),
            (-0.001, Unit::Number, "0"),
            (123456789.0, Unit::Number, "123,456,789"),
            (1e20, Unit::Number, "100,000,000,000,000,000,000"),
        ];
        for (value, unit, expected) in cases {
            assert_eq!(
                format_value(Some(value), unit),
                expected,
                "{value} {unit:?}"
            );
        }
    }

    #[test]
    fn amounts_have_their_sign_and_cents_only_where_they_tell() {
        let eur = Unit::Currency(Currency::from_code("EUR"));
        let cases = [
            (1_131_573.4, eur, "€1,131,573"),
            (1_000.5, eur, "€1,001"),
            (999.99, eur, "€999.99"),
            (999.996, eur, "€1,000"),
            (12.5, eur, "€12.50"),
            (25.0, eur, "€25"),
            (25.004, eur, "€25"),
            (-250.5, eur, "-€250.50"),
            (-0.001, eur, "€0"),
            (
                1234.5,
                Unit::Currency(Currency::from_code("CHF")),
                "CHF 1,235",
            ),
            (
                12.345,
                Unit::Currency(Currency::from_code("KWD")),
                "KWD 12.345",
            ),
            (12.5, Unit::Currency(Currency::from_code("JPY")), "¥13"),
        ];
        for (value, unit, expected) in cases {
            assert_eq!(format_value(Some(value), unit), expected, "{value}");
        }
        assert_eq!(
            format_delta(Some(250.5), Some(0.1), eur),
            "+€250.50 (+10.0 %)"
        );
        assert_eq!(format_delta(Some(-2500.0), None, eur), "-€2,500");
        assert_eq!(format_delta(Some(0.0), Some(0.0), eur), "€0 (0.0 %)");
    }

    #[test]
    fn a_change_never_reads_as_the_same_figure_twice() {
        let eur = Unit::Currency(Currency::from_code("EUR"));
        let change = |old, new| format_change(Some(old), Some(new), eur);
        assert_eq!(
            change(321_300.0, 322_100.0),
            ("€321,300".into(), "€322,100".into())
        );
        assert_eq!(
            change(1_352_350.4, 1_352_350.1),
            ("1352350.4".into(), "1352350.1".into())
        );
        assert_eq!(change(5.0, 5.0), ("€5".into(), "€5".into()));
    }

    #[test]
    fn missing_and_non_finite_values_show_a_dash() {
        assert_eq!(format_value(None, Unit::Currency(None)), "–");
        assert_eq!(format_value(Some(f64::NAN), Unit::Number), "–");
        assert_eq!(format_value(Some(f64::INFINITY), Unit::Percent), "–");
    }

    #[test]
    fn deltas() {
        let cases = [
            (Some(0.0325), Some(0.1161), Unit::Percent, "+3.3 pts"),
            (Some(0.3125 - 0.28), None, Unit::Percent, "+3.3 pts"),
            (Some(-0.05), Some(-0.2), Unit::Percent, "-5.0 pts"),
            (
                Some(1234.5),
                Some(0.1161),
                Unit::Number,
                "+1,234.5 (+11.6 %)",
            ),
            (
                Some(-250.0),
                Some(-0.05),
                Unit::Currency(None),
                "-250 (-5.0 %)",
            ),
            (Some(1.25), None, Unit::Days, "+1.3 d"),
            (Some(0.0), Some(0.0), Unit::Hours, "0.0 h (0.0 %)"),
            (None, None, Unit::Number, "–"),
        ];
        for (delta, pct, unit, expected) in cases {
            assert_eq!(
                format_delta(delta, pct, unit),
                expected,
                "{delta:?} {unit:?}"
            );
        }
    }

    #[test]
    fn sparklines() {
        assert_eq!(sparkline(&[]), "");
        assert_eq!(sparkline(&[Some(1.0), Some(1.0), Some(1.0)]), "▄▄▄");
        assert_eq!(sparkline(&[Some(5.0)]), "▄");
        assert_eq!(sparkline(&[Some(0.0), Some(7.0)]), "▁█");
        assert_eq!(
            sparkline(&[Some(0.0), Some(1.0), Some(2.0), Some(3.0), Some(7.0)]),
            "▁▂▃▄█"
        );
        assert_eq!(sparkline(&[Some(1.0), None, Some(3.0)]), "▁ █");
        assert_eq!(sparkline(&[None, None]), "  ");
        assert_eq!(sparkline(&[Some(f64::NAN), Some(2.0)]), " ▄");
        assert_eq!(sparkline(&[Some(-f64::MAX), Some(f64::MAX)]), "▄▄");
    }
}
