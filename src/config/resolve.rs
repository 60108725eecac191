//! Raw TOML → [`Config`]: every key checked, formulas parsed, derived KPIs ordered.
//!
//! Errors name the KPI, source or report and the line and column in the file.

use super::raw::*;
use super::*;
use crate::formula::{self, KpiScope};
use crate::period::WeekStart;
use anyhow::{anyhow, bail, Result};
use std::collections::HashSet;
use toml::Spanned;

const DEFAULT_NULLS: [&str; 3] = ["", "NULL", "N/A"];

pub fn resolve(text: &str, path: &Path, dir: &Path) -> Result<Config> {
    let raw: RawConfig =
        toml::from_str(text).map_err(|e| anyhow!("{}", e.to_string().trim_end()))?;
    let ctx = Ctx { text, path, dir };
    let settings = ctx.settings(&raw.settings)?;
    let sources = raw
        .sources
        .iter()
        .map(|(name, s)| ctx.source(name, s))
        .collect::<Result<Vec<_>>>()?;
    let mut kpis = raw
        .kpis
        .iter()
        .map(|k| ctx.kpi(k, &settings, &sources))
        .collect::<Result<Vec<_>>>()?;
    check_unique_ids(&raw.kpis)?;
    ctx.compile_derived(&raw.kpis, &mut kpis, settings.frequency)?;
    let kpis = order_by_dependencies(kpis)?;
    let reports = ctx.reports(&raw.reports, &kpis)?;
    Ok(Config {
        path: path.to_path_buf(),
        settings,
        sources,
        kpis,
        reports,
    })
}

struct Ctx<'a> {
    text: &'a str,
    path: &'a Path,
    dir: &'a Path,
}

