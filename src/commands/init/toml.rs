//! Writing the starter `kpis.toml`: the settings, a source per export with its detected dialect
//! and inferred column types, the suggested KPIs with comments and TODO hints, and a report to
//! uncomment. Pure: what was detected in, the file's text out; every name and formula escaped.

use super::profile::Profile;
use super::suggest::Suggestion;
use crate::config::Encoding;
use crate::model::Direction;
pub use crate::toml_text::{key, string};
use crate::value::DataType;
use std::fmt::Write;
use std::path::Path;

/// One export as it goes into the file.
#[derive(Debug, Clone)]
pub struct Planned {
    pub name: String,
    /// As written in the file: relative to the current folder, where kpis.toml goes.
    pub path: String,
    pub profile: Profile,
    pub kpis: Vec<Suggestion>,
}

const RULE: &str =
    "# ─────────────────────────────────────────────────────────────────────────────";

const HEAD: &str = "\
# kpis.toml — a starter configuration written by `kpi init`.
#
# Each source records the dialect detected in its export (delimiter, decimal separator,
# encoding, date format) and declares the column types inferred from its first rows, so that
# a later export with odd values is reported instead of being guessed differently.
# The KPIs are suggestions: rename them, correct their formulas, fill in the TODOs (owner,
# action, target, thresholds), then check and compute:
#
#     kpi validate
#     kpi run --no-archive
#
# Every key is described in docs/config.md, formulas in docs/formulas.md.

[settings]
archive = \"kpi-archive\"   # where each run records its values, for comparisons and history
frequency = \"month\"       # KPIs without their own `frequency` are monthly
";

/// The whole file.
pub fn render(planned: &[Planned]) -> String {
    let mut out = String::from(HEAD);
    let _ = write!(out, "\n\n{RULE} sources\n");
    for p in planned {
        out.push_str(&source(p));
    }
    let _ = write!(out, "\n\n{RULE} KPIs\n");
    for p in planned {
        for kpi in &p.kpis {
            out.push_str(&self::kpi(p, kpi));
        }
    }
    out.push_str(&report(planned));
    out
}

fn source(p: &Planned) -> String {
    let profile = &p.profile;
    let mut out = format!("\n[sources.{}]\npath = {}\n", key(&p.name), string(&p.path));
    let delimiter = match profile.delimiter {
        b'\t' => "\\t".to_string(),
        d => (d as char).to_string(),
    };
    // A spreadsheet has neither: its cells are typed.
    let spreadsheet = crate::config::spreadsheet_extension(Path::new(&p.path)).is_some();
    if !spreadsheet {
        let _ = writeln!(out, "delimiter = \"{delimiter}\"");
    }
    if profile.decimal == b',' {
        out.push_str("decimal = \",\"                   # 4,5 is four and a half\n");
    }
    if !spreadsheet {
        let _ = writeln!(out, "encoding = \"{}\"", encoding(profile.encoding));
    }
    if let Some(format) = &profile.date_format {
        let _ = writeln!(out, "date_format = {}", string(format));
    }
    let header: Vec<String> = profile.columns.iter().map(|c| comment(&c.name)).collect();
    out.push_str(&wrapped("# Columns: ", &format!("{}.", header.join(", "))));
    let typed: Vec<String> = profile
        .columns
        .iter()
        .filter(|c| c.ty != DataType::String || c.kept_text)
        .map(|c| format!("{} = \"{}\"", key(&c.name), c.ty.name()))
        .collect();
    if typed.is_empty() {
        return out;
    }
    out.push_str("# Types inferred from a sample; the other columns are text.\n");
    if profile.columns.iter().any(|c| c.kept_text) {
        out.push_str(
            "# Identifiers and codes are declared text: their digits are labels, not amounts.\n",
        );
    }
    let inline = format!("columns = {{ {} }}", typed.join(", "));
    if inline.chars().count() <= INLINE_WIDTH {
        let _ = writeln!(out, "{inline}");
    } else {
        // An inline table must stay on one line: a wide export reads better as a table.
        let _ = writeln!(out, "[sources.{}.columns]", key(&p.name));
        typed.iter().for_each(|t| _ = writeln!(out, "{t}"));
    }
    out
}

