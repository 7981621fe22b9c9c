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

/// Trimmed text that must not be empty and must fit `max` characters.
pub fn required_text(raw: &str, max: usize) -> Result<String, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("error.required");
    }
    optional_text(s, max)
}

/// Trimmed text, possibly empty, at most `max` characters, with no control characters but newlines.
pub fn optional_text(raw: &str, max: usize) -> Result<String, &'static str> {
    let s = raw.trim();
    if s.chars().count() > max {
        return Err("error.too_long");
    }
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err("error.invalid_characters");
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields() {
        assert_eq!(required_text("  Jakarta ", 10), Ok("Jakarta".into()));
        assert_eq!(required_text("   ", 10), Err("error.required"));
        assert_eq!(optional_text("abc", 2), Err("error.too_long"));
        assert_eq!(
            optional_text("a\u{0}b", 10),
            Err("error.invalid_characters")
        );
        assert_eq!(optional_text("line\nline", 20), Ok("line\nline".into()));
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
