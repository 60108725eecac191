//! Accumulators: one per aggregate per group, fed value by value, mergeable (so that a pass
//! split in parts — per thread, per file — gives the same result), finished into a value.

use super::distinct::DistinctSet;
use super::exact_sum::ExactSum;
use crate::formula::{AggKind, Val};
use crate::value::{Cell, DataType, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum Accumulator {
    /// count(*), count(x), count_if(cond).
    Count(u64),
    /// sum: exact, so that the order rows arrive in (threads, byte ranges) changes no bit.
    Sum {
        sum: ExactSum,
        n: u64,
    },
    /// avg: the exact sum for the value, and the exact sum of squares for the variance a
    /// significance test needs (archived with the value).
    Mean {
        sum: ExactSum,
        squares: ExactSum,
        n: u64,
    },
    Min(Option<f64>),
    Max(Option<f64>),
    /// median and quantiles need every value.
    Values(Vec<f64>),
    /// count(DISTINCT x) and retention: the values' hashes.
    Distinct(DistinctSet),
    Nps {
        n: u64,
        promoters: u64,
        detractors: u64,
    },
    /// arg_min, arg_max: the best `order` so far, and the argument at its row.
    Arg {
        order: Option<f64>,
        value: Cell,
    },
    /// first, last: the value of the first (last) row so far; None before any row.
    Row(Option<Cell>),
    /// bool_or: None before any non-null value.
    BoolOr(Option<bool>),
}

impl Accumulator {
    pub fn new(kind: AggKind) -> Accumulator {
        match kind {
            AggKind::CountStar | AggKind::Count | AggKind::CountIf => Accumulator::Count(0),
            AggKind::Sum => Accumulator::Sum {
                sum: ExactSum::default(),
                n: 0,
            },
            AggKind::Avg => Accumulator::Mean {
                sum: ExactSum::default(),
                squares: ExactSum::default(),
                n: 0,
            },
            AggKind::Min => Accumulator::Min(None),
            AggKind::Max => Accumulator::Max(None),
            AggKind::Quantile(_) => Accumulator::Values(Vec::new()),
            AggKind::CountDistinct | AggKind::Retention => {
                Accumulator::Distinct(DistinctSet::default())
            }
            AggKind::Nps => Accumulator::Nps {
                n: 0,
                promoters: 0,
                detractors: 0,
            },
            AggKind::ArgMin | AggKind::ArgMax => Accumulator::Arg {
                order: None,
                value: Cell::Null,
            },
            AggKind::First | AggKind::Last => Accumulator::Row(None),
            AggKind::BoolOr => Accumulator::BoolOr(None),
        }
    }

    /// Adds one row of `arg_min(x, order)` or `arg_max(x, order)`: as in DuckDB, a row whose
    /// argument or order is null is skipped; on a tie the earlier row stays.
    pub fn add_ordered(&mut self, kind: AggKind, v: &Val, by: &Val) {
        let Accumulator::Arg { order, value } = self else {
            return;
        };
        let Some(x) = number(by).filter(|_| !v.is_null()) else {
            return;
        };
        if order.is_none_or(|o| better(kind, x, o)) {
            *order = Some(x);
            match (value, v) {
                // The text's buffer is reused: the best row changes often in a time-ordered log.
                (Cell::Str(kept), Val::Str(new)) => {
                    kept.clear();
                    kept.push_str(new);
                }
                (value, v) => *value = v.clone().into_cell(),
            }
        }
    }

    /// Adds one row's argument value (`Val::Null` for count(*), which counts every row).
    pub fn add(&mut self, kind: AggKind, v: &Val) {
        match self {
            Accumulator::Count(n) => {
                let counts = match kind {
                    AggKind::CountStar => true,
                    AggKind::CountIf => v.is_true(),
                    _ => !v.is_null(),
                };
                *n += counts as u64;
            }
            Accumulator::Sum { sum, n } => {
                if let Some(x) = number(v) {
                    sum.add(x);
                    *n += 1;
                }
            }
            Accumulator::Mean { sum, squares, n } => {
                if let Some(x) = number(v) {
                    sum.add(x);
                    squares.add(x * x);
                    *n += 1;
                }
            }
            Accumulator::Min(m) => {
                if let Some(x) = number(v) {
                    *m = Some(m.map_or(x, |m| m.min(x)));
                }
            }
            Accumulator::Max(m) => {
                if let Some(x) = number(v) {
                    *m = Some(m.map_or(x, |m| m.max(x)));
                }
            }
            Accumulator::Values(values) => values.extend(number(v)),
            Accumulator::Distinct(set) => {
                if !v.is_null() {
                    set.add(v);
                }
            }
            Accumulator::Nps {
                n,
                promoters,
                detractors,
            } => {
                if let Some(score) = number(v) {
                    *n += 1;
                    *promoters += (score >= 9.0) as u64;
                    *detractors += (score <= 6.0) as u64;
                }
            }
            // Fed by `add_ordered`.
            Accumulator::Arg { .. } => {}
            Accumulator::Row(row) => match row {
                None => *row = Some(v.clone().into_cell()),
                Some(Cell::Str(kept)) if kind == AggKind::Last => match v {
                    Val::Str(new) => {
                        kept.clear();
                        kept.push_str(new);
                    }
                    other => *row = Some(other.clone().into_cell()),
                },
                Some(_) if kind == AggKind::Last => *row = Some(v.clone().into_cell()),
                Some(_) => {}
            },
            Accumulator::BoolOr(any) => {
                if let Val::Bool(b) = v {
                    *any = Some(any.unwrap_or(false) || *b);
                }
            }
        }
    }

    /// Puts what it holds in its final form before it is read (a distinct set sorted), so
    /// that reading it costs no copy.
    pub fn settle(&mut self) {
        if let Accumulator::Distinct(set) = self {
            set.settle();
        }
    }

    /// Merges another accumulator of the same aggregate into this one; `other` holds rows that
    /// come after this one's in file order (which `first`, `last` and ties depend on).
    pub fn merge_kind(&mut self, kind: AggKind, other: &Accumulator) {
        match (&mut *self, other) {
            (
                Accumulator::Arg { order, value },
                Accumulator::Arg {
                    order: Some(o),
                    value: v,
                },
            ) => {
                if order.is_none_or(|mine| better(kind, *o, mine)) {
                    *order = Some(*o);
                    *value = v.clone();
                }
            }
            (Accumulator::Row(row), Accumulator::Row(Some(theirs))) => {
                if row.is_none() || kind == AggKind::Last {
                    *row = Some(theirs.clone());
                }
            }
            _ => self.merge(other),
        }
    }

    /// Merges another accumulator of the same aggregate into this one.
    pub fn merge(&mut self, other: &Accumulator) {
        match (self, other) {
            (Accumulator::Count(a), Accumulator::Count(b)) => *a += b,
            (Accumulator::Sum { sum, n }, Accumulator::Sum { sum: s2, n: n2 }) => {
                sum.merge(s2);
                *n += n2;
            }
            (
                Accumulator::Mean { sum, squares, n },
                Accumulator::Mean {
                    sum: s2,
                    squares: q2,
                    n: n2,
                },
            ) => {
                sum.merge(s2);
                squares.merge(q2);
                *n += n2;
            }
            (Accumulator::Min(a), Accumulator::Min(b)) => *a = pick(*a, *b, f64::min),
            (Accumulator::Max(a), Accumulator::Max(b)) => *a = pick(*a, *b, f64::max),
            (Accumulator::Values(a), Accumulator::Values(b)) => a.extend_from_slice(b),
            (Accumulator::Distinct(a), Accumulator::Distinct(b)) => a.merge(b),
            (Accumulator::BoolOr(a), Accumulator::BoolOr(Some(b))) => {
                *a = Some(a.unwrap_or(false) || *b);
            }
            (
                Accumulator::Nps {
                    n,
                    promoters,
                    detractors,
                },
                Accumulator::Nps {
                    n: n2,
                    promoters: p2,
                    detractors: d2,
                },
            ) => {
                *n += n2;
                *promoters += p2;
                *detractors += d2;
            }
            _ => {}
        }
    }

    /// The aggregate's value. `previous` is the same group's accumulator in the period before,
    /// which only `retention` uses; `arg_type` gives min/max of dates their date type back.
    pub fn finish(
        &self,
        kind: AggKind,
        arg_type: Option<DataType>,
        previous: Option<&Accumulator>,
    ) -> Value<'static> {
        let num = |x: f64| {
            if x.is_finite() {
                Value::Num(x)
            } else {
                Value::Null
            }
        };
        match (self, kind) {
            (Accumulator::Count(n), _) => Value::Num(*n as f64),
            (Accumulator::Sum { n: 0, .. }, _) => Value::Null,
            (Accumulator::Sum { sum, .. }, AggKind::Sum) => num(sum.value()),
            (Accumulator::Mean { n: 0, .. }, _) => Value::Null,
            (Accumulator::Mean { sum, n, .. }, _) => num(sum.value() / *n as f64),
            (Accumulator::Min(m) | Accumulator::Max(m), _) => {
                m.map_or(Value::Null, |x| typed(x, arg_type))
            }
            (Accumulator::Values(values), AggKind::Quantile(p)) => {
                quantile_cont(values, p).map_or(Value::Null, num)
            }
            (Accumulator::Distinct(set), AggKind::Retention) => retention(set, previous),
            (Accumulator::Distinct(set), _) => Value::Num(set.len() as f64),
            (Accumulator::Nps { n: 0, .. }, _) => Value::Null,
            (
                Accumulator::Nps {
                    n,
                    promoters,
                    detractors,
                },
                _,
            ) => num(100.0 * (*promoters as f64 - *detractors as f64) / *n as f64),
            _ => Value::Null,
        }
    }
}

