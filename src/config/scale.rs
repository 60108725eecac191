//! Unit scale: a `percent` KPI's values are fractions (0.31 for 31 %), so a condition constant
//! above 1 against `value`, `previous` or `target`, or a target above 1, is written in percent
//! points (`value < 60`) and would fire on every period. Caught when the file is loaded.
//!
//! `delta` and `delta_pct` are left alone: a relative change (`delta_pct`) may well pass 100 %,
//! and the rule is the SPEC's, which names the three levels. A constant written with its sign
//! (`120 %`) says what it means and is never flagged.

use crate::formula::ast::{ExprKind, Literal};
use crate::formula::{Expr, Pos};

/// The variables whose scale is the KPI's own.
const LEVELS: [&str; 3] = ["value", "previous", "target"];

/// A constant above 1 compared with a level: the level's name, the constant and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Misfit {
    pub level: String,
    pub constant: f64,
    pub pos: Pos,
}

/// The first constant above 1 (in absolute value) that the condition compares with `value`,
/// `previous` or `target`, skipping those written with a percent sign (at `percents`).
pub fn condition(expr: &Expr, percents: &[Pos]) -> Option<Misfit> {
    let mut found = None;
    expr.walk(&mut |e| {
        if found.is_none() {
            found = pairs(e)
                .into_iter()
                .filter_map(|(level, other)| misfit(level, other, percents))
                .next();
        }
    });
    found
}

/// The (level, other side) pairs a comparison, BETWEEN or IN sets side by side.
fn pairs(e: &Expr) -> Vec<(&Expr, &Expr)> {
    match &e.kind {
        ExprKind::Binary { op, left, right } if op.is_comparison() => {
            vec![(&**left, &**right), (&**right, &**left)]
        }
        ExprKind::Between {
            expr, low, high, ..
        } => vec![(&**expr, &**low), (&**expr, &**high)],
        ExprKind::InList { expr, list, .. } => list.iter().map(|item| (&**expr, item)).collect(),
        _ => Vec::new(),
    }
}

fn misfit(level: &Expr, other: &Expr, percents: &[Pos]) -> Option<Misfit> {
    let ExprKind::Ident { name, .. } = &level.kind else {
        return None;
    };
    let name = LEVELS.iter().find(|l| l.eq_ignore_ascii_case(name))?;
    let (constant, at) = constant(other)?;
    (constant.abs() > 1.0 && !percents.contains(&at)).then(|| Misfit {
        level: name.to_string(),
        constant,
        pos: other.pos,
    })
}

/// A number literal, possibly negated, and where its digits start.
fn constant(e: &Expr) -> Option<(f64, Pos)> {
    match &e.kind {
        ExprKind::Literal(Literal::Num(n)) => Some((*n, e.pos)),
        ExprKind::Neg(inner) => constant(inner).map(|(n, at)| (-n, at)),
        _ => None,
    }
}

/// `percents are fractions: write 0.60 for 60 %`, for a constant written in points.
pub fn hint(points: f64) -> String {
    // Shifting the decimal in the text keeps 33.3 → 0.333 exact, where 33.3 / 100 is not.
    let fraction = format!("{points}e-2")
        .parse::<f64>()
        .unwrap_or(points / 100.0);
    let mut text = fraction.to_string();
    let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
    if decimals < 2 {
        text.push_str(if decimals == 0 { ".00" } else { "0" });
    }
    format!("percents are fractions: write {text} for {points} %")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formula::parse_condition;

    fn check(text: &str) -> Option<(String, f64)> {
        let (expr, percents) = parse_condition(text).expect(text);
        condition(&expr, &percents).map(|m| (m.level, m.constant))
    }

    #[test]
    fn constants_in_points_against_a_level_are_misfits() {
        let at = |level: &str, n| Some((level.to_string(), n));
        assert_eq!(check("value < 60"), at("value", 60.0));
        assert_eq!(check("60 > previous"), at("previous", 60.0));
        assert_eq!(check("delta < 0 OR TARGET <= -2"), at("target", -2.0));
        assert_eq!(check("value BETWEEN 0.2 AND 80"), at("value", 80.0));
        assert_eq!(check("value IN (0.5, 50)"), at("value", 50.0));
    }

    #[test]
    fn fractions_percents_and_changes_are_left_alone() {
        for text in [
            "value < 0.60",
            "value < 60 % OR previous > 120 %",
            "value <= 1 AND value >= -1",
            "delta < -5 OR delta_pct > 2",
            "value < target * 1.5",
            "value % 2 = 0",
        ] {
            assert_eq!(check(text), None, "{text}");
        }
    }

    #[test]
    fn the_hint_writes_the_fraction() {
        assert_eq!(hint(60.0), "percents are fractions: write 0.60 for 60 %");
        assert_eq!(hint(33.3), "percents are fractions: write 0.333 for 33.3 %");
        assert_eq!(hint(-5.0), "percents are fractions: write -0.05 for -5 %");
        assert_eq!(hint(150.0), "percents are fractions: write 1.50 for 150 %");
    }
}
