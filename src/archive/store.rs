//! One KPI's archive file: parsing it strictly and writing it whole.
//!
//! Layout 2 columns: [`HEADER`]; UTF-8, LF line ends, values in shortest round-trip digits,
//! empty for none, `parts` a JSON object. A layout 1 file (the first nine columns) is read as
//! well, with no parts and no source fingerprint, and written back in layout 2. Which records
//! go in the file, and in what order, is decided by the caller ([`super::merge`]).

use std::collections::HashMap;
use std::io;
use std::path::Path;

use chrono::NaiveDate;
use serde_json::{Map, Value as Json};

use super::{ArchiveError, ArchiveRecord};

/// The header of every KPI file, in order (layout 2).
pub const HEADER: [&str; 11] = [
    "kpi",
    "period",
    "period_start",
    "period_end",
    "dimensions",
    "value",
    "rows",
    "recorded_at",
    "fingerprint",
    "source_fingerprint",
    "parts",
];

/// Layout 1 files have the first nine columns of layout 2.
const V1_COLUMNS: usize = 9;

/// Every record of the file; empty when it does not exist.
pub fn read_file(path: &Path, kpi: &str) -> Result<Vec<ArchiveRecord>, ArchiveError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            let path = path.to_path_buf();
            return Err(ArchiveError::Read { path, error });
        }
    };
    parse(&bytes, kpi).map_err(|(line, message)| ArchiveError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    })
}

/// Replaces the file with these records, atomically.
pub fn write_file(path: &Path, records: &[ArchiveRecord]) -> Result<(), ArchiveError> {
    let bytes = serialise(records).map_err(|error| write_error(path, error))?;
    crate::output::write_atomic(path, &bytes).map_err(|error| write_error(path, error))
}

/// A parse failure: the line and what is wrong with it.
pub type Failure = (u64, String);

/// The records of a KPI file's bytes, or the line and what is wrong with it (also the fuzz
/// target's entry: any bytes must give one or the other, never a panic).
pub fn parse(bytes: &[u8], kpi: &str) -> Result<Vec<ArchiveRecord>, Failure> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = reader.records();
    let header = rows
        .next()
        .ok_or_else(|| (1, format!("empty file; {}", expected_header())))?;
    let width = check_header(&header.map_err(csv_failure)?)?;
    let mut records = Vec::new();
    let mut first_line: HashMap<(String, String), u64> = HashMap::new();
    for row in rows {
        let row = row.map_err(csv_failure)?;
        let line = row.position().map_or(0, |p| p.line());
        let record = parse_record(&row, kpi, width).map_err(|message| (line, message))?;
        if let Some(first) = first_line.insert(record.key(), line) {
            return Err((line, duplicate(&record, first)));
        }
        records.push(record);
    }
    Ok(records)
}

/// The number of columns of the file's layout (2, else 1).
fn check_header(header: &::csv::StringRecord) -> Result<usize, Failure> {
    let joined = header.iter().collect::<Vec<_>>().join(",");
    // A spreadsheet may save the file with a byte-order mark.
    let found = joined.trim_start_matches('\u{feff}');
    for width in [HEADER.len(), V1_COLUMNS] {
        if header.len() == width && found == HEADER[..width].join(",") {
            return Ok(width);
        }
    }
    Err((
        1,
        format!("unexpected header `{found}`; {}", expected_header()),
    ))
}

fn expected_header() -> String {
    format!("an archive file starts with `{}`", HEADER.join(","))
}

fn duplicate(record: &ArchiveRecord, first_line: u64) -> String {
    format!(
        "a second record for period `{}` and dimensions `{}` (the first is on line {first_line})",
        record.period, record.dimensions
    )
}

fn parse_record(
    row: &::csv::StringRecord,
    kpi: &str,
    width: usize,
) -> Result<ArchiveRecord, String> {
    if row.len() != width {
        return Err(format!("expected {width} fields, found {}", row.len()));
    }
    let field = |i: usize| row.get(i).unwrap_or_default();
    if field(0) != kpi {
        return Err(format!(
            "a record of KPI `{}` in the file of `{kpi}`",
            field(0)
        ));
    }
    if field(1).is_empty() {
        return Err("empty period".to_string());
    }
    let record = ArchiveRecord {
        kpi: kpi.to_string(),
        period: field(1).to_string(),
        period_start: date(field(2), "period_start")?,
        period_end: date(field(3), "period_end")?,
        dimensions: field(4).to_string(),
        value: value(field(5))?,
        rows: field(6)
            .trim()
            .parse()
            .map_err(|_| format!("bad rows `{}`: expected a whole number", field(6)))?,
        recorded_at: field(7).to_string(),
        fingerprint: field(8).to_string(),
        source_fingerprint: field(9).to_string(),
        parts: parts(field(10))?,
    };
    if record.period_end < record.period_start {
        return Err(format!("period_end {} is before period_start", field(3)));
    }
    Ok(record)
}

