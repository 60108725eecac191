//! `kpi catalog`: the documentation of the reporting system, generated from the configuration —
//! per report its audience and KPIs, per KPI its definition, per source its dialect and the
//! columns the KPIs use.
//!
//! The data files are not opened: the catalog documents what is configured, so it can be built
//! where the exports are not. What to say is decided here, once, as [`Piece`]s; `markdown.rs` and
//! `html.rs` only decide how it is written.

mod fields;
pub mod html;
pub mod markdown;
mod sources;

pub use fields::{ColumnDoc, Field};

use crate::config::{Config, Kpi, Report, Source};

/// The output formats of `kpi catalog`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
}

/// A bit of text as the renderers write it: plain, code, or a link within the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    Code(String),
    Link { anchor: String, text: String },
}

/// What the catalog covers: every report, KPI and source, or one report's.
#[derive(Debug)]
pub struct Catalog<'a> {
    pub config: &'a Config,
    /// `--report ID`: the catalog of that report alone.
    pub scope: Option<&'a Report>,
    pub reports: Vec<&'a Report>,
    /// In the report's order (its KPIs, then the KPIs they are derived from), else the file's.
    pub kpis: Vec<&'a Kpi>,
    pub sources: Vec<&'a Source>,
}

/// The whole catalog, or `report`'s; an unknown report is an error that lists the known ones.
pub fn select<'a>(config: &'a Config, report: Option<&str>) -> Result<Catalog<'a>, String> {
    let Some(id) = report else {
        return Ok(Catalog {
            config,
            scope: None,
            reports: config.reports.iter().collect(),
            kpis: config.kpis.iter().collect(),
            sources: config.sources.iter().collect(),
        });
    };
    let Some(report) = config.reports.iter().find(|r| r.id == id) else {
        let known: Vec<&str> = config.reports.iter().map(|r| r.id.as_str()).collect();
        return Err(format!(
            "unknown report `{id}` (reports: {})",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ));
    };
    let kpis = with_inputs(config, &report.kpis);
    // A derived KPI has no source of its own: its inputs bring theirs.
    let sources = config
        .sources
        .iter()
        .filter(|s| kpis.iter().any(|k| k.source.as_deref() == Some(&s.name)))
        .collect();
    Ok(Catalog {
        config,
        scope: Some(report),
        reports: vec![report],
        kpis,
        sources,
    })
}

/// The KPIs of `ids`, then every KPI they are derived from (transitively), each once: a reader
/// of a derived KPI needs its inputs' definitions.
fn with_inputs<'a>(config: &'a Config, ids: &[String]) -> Vec<&'a Kpi> {
    let mut wanted: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut i = 0;
    while i < wanted.len() {
        if let Some(kpi) = config.kpi(wanted[i]) {
            for input in &kpi.uses {
                if !wanted.contains(&input.as_str()) {
                    wanted.push(input);
                }
            }
        }
        i += 1;
    }
    let (listed, inputs) = wanted.split_at(ids.len().min(wanted.len()));
    let mut kpis: Vec<&Kpi> = listed.iter().filter_map(|id| config.kpi(id)).collect();
    kpis.extend(
        config
            .kpis
            .iter()
            .filter(|k| inputs.contains(&k.id.as_str())),
    );
    kpis
}

/// Renders the catalog; the text ends with a newline.
pub fn render(catalog: &Catalog, format: Format) -> String {
    match format {
        Format::Markdown => markdown::render(catalog),
        Format::Html => html::render(catalog),
    }
}

impl Catalog<'_> {
    /// "Direction — monthly review", or "KPI catalog" for the whole configuration.
    pub fn title(&self) -> String {
        match self.scope {
            Some(report) => format!("KPI catalog: {}", one_line(&report.title)),
            None => "KPI catalog".to_string(),
        }
    }

    /// "Generated from kpis.toml: 18 KPIs in 5 reports, over 7 sources."
    pub fn summary(&self) -> Vec<Piece> {
        vec![
            Piece::Text("Generated from ".into()),
            Piece::Code(self.config.path.display().to_string()),
            Piece::Text(format!(
                ": {} in {}, over {}.",
                count(self.kpis.len(), "KPI"),
                count(self.reports.len(), "report"),
                count(self.sources.len(), "source")
            )),
        ]
    }

    fn has_kpi(&self, id: &str) -> bool {
        self.kpis.iter().any(|k| k.id == id)
    }

    /// A link to the KPI's section, or its id in code when it is not in this catalog.
    pub fn kpi_link(&self, id: &str, text: &str) -> Piece {
        if self.has_kpi(id) {
            Piece::Link {
                anchor: anchor("kpi", id),
                text: text.to_string(),
            }
        } else {
            Piece::Code(id.to_string())
        }
    }

    pub fn source_link(&self, name: &str) -> Piece {
        if self.sources.iter().any(|s| s.name == name) {
            Piece::Link {
                anchor: anchor("source", name),
                text: name.to_string(),
            }
        } else {
            Piece::Code(name.to_string())
        }
    }

    pub fn report_link(&self, report: &Report) -> Piece {
        if self.reports.iter().any(|r| r.id == report.id) {
            Piece::Link {
                anchor: anchor("report", &report.id),
                text: one_line(&report.title),
            }
        } else {
            Piece::Text(one_line(&report.title))
        }
    }
}

/// The id of a section: `kpi-win_rate`, `source-tickets`, `report-direction-monthly`. Report ids
/// are free text, so anything but letters, digits, `_` and `-` becomes `-`.
pub fn anchor(kind: &str, id: &str) -> String {
    let id: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{kind}-{id}")
}

/// Free text on one line: a multi-line TOML string would break a heading or a table row.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
pub(crate) mod fixture;

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(catalog: &Catalog) -> Vec<String> {
        catalog.kpis.iter().map(|k| k.id.clone()).collect()
    }

    #[test]
    fn a_report_brings_its_kpis_then_their_inputs() {
        let config = fixture::config();
        let sales = select(&config, Some("sales")).unwrap();
        assert_eq!(ids(&sales), ["deal_size", "revenue", "deals_won"]);
        let names: Vec<&str> = sales.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["deals"]);
        assert_eq!(sales.reports.len(), 1);
        let all = select(&config, None).unwrap();
        assert_eq!(all.kpis.len(), 4);
        assert_eq!(all.sources.len(), 2);
    }

    #[test]
    fn an_unknown_report_lists_the_known_ones() {
        let config = fixture::config();
        let err = select(&config, Some("nope")).unwrap_err();
        assert_eq!(err, "unknown report `nope` (reports: sales, support)");
    }

    #[test]
    fn links_point_only_at_sections_of_the_page() {
        let config = fixture::config();
        let sales = select(&config, Some("sales")).unwrap();
        assert_eq!(
            sales.kpi_link("open_tickets", "x"),
            Piece::Code("open_tickets".into())
        );
        assert_eq!(
            sales.kpi_link("revenue", "Revenue"),
            Piece::Link {
                anchor: "kpi-revenue".into(),
                text: "Revenue".into()
            }
        );
        assert_eq!(
            anchor("report", "Direction Monthly/2"),
            "report-direction-monthly-2"
        );
    }
}
