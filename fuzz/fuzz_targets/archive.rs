//! The archive reader: any bytes as a KPI's archive file give its records or the line and what
//! is wrong there, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err((line, message)) = kpi::archive::parse_kpi_file(data, "fuzz") {
        assert!(line >= 1 || !message.is_empty());
    }
});
