//! Unit scale: a percent KPI's conditions and target written in points (`value < 60`, a target
//! of 65) stop `run` and `validate` with exit 3 and the fraction hint; `60 %` reads as 0.60 in
//! any KPI's conditions, while `%` with a right operand stays modulo.

use crate::support::{Output, Workdir};

/// Four deals closed in October 2026, one of them won: a win rate of 25 %.
const DEALS: &str = "id,closed_at,stage\n\
1,2026-10-03,Won\n\
2,2026-10-09,Lost\n\
3,2026-10-15,Lost\n\
4,2026-10-21,Lost\n";

/// A work dir with the deals and a `win_rate` percent KPI with `extra` keys.
fn win_rate(extra: &str) -> Workdir {
    let work = Workdir::new();
    work.write("deals.csv", DEALS);
    work.write(
        "kpis.toml",
        format!(
            "[sources.deals]\npath = \"deals.csv\"\n\n\
             [[kpi]]\nid = \"win_rate\"\nsource = \"deals\"\ntime = \"closed_at\"\n\
             formula = \"count_if(stage = 'Won') / count(*)\"\nunit = \"percent\"\n{extra}\n"
        ),
    );
    work
}

fn check(work: &Workdir) -> Output {
    work.run(&["check", "--as-of", "2026-11-22", "--no-archive"])
}

/// Exit 3 from `check` and `validate` alike, with `message` and `hint` on stderr.
fn expect_config_error(work: &Workdir, message: &str, hint: &str) {
    for out in [check(work), work.run(&["validate"])] {
        out.expect_code(3);
        assert_eq!(out.stdout, "");
        for fragment in [message, hint] {
            assert!(out.stderr.contains(fragment), "{}", out.stderr);
        }
    }
}

#[test]
fn a_condition_in_points_on_a_percent_kpi_is_a_configuration_error() {
    let work = win_rate("warn = \"value < 60\"");
    expect_config_error(
        &work,
        "kpis.toml: kpi `win_rate`: warn: `value < 60` compares value with 60 on a percent KPI, \
         whose values are fractions (line 10, column 17)",
        "  hint: percents are fractions: write 0.60 for 60 %, or write the sign: `60 %`",
    );
    let work = win_rate("fail = \"delta_pct < -0.5 OR 12.5 > previous\"");
    expect_config_error(
        &work,
        "fail: `delta_pct < -0.5 OR 12.5 > previous` compares previous with 12.5",
        "write 0.125 for 12.5 %",
    );
}

#[test]
fn a_target_in_points_on_a_percent_kpi_is_a_configuration_error() {
    let work = win_rate("target = { value = 65 }");
    expect_config_error(
        &work,
        "kpis.toml:10:20: kpi `win_rate`: target.value 65 is above 1 on a percent KPI, \
         whose values are fractions",
        "  hint: percents are fractions: write 0.65 for 65 %",
    );
}

#[test]
fn a_percent_sign_makes_a_fraction_and_the_breach_shows_it_as_written() {
    let work = win_rate("warn = \"value < 30 %\"\nfail = \"value < 20% OR previous > 150 %\"");
    let out = check(&work);
    out.expect_code(0);
    assert!(out.stdout.contains("│ warn "), "{}", out.stdout);
    assert!(out.stdout.contains("value < 30 %"), "{}", out.stdout);

    let work = win_rate("fail = \"value <= 25 %\"\ntarget = { value = 0.30 }");
    let out = check(&work);
    out.expect_code(1);
    assert!(out.stdout.contains("value <= 25 %"), "{}", out.stdout);
}

#[test]
fn modulo_and_points_stay_as_they_were_outside_percent_kpis() {
    // A count in points is fine; `%` with a right operand is modulo: 4 % 2 = 0 fails.
    let work = win_rate("");
    let toml = work
        .read("kpis.toml")
        .replace("count_if(stage = 'Won') / count(*)", "count(*)")
        .replace(
            "unit = \"percent\"",
            "fail = \"value % 2 = 0 AND value > 3\"",
        );
    work.write("kpis.toml", toml);
    let out = check(&work);
    out.expect_code(1);
    assert!(
        out.stdout.contains("value % 2 = 0 AND value > 3"),
        "{}",
        out.stdout
    );
}
