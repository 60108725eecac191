//! The "composite formula" lint: a formula that divides by two or more different aggregates
//! (`count_if(a) / count(*) + sum(x) / sum(y)`, `(a / b) * (c / d)`) blends unrelated ratios
//! into one number that moves for reasons nobody can read off it.
//!
//! A division counts when both its sides hold an aggregate (a KPI id, in a derived formula):
//! `sum(x) / 1000` is a change of unit, `avg(a / b)` a row-level ratio. Divisions by the same
//! denominator are one ratio: `count_if(p) / count(*) - count_if(d) / count(*)` is the share
//! of promoters minus the share of detractors, over the same answers.

use crate::config::Kpi;
use crate::formula::ast::{BinOp, ExprKind, Literal};
use crate::formula::check::AGGREGATES;
use crate::formula::Expr;

/// What the lint says ("divides by 2 different aggregates: count(*), sum(y)"), or None.
pub fn mixed_ratios(kpi: &Kpi) -> Option<String> {
    let derived = kpi.source.is_none();
    let mut denominators: Vec<String> = Vec::new();
    kpi.formula.expr.walk(&mut |e| {
        if let ExprKind::Binary {
            op: BinOp::Div,
            left,
            right,
        } = &e.kind
        {
            if holds_aggregate(left, derived) && holds_aggregate(right, derived) {
                let shape = shape(right);
                if !denominators.contains(&shape) {
                    denominators.push(shape);
                }
            }
        }
    });
    (denominators.len() >= 2).then(|| {
        let of = if derived { "KPIs" } else { "aggregates" };
        format!(
            "the formula divides by {} different {of}: {}",
            denominators.len(),
            denominators.join(", ")
        )
    })
}

/// Whether the expression holds an aggregate call, or in a derived formula a KPI id.
fn holds_aggregate(expr: &Expr, derived: bool) -> bool {
    let mut found = false;
    expr.walk(&mut |e| {
        found |= match &e.kind {
            ExprKind::Call(call) => AGGREGATES.contains(&call.name.as_str()),
            ExprKind::Ident { .. } => derived,
            _ => false,
        }
    });
    found
}

/// The expression as text, the same for the same expression wherever it is written: calls as
/// the SQL printer normalised them, names lower-cased unless quoted.
fn shape(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Call(call) => call.text.clone(),
        ExprKind::Ident { name, quoted: true } => format!("\"{name}\""),
        ExprKind::Ident { name, .. } => name.to_lowercase(),
        ExprKind::Literal(Literal::Num(n)) => n.to_string(),
        ExprKind::Neg(inner) => format!("-{}", shape(inner)),
        ExprKind::Binary { op, left, right } => {
            format!("({} {} {})", shape(left), op.symbol(), shape(right))
        }
        // Rare in a denominator: taken as different from any other.
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kpi(formula: &str, derived: bool) -> Kpi {
        let text = format!(
            "[sources.s]\npath = \"s.csv\"\n[[kpi]]\nid = \"a\"\nsource = \"s\"\nformula = \"count(*)\"\n\
             [[kpi]]\nid = \"b\"\nsource = \"s\"\nformula = \"count(*)\"\n[[kpi]]\nid = \"k\"\n{}formula = {formula:?}\n",
            if derived { "" } else { "source = \"s\"\n" }
        );
        let checked = crate::config::check_text(&text, std::path::Path::new("kpis.toml"));
        assert_eq!(checked.problems, Vec::<String>::new());
        checked.config.kpi("k").expect("kpi k").clone()
    }

    #[test]
    fn two_ratios_over_different_aggregates_are_flagged() {
        for formula in [
            "count_if(won) / count(*) + sum(x) / sum(y)",
            "(count_if(won) / count(*)) * (sum(x) / sum(y))",
            "(sum(a) / sum(b)) / (sum(c) / sum(d))",
            "100 * count_if(won) / count(*) - avg(x) / nullif(max(y), 0)",
        ] {
            let said = mixed_ratios(&kpi(formula, false));
            assert!(said.is_some(), "{formula}");
        }
        let said = mixed_ratios(&kpi("count_if(won) / count(*) + sum(x) / sum(y)", false));
        assert_eq!(
            said.as_deref(),
            Some("the formula divides by 2 different aggregates: count(*), sum(y)")
        );
    }

    #[test]
    fn one_ratio_a_unit_change_or_row_level_division_is_not() {
        for formula in [
            "count_if(won) / count_if(won OR lost)",
            "sum(amount) / 1000",
            "avg(a / b)",
            "count_if(a) / count(*) - count_if(b) / count(*)",
            "(count_if(a) - count_if(b)) / COUNT(*)",
            "sum(amount) / count(DISTINCT account) / 12",
        ] {
            assert_eq!(mixed_ratios(&kpi(formula, false)), None, "{formula}");
        }
    }

    #[test]
    fn in_a_derived_formula_kpi_ids_are_the_aggregates() {
        assert_eq!(mixed_ratios(&kpi("a / b", true)), None);
        assert_eq!(mixed_ratios(&kpi("1 - a / b", true)), None);
        let said = mixed_ratios(&kpi("(a / b) * (b / a)", true));
        assert_eq!(
            said.as_deref(),
            Some("the formula divides by 2 different KPIs: b, a")
        );
    }
}
