//! The catalog as one self-contained HTML page: inline CSS, no script, every text escaped, a
//! section per report, KPI and source with an `id` to link to.

use super::{anchor, one_line, Catalog, Field, Piece};
use crate::config::{Kpi, Report, Source};
use crate::report::escape::escape;

const STYLE: &str = "\
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328;\
max-width:64rem;margin:2rem auto;padding:0 1rem}
h1{margin-bottom:.2rem}
h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2.5rem}
h3{margin:.2rem 0 .6rem}
nav a{margin-right:1rem}
a{color:#0969da;text-decoration:none}
a:hover{text-decoration:underline}
.muted{color:#57606a}
section{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
section:target{border-color:#0969da;box-shadow:0 0 0 2px #ddf4ff}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.6rem 0}
dt{font-weight:600;color:#57606a}
dd{margin:0}
table{border-collapse:collapse;width:100%;margin:.6rem 0}
th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;\
border-radius:4px}
code{padding:.1rem .3rem}
pre{padding:.6rem .8rem;overflow-x:auto;white-space:pre-wrap}
pre code{padding:0}
";

/// The catalog as an HTML page, ending with a newline.
pub fn render(catalog: &Catalog) -> String {
    let title = escape(&catalog.title());
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    );
    out.push_str(&format!(
        "<p class=\"muted\">{}</p>\n",
        line(&catalog.summary())
    ));
    out.push_str(
        "<nav><a href=\"#reports\">Reports</a><a href=\"#kpis\">KPIs</a>\
         <a href=\"#sources\">Sources</a></nav>\n",
    );
    out.push_str("<h2 id=\"reports\">Reports</h2>\n");
    for report in &catalog.reports {
        out.push_str(&self::report(catalog, report));
    }
    if catalog.reports.is_empty() {
        out.push_str("<p class=\"muted\">No report is defined.</p>\n");
    }
    out.push_str("<h2 id=\"kpis\">KPIs</h2>\n");
    out.push_str(&kpi_table(catalog, &catalog.kpis));
    for kpi in &catalog.kpis {
        out.push_str(&self::kpi(catalog, kpi));
    }
    out.push_str("<h2 id=\"sources\">Sources</h2>\n");
    for source in &catalog.sources {
        out.push_str(&self::source(catalog, source));
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn section(id: &str, title: &str) -> String {
    format!(
        "<section id=\"{}\">\n<h3>{}</h3>\n",
        escape(id),
        escape(&one_line(title))
    )
}

fn paragraph(text: &Option<String>) -> String {
    text.as_deref().map_or(String::new(), |t| {
        format!("<p>{}</p>\n", escape(&one_line(t)))
    })
}

fn report(catalog: &Catalog, report: &Report) -> String {
    let mut out = section(&anchor("report", &report.id), &report.title);
    out.push_str(&paragraph(&report.description));
    out.push_str(&fields(&catalog.report_fields(report)));
    let kpis: Vec<&Kpi> = report
        .kpis
        .iter()
        .filter_map(|id| catalog.config.kpi(id))
        .collect();
    out.push_str(&kpi_table(catalog, &kpis));
    out.push_str("</section>\n");
    out
}

/// The KPIs as a table: name (linked), id, source, frequency, owner.
fn kpi_table(catalog: &Catalog, kpis: &[&Kpi]) -> String {
    if kpis.is_empty() {
        return "<p class=\"muted\">No KPI.</p>\n".to_string();
    }
    let mut out = String::from(
        "<table>\n<thead><tr><th>KPI</th><th>ID</th><th>Source</th><th>Frequency</th>\
         <th>Owner</th></tr></thead>\n<tbody>\n",
    );
    for kpi in kpis {
        out.push_str(&row(&catalog.kpi_row(kpi)));
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

fn kpi(catalog: &Catalog, kpi: &Kpi) -> String {
    let mut out = section(&anchor("kpi", &kpi.id), &kpi.name);
    out.push_str(&paragraph(&kpi.description));
    out.push_str(&format!(
        "<pre><code>{}</code></pre>\n",
        escape(kpi.formula.text.trim())
    ));
    out.push_str(&fields(&catalog.kpi_fields(kpi)));
    out.push_str("</section>\n");
    out
}

fn source(catalog: &Catalog, source: &Source) -> String {
    let mut out = section(&anchor("source", &source.name), &source.name);
    out.push_str(&fields(&catalog.source_fields(source)));
    let columns = catalog.columns(source);
    if !columns.is_empty() {
        out.push_str(
            "<table>\n<thead><tr><th>Column</th><th>Type</th><th>Used by</th></tr></thead>\n\
             <tbody>\n",
        );
        for column in columns {
            out.push_str(&row(&[
                vec![Piece::Code(column.name)],
                column.kind,
                column.used_by,
            ]));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
    out
}

fn fields(fields: &[Field]) -> String {
    let mut out = String::from("<dl>\n");
    for f in fields {
        out.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            escape(f.label),
            line(&f.value)
        ));
    }
    out.push_str("</dl>\n");
    out
}

fn row(cells: &[Vec<Piece>]) -> String {
    let cells: String = cells
        .iter()
        .map(|c| format!("<td>{}</td>", line(c)))
        .collect();
    format!("<tr>{cells}</tr>\n")
}

fn line(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => escape(t),
            Piece::Code(c) => format!("<code>{}</code>", escape(&one_line(c))),
            Piece::Link { anchor, text } => {
                format!("<a href=\"#{}\">{}</a>", escape(anchor), escape(text))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{fixture, select};
    use super::*;

    #[test]
    fn escapes_every_text() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        let config = fixture::config();
        let out = render(&select(&config, None).unwrap());
        assert!(out.contains("<h3>Revenue &lt;won&gt; &amp; | booked</h3>"));
        assert!(out
            .contains("<pre><code>sum(amount) FILTER (WHERE stage = &#39;Won&#39;)</code></pre>"));
        assert!(!out.contains("<won>"));
    }

    #[test]
    fn is_one_self_contained_page() {
        let config = fixture::config();
        let out = render(&select(&config, Some("sales")).unwrap());
        assert!(out.starts_with("<!doctype html>\n"));
        assert!(out.ends_with("</body>\n</html>\n"));
        assert!(!out.contains("<script"));
        assert!(!out.contains("src="));
        assert!(out.contains("<title>KPI catalog: Sales review</title>"));
        assert!(out.contains("<section id=\"kpi-deal_size\">"));
        assert!(out.contains("<a href=\"#kpi-revenue\">"));
        // open_tickets is not in the sales report: named, not linked.
        assert!(!out.contains("#kpi-open_tickets"));
        assert_eq!(
            out.matches("<section").count(),
            out.matches("</section>").count()
        );
    }
}