impl Accumulator {
    /// The aggregate's value, borrowing what it holds (a rollup's `arg_max` of a string).
    pub fn finish_ref(&self, kind: AggKind, arg_type: Option<DataType>) -> Value<'_> {
        match self {
            Accumulator::Arg { value, .. } => value.as_value(),
            Accumulator::Row(row) => row.as_ref().map_or(Value::Null, Cell::as_value),
            Accumulator::BoolOr(any) => any.map_or(Value::Null, Value::Bool),
            _ => self.finish(kind, arg_type, None),
        }
    }

    /// Besides the value, what a significance test needs later and the archive keeps: the
    /// number of values behind a mean, an NPS or a quantile, a mean's sample variance, an NPS's
    /// promoters and detractors. Named by a suffix such as `n` or `variance`.
    pub fn extra_parts(&self) -> Vec<(&'static str, f64)> {
        match self {
            Accumulator::Mean { sum, squares, n } => {
                let mut parts = vec![("n", *n as f64)];
                if *n > 1 {
                    let mean = sum.value() / *n as f64;
                    let deviations = (squares.value() - mean * sum.value()).max(0.0);
                    parts.push(("variance", deviations / (*n - 1) as f64));
                }
                parts
            }
            Accumulator::Values(values) => vec![("n", values.len() as f64)],
            Accumulator::Nps {
                n,
                promoters,
                detractors,
            } => vec![
                ("n", *n as f64),
                ("promoters", *promoters as f64),
                ("detractors", *detractors as f64),
            ],
            _ => vec![],
        }
    }
}

