//! The baselines a report shows (SPEC, Comparisons and windows): which ones, in which order, and
//! how the human-readable renderers name them. The figures themselves come from the engine.
//!
//! KPIs may compare with different lists, so a report's baselines are the union of its
//! results' lists, in the order they first appear.

use crate::model::{Comparison, KpiResult};
use std::borrow::Cow;

/// The default baseline, the one a report without `compare` shows.
pub const PREVIOUS: &str = "previous";

/// A result's comparisons; a result built without the list (an archive row read back, a
/// hand-made report) has its previous value as its one comparison.
pub fn of(r: &KpiResult) -> Cow<'_, [Comparison]> {
    if !r.comparisons.is_empty() {
        return Cow::Borrowed(&r.comparisons);
    }
    let Some(period) = &r.previous_period else {
        return Cow::Owned(Vec::new());
    };
    Cow::Owned(vec![Comparison {
        baseline: PREVIOUS.to_string(),
        period: period.clone(),
        value: r.previous_value,
        delta: r.delta,
        delta_pct: r.delta_pct,
        comparable: r.comparable,
        significant: r.significant,
    }])
}

/// Every baseline of the results, each once, in the order they first appear.
pub fn union<'a>(results: impl IntoIterator<Item = &'a KpiResult>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in results {
        for c in of(r).iter() {
            if !names.contains(&c.baseline) {
                names.push(c.baseline.clone());
            }
        }
    }
    names
}

/// Whether the report shows only the period before, as every report did before baselines:
/// then the tables keep their plain `Δ` and `Previous` headers.
pub fn only_previous(names: &[String]) -> bool {
    names.iter().all(|n| n == PREVIOUS)
}

/// A short name for a column header: `prev`, `year ago`, `4 ago`.
pub fn short(name: &str) -> String {
    match name {
        PREVIOUS => "prev".to_string(),
        other => match periods_ago(other) {
            Some(n) => format!("{n} ago"),
            None => other.replace('_', " "),
        },
    }
}

/// The name in words, for prose: `previous`, `year ago`, `4 periods ago`.
pub fn words(name: &str) -> String {
    name.replace('_', " ")
}

/// `4` for `4_periods_ago`.
fn periods_ago(name: &str) -> Option<&str> {
    name.strip_suffix("_periods_ago")
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The header of the column of baseline values: `Previous` when every result's first baseline
/// is the period before, else that baseline (`Year ago`), or `Baseline` when they differ.
pub fn value_header<'a>(results: impl IntoIterator<Item = &'a KpiResult>) -> String {
    let mut firsts = results
        .into_iter()
        .filter_map(|r| of(r).first().map(|c| c.baseline.clone()));
    let Some(first) = firsts.next() else {
        return "Previous".to_string();
    };
    if firsts.any(|f| f != first) {
        return "Baseline".to_string();
    }
    let mut text = match first.as_str() {
        PREVIOUS => return "Previous".to_string(),
        other => short(other),
    };
    if let Some(initial) = text.get(..1) {
        text.replace_range(..1, &initial.to_uppercase());
    }
    text
}

/// The header of a baseline's Δ column: `Δ` alone when the report shows only the period
/// before, else `Δ prev`, `Δ year ago`, `Δ 4 ago`.
pub fn delta_header(name: &str, names: &[String]) -> String {
    match only_previous(names) {
        true => "Δ".to_string(),
        false => format!("Δ {}", short(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn with(r: &KpiResult, names: &[&str]) -> KpiResult {
        let mut r = r.clone();
        r.comparisons = names
            .iter()
            .map(|n| Comparison {
                baseline: n.to_string(),
                ..Default::default()
            })
            .collect();
        r
    }

    #[test]
    fn names_are_short_in_headers_and_whole_in_prose() {
        assert_eq!(short("previous"), "prev");
        assert_eq!(short("year_ago"), "year ago");
        assert_eq!(short("4_periods_ago"), "4 ago");
        assert_eq!(words("4_periods_ago"), "4 periods ago");
        assert_eq!(delta_header("year_ago", &["previous".into()]), "Δ");
        let two = ["previous".to_string(), "year_ago".to_string()];
        assert_eq!(delta_header("previous", &two), "Δ prev");
        assert_eq!(delta_header("year_ago", &two), "Δ year ago");
    }

    #[test]
    fn a_report_shows_the_union_of_its_baselines_in_order() {
        let report = fixture::report();
        let (a, b) = (&report.results[0], &report.results[3]);
        let a = with(a, &["previous", "year_ago"]);
        let b = with(b, &["4_periods_ago", "year_ago"]);
        assert_eq!(union([&a, &b]), ["previous", "year_ago", "4_periods_ago"]);
        assert_eq!(value_header([&a, &b]), "Baseline");
        assert_eq!(value_header([&b]), "4 ago");
        assert_eq!(value_header([&with(&a, &["year_ago"])]), "Year ago");
        assert_eq!(value_header([&a]), "Previous");
    }

    #[test]
    fn a_result_without_the_list_compares_with_its_previous_value() {
        let report = fixture::report();
        let r = &report.results[0];
        let list = of(r);
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].baseline.as_str(), list[0].value, list[0].delta),
            ("previous", r.previous_value, r.delta)
        );
        assert!(of(report.results.last().unwrap()).is_empty());
        assert!(only_previous(&union(&report.results)));
    }
}
