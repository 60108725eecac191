//! Guessing how a source is written when the configuration does not say: the delimiter from the
//! first lines of a file, and a column's type from a sample of its values.
//!
//! Reading and decoding the sample, and letting the configuration's explicit choices win, are
//! the caller's job; what one value may look like is decided in `parse`, and only there.

use super::parse::{
    is_null, parse_bool, parse_date_only, parse_datetime, parse_number, pattern_has_time,
    FieldFormat,
};
use crate::value::DataType;

/// The delimiters `delimiter = "auto"` chooses from, in order of preference on a tie.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Enough records to see through a few odd lines without reading much.
const MAX_RECORDS: usize = 50;

/// Picks the delimiter among `,` `;` tab `|` from the first lines of a file (quote-aware:
/// delimiters inside double quotes are ignored): the one that splits the header and the next
/// lines into the same number (more than one) of fields, most consistently, then into more
/// fields; ties go to `,`, as does a file of one column. Returns `None` if the sample is empty.
pub fn sniff_delimiter(sample: &[u8]) -> Option<u8> {
    let sample = sample.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(sample);
    if sample.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let mut best = (b',', Fit::default());
    for delimiter in CANDIDATES {
        let fit = Fit::of(&field_counts(sample, delimiter));
        if fit.beats(&best.1) {
            best = (delimiter, fit);
        }
    }
    Some(best.0)
}

/// How well one delimiter splits the sample.
#[derive(Debug, Default)]
struct Fit {
    /// Fields in the header; a fit with fewer than two is no fit.
    fields: usize,
    /// Records, header included, with as many fields as the header.
    agreeing: usize,
    records: usize,
}

impl Fit {
    fn of(counts: &[usize]) -> Fit {
        let fields = counts.first().copied().unwrap_or(0);
        Fit {
            fields,
            agreeing: counts.iter().filter(|&&n| n == fields).count(),
            records: counts.len(),
        }
    }

    fn beats(&self, other: &Fit) -> bool {
        if self.fields < 2 {
            return false;
        }
        if other.fields < 2 {
            return true;
        }
        // Compare the shares of agreeing records without dividing.
        let mine = self.agreeing * other.records;
        let theirs = other.agreeing * self.records;
        mine > theirs || (mine == theirs && self.fields > other.fields)
    }
}

/// The number of fields in each of the first records of `sample`, split on `delimiter`, as a
/// CSV reader would: a double quote opens a quoted field only at the start of a field, `""`
/// inside one is a quote, and newlines inside quotes do not end the record. Blank lines are
/// skipped, and so are lines of spaces. A last record with no line end may have been cut short by the sampling, so it counts
/// only when it is the first.
fn field_counts(sample: &[u8], delimiter: u8) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut fields = 1;
    let mut in_quotes = false;
    let mut at_field_start = true;
    let mut blank = true;
    let mut bytes = sample.iter().peekable();
    while let Some(&c) = bytes.next() {
        if counts.len() == MAX_RECORDS {
            return counts;
        }
        if in_quotes {
            if c == b'"' && bytes.next_if_eq(&&b'"').is_none() {
                in_quotes = false;
            }
            continue;
        }
        match c {
            b'\n' | b'\r' => {
                if c == b'\r' {
                    bytes.next_if_eq(&&b'\n');
                }
                if !blank {
                    counts.push(fields);
                }
                (fields, blank, at_field_start) = (1, true, true);
                continue;
            }
            b'"' if at_field_start => in_quotes = true,
            _ if c == delimiter => {
                fields += 1;
                (blank, at_field_start) = (false, true);
                continue;
            }
            // A line of spaces is blank, as for the readers (a quote after them is a byte).
            b' ' | b'\t' if blank => {
                at_field_start = false;
                continue;
            }
            _ => {}
        }
        (blank, at_field_start) = (false, false);
    }
    if !blank && counts.is_empty() {
        counts.push(fields);
    }
    counts
}

/// When a header read with the configured `delimiter` seems split on the wrong one (another
/// candidate delimiter is in most of its names, as in a single column `id;name;amount`), the
/// hint naming the delimiter the header seems to use.
pub fn delimiter_hint(header: &[String], delimiter: u8, file: &std::path::Path) -> Option<String> {
    let count = |d: u8| {
        let names = header.iter().filter(|h| h.as_bytes().contains(&d)).count();
        let bytes = header
            .iter()
            .map(|h| memchr::memchr_iter(d, h.as_bytes()).count());
        (names, bytes.sum::<usize>())
    };
    let (found, _) = CANDIDATES
        .iter()
        .filter(|&&d| d != delimiter)
        .map(|&d| (d, count(d)))
        .filter(|(_, (names, _))| 2 * names > header.len())
        .max_by_key(|(_, (_, bytes))| *bytes)?;
    Some(format!(
        "the header of {} holds {}, not the configured delimiter {}: set delimiter = {} or \"auto\"",
        file.display(),
        shown(found, '\''),
        shown(delimiter, '\''),
        shown(found, '"'),
    ))
}

