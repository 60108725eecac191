//! What the catalog says about a source: its file, dialect, key, filter and lookups, and the
//! columns the configuration names with who uses each for what — read from the formulas,
//! filters, time columns and dimensions, not from the files.

use super::fields::{code, field, joined, text, ColumnDoc, Field, NONE};
use super::{one_line, Catalog, Piece};
use crate::config::{Encoding, Source};
use crate::formula::identifiers;

/// Who uses a column: a KPI (by id), or the source itself (None), and for what.
type Uses = Vec<(Option<String>, String)>;

impl Catalog<'_> {
    /// The source's declared, lookup and used columns, by name (case aside).
    pub fn columns(&self, source: &Source) -> Vec<ColumnDoc> {
        let mut columns = Columns::default();
        for (name, _) in &source.columns {
            columns.entry(name);
        }
        for lookup in &source.lookups {
            lookup.columns.iter().for_each(|c| _ = columns.entry(c));
        }
        if let Some(key) = &source.key {
            columns.used(key, None, "source key");
        }
        if let Some(filter) = &source.filter {
            for name in identifiers(&filter.expr) {
                columns.used(&name, None, "source filter");
            }
        }
        for lookup in &source.lookups {
            columns.used(&lookup.on, None, &format!("lookup {} key", lookup.name));
        }
        for kpi in self
            .kpis
            .iter()
            .filter(|k| k.source.as_deref() == Some(&source.name))
        {
            let id = Some(kpi.id.as_str());
            if let Some(time) = &kpi.time {
                columns.used(time, id, "time");
            }
            for name in identifiers(&kpi.formula.expr) {
                columns.used(&name, id, "formula");
            }
            for name in kpi.filter.iter().flat_map(|f| identifiers(&f.expr)) {
                columns.used(&name, id, "filter");
            }
            for name in kpi.dimensions.iter().flatten() {
                columns.used(name, id, "dimension");
            }
        }
        columns.0.sort_by_key(|(name, _)| name.to_lowercase());
        columns
            .0
            .into_iter()
            .map(|(name, uses)| ColumnDoc {
                kind: kind(source, &name),
                used_by: self.used_by(&uses),
                name,
            })
            .collect()
    }

    /// `source key, [Win rate](#kpi-win_rate) (time, formula)`.
    fn used_by(&self, uses: &Uses) -> Vec<Piece> {
        let mut users: Vec<&Option<String>> = Vec::new();
        for (user, _) in uses {
            if !users.contains(&user) {
                users.push(user);
            }
        }
        let mut out = Vec::new();
        for user in users {
            if !out.is_empty() {
                out.push(Piece::Text(", ".into()));
            }
            let roles: Vec<&str> = uses
                .iter()
                .filter(|(u, _)| u == user)
                .map(|(_, role)| role.as_str())
                .collect();
            match user {
                None => out.push(Piece::Text(roles.join(", "))),
                Some(id) => {
                    out.push(self.kpi_link(id, id));
                    out.push(Piece::Text(format!(" ({})", roles.join(", "))));
                }
            }
        }
        if out.is_empty() {
            out.push(Piece::Text("—".into()));
        }
        out
    }
}

impl Catalog<'_> {
    /// The facts of a source, under its name.
    pub fn source_fields(&self, source: &Source) -> Vec<Field> {
        let mut out = match &source.rollup {
            Some(rollup) => self.rollup_fields(rollup),
            None => vec![
                field("Path", vec![code(self.path(&source.path))]),
                field("Dialect", dialect(source)),
                field("Null values", nulls(&source.null_values)),
            ],
        };
        out.extend([
            field(
                "Key",
                source
                    .key
                    .as_ref()
                    .map_or(vec![text("— (every line is a record)")], |k| {
                        vec![code(k), text(" (the last line of each key wins)")]
                    }),
            ),
            field(
                "Filter",
                source
                    .filter
                    .as_ref()
                    .map_or(vec![text(NONE)], |f| vec![code(one_line(&f.text))]),
            ),
        ]);
        if source.rollup.is_some() {
            out.retain(|f| f.label != "Key");
        }
        if !source.computed.is_empty() {
            out.push(field("Computed columns", formulas(&source.computed)));
        }
        if !source.lookups.is_empty() {
            out.push(field("Lookups", self.lookups(source)));
        }
        if let Some(table) = &source.table {
            out.push(field("Warehouse table", vec![code(table)]));
        }
        let kpis = self
            .kpis
            .iter()
            .filter(|k| k.source.as_deref() == Some(&source.name))
            .map(|k| vec![self.kpi_link(&k.id, &one_line(&k.name))])
            .collect();
        out.push(field("KPIs", joined(kpis, ", ", NONE)));
        out
    }

    /// A rollup's input, entity and columns, in place of a file's path and dialect.
    fn rollup_fields(&self, rollup: &crate::config::Rollup) -> Vec<Field> {
        vec![
            field(
                "Rollup",
                vec![
                    text("one row per "),
                    code(rollup.by.join(", ")),
                    text(" among the rows of "),
                    self.source_link(&rollup.input),
                ],
            ),
            field("Columns", formulas(&rollup.columns)),
        ]
    }

    fn lookups(&self, source: &Source) -> Vec<Piece> {
        let items = source
            .lookups
            .iter()
            .map(|l| {
                let from = match &l.source {
                    Some(from) => self.source_link(from),
                    None => code(self.path(&l.path)),
                };
                let mut item = vec![
                    code(&l.name),
                    text(": "),
                    from,
                    text(" on "),
                    code(&l.on),
                    text(", adds "),
                ];
                let cols = l.columns.iter().map(|c| vec![code(c)]).collect();
                item.extend(joined(cols, ", ", NONE));
                item
            })
            .collect();
        joined(items, "; ", NONE)
    }
}

