//! Lookup match accounting (SPEC.md, Guards): rows whose key finds no row in a lookup are
//! counted, warned with the most frequent keys, shown by `explain`, and an error (exit 4)
//! below the lookup's `min_match`.

use crate::support::Workdir;

/// 40 deals in October 2026: 30 of `GTX Basic`, 8 of `GTXPro` and 2 of `MG Special`, while
/// products.csv writes `GTX Pro` and has no MG Special; two test deals of an unknown product
/// are removed by the source filter.
fn work(lookup_extra: &str) -> Workdir {
    let work = Workdir::new();
    let mut deals = String::from("id,closed_at,product,amount,is_test\n");
    for i in 1..=40 {
        let product = match i {
            1..=30 => "GTX Basic",
            31..=38 => "GTXPro",
            _ => "MG Special",
        };
        deals.push_str(&format!(
            "{i},2026-10-{:02},{product},100,false\n",
            1 + i % 28
        ));
    }
    deals.push_str("41,2026-10-03,QA Thing,1,true\n42,2026-10-04,QA Thing,1,true\n");
    work.write("data/deals.csv", deals);
    work.write(
        "data/products.csv",
        "product,series\nGTX Basic,GTX\nGTX Pro,GTX\n",
    );
    work.write(
        "kpis.toml",
        format!(
            "[sources.deals]\npath = \"data/deals.csv\"\nfilter = \"NOT is_test\"\n\
             columns = {{ is_test = \"bool\" }}\n\n\
             [sources.deals.lookup.products]\npath = \"data/products.csv\"\non = \"product\"\n\
             columns = [\"series\"]\n{lookup_extra}\n\
             [[kpi]]\nid = \"revenue\"\nsource = \"deals\"\ntime = \"closed_at\"\n\
             formula = \"sum(amount)\"\ndimensions = [\"series\"]\n"
        ),
    );
    work
}

const RUN: [&str; 6] = crate::support::RUN_CSV;

#[test]
fn unmatched_keys_are_warned_with_the_most_frequent_first() {
    let out = work("").run(&RUN);
    out.expect_code(0);
    assert_eq!(
        out.stderr.lines().next().unwrap_or_default(),
        "kpi: warning: source `deals`: 10 of 40 rows (25.0 %) found no row in lookup `products` \
         (key `product`), so its columns are null for them: GTXPro: 8 rows, MG Special: 2 rows",
        "{}",
        out.stderr
    );
    // The values are still those of the data: the unmatched rows are the empty group.
    assert!(out.stdout.contains("series=(empty),1000"), "{}", out.stdout);
}

#[test]
fn below_min_match_the_run_stops() {
    let out = work("min_match = 0.9\n").run(&RUN);
    out.expect_code(4);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr.contains(
            "10 of 40 rows (25.0 %) found no row in lookup `products` (key `product`), so its columns are null for them (min_match 90.0 %): GTXPro: 8 rows"
        ),
        "{}",
        out.stderr
    );
    // At or above the share, a warning.
    work("min_match = 0.75\n").run(&RUN).expect_code(0);
    let out = work("min_match = 1.5\n").run(&RUN);
    out.expect_code(3);
    assert!(
        out.stderr
            .contains("min_match must be a share between 0 and 1"),
        "{}",
        out.stderr
    );
}

#[test]
fn explain_shows_the_unmatched_rows() {
    let out = work("").run(&["explain", "revenue", "--as-of", "2026-11-15"]);
    out.expect_code(0);
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("lookup `products`"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(line.trim_end().ends_with(" 10"), "{line}");
}

#[test]
fn keys_that_all_match_say_nothing() {
    let work = work("");
    work.write(
        "data/products.csv",
        "product,series\nGTX Basic,GTX\nGTXPro,GTX\nMG Special,MG\n",
    );
    let out = work.run(&RUN);
    out.expect_code(0);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}