impl Ctx<'_> {
    /// "line 12, column 5" of a byte offset in the file.
    fn at(&self, offset: usize) -> String {
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{}:{line}:{column}", self.path.display())
    }

    fn relative(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.dir.join(p)
        }
    }

    fn settings(&self, raw: &RawSettings) -> Result<Settings> {
        let fiscal = match &raw.fiscal_year_start {
            Some(m) if !(1..=12).contains(m.get_ref()) => {
                bail!(
                    "{}: fiscal_year_start must be a month number from 1 to 12, not {}",
                    self.at(m.span().start),
                    m.get_ref()
                )
            }
            Some(m) => *m.get_ref() as u32,
            None => 1,
        };
        let week_start = match raw.week_start {
            Some(RawWeekStart::Sunday) => WeekStart::Sunday,
            _ => WeekStart::Monday,
        };
        let calendar = Calendar::new(week_start, fiscal).map_err(|e| anyhow!("{e}"))?;
        if let Some(a) = raw.alert_change {
            if !(a.is_finite() && a > 0.0) {
                bail!(
                    "settings.alert_change must be a positive share such as 0.20 (20 %), not {a}"
                );
            }
        }
        let confidence = raw.confidence.unwrap_or(0.95);
        if !(confidence > 0.5 && confidence < 1.0) {
            bail!("settings.confidence must be a level between 0.5 and 1 such as 0.95, not {confidence}");
        }
        let min_sample = raw.min_sample.unwrap_or(30);
        if min_sample < 0 {
            bail!("settings.min_sample must be a number of rows, 0 or more, not {min_sample}");
        }
        Ok(Settings {
            archive: self.relative(raw.archive.as_deref().unwrap_or("kpi-archive")),
            frequency: frequency(raw.frequency.unwrap_or(RawFrequency::Month)),
            calendar,
            alert_change: raw.alert_change,
            confidence,
            alert_on_noise: raw.alert_on_noise.unwrap_or(false),
            min_sample: min_sample as u64,
        })
    }

    fn delimiter(&self, raw: &Option<Spanned<String>>) -> Result<Option<u8>> {
        let Some(d) = raw else { return Ok(None) };
        Ok(match d.get_ref().as_str() {
            "auto" => None,
            "," => Some(b','),
            ";" => Some(b';'),
            "\t" | "tab" | "\\t" => Some(b'\t'),
            "|" => Some(b'|'),
            other => bail!(
                "{}: delimiter must be \"auto\", \",\", \";\", \"\\t\" or \"|\", not {other:?}",
                self.at(d.span().start)
            ),
        })
    }

    fn source(&self, name: &str, raw: &RawSource) -> Result<Source> {
        check_id(name, "source name").map_err(|e| anyhow!("{}: {e}", self.path.display()))?;
        let decimal = match raw.decimal.as_ref().map(|d| d.get_ref().as_str()) {
            None | Some(".") => b'.',
            Some(",") => b',',
            Some(other) => bail!(
                "{}: source `{name}`: decimal must be \".\" or \",\", not {other:?}",
                self.at(raw.decimal.as_ref().map_or(0, |d| d.span().start))
            ),
        };
        let mut columns = Vec::new();
        for (column, ty) in raw.columns.iter().flatten() {
            let Some(t) = DataType::from_name(ty.get_ref()) else {
                bail!(
                    "{}: source `{name}`: column `{column}` has unknown type {:?} (use string, number, date, datetime or bool)",
                    self.at(ty.span().start),
                    ty.get_ref()
                );
            };
            columns.push((column.clone(), t));
        }
        let filter = match &raw.filter {
            Some(f) => Some(self.located(f, &format!("source `{name}`: filter"))?),
            None => None,
        };
        let lookups = raw
            .lookup
            .iter()
            .flatten()
            .map(|(lname, l)| self.lookup(name, lname, l))
            .collect::<Result<Vec<_>>>()?;
        Ok(Source {
            name: name.to_string(),
            path: self.relative(raw.path.get_ref()),
            delimiter: self.delimiter(&raw.delimiter)?,
            decimal,
            encoding: encoding(raw.encoding),
            date_format: raw.date_format.clone().filter(|f| f != "auto"),
            null_values: raw
                .null_values
                .clone()
                .unwrap_or_else(|| DEFAULT_NULLS.iter().map(|s| s.to_string()).collect()),
            key: raw.key.clone(),
            filter,
            columns,
            table: raw.table.clone(),
            lookups,
        })
    }

    fn lookup(&self, source: &str, name: &str, raw: &RawLookup) -> Result<Lookup> {
        if raw.columns.is_empty() {
            bail!(
                "{}: lookup `{name}` of source `{source}` adds no columns: list them in `columns`",
                self.at(raw.path.span().start)
            );
        }
        Ok(Lookup {
            name: name.to_string(),
            path: self.relative(raw.path.get_ref()),
            on: raw.on.clone(),
            columns: raw.columns.clone(),
            delimiter: self.delimiter(&raw.delimiter)?,
            encoding: encoding(raw.encoding),
        })
    }

    /// Parses a formula-like string, reporting syntax errors at their place in the file.
    fn located(&self, raw: &Spanned<String>, what: &str) -> Result<Located> {
        let text = raw.get_ref().clone();
        let origin = Origin::of(self.text, raw.span());
        match formula::parse(&text) {
            Ok(expr) => Ok(Located { text, expr, origin }),
            Err(err) => bail!("{}: {what}: {}", self.path.display(), origin.describe(&err)),
        }
    }

    fn kpi(&self, raw: &RawKpi, settings: &Settings, sources: &[Source]) -> Result<Kpi> {
        let id = raw.id.get_ref().clone();
        check_id(&id, "KPI id").map_err(|e| anyhow!("{}: {e}", self.at(raw.id.span().start)))?;
        let what = |key: &str| format!("kpi `{id}`: {key}");
        let source = match &raw.source {
            Some(s) if !sources.iter().any(|src| &src.name == s.get_ref()) => {
                let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
                bail!(
                    "{}: {}: unknown source `{}` (sources: {})",
                    self.at(s.span().start),
                    what("source"),
                    s.get_ref(),
                    names.join(", ")
                )
            }
            Some(s) => Some(s.get_ref().clone()),
            None => None,
        };
        if source.is_none() {
            for (key, present) in [
                ("time", raw.time.is_some()),
                ("filter", raw.filter.is_some()),
            ] {
                if present {
                    bail!("{}: {}: a KPI without `source` is derived from other KPIs and takes no `{key}`", self.path.display(), what(key));
                }
            }
        }
        let conditions = |c: &Option<Spanned<String>>, key: &str| -> Result<Option<Node>> {
            let Some(c) = c else { return Ok(None) };
            let located = self.located(c, &what(key))?;
            formula::compile_condition(&located.expr)
                .map(Some)
                .map_err(|e| {
                    anyhow!(
                        "{}: {}: {}",
                        self.path.display(),
                        what(key),
                        located.describe(&e)
                    )
                })
        };
        let kpi = Kpi {
            name: raw.name.clone().unwrap_or_else(|| id.clone()),
            description: raw.description.clone(),
            action: raw.action.clone(),
            owner: raw.owner.clone(),
            time: raw.time.as_ref().map(|t| t.get_ref().clone()),
            frequency: raw.frequency.map(frequency).unwrap_or(settings.frequency),
            formula: self.located(&raw.formula, &what("formula"))?,
            filter: raw
                .filter
                .as_ref()
                .map(|f| self.located(f, &what("filter")))
                .transpose()?,
            dimensions: self.dimensions(&raw.dimensions, &id)?,
            unit: unit(raw.unit),
            direction: direction(raw.direction),
            target: self.target(raw, &id)?,
            warn: conditions(&raw.warn, "warn")?,
            fail: conditions(&raw.fail, "fail")?,
            warn_text: raw.warn.as_ref().map(|w| w.get_ref().trim().to_string()),
            fail_text: raw.fail.as_ref().map(|f| f.get_ref().trim().to_string()),
            uses: Vec::new(),
            derived: None,
            fingerprint: String::new(),
            id,
            source,
        };
        Ok(kpi)
    }

    fn dimensions(&self, raw: &[Spanned<String>], id: &str) -> Result<Vec<Vec<String>>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        for d in raw {
            let parts: Vec<String> = d
                .get_ref()
                .split('+')
                .map(|p| p.trim().to_string())
                .collect();
            if parts.iter().any(String::is_empty) || parts.len() > 4 {
                bail!(
                    "{}: kpi `{id}`: dimension {:?} must be one to four column names joined by `+`",
                    self.at(d.span().start),
                    d.get_ref()
                );
            }
            if !out.contains(&parts) {
                out.push(parts);
            }
        }
        Ok(out)
    }

    fn target(&self, raw: &RawKpi, id: &str) -> Result<Option<Target>> {
        let Some(t) = &raw.target else {
            return Ok(None);
        };
        let by = match &t.by {
            None => None,
            Some(by) => {
                let text = match by.get_ref() {
                    RawDate::Text(s) => s.clone(),
                    RawDate::Toml(d) => d.to_string(),
                };
                Some(NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
                    anyhow!("{}: kpi `{id}`: target.by must be a date such as \"2026-12-31\", not {text:?}", self.at(by.span().start))
                })?)
            }
        };
        if !t.value.is_finite() {
            bail!(
                "{}: kpi `{id}`: target.value must be a number",
                self.path.display()
            );
        }
        Ok(Some(Target { value: t.value, by }))
    }

    fn compile_derived(
        &self,
        raws: &[RawKpi],
        kpis: &mut [Kpi],
        settings_frequency: Frequency,
    ) -> Result<()> {
        let known: Vec<String> = kpis.iter().map(|k| k.id.clone()).collect();
        for (raw, kpi) in raws.iter().zip(kpis.iter_mut()) {
            if kpi.source.is_some() {
                continue;
            }
            let mut scope = KpiScope {
                known: &known,
                used: Vec::new(),
            };
            let node = formula::compile_derived(&kpi.formula.expr, &mut scope).map_err(|e| {
                anyhow!(
                    "{}: kpi `{}`: formula: {}",
                    self.path.display(),
                    kpi.id,
                    kpi.formula.describe(&e)
                )
            })?;
            if scope.used.is_empty() {
                bail!("{}: kpi `{}` has neither `source` nor KPI ids in its formula: give it a source", self.at(raw.formula.span().start), kpi.id);
            }
            kpi.derived = Some(node);
            kpi.uses = scope.used;
            // A derived value combines values of one period: its inputs must share a frequency.
            let frequencies: Vec<Frequency> = kpi
                .uses
                .iter()
                .filter_map(|u| raws.iter().position(|r| r.id.get_ref() == u))
                .map(|i| {
                    raws[i]
                        .frequency
                        .map(frequency)
                        .unwrap_or(settings_frequency)
                })
                .collect();
            if let Some(first) = frequencies.first() {
                if frequencies.iter().any(|f| f != first)
                    || raw.frequency.is_some_and(|f| frequency(f) != *first)
                {
                    bail!(
                        "{}: kpi `{}` combines KPIs of different frequencies ({}): a derived KPI needs one frequency",
                        self.at(raw.formula.span().start),
                        kpi.id,
                        kpi.uses.join(", ")
                    );
                }
                kpi.frequency = *first;
            }
        }
        Ok(())
    }

    fn reports(&self, raws: &[RawReport], kpis: &[Kpi]) -> Result<Vec<Report>> {
        let mut seen = HashSet::new();
        raws.iter()
            .map(|r| {
                let id = r.id.get_ref().clone();
                if !seen.insert(id.clone()) {
                    bail!(
                        "{}: report id `{id}` is used twice",
                        self.at(r.id.span().start)
                    );
                }
                for k in &r.kpis {
                    if !kpis.iter().any(|kpi| &kpi.id == k.get_ref()) {
                        bail!(
                            "{}: report `{id}` lists unknown KPI `{}`",
                            self.at(k.span().start),
                            k.get_ref()
                        );
                    }
                }
                Ok(Report {
                    title: r.title.clone().unwrap_or_else(|| id.clone()),
                    audience: r.audience.clone(),
                    description: r.description.clone(),
                    kpis: r.kpis.iter().map(|k| k.get_ref().clone()).collect(),
                    id,
                })
            })
            .collect()
    }
}

