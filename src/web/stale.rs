//! A stale edit: someone saved the record after this person opened the form. Nothing of theirs is
//! written; the form comes back (409) holding what they typed, with the record's current version, and
//! above it every field where what is saved now differs from what they sent — so they can check the
//! other change and save their own again, without retyping it.

use crate::audit::Changes;
use crate::audit::domain::FieldChange;
use crate::audit::views::field_changes;
use crate::web::i18n::Lang;

pub struct StaleEdit {
    /// `old` is what is saved now, `new` what this person sent.
    pub differences: Vec<FieldChange>,
}

impl StaleEdit {
    /// `saved_vs_yours` records each field as saved now (old) and as sent (new), the way the audit
    /// trail records an edit; fields that agree are left out by `Changes` itself.
    pub fn new(lang: Lang, saved_vs_yours: Changes) -> Self {
        StaleEdit {
            differences: field_changes(lang, &saved_vs_yours.into_value()),
        }
    }
}
