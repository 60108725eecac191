//! Raw TOML → [`Config`]: every key checked, formulas parsed, derived KPIs ordered.
//!
//! Each setting, source, KPI and report is resolved on its own and every problem is kept, so
//! that one look lists them all (`kpi validate`, or a `kpi run` that cannot start). A source or
//! KPI with a problem is left out of the configuration, and what refers to it is left out
//! quietly: its problem is already listed once. Errors name the item and the file's line and
//! column. Sources are in `source.rs`, KPIs in `kpi.rs`.

use super::document::{self, place};
use super::raw::*;
use super::target_file;
use super::*;
use super::{baselines, breakdowns, rollup};
use crate::formula;
use crate::period::WeekStart;
use anyhow::{anyhow, bail, Result};
use std::collections::HashSet;
use toml::Spanned;

/// `settings.max_invalid` when not set: a few typos in a column are tolerated (and warned);
/// a wrong format, which spoils most values, is not.
const DEFAULT_MAX_INVALID: f64 = 0.01;

/// `settings.max_groups` when not set: far above a breakdown people read (regions, owners,
/// products), low enough that a backfill's results (about 3 KB each until written, one per
/// group and period) stay within a few hundred megabytes.
const DEFAULT_MAX_GROUPS: i64 = 10_000;

/// `settings.max_entities` when not set: a rollup of this many entities (customers, tickets)
/// takes a few hundred bytes each, about 1.5 GB at most; more means a `by` that differs on
/// every row.
const DEFAULT_MAX_ENTITIES: i64 = 5_000_000;

pub fn resolve(text: &str, path: &Path, dir: &Path) -> Checked {
    let ctx = Ctx { text, path, dir };
    let doc = match document::read(text, path) {
        Ok(doc) => doc,
        Err(problem) => {
            let settings = ctx.settings(&RawSettings::default(), &mut Found::default());
            return Checked {
                config: ctx.config(settings, vec![], vec![], vec![]),
                problems: vec![problem],
            };
        }
    };
    let mut found = Found(doc.problems);
    let raw = doc.raw;
    let settings = ctx.settings(&raw.settings, &mut found);
    let sources: Vec<Source> = raw
        .sources
        .iter()
        .filter_map(|(name, s)| found.keep(ctx.source(name, s)))
        .collect();
    let (sources, problems) =
        rollup::order_sources(sources, &raw.sources, &doc.broken_sources, &ctx);
    found.0.extend(problems);
    let names = Names {
        sources: raw
            .sources
            .keys()
            .chain(&doc.broken_sources)
            .cloned()
            .collect(),
        kpis: raw
            .kpis
            .iter()
            .map(|k| k.id.get_ref().clone())
            .chain(doc.broken_kpis)
            .collect(),
    };
    let raws = ctx.unique_kpis(&raw.kpis, &mut found);
    let mut kpis: Vec<Kpi> = raws
        .iter()
        .filter_map(|r| found.keep_all(ctx.kpi(r, &raws, &settings, &names)))
        .collect();
    target_file::attach(&ctx, &raws, &mut kpis, &settings.calendar, &mut found.0);
    let kpis = without_broken_inputs(kpis, &sources);
    let (kpis, cycles) = order::by_dependencies(kpis, &sources);
    for cycle in cycles {
        found.0.push(ctx.cycle(&cycle, &raws));
    }
    found.0.extend(breakdowns::check(&kpis, &raws, &ctx));
    found.0.extend(baselines::check(&kpis, &raws, &ctx));
    let reports = ctx.reports(&raw.reports, &names, &kpis, &mut found);
    sort_by_place(&mut found.0, path);
    Checked {
        config: ctx.config(settings, sources, kpis, reports),
        problems: found.0,
    }
}

/// Every id and source name in the file, readable or not: a reference to one of them is not
/// an "unknown" error, even when the item itself is broken.
pub(super) struct Names {
    pub sources: Vec<String>,
    pub kpis: Vec<String>,
}

/// The problems found so far.
#[derive(Default)]
pub(super) struct Found(pub Vec<String>);

