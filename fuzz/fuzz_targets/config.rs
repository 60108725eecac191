//! The configuration loader: any text as kpis.toml gives a configuration and a list of
//! problems, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let checked = kpi::config::check_text(&text, std::path::Path::new("fuzz/kpis.toml"));
    for problem in &checked.problems {
        assert!(!problem.is_empty());
    }
});
