//! Text from the data or the configuration, made safe inside HTML and XML: in an element or a
//! quoted attribute. Shared by the HTML report, the catalog and the JUnit output.

/// `&`, `<`, `>`, quotes escaped; control characters other than tab and line ends (which XML 1.0
/// forbids) become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_and_control_characters_are_neutralised() {
        assert_eq!(
            super::escape("<b a=\"x\">'&'\u{1b}[31m\n"),
            "&lt;b a=&quot;x&quot;&gt;&#39;&amp;&#39; [31m\n"
        );
    }
}
