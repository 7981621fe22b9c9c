//! Key-person values (docs/domain.md, "Key persons"): level, roles, influence, the legal basis for
//! holding their data, and the fields a form sets.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::domain::joined;
use crate::text_enum;

text_enum!(Level, "key_person.level_invalid", {
    Bod = "bod" => "level.bod",
    BodMinusOne = "bod_minus_one" => "level.bod_minus_one",
    Manager = "manager" => "level.manager",
    Staff = "staff" => "level.staff",
});

impl Level {
    /// Board and BOD-minus-one people are the decision makers RMs must meet every month.
    pub fn is_decision_level(self) -> bool {
        matches!(self, Level::Bod | Level::BodMinusOne)
    }
}

text_enum!(KpRole, "key_person.role_invalid", {
    DecisionMaker = "decision_maker" => "kp_role.decision_maker",
    Champion = "champion" => "kp_role.champion",
    Gatekeeper = "gatekeeper" => "kp_role.gatekeeper",
    Finance = "finance" => "kp_role.finance",
    Hr = "hr" => "kp_role.hr",
});

text_enum!(LegalBasis, "key_person.legal_basis_invalid", {
    PublicTask = "public_task" => "legal_basis.public_task",
    LegitimateInterest = "legitimate_interest" => "legal_basis.legitimate_interest",
    Consent = "consent" => "legal_basis.consent",
});

/// How much a person sways the employer's decisions, 1 (little) to 5 (decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Influence(i16);

impl Influence {
    /// Where a person starts before anyone judged their sway.
    pub const DEFAULT: Influence = Influence(3);

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        match raw.trim().parse::<i16>() {
            Ok(n @ 1..=5) => Ok(Influence(n)),
            _ => Err("key_person.influence_invalid"),
        }
    }

    pub fn get(self) -> i16 {
        self.0
    }
}

/// What the key-person form sets. It serialises as the audit trail records it; `Recorded` adds the
/// manager by name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KeyPersonFields {
    pub full_name: String,
    pub position_title: String,
    pub level: Level,
    pub department: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub influence: i16,
    #[serde(serialize_with = "joined")]
    pub roles: Vec<KpRole>,
    #[serde(rename = "primary")]
    pub is_primary: bool,
    #[serde(skip)]
    pub reports_to_id: Option<Uuid>,
    pub active_since: Option<NaiveDate>,
    pub legal_basis: LegalBasis,
    pub consent_at: Option<DateTime<Utc>>,
    pub source: String,
}

impl KeyPersonFields {
    /// Someone met at a meeting and added from the meeting form: a name, a title and a level; the
    /// rest is filled in later on their own form.
    pub fn met_at_meeting(
        full_name: String,
        position_title: String,
        level: Level,
        source: String,
    ) -> Self {
        KeyPersonFields {
            full_name,
            position_title,
            level,
            department: String::new(),
            email: None,
            phone: None,
            influence: Influence::DEFAULT.get(),
            roles: Vec::new(),
            is_primary: false,
            reports_to_id: None,
            active_since: None,
            legal_basis: LegalBasis::LegitimateInterest,
            consent_at: None,
            source,
        }
    }
}

/// A key person's fields as their history records them: the manager by name.
#[derive(Serialize)]
pub struct Recorded<'a> {
    #[serde(flatten)]
    pub fields: &'a KeyPersonFields,
    pub reports_to: Option<String>,
}

/// A person leaving their employer: when, why, and where they went (as text, or as the key-person
/// record at their new employer).
#[derive(Clone, Debug, PartialEq)]
pub struct Departure {
    pub left_on: NaiveDate,
    pub reason: String,
    pub moved_to_text: String,
    pub moved_to_id: Option<Uuid>,
}

/// The name, email and phone an erased person's record and history keep instead of theirs.
pub const ERASED: &str = "[dihapus / erased]";

/// Does any current key person sit at BOD or BOD-1 level? Without one the employer has nobody the
/// monthly BOD-1 meeting can be held with, and the employer page warns.
pub fn has_decision_level_contact(levels: impl IntoIterator<Item = Level>) -> bool {
    levels.into_iter().any(Level::is_decision_level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn influence_is_one_to_five() {
        assert_eq!(Influence::parse(" 4 ").unwrap().get(), 4);
        for bad in ["0", "6", "", "x", "-1"] {
            assert!(Influence::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn decision_levels() {
        assert!(has_decision_level_contact([
            Level::Staff,
            Level::BodMinusOne
        ]));
        assert!(!has_decision_level_contact([Level::Manager, Level::Staff]));
        assert!(!has_decision_level_contact([]));
    }

    #[test]
    fn every_value_has_a_label_in_the_catalogs() {
        let keys = Level::ALL
            .iter()
            .map(|v| v.label_key())
            .chain(KpRole::ALL.iter().map(|v| v.label_key()))
            .chain(LegalBasis::ALL.iter().map(|v| v.label_key()));
        for key in keys {
            assert!(crate::web::i18n::is_known_key(key), "{key}");
        }
    }
}
