//! How recorded changes read for people, on the audit log, in an employer's history and beside a
//! form someone else saved first.

use super::domain::{FieldChange, field_label_key, flatten, value_label_key};
use crate::web::i18n::Lang;

/// Changed fields with their names, and coded values such as a stage, translated.
pub fn field_changes(lang: Lang, changes: &serde_json::Value) -> Vec<FieldChange> {
    flatten(changes)
        .into_iter()
        .map(|c| FieldChange {
            old: label(lang, value_label_key(&c.field, &c.old), c.old),
            new: label(lang, value_label_key(&c.field, &c.new), c.new),
            field: label(lang, field_label_key(&c.field), c.field),
        })
        .collect()
}

/// A translated label where the catalog has one, the code itself otherwise.
pub fn label(lang: Lang, key: Option<&'static str>, code: String) -> String {
    key.map(|k| lang.t(k).to_owned()).unwrap_or(code)
}
