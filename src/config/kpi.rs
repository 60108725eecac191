//! One `[[kpi]]` → a [`Kpi`]: its keys checked and its formulas parsed, every problem of the
//! entry listed rather than the first alone. Columns and types are checked later, against the
//! source's header (`engine::plan`); a derived KPI's references are checked here.

use super::raw::*;
use super::resolve::{check_id, frequency, Ctx, Found, Names};
use super::scale;
use super::*;
use crate::formula::{self, ConditionScope, FormulaError, KpiScope};
use crate::period::{Baseline, Extent};
use anyhow::{anyhow, bail, Result};
use toml::Spanned;

impl Ctx<'_> {
    /// The currency of a `unit = "currency"` KPI: its own `currency`, else the settings' one.
    /// A `currency` on another unit is refused, as it would be shown nowhere.
    fn kpi_currency(
        &self,
        raw: &RawKpi,
        settings: &Settings,
        id: &str,
    ) -> Result<Option<Currency>> {
        let own = match &raw.currency {
            Some(code) => Some(self.currency(code, &format!("kpi `{id}`: currency"))?),
            None => None,
        };
        match (raw.unit, &raw.currency) {
            (Some(RawUnit::Currency), _) => Ok(own.or(settings.currency)),
            (_, Some(code)) => bail!(
                "{}: kpi `{id}`: currency = \"{}\" is for amounts: add unit = \"currency\", or remove it",
                self.at(code.span().start),
                code.get_ref()
            ),
            (_, None) => Ok(None),
        }
    }

    /// The KPI, or every problem found in its entry.
    pub(super) fn kpi(
        &self,
        raw: &RawKpi,
        raws: &[&RawKpi],
        settings: &Settings,
        names: &Names,
    ) -> Result<Kpi, Vec<String>> {
        let mut found = Found::default();
        let id = raw.id.get_ref().clone();
        found.keep(
            check_id(&id, "KPI id").map_err(|e| anyhow!("{}: {e}", self.at(raw.id.span().start))),
        );
        let what = |key: &str| format!("kpi `{id}`: {key}");
        let source = found.keep(self.kpi_source(raw, &id, names));
        let formula = found.keep(self.located(&raw.formula, &what("formula")));
        let filter = found.keep(
            raw.filter
                .as_ref()
                .map(|f| self.located(f, &what("filter")))
                .transpose(),
        );
        let dimensions = found.keep(self.dimensions(&raw.dimensions, &id));
        let target = found.keep(self.target(raw, &id));
        let currency = found.keep(self.kpi_currency(raw, settings, &id));
        let unit = unit(raw.unit, currency.flatten());
        let compare = match &raw.compare {
            Some(list) => found.keep(self.baselines(list, &what("compare"))),
            None => Some(settings.compare.clone()),
        };
        let extent = found.keep(self.extent(raw, &id, settings));
        let top = found.keep(self.top(raw, &id));
        let compared: Vec<String> = compare.iter().flatten().map(Baseline::name).collect();
        let mut scope = ConditionScope::new(compared, |b| Baseline::parse(b).is_ok());
        let warn = found.keep(self.condition(&raw.warn, &what("warn"), unit, &mut scope));
        let fail = found.keep(self.condition(&raw.fail, &what("fail"), unit, &mut scope));
        if let Some(compare) = &compare {
            found.keep(ambiguous_previous(raw, &id, compare, &scope).map_err(|e| {
                let at = raw
                    .warn
                    .as_ref()
                    .or(raw.fail.as_ref())
                    .map(|c| c.span().start);
                anyhow!("{}: {e}", self.at(at.unwrap_or(0)))
            }));
        }
        let condition_baselines: Vec<Baseline> = scope
            .used
            .iter()
            .filter_map(|b| Baseline::parse(b).ok())
            .collect();
        let (
            Some(_),
            Some(source),
            Some(formula),
            Some(filter),
            Some(dimensions),
            Some(target),
            Some(warn),
            Some(fail),
            Some(compare),
            Some(extent),
            Some(top),
        ) = (
            currency, source, formula, filter, dimensions, target, warn, fail, compare, extent, top,
        )
        else {
            return Err(found.0);
        };
        // Checks that give no value (the id, an ambiguous `previous`) leave only their error.
        if !found.0.is_empty() {
            return Err(found.0);
        }
        let mut kpi = Kpi {
            name: raw.name.clone().unwrap_or_else(|| id.clone()),
            description: raw.description.clone(),
            action: raw.action.clone(),
            owner: raw.owner.clone(),
            time: raw.time.as_ref().map(|t| t.get_ref().clone()),
            frequency: raw.frequency.map(frequency).unwrap_or(settings.frequency),
            formula,
            filter,
            dimensions,
            unit,
            direction: direction(raw.direction),
            target,
            target_file: None,
            warn,
            fail,
            compare,
            condition_baselines,
            extent,
            top,
            warn_text: raw.warn.as_ref().map(|w| w.get_ref().trim().to_string()),
            fail_text: raw.fail.as_ref().map(|f| f.get_ref().trim().to_string()),
            uses: Vec::new(),
            derived: None,
            fingerprint: String::new(),
            id,
            source,
        };
        if kpi.source.is_none() {
            self.compile_derived(raw, raws, &mut kpi, names, settings.frequency)
                .map_err(|e| vec![format!("{e:#}")])?;
        }
        Ok(kpi)
    }

    /// The KPI's source, which must be defined; a derived KPI (no source) takes no time or
    /// filter.
    fn kpi_source(&self, raw: &RawKpi, id: &str, names: &Names) -> Result<Option<String>> {
        match &raw.source {
            Some(s) if !names.sources.contains(s.get_ref()) => bail!(
                "{}: kpi `{id}`: source: unknown source `{}` (sources: {})",
                self.at(s.span().start),
                s.get_ref(),
                names.sources.join(", ")
            ),
            Some(s) => Ok(Some(s.get_ref().clone())),
            None => {
                for (key, value) in [("time", &raw.time), ("filter", &raw.filter)] {
                    if let Some(value) = value {
                        bail!(
                            "{}: kpi `{id}`: {key}: a KPI without `source` is derived from other KPIs and takes no `{key}`",
                            self.at(value.span().start)
                        );
                    }
                }
                Ok(None)
            }
        }
    }

    /// `top = N`: a whole number of groups, on a KPI with a source and a breakdown. A derived
    /// KPI cannot have one: its `(other)` would need its inputs over the same groups.
    fn top(&self, raw: &RawKpi, id: &str) -> Result<Option<usize>> {
        let Some(top) = &raw.top else { return Ok(None) };
        let at = self.at(top.span().start);
        let n = *top.get_ref();
        if n < 1 {
            bail!("{at}: kpi `{id}`: top = {n}: the number of groups to keep is at least 1");
        }
        if raw.source.is_none() {
            bail!("{at}: kpi `{id}`: top: a derived KPI cannot keep its top groups: its `(other)` group would need its inputs computed over those same groups; remove `top` (a derived KPI shows every group)");
        }
        if raw.dimensions.is_empty() {
            bail!("{at}: kpi `{id}`: top = {n}: the KPI has no `dimensions` to keep the top groups of");
        }
        Ok(usize::try_from(n).ok())
    }

    /// A `warn` or `fail` condition, where `60 %` is a percent; on a percent KPI, a constant
    /// in points compared with a level is an error (see `scale.rs`).
    fn condition(
        &self,
        raw: &Option<Spanned<String>>,
        what: &str,
        unit: Unit,
        scope: &mut ConditionScope,
    ) -> Result<Option<Node>> {
        let Some(raw) = raw else { return Ok(None) };
        let origin = Origin::of(self.text, raw.span());
        let error =
            |e: FormulaError| anyhow!("{}: {what}: {}", self.path.display(), origin.describe(&e));
        let (expr, percents) = formula::parse_condition(raw.get_ref()).map_err(error)?;
        let node = formula::compile_condition(&expr, scope).map_err(error)?;
        if let Some(misfit) = scale::condition(&expr, &percents).filter(|_| unit == Unit::Percent) {
            let message = format!(
                "`{}` compares {} with {} on a percent KPI, whose values are fractions",
                raw.get_ref().trim(),
                misfit.level,
                misfit.constant
            );
            bail!(
                "{}\n  hint: {}, or write the sign: `{} %`",
                error(FormulaError::new(message, misfit.pos)),
                scale::hint(misfit.constant),
                misfit.constant
            );
        }
        Ok(Some(node))
    }

    /// `window` or `to_date` (not both), on a KPI with a time column.
    fn extent(&self, raw: &RawKpi, id: &str, settings: &Settings) -> Result<Extent> {
        let frequency = raw.frequency.map(frequency).unwrap_or(settings.frequency);
        let (key, text) = match (&raw.window, &raw.to_date) {
            (None, None) => return Ok(Extent::Period),
            (Some(_), Some(to_date)) => bail!(
                "{}: kpi `{id}`: window and to_date exclude each other: a value is either a trailing window or cumulative from a period's start",
                self.at(to_date.span().start)
            ),
            (Some(window), None) => ("window", window),
            (None, Some(to_date)) => ("to_date", to_date),
        };
        let at = self.at(text.span().start);
        if raw.source.is_none() {
            bail!("{at}: kpi `{id}`: {key}: a derived KPI takes no `{key}`: it combines its inputs' values, so set `{key}` on them");
        }
        if raw.time.is_none() {
            bail!("{at}: kpi `{id}`: {key}: a KPI without `time` is a snapshot of the source, with no period to reach back from: add `time`, or remove `{key}`");
        }
        let parsed = match key {
            "window" => Extent::parse_window(text.get_ref(), frequency),
            _ => Extent::parse_to_date(text.get_ref(), frequency),
        };
        parsed.map_err(|e| anyhow!("{at}: kpi `{id}`: {key}: {e}"))
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
        let Some(spanned) = &raw.target else {
            return Ok(None);
        };
        let t = spanned.get_ref();
        let value = match (&t.value, &t.file) {
            (Some(value), None) => value,
            // Read once all KPIs are known (`target_file.rs`): the rows name their KPI.
            (None, Some(_)) if t.by.is_none() => return Ok(None),
            (None, Some(file)) => bail!(
                "{}: kpi `{id}`: target.by does not go with target.file: the period of each row is its deadline",
                self.at(file.span().start)
            ),
            _ => bail!(
                "{}: kpi `{id}`: target needs either value (target = {{ value = …, by = \"YYYY-MM-DD\" }}) or file (target = {{ file = \"targets.csv\" }})",
                self.at(spanned.span().start)
            ),
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
        let at = self.at(value.span().start);
        let value = *value.get_ref();
        if !value.is_finite() {
            bail!("{at}: kpi `{id}`: target.value must be a number");
        }
        if matches!(raw.unit, Some(RawUnit::Percent)) && value.abs() > 1.0 {
            bail!(
                "{at}: kpi `{id}`: target.value {value} is above 1 on a percent KPI, whose values are fractions\n  hint: {}",
                scale::hint(value)
            );
        }
        Ok(Some(Target { value, by }))
    }

    /// A derived KPI's formula over other KPIs (any in the file, readable or not: one left
    /// out for its own problem leaves this one out later, quietly).
    fn compile_derived(
        &self,
        raw: &RawKpi,
        raws: &[&RawKpi],
        kpi: &mut Kpi,
        names: &Names,
        settings_frequency: Frequency,
    ) -> Result<()> {
        let mut scope = KpiScope {
            known: &names.kpis,
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
            bail!(
                "{}: kpi `{}` has neither `source` nor KPI ids in its formula: give it a source",
                self.at(raw.formula.span().start),
                kpi.id
            );
        }
        kpi.derived = Some(node);
        kpi.uses = scope.used;
        // A derived value combines values of one period: its inputs must share a frequency.
        let frequencies: Vec<Frequency> = kpi
            .uses
            .iter()
            .filter_map(|u| raws.iter().find(|r| r.id.get_ref() == u))
            .map(|r| r.frequency.map(frequency).unwrap_or(settings_frequency))
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
        Ok(())
    }
}

