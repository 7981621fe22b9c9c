//! The letter forms as sent — drafting (kind, reason, language, a supervisor's justification), the
//! wording of a draft, and the admin's settings — and their conversion into domain values, every
//! problem at once.

use std::collections::HashMap;

use serde::Deserialize;

use super::domain::{
    BODY_MAX, Content, Kind, KindSettings, Language, NumberFormat, Reason, SUBJECT_MAX,
    parse_kind_code, parse_response_days,
};
use super::repo::LetterRow;
use super::service::DraftInput;
use crate::web::forms::{
    FieldErrors, multiline_text, optional_text, required_multiline, required_text,
};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DraftForm {
    pub kind: String,
    pub reason: String,
    pub language: String,
    pub override_note: String,
}

impl TryFrom<&DraftForm> for DraftInput {
    type Error = FieldErrors;

    fn try_from(f: &DraftForm) -> Result<DraftInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = errors.check("kind", Kind::parse(&f.kind));
        let reason = errors.check("reason", Reason::parse(&f.reason));
        let language = errors.check("language", Language::parse(&f.language));
        let note = errors.check("override_note", multiline_text(&f.override_note, 2000));
        errors.finish(|| {
            Some(DraftInput {
                kind: kind?,
                reason: reason?,
                language: language?,
                override_note: note?,
            })
        })
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EditForm {
    pub language: String,
    pub subject_id: String,
    pub subject_en: String,
    pub body_id: String,
    pub body_en: String,
    pub legal_basis: String,
    pub version: i32,
}

impl EditForm {
    /// The form showing a letter's wording as stored.
    pub fn of(l: &LetterRow) -> Self {
        EditForm {
            language: l.content.language.as_str().to_owned(),
            subject_id: l.content.subject_id.clone(),
            subject_en: l.content.subject_en.clone(),
            body_id: l.content.body_id.clone(),
            body_en: l.content.body_en.clone(),
            legal_basis: l.content.legal_basis.clone(),
            version: l.version,
        }
    }
}

/// The wording as typed: each language's subject and body are needed when the letter is in it.
impl TryFrom<&EditForm> for Content {
    type Error = FieldErrors;

    fn try_from(f: &EditForm) -> Result<Content, FieldErrors> {
        let mut errors = FieldErrors::default();
        let language = errors.check("language", Language::parse(&f.language));
        let id = language.is_none_or(Language::has_indonesian);
        let en = language.is_none_or(Language::has_english);
        let text = |raw: &str, needed: bool, max: usize| {
            if needed {
                required_multiline(raw, max)
            } else {
                multiline_text(raw, max)
            }
        };
        let subject_id = errors.check(
            "subject_id",
            text(&f.subject_id, id, SUBJECT_MAX).and_then(|s| optional_text(&s, SUBJECT_MAX)),
        );
        let subject_en = errors.check(
            "subject_en",
            text(&f.subject_en, en, SUBJECT_MAX).and_then(|s| optional_text(&s, SUBJECT_MAX)),
        );
        let body_id = errors.check("body_id", text(&f.body_id, id, BODY_MAX));
        let body_en = errors.check("body_en", text(&f.body_en, en, BODY_MAX));
        let legal_basis = errors.check("legal_basis", multiline_text(&f.legal_basis, 2000));
        errors.finish(|| {
            Some(Content {
                language: language?,
                subject_id: subject_id?,
                subject_en: subject_en?,
                body_id: body_id?,
                body_en: body_en?,
                legal_basis: legal_basis?,
            })
        })
    }
}

/// One kind's settings as sent, with the message of each refused field.
pub struct KindFields {
    pub kind: Kind,
    pub s: KindSettings,
    pub errors: Vec<(&'static str, &'static str)>,
}

impl KindFields {
    pub fn error(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, k)| *k)
    }
}

/// The admin's letter settings as sent: the number format and, per kind, fields named
/// `<field>_<kind>` (`code_warning_1`, `body_en_notification` …).
pub struct SettingsForm {
    pub version: i32,
    pub number_format: String,
    pub format: Result<NumberFormat, &'static str>,
    pub kinds: Vec<KindFields>,
}

impl From<&HashMap<String, String>> for SettingsForm {
    fn from(form: &HashMap<String, String>) -> SettingsForm {
        let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
        let mut kinds: Vec<KindFields> = Kind::ALL
            .iter()
            .map(|k| {
                let name = |f: &str| format!("{f}_{}", k.as_str());
                let mut errors = Vec::new();
                // A refused field keeps what was typed, to be shown again with its message.
                let mut take = |f: &'static str, r: Result<String, &'static str>| {
                    r.unwrap_or_else(|e| {
                        errors.push((f, e));
                        field(&name(f)).to_owned()
                    })
                };
                let code = take("code", parse_kind_code(field(&name("code"))));
                let legal_basis = take(
                    "legal_basis",
                    multiline_text(field(&name("legal_basis")), 2000),
                );
                let subject_id = take(
                    "subject_id",
                    required_text(field(&name("subject_id")), SUBJECT_MAX),
                );
                let subject_en = take(
                    "subject_en",
                    required_text(field(&name("subject_en")), SUBJECT_MAX),
                );
                let body_id = take(
                    "body_id",
                    required_multiline(field(&name("body_id")), BODY_MAX),
                );
                let body_en = take(
                    "body_en",
                    required_multiline(field(&name("body_en")), BODY_MAX),
                );
                let response_days = parse_response_days(field(&name("response_days")))
                    .unwrap_or_else(|e| {
                        errors.push(("response_days", e));
                        k.defaults().response_days
                    });
                KindFields {
                    kind: *k,
                    s: KindSettings {
                        code,
                        response_days,
                        legal_basis,
                        subject_id,
                        subject_en,
                        body_id,
                        body_en,
                    },
                    errors,
                }
            })
            .collect();
        // Two kinds with one code would print the same number for different letters.
        for i in 1..kinds.len() {
            let taken = kinds[..i].iter().any(|k| k.s.code == kinds[i].s.code);
            if taken && kinds[i].error("code").is_none() {
                kinds[i].errors.push(("code", "letter.kind_code_taken"));
            }
        }
        let number_format = field("number_format").to_owned();
        SettingsForm {
            version: field("version").trim().parse().unwrap_or(-1),
            format: NumberFormat::parse(&number_format),
            number_format,
            kinds,
        }
    }
}

impl SettingsForm {
    /// The settings to save, when nothing was refused.
    pub fn valid(&self) -> Option<(NumberFormat, Vec<(Kind, KindSettings)>)> {
        let format = self.format.clone().ok()?;
        if self.kinds.iter().any(|k| !k.errors.is_empty()) {
            return None;
        }
        Some((
            format,
            self.kinds.iter().map(|k| (k.kind, k.s.clone())).collect(),
        ))
    }

    /// The first warning's code as typed, for the example number.
    pub fn warning_code(&self) -> &str {
        self.kinds
            .iter()
            .find(|k| k.kind == Kind::Warning1)
            .map(|k| k.s.code.as_str())
            .unwrap_or_default()
    }
}
