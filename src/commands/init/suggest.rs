//! The KPIs `kpi init` suggests for a profiled export, as an analyst would: rows per period on
//! the first date column; the rate of the export's outcome (the column named like `Churn`, `y`,
//! `is_won` or `deal_stage`, holding yes/no, 0/1 or won/lost), placed in its period by the date
//! the outcome is known (`close_date`); an NPS on a 0–10 "recommend" score; a sum on a
//! money-like column. Pure: the profile in, the suggestions out, formulas written in our SQL.

use super::names;
use super::profile::{Column, Profile, MAX_LEVELS};
use crate::model::{Direction, Unit};
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
    /// Down for a churn rate; else up (a TODO to check).
    pub direction: Direction,
    /// None: a snapshot over the whole export (the file has no date column).
    pub time: Option<String>,
    /// Category columns the value could be broken down by (a commented hint).
    pub dimensions: Vec<String>,
}

/// The suggestions for one source, their ids prefixed with `source` and not in `taken`.
pub fn suggest(source: &str, file: &str, profile: &Profile, taken: &[String]) -> Vec<Suggestion> {
    // A blank header cell cannot be named in a formula: nothing is suggested on it.
    let columns: Vec<&Column> = profile
        .columns
        .iter()
        .filter(|c| !c.name.is_empty())
        .collect();
    let dates: Vec<&str> = columns
        .iter()
        .filter(|c| c.ty.is_temporal())
        .map(|c| c.name.as_str())
        .collect();
    let time = dates.first().map(|t| t.to_string());
    // Deals are won, and their amounts booked, when they close, not when they were opened.
    let closing = dates
        .iter()
        .find(|t| names::is_closing_date(t))
        .map(|t| t.to_string())
        .or(time.clone());
    let outcome = outcome(&columns);
    // Not the outcome itself: a win rate broken down by stage is 100 % or 0 %.
    let dimensions: Vec<String> = columns
        .iter()
        .filter(|c| is_category(c) && outcome.as_ref().is_none_or(|o| o.0.name != c.name))
        .take(2)
        .map(|c| c.name.clone())
        .collect();
    let mut out = vec![rows(source, file, &time)];
    out.extend(outcome.map(|(c, shape, named)| rate(source, c, &shape, named, &closing)));
    out.extend(
        columns
            .iter()
            .find(|c| is_nps(c))
            .map(|c| nps(source, c, &time)),
    );
    out.extend(money(&columns).map(|c| total(source, c, &closing)));
    let mut ids: Vec<String> = taken.to_vec();
    for s in &mut out {
        s.id = unique(&s.id, &ids);
        ids.push(s.id.clone());
        s.dimensions = dimensions.clone();
    }
    out
}

/// What a rate on a column counts.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// A boolean column (yes/no, true/false, 0/1): the share of true; the word written for true.
    Flag(String),
    /// The share of rows with `value` among those with one of `among` (empty: any value): the
    /// win rate is Won among Won and Lost, the open deals aside.
    Share { value: String, among: Vec<String> },
}

/// The export's outcome: the column named most like one (`Churn`, `y` before `status`), first
/// in the file on a tie, whose values make a rate. With no such name, the first text column
/// holding an outcome value (Won, Converted…), else the last flag (an outcome usually ends a
/// row). Attributes (gender, age, a test flag) and identifiers never.
fn outcome<'c>(columns: &[&'c Column]) -> Option<(&'c Column, Shape, bool)> {
    let candidates: Vec<&Column> = columns
        .iter()
        .copied()
        .filter(|c| {
            let identifier = names::is_identifier(&c.name) && c.ty != DataType::Bool;
            !names::is_attribute(&c.name) && !identifier
        })
        .collect();
    let mut best: Option<(u8, &Column, Shape)> = None;
    for &c in &candidates {
        let strength = names::outcome_strength(&c.name);
        if strength > best.as_ref().map_or(0, |b| b.0) {
            if let Some(shape) = shape(c, true) {
                best = Some((strength, c, shape));
            }
        }
    }
    if let Some((_, c, shape)) = best {
        return Some((c, shape, true));
    }
    let valued = candidates.iter().find_map(|&c| {
        (c.ty == DataType::String)
            .then(|| shape(c, false))
            .flatten()
            .map(|s| (c, s))
    });
    let flag = || {
        candidates.iter().rev().find_map(|&c| {
            (c.ty == DataType::Bool)
                .then(|| shape(c, false))
                .flatten()
                .map(|s| (c, s))
        })
    };
    valued.or_else(flag).map(|(c, s)| (c, s, false))
}

