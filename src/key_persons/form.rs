//! The key-person forms as sent — the person's details, and "left the company" — and their
//! conversion into domain values, reporting every problem at once.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::domain::{Departure, Influence, KeyPersonFields, KpRole, LegalBasis, Level};
use super::repo::KeyPersonRow;
use crate::auth::domain::Email;
use crate::employers::domain::PhoneNumber;
use crate::web::forms::{
    FieldErrors, Submitted, optional, optional_date, optional_text, optional_uuid, required_text,
};

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct PersonForm {
    pub full_name: String,
    pub position_title: String,
    pub level: String,
    pub department: String,
    pub email: String,
    pub phone: String,
    pub influence: String,
    pub roles: Vec<String>,
    pub is_primary: String,
    pub reports_to_id: String,
    pub active_since: String,
    pub legal_basis: String,
    pub consent_at: String,
    pub source: String,
    pub version: i32,
}

/// A local date and time from `<input type="datetime-local">`, in the tenant's zone; empty is none.
fn local_datetime(raw: &str, tz: chrono_tz::Tz) -> Result<Option<DateTime<Utc>>, &'static str> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    crate::meetings::domain::parse_local(raw, tz).map(Some)
}

impl TryFrom<Submitted<'_, PersonForm>> for KeyPersonFields {
    type Error = FieldErrors;

    /// Consent, as a legal basis, needs the moment it was given, not in the future; under another
    /// basis that moment means nothing and is dropped.
    fn try_from(sent: Submitted<'_, PersonForm>) -> Result<Self, FieldErrors> {
        let f = sent.form;
        let mut errors = FieldErrors::default();
        let full_name = errors.check("full_name", required_text(&f.full_name, 200));
        let position = errors.check("position_title", optional_text(&f.position_title, 200));
        let level = errors.check("level", Level::parse(&f.level));
        let department = errors.check("department", optional_text(&f.department, 200));
        let email = errors.check("email", optional(&f.email, Email::parse));
        let phone = errors.check("phone", optional(&f.phone, PhoneNumber::parse));
        let influence = errors.check("influence", Influence::parse(&f.influence));
        let roles = errors.check(
            "roles",
            f.roles
                .iter()
                .map(|r| KpRole::parse(r))
                .collect::<Result<Vec<_>, _>>(),
        );
        let reports_to = errors.check(
            "reports_to_id",
            optional_uuid(&f.reports_to_id, "key_person.reports_to_invalid"),
        );
        let active_since = errors.check("active_since", optional_date(&f.active_since));
        let basis = errors.check("legal_basis", LegalBasis::parse(&f.legal_basis));
        let consent = errors.check("consent_at", local_datetime(&f.consent_at, sent.tz));
        let source = errors.check("source", optional_text(&f.source, 300));
        let consent_at = match (basis, consent) {
            (Some(LegalBasis::Consent), Some(None)) => {
                errors.add("consent_at", "key_person.consent_required");
                None
            }
            (Some(LegalBasis::Consent), Some(Some(at))) if at > sent.now => {
                errors.add("consent_at", "key_person.consent_future");
                None
            }
            (Some(LegalBasis::Consent), Some(at)) => Some(at),
            (Some(_), Some(_)) => Some(None),
            _ => None,
        };
        errors.finish(|| {
            let mut roles = roles?;
            roles.sort_by_key(|r| r.as_str());
            roles.dedup();
            Some(KeyPersonFields {
                full_name: full_name?,
                position_title: position?,
                level: level?,
                department: department?,
                email: email?.map(|e| e.as_str().to_owned()),
                phone: phone?.map(|p| p.as_str().to_owned()),
                influence: influence?.get(),
                roles,
                is_primary: f.is_primary == "1",
                reports_to_id: reports_to?,
                active_since: active_since?,
                legal_basis: basis?,
                consent_at: consent_at?,
                source: source?,
            })
        })
    }
}

impl PersonForm {
    /// A new person's form: BOD-1, of middling influence, held under legitimate interest.
    pub fn new_person() -> Self {
        PersonForm {
            level: Level::BodMinusOne.as_str().into(),
            influence: Influence::DEFAULT.get().to_string(),
            legal_basis: LegalBasis::LegitimateInterest.as_str().into(),
            ..PersonForm::default()
        }
    }

    /// The edit form of a saved person, times in the tenant's zone.
    pub fn of(p: &KeyPersonRow, tz: chrono_tz::Tz) -> Self {
        let f = &p.fields;
        PersonForm {
            full_name: f.full_name.clone(),
            position_title: f.position_title.clone(),
            level: f.level.as_str().to_owned(),
            department: f.department.clone(),
            email: f.email.clone().unwrap_or_default(),
            phone: f.phone.clone().unwrap_or_default(),
            influence: f.influence.to_string(),
            roles: f.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            is_primary: if f.is_primary { "1" } else { "" }.to_owned(),
            reports_to_id: f.reports_to_id.map(|u| u.to_string()).unwrap_or_default(),
            active_since: f.active_since.map(|d| d.to_string()).unwrap_or_default(),
            legal_basis: f.legal_basis.as_str().to_owned(),
            consent_at: f
                .consent_at
                .map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default(),
            source: f.source.clone(),
            version: p.version,
        }
    }
}

