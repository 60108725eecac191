//! The record splitter against hand cases and, on random texts, against the csv crate.

use super::*;

/// One record as read: its fields, `line_breaks()` and the `position()` after it.
#[derive(Debug, PartialEq)]
struct Seen {
    fields: Vec<Vec<u8>>,
    line_breaks: u64,
    position: u64,
    unclosed_quote: Option<u64>,
}

fn read_all(input: &[u8], delimiter: u8, capacity: usize) -> Vec<Seen> {
    let mut reader = RecordReader::with_capacity(input, delimiter, capacity);
    let mut out = Vec::new();
    while let Some(record) = reader.next_record().unwrap() {
        let fields = (0..record.len()).map(|i| record.field(i).to_vec());
        let fields: Vec<_> = fields.collect();
        let line_breaks = record.line_breaks();
        let unclosed_quote = record.unclosed_quote();
        out.push(Seen {
            fields,
            line_breaks,
            position: reader.position(),
            unclosed_quote,
        });
    }
    assert!(reader.next_record().unwrap().is_none(), "None is final");
    out
}

fn fields_of(reads: &[Seen]) -> Vec<Vec<Vec<u8>>> {
    reads.iter().map(|read| read.fields.clone()).collect()
}

/// The reference: the `csv` crate configured as the brief says.
fn csv_records(input: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let records = reader.byte_records().map(|record| record.unwrap());
    records
        .map(|record| record.iter().map(<[u8]>::to_vec).collect())
        .collect()
}

fn strs(records: &[&[&str]]) -> Vec<Vec<Vec<u8>>> {
    let record = |fields: &[&str]| fields.iter().map(|f| f.as_bytes().to_vec()).collect();
    records.iter().map(|fields| record(fields)).collect()
}

/// Checks `input` at every small buffer size and the default one, and against `csv`.
fn check(input: &str, delimiter: u8, expected: &[&[&str]]) -> Vec<Seen> {
    let reads = read_all(input.as_bytes(), delimiter, DEFAULT_CAPACITY);
    assert_eq!(fields_of(&reads), strs(expected), "input {input:?}");
    assert_eq!(csv_records(input.as_bytes(), delimiter), strs(expected));
    for capacity in 1..=16 {
        let small = read_all(input.as_bytes(), delimiter, capacity);
        assert_eq!(small, reads, "input {input:?}, capacity {capacity}");
    }
    reads
}

fn line_breaks(reads: &[Seen]) -> Vec<u64> {
    reads.iter().map(|read| read.line_breaks).collect()
}

fn positions(reads: &[Seen]) -> Vec<u64> {
    reads.iter().map(|read| read.position).collect()
}

#[test]
fn a_quoted_delimiter_is_content() {
    check("a,\"b,c\",d\n", b',', &[&["a", "b,c", "d"]]);
}

#[test]
fn quoted_line_breaks_are_content_and_counted() {
    let reads = check(
        "\"x\r\ny\",z\n\"p\nq\"\n",
        b',',
        &[&["x\r\ny", "z"], &["p\nq"]],
    );
    assert_eq!(line_breaks(&reads), [2, 2]);
}

#[test]
fn doubled_quotes_are_one_quote() {
    check("\"say \"\"hi\"\"\",x\n", b',', &[&["say \"hi\"", "x"]]);
    check("\"\"\"\",\"\"", b',', &[&["\"", ""]]);
}

#[test]
fn bytes_after_a_closing_quote_are_appended() {
    check("\"ab\"cd,e\n", b',', &[&["abcd", "e"]]);
    check("\"a\"b\"c\"\"d\n", b',', &[&["ab\"c\"\"d"]]);
    check("\"a\" \"b\",c", b',', &[&["a \"b\"", "c"]]);
}

#[test]
fn a_quote_inside_an_unquoted_field_is_a_byte() {
    check("ab\"c,d\"\n\"e", b',', &[&["ab\"c", "d\""], &["e"]]);
}

#[test]
fn an_unclosed_quote_runs_to_the_end_of_input() {
    let reads = check("a,\"bc\nd,e\r\n", b',', &[&["a", "bc\nd,e\r\n"]]);
    assert_eq!(line_breaks(&reads), [2]);
    assert_eq!(positions(&reads), [11]);
    check("\"", b',', &[&[""]]);
    check("x,\"ab\"", b',', &[&["x", "ab"]]);
}

fn unclosed(reads: &[Seen]) -> Vec<Option<u64>> {
    reads.iter().map(|read| read.unclosed_quote).collect()
}

