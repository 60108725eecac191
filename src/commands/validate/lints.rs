//! Lint rules: what makes a valid configuration a poor set of indicators — numbers nobody owns
//! or acts on, no target, crowded reports, KPIs nobody sees, the same number twice. Pure
//! functions of the configuration; the mixed-ratios rule is in `ratios.rs`.

use super::ratios;
use crate::config::{Config, Kpi, Report};
use crate::formula::canonical;
use crate::model::Direction;
use std::collections::HashSet;
use std::fmt;

/// More KPIs than this in one report is a cockpit: a few well-chosen counters read better.
pub const MAX_REPORT_KPIS: usize = 7;

/// One lint warning: what is wrong, with which KPI or report, and why it matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lint {
    pub what: String,
    /// "kpi `win_rate`" or "report `daily`".
    pub subject: String,
    pub advice: String,
}

impl fmt::Display for Lint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lint: {} ({}): {}", self.what, self.subject, self.advice)
    }
}

/// Every lint of the configuration: KPI by KPI, then across KPIs, then reports.
pub fn lints(config: &Config) -> Vec<Lint> {
    let mut out = Vec::new();
    for kpi in &config.kpis {
        out.extend(missing_context(kpi));
        out.extend(no_target(kpi));
        out.extend(ratios::mixed_ratios(kpi).map(|what| {
            Lint {
                what,
                subject: subject(kpi),
                advice: "a blend of unrelated ratios moves for reasons nobody can read off it: \
                     split it into one simple KPI per ratio"
                    .into(),
            }
        }));
    }
    out.extend(same_formula(&config.kpis));
    out.extend(unreported(config));
    out.extend(config.reports.iter().filter_map(crowded));
    out
}

fn subject(kpi: &Kpi) -> String {
    format!("kpi `{}`", kpi.id)
}

/// No owner, action or description: a number nobody answers for or knows what to do about.
fn missing_context(kpi: &Kpi) -> Option<Lint> {
    let fields = [
        ("owner", &kpi.owner, "owner (who answers for it)"),
        (
            "action",
            &kpi.action,
            "action (what to do when it goes wrong)",
        ),
        (
            "description",
            &kpi.description,
            "description (what exactly it counts)",
        ),
    ];
    let missing: Vec<_> = fields
        .iter()
        .filter(|(_, value, _)| value.as_deref().is_none_or(|v| v.trim().is_empty()))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let names: Vec<&str> = missing.iter().map(|(name, _, _)| *name).collect();
    let adds: Vec<&str> = missing.iter().map(|(_, _, add)| *add).collect();
    Some(Lint {
        what: format!("no {}", or_list(&names)),
        subject: subject(kpi),
        advice: format!(
            "a number that nobody owns or knows how to act on informs but changes nothing: add {}",
            adds.join(", ")
        ),
    })
}

/// "a", "a or b", "a, b or c".
fn or_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// No target. A KPI with `direction = "none"` is watched, not steered, so it needs none.
fn no_target(kpi: &Kpi) -> Option<Lint> {
    (kpi.target.is_none() && kpi.target_file.is_none() && kpi.direction != Direction::None).then(
        || Lint {
            what: "no target".into(),
            subject: subject(kpi),
            advice: "without one the value says where things are, not where they should be and \
                 by when: add target = { value = …, by = \"YYYY-MM-DD\" }"
                .into(),
        },
    )
}

/// Two KPIs computing the same number: same formula and filter over the same source, placed
/// in periods by the same column at the same frequency (spacing and case aside).
fn same_formula(kpis: &[Kpi]) -> Vec<Lint> {
    let key = |k: &Kpi| {
        (
            canonical(&k.formula.text),
            k.source.clone(),
            k.filter.as_ref().map(|f| canonical(&f.text)),
            k.time.clone(),
            k.frequency,
        )
    };
    let mut out = Vec::new();
    for (i, kpi) in kpis.iter().enumerate() {
        if let Some(first) = kpis[..i].iter().find(|k| key(k) == key(kpi)) {
            out.push(Lint {
                what: format!("same formula as `{}`", first.id),
                subject: subject(kpi),
                advice: "both compute the same number, and two names for one figure end in \
                         two debates: keep one, and list it in every report that needs it"
                    .into(),
            });
        }
    }
    out
}

/// KPIs in no report, when there are reports (without any, every KPI is shown). A KPI that a
/// reported derived KPI uses is seen through it.
fn unreported(config: &Config) -> Vec<Lint> {
    if config.reports.is_empty() {
        return Vec::new();
    }
    let mut seen: HashSet<&str> = HashSet::new();
    let mut todo: Vec<&str> = config
        .reports
        .iter()
        .flat_map(|r| r.kpis.iter().map(String::as_str))
        .collect();
    while let Some(id) = todo.pop() {
        if seen.insert(id) {
            if let Some(kpi) = config.kpi(id) {
                todo.extend(kpi.uses.iter().map(String::as_str));
            }
        }
    }
    config
        .kpis
        .iter()
        .filter(|k| !seen.contains(k.id.as_str()))
        .map(|kpi| Lint {
            what: "in no report".into(),
            subject: subject(kpi),
            advice: "it is computed and recorded but nobody sees it: add it to the report of \
                     the audience that acts on it, or remove it"
                .into(),
        })
        .collect()
}

