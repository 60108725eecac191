//! The one integration-test binary: runs the real `kpi` binary in temporary folders.

mod support;

mod archive;
mod backfill;
mod check;
mod compressed;
mod cookbook;
mod coverage;
mod currency;
mod derived;
mod diff;
mod differential;
mod engines;
mod errors;
mod explain;
mod exports;
mod golden;
mod history;
mod hostile;
mod html;
mod init;
mod invalid_values;
mod lookups;
mod readme;
mod regressions;
mod reports;
mod scale;
mod smoke;
mod spreadsheets;
mod target_file;
mod targets;
mod terminal;
mod threads;
mod validate;
mod warehouse;
mod workbook;
