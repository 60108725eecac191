//! Exact count-distinct: a 64-bit hash per value, kept in a vector that is sorted and
//! deduplicated whenever it has doubled. Memory stays within twice the distinct values (not
//! the rows), adding is a push, and merging two parts is an append.
//!
//! Exact up to hash collisions: with a 64-bit hash, n distinct values in one group collide with
//! a probability below n² / 2⁶⁵ — under one in a million for ten million distinct values.

use crate::formula::Val;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DistinctSet {
    hashes: Vec<u64>,
    /// Length of the prefix known sorted and without repeats.
    settled: usize,
}

impl DistinctSet {
    pub fn add(&mut self, v: &Val) {
        self.push(hash64(v));
    }

    fn push(&mut self, hash: u64) {
        self.hashes.push(hash);
        if self.hashes.len() >= 2 * self.settled + 1024 {
            self.settle();
        }
    }

    pub fn merge(&mut self, other: &DistinctSet) {
        for &h in &other.hashes {
            self.push(h);
        }
    }

    /// Sorts and drops repeats, so that `len` and `contains` can be read.
    pub fn settle(&mut self) {
        if self.settled != self.hashes.len() {
            self.hashes.sort_unstable();
            self.hashes.dedup();
            self.settled = self.hashes.len();
        }
    }

    /// The number of distinct values.
    pub fn len(&self) -> usize {
        self.sorted().len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// How many of `before`'s values this set holds too, and how many `before` has.
    pub fn kept_from(&self, before: &DistinctSet) -> (usize, usize) {
        let (now, then) = (self.sorted(), before.sorted());
        let kept = then.iter().filter(|h| now.binary_search(h).is_ok()).count();
        (kept, then.len())
    }

    /// The hashes sorted and without repeats: borrowed when settled, else a settled copy.
    fn sorted(&self) -> std::borrow::Cow<'_, [u64]> {
        if self.settled == self.hashes.len() {
            return std::borrow::Cow::Borrowed(&self.hashes);
        }
        let mut copy = self.hashes.clone();
        copy.sort_unstable();
        copy.dedup();
        std::borrow::Cow::Owned(copy)
    }
}

/// A 64-bit hash of a value's canonical form: 1 and 1.0 hash alike, -0 like 0.
fn hash64(v: &Val) -> u64 {
    match v {
        Val::Num(n) => mix(1, if *n == 0.0 { 0 } else { n.to_bits() }),
        Val::Str(s) => hash_bytes(s.as_bytes()),
        Val::Bool(b) => mix(3, *b as u64),
        Val::Date(d) => mix(4, *d as u64),
        Val::DateTime(t) => mix(5, *t as u64),
        Val::Null => mix(6, 0),
    }
}

const K0: u64 = 0xa076_1d64_78bd_642f;
const K1: u64 = 0xe703_7ed1_a0b4_28db;

/// The folded 128-bit product (wyhash's "mum"): every input bit moves every output bit.
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

fn mix(tag: u64, x: u64) -> u64 {
    fold(fold(x ^ K0, tag ^ K1), K1)
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = fold(bytes.len() as u64 ^ K0, 2 ^ K1);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = fold(h ^ u64::from_le_bytes(word), K1);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = fold(h ^ u64::from_le_bytes(word) ^ K0, K1);
    }
    fold(h, K0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_distinct_values_through_settles_and_merges() {
        let mut a = DistinctSet::default();
        let mut b = DistinctSet::default();
        for i in 0..10_000u32 {
            let v = Val::Str(format!("acc-{}", i % 3_001).into());
            if i % 3 == 0 {
                a.add(&v)
            } else {
                b.add(&v)
            }
        }
        a.merge(&b);
        assert_eq!(a.len(), 3_001);
        a.settle();
        assert_eq!(a.len(), 3_001);
        assert_eq!(DistinctSet::default().len(), 0);
    }

    #[test]
    fn one_and_one_point_zero_are_one_value_but_text_one_is_another() {
        let mut s = DistinctSet::default();
        for v in [
            Val::Num(1.0),
            Val::Num(1.0),
            Val::Num(-0.0),
            Val::Num(0.0),
            Val::Str("1".into()),
        ] {
            s.add(&v);
        }
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn no_collisions_among_a_million_similar_ids() {
        let mut hashes: Vec<u64> = (0..1_000_000u32)
            .map(|i| hash_bytes(format!("ACC-{i:07}").as_bytes()))
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), 1_000_000);
    }
}
