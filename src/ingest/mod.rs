//! Ingestion: CSV exports → typed rows, streamed.
//!
//! One job a module; each imports only those listed before it (the graph has no cycle):
//! - `mismatch`: columns the configuration names, found in a header (else exit 3).
//! - `computed`: computed columns, compiled over the header's and lookups' columns.
//! - `compressed`: gzip and zstd files, told by their first bytes, decompressed as a stream.
//! - `spreadsheet`: a sheet of a workbook, as the text of its CSV export.
//! - `files`: finds a source's files, opens and decodes them.
//! - `records`: splits bytes into records (fields, lines, quotes).
//! - `parse`: reads one field as a value of a type.
//! - `date_guess`: the date format that values read with.
//! - `sniff`: guesses delimiters and types from evidence.
//! - `quality`: what a pass counts about values and problems, with where they were.
//! - `sink`: where a pass's rows go, and a sink's refusal to take more.
//! - `located`: errors at a line of a file (an unclosed quote, say), and their message.
//! - `header`: reads a file's header, and where its data starts.
//! - `infer`: the column types, declared or inferred from the first rows.
//! - `table`: the rows of a source built in memory (a rollup's).
//! - `lookup`: lookup tables, loaded once, joined by key.
//! - `schema`: a source's files, dialect, header, types and lookups, before any row.
//! - `time_columns`: whether a KPI's time column holds dates in the first rows.
//! - `row`: one stretch of a file, records → values of the used columns, into a sink.
//! - `stats`: what a pass counted, merged stretch after stretch.
//! - `memory`: a source whose rows are in memory, scanned like a file by several threads.
//! - `chunks`: a UTF-8 source read by several threads, in byte ranges.
//! - `scan`: the streaming pass over a source (`chunks`, or one thread in order).
//! - `lookup_source`: a lookup's table built from another source's rows.

mod chunks;
pub mod compressed;
pub mod computed;
pub mod date_guess;
pub mod files;
pub mod header;
mod infer;
mod located;
pub mod lookup;
pub mod lookup_source;
mod memory;
pub mod mismatch;
pub mod parse;
pub mod quality;
pub mod records;
mod row;
pub mod scan;
pub mod schema;
mod single_byte;
mod sink;
pub mod sniff;
pub mod spreadsheet;
mod stats;
pub mod table;
mod time_columns;

pub use quality::{Issue, Location};
pub use scan::scan;
pub use schema::Schema;
pub use sink::{Refused, Sink};
pub use stats::ScanStats;