/// `delimiter ;, decimal ,, windows-1252, dates %d/%m/%Y`, as configured; for a spreadsheet,
/// its sheet in place of the delimiter and encoding.
pub(super) fn dialect(source: &Source) -> Vec<Piece> {
    let spreadsheet = crate::config::spreadsheet_extension(&source.path).is_some();
    let mut out = match (spreadsheet, source.delimiter, &source.sheet) {
        (true, _, None) => vec![text("spreadsheet, first sheet")],
        (true, _, Some(sheet)) => vec![text("spreadsheet, sheet "), code(sheet)],
        (false, None, _) => vec![text("delimiter auto-detected")],
        (false, Some(b'\t'), _) => vec![text("delimiter tab")],
        (false, Some(d), _) => vec![text("delimiter "), code((d as char).to_string())],
    };
    out.extend([
        text(", decimal "),
        code((source.decimal as char).to_string()),
    ]);
    if !spreadsheet {
        out.push(text(match source.encoding {
            Encoding::Utf8 => ", utf-8",
            Encoding::Windows1252 => ", windows-1252",
            Encoding::Latin1 => ", latin-1",
        }));
    }
    out.push(text(", "));
    out.extend(dates(source));
    out
}

/// `name = formula` for each, separated by semicolons.
fn formulas(columns: &[(String, crate::config::Located)]) -> Vec<Piece> {
    let items = columns
        .iter()
        .map(|(name, f)| vec![code(format!("{name} = {}", one_line(&f.text)))])
        .collect();
    joined(items, "; ", NONE)
}

fn dates(source: &Source) -> Vec<Piece> {
    match &source.date_format {
        None => vec![text("ISO 8601 dates")],
        Some(f) => vec![text("dates "), code(f)],
    }
}

fn nulls(values: &[String]) -> Vec<Piece> {
    let items = values
        .iter()
        .map(|v| match v.as_str() {
            "" => vec![text("blank")],
            v => vec![code(v)],
        })
        .collect();
    joined(items, ", ", "blank only")
}

/// The columns found so far, in the order met, each with its uses.
#[derive(Default)]
struct Columns(Vec<(String, Uses)>);

impl Columns {
    /// The column's uses; a name met again in another case is the same column, as when files
    /// are read.
    fn entry(&mut self, name: &str) -> &mut Uses {
        let i = match self
            .0
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(i) => i,
            None => {
                self.0.push((name.to_string(), Vec::new()));
                self.0.len() - 1
            }
        };
        &mut self.0[i].1
    }

    fn used(&mut self, name: &str, kpi: Option<&str>, role: &str) {
        let use_ = (kpi.map(str::to_string), role.to_string());
        let uses = self.entry(name);
        if !uses.contains(&use_) {
            uses.push(use_);
        }
    }
}

/// `number` as declared, `from lookup accounts`, or `inferred` from the data when read.
fn kind(source: &Source, name: &str) -> Vec<Piece> {
    let same = |c: &String| c.eq_ignore_ascii_case(name);
    if let Some((_, ty)) = source.columns.iter().find(|(c, _)| same(c)) {
        return vec![Piece::Text(ty.name().into())];
    }
    match source.lookups.iter().find(|l| l.columns.iter().any(same)) {
        Some(lookup) => vec![
            Piece::Text("from lookup ".into()),
            Piece::Code(lookup.name.clone()),
        ],
        None => vec![Piece::Text("inferred".into())],
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fixture, select};
    use super::*;

    fn plain(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) | Piece::Code(t) => t.clone(),
                Piece::Link { text, .. } => format!("[{text}]"),
            })
            .collect()
    }

    #[test]
    fn each_column_lists_who_uses_it_for_what() {
        let config = fixture::config();
        let catalog = select(&config, None).unwrap();
        let table: Vec<String> = catalog
            .columns(&config.sources[0])
            .iter()
            .map(|c| format!("{} | {} | {}", c.name, plain(&c.kind), plain(&c.used_by)))
            .collect();
        assert_eq!(
            table,
            [
                "account_id | inferred | lookup accounts key",
                "amount | number | [revenue] (formula)",
                "channel | inferred | [revenue] (dimension)",
                "closed_at | date | [revenue] (time), [deals_won] (time)",
                "deal_id | inferred | source key",
                "is_test | bool | source filter",
                "region | inferred | [revenue] (dimension)",
                "segment | from lookup accounts | [revenue] (dimension)",
                "stage | inferred | [revenue] (formula), [deals_won] (formula)",
            ]
        );
    }

    #[test]
    fn a_snapshot_source_has_its_formula_columns() {
        let config = fixture::config();
        let catalog = select(&config, None).unwrap();
        let columns = catalog.columns(&config.sources[1]);
        assert_eq!(columns.len(), 1);
        assert_eq!(columns[0].name, "resolved_at");
        assert_eq!(plain(&columns[0].used_by), "[open_tickets] (formula)");
    }
}
