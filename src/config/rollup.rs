//! Sources built from other sources: a rollup's `rollup`, `by` and `columns`, and the order
//! sources are read in (a rollup after its input, a lookup's source before the source using it).

use super::raw::{RawColumns, RawSource};
use super::resolve::Ctx;
use super::{Rollup, Source};
use anyhow::{bail, Result};
use std::collections::BTreeMap;

/// The keys of reading files, which a rollup (built from rows already read) has not.
const FILE_KEYS: [&str; 8] = [
    "delimiter",
    "decimal",
    "encoding",
    "sheet",
    "date_format",
    "null_values",
    "key",
    "table",
];

impl Ctx<'_> {
    /// `rollup`, `by` and `columns` of a source; None for a source read from files.
    pub(super) fn rollup(&self, name: &str, raw: &RawSource) -> Result<Option<Rollup>> {
        let Some(input) = &raw.rollup else {
            if let Some(by) = &raw.by {
                bail!(
                    "{}: source `{name}`: `by` is a rollup's entity key: set `rollup` to the \
                     source it is built from",
                    self.at(by.span().start)
                );
            }
            return Ok(None);
        };
        let at = self.at(input.span().start);
        if input.get_ref() == name {
            bail!("{at}: source `{name}`: a rollup cannot be built from itself");
        }
        if let Some(key) = file_keys_set(raw).first() {
            bail!(
                "{at}: source `{name}`: `{key}` does not apply to a rollup, whose rows are \
                 built from source `{}`: set it there, or remove it",
                input.get_ref()
            );
        }
        let by = match raw.by.as_ref().map(|b| b.get_ref()) {
            Some(RawColumns::One(one)) => vec![one.clone()],
            Some(RawColumns::Many(many)) => many.clone(),
            None => vec![],
        };
        if by.is_empty() || by.iter().any(|c| c.trim().is_empty()) {
            bail!(
                "{at}: source `{name}`: a rollup needs `by`, the column (or list of columns) of \
                 `{}` that names an entity, such as by = \"ticket_id\"",
                input.get_ref()
            );
        }
        let mut columns = Vec::new();
        for (column, text) in raw.columns.iter().flatten() {
            let what = format!("source `{name}`: column `{column}`");
            if by.iter().any(|b| b.eq_ignore_ascii_case(column)) {
                bail!(
                    "{}: {what} has the name of a `by` column, which the rollup has already",
                    self.at(text.span().start)
                );
            }
            columns.push((column.clone(), self.located(text, &what)?));
        }
        if columns.is_empty() {
            bail!(
                "{at}: source `{name}`: a rollup needs `columns`, each an aggregate over an \
                 entity's rows, such as columns = {{ opened_at = \"min(event_time)\" }}"
            );
        }
        Ok(Some(Rollup {
            input: input.get_ref().clone(),
            by,
            columns,
        }))
    }
}

fn file_keys_set(raw: &RawSource) -> Vec<&'static str> {
    let set = [
        raw.delimiter.is_some(),
        raw.decimal.is_some(),
        raw.encoding.is_some(),
        raw.sheet.is_some(),
        raw.date_format.is_some(),
        raw.null_values.is_some(),
        raw.key.is_some(),
        raw.table.is_some(),
    ];
    FILE_KEYS
        .into_iter()
        .zip(set)
        .filter_map(|(key, set)| set.then_some(key))
        .collect()
}

/// Orders the sources so that a rollup comes after its input, and leaves out (with a problem
/// each) a source naming an unknown source, or a rollup built from itself through others. A
/// lookup from a source may lead back (orders looking up their customers' rollup): the source
/// is read without that lookup when it is the rollup's input. `broken`: sources of the
/// file that could not be read, whose problem is already listed.
pub(super) fn order_sources(
    sources: Vec<Source>,
    raws: &BTreeMap<String, RawSource>,
    broken: &[String],
    ctx: &Ctx,
) -> (Vec<Source>, Vec<String>) {
    let mut problems = Vec::new();
    let place = |name: &str| ctx.at(raws.get(name).map_or(0, |r| r.place));
    let mut pending: Vec<Source> = Vec::new();
    for source in sources {
        let unknown = source
            .depends_on()
            .into_iter()
            .find(|d| !raws.contains_key(*d));
        match unknown {
            Some(d) if !broken.iter().any(|b| b == d) => problems.push(format!(
                "{}: source `{}` reads rows of source `{d}`, which the file does not define \
                 (sources: {})",
                place(&source.name),
                source.name,
                raws.keys().cloned().collect::<Vec<_>>().join(", ")
            )),
            Some(_) => {}
            None => pending.push(source),
        }
    }
    let mut ordered: Vec<Source> = Vec::new();
    loop {
        let ready = pending.iter().position(|s| {
            s.rollup
                .iter()
                .all(|r| ordered.iter().any(|o| o.name == r.input))
        });
        match ready {
            Some(i) => ordered.push(pending.remove(i)),
            None => break,
        }
    }
    // What is left waits on a source that was left out, or on itself through others.
    let known: Vec<&str> = pending.iter().map(|s| s.name.as_str()).collect();
    for source in &pending {
        if source
            .rollup
            .iter()
            .all(|r| known.contains(&r.input.as_str()))
        {
            problems.push(format!(
                "{}: source `{}` is built from sources that are built from it (a cycle: {})",
                place(&source.name),
                source.name,
                known.join(", ")
            ));
        }
    }
    (ordered, problems)
}

/// What a source's rows are made of beyond its files, canonical: its computed columns, its
/// rollup (input, `by`, columns) and its lookups from sources, and so on for the sources they
/// read (`seen` stops a loop). Empty for a plain source.
pub(super) fn definition(name: &str, sources: &[Source], seen: &mut Vec<String>) -> String {
    let Some(source) = sources.iter().find(|s| s.name == name) else {
        return String::new();
    };
    if seen.iter().any(|s| s == name) {
        return String::new();
    }
    seen.push(name.to_string());
    let canonical = |l: &super::Located| crate::formula::canonical(&l.text);
    let mut out = String::new();
    for (column, located) in &source.computed {
        out.push_str(&format!("computed:{column}={};", canonical(located)));
    }
    if let Some(rollup) = &source.rollup {
        out.push_str(&format!(
            "rollup:{}:by={};",
            rollup.input,
            rollup.by.join("+")
        ));
        for (column, located) in &rollup.columns {
            out.push_str(&format!("{column}={};", canonical(located)));
        }
        if let Some(filter) = sources
            .iter()
            .find(|s| s.name == rollup.input)
            .and_then(|s| s.filter.as_ref())
        {
            out.push_str(&format!("input_filter={};", canonical(filter)));
        }
        out.push_str(&format!("[{}]", definition(&rollup.input, sources, seen)));
    }
    for lookup in &source.lookups {
        if let Some(from) = &lookup.source {
            out.push_str(&format!(
                "lookup:{}:{from}:on={}:{};[{}]",
                lookup.name,
                lookup.on,
                lookup.columns.join(","),
                definition(from, sources, seen)
            ));
        }
    }
    out
}
