//! How a breakdown group is written (`region=EMEA;channel=Web`) in the CSV output, the archive
//! and target files, and read back. Below both the configuration and the result model, which
//! each need it.

/// `region=EMEA;channel=Web`: each (dimension, value) pair, in breakdown order.
pub fn dimensions_label(dimensions: &[(String, String)]) -> String {
    dimensions
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// [`dimensions_label`] read back: `region=EMEA;channel=Web` → its pairs (none for "").
pub fn dimension_pairs(label: &str) -> Vec<(String, String)> {
    if label.is_empty() {
        return vec![];
    }
    label
        .split(';')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) => (name.to_string(), value.to_string()),
            None => (pair.to_string(), String::new()),
        })
        .collect()
}
