//! Reads `kpis.toml` item by item — the settings, each source, each KPI, each report — into the
//! `raw` structs, so that a typo in one item (an unknown key, a value of the wrong type) is
//! reported together with the typos in the others, not alone. Resolving is `resolve.rs`'s job.

use super::raw::{RawConfig, RawReport, RawSettings, RawSource};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

/// The items that could be read, the problems of those that could not, and the names of the
/// latter: a reference to a broken item is not a problem of its own.
pub(super) struct Document {
    pub raw: RawConfig,
    pub problems: Vec<String>,
    /// Ids of `[[kpi]]` entries that could not be read (when they have a readable id).
    pub broken_kpis: Vec<String>,
    pub broken_sources: Vec<String>,
}

/// "kpis.toml:12:5" for a byte offset in the file: the place an editor jumps to.
pub(super) fn place(text: &str, path: &Path, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{}:{line}:{column}", path.display())
}

/// Reads every item it can. A TOML syntax error stops everything (the parser cannot go on),
/// and is the one problem returned then.
pub(super) fn read(text: &str, path: &Path) -> Result<Document, String> {
    let root = DeTable::parse(text).map_err(|e| syntax_error(&e, text, path))?;
    let mut reader = Reader {
        text,
        path,
        doc: Document {
            raw: RawConfig {
                settings: RawSettings::default(),
                sources: BTreeMap::new(),
                kpis: Vec::new(),
                reports: Vec::new(),
            },
            problems: Vec::new(),
            broken_kpis: Vec::new(),
            broken_sources: Vec::new(),
        },
    };
    for (key, value) in root.into_inner() {
        reader.section(key, value);
    }
    Ok(reader.doc)
}

struct Reader<'a> {
    text: &'a str,
    path: &'a Path,
    doc: Document,
}

impl<'i> Reader<'_> {
    fn section(&mut self, key: Spanned<std::borrow::Cow<'i, str>>, value: Spanned<DeValue<'i>>) {
        match key.get_ref().as_ref() {
            "settings" => {
                if let Some(settings) = self.item("settings", value) {
                    self.doc.raw.settings = settings;
                }
            }
            "sources" => self.sources(value),
            "kpi" => self.entries(value, "kpi", |reader, entry| {
                let id = id_of(&entry);
                match reader.item(&label("kpi", &id), entry) {
                    Some(kpi) => reader.doc.raw.kpis.push(kpi),
                    None => reader.doc.broken_kpis.extend(id),
                }
            }),
            "report" => self.entries(value, "report", |reader, entry| {
                let id = id_of(&entry);
                if let Some(report) = reader.item::<RawReport>(&label("report", &id), entry) {
                    reader.doc.raw.reports.push(report);
                }
            }),
            other => self.doc.problems.push(format!(
                "{}: unknown section `{other}` (the file has [settings], [sources.NAME], [[kpi]] and [[report]])",
                place(self.text, self.path, key.span().start)
            )),
        }
    }

    /// `[sources.NAME]` tables, one by one.
    fn sources(&mut self, value: Spanned<DeValue<'i>>) {
        if !value.get_ref().is_table() {
            // Not a table: serde's own message says what was expected.
            let _ = self.item::<BTreeMap<String, RawSource>>("sources", value);
            return;
        }
        let DeValue::Table(table) = value.into_inner() else {
            return;
        };
        for (name, source) in table {
            let name = name.into_inner().into_owned();
            let place = source.span().start;
            match self.item::<RawSource>(&format!("source `{name}`"), source) {
                Some(mut source) => {
                    source.place = place;
                    self.doc.raw.sources.insert(name, source);
                }
                None => self.doc.broken_sources.push(name),
            }
        }
    }

    /// `[[kpi]]` or `[[report]]` entries, one by one.
    fn entries(
        &mut self,
        value: Spanned<DeValue<'i>>,
        what: &str,
        mut each: impl FnMut(&mut Self, Spanned<DeValue<'i>>),
    ) {
        if !value.get_ref().is_array() {
            let _ = self.item::<Vec<toml::Value>>(what, value);
            return;
        }
        let DeValue::Array(array) = value.into_inner() else {
            return;
        };
        for entry in array {
            each(self, entry);
        }
    }

    /// One item, or None with its problem recorded at the place the TOML deserializer points to.
    fn item<T: for<'de> Deserialize<'de>>(
        &mut self,
        what: &str,
        value: Spanned<DeValue<'i>>,
    ) -> Option<T> {
        let start = value.span().start;
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(item) => Some(item),
            Err(err) => {
                let at = err.span().map_or(start, |s| s.start);
                self.doc.problems.push(format!(
                    "{}: {what}: {}",
                    place(self.text, self.path, at),
                    err.message().trim_end()
                ));
                None
            }
        }
    }
}

/// The `id` of an entry, when it has a readable one (to name it in messages).
fn id_of(entry: &Spanned<DeValue<'_>>) -> Option<String> {
    let table = entry.get_ref().as_table()?;
    let (_, id) = table.iter().find(|(k, _)| k.get_ref() == "id")?;
    id.get_ref().as_str().map(str::to_string)
}

fn label(kind: &str, id: &Option<String>) -> String {
    match id {
        Some(id) => format!("{kind} `{id}`"),
        None => kind.to_string(),
    }
}

/// The parser's message with the file's name and the line pointed at.
fn syntax_error(err: &toml::de::Error, text: &str, path: &Path) -> String {
    let mut err = err.clone();
    err.set_input(Some(text));
    // "TOML parse error at line L, column C", the line with a caret, and what is wrong.
    format!("{}: {}", path.display(), err.to_string().trim_end())
}