/// Whether `x` beats `best` for arg_min (less) or arg_max (more).
fn better(kind: AggKind, x: f64, best: f64) -> bool {
    if kind == AggKind::ArgMin {
        x < best
    } else {
        x > best
    }
}

fn number(v: &Val) -> Option<f64> {
    match *v {
        Val::Num(n) => Some(n),
        Val::Date(d) => Some(d as f64),
        Val::DateTime(t) => Some(t as f64),
        Val::Bool(b) => Some(b as u8 as f64),
        _ => None,
    }
}

fn typed(x: f64, ty: Option<DataType>) -> Value<'static> {
    match ty {
        Some(DataType::Date) => Value::Date(x as i32),
        Some(DataType::DateTime) => Value::DateTime(x as i64),
        _ => Value::Num(x),
    }
}

fn pick(a: Option<f64>, b: Option<f64>, f: fn(f64, f64) -> f64) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(f(a, b)),
        (a, b) => a.or(b),
    }
}

/// DuckDB's quantile_cont: linear interpolation at position (n − 1) × p.
pub fn quantile_cont(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    let rank = (v.len() - 1) as f64 * p;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    let cmp = |a: &f64, b: &f64| a.total_cmp(b);
    let (_, &mut lo_value, rest) = v.select_nth_unstable_by(lo, cmp);
    if hi == lo {
        return Some(lo_value);
    }
    let hi_value = rest.iter().copied().min_by(cmp).unwrap_or(lo_value);
    Some(lo_value + (hi_value - lo_value) * (rank - lo as f64))
}