/// How a rate on `column` would count, if its values make one. Any two values of a column
/// `named` like an outcome do (the rarer one is the event: churned, late); else a value must
/// say the outcome (Won, Converted).
fn shape(column: &Column, named: bool) -> Option<Shape> {
    if column.ty == DataType::Bool {
        let yes = column
            .levels
            .iter()
            .find(|(v, _)| crate::ingest::parse::parse_bool(v) == Some(true));
        return Some(Shape::Flag(yes.map_or("true".into(), |(v, _)| v.clone())));
    }
    // A cut list of values is no set of states.
    if column.ty != DataType::String || column.levels.len() > MAX_LEVELS {
        return None;
    }
    let says = |want: bool| {
        column
            .levels
            .iter()
            .filter(move |(v, _)| names::outcome_value(v) == Some(want))
            .map(|(v, _)| v.clone())
    };
    if let Some(value) = says(true).next() {
        let mut among: Vec<String> = std::iter::once(value.clone()).chain(says(false)).collect();
        if among.len() == 1 || among.len() == column.levels.len() {
            among.clear();
        }
        return Some(Shape::Share { value, among });
    }
    match column.levels.as_slice() {
        // Two values each seen once say nothing (two rows of identifiers).
        [a, b] if named && a.1 + b.1 > 2 => {
            let rarer = if b.1 < a.1 { &b.0 } else { &a.0 };
            Some(Shape::Share {
                value: rarer.clone(),
                among: Vec::new(),
            })
        }
        _ => None,
    }
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
        direction: Direction::Up,
        time: time.clone(),
        dimensions: vec![],
    }
}

/// The share of rows where the outcome happened.
fn rate(
    source: &str,
    column: &Column,
    shape: &Shape,
    named: bool,
    time: &Option<String>,
) -> Suggestion {
    let ident = sql_ident(&column.name);
    let name = &column.name;
    let (formula, what, among) = match shape {
        Shape::Flag(yes) => (
            format!("count_if({ident}) / count({ident})"),
            format!("{name} = {yes}"),
            format!("those where {name} is filled"),
        ),
        Shape::Share { value, among } if among.is_empty() => (
            format!("count_if({ident} = {}) / count({ident})", sql_string(value)),
            format!("{name} = {value}"),
            format!("those where {name} is filled"),
        ),
        Shape::Share { value, among } => {
            let listed: Vec<String> = among.iter().map(|v| sql_string(v)).collect();
            (
                format!(
                    "count_if({ident} = {}) / count_if({ident} IN ({}))",
                    sql_string(value),
                    listed.join(", ")
                ),
                format!("{name} = {value} (of {})", among.join(", ")),
                format!(
                    "those with {name} {} (the others are undecided)",
                    among.join(" or ")
                ),
            )
        }
    };
    let counted = match shape {
        Shape::Flag(yes) => yes,
        Shape::Share { value, .. } => value,
    };
    let why = if named {
        format!("The outcome of each row, `{name}`: its rate compares across periods of any size.")
    } else {
        format!(
            "A rate on `{name}` (no column is named like an outcome: churn, won, converted, y, \
             status…): shares compare across periods of any size."
        )
    };
    Suggestion {
        id: format!("{source}_{}_rate", sanitise(name)),
        name: format!("{}: share with {what}", title(source)),
        description: format!(
            "Share of the rows with {name} = {counted} among {among}, counting the rows {}.",
            in_period(time)
        ),
        why,
        formula,
        unit: Unit::Percent,
        direction: if names::is_loss(name) || names::is_loss(counted) {
            Direction::Down
        } else {
            Direction::Up
        },
        time: time.clone(),
        dimensions: vec![],
    }
}

/// A score from 0 to 10 to a "would you recommend" question.
fn is_nps(column: &Column) -> bool {
    column.ty == DataType::Number
        && names::says_nps(&column.name)
        && !column.levels.is_empty()
        && column
            .levels
            .iter()
            .all(|(v, _)| v.parse::<u8>().is_ok_and(|n| n <= 10))
}

fn nps(source: &str, column: &Column, time: &Option<String>) -> Suggestion {
    Suggestion {
        id: format!("{source}_nps"),
        name: format!("{}: NPS", title(source)),
        description: format!(
            "Net Promoter Score of {}: the share of 9 and 10 minus the share of 0 to 6, from -100 \
             to 100, over the answers {}.",
            column.name,
            in_period(time)
        ),
        why: format!("`{}` is a 0–10 recommendation score: its NPS.", column.name),
        formula: format!("nps({})", sql_ident(&column.name)),
        unit: Unit::Number,
        direction: Direction::Up,
        time: time.clone(),
        dimensions: vec![],
    }
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
        direction: Direction::Up,
        time: time.clone(),
        dimensions: vec![],
    }
}

/// The number column to sum: the first whose name says an amount, else the first a price or
/// a cost, else the first whose values look like money.
fn money<'c>(columns: &[&'c Column]) -> Option<&'c Column> {
    let numbers = || columns.iter().copied().filter(|c| c.ty == DataType::Number);
    let ranked = |rank| numbers().find(|c| names::money_rank(&c.name) == rank);
    ranked(2)
        .or_else(|| ranked(1))
        .or_else(|| numbers().find(|c| c.money_shaped))
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
