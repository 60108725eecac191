//! The catalog as GitHub-flavoured Markdown: a section per report, KPI and source, each with an
//! explicit anchor (`<a id="kpi-win_rate">`) so that links survive renamed titles.

use super::{anchor, one_line, Catalog, Field, Piece};
use crate::config::{Kpi, Report, Source};

/// The catalog as Markdown, ending with a newline.
pub fn render(catalog: &Catalog) -> String {
    let mut out = format!("# {}\n\n", text(&catalog.title()));
    out.push_str(&format!("{}\n\n", line(&catalog.summary())));
    out.push_str("- [Reports](#reports)\n- [KPIs](#kpis)\n- [Sources](#sources)\n");
    out.push_str("\n## Reports\n");
    for report in &catalog.reports {
        out.push_str(&self::report(catalog, report));
    }
    if catalog.reports.is_empty() {
        out.push_str("\nNo report is defined.\n");
    }
    out.push_str("\n## KPIs\n\n");
    out.push_str(&kpi_table(catalog, &catalog.kpis));
    for kpi in &catalog.kpis {
        out.push_str(&self::kpi(catalog, kpi));
    }
    out.push_str("\n## Sources\n");
    for source in &catalog.sources {
        out.push_str(&self::source(catalog, source));
    }
    out
}

fn heading(level: usize, id: &str, title: &str) -> String {
    format!(
        "\n{} <a id=\"{id}\"></a>{}\n\n",
        "#".repeat(level),
        text(title)
    )
}

fn report(catalog: &Catalog, report: &Report) -> String {
    let mut out = heading(3, &anchor("report", &report.id), &one_line(&report.title));
    if let Some(description) = &report.description {
        out.push_str(&format!("{}\n\n", text(&one_line(description))));
    }
    out.push_str(&fields(&catalog.report_fields(report)));
    let kpis: Vec<&Kpi> = report
        .kpis
        .iter()
        .filter_map(|id| catalog.config.kpi(id))
        .collect();
    out.push('\n');
    out.push_str(&kpi_table(catalog, &kpis));
    out
}

/// The KPIs as a table: name (linked), id, source, frequency, owner.
fn kpi_table(catalog: &Catalog, kpis: &[&Kpi]) -> String {
    if kpis.is_empty() {
        return "No KPI.\n".to_string();
    }
    let mut out = String::from("| KPI | ID | Source | Frequency | Owner |\n");
    out.push_str("| --- | --- | --- | --- | --- |\n");
    for kpi in kpis {
        out.push_str(&row(&catalog.kpi_row(kpi)));
    }
    out
}

fn kpi(catalog: &Catalog, kpi: &Kpi) -> String {
    let mut out = heading(3, &anchor("kpi", &kpi.id), &one_line(&kpi.name));
    if let Some(description) = &kpi.description {
        out.push_str(&format!("{}\n\n", text(&one_line(description))));
    }
    out.push_str(&fence(&kpi.formula.text, "sql"));
    out.push('\n');
    out.push_str(&fields(&catalog.kpi_fields(kpi)));
    out
}

fn source(catalog: &Catalog, source: &Source) -> String {
    let mut out = heading(3, &anchor("source", &source.name), &source.name);
    out.push_str(&fields(&catalog.source_fields(source)));
    let columns = catalog.columns(source);
    if columns.is_empty() {
        return out;
    }
    out.push_str("\n| Column | Type | Used by |\n| --- | --- | --- |\n");
    for column in columns {
        out.push_str(&row(&[
            vec![Piece::Code(column.name)],
            column.kind,
            column.used_by,
        ]));
    }
    out
}

/// `- **Owner:** Sales director`, one a line.
fn fields(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| format!("- **{}:** {}\n", f.label, line(&f.value)))
        .collect()
}

fn row(cells: &[Vec<Piece>]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| pieces(c, true)).collect();
    format!("| {} |\n", cells.join(" | "))
}

fn line(line: &[Piece]) -> String {
    pieces(line, false)
}

/// In a table cell, a pipe is escaped even inside code (GFM splits the row on it first); text
/// has it escaped already.
fn pieces(pieces: &[Piece], in_table: bool) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => text(t),
            Piece::Code(c) if in_table => code(c).replace('|', "\\|"),
            Piece::Code(c) => code(c),
            Piece::Link { anchor, text: t } => format!("[{}](#{anchor})", text(t)),
        })
        .collect()
}

/// Text with the characters that Markdown would read as markup escaped. An underscore inside a
/// word (`won_accounts`) is left alone: GFM never reads it as emphasis, and ids stay readable.
fn text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let in_word = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_alphanumeric())
        };
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' => true,
            '_' => !(in_word(i.checked_sub(1)) && in_word(Some(i + 1))),
            '#' => i == 0,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Inline code that may itself hold backticks: the fence is one longer than its longest run.
fn code(s: &str) -> String {
    let s = one_line(s);
    let ticks = "`".repeat(longest_run(&s, '`') + 1);
    if s.starts_with('`') || s.ends_with('`') {
        format!("{ticks} {s} {ticks}")
    } else {
        format!("{ticks}{s}{ticks}")
    }
}

/// A fenced code block, its fence longer than any run of backticks inside.
fn fence(s: &str, lang: &str) -> String {
    let ticks = "`".repeat(longest_run(s, '`').max(2) + 1);
    format!("{ticks}{lang}\n{}\n{ticks}\n", s.trim())
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in s.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::super::{fixture, select};
    use super::*;

    #[test]
    fn escapes_markup_in_free_text() {
        assert_eq!(
            text("a_b *c* [d] <e> | #f _g_"),
            r"a_b \*c\* \[d\] \<e\> \| #f \_g\_"
        );
        assert_eq!(text("#1"), r"\#1");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(fence("a ``` b", "sql"), "````sql\na ``` b\n````\n");
    }

    #[test]
    fn sections_have_anchors_and_links_between_them() {
        let config = fixture::config();
        let out = render(&select(&config, None).unwrap());
        assert!(out.starts_with(
            "# KPI catalog\n\nGenerated from `kpis.toml`: 4 KPIs in 2 reports, over 2 sources.\n"
        ));
        assert!(out.contains("\n### <a id=\"kpi-revenue\"></a>Revenue \\<won\\> & \\| booked\n"));
        assert!(out.contains("\n### <a id=\"source-deals\"></a>deals\n"));
        assert!(out.contains("- **Source:** derived from [Revenue \\<won\\> & \\| booked](#kpi-revenue), [deals_won](#kpi-deals_won)\n"));
        assert!(out.contains("- **Reports:** [Sales review](#report-sales)\n"));
        // A pipe inside a table cell is escaped, or the row would gain a column.
        assert!(out.contains("| [Revenue \\<won\\> & \\| booked](#kpi-revenue) |"));
        assert!(out.ends_with("|\n"));
    }

    #[test]
    fn describes_the_dialect_as_configured() {
        let config = fixture::config();
        let out = render(&select(&config, None).unwrap());
        assert!(out.contains(
            "- **Dialect:** delimiter `;`, decimal `,`, windows-1252, dates `%d/%m/%Y`\n"
        ));
        assert!(out.contains(
            "- **Dialect:** delimiter auto-detected, decimal `.`, utf-8, ISO 8601 dates\n"
        ));
    }
}