/// Comment lines are wrapped at this width.
const WIDTH: usize = 100;
/// A longer `columns = { … }` line becomes a `[sources.NAME.columns]` table.
const INLINE_WIDTH: usize = 120;

/// A comment of comma-separated words, wrapped at `WIDTH`.
fn wrapped(first: &str, text: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut fresh = true;
    for word in text.split(' ') {
        // A word longer than a line stays whole on its own line.
        if !fresh && line.chars().count() + word.chars().count() + 1 > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = "#   ".to_string();
        }
        line.push_str(word);
        line.push(' ');
        fresh = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

fn kpi(p: &Planned, s: &Suggestion) -> String {
    let mut out = format!("\n[[kpi]]\n# {}\n", comment(&s.why));
    let _ = writeln!(out, "id = {}", string(&s.id));
    let _ = writeln!(out, "name = {}", string(&s.name));
    let _ = writeln!(out, "description = {}", string(&s.description));
    out.push_str("# owner = \"TODO: who answers for this number\"\n");
    out.push_str("# action = \"TODO: what to do when it goes the wrong way\"\n");
    let _ = writeln!(out, "source = {}", string(&p.name));
    match &s.time {
        Some(time) => {
            let others: Vec<String> = p
                .profile
                .columns
                .iter()
                .filter(|c| c.ty.is_temporal() && &c.name != time)
                .map(|c| comment(&c.name))
                .collect();
            let _ = write!(
                out,
                "time = {}   # the date that places a row in its period",
                string(time)
            );
            if !others.is_empty() {
                let _ = write!(out, " (or {})", others.join(", "));
            }
            out.push('\n');
        }
        None => out.push_str("# No date column: computed over the whole export at each run.\n"),
    }
    let _ = writeln!(out, "formula = {}", string(&s.formula));
    let _ = writeln!(out, "unit = \"{}\"", s.unit.name());
    out.push_str(match s.direction {
        Direction::Down => "direction = \"down\"   # less is better\n",
        _ => "direction = \"up\"   # TODO: \"down\" when less is better\n",
    });
    if !s.dimensions.is_empty() {
        let dims: Vec<String> = s.dimensions.iter().map(|d| string(d)).collect();
        let _ = writeln!(
            out,
            "# dimensions = [{}]   # to break the value down by these columns",
            dims.join(", ")
        );
    }
    out.push_str(
        "# target = { value = 0, by = \"2026-12-31\" }   # TODO: the value to reach, and when\n",
    );
    out.push_str("# warn = \"value < 0\"   # TODO: when to warn (and `fail` when to fail)\n");
    out
}

/// A report to uncomment: `kpi run --report starter` and `kpi catalog` read reports.
fn report(planned: &[Planned]) -> String {
    let ids: Vec<String> = planned
        .iter()
        .flat_map(|p| &p.kpis)
        .take(7)
        .map(|k| string(&k.id))
        .collect();
    format!(
        "\n\n{RULE} reports\n\n\
         # A report is a named selection of KPIs, for `kpi run --report ID` and `kpi catalog`:\n\
         #\n\
         # [[report]]\n\
         # id = \"starter\"\n\
         # title = \"Starter review\"\n\
         # audience = \"TODO: who reads it\"\n\
         # kpis = [{}]\n",
        ids.join(", ")
    )
}

fn encoding(e: Encoding) -> &'static str {
    match e {
        Encoding::Utf8 => "utf-8",
        Encoding::Windows1252 => "windows-1252",
        Encoding::Latin1 => "latin-1",
    }
}

/// Text for a comment: on one line, without control characters.
fn comment(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
