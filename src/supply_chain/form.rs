//! The link form as sent — which side the page is on, the other employer, and what the link is — and
//! its conversion into `LinkFields`.

use serde::Deserialize;

use super::domain::{LinkFields, Relation};
use crate::web::forms::{FieldErrors, multiline_text, optional_date};

/// Which side the employer whose page the form was opened from is on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    /// This employer is the parent; the form picks a member.
    Parent,
    /// This employer is the member; the form picks a parent.
    Member,
}

impl Side {
    pub fn parse(raw: &str) -> Side {
        if raw == "member" {
            Side::Member
        } else {
            Side::Parent
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Parent => "parent",
            Side::Member => "member",
        }
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct LinkForm {
    pub side: String,
    /// The search for the other employer.
    pub q: String,
    pub other_id: String,
    pub relation: String,
    pub started_on: String,
    pub notes: String,
}

impl TryFrom<&LinkForm> for LinkFields {
    type Error = FieldErrors;

    /// The other employer is checked against the tenant by the caller.
    fn try_from(f: &LinkForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let relation = errors.check("relation", Relation::parse(&f.relation));
        let started_on = errors.check("started_on", optional_date(&f.started_on));
        let notes = errors.check("notes", multiline_text(&f.notes, 1000));
        errors.finish(|| {
            Some(LinkFields {
                relation: relation?,
                started_on: started_on?,
                notes: notes?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_needs_a_known_relation_and_a_real_date() {
        let form = LinkForm {
            relation: "owner".into(),
            started_on: "2026-02-30".into(),
            ..LinkForm::default()
        };
        let errors = LinkFields::try_from(&form).unwrap_err();
        assert_eq!(errors.get("relation"), Some("link.relation_invalid"));
        assert_eq!(errors.get("started_on"), Some("error.date_invalid"));
        let form = LinkForm {
            relation: "vendor".into(),
            notes: " catering ".into(),
            ..LinkForm::default()
        };
        let l = LinkFields::try_from(&form).unwrap();
        assert_eq!(
            (l.relation, l.started_on, l.notes.as_str()),
            (Relation::Vendor, None, "catering")
        );
        assert_eq!(Side::parse("member"), Side::Member);
        assert_eq!(Side::parse("anything"), Side::Parent);
    }
}