fn crowded(report: &Report) -> Option<Lint> {
    (report.kpis.len() > MAX_REPORT_KPIS).then(|| Lint {
        what: format!("{} KPIs in one report", report.kpis.len()),
        subject: format!("report `{}`", report.id),
        advice: format!(
            "past {MAX_REPORT_KPIS} numbers a report is a cockpit nobody reads: keep the few that \
             drive a decision, or split it by audience"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source and, after it, `kpis` (TOML): resolved, without problems.
    fn config(kpis: &str) -> Config {
        let text = format!("[sources.s]\npath = \"s.csv\"\n{kpis}");
        let checked = crate::config::check_text(&text, std::path::Path::new("kpis.toml"));
        assert_eq!(checked.problems, Vec::<String>::new());
        checked.config
    }

    /// A KPI with everything a lint asks for, plus `extra` keys.
    fn kpi(id: &str, formula: &str, extra: &str) -> String {
        format!(
            "[[kpi]]\nid = \"{id}\"\nsource = \"s\"\nformula = \"{formula}\"\nowner = \"o\"\n\
             action = \"a\"\ndescription = \"d\"\ntarget = {{ value = 1 }}\n{extra}\n"
        )
    }

    fn said(config: &Config) -> Vec<String> {
        lints(config)
            .iter()
            .map(|l| format!("{} ({})", l.what, l.subject))
            .collect()
    }

    #[test]
    fn a_complete_kpi_has_no_lint() {
        assert_eq!(
            said(&config(&kpi("a", "count(*)", ""))),
            Vec::<String>::new()
        );
    }

    #[test]
    fn missing_owner_action_or_description_are_named_in_one_lint() {
        let c = config(
            "[[kpi]]\nid = \"a\"\nsource = \"s\"\nformula = \"count(*)\"\n\
                        owner = \" \"\ntarget = { value = 1 }\n",
        );
        assert_eq!(said(&c), ["no owner, action or description (kpi `a`)"]);
        let lint = &lints(&c)[0];
        assert!(lint.advice.contains("owner (who answers for it)"), "{lint}");
        let c = config(
            "[[kpi]]\nid = \"a\"\nsource = \"s\"\nformula = \"count(*)\"\n\
                        owner = \"o\"\ndescription = \"d\"\ntarget = { value = 1 }\n",
        );
        assert_eq!(said(&c), ["no action (kpi `a`)"]);
    }

    #[test]
    fn no_target_unless_the_kpi_has_no_direction() {
        let without =
            |extra: &str| kpi("a", "count(*)", extra).replace("target = { value = 1 }\n", "");
        assert_eq!(said(&config(&without(""))), ["no target (kpi `a`)"]);
        assert_eq!(
            said(&config(&without("direction = \"none\""))),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_report_of_more_than_seven_kpis_is_a_cockpit() {
        let ids: Vec<String> = (0..8).map(|i| format!("k{i}")).collect();
        let kpis: String = ids
            .iter()
            .map(|id| kpi(id, &format!("sum(x{id})"), ""))
            .collect();
        let list = |n: usize| format!("{:?}", &ids[..n]);
        let report = |n: usize| format!("[[report]]\nid = \"r\"\nkpis = {}\n", list(n));
        let eight = config(&format!("{kpis}{}", report(8)));
        assert_eq!(said(&eight), ["8 KPIs in one report (report `r`)"]);
        let seven = config(&format!(
            "{kpis}{}[[report]]\nid = \"q\"\nkpis = [\"k7\"]\n",
            report(7)
        ));
        assert_eq!(said(&seven), Vec::<String>::new());
    }

    #[test]
    fn kpis_in_no_report_except_the_inputs_of_a_reported_one() {
        let kpis = format!(
            "{}{}{}{}",
            kpi("a", "count(*)", ""),
            kpi("b", "sum(x)", ""),
            kpi("lonely", "max(x)", ""),
            kpi("ratio", "a / b", "").replace("source = \"s\"\n", "")
        );
        let c = config(&format!(
            "{kpis}[[report]]\nid = \"r\"\nkpis = [\"ratio\"]\n"
        ));
        assert_eq!(said(&c), ["in no report (kpi `lonely`)"]);
        // Without any report, every KPI is shown: no report is not a lint.
        assert_eq!(said(&config(&kpis)), Vec::<String>::new());
    }

    #[test]
    fn same_formula_source_filter_time_and_frequency_is_the_same_number() {
        let c = config(&format!(
            "{}{}",
            kpi("a", "count_if(won) / count(*)", "filter = \"x > 0\""),
            kpi("b", "COUNT_IF( won )/count(*)", "filter = \"x>0\"")
        ));
        assert_eq!(said(&c), ["same formula as `a` (kpi `b`)"]);
        // Another filter, time column or frequency is another number.
        for other in [
            "filter = \"x > 1\"",
            "filter = \"x > 0\"\ntime = \"t\"",
            "filter = \"x > 0\"\nfrequency = \"week\"",
        ] {
            let c = config(&format!(
                "{}{}",
                kpi("a", "count(*)", "filter = \"x > 0\""),
                kpi("b", "count(*)", other)
            ));
            assert_eq!(said(&c), Vec::<String>::new(), "{other}");
        }
    }

    #[test]
    fn mixed_ratios_are_a_lint_with_advice_to_split() {
        let c = config(&kpi("a", "count_if(won) / count(*) + sum(x) / sum(y)", ""));
        let all = lints(&c);
        assert_eq!(all.len(), 1);
        assert!(all[0].to_string().starts_with(
            "lint: the formula divides by 2 different aggregates: count(*), sum(y) (kpi `a`): "
        ));
        assert!(all[0].advice.contains("split"));
    }
}
