//! Form helpers: messages beside fields, the same way on every form.

/// The version a page was rendered with, for archive/restore buttons and other one-click changes that
/// must not apply to a record someone else changed meanwhile.
#[derive(serde::Deserialize)]
pub struct VersionForm {
    pub version: i32,
}

/// One option of a select or checkbox group: the value sent, the label shown, whether it is chosen.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A one-click action that cannot be taken back (disabling a person, resetting a password, erasing
/// personal data) asks for a ticked box first; browsers enforce it with `required`, this checks it.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    pub confirm: String,
    pub version: i32,
}

impl ConfirmForm {
    pub fn confirmed(&self) -> bool {
        self.confirm == "yes"
    }
}

/// Field name → catalog key of the message shown beside it.
#[derive(Default, Debug)]
pub struct FieldErrors(Vec<(&'static str, &'static str)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, key: &'static str) {
        self.0.push((field, key));
    }

    /// Records the error of a parse result and returns its value, so a form converts every field and
    /// reports every problem at once.
    pub fn check<T>(&mut self, field: &'static str, result: Result<T, &'static str>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(key) => {
                self.add(field, key);
                None
            }
        }
    }

    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, k)| *k)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Trimmed one-line text (an `<input>`) that must not be empty and must fit `max` characters.
pub fn required_text(raw: &str, max: usize) -> Result<String, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("error.required");
    }
    optional_text(s, max)
}

/// Trimmed one-line text, possibly empty, at most `max` characters. No control character belongs in
/// one line (a browser's `<input>` cannot produce one), nor the invisible characters that reorder
/// text for display: they are refused with a message, never stored.
pub fn optional_text(raw: &str, max: usize) -> Result<String, &'static str> {
    let s = raw.trim();
    if s.chars().any(|c| c.is_control() || is_refused_character(c)) {
        return Err("error.invalid_characters");
    }
    within(s.to_owned(), max)
}

/// Trimmed text of several lines (a `<textarea>`), possibly empty, at most `max` characters. Line
/// ends are stored as LF whatever the browser sent (CR LF, or a lone CR, which calendar files and
/// exports would otherwise carry as a line break of their own); a tab becomes a space; any other
/// control character is refused.
pub fn multiline_text(raw: &str, max: usize) -> Result<String, &'static str> {
    let s = raw
        .trim()
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\t', " ");
    if s.chars()
        .any(|c| (c.is_control() && c != '\n') || is_refused_character(c))
    {
        return Err("error.invalid_characters");
    }
    within(s, max)
}

/// Like `multiline_text`, and not empty.
pub fn required_multiline(raw: &str, max: usize) -> Result<String, &'static str> {
    if raw.trim().is_empty() {
        return Err("error.required");
    }
    multiline_text(raw, max)
}

fn within(s: String, max: usize) -> Result<String, &'static str> {
    if s.chars().count() > max {
        return Err("error.too_long");
    }
    Ok(s)
}

/// Characters refused in any text besides the control characters: the explicit bidirectional
/// formatting characters (U+202A–U+202E, U+2066–U+2069), invisible and able to make a name read
/// differently from what is stored; and U+FFFD, which is what a form body that was not UTF-8 decodes
/// to — the person's text is lost, so it is refused rather than stored.
fn is_refused_character(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FFFD}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_fields_refuse_every_control_character() {
        assert_eq!(required_text("  Jakarta ", 10), Ok("Jakarta".into()));
        assert_eq!(required_text("   ", 10), Err("error.required"));
        assert_eq!(optional_text("abc", 2), Err("error.too_long"));
        for bad in [
            "a\u{0}b",
            "line\nline",
            "a\rb",
            "a\tb",
            "a\u{7f}b",
            "a\u{85}b",
            "a\u{202E}b",
            "x\u{FFFD}y",
        ] {
            assert_eq!(
                optional_text(bad, 20),
                Err("error.invalid_characters"),
                "{bad:?}"
            );
        }
        assert_eq!(
            optional_text("Café Ñusa – 東京", 20),
            Ok("Café Ñusa – 東京".into())
        );
    }

    #[test]
    fn several_lines_keep_their_breaks_as_lf_only() {
        assert_eq!(multiline_text("a\r\nb\rc\nd", 20), Ok("a\nb\nc\nd".into()));
        assert_eq!(multiline_text("a\tb", 20), Ok("a b".into()));
        assert_eq!(multiline_text(" \r\n x \r\n ", 20), Ok("x".into()));
        for bad in ["a\u{0}b", "a\u{1b}[31mb", "a\u{7f}", "a\u{2066}b"] {
            assert_eq!(
                multiline_text(bad, 20),
                Err("error.invalid_characters"),
                "{bad:?}"
            );
        }
        assert_eq!(required_multiline(" \n ", 20), Err("error.required"));
        // The limit counts what is stored.
        assert_eq!(
            multiline_text(&"a\r\n".repeat(5), 9),
            Ok("a\na\na\na\na".into())
        );
    }

    proptest::proptest! {
        #[test]
        fn nothing_stored_carries_a_cr_or_another_control_character(raw in "\\PC*[\\x00-\\x1f]?\\PC*") {
            if let Ok(s) = multiline_text(&raw, 1000) {
                proptest::prop_assert!(!s.chars().any(|c| c.is_control() && c != '\n'));
            }
            if let Ok(s) = optional_text(&raw, 1000) {
                proptest::prop_assert!(!s.chars().any(char::is_control));
            }
        }
    }

    #[test]
    fn every_error_is_kept() {
        let mut e = FieldErrors::default();
        assert_eq!(e.check("a", Ok::<_, &str>(1)), Some(1));
        assert_eq!(e.check::<i32>("b", Err("error.required")), None);
        assert_eq!(e.check::<i32>("c", Err("error.too_long")), None);
        assert_eq!(e.get("b"), Some("error.required"));
        assert_eq!(e.get("c"), Some("error.too_long"));
        assert!(e.get("a").is_none());
    }
}
