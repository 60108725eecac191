//! `kpi` computes key performance indicators from CRM exports.
//!
//! The data path, one module each: [`config`] (kpis.toml → a checked configuration) →
//! [`ingest`] (CSV files → typed rows, streamed) → [`engine`] (one pass per source, all KPIs) →
//! [`archive`] and [`report`] (history and outputs). [`commands`] wires them for each subcommand.

pub mod archive;
pub mod cli;
pub mod commands;
pub mod config;
pub mod currency;
pub mod dimensions;
pub mod engine;
pub mod error;
pub mod formula;
pub mod ingest;
pub mod interrupt;
pub mod measure;
pub mod model;
pub mod output;
pub mod period;
pub mod progress;
pub mod report;
pub mod toml_text;
pub mod value;
pub mod warehouse;
