//! Parsing one CSV field into a typed value: numbers written with local separators and currency
//! signs (`number`), booleans in English and French (`boolean`), ISO 8601 or strftime dates and
//! datetimes (`date`). This file holds what every type shares: how a source writes its fields,
//! the per-field entry point, trimming and nulls.
//!
//! Called once per field per row, so the common cases allocate nothing, use no regex and read
//! each byte once or twice. Choosing a source's format (delimiter, decimal, column types) is left
//! to the configuration and to `sniff`; counting and reporting invalid values, to the caller.

mod boolean;
mod date;
mod number;

pub use boolean::parse_bool;
pub use date::{parse_date, parse_date_only, parse_datetime, pattern_has_time};
pub use number::parse_number;

use crate::value::{DataType, Value};
use boolean::bool_word;
use date::{date_trimmed, datetime_trimmed};

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

/// Number of ASCII digits in `b` from `from` on.
fn leading_digits(b: &[u8], from: usize) -> usize {
    b.get(from..).map_or(0, |rest| {
        rest.iter().take_while(|c| c.is_ascii_digit()).count()
    })
}

#[cfg(test)]
mod tests {
    use super::date::tests::days;
    use super::*;
    use crate::value::MICROS_PER_DAY;

    fn fmt(decimal: u8, date_format: Option<&str>) -> FieldFormat {
        FieldFormat {
            decimal,
            date_format: date_format.map(str::to_owned),
            null_values: vec!["NULL".into(), "N/A".into()],
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
