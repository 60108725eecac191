//! TOML text that kpi writes or suggests: quoted strings and keys, and the `columns = { … }`
//! declaration a hint proposes, so that whatever a user pastes into `kpis.toml` parses.

use crate::value::DataType;
use std::fmt::Write;

/// A TOML basic string: `"a \"b\" \\ c"`; control characters as `\uXXXX`.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare when it can be (`amount`), else quoted (`"Montant TTC"`).
pub fn key(s: &str) -> String {
    let bare = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        s.to_string()
    } else {
        string(s)
    }
}

/// The declaration of one column's type, as a hint proposes it:
/// `columns = { "Order Date" = "date" }`.
pub fn declaration(column: &str, ty: DataType) -> String {
    format!("columns = {{ {} = \"{}\" }}", key(column), ty.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declaration_quotes_a_key_that_is_not_a_bare_word() {
        assert_eq!(
            declaration("closed_at", DataType::Date),
            "columns = { closed_at = \"date\" }"
        );
        let spaced = declaration("Order Date", DataType::Date);
        assert_eq!(spaced, "columns = { \"Order Date\" = \"date\" }");
        let parsed: toml::Table = toml::from_str(&spaced).expect("valid TOML");
        assert_eq!(parsed["columns"]["Order Date"].as_str(), Some("date"));
    }
}