#[test]
fn a_quote_open_at_the_end_of_input_is_flagged_with_its_line() {
    // In the last column of the last row, and in a middle column rows before the end.
    let reads = check("a,b\n1,\"2\n", b',', &[&["a", "b"], &["1", "2\n"]]);
    assert_eq!(unclosed(&reads), [None, Some(0)]);
    let reads = check(
        "a,b,c\n\"x\ny\",\"2,3\n4,5,6\n",
        b',',
        &[&["a", "b", "c"], &["x\ny", "2,3\n4,5,6\n"]],
    );
    assert_eq!(unclosed(&reads), [None, Some(1)]);
    // Doubled quotes and bytes after a closing quote do not close it.
    let reads = check("\"a\"\"b\n", b',', &[&["a\"b\n"]]);
    assert_eq!(unclosed(&reads), [Some(0)]);
    let reads = check("\"a\"b,\"c", b',', &[&["ab", "c"]]);
    assert_eq!(unclosed(&reads), [Some(0)]);
    // Closed quotes, at the very end too, are not flagged.
    let reads = check("\"a\",\"b\"\n\"c\"", b',', &[&["a", "b"], &["c"]]);
    assert_eq!(unclosed(&reads), [None, None]);
}

#[test]
fn a_lone_cr_ends_a_record() {
    let reads = check("a\rb\rc", b',', &[&["a"], &["b"], &["c"]]);
    assert_eq!(line_breaks(&reads), [0, 0, 0]);
    assert_eq!(positions(&reads), [2, 4, 5]);
}

#[test]
fn crlf_is_one_terminator_even_across_refills() {
    let reads = check("h1,h2\r\n1,2\r\n", b',', &[&["h1", "h2"], &["1", "2"]]);
    assert_eq!(line_breaks(&reads), [1, 1]);
    assert_eq!(positions(&reads), [7, 12]);
    // With a 3-byte buffer the CR ends the first read.
    let reads = check("ab\r\ncd", b',', &[&["ab"], &["cd"]]);
    assert_eq!(line_breaks(&reads), [1, 0]);
    assert_eq!(positions(&reads), [4, 6]);
}

#[test]
fn a_last_line_without_terminator_is_a_record() {
    let reads = check("a\nb", b',', &[&["a"], &["b"]]);
    assert_eq!(line_breaks(&reads), [1, 0]);
    assert_eq!(positions(&reads), [2, 3]);
}

#[test]
fn blank_lines_are_skipped_and_counted_in_the_next_record() {
    let reads = check("\n\na\n\r\n\nb\n\n\r\n", b',', &[&["a"], &["b"]]);
    assert_eq!(line_breaks(&reads), [3, 3]);
    assert_eq!(positions(&reads), [4, 9]);
    check("\r\n\n\r", b',', &[]);
    check("", b',', &[]);
    let mut reader = RecordReader::new(&b"\r\n\na\n\"b\n\"\n\n\nc"[..], b',');
    let mut starts = Vec::new();
    let mut lines = 0;
    while let Some(record) = reader.next_record().unwrap() {
        starts.push(lines + 1 + record.blank_lines_before());
        lines += record.line_breaks();
    }
    assert_eq!(starts, [3, 4, 8]);
}

#[test]
fn a_header_line_is_an_ordinary_record() {
    check("id,name\n1,Zoë\n", b',', &[&["id", "name"], &["1", "Zoë"]]);
}

#[test]
fn a_byte_order_mark_is_dropped_at_the_start_only_as_csv_does() {
    let reads = check("\u{feff}id,name\n", b',', &[&["id", "name"]]);
    assert_eq!(positions(&reads), [11]);
    check("\u{feff}", b',', &[]);
    check("\u{feff}\u{feff}", b',', &[&["\u{feff}"]]);
    check("\n\u{feff}a", b',', &[&["\u{feff}a"]]);
    check("\u{feff}\"a\"", b',', &[&["a"]]);
    check("\u{fefe}", b',', &[&["\u{fefe}"]]);
}

#[test]
fn semicolon_and_tab_delimiters() {
    check("a;b,c;\"d;e\"\n", b';', &[&["a", "b,c", "d;e"]]);
    check("a\tb,c\t\"d\te\"", b'\t', &[&["a", "b,c", "d\te"]]);
}

#[test]
fn empty_fields_are_kept() {
    check("a,,b,\n", b',', &[&["a", "", "b", ""]]);
    check(",\n,\"\",", b',', &[&["", ""], &["", "", ""]]);
}