impl Found {
    /// The value, or None with its error recorded.
    pub fn keep<T>(&mut self, result: Result<T>) -> Option<T> {
        result.map_err(|e| self.0.push(format!("{e:#}"))).ok()
    }

    pub fn keep_all<T>(&mut self, result: Result<T, Vec<String>>) -> Option<T> {
        result.map_err(|e| self.0.extend(e)).ok()
    }
}

/// Problems in the order of the file, as an editor goes through them; those without a place
/// (a setting, a source's file) first.
pub fn sort_by_place(problems: &mut [String], path: &Path) {
    problems.sort_by_key(|p| place_of(p, path));
}

/// Where a problem is in the file, read back from its message: each writes its place, as
/// `kpis.toml:L:C:` up front or, for a formula, `(line L, column C)`.
fn place_of(problem: &str, path: &Path) -> (u64, u64) {
    let numbers = |l: &str, c: &str| Some((l.trim().parse().ok()?, c.trim().parse().ok()?));
    let prefixed = problem
        .strip_prefix(&format!("{}:", path.display()))
        .and_then(|rest| {
            let mut parts = rest.splitn(3, ':');
            numbers(parts.next()?, parts.next()?)
        });
    let in_words = || {
        let (_, rest) = problem.rsplit_once("(line ")?;
        let (l, rest) = rest.split_once(", column ")?;
        numbers(l, rest.split_once(')')?.0)
    };
    prefixed.or_else(in_words).unwrap_or((0, 0))
}

/// Leaves out the KPIs whose source was left out, then those using a KPI left out, and so on.
fn without_broken_inputs(mut kpis: Vec<Kpi>, sources: &[Source]) -> Vec<Kpi> {
    loop {
        let ids: HashSet<String> = kpis.iter().map(|k| k.id.clone()).collect();
        let before = kpis.len();
        kpis.retain(|k| match &k.source {
            Some(s) => sources.iter().any(|src| &src.name == s),
            None => k.uses.iter().all(|u| ids.contains(u)),
        });
        if kpis.len() == before {
            return kpis;
        }
    }
}

pub(super) struct Ctx<'a> {
    pub text: &'a str,
    pub path: &'a Path,
    pub dir: &'a Path,
}

