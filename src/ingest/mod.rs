//! Ingestion: CSV exports → typed rows, streamed.
//!
//! `files` opens and decodes, `sniff` guesses delimiters and types, `parse` reads one field,
//! `schema` reads headers and lookups before anything is computed (`infer` types the columns), `records` splits bytes into
//! records, `row` turns records into values, `scan` streams the rows (`chunks` on several
//! threads).

mod chunks;
pub mod date_guess;
pub mod files;
mod infer;
pub mod lookup;
pub mod parse;
pub mod quality;
pub mod records;
mod row;
pub mod scan;
pub mod schema;
pub mod sniff;

pub use scan::{scan, Issue, Location, Refused, ScanStats, Sink};
pub use schema::Schema;