#[test]
fn a_line_of_spaces_is_a_record() {
    check("   \n", b',', &[&["   "]]);
}

#[test]
fn a_record_larger_than_the_buffer_grows_it() {
    let plain = "x".repeat(100) + ",y\n";
    let quoted = format!("\"{}\n\"\"\",z", "q".repeat(100));
    let input = plain + &quoted;
    let big_q = "q".repeat(100) + "\n\"";
    let reads = check(&input, b',', &[&[&"x".repeat(100), "y"], &[&big_q, "z"]]);
    assert_eq!(line_breaks(&reads), [1, 1]);
    let mut reader = RecordReader::with_capacity(input.as_bytes(), b',', 7);
    while reader.next_record().unwrap().is_some() {}
    assert!(reader.buf.len() >= 100 && reader.buf.len() <= 256);
}

#[test]
fn a_record_over_the_limit_is_an_error() {
    let input = format!("a,b\n\"{}\"\nc\n", "q".repeat(40));
    let mut reader = RecordReader::with_capacity(input.as_bytes(), b',', 4);
    reader.limit_record_size(32);
    assert_eq!(reader.next_record().unwrap().unwrap().len(), 2);
    let err = reader.next_record().err().unwrap();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(reader.buf.len() <= 64);
    let mut reader = RecordReader::with_capacity(input.as_bytes(), b',', 4);
    reader.limit_record_size(43);
    assert_eq!(read_count(&mut reader), 3);
}

fn read_count<R: io::Read>(reader: &mut RecordReader<R>) -> usize {
    let mut count = 0;
    while reader.next_record().unwrap().is_some() {
        count += 1;
    }
    count
}

#[test]
fn get_is_checked_and_field_is_not() {
    let mut reader = RecordReader::new(&b"a,b"[..], b',');
    let record = reader.next_record().unwrap().unwrap();
    assert_eq!((record.len(), record.is_empty()), (2, false));
    assert_eq!(record.get(1), Some(&b"b"[..]));
    assert_eq!(record.get(2), None);
    let result = std::panic::catch_unwind(|| record.field(2).len());
    assert!(result.is_err());
}

#[test]
fn read_errors_are_returned() {
    struct Failing;
    impl io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }
    let mut reader = RecordReader::new(Failing, b',');
    assert!(reader.next_record().is_err());
}

/// Xorshift64: deterministic and enough to shake out parser edges.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A random text over the bytes that matter to the parser. Quotes and line breaks are more
/// or less frequent from one text to the next, so that some records span 64-byte blocks.
fn random_csv(rng: &mut Rng) -> Vec<u8> {
    const CONTENT: [&str; 7] = ["a", "x", " ", ",", ";", "é", "\""];
    const BREAKS: [&str; 3] = ["\n", "\r", "\r\n"];
    let quote_weight = rng.below(4);
    let break_odds = 2 + rng.below(40);
    let len = rng.below(200);
    let mut text = Vec::new();
    if rng.below(8) == 0 {
        text.extend_from_slice("\u{feff}".as_bytes());
    }
    while text.len() < len {
        let piece = if rng.below(break_odds) == 0 {
            BREAKS[rng.below(BREAKS.len())]
        } else {
            let pick = rng.below(CONTENT.len() + quote_weight);
            CONTENT.get(pick).copied().unwrap_or("\"")
        };
        text.extend_from_slice(piece.as_bytes());
    }
    text
}

/// `position` is at the end of a terminator (or input), and not past any blank line.
fn assert_terminator_ends_at(input: &[u8], position: usize) {
    if position == input.len() && !input.ends_with(b"\n") && !input.ends_with(b"\r") {
        return; // a last record without terminator (or an unclosed quote)
    }
    let terminator = if input[..position].ends_with(b"\r\n") {
        2
    } else {
        1
    };
    assert!(matches!(input[position - 1], b'\n' | b'\r'));
    if input[position - 1] == b'\r' {
        assert_ne!(input.get(position), Some(&b'\n'), "a CRLF cut in two");
    }
    // Record content never ends with a line break (except an unclosed quote at the end).
    let before = input[position - terminator - 1];
    assert!(!matches!(before, b'\n' | b'\r') || position == input.len());
}