fn date(text: &str, column: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("bad {column} `{text}`: expected a date such as 2026-10-01"))
}

fn value(text: &str) -> Result<Option<f64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(format!("bad value `{text}`: expected a number, or nothing")),
    }
}

fn parts(text: &str) -> Result<Map<String, Json>, String> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Json>(text) {
        Ok(Json::Object(map)) => Ok(map),
        _ => Err(format!(
            "bad parts `{text}`: expected a JSON object such as {{\"count(*)\":94}}"
        )),
    }
}

fn csv_failure(error: ::csv::Error) -> Failure {
    let line = error.position().map_or(0, |p| p.line());
    match error.kind() {
        ::csv::ErrorKind::Utf8 { .. } => (line, "not UTF-8 text".to_string()),
        _ => (line, error.to_string()),
    }
}

fn serialise(records: &[ArchiveRecord]) -> io::Result<Vec<u8>> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADER)?;
    for r in records {
        writer.write_record([
            r.kpi.as_str(),
            &r.period,
            &r.period_start.format("%Y-%m-%d").to_string(),
            &r.period_end.format("%Y-%m-%d").to_string(),
            &r.dimensions,
            &number(r.value),
            &r.rows.to_string(),
            &r.recorded_at,
            &r.fingerprint,
            &r.source_fingerprint,
            &part_text(&r.parts),
        ])?;
    }
    writer.into_inner().map_err(|e| e.into_error())
}

fn part_text(parts: &Map<String, Json>) -> String {
    if parts.is_empty() {
        String::new()
    } else {
        Json::Object(parts.clone()).to_string()
    }
}

/// Shortest round-trip digits; a non-finite value (never computed) is kept as none.
fn number(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => v.to_string(),
        _ => String::new(),
    }
}

