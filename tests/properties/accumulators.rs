//! Accumulators: however the rows are split into parts (threads, byte ranges), merging the
//! parts gives exactly — bit for bit — what one pass over all rows gives.

use kpi::engine::accumulator::Accumulator;
use kpi::formula::{AggKind, Val};
use proptest::prelude::*;

const KINDS: [AggKind; 12] = [
    AggKind::CountStar,
    AggKind::Count,
    AggKind::CountIf,
    AggKind::Sum,
    AggKind::Avg,
    AggKind::Min,
    AggKind::Max,
    AggKind::Quantile(0.5),
    AggKind::Quantile(0.9),
    AggKind::CountDistinct,
    AggKind::Nps,
    AggKind::Retention,
];

/// Numbers of every magnitude (so that a rounded sum would depend on the order), booleans
/// and nulls.
fn any_value() -> impl Strategy<Value = Val<'static>> {
    prop_oneof![
        3 => (-1e6f64..1e6).prop_map(|x| Val::Num((x * 100.0).round() / 100.0)),
        1 => (-1e15f64..1e15).prop_map(Val::Num),
        1 => (0u8..=10).prop_map(|s| Val::Num(f64::from(s))),
        1 => any::<bool>().prop_map(Val::Bool),
        1 => Just(Val::Null),
        1 => "[a-c]{1,2}".prop_map(|s| Val::Str(s.into())),
    ]
}

fn finish(acc: &Accumulator, kind: AggKind) -> String {
    format!("{:?}", acc.finish(kind, None, None))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn merged_parts_equal_one_pass(
        values in prop::collection::vec(any_value(), 0..300),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
    ) {
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(values.len() + 1)).collect();
        cuts.sort_unstable();
        for kind in KINDS {
            let mut whole = Accumulator::new(kind);
            values.iter().for_each(|v| whole.add(kind, v));
            let mut merged = Accumulator::new(kind);
            let mut from = 0;
            for &to in cuts.iter().chain([values.len()].iter()) {
                let mut part = Accumulator::new(kind);
                values[from..to].iter().for_each(|v| part.add(kind, v));
                merged.merge(&part);
                from = to;
            }
            prop_assert_eq!(finish(&merged, kind), finish(&whole, kind), "{:?}", kind);
            prop_assert_eq!(
                format!("{:?}", merged.extra_parts()),
                format!("{:?}", whole.extra_parts()),
                "{:?}", kind
            );
        }
    }
}
