//! An exact sum of floating-point numbers, rounded once when read (Shewchuk's algorithm, as in
//! Python's `math.fsum`).
//!
//! Why exact: a pass split across threads and byte ranges adds the same rows in another order,
//! and a rounded running sum would then differ in its last digits from one run to the next. An
//! exact sum does not depend on the order, so every thread count gives the same bits.

/// The sum as non-overlapping partials of increasing magnitude, whose exact total is the sum.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExactSum {
    partials: Vec<f64>,
    /// Infinities and NaNs, which have no exact partials: they are summed apart.
    special: f64,
}

impl ExactSum {
    pub fn add(&mut self, mut x: f64) {
        if !x.is_finite() {
            self.special += x;
            return;
        }
        let mut kept = 0;
        for i in 0..self.partials.len() {
            let mut y = self.partials[i];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        self.partials.push(x);
    }

    /// Adds everything `other` holds: the exact sum of both.
    pub fn merge(&mut self, other: &ExactSum) {
        self.special += other.special;
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// The exact sum rounded to the nearest float (ties to even).
    pub fn value(&self) -> f64 {
        if self.special != 0.0 || self.special.is_nan() {
            return self.special;
        }
        let p = &self.partials;
        let Some(mut n) = p.len().checked_sub(1) else {
            return 0.0;
        };
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            lo = y - (hi - x);
            if lo != 0.0 {
                break;
            }
        }
        // Half-way cases: the partials below decide which way the tie rounds.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(values: &[f64]) -> f64 {
        let mut s = ExactSum::default();
        values.iter().for_each(|&x| s.add(x));
        s.value()
    }

    #[test]
    fn cancellation_and_tiny_terms_are_exact() {
        assert_eq!(sum(&[1e16, 1.0, -1e16, 1.0]), 2.0);
        assert_eq!(sum(&[0.1; 10]), 1.0);
        assert_eq!(sum(&[1e100, 1.0, -1e100, 1e-100]), 1.0);
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(sum(&[f64::INFINITY, 1.0]), f64::INFINITY);
        assert!(sum(&[f64::INFINITY, f64::NEG_INFINITY]).is_nan());
    }

    #[test]
    fn ties_round_to_even_like_fsum() {
        // 1 + 2^-53 + 2^-106 is just above half-way: rounds up, as math.fsum does.
        let half_ulp = f64::EPSILON / 2.0;
        assert_eq!(
            sum(&[1.0, half_ulp, half_ulp * half_ulp]),
            1.0 + f64::EPSILON
        );
        assert_eq!(sum(&[1.0, half_ulp]), 1.0);
    }

    #[test]
    fn any_order_and_any_split_give_the_same_bits() {
        let values: Vec<f64> = (0..2_000u64)
            .map(|i| ((i * 7_919) % 100_003) as f64 / 100.0 * if i % 3 == 0 { -1.0 } else { 1.0 })
            .collect();
        let forward = sum(&values);
        let mut reversed = values.clone();
        reversed.reverse();
        assert_eq!(sum(&reversed).to_bits(), forward.to_bits());
        for split in [1, 333, 1_999] {
            let mut a = ExactSum::default();
            let mut b = ExactSum::default();
            values[..split].iter().for_each(|&x| a.add(x));
            values[split..].iter().for_each(|&x| b.add(x));
            b.merge(&a);
            assert_eq!(b.value().to_bits(), forward.to_bits(), "split at {split}");
        }
    }
}
