//! Whether a move is beyond noise: a test per formula shape, on the parts each value was made
//! of (archived with it, or computed in the same pass). See docs/significance.md.
//!
//! - a ratio of two counts (`count_if(won) / count(*)`): two-proportion z-test;
//! - an average (`avg(x)`): Welch's t-test from each period's mean, variance and count;
//! - a count (`count(*)`, `count_if(…)`): the two counts as Poisson rates per day;
//! - anything else: no test (`None`).

use crate::formula::ast::{BinOp, Expr, ExprKind};
use chrono::NaiveDate;

/// What test a formula allows, found from its shape when the configuration is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Numerator and denominator: the texts of the two count aggregates.
    Proportion {
        numerator: String,
        denominator: String,
    },
    /// The text of the `avg` aggregate.
    Mean(String),
    /// The text of the count aggregate.
    Count(String),
    Other,
}

/// The shape of a source KPI's formula.
pub fn shape(formula: &Expr) -> Shape {
    let count = |e: &Expr| match &e.kind {
        ExprKind::Call(c) if (c.name == "count" && !c.distinct) || c.name == "count_if" => {
            Some(c.text.clone())
        }
        _ => None,
    };
    match &formula.kind {
        ExprKind::Binary {
            op: BinOp::Div,
            left,
            right,
        } => match (count(left), count(right)) {
            (Some(numerator), Some(denominator)) => Shape::Proportion {
                numerator,
                denominator,
            },
            _ => Shape::Other,
        },
        ExprKind::Call(c) if c.name == "avg" => Shape::Mean(c.text.clone()),
        _ => count(formula).map_or(Shape::Other, Shape::Count),
    }
}

/// One period's parts, by name, and the days it covers.
pub struct Sample<'a> {
    pub parts: &'a [(String, f64)],
    pub days: f64,
}

impl Sample<'_> {
    fn part(&self, name: &str) -> Option<f64> {
        self.parts.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}

/// Whether the move from `before` to `now` is beyond noise at `confidence` (0.95); None when
/// the shape has no test or a part is missing.
pub fn significant(shape: &Shape, now: &Sample, before: &Sample, confidence: f64) -> Option<bool> {
    let z = match shape {
        Shape::Proportion {
            numerator,
            denominator,
        } => proportion_z(
            (now.part(numerator)?, now.part(denominator)?),
            (before.part(numerator)?, before.part(denominator)?),
        )?,
        Shape::Mean(text) => {
            let stats = |s: &Sample| -> Option<(f64, f64, f64)> {
                let n = s.part(&format!("{text} n"))?;
                Some((s.part(text)?, s.part(&format!("{text} variance"))?, n))
            };
            return welch(stats(now)?, stats(before)?, confidence);
        }
        Shape::Count(text) => poisson_z(
            (now.part(text)?, now.days),
            (before.part(text)?, before.days),
        )?,
        Shape::Other => return None,
    };
    Some(z.abs() > normal_quantile(1.0 - (1.0 - confidence) / 2.0))
}

/// Two-proportion z statistic with the pooled proportion; None without trials or variance.
fn proportion_z((x1, n1): (f64, f64), (x2, n2): (f64, f64)) -> Option<f64> {
    if n1 <= 0.0 || n2 <= 0.0 {
        return None;
    }
    let pooled = (x1 + x2) / (n1 + n2);
    let variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2);
    (variance > 0.0).then(|| (x1 / n1 - x2 / n2) / variance.sqrt())
}

/// Two Poisson counts as rates per day (periods of different lengths compare fairly).
fn poisson_z((x1, t1): (f64, f64), (x2, t2): (f64, f64)) -> Option<f64> {
    if t1 <= 0.0 || t2 <= 0.0 {
        return None;
    }
    let variance = x1 / (t1 * t1) + x2 / (t2 * t2);
    (variance > 0.0).then(|| (x1 / t1 - x2 / t2) / variance.sqrt())
}

/// Welch's t-test on (mean, sample variance, n) of each period.
fn welch(a: (f64, f64, f64), b: (f64, f64, f64), confidence: f64) -> Option<bool> {
    let ((m1, v1, n1), (m2, v2, n2)) = (a, b);
    if n1 < 2.0 || n2 < 2.0 {
        return None;
    }
    let (s1, s2) = (v1 / n1, v2 / n2);
    let se2 = s1 + s2;
    if se2 <= 0.0 {
        return None;
    }
    let t = (m1 - m2) / se2.sqrt();
    let df = se2 * se2 / (s1 * s1 / (n1 - 1.0) + s2 * s2 / (n2 - 1.0));
    Some(t.abs() > student_quantile(1.0 - (1.0 - confidence) / 2.0, df))
}