/// A delimiter as written in a message (`';'`) or in kpis.toml (`";"`, `"\t"`).
fn shown(delimiter: u8, quote: char) -> String {
    match delimiter {
        b'\t' => format!("{quote}\\t{quote}"),
        d => format!("{quote}{}{quote}", d as char),
    }
}

/// Infers one column's type from sample values, given raw; nulls per `fmt` are skipped.
///
/// Bool if every value is a boolean word, unless they are all `0`/`1` (then Number); else
/// Number if every value is a number, unless one has a leading zero (`00123` is an identifier:
/// String); else Date if every value is a date without a time; else DateTime if every value is a
/// datetime (dates alone are midnights); else String. A column with no value is String.
pub fn infer_type<'a>(values: impl IntoIterator<Item = &'a str>, fmt: &FieldFormat) -> DataType {
    let mut evidence = Evidence::new(fmt);
    for value in values {
        evidence.offer(value);
        if evidence.only_string() {
            break;
        }
    }
    evidence.verdict()
}

/// What the values seen so far could all be: [`infer_type`] one value at a time, for a caller
/// that streams rows instead of keeping them.
pub struct Evidence<'f> {
    fmt: &'f FieldFormat,
    seen_any: bool,
    bool: bool,
    only_zero_one: bool,
    number: bool,
    date: bool,
    datetime: bool,
}

impl<'f> Evidence<'f> {
    pub fn new(fmt: &'f FieldFormat) -> Self {
        let pattern = fmt.date_format.as_deref();
        Evidence {
            fmt,
            seen_any: false,
            bool: true,
            only_zero_one: true,
            number: true,
            // A pattern with a time never yields a date alone; decided once, not per value.
            date: pattern.is_none_or(|p| !pattern_has_time(p)),
            datetime: true,
        }
    }

    /// Takes a raw value into account (trimmed; nulls per the format are skipped).
    pub fn offer(&mut self, raw: &str) {
        let value = raw.trim();
        if !is_null(value, self.fmt) {
            self.observe(value);
        }
    }

    fn observe(&mut self, value: &str) {
        let pattern = self.fmt.date_format.as_deref();
        self.seen_any = true;
        self.bool = self.bool && parse_bool(value).is_some();
        self.only_zero_one = self.only_zero_one && matches!(value, "0" | "1");
        self.number = self.number
            && !has_leading_zero(value)
            && parse_number(value, self.fmt.decimal).is_some();
        self.date = self.date && parse_date_only(value, pattern).is_some();
        self.datetime = self.datetime && parse_datetime(value, pattern).is_some();
    }

    /// Whether any value was not null.
    pub fn seen_any(&self) -> bool {
        self.seen_any
    }

    /// Whether only String remains: more values would not change the verdict.
    pub fn only_string(&self) -> bool {
        !(self.bool || self.number || self.date || self.datetime)
    }

    pub fn verdict(&self) -> DataType {
        match self {
            Evidence {
                seen_any: false, ..
            } => DataType::String,
            Evidence {
                bool: true,
                only_zero_one: false,
                ..
            } => DataType::Bool,
            Evidence { number: true, .. } => DataType::Number,
            Evidence { date: true, .. } => DataType::Date,
            Evidence { datetime: true, .. } => DataType::DateTime,
            _ => DataType::String,
        }
    }
}

