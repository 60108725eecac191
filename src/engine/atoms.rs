//! Windows that overlap (a trailing three months for every month of a backfill; a year ago
//! beside the period and the one before it) cut into atoms: the stretches between consecutive
//! window bounds. A row goes into the one atom that holds its day, so a pass still adds each
//! row once; a window's value is the merge of its atoms' accumulators.

/// Atoms of a list of windows (inclusive day ranges).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atoms {
    /// Sorted and disjoint; only stretches some window covers.
    pub ranges: Vec<(i32, i32)>,
    /// Per window, in the order given: its first and last atom.
    pub spans: Vec<(usize, usize)>,
}

impl Atoms {
    pub fn of(windows: &[(i32, i32)]) -> Atoms {
        let mut bounds: Vec<i32> = windows
            .iter()
            .flat_map(|&(start, end)| [start, end.saturating_add(1)])
            .collect();
        bounds.sort_unstable();
        bounds.dedup();
        let covered = |start: i32, end: i32| windows.iter().any(|&(s, e)| s <= start && end <= e);
        let ranges: Vec<(i32, i32)> = bounds
            .windows(2)
            .map(|pair| (pair[0], pair[1] - 1))
            .filter(|&(start, end)| covered(start, end))
            .collect();
        let spans = windows
            .iter()
            .map(|&(start, end)| {
                let first = ranges.partition_point(|&(s, _)| s < start);
                let last = ranges.partition_point(|&(s, _)| s <= end).saturating_sub(1);
                (first, last)
            })
            .collect();
        Atoms { ranges, spans }
    }

    /// The atom that holds `day`, if any.
    pub fn holding(&self, day: i32) -> Option<usize> {
        let i = self.ranges.partition_point(|&(start, _)| start <= day);
        i.checked_sub(1).filter(|&i| day <= self.ranges[i].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disjoint_windows_are_their_own_atoms() {
        let atoms = Atoms::of(&[(0, 9), (10, 19), (40, 49)]);
        assert_eq!(atoms.ranges, vec![(0, 9), (10, 19), (40, 49)]);
        assert_eq!(atoms.spans, vec![(0, 0), (1, 1), (2, 2)]);
        assert_eq!(atoms.holding(25), None);
        assert_eq!(atoms.holding(40), Some(2));
        assert_eq!(atoms.holding(-1), None);
    }

    #[test]
    fn overlapping_windows_share_atoms() {
        // Three trailing windows of 30 days, 10 days apart.
        let atoms = Atoms::of(&[(0, 29), (10, 39), (20, 49)]);
        assert_eq!(
            atoms.ranges,
            vec![(0, 9), (10, 19), (20, 29), (30, 39), (40, 49)]
        );
        assert_eq!(atoms.spans, vec![(0, 2), (1, 3), (2, 4)]);
        // A window inside another, and a gap no window covers.
        let atoms = Atoms::of(&[(0, 99), (40, 59), (200, 209)]);
        assert_eq!(atoms.ranges, vec![(0, 39), (40, 59), (60, 99), (200, 209)]);
        assert_eq!(atoms.spans, vec![(0, 2), (1, 1), (3, 3)]);
        assert_eq!(atoms.holding(150), None);
    }
}
