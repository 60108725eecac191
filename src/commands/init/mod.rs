//! `kpi init CSV...`: a starter `kpis.toml` from CSV exports — a source per file with the
//! dialect and column types detected in it, and a few suggested KPIs to edit.
//!
//! `profile.rs` reads a file (`dates.rs` decides its date format, `names.rs` what its column
//! names say), `suggest.rs` proposes KPIs, `toml.rs` writes the text; this file
//! decides names and paths, refuses to overwrite, and writes the file whole or not at all.

mod dates;
mod names;
mod profile;
mod suggest;
#[cfg(test)]
mod tests;
mod toml;

use super::emit;
use crate::cli::InitArgs;
use crate::error::{usage, Error, Kind, Outcome, ResultExt};
use std::path::{Path, PathBuf};
use toml::Planned;

/// Where the configuration goes: where `kpi` looks for it first.
const CONFIG: &str = "kpis.toml";

pub fn init(args: &InitArgs) -> Result<Outcome, Error> {
    let target = Path::new(CONFIG);
    if target.exists() && !args.force {
        return Err(usage(format!(
            "{CONFIG} exists already: kpi init does not overwrite it\n  \
             hint: pass --force to replace it, or run kpi init in another folder"
        )));
    }
    let cwd = std::env::current_dir().ok();
    let mut planned: Vec<Planned> = Vec::new();
    for file in &args.files {
        let profile = profile::profile(file).kind(Kind::Data)?;
        let taken: Vec<String> = planned.iter().map(|p| p.name.clone()).collect();
        let name = suggest::unique(&source_name(file), &taken);
        let kpis: Vec<String> = planned
            .iter()
            .flat_map(|p| p.kpis.iter().map(|k| k.id.clone()))
            .collect();
        let file_name = file
            .file_name()
            .map_or(name.clone(), |f| f.to_string_lossy().into_owned());
        planned.push(Planned {
            kpis: suggest::suggest(&name, &file_name, &profile, &kpis),
            path: config_path(file, cwd.as_deref()),
            name,
            profile,
        });
    }
    let text = toml::render(&planned);
    crate::output::write_atomic(target, text.as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot write {CONFIG}: {e}"))
        .kind(Kind::Archive)?;
    let kpis: usize = planned.iter().map(|p| p.kpis.len()).sum();
    emit(
        &format!(
            "wrote {CONFIG}: {}, {}\n",
            count(planned.len(), "source"),
            count(kpis, "KPI")
        ),
        None,
    )?;
    Ok(Outcome::Success)
}

/// The file's stem as a source name: `Export CRM 2026.csv` → `export_crm_2026`.
/// The file's name without its extensions of compression and format: `orders.csv.gz` is
/// `orders`.
fn source_name(file: &Path) -> String {
    let name = file.file_name().map(|s| s.to_string_lossy().into_owned());
    let mut name = name.unwrap_or_default();
    for extension in [".gz", ".zst"] {
        if let Some(stem) = name.strip_suffix(extension) {
            name = stem.to_string();
        }
    }
    let stem = Path::new(&name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned());
    suggest::sanitise(&stem.unwrap_or_default())
}

/// The path as the configuration will read it: relative to the current folder (where
/// kpis.toml goes) when it is inside it, and with glob characters escaped, since a source's
/// path may be a pattern.
fn config_path(file: &Path, cwd: Option<&Path>) -> String {
    let relative: PathBuf = match cwd {
        Some(cwd) if file.is_absolute() => file.strip_prefix(cwd).unwrap_or(file).to_path_buf(),
        _ => file.to_path_buf(),
    };
    let text = relative.to_string_lossy().into_owned();
    if text.contains(['*', '?', '[']) {
        glob::Pattern::escape(&text)
    } else {
        text
    }
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
