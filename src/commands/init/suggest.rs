//! The KPIs `kpi init` suggests for a profiled export: rows per period on the first date
//! column, a rate on a boolean or two-valued column, a sum on a money-like column. Pure: the
//! profile in, the suggestions out, with the formula already written in our SQL.

use super::profile::{Column, Profile, MAX_LEVELS};
use crate::model::Unit;
use crate::value::DataType;

/// One suggested `[[kpi]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Why this KPI, for the comment above it.
    pub why: String,
    pub formula: String,
    pub unit: Unit,
    /// None: a snapshot over the whole export (the file has no date column).
    pub time: Option<String>,
    /// Category columns the value could be broken down by (a commented hint).
    pub dimensions: Vec<String>,
}

/// Words of a column name that say "money".
const MONEY_WORDS: [&str; 12] = [
    "mrr", "arr", "ttc", "ht", "ca", "eur", "usd", "gbp", "chf", "cost", "fee", "prix",
];
/// Beginnings of words that say "money" (`amounts`, `revenue_eur`, `pricing`).
const MONEY_STEMS: [&str; 14] = [
    "amount", "price", "revenue", "total", "sales", "paid", "spend", "budget", "montant",
    "chiffre", "income", "invoice", "payment", "turnover",
];

/// The suggestions for one source, their ids prefixed with `source` and not in `taken`.
pub fn suggest(source: &str, file: &str, profile: &Profile, taken: &[String]) -> Vec<Suggestion> {
    // A blank header cell cannot be named in a formula: nothing is suggested on it.
    let columns = || profile.columns.iter().filter(|c| !c.name.is_empty());
    let time = columns()
        .find(|c| c.ty.is_temporal())
        .map(|c| c.name.clone());
    let dimensions: Vec<String> = columns()
        .filter(|c| is_category(c))
        .take(2)
        .map(|c| c.name.clone())
        .collect();
    let mut out = vec![rows(source, file, &time)];
    out.extend(columns().find_map(|c| rate(source, c, &time)));
    out.extend(
        columns()
            .find(|c| is_money(c))
            .map(|c| total(source, c, &time)),
    );
    let mut ids: Vec<String> = taken.to_vec();
    for s in &mut out {
        s.id = unique(&s.id, &ids);
        ids.push(s.id.clone());
        s.dimensions = dimensions.clone();
    }
    out
}

fn in_period(time: &Option<String>) -> String {
    match time {
        Some(t) => format!("whose {t} falls in the period"),
        None => "in the export (a snapshot: no date column)".to_string(),
    }
}

fn rows(source: &str, file: &str, time: &Option<String>) -> Suggestion {
    Suggestion {
        id: format!("{source}_count"),
        name: format!("{}: rows", title(source)),
        description: format!("Number of rows of {file} {}.", in_period(time)),
        why: "Rows per period: the volume every other figure of this export is read against."
            .into(),
        formula: "count(*)".into(),
        unit: Unit::Number,
        time: time.clone(),
        dimensions: vec![],
    }
}

/// A share of rows: `count_if(flag) / count(flag)` for a boolean, the rarer value's share for a
/// column of two values (the rarer one is usually the event: converted, churned, late).
fn rate(source: &str, column: &Column, time: &Option<String>) -> Option<Suggestion> {
    let ident = sql_ident(&column.name);
    let (condition, what) = match (column.ty, column.levels.as_slice()) {
        (DataType::Bool, _) => (ident.clone(), format!("{} true", column.name)),
        // Two values each seen once say nothing (two rows of identifiers).
        (DataType::String | DataType::Number, [a, b]) if a.1 + b.1 > 2 => {
            let rarer = if b.1 < a.1 { &b.0 } else { &a.0 };
            let literal = match column.ty {
                DataType::Number if matches!(rarer.as_str(), "0" | "1") => rarer.clone(),
                DataType::Number => return None,
                _ => sql_string(rarer),
            };
            (
                format!("{ident} = {literal}"),
                format!("{} = {rarer}", column.name),
            )
        }
        _ => return None,
    };
    Some(Suggestion {
        id: format!("{source}_{}_rate", sanitise(&column.name)),
        name: format!("{}: share with {what}", title(source)),
        description: format!(
            "Share of the rows with {what} among those where {} is filled, counting the rows {}.",
            column.name,
            in_period(time)
        ),
        why: format!(
            "A rate on `{}`, which takes two values: shares compare across periods of any size.",
            column.name
        ),
        formula: format!("count_if({condition}) / count({ident})"),
        unit: Unit::Percent,
        time: time.clone(),
        dimensions: vec![],
    })
}

fn total(source: &str, column: &Column, time: &Option<String>) -> Suggestion {
    Suggestion {
        id: format!("{source}_{}_total", sanitise(&column.name)),
        name: format!("{}: total {}", title(source), column.name),
        description: format!(
            "Sum of {} over the rows {} (blank values are not counted).",
            column.name,
            in_period(time)
        ),
        why: format!("A sum of `{}`, which looks like money.", column.name),
        formula: format!("sum({})", sql_ident(&column.name)),
        unit: Unit::Currency(None),
        time: time.clone(),
        dimensions: vec![],
    }
}

/// A number column whose name or values say money.
pub fn is_money(column: &Column) -> bool {
    if column.ty != DataType::Number {
        return false;
    }
    let name = column.name.to_lowercase();
    let mut words = name.split(|c: char| !c.is_alphanumeric());
    column.money_shaped
        || words.any(|w| MONEY_WORDS.contains(&w) || MONEY_STEMS.iter().any(|s| w.starts_with(s)))
}

/// A text column of a few values, each seen several times: something to break a value down by.
fn is_category(column: &Column) -> bool {
    let seen: usize = column.levels.iter().map(|(_, n)| n).sum();
    column.ty == DataType::String
        && (2..=MAX_LEVELS).contains(&column.levels.len())
        && seen >= 5 * column.levels.len()
        // A dimension joins columns with `+`.
        && !column.name.contains('+')
}

/// `orders` → `orders_2` when taken.
pub fn unique(id: &str, taken: &[String]) -> String {
    let mut candidate = id.to_string();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{id}_{n}");
        n += 1;
    }
    candidate
}

/// A name made of a-z, 0-9 and `_`, as ids must be: `Export CRM (2026)` → `export_crm_2026`,
/// `Payée` → `payee` (accents dropped: French and German exports are common).
pub fn sanitise(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let plain = unaccented(c);
        if !plain.is_empty() {
            out.push_str(plain);
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        "data".to_string()
    } else {
        out
    }
}

/// The Latin letter under an accent, or "" for any other character.
fn unaccented(c: char) -> &'static str {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
        'ç' => "c",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'ý' | 'ÿ' => "y",
        'æ' => "ae",
        'œ' => "oe",
        'ß' => "ss",
        _ => "",
    }
}

/// `email_sends` → `Email sends`.
fn title(id: &str) -> String {
    let words = id.replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

/// A column name as a formula reads it: bare when our parser reads it back as that column in
/// a condition, else double-quoted (`"Montant TTC"`, `"interval"`), inner quotes doubled.
pub fn sql_ident(name: &str) -> String {
    let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let bare = plain
        && crate::formula::parse(&format!("count_if({name} = 1)"))
            .is_ok_and(|e| crate::formula::identifiers(&e) == [name]);
    if bare {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// A text value as an SQL literal: `'Won'`, `'l''équipe'`.
pub fn sql_string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}