fn retention(current: &DistinctSet, previous: Option<&Accumulator>) -> Value<'static> {
    let Some(Accumulator::Distinct(before)) = previous else {
        return Value::Null;
    };
    if before.is_empty() {
        return Value::Null;
    }
    let (kept, of) = current.kept_from(before);
    Value::Num(kept as f64 / of as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [AggKind; 10] = [
        AggKind::CountStar,
        AggKind::Count,
        AggKind::CountIf,
        AggKind::Sum,
        AggKind::Avg,
        AggKind::Min,
        AggKind::Max,
        AggKind::Quantile(0.3),
        AggKind::CountDistinct,
        AggKind::Nps,
    ];

    fn sample(i: u32) -> Val<'static> {
        match i % 7 {
            0 => Val::Null,
            1 => Val::Bool(i.is_multiple_of(2)),
            _ => Val::Num(((i * 37) % 11) as f64 + 0.1 * (i % 3) as f64),
        }
    }

    #[test]
    fn a_mean_keeps_its_count_and_sample_variance_across_merges() {
        let values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let (mut a, mut b) = (
            Accumulator::new(AggKind::Avg),
            Accumulator::new(AggKind::Avg),
        );
        for (i, x) in values.iter().enumerate() {
            let target = if i < 3 { &mut a } else { &mut b };
            target.add(AggKind::Avg, &Val::Num(*x));
        }
        a.merge(&b);
        assert_eq!(a.finish(AggKind::Avg, None, None), Value::Num(5.0));
        let parts = a.extra_parts();
        assert_eq!(parts[0], ("n", 8.0));
        // Sum of squared deviations 32, over n − 1 = 7.
        assert!((parts[1].1 - 32.0 / 7.0).abs() < 1e-12, "{parts:?}");
        assert_eq!(Accumulator::new(AggKind::Avg).extra_parts(), [("n", 0.0)]);
    }

    #[test]
    fn one_pass_equals_two_merged_halves() {
        for kind in KINDS {
            for split in [0, 1, 17, 50, 99] {
                let mut whole = Accumulator::new(kind);
                let (mut a, mut b) = (Accumulator::new(kind), Accumulator::new(kind));
                for i in 0..100 {
                    let v = sample(i);
                    whole.add(kind, &v);
                    if i < split {
                        a.add(kind, &v)
                    } else {
                        b.add(kind, &v)
                    }
                }
                a.merge(&b);
                assert_eq!(
                    a.finish(kind, None, None),
                    whole.finish(kind, None, None),
                    "{kind:?} split at {split}"
                );
            }
        }
    }

    #[test]
    fn quantile_cont_interpolates_like_duckdb() {
        assert_eq!(quantile_cont(&[1.0, 2.0, 4.0, 10.0], 0.5), Some(3.0));
        assert!((quantile_cont(&[1.0, 2.0, 4.0, 10.0], 0.3).unwrap() - 1.9).abs() < 1e-12);
        assert_eq!(quantile_cont(&[5.0], 0.9), Some(5.0));
        assert_eq!(quantile_cont(&[], 0.5), None);
    }

    #[test]
    fn nps_and_empty_groups() {
        let mut acc = Accumulator::new(AggKind::Nps);
        for s in [10.0, 9.0, 8.0, 6.0, 0.0] {
            acc.add(AggKind::Nps, &Val::Num(s));
        }
        assert_eq!(acc.finish(AggKind::Nps, None, None), Value::Num(0.0));
        assert_eq!(
            Accumulator::new(AggKind::Avg).finish(AggKind::Avg, None, None),
            Value::Null
        );
        assert_eq!(
            Accumulator::new(AggKind::Count).finish(AggKind::Count, None, None),
            Value::Num(0.0)
        );
    }

    #[test]
    fn retention_is_the_share_of_previous_values_seen_again() {
        let mut before = Accumulator::new(AggKind::Retention);
        let mut now = Accumulator::new(AggKind::Retention);
        for c in ["a", "b", "c", "d"] {
            before.add(AggKind::Retention, &Val::Str(c.into()));
        }
        for c in ["a", "c", "e"] {
            now.add(AggKind::Retention, &Val::Str(c.into()));
        }
        assert_eq!(
            now.finish(AggKind::Retention, None, Some(&before)),
            Value::Num(0.5)
        );
        assert_eq!(now.finish(AggKind::Retention, None, None), Value::Null);
    }

    #[test]
    fn sums_are_exact_whatever_the_order() {
        let values = [1e16, 1.0, -1e16, 1.0];
        let mut acc = Accumulator::new(AggKind::Sum);
        for v in values {
            acc.add(AggKind::Sum, &Val::Num(v));
        }
        assert_eq!(acc.finish(AggKind::Sum, None, None), Value::Num(2.0));
    }

    /// Rows (x, order) fed in file order, split after `cut`: what two pieces of a file merged
    /// in order give, for arg_min/arg_max.
    fn arg(kind: AggKind, rows: &[(Option<&str>, Option<f64>)], cut: usize) -> Cell {
        let feed = |rows: &[(Option<&str>, Option<f64>)]| {
            let mut acc = Accumulator::new(kind);
            for (x, order) in rows {
                let x = x.map_or(Val::Null, |s| Val::Str(s.into()));
                let order = order.map_or(Val::Null, Val::Num);
                acc.add_ordered(kind, &x, &order);
            }
            acc
        };
        let mut first = feed(&rows[..cut]);
        first.merge_kind(kind, &feed(&rows[cut..]));
        Cell::from_value(first.finish_ref(kind, None))
    }

    #[test]
    fn arg_max_skips_nulls_and_keeps_the_first_of_a_tie_whatever_the_cut() {
        let rows = [
            (Some("a"), Some(1.0)),
            (Some("b"), Some(3.0)),
            (None, Some(9.0)),
            (Some("c"), None),
            (Some("d"), Some(3.0)),
            (Some("e"), Some(0.5)),
        ];
        for cut in 0..=rows.len() {
            assert_eq!(
                arg(AggKind::ArgMax, &rows, cut),
                Cell::Str("b".into()),
                "cut {cut}"
            );
            assert_eq!(
                arg(AggKind::ArgMin, &rows, cut),
                Cell::Str("e".into()),
                "cut {cut}"
            );
        }
        assert_eq!(arg(AggKind::ArgMax, &[(None, Some(1.0))], 1), Cell::Null);
    }

    #[test]
    fn first_and_last_follow_file_order_nulls_included_whatever_the_cut() {
        let rows = [
            Val::Null,
            Val::Str("x".into()),
            Val::Str("y".into()),
            Val::Null,
        ];
        for cut in 0..=rows.len() {
            for (kind, want) in [(AggKind::First, Value::Null), (AggKind::Last, Value::Null)] {
                let mut a = Accumulator::new(kind);
                rows[..cut].iter().for_each(|v| a.add(kind, v));
                let mut b = Accumulator::new(kind);
                rows[cut..].iter().for_each(|v| b.add(kind, v));
                a.merge_kind(kind, &b);
                assert_eq!(a.finish_ref(kind, None), want, "{kind:?} cut {cut}");
            }
            let mut a = Accumulator::new(AggKind::Last);
            rows[..3.min(cut)]
                .iter()
                .for_each(|v| a.add(AggKind::Last, v));
            let mut b = Accumulator::new(AggKind::Last);
            rows[3.min(cut)..3]
                .iter()
                .for_each(|v| b.add(AggKind::Last, v));
            a.merge_kind(AggKind::Last, &b);
            assert_eq!(
                a.finish_ref(AggKind::Last, None),
                Value::Str("y"),
                "cut {cut}"
            );
        }
    }

    #[test]
    fn bool_or_is_null_without_a_value_and_true_once_one_is() {
        let mut acc = Accumulator::new(AggKind::BoolOr);
        acc.add(AggKind::BoolOr, &Val::Null);
        assert_eq!(acc.finish_ref(AggKind::BoolOr, None), Value::Null);
        acc.add(AggKind::BoolOr, &Val::Bool(false));
        assert_eq!(acc.finish_ref(AggKind::BoolOr, None), Value::Bool(false));
        let mut other = Accumulator::new(AggKind::BoolOr);
        other.add(AggKind::BoolOr, &Val::Bool(true));
        acc.merge_kind(AggKind::BoolOr, &other);
        assert_eq!(acc.finish_ref(AggKind::BoolOr, None), Value::Bool(true));
    }
}