/// `previous` in a condition is the first baseline's value; when `compare` lists the baseline
/// `previous` after another, a reader would take it for that one: refused, with the names to
/// write instead.
fn ambiguous_previous(
    raw: &RawKpi,
    id: &str,
    compare: &[Baseline],
    scope: &ConditionScope,
) -> Result<()> {
    let later = compare.iter().skip(1).any(|b| *b == Baseline::Previous);
    if !(later && scope.names_previous) {
        return Ok(());
    }
    let key = if raw
        .warn
        .as_ref()
        .is_some_and(|w| names_previous(w.get_ref()))
    {
        "warn"
    } else {
        "fail"
    };
    let first = compare[0].name();
    bail!(
        "kpi `{id}`: {key}: `previous` is the first baseline's value ({first}), while compare also lists the baseline previous: write `{first}` for the one, `previous_delta` or `previous_delta_pct` for the other"
    )
}

/// Whether a condition's text names `previous` on its own (not `previous_delta`).
fn names_previous(text: &str) -> bool {
    text.to_ascii_lowercase()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|word| word == "previous")
}

fn unit(u: Option<RawUnit>, currency: Option<Currency>) -> Unit {
    match u {
        None | Some(RawUnit::Number) => Unit::Number,
        Some(RawUnit::Percent) => Unit::Percent,
        Some(RawUnit::Currency) => Unit::Currency(currency),
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