/// `00123`, `-012`: digits that a number would lose, so an identifier or a code.
fn has_leading_zero(value: &str) -> bool {
    let digits = value.trim_start_matches(['-', '+']).as_bytes();
    matches!(digits, [b'0', second, ..] if second.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_delimiter() {
        let cases: &[(&str, Option<u8>)] = &[
            ("id,name,amount\n1,Acme,12.5\n2,Beta,13\n", Some(b',')),
            ("id;name;amount\n1;Acme;12,5\n2;Beta;13,0\n", Some(b';')),
            (
                "id\tname\tamount\n1\tAcme, Inc.\t12\n2\tBeta\t13\n",
                Some(b'\t'),
            ),
            ("id|name|amount\n1|Acme; Inc|12,5\n2|Beta|13\n", Some(b'|')),
            // Delimiters inside quotes do not count, nor do quoted line ends.
            (
                "id;name\n1;\"Acme, Inc, Ltd\"\n2;\"Beta,\nCorp\"\n",
                Some(b';'),
            ),
            ("a,b\n\"x;y;z\",1\n\"p;q\",2\n", Some(b',')),
            ("a,b\n\"say \"\"hi; there\"\"\",1\n", Some(b',')),
            // Decimal commas in a semicolon file: only `;` splits the header.
            ("name;amount\nA;12,5\nB;13,75\n", Some(b';')),
            // Consistency beats a header that happens to split.
            ("a,b;c\n1;2\n3;4\n5;6\n", Some(b';')),
            // The last line may be cut short by the sampling.
            ("a|b|c\n1|2|3\n4|5|6\n7|8", Some(b'|')),
            ("\u{feff}a;b\r\n1;2\r\n", Some(b';')),
            ("a;b\r1;2\r", Some(b';')),
            ("a,b;c\n1,2;3\n", Some(b',')),
            ("a\tb", Some(b'\t')),
            ("single\n1\n2\n", Some(b',')),
            ("", None),
            ("\n\r\n  \n", None),
            // A line of spaces before the header is blank.
            (" \nid;name;amount\n1;A;2\n", Some(b';')),
            ("\t \r\na|b\n1|2\n", Some(b'|')),
            ("\u{feff}", None),
        ];
        for &(sample, expected) in cases {
            assert_eq!(sniff_delimiter(sample.as_bytes()), expected, "{sample:?}");
        }
    }

    #[test]
    fn a_header_split_on_the_wrong_delimiter_gets_a_hint() {
        let file = std::path::Path::new("t.csv");
        let names = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let hint = |h: &[&str], d| delimiter_hint(&names(h), d, file);
        assert_eq!(
            hint(&["id;name;amount"], b',').as_deref(),
            Some("the header of t.csv holds ';', not the configured delimiter ',': set delimiter = \";\" or \"auto\"")
        );
        let tab = hint(&["id\tname\tamount"], b';').unwrap_or_default();
        assert!(
            tab.ends_with("set delimiter = \"\\t\" or \"auto\""),
            "{tab}"
        );
        // Most names hold it, not just one odd name.
        assert!(hint(&["id;x", "name;y", "amount"], b',').is_some());
        assert_eq!(hint(&["id", "Revenue; EUR", "amount"], b','), None);
        assert_eq!(hint(&["id", "name"], b','), None);
        assert_eq!(
            hint(&["id,name"], b','),
            None,
            "the configured one is no hint"
        );
    }

    #[test]
    fn infers_types() {
        let point = FieldFormat {
            null_values: vec!["NULL".into(), "N/A".into()],
            ..FieldFormat::default()
        };
        let comma = FieldFormat {
            decimal: b',',
            ..point.clone()
        };
        let dmy = FieldFormat {
            date_format: Some("%d/%m/%Y".into()),
            ..point.clone()
        };
        let dmy_hm = FieldFormat {
            date_format: Some("%d/%m/%Y %H:%M".into()),
            ..point.clone()
        };
        let cases: &[(&[&str], &FieldFormat, DataType)] = &[
            (&["yes", "no", "N/A", "Yes"], &point, DataType::Bool),
            (&["true", "0", "1"], &point, DataType::Bool),
            (&["oui", "non", ""], &point, DataType::Bool),
            (&["0", "1", "1", "0"], &point, DataType::Number),
            (&["12.5", "1,234", "-3", "NULL"], &point, DataType::Number),
            (&["$1,234.56", "(12.00)", "0"], &point, DataType::Number),
            (&["12,5", "1.234,5", "7"], &comma, DataType::Number),
            (&["12,5", "7"], &point, DataType::String),
            (&["12 %", "13 %"], &point, DataType::String),
            (&["00123", "00124"], &point, DataType::String),
            (&["123", "0456"], &point, DataType::String),
            (&["0", "0.5", "10"], &point, DataType::Number),
            (&["2026-01-05", "2026-02-28", " "], &point, DataType::Date),
            (&["2026-01-05", "2026-02-30"], &point, DataType::String),
            (
                &["2026-01-05T10:00", "2026-01-06 11:30:00Z"],
                &point,
                DataType::DateTime,
            ),
            (
                &["2026-01-05", "2026-01-06T11:30"],
                &point,
                DataType::DateTime,
            ),
            (&["05/01/2026", "31/12/2025"], &dmy, DataType::Date),
            (&["2026-01-05"], &dmy, DataType::String),
            (
                &["05/01/2026 10:00", "31/12/2025 23:59"],
                &dmy_hm,
                DataType::DateTime,
            ),
            (&["Acme", "12"], &point, DataType::String),
            (&["SKU 123"], &point, DataType::String),
            (&["", "NULL", "  "], &point, DataType::String),
            (&[], &point, DataType::String),
        ];
        for &(values, fmt, expected) in cases {
            let inferred = infer_type(values.iter().copied(), fmt);
            assert_eq!(inferred, expected, "{values:?} with {fmt:?}");
        }
    }

    #[test]
    fn never_panics_on_odd_samples() {
        const PIECES: &[&[u8]] = &[
            b",",
            b";",
            b"\t",
            b"|",
            b"\"",
            b"\"\"",
            b"\n",
            b"\r",
            b"\r\n",
            b"a",
            b"1",
            b" ",
            b"\xEF\xBB\xBF",
            b"\xff",
            b"\xC3",
            b"12,5",
            b"2026-01-05",
            b"yes",
        ];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 1_000) as usize
        };
        let fmt = FieldFormat::default();
        for _ in 0..5_000 {
            let len = next() % 40;
            let sample: Vec<u8> = (0..len)
                .flat_map(|_| PIECES[next() % PIECES.len()].iter().copied())
                .collect();
            let _ = sniff_delimiter(&sample);
            let text = String::from_utf8_lossy(&sample);
            let _ = infer_type(text.split(['\n', ',']), &fmt);
        }
        let long = "a,b\n".repeat(10_000);
        assert_eq!(sniff_delimiter(long.as_bytes()), Some(b','));
    }
}