impl Ctx<'_> {
    /// "kpis.toml:12:5" of a byte offset in the file.
    pub fn at(&self, offset: usize) -> String {
        place(self.text, self.path, offset)
    }

    fn config(
        &self,
        settings: Settings,
        sources: Vec<Source>,
        kpis: Vec<Kpi>,
        reports: Vec<Report>,
    ) -> Config {
        Config {
            path: self.path.to_path_buf(),
            settings,
            sources,
            kpis,
            reports,
        }
    }

    pub(super) fn relative(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.dir.join(p)
        }
    }

    /// The settings; a wrong one is recorded and replaced by its default.
    fn settings(&self, raw: &RawSettings, found: &mut Found) -> Settings {
        let file = self.path.display();
        let fiscal = match &raw.fiscal_year_start {
            Some(m) if !(1..=12).contains(m.get_ref()) => {
                found.0.push(format!(
                    "{}: fiscal_year_start must be a month number from 1 to 12, not {}",
                    self.at(m.span().start),
                    m.get_ref()
                ));
                1
            }
            Some(m) => *m.get_ref() as u32,
            None => 1,
        };
        let week_start = match raw.week_start {
            Some(RawWeekStart::Sunday) => WeekStart::Sunday,
            _ => WeekStart::Monday,
        };
        let calendar = found
            .keep(Calendar::new(week_start, fiscal).map_err(|e| anyhow!("{file}: {e}")))
            .unwrap_or_default();
        let alert_change = raw.alert_change.filter(|a| {
            let ok = a.is_finite() && *a > 0.0;
            if !ok {
                found.0.push(format!("{file}: settings.alert_change must be a positive share such as 0.20 (20 %), not {a}"));
            }
            ok
        });
        let mut confidence = raw.confidence.unwrap_or(0.95);
        if !(confidence > 0.5 && confidence < 1.0) {
            found.0.push(format!("{file}: settings.confidence must be a level between 0.5 and 1 such as 0.95, not {confidence}"));
            confidence = 0.95;
        }
        let min_sample = raw.min_sample.unwrap_or(30);
        if min_sample < 0 {
            found.0.push(format!(
                "{file}: settings.min_sample must be a number of rows, 0 or more, not {min_sample}"
            ));
        }
        let max_groups = raw.max_groups.unwrap_or(DEFAULT_MAX_GROUPS);
        if max_groups < 1 {
            found.0.push(format!(
                "{file}: settings.max_groups must be a number of groups, 1 or more, not {max_groups}"
            ));
        }
        let max_entities = raw.max_entities.unwrap_or(DEFAULT_MAX_ENTITIES);
        if max_entities < 1 {
            found.0.push(format!(
                "{file}: settings.max_entities must be a number of entities, 1 or more, not {max_entities}"
            ));
        }
        let mut max_invalid = raw.max_invalid.unwrap_or(DEFAULT_MAX_INVALID);
        if !(0.0..=1.0).contains(&max_invalid) {
            found.0.push(format!(
                "{file}: settings.max_invalid must be a share between 0 and 1 such as 0.01 (1 %), not {max_invalid}"
            ));
            max_invalid = DEFAULT_MAX_INVALID;
        }
        let currency = raw
            .currency
            .as_ref()
            .and_then(|code| found.keep(self.currency(code, "settings.currency")));
        let compare = match &raw.compare {
            Some(list) => found
                .keep(self.baselines(list, "settings.compare"))
                .unwrap_or_else(|| vec![Baseline::Previous]),
            None => vec![Baseline::Previous],
        };
        Settings {
            compare,
            currency,
            max_invalid,
            archive: self.relative(raw.archive.as_deref().unwrap_or("kpi-archive")),
            frequency: frequency(raw.frequency.unwrap_or(RawFrequency::Month)),
            calendar,
            alert_change,
            confidence,
            alert_on_noise: raw.alert_on_noise.unwrap_or(false),
            min_sample: min_sample.max(0) as u64,
            max_groups: if max_groups < 1 {
                DEFAULT_MAX_GROUPS as u64
            } else {
                max_groups as u64
            },
            max_entities: max_entities.max(1) as u64,
        }
    }

    /// A `compare` list: one baseline or more, each once.
    pub(super) fn baselines(
        &self,
        list: &Spanned<Vec<String>>,
        key: &str,
    ) -> Result<Vec<Baseline>> {
        let at = self.at(list.span().start);
        if list.get_ref().is_empty() {
            bail!("{at}: {key} lists no baseline: write at least one, such as [\"previous\"]");
        }
        let mut baselines = Vec::new();
        for text in list.get_ref() {
            let baseline = Baseline::parse(text).map_err(|e| anyhow!("{at}: {key}: {e}"))?;
            if baselines.contains(&baseline) {
                bail!("{at}: {key} lists \"{text}\" twice");
            }
            baselines.push(baseline);
        }
        Ok(baselines)
    }

    /// The currency of an ISO 4217 code written at `key`; any other text is an error there.
    pub(super) fn currency(&self, code: &Spanned<String>, key: &str) -> Result<Currency> {
        Currency::from_code(code.get_ref()).ok_or_else(|| {
            anyhow!(
                "{}: {key}: `{}` is not an ISO 4217 currency code: write three letters such as \"EUR\", \"USD\", \"GBP\" or \"CHF\"",
                self.at(code.span().start),
                code.get_ref()
            )
        })
    }

    /// Parses a formula-like string, reporting syntax errors at their place in the file.
    pub(super) fn located(&self, raw: &Spanned<String>, what: &str) -> Result<Located> {
        let text = raw.get_ref().clone();
        let origin = Origin::of(self.text, raw.span());
        match formula::parse(&text) {
            Ok(expr) => Ok(Located { text, expr, origin }),
            Err(err) => bail!("{}: {what}: {}", self.path.display(), origin.describe(&err)),
        }
    }

    /// The KPIs with an id not seen before; a repeated id is a problem at its place.
    fn unique_kpis<'r>(&self, raws: &'r [RawKpi], found: &mut Found) -> Vec<&'r RawKpi> {
        let mut seen = HashSet::new();
        raws.iter()
            .filter(|k| {
                let first = seen.insert(k.id.get_ref().as_str());
                if !first {
                    found.0.push(format!(
                        "{}: KPI id `{}` is used twice: give each KPI its own id",
                        self.at(k.id.span().start),
                        k.id.get_ref()
                    ));
                }
                first
            })
            .collect()
    }

    fn cycle(&self, cycle: &[String], raws: &[&RawKpi]) -> String {
        let at = raws
            .iter()
            .find(|r| Some(r.id.get_ref()) == cycle.first())
            .map_or_else(
                || self.path.display().to_string(),
                |r| self.at(r.formula.span().start),
            );
        format!(
            "{at}: derived KPIs form a cycle: {} (none of them can be computed first)",
            cycle.join(" → ")
        )
    }

    /// Reports, each with the KPIs it lists that exist; an unknown KPI is a problem.
    fn reports(
        &self,
        raws: &[RawReport],
        names: &Names,
        kpis: &[Kpi],
        found: &mut Found,
    ) -> Vec<Report> {
        let mut seen = HashSet::new();
        let mut reports = Vec::new();
        for r in raws {
            let id = r.id.get_ref().clone();
            if !seen.insert(id.clone()) {
                found.0.push(format!(
                    "{}: report id `{id}` is used twice",
                    self.at(r.id.span().start)
                ));
                continue;
            }
            for k in r.kpis.iter().filter(|k| !names.kpis.contains(k.get_ref())) {
                found.0.push(format!(
                    "{}: report `{id}` lists unknown KPI `{}`",
                    self.at(k.span().start),
                    k.get_ref()
                ));
            }
            reports.push(Report {
                title: r.title.clone().unwrap_or_else(|| id.clone()),
                audience: r.audience.clone(),
                description: r.description.clone(),
                kpis: r
                    .kpis
                    .iter()
                    .map(|k| k.get_ref().clone())
                    .filter(|k| kpis.iter().any(|kpi| &kpi.id == k))
                    .collect(),
                frequency: r.frequency.map(frequency),
                dimensions: r.dimensions.as_ref().map(|dims| {
                    dims.iter()
                        .map(|d| {
                            d.split('+')
                                .map(|c| c.trim().to_ascii_lowercase())
                                .collect::<Vec<_>>()
                                .join("+")
                        })
                        .collect()
                }),
                id,
            });
        }
        reports
    }
}

pub(super) fn check_id(id: &str, what: &str) -> std::result::Result<(), String> {
    let ok = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!("{what} `{id}` must be made of a-z, 0-9 and _"))
    }
}

pub(super) fn frequency(f: RawFrequency) -> Frequency {
    match f {
        RawFrequency::Day => Frequency::Day,
        RawFrequency::Week => Frequency::Week,
        RawFrequency::Month => Frequency::Month,
        RawFrequency::Quarter => Frequency::Quarter,
        RawFrequency::Year => Frequency::Year,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_placed_by_either_way_of_writing_a_place() {
        let path = Path::new("conf/kpis.toml");
        for (problem, place) in [
            (
                "conf/kpis.toml:12:5: report `r` lists unknown KPI `x`",
                (12, 5),
            ),
            (
                "conf/kpis.toml: kpi `a`: formula: bad (line 31, column 21)",
                (31, 21),
            ),
            ("conf/kpis.toml: settings.confidence must be …", (0, 0)),
            (
                "conf/kpis.toml:7:1: source `s`: x\n  hint: (line 2, column 3)",
                (7, 1),
            ),
        ] {
            assert_eq!(place_of(problem, path), place, "{problem}");
        }
    }
}
