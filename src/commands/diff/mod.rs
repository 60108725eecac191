//! `kpi diff EXPECTED ACTUAL [--tolerance T]`: compares two result files written by `run`, for
//! CI jobs that keep an expected report next to fixture data. Reading the files is in [`read`],
//! the comparison in [`compare`]; this file checks the arguments and writes the list.

mod compare;
mod read;

use crate::cli::DiffArgs;
use crate::error::{usage, Error, Kind, Outcome, ResultExt};
use compare::{Comparison, Difference};
use read::Entry;
use std::path::Path;

pub fn diff(args: &DiffArgs) -> Result<Outcome, Error> {
    let tolerance = args.tolerance;
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        return Err(usage(format!(
            "--tolerance {tolerance}: must be a number of 0 or more\n  \
             hint: it is relative, 0.001 lets values differ by 0.1 %"
        )));
    }
    let expected = load(&args.expected)?;
    let actual = load(&args.actual)?;
    let comparison = compare::compare(&expected, &actual, tolerance);
    super::emit(&render(&comparison, tolerance), None)?;
    Ok(if comparison.differences.is_empty() {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}

/// A file that cannot be read as results is a data error (exit 4) naming the file.
fn load(path: &Path) -> Result<Vec<Entry>, Error> {
    let shown = path.display();
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("cannot read results file {shown}: {e}"))
        .kind(Kind::Data)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("results file {shown} is not UTF-8 text: {e}"))
        .kind(Kind::Data)?;
    read::parse(&text)
        .map_err(|e| e.context(format!("invalid results file {shown}")))
        .kind(Kind::Data)
}

/// One line per difference, then a summary line.
fn render(comparison: &Comparison, tolerance: f64) -> String {
    let mut out: String = comparison.differences.iter().map(line).collect();
    let results = plural(comparison.results, "result");
    match comparison.differences.len() {
        0 => out.push_str(&format!(
            "no difference in {results} (tolerance {tolerance})\n"
        )),
        n => out.push_str(&format!(
            "{} in {results} (tolerance {tolerance})\n",
            plural(n, "difference")
        )),
    }
    out
}

/// `changed  win_rate 2026-10 region=EMEA: 0.3125 → 0.35 (+12.0 %), status ok → warn`.
fn line(difference: &Difference) -> String {
    match difference {
        Difference::Appeared(new) => format!("appeared {}: {}\n", new.key, number(new.value)),
        Difference::Vanished(old) => format!("vanished {}: {}\n", old.key, number(old.value)),
        Difference::Changed {
            expected,
            actual,
            value,
            status,
        } => {
            let mut changes = Vec::new();
            if *value {
                changes.push(value_change(expected.value, actual.value));
            }
            if let (true, Some(old), Some(new)) = (status, &expected.status, &actual.status) {
                changes.push(format!("status {old} → {new}"));
            }
            format!("changed  {}: {}\n", expected.key, changes.join(", "))
        }
    }
}

/// `0.3125 → 0.35 (+12.0 %)`; the relative change only when there is one to compute.
fn value_change(old: Option<f64>, new: Option<f64>) -> String {
    let change = format!("{} → {}", number(old), number(new));
    match (old, new) {
        (Some(old), Some(new)) if old != 0.0 => {
            format!("{change} ({})", percent((new - old) / old.abs()))
        }
        _ => change,
    }
}

/// One decimal, unless that would print a real change as `+0.0 %`.
fn percent(ratio: f64) -> String {
    let pct = ratio * 100.0;
    if pct.abs() >= 0.05 {
        format!("{pct:+.1} %")
    } else {
        format!("{pct:+.1e} %")
    }
}

/// As `run` wrote it (shortest round-trip digits), `null` for no value as in JSON.
fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "null".to_string(), |v| v.to_string())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Entry> {
        read::parse(text).unwrap()
    }

    #[test]
    fn lists_each_difference_then_a_summary() {
        let expected = parse(
            "kpi,period,dimensions,value,status\n\
             win_rate,2026-10,region=EMEA,0.3125,ok\n\
             win_rate,2026-10,,0.25,ok\n\
             nps,2026-10,,42,ok\n\
             tickets,2026-10,,0,ok\n\
             csat,2026-10,,,no_data\n",
        );
        let actual = parse(
            "kpi,period,dimensions,value,status\n\
             win_rate,2026-10,region=EMEA,0.35,warn\n\
             win_rate,2026-10,,0.25,warn\n\
             tickets,2026-10,,3,ok\n\
             csat,2026-10,,4.5,ok\n\
             revenue_won,2026-10,region=APAC,220800,ok\n",
        );
        let comparison = compare::compare(&expected, &actual, 0.0);
        assert_eq!(
            render(&comparison, 0.0),
            "changed  win_rate 2026-10 region=EMEA: 0.3125 → 0.35 (+12.0 %), status ok → warn\n\
             changed  win_rate 2026-10: status ok → warn\n\
             vanished nps 2026-10: 42\n\
             changed  tickets 2026-10: 0 → 3\n\
             changed  csat 2026-10: null → 4.5, status no_data → ok\n\
             appeared revenue_won 2026-10 region=APAC: 220800\n\
             6 differences in 6 results (tolerance 0)\n"
        );
    }

    #[test]
    fn says_so_when_nothing_differs() {
        let results = parse("kpi,period,value\na,2026,1\n");
        let comparison = compare::compare(&results, &results, 0.001);
        assert_eq!(
            render(&comparison, 0.001),
            "no difference in 1 result (tolerance 0.001)\n"
        );
    }

    #[test]
    fn relative_changes_keep_a_tiny_change_visible() {
        assert_eq!(percent(0.12), "+12.0 %");
        assert_eq!(percent(-0.5), "-50.0 %");
        assert_eq!(percent(1e-9), "+1.0e-7 %");
        assert_eq!(value_change(Some(-2.0), Some(-1.0)), "-2 → -1 (+50.0 %)");
        assert_eq!(value_change(Some(1.5), None), "1.5 → null");
    }
}
