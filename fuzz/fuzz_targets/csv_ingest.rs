//! CSV ingestion end to end: a fuzzed file read as a source (dialect sniffing, type inference,
//! records, values, every encoding), once by one thread in order and once by three threads over
//! tiny byte ranges. Both must end alike: the same rows and values, or the same error.
#![no_main]

use kpi::ingest::{self, Schema, Sink};
use kpi::value::Value;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// Row count and an order-independent checksum of every row's values.
#[derive(Default, PartialEq, Debug)]
struct Digest {
    rows: u64,
    sum: u64,
}

impl Sink for Digest {
    fn add_row(&mut self, row: &[Value<'_>]) -> bool {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for value in row {
            let text = format!("{value:?}");
            for b in text.bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
            }
        }
        self.rows += 1;
        self.sum = self.sum.wrapping_add(h);
        true
    }

    fn absorb(&mut self, other: Self) {
        self.rows += other.rows;
        self.sum = self.sum.wrapping_add(other.sum);
    }
}

/// A folder with one configuration per dialect, all reading `data.csv`.
fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        kpi::progress::set_quiet(true);
        // Tiny pieces put cuts everywhere (set before any thread of this process reads it).
        std::env::set_var("KPI_PIECE_BYTES", "23");
        let dir = std::env::temp_dir().join(format!("kpi-fuzz-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    })
}

const DIALECTS: [&str; 4] = [
    "",
    "delimiter = \";\"\ndecimal = \",\"\ndate_format = \"%d/%m/%Y %H:%M\"\n",
    "encoding = \"windows-1252\"\n",
    "key = \"id\"\nnull_values = [\"N/A\"]\n",
];

fn read(schema: &Schema, threads: usize) -> Result<Digest, String> {
    let used: Vec<usize> = (0..schema.columns.len()).collect();
    let progress = kpi::progress::Progress::for_source(&schema.source, 0);
    ingest::scan(schema, &used, threads, &progress, &Digest::default)
        .map(|(digest, stats)| {
            assert_eq!(
                digest.rows + stats.duplicates,
                stats.rows_read - stats.ragged.count
            );
            digest
        })
        .map_err(|e| format!("{e:#}"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, csv)) = data.split_first() else {
        return;
    };
    let dir = folder();
    let data_path = dir.join("data.csv");
    std::fs::write(&data_path, csv).expect("write data");
    let toml = format!(
        "[sources.s]\npath = \"data.csv\"\n{}\n[[kpi]]\nid = \"n\"\nsource = \"s\"\nformula = \"count(*)\"\n",
        DIALECTS[usize::from(selector) % DIALECTS.len()]
    );
    let checked = kpi::config::check_text(&toml, &dir.join("kpis.toml"));
    let Some(source) = checked.config.sources.first() else {
        return;
    };
    let Ok(schema) = Schema::open(source) else {
        return;
    };
    let one = read(&schema, 1);
    let three = read(&schema, 3);
    assert_eq!(one, three, "one thread and three disagree");
});
