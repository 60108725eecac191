//! Booleans in English and French: `true/false`, `yes/no`, `oui/non`, `vrai/faux`, their
//! one-letter and digit forms, in any case, compared without allocating.

/// Parses `true/false`, `t/f`, `yes/no`, `y/n`, `1/0`, `oui/non`, `vrai/faux`, in any case.
pub fn parse_bool(s: &str) -> Option<bool> {
    bool_word(s.trim())
}

pub(super) fn bool_word(s: &str) -> Option<bool> {
    let b = s.as_bytes();
    let mut lower = [0u8; 5];
    let lower = lower.get_mut(..b.len())?;
    for (l, c) in lower.iter_mut().zip(b) {
        *l = c.to_ascii_lowercase();
    }
    match &*lower {
        b"true" | b"t" | b"yes" | b"y" | b"1" | b"oui" | b"vrai" => Some(true),
        b"false" | b"f" | b"no" | b"n" | b"0" | b"non" | b"faux" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_in_english_and_french() {
        let cases = [
            ("true", Some(true)),
            ("TRUE", Some(true)),
            ("t", Some(true)),
            ("Yes", Some(true)),
            ("y", Some(true)),
            ("1", Some(true)),
            ("oui", Some(true)),
            ("Vrai", Some(true)),
            ("false", Some(false)),
            ("F", Some(false)),
            ("no", Some(false)),
            ("N", Some(false)),
            ("0", Some(false)),
            ("NON", Some(false)),
            ("faux", Some(false)),
            (" yes ", Some(true)),
            ("truthy", None),
            ("2", None),
            ("", None),
            ("ja", None),
            ("é", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_bool(text), expected, "{text:?}");
        }
    }
}