fn check_id(id: &str, what: &str) -> std::result::Result<(), String> {
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

fn check_unique_ids(raws: &[RawKpi]) -> Result<()> {
    let mut seen = HashSet::new();
    for k in raws {
        if !seen.insert(k.id.get_ref().as_str()) {
            bail!("KPI id `{}` is used twice", k.id.get_ref());
        }
    }
    Ok(())
}

/// Orders KPIs so that each derived KPI follows the KPIs it uses; a cycle is an error naming it.
fn order_by_dependencies(kpis: Vec<Kpi>) -> Result<Vec<Kpi>> {
    let index = |id: &str| kpis.iter().position(|k| k.id == id);
    let mut state = vec![0u8; kpis.len()]; // 0 new, 1 in progress, 2 done
    let mut order = Vec::with_capacity(kpis.len());
    fn visit(
        i: usize,
        kpis: &[Kpi],
        state: &mut [u8],
        order: &mut Vec<usize>,
        path: &mut Vec<String>,
        index: &dyn Fn(&str) -> Option<usize>,
    ) -> Result<()> {
        match state[i] {
            2 => return Ok(()),
            1 => {
                path.push(kpis[i].id.clone());
                let start = path.iter().position(|p| *p == kpis[i].id).unwrap_or(0);
                bail!("derived KPIs form a cycle: {}", path[start..].join(" → "));
            }
            _ => {}
        }
        state[i] = 1;
        path.push(kpis[i].id.clone());
        for used in &kpis[i].uses {
            if let Some(j) = index(used) {
                visit(j, kpis, state, order, path, index)?;
            }
        }
        path.pop();
        state[i] = 2;
        order.push(i);
        Ok(())
    }
    for i in 0..kpis.len() {
        visit(i, &kpis, &mut state, &mut order, &mut Vec::new(), &index)?;
    }
    let mut slots: Vec<Option<Kpi>> = kpis.into_iter().map(Some).collect();
    let mut ordered: Vec<Kpi> = order.into_iter().filter_map(|i| slots[i].take()).collect();
    fingerprints(&mut ordered);
    Ok(ordered)
}

/// A KPI's fingerprint covers what shapes its value: formula, filter, time, frequency, source
/// and, for a derived KPI, the fingerprints of the KPIs it uses. FNV-1a: stable across builds.
fn fingerprints(kpis: &mut [Kpi]) {
    for i in 0..kpis.len() {
        let k = &kpis[i];
        let mut canon = format!(
            "formula={}|filter={}|time={}|frequency={}|source={}",
            normalise(&k.formula.text),
            k.filter
                .as_ref()
                .map_or(String::new(), |f| normalise(&f.text)),
            k.time.as_deref().unwrap_or(""),
            k.frequency.name(),
            k.source.as_deref().unwrap_or(""),
        );
        for used in &k.uses {
            if let Some(u) = kpis[..i].iter().find(|u| &u.id == used) {
                canon.push_str(&format!("|{}={}", u.id, u.fingerprint));
            }
        }
        kpis[i].fingerprint = format!("{:016x}", fnv1a(canon.as_bytes()));
    }
}

/// Spacing, comments and keyword case do not change a formula's meaning, so they do not
/// change the fingerprint.
fn normalise(text: &str) -> String {
    crate::formula::canonical(text)
}

pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

fn frequency(f: RawFrequency) -> Frequency {
    match f {
        RawFrequency::Day => Frequency::Day,
        RawFrequency::Week => Frequency::Week,
        RawFrequency::Month => Frequency::Month,
        RawFrequency::Quarter => Frequency::Quarter,
        RawFrequency::Year => Frequency::Year,
    }
}

fn encoding(e: Option<RawEncoding>) -> Encoding {
    match e {
        None | Some(RawEncoding::Utf8) => Encoding::Utf8,
        Some(RawEncoding::Windows1252) => Encoding::Windows1252,
        Some(RawEncoding::Latin1) => Encoding::Latin1,
    }
}

fn unit(u: Option<RawUnit>) -> Unit {
    match u {
        None | Some(RawUnit::Number) => Unit::Number,
        Some(RawUnit::Percent) => Unit::Percent,
        Some(RawUnit::Currency) => Unit::Currency,
        Some(RawUnit::Days) => Unit::Days,
        Some(RawUnit::Hours) => Unit::Hours,
    }
}

fn direction(d: Option<RawDirection>) -> Direction {
    match d {
        None | Some(RawDirection::Up) => Direction::Up,
        Some(RawDirection::Down) => Direction::Down,
        Some(RawDirection::None) => Direction::None,
    }
}
