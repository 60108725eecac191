//! The comparison behind `kpi diff`: pure, over results already read, in the files' order.
//!
//! The value is compared within the tolerance, the status exactly. Nothing else is: the previous
//! value and the deltas come from the archive of the machine that ran, which an expected file
//! kept in a repository does not share with the job that checks it.

use super::read::{Entry, Key};
use std::collections::{HashMap, HashSet};

/// One way in which the actual results differ from the expected ones.
#[derive(Debug, PartialEq)]
pub enum Difference<'a> {
    /// In both files, with a value beyond the tolerance or another status (or both).
    Changed {
        expected: &'a Entry,
        actual: &'a Entry,
        value: bool,
        status: bool,
    },
    /// Only in the actual results.
    Appeared(&'a Entry),
    /// Only in the expected results.
    Vanished(&'a Entry),
}

/// Every difference, and how many distinct results the two files hold together.
#[derive(Debug, PartialEq)]
pub struct Comparison<'a> {
    pub differences: Vec<Difference<'a>>,
    pub results: usize,
}

/// Changed and vanished results in the expected file's order, then appeared ones in the actual
/// file's order, so that a report reads like the files.
pub fn compare<'a>(expected: &'a [Entry], actual: &'a [Entry], tolerance: f64) -> Comparison<'a> {
    let by_key: HashMap<&Key, &Entry> = actual.iter().map(|e| (&e.key, e)).collect();
    let mut differences: Vec<Difference> = expected
        .iter()
        .filter_map(|old| match by_key.get(&old.key) {
            None => Some(Difference::Vanished(old)),
            Some(new) => changed(old, new, tolerance),
        })
        .collect();
    let known: HashSet<&Key> = expected.iter().map(|e| &e.key).collect();
    let appeared = actual.iter().filter(|e| !known.contains(&e.key));
    let before = differences.len();
    differences.extend(appeared.map(Difference::Appeared));
    Comparison {
        results: expected.len() + (differences.len() - before),
        differences,
    }
}

fn changed<'a>(old: &'a Entry, new: &'a Entry, tolerance: f64) -> Option<Difference<'a>> {
    let value = !same_value(old.value, new.value, tolerance);
    // A file without statuses (hand-written, say) compares values alone.
    let status = matches!((&old.status, &new.status), (Some(a), Some(b)) if a != b);
    (value || status).then_some(Difference::Changed {
        expected: old,
        actual: new,
        value,
        status,
    })
}

/// Equal within `tolerance`, relative to the larger of the two: `|a − b| ≤ T × max(|a|, |b|)`.
/// No value equals only no value.
pub fn same_value(a: Option<f64>, b: Option<f64>, tolerance: f64) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a == b || (a - b).abs() <= tolerance * a.abs().max(b.abs()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::diff::read::Place;

    fn entry(kpi: &str, dims: &str, value: Option<f64>, status: &str) -> Entry {
        Entry {
            key: Key {
                kpi: kpi.into(),
                period: "2026-10".into(),
                dimensions: dims.into(),
            },
            value,
            status: (!status.is_empty()).then(|| status.to_string()),
            place: Place::Item(0),
        }
    }

    #[test]
    fn values_within_a_relative_tolerance() {
        let cases = [
            (Some(1.0), Some(1.0), 0.0, true),
            (Some(0.0), Some(-0.0), 0.0, true),
            (Some(0.1 + 0.2), Some(0.3), 0.0, false),
            (Some(0.1 + 0.2), Some(0.3), 1e-12, true),
            (Some(100.0), Some(101.0), 0.01, true),
            (Some(100.0), Some(101.0), 0.009, false),
            (Some(-100.0), Some(-101.0), 0.01, true),
            (Some(0.0), Some(1e-300), 0.5, false),
            (Some(1.0), Some(-1.0), 1.0, false),
            (None, None, 0.0, true),
            (None, Some(0.0), 1.0, false),
            (Some(0.0), None, 1.0, false),
        ];
        for (a, b, tolerance, same) in cases {
            assert_eq!(same_value(a, b, tolerance), same, "{a:?} {b:?} {tolerance}");
            assert_eq!(same_value(b, a, tolerance), same, "symmetric: {b:?} {a:?}");
        }
    }

    #[test]
    fn identical_results_do_not_differ() {
        let results = [
            entry("a", "", Some(1.0), "ok"),
            entry("a", "r=x", None, "no_data"),
        ];
        let comparison = compare(&results, &results, 0.0);
        assert_eq!(comparison.differences, vec![]);
        assert_eq!(comparison.results, 2);
    }

    #[test]
    fn lists_changed_vanished_then_appeared() {
        let expected = [
            entry("a", "", Some(1.0), "ok"),
            entry("a", "r=x", Some(2.0), "ok"),
            entry("b", "", Some(3.0), "ok"),
        ];
        let actual = [
            entry("c", "", Some(4.0), "ok"),
            entry("b", "", Some(3.0), "warn"),
            entry("a", "", Some(1.5), "ok"),
        ];
        let comparison = compare(&expected, &actual, 0.0);
        let changed = |i: usize, j: usize, value: bool, status: bool| Difference::Changed {
            expected: &expected[i],
            actual: &actual[j],
            value,
            status,
        };
        assert_eq!(
            comparison.differences,
            vec![
                changed(0, 2, true, false),
                Difference::Vanished(&expected[1]),
                changed(2, 1, false, true),
                Difference::Appeared(&actual[0]),
            ]
        );
        assert_eq!(comparison.results, 4);
    }

    #[test]
    fn a_missing_status_is_not_compared() {
        let expected = [entry("a", "", Some(1.0), "")];
        let actual = [entry("a", "", Some(1.0), "fail")];
        assert_eq!(compare(&expected, &actual, 0.0).differences, vec![]);
    }

    #[test]
    fn a_status_changes_even_within_the_tolerance() {
        let expected = [entry("a", "", Some(1000.0), "ok")];
        let actual = [entry("a", "", Some(999.9), "warn")];
        let differences = compare(&expected, &actual, 0.01).differences;
        assert!(matches!(
            differences[..],
            [Difference::Changed {
                value: false,
                status: true,
                ..
            }]
        ));
    }
}