/// The days a window covers, both ends included.
pub fn days(start: NaiveDate, end: NaiveDate) -> f64 {
    ((end - start).num_days() + 1) as f64
}

/// The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// Student's t quantile from the normal one (Cornish–Fisher expansion in 1/df): within 0.5 %
/// from 3 degrees of freedom, exact in the limit; below 3, the df = 3 value (conservative).
pub fn student_quantile(p: f64, df: f64) -> f64 {
    let df = df.max(3.0);
    let z = normal_quantile(p);
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df * df * df)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
        pairs.iter().map(|(n, v)| (n.to_string(), *v)).collect()
    }

    fn proportion(now: (f64, f64), before: (f64, f64)) -> Option<bool> {
        let shape = Shape::Proportion {
            numerator: "won".into(),
            denominator: "all".into(),
        };
        let a = parts(&[("won", now.0), ("all", now.1)]);
        let b = parts(&[("won", before.0), ("all", before.1)]);
        let sample = |p| Sample {
            parts: p,
            days: 30.0,
        };
        significant(&shape, &sample(&a), &sample(&b), 0.95)
    }

    #[test]
    fn quantiles_match_the_tables() {
        assert!((normal_quantile(0.975) - 1.959964).abs() < 1e-6);
        assert!((normal_quantile(0.995) - 2.575829).abs() < 1e-6);
        assert!((normal_quantile(0.025) + 1.959964).abs() < 1e-6);
        // t tables: 2.571 (5 df), 2.228 (10), 2.042 (30), 1.984 (100).
        for (df, t) in [(5.0, 2.571), (10.0, 2.228), (30.0, 2.042), (100.0, 1.984)] {
            let got = student_quantile(0.975, df);
            assert!((got - t).abs() / t < 0.005, "{df}: {got}");
        }
    }

    #[test]
    fn fifty_to_fifty_eight_percent_is_noise_on_12_deals_not_on_12000() {
        // 50 % → 58 % (6 of 12 → 7 of 12).
        assert_eq!(proportion((7.0, 12.0), (6.0, 12.0)), Some(false));
        assert_eq!(proportion((6960.0, 12000.0), (6000.0, 12000.0)), Some(true));
        assert_eq!(proportion((1.0, 0.0), (6.0, 12.0)), None);
    }

    #[test]
    fn counts_compare_as_rates_per_day() {
        let shape = Shape::Count("count(*)".into());
        let test = |now: f64, days_now: f64, before: f64| {
            let a = parts(&[("count(*)", now)]);
            let b = parts(&[("count(*)", before)]);
            significant(
                &shape,
                &Sample {
                    parts: &a,
                    days: days_now,
                },
                &Sample {
                    parts: &b,
                    days: 30.0,
                },
                0.95,
            )
        };
        assert_eq!(test(12.0, 30.0, 8.0), Some(false));
        assert_eq!(test(1200.0, 30.0, 800.0), Some(true));
        // 31 against 30 in a 31-day month is the same daily rate.
        assert_eq!(test(3100.0, 31.0, 3000.0), Some(false));
    }

    #[test]
    fn means_use_welch() {
        let shape = Shape::Mean("avg(x)".into());
        let test = |m1: f64, m2: f64, var: f64, n: f64| {
            let a = parts(&[("avg(x)", m1), ("avg(x) n", n), ("avg(x) variance", var)]);
            let b = parts(&[("avg(x)", m2), ("avg(x) n", n), ("avg(x) variance", var)]);
            let s = |p| Sample {
                parts: p,
                days: 30.0,
            };
            significant(&shape, &s(&a), &s(&b), 0.95)
        };
        // A 1-point move with a standard deviation of 5: noise on 10 values, real on 1000.
        assert_eq!(test(21.0, 20.0, 25.0, 10.0), Some(false));
        assert_eq!(test(21.0, 20.0, 25.0, 1000.0), Some(true));
        assert_eq!(test(21.0, 20.0, 25.0, 1.0), None);
    }

    #[test]
    fn shapes_are_read_from_the_formula() {
        let shape_of = |text: &str| shape(&crate::formula::parse(text).unwrap());
        assert!(matches!(
            shape_of("count_if(stage = 'Won') / count(*)"),
            Shape::Proportion { .. }
        ));
        assert!(matches!(
            shape_of("avg(x) FILTER (WHERE y)"),
            Shape::Mean(_)
        ));
        assert!(matches!(shape_of("count(*)"), Shape::Count(_)));
        assert_eq!(shape_of("sum(a) / sum(b)"), Shape::Other);
        assert_eq!(shape_of("count(DISTINCT a)"), Shape::Other);
        assert_eq!(shape_of("median(x)"), Shape::Other);
    }
}
