//! CSV written by the csv crate, with any content — quotes, delimiters, line breaks, CR, a
//! byte-order mark, non-ASCII — reads back field for field through kpi's record splitter.

use kpi::ingest::records::RecordReader;
use proptest::prelude::*;

fn any_field() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => Just("a".to_string()),
            1 => Just(",".to_string()),
            1 => Just(";".to_string()),
            1 => Just("\"".to_string()),
            1 => Just("\n".to_string()),
            1 => Just("\r\n".to_string()),
            1 => Just("\r".to_string()),
            1 => Just(" ".to_string()),
            1 => Just("é€".to_string()),
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

fn any_table() -> impl Strategy<Value = Vec<Vec<String>>> {
    (1usize..6).prop_flat_map(|width| {
        prop::collection::vec(prop::collection::vec(any_field(), width), 1..20)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn what_csv_writes_reads_back(
        table in any_table(),
        semicolon in any::<bool>(),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let delimiter = if semicolon { b';' } else { b',' };
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(Vec::new());
        for row in &table {
            // A record of one empty field would be a blank line, which CSV cannot tell from
            // no record at all: csv writes it quoted.
            writer.write_record(row).expect("write");
        }
        let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        bytes.extend(writer.into_inner().expect("flush"));
        let mut reader = RecordReader::new(bytes.as_slice(), delimiter);
        let mut read = Vec::new();
        while let Some(record) = reader.next_record().expect("read") {
            let fields: Vec<String> = (0..record.len())
                .map(|i| String::from_utf8(record.field(i).to_vec()).expect("utf-8"))
                .collect();
            read.push(fields);
        }
        prop_assert_eq!(read, table);
    }
}
