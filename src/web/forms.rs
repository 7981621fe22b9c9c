//! Form helpers: messages beside fields, the same way on every form; the options of selects; the
//! moment a form was sent, for the rules about past and future dates.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::text_enum::TextEnum;
use crate::web::i18n::Lang;

/// The version a page was rendered with, for archive/restore buttons and other one-click changes that
/// must not apply to a record someone else changed meanwhile.
#[derive(Deserialize)]
pub struct VersionForm {
    pub version: i32,
}

/// One option of a select or checkbox group: the value sent, the label shown, whether it is chosen.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    /// Every value of a closed set, translated, with those `chosen` says selected.
    pub fn all<T: TextEnum>(lang: Lang, chosen: impl Fn(T) -> bool) -> Vec<Choice> {
        T::all()
            .iter()
            .map(|v| Choice {
                value: v.code().to_owned(),
                label: lang.t(v.label()).to_owned(),
                selected: chosen(*v),
            })
            .collect()
    }

    /// Every value of a closed set, with the one whose code a form or a URL carries selected (a form
    /// shown again keeps what was sent, even a value it refused).
    pub fn of<T: TextEnum>(lang: Lang, sent: &str) -> Vec<Choice> {
        Choice::all(lang, |v: T| v.code() == sent.trim())
    }

    /// Like `of`, for a checkbox group that sends several codes.
    pub fn of_many<T: TextEnum>(lang: Lang, sent: &[String]) -> Vec<Choice> {
        Choice::all(lang, |v: T| sent.iter().any(|s| s.trim() == v.code()))
    }
}

/// A form as it was sent: its fields, the moment, and the tenant's zone, which rules about past and
/// future dates need ("a revisit date lies ahead", "consent was not given in the future"). Forms turn
/// into their domain values with `TryFrom<Submitted<…>>`, or `TryFrom<&Form>` when no rule needs the
/// time.
pub struct Submitted<'a, F> {
    pub form: &'a F,
    pub now: DateTime<Utc>,
    pub tz: Tz,
}

impl<F> Submitted<'_, F> {
    /// The tenant's date at the moment the form was sent.
    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.tz).date_naive()
    }
}

/// A one-click action that cannot be taken back (disabling a person, resetting a password, erasing
/// personal data) asks for a ticked box first; browsers enforce it with `required`, this checks it.
#[derive(Deserialize, Default)]
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

    /// The value `build` makes of the checked fields when nothing was refused, every message
    /// otherwise. `build` returns None exactly when a field it needs was refused.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, FieldErrors> {
        match build() {
            Some(v) if self.is_empty() => Ok(v),
            _ => {
                debug_assert!(!self.is_empty(), "a refused form without a message");
                Err(self)
            }
        }
    }

    /// A converted form's value, and the messages so far (none when it converted), for handlers that
    /// check more against the database before saving.
    pub fn split<T>(result: Result<T, FieldErrors>) -> (Option<T>, FieldErrors) {
        match result {
            Ok(v) => (Some(v), FieldErrors::default()),
            Err(e) => (None, e),
        }
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

/// An optional value, parsed when present.
pub fn optional<T>(
    raw: &str,
    parse: fn(&str) -> Result<T, &'static str>,
) -> Result<Option<T>, &'static str> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse(raw).map(Some)
    }
}

/// An optional id picked from a list; `error` when it is not one.
pub fn optional_uuid(raw: &str, error: &'static str) -> Result<Option<uuid::Uuid>, &'static str> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        raw.trim().parse().map(Some).map_err(|_| error)
    }
}

/// The years a date typed anywhere may fall in. Nothing Relasi records happened before 1900 or is
/// planned after 2100, and PostgreSQL refuses dates chrono reads (4714 BC and earlier).
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// `d` when its year is in `YEARS`.
pub fn plausible(d: NaiveDate) -> Result<NaiveDate, &'static str> {
    if YEARS.contains(&d.year()) {
        Ok(d)
    } else {
        Err("error.date_range")
    }
}

/// A date typed in a form (`YYYY-MM-DD`, what `<input type="date">` sends); empty is none.
pub fn optional_date(raw: &str) -> Result<Option<NaiveDate>, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| "error.date_invalid")?;
    plausible(d).map(Some)
}

/// A whole number of people, optional.
pub fn optional_count(raw: &str) -> Result<Option<i32>, &'static str> {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| *c != '.' && *c != ',')
        .collect();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i32>() {
        Ok(n) if n >= 0 => Ok(Some(n)),
        _ => Err("error.number_invalid"),
    }
}

fn within(s: String, max: usize) -> Result<String, &'static str> {
    if s.chars().count() > max {
        return Err("error.too_long");
    }
    Ok(s)
}

/// Characters refused in any text besides the control characters: the explicit bidirectional
/// formatting characters (U+202A–U+202E, U+2066–U+2069) and marks (U+200E, U+200F), invisible and
/// able to make a name read differently from what is stored; the zero-width space, word joiner and
/// byte-order mark, which make a name look empty or two names look the same; and U+FFFD, which is what a form body that was not UTF-8 decodes
/// to — the person's text is lost, so it is refused rather than stored.
pub fn is_refused_character(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{2060}' | '\u{FEFF}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FFFD}'
    )
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
