//! Ingestion: CSV exports → typed rows, streamed.
//!
//! `files` opens and decodes, `sniff` guesses delimiters and types, `parse` reads one field,
//! `schema` reads headers and lookups before anything is computed, `scan` streams the rows.

pub mod files;
pub mod lookup;
pub mod parse;
pub mod scan;
pub mod schema;
pub mod sniff;

pub use scan::{scan, Issue, Location, ScanStats};
pub use schema::Schema;