/// "Left the company": when, why, and where to.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct LeftForm {
    pub left_on: String,
    pub left_reason: String,
    pub moved_to_text: String,
    pub moved_to_id: String,
    pub version: i32,
}

impl TryFrom<Submitted<'_, LeftForm>> for Departure {
    type Error = FieldErrors;

    /// A departure has happened: its day is today or earlier. The record they moved to is checked
    /// against the database by the caller.
    fn try_from(sent: Submitted<'_, LeftForm>) -> Result<Self, FieldErrors> {
        let f = sent.form;
        let mut errors = FieldErrors::default();
        let left_on = errors.check(
            "left_on",
            match optional_date(&f.left_on) {
                Ok(Some(d)) if d > sent.today() => Err("key_person.left_future"),
                Ok(Some(d)) => Ok(d),
                Ok(None) => Err("error.required"),
                Err(key) => Err(key),
            },
        );
        let reason = errors.check("left_reason", optional_text(&f.left_reason, 500));
        let moved_text = errors.check("moved_to_text", optional_text(&f.moved_to_text, 300));
        let moved_to_id: Option<Uuid> = f.moved_to_id.trim().parse().ok();
        errors.finish(|| {
            Some(Departure {
                left_on: left_on?,
                reason: reason?,
                moved_to_text: moved_text?,
                moved_to_id,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn sent<F>(form: &F) -> Submitted<'_, F> {
        Submitted {
            form,
            now: "2026-11-25T03:00:00Z".parse().unwrap(),
            tz: chrono_tz::Asia::Jakarta,
        }
    }

    fn valid() -> PersonForm {
        PersonForm {
            full_name: " Budi Santoso ".into(),
            email: "Budi@Example.co.id".into(),
            phone: "0812-3456-7890".into(),
            roles: vec!["hr".into(), "champion".into(), "hr".into()],
            is_primary: "1".into(),
            ..PersonForm::new_person()
        }
    }

    #[test]
    fn a_valid_person_becomes_typed_fields() {
        let f = KeyPersonFields::try_from(sent(&valid())).unwrap();
        assert_eq!(f.full_name, "Budi Santoso");
        assert_eq!(f.level, Level::BodMinusOne);
        assert_eq!(f.roles, [KpRole::Champion, KpRole::Hr]);
        assert_eq!(f.phone.as_deref(), Some("+6281234567890"));
        assert_eq!((f.influence, f.is_primary), (3, true));
        assert_eq!(f.legal_basis, LegalBasis::LegitimateInterest);
    }

    #[test]
    fn consent_needs_a_past_moment_and_other_bases_drop_it() {
        let form = PersonForm {
            legal_basis: "consent".into(),
            ..valid()
        };
        let errors = KeyPersonFields::try_from(sent(&form)).unwrap_err();
        assert_eq!(
            errors.get("consent_at"),
            Some("key_person.consent_required")
        );
        let form = PersonForm {
            legal_basis: "consent".into(),
            // 11:00 in Jakarta is 04:00 UTC, after the form was sent.
            consent_at: "2026-11-25T11:00".into(),
            ..valid()
        };
        let errors = KeyPersonFields::try_from(sent(&form)).unwrap_err();
        assert_eq!(errors.get("consent_at"), Some("key_person.consent_future"));
        let form = PersonForm {
            consent_at: "2026-11-01T09:00".into(),
            ..valid()
        };
        assert_eq!(
            KeyPersonFields::try_from(sent(&form)).unwrap().consent_at,
            None
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let form = PersonForm {
            full_name: "\u{202E}x".into(),
            level: "ceo".into(),
            email: "not-an-email".into(),
            influence: "9".into(),
            reports_to_id: "x".into(),
            ..valid()
        };
        let errors = KeyPersonFields::try_from(sent(&form)).unwrap_err();
        for field in ["full_name", "level", "email", "influence", "reports_to_id"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn a_departure_lies_in_the_past() {
        let form = LeftForm {
            left_on: "2026-11-26".into(),
            ..LeftForm::default()
        };
        let errors = Departure::try_from(sent(&form)).unwrap_err();
        assert_eq!(errors.get("left_on"), Some("key_person.left_future"));
        let form = LeftForm {
            left_on: "2026-11-25".into(),
            moved_to_text: "PT Lain".into(),
            moved_to_id: "garbage".into(),
            ..LeftForm::default()
        };
        let d = Departure::try_from(sent(&form)).unwrap();
        assert_eq!(d.left_on, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
        assert_eq!((d.moved_to_text.as_str(), d.moved_to_id), ("PT Lain", None));
    }
}
