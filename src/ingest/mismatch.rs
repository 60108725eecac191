//! Columns the configuration names, found in a file's header: one that is not there is the
//! configuration's fault ([`ConfigMismatch`], exit 3), not the data's.

use anyhow::Result;

/// A column the configuration names is not in the file: the configuration's fault (exit 3),
/// unlike an unreadable file (exit 4). Callers tell them apart with [`is_config_mismatch`].
#[derive(Debug)]
pub struct ConfigMismatch(pub String);

impl std::fmt::Display for ConfigMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigMismatch {}

/// Whether an error (from `Schema::open`, say) is a configuration mismatch.
pub fn is_config_mismatch(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.is::<ConfigMismatch>())
}

/// A configuration mismatch with a hint added, still a mismatch; other errors as they are.
pub fn mismatch_with_hint(error: anyhow::Error, hint: Option<&str>) -> anyhow::Error {
    match hint {
        Some(hint) if is_config_mismatch(&error) => {
            anyhow::Error::new(ConfigMismatch(format!("{error:#}\n  hint: {hint}")))
        }
        _ => error,
    }
}

pub fn find_column(header: &[String], name: &str, source: &str, what: &str) -> Result<usize> {
    header
        .iter()
        .position(|h| h == name)
        .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
        .ok_or_else(|| {
            anyhow::Error::new(ConfigMismatch(format!(
                "source `{source}`: {what}: unknown column `{name}` (columns: {})",
                header.join(", ")
            )))
        })
}
