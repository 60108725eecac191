//! Property tests (proptest): laws that must hold for any input, checked on many random ones.
//! Each law is a module; a failure prints the smallest input that breaks it. `engine` runs the
//! kpi binary; the others call the library.

mod accumulators;
mod csv_roundtrip;
mod engine;
mod periods;