/// Positions and line breaks, checked against the input itself and `csv` on the rest.
fn assert_positions(input: &[u8], delimiter: u8, reads: &[Seen]) {
    let mut line_feeds = 0;
    for (i, read) in reads.iter().enumerate() {
        let position = read.position as usize;
        assert_terminator_ends_at(input, position);
        line_feeds += read.line_breaks;
        let before = memchr_iter(b'\n', &input[..position]).count() as u64;
        assert_eq!(line_feeds, before, "line feeds before record {i} ends");
        let rest = csv_records(&input[position..], delimiter);
        assert_eq!(rest, fields_of(&reads[i + 1..]), "records after {position}");
    }
    let end = reads.last().map_or(0, |read| read.position as usize);
    let trailing = match end {
        0 => input.strip_prefix("\u{feff}".as_bytes()).unwrap_or(input),
        _ => &input[end..],
    };
    assert!(trailing.iter().all(|&b| b == b'\n' || b == b'\r'));
}

#[test]
fn random_texts_read_as_csv_does_at_every_buffer_size() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for case in 0..2000 {
        let input = random_csv(&mut rng);
        let delimiter = if case % 3 == 0 { b';' } else { b',' };
        let expected = csv_records(&input, delimiter);
        let reads = read_all(&input, delimiter, DEFAULT_CAPACITY);
        let shown = String::from_utf8_lossy(&input);
        assert_eq!(fields_of(&reads), expected, "case {case}: {shown:?}");
        assert_positions(&input, delimiter, &reads);
        for capacity in 1..=16 {
            let small = read_all(&input, delimiter, capacity);
            assert_eq!(small, reads, "case {case}, capacity {capacity}: {shown:?}");
        }
    }
}

/// Throughput on the benchmark file, next to the `csv` crate's; run it by hand:
/// `cargo test --release --offline --lib records -- --ignored --nocapture`.
#[test]
#[ignore]
fn throughput() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench/crm_1m.csv");
    let Ok(data) = std::fs::read(path) else {
        eprintln!("{path} is missing: nothing measured");
        return;
    };
    let quoted = quote_every_field(&data[..data.len().min(64 << 20)]);
    for (name, input) in [("crm_1m.csv", &data[..]), ("quoted", &quoted[..])] {
        let ours = measure(input, count_ours);
        let theirs = measure(input, count_csv);
        assert_eq!(ours.0, theirs.0, "same field bytes");
        let mb = input.len() as f64 / 1e6;
        eprintln!(
            "{name} ({mb:.0} MB, from memory): records.rs {:.0} MB/s, csv {:.0} MB/s",
            mb / ours.1,
            mb / theirs.1
        );
    }
}

/// The best of three runs, in seconds, and what the run counted.
fn measure(input: &[u8], run: fn(&[u8]) -> (u64, u64)) -> ((u64, u64), f64) {
    let mut best = f64::INFINITY;
    let mut counted = (0, 0);
    for _ in 0..3 {
        let started = std::time::Instant::now();
        counted = std::hint::black_box(run(input));
        best = best.min(started.elapsed().as_secs_f64());
    }
    (counted, best)
}

fn count_ours(input: &[u8]) -> (u64, u64) {
    let mut reader = RecordReader::new(input, b',');
    let (mut records, mut bytes) = (0, 0);
    while let Some(record) = reader.next_record().unwrap() {
        records += 1;
        for i in 0..record.len() {
            bytes += record.field(i).len() as u64;
        }
    }
    (records, bytes)
}

fn count_csv(input: &[u8]) -> (u64, u64) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    let (mut records, mut bytes) = (0, 0);
    while reader.read_byte_record(&mut record).unwrap() {
        records += 1;
        bytes += record.iter().map(|field| field.len() as u64).sum::<u64>();
    }
    (records, bytes)
}

/// The same data as an export that quotes every field (as some CRMs do).
fn quote_every_field(data: &[u8]) -> Vec<u8> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut writer = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .flexible(true)
        .from_writer(Vec::new());
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).unwrap() {
        writer.write_byte_record(&record).unwrap();
    }
    writer.into_inner().unwrap()
}

#[test]
fn a_reader_starting_mid_file_keeps_a_byte_order_mark_as_text() {
    let input = b"\xEF\xBB\xBFa,b\n";
    let mut whole = RecordReader::new(&input[..], b',');
    assert_eq!(whole.next_record().unwrap().unwrap().field(0), b"a");
    let mut piece = RecordReader::new(&input[..], b',').starting_mid_file();
    assert_eq!(
        piece.next_record().unwrap().unwrap().field(0),
        b"\xEF\xBB\xBFa"
    );
}
