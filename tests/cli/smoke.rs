//! The bundled example runs and gives the values DuckDB gives for the same formulas.

use crate::support::{repo_root, Workdir};

#[test]
fn bundled_example_runs_as_json() {
    let work = Workdir::new();
    let config = repo_root().join("kpis.toml");
    let out = work.run(&[
        "run",
        "-c",
        config.to_str().unwrap(),
        "--as-of",
        "2026-11-22",
        "--no-archive",
        "--kpi",
        "win_rate",
        "--format",
        "json",
    ]);
    out.expect_code(0);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let overall = &json["results"][0];
    assert_eq!(overall["kpi"], "win_rate");
    assert_eq!(overall["period"], "2026-10");
    // 33 won of 94 closed, as DuckDB computes it over the same file (examples/check_duckdb.py).
    let value = overall["value"].as_f64().unwrap();
    assert!((value - 0.351063829787234).abs() < 1e-12, "{value}");
}