fn write_error(path: &Path, error: io::Error) -> ArchiveError {
    ArchiveError::Write {
        path: path.to_path_buf(),
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str =
        "kpi,period,period_start,period_end,dimensions,value,rows,recorded_at,fingerprint\n";
    const ROW: &str =
        "win_rate,2026-10,2026-10-01,2026-10-31,,0.3125,48,2026-11-22T08:00:00Z,ab12\n";

    fn failure(body: &str) -> Failure {
        parse(body.as_bytes(), "win_rate").unwrap_err()
    }

    const HEAD2: &str = "kpi,period,period_start,period_end,dimensions,value,rows,recorded_at,fingerprint,source_fingerprint,parts\n";

    #[test]
    fn reads_a_layout_2_file_with_parts() {
        let body = format!(
            "{HEAD2}win_rate,2026-10,2026-10-01,2026-10-31,,0.3125,48,t,ab12,cd34,\"{{\"\"count(*) FILTER (WHERE won)\"\":15,\"\"count(*)\"\":48}}\"\n"
        );
        let records = parse(body.as_bytes(), "win_rate").unwrap();
        assert_eq!(records[0].source_fingerprint, "cd34");
        let parts: Vec<(&String, &Json)> = records[0].parts.iter().collect();
        assert_eq!(parts[0].0, "count(*) FILTER (WHERE won)");
        assert_eq!(parts[1].1, &serde_json::json!(48));
        assert_eq!(serialise(&records).unwrap(), body.as_bytes());
        let bad = format!("{HEAD2}win_rate,2026-10,2026-10-01,2026-10-31,,1,1,t,f,s,[1]\n");
        let (line, message) = parse(bad.as_bytes(), "win_rate").unwrap_err();
        assert_eq!(line, 2);
        assert!(message.starts_with("bad parts `[1]`"), "{message}");
        let short = format!("{HEAD2}{ROW}");
        let (_, message) = parse(short.as_bytes(), "win_rate").unwrap_err();
        assert_eq!(message, "expected 11 fields, found 9");
    }

    #[test]
    fn parts_round_trip_to_the_last_bit() {
        // serde_json parses floats exactly only with its `float_roundtrip` feature: without
        // it, a re-run that rewrites the file would change the last digit of stored parts.
        for x in [0.9792746113989638, 0.1 + 0.2, 1e-300, 12345.678901234567] {
            let body = format!(
                "{HEAD2}win_rate,2026-10,2026-10-01,2026-10-31,,1,1,t,f,s,\"{{\"\"a\"\":{x}}}\"\n"
            );
            let records = parse(body.as_bytes(), "win_rate").unwrap();
            assert_eq!(records[0].parts["a"].as_f64(), Some(x));
            let written = serialise(&records).unwrap();
            assert_eq!(parse(&written, "win_rate").unwrap(), records);
        }
    }

    #[test]
    fn reads_a_layout_1_file() {
        let body = format!(
            "\u{feff}{HEAD}{ROW}win_rate,2026-10,2026-10-01,2026-10-31,region=EMEA,,0,t,f\r\n"
        );
        let records = parse(body.as_bytes(), "win_rate").unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].value, Some(0.3125));
        assert_eq!(records[0].rows, 48);
        assert_eq!(records[1].dimensions, "region=EMEA");
        assert_eq!(records[1].value, None);
    }

    #[test]
    fn malformed_files_name_the_line() {
        let bad_rows = [
            (
                "win_rate,2026-10,2026-10-01,2026-10-31,,abc,48,t,f\n",
                "bad value `abc`",
            ),
            (
                "win_rate,2026-10,2026-10-01,2026-10-31,,NaN,48,t,f\n",
                "bad value `NaN`",
            ),
            (
                "win_rate,2026-10,2026-13-01,2026-10-31,,1,48,t,f\n",
                "bad period_start `2026-13-01`",
            ),
            (
                "win_rate,2026-10,2026-10-01,31/10/2026,,1,48,t,f\n",
                "bad period_end `31/10/2026`",
            ),
            (
                "win_rate,2026-10,2026-10-01,2026-10-31,,1,-3,t,f\n",
                "bad rows `-3`",
            ),
            (
                "win_rate,2026-10,2026-10-01,2026-10-31,,1\n",
                "expected 9 fields, found 6",
            ),
            (
                "nps,2026-10,2026-10-01,2026-10-31,,1,48,t,f\n",
                "a record of KPI `nps`",
            ),
            (
                "win_rate,,2026-10-01,2026-10-31,,1,48,t,f\n",
                "empty period",
            ),
            (
                "win_rate,2026-10,2026-10-31,2026-10-01,,1,48,t,f\n",
                "is before period_start",
            ),
            (
                ROW,
                "a second record for period `2026-10` and dimensions `` (the first is on line 2)",
            ),
        ];
        for (row, expected) in bad_rows {
            let (line, message) = failure(&format!("{HEAD}{ROW}{row}"));
            assert_eq!(line, 3, "{row}");
            assert!(message.contains(expected), "{message}");
        }
    }

    #[test]
    fn bad_header_empty_file_and_bad_encoding() {
        let (line, message) = failure(&format!("kpi,period,value\n{ROW}"));
        assert_eq!(line, 1);
        assert!(
            message.contains("unexpected header `kpi,period,value`"),
            "{message}"
        );
        assert_eq!(failure("").0, 1);
        let mut bytes = format!("{HEAD}{ROW}").into_bytes();
        bytes.extend_from_slice(b"win_rate,2026-11,2026-11-01,2026-11-30,caf\xe9,1,1,t,f\n");
        let (line, message) = parse(&bytes, "win_rate").unwrap_err();
        assert_eq!((line, message.as_str()), (3, "not UTF-8 text"));
    }

    #[test]
    fn writes_what_it_reads_in_layout_2() {
        let body = format!("{HEAD}{ROW}win_rate,2026-10,2026-10-01,2026-10-31,\"a=x,y\",,0,t,f\n");
        let records = parse(body.as_bytes(), "win_rate").unwrap();
        let written = serialise(&records).unwrap();
        assert!(written.starts_with(HEAD2.as_bytes()));
        assert_eq!(parse(&written, "win_rate").unwrap(), records);
    }
}
