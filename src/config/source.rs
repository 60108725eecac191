//! One `[sources.NAME]` → a [`Source`]: its dialect, declared column types, filter and lookups.
//! Whether its files exist and have the columns is checked later, when they are opened
//! (`ingest::Schema::open`).

use super::raw::*;
use super::resolve::{check_id, Ctx};
use super::*;
use anyhow::{anyhow, bail, Result};
use std::path::PathBuf;
use toml::Spanned;

const DEFAULT_NULLS: [&str; 3] = ["", "NULL", "N/A"];

impl Ctx<'_> {
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

    pub(super) fn source(&self, name: &str, raw: &RawSource) -> Result<Source> {
        let at = self.at(raw.place);
        check_id(name, "source name").map_err(|e| anyhow!("{at}: {e}"))?;
        let rollup = self.rollup(name, raw)?;
        let path = match (&raw.path, &rollup) {
            (Some(path), None) => {
                let set = [raw.delimiter.is_some(), raw.encoding.is_some()];
                self.check_file_keys(&format!("source `{name}`"), path, set, &raw.sheet)?;
                self.relative(path.get_ref())
            }
            (None, Some(_)) => PathBuf::new(),
            (Some(path), Some(_)) => bail!(
                "{}: source `{name}`: a rollup is built from the rows of its `rollup` source and \
                 has no files of its own: remove `path` or `rollup`",
                self.at(path.span().start)
            ),
            (None, None) => bail!(
                "{at}: source `{name}` has no `path`: set it to the source's files (a glob such \
                 as \"exports/deals_*.csv\"), or set `rollup` to build it from another source"
            ),
        };
        let decimal = match raw.decimal.as_ref().map(|d| d.get_ref().as_str()) {
            None | Some(".") => b'.',
            Some(",") => b',',
            Some(other) => bail!(
                "{}: source `{name}`: decimal must be \".\" or \",\", not {other:?}",
                self.at(raw.decimal.as_ref().map_or(0, |d| d.span().start))
            ),
        };
        let mut columns = Vec::new();
        for (column, ty) in raw.columns.iter().flatten().filter(|_| rollup.is_none()) {
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
            path,
            delimiter: self.delimiter(&raw.delimiter)?,
            decimal,
            encoding: encoding(raw.encoding),
            sheet: raw.sheet.as_ref().map(|s| s.get_ref().clone()),
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
            fresh_within: self.fresh_within(name, raw)?,
            max_row_drop: self.max_row_drop(name, raw)?,
            computed: self.computed(name, raw)?,
            rollup,
        })
    }

    /// `computed = { name = "expression" }`, each parsed (type-checked once the header is read).
    fn computed(&self, source: &str, raw: &RawSource) -> Result<Vec<(String, Located)>> {
        let mut computed = Vec::new();
        for (name, text) in raw.computed.iter().flatten() {
            if name.trim().is_empty() {
                bail!(
                    "{}: source `{source}`: a computed column needs a name",
                    self.at(text.span().start)
                );
            }
            let what = format!("source `{source}`: computed column `{name}`");
            computed.push((name.clone(), self.located(text, &what)?));
        }
        Ok(computed)
    }

    fn fresh_within(&self, name: &str, raw: &RawSource) -> Result<Option<FreshWithin>> {
        let Some(text) = &raw.fresh_within else {
            return Ok(None);
        };
        FreshWithin::parse(text.get_ref())
            .map(Some)
            .map_err(|e| anyhow!("{}: source `{name}`: {e}", self.at(text.span().start)))
    }

    fn max_row_drop(&self, name: &str, raw: &RawSource) -> Result<f64> {
        let at = raw.max_row_drop.as_ref().map(|v| v.span().start);
        freshness::max_row_drop(raw.max_row_drop.as_ref().map(|v| *v.get_ref()))
            .map_err(|e| anyhow!("{}: source `{name}`: {e}", self.at(at.unwrap_or(0))))
    }

    fn lookup(&self, source: &str, name: &str, raw: &RawLookup) -> Result<Lookup> {
        let what = format!("lookup `{name}` of source `{source}`");
        let (path, from) = match (&raw.path, &raw.source) {
            (Some(path), None) => {
                let set = [raw.delimiter.is_some(), raw.encoding.is_some()];
                self.check_file_keys(&what, path, set, &raw.sheet)?;
                (self.relative(path.get_ref()), None)
            }
            (None, Some(from)) => {
                self.check_no_file_keys(&what, from, raw)?;
                (PathBuf::new(), Some(from.get_ref().clone()))
            }
            (Some(path), Some(_)) => bail!(
                "{}: {what}: set `path` (a file) or `source` (another source), not both",
                self.at(path.span().start)
            ),
            (None, None) => bail!(
                "{}: {what}: set `path` to its file, or `source` to the source it comes from",
                self.at(raw.on.span().start)
            ),
        };
        let at = raw.path.as_ref().or(raw.source.as_ref()).unwrap_or(&raw.on);
        let at = at.span().start;
        if raw.columns.is_empty() {
            bail!(
                "{}: {what} adds no columns: list them in `columns`",
                self.at(at)
            );
        }
        let min_match = match &raw.min_match {
            Some(m) if !(0.0..=1.0).contains(m.get_ref()) => bail!(
                "{}: {what}: min_match must be a share between 0 and 1 such as 0.99, not {}",
                self.at(m.span().start),
                m.get_ref()
            ),
            m => m.as_ref().map(|m| *m.get_ref()),
        };
        Ok(Lookup {
            name: name.to_string(),
            min_match,
            path,
            source: from,
            on: raw.on.get_ref().clone(),
            columns: raw.columns.clone(),
            delimiter: self.delimiter(&raw.delimiter)?,
            encoding: encoding(raw.encoding),
            sheet: raw.sheet.as_ref().map(|s| s.get_ref().clone()),
        })
    }

    /// A lookup from a source reads that source's rows as they are: the keys of a file's
    /// reading belong on the source.
    fn check_no_file_keys(
        &self,
        what: &str,
        from: &Spanned<String>,
        raw: &RawLookup,
    ) -> Result<()> {
        let set = [
            ("delimiter", raw.delimiter.is_some()),
            ("encoding", raw.encoding.is_some()),
            ("sheet", raw.sheet.is_some()),
        ];
        if let Some((key, _)) = set.iter().find(|(_, set)| *set) {
            bail!(
                "{}: {what}: `{key}` does not apply to a lookup from source `{}`: set it on that \
                 source",
                self.at(from.span().start),
                from.get_ref()
            );
        }
        Ok(())
    }

    /// The keys of a file's reading that its kind rules out: a spreadsheet has no delimiter
    /// nor encoding (its cells are typed), a text file no sheet. `set`: whether `delimiter`
    /// and `encoding` are.
    fn check_file_keys(
        &self,
        what: &str,
        path: &Spanned<String>,
        set: [bool; 2],
        sheet: &Option<Spanned<String>>,
    ) -> Result<()> {
        let at = self.at(path.span().start);
        match spreadsheet_extension(Path::new(path.get_ref())) {
            Some(ext) => {
                for (key, set) in ["delimiter", "encoding"].into_iter().zip(set) {
                    if set {
                        bail!(
                            "{at}: {what}: `{key}` does not apply to a spreadsheet (.{ext}): its \
                             cells are read typed; remove the key"
                        );
                    }
                }
            }
            None => {
                if let Some(sheet) = sheet {
                    bail!(
                        "{}: {what}: `sheet` applies only to a spreadsheet (.xlsx, .xls, .xlsb, \
                         .ods), and {} is not one; remove the key",
                        self.at(sheet.span().start),
                        path.get_ref()
                    );
                }
            }
        }
        Ok(())
    }
}

/// The spreadsheet kind of a file or glob by its name (`.xlsx`, `.xls`, `.xlsb`, `.ods`, in any
/// case); None for any other file, read as CSV (compressed or not).
pub fn spreadsheet_extension(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    ["xlsx", "xlsm", "xls", "xlsb", "ods"]
        .into_iter()
        .find(|known| *known == ext)
}

fn encoding(e: Option<RawEncoding>) -> Encoding {
    match e {
        None | Some(RawEncoding::Utf8) => Encoding::Utf8,
        Some(RawEncoding::Windows1252) => Encoding::Windows1252,
        Some(RawEncoding::Latin1) => Encoding::Latin1,
    }
}
