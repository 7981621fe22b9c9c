//! The follow-up form as sent, and its conversion into `FollowUpFields`.

use serde::Deserialize;
use uuid::Uuid;

use super::domain::FollowUpFields;
use super::repo::FollowUpRow;
use crate::web::forms::{FieldErrors, multiline_text, optional_date, required_text};

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct FollowUpForm {
    pub title: String,
    pub assignee: String,
    pub due_on: String,
    pub notes: String,
    /// The meeting a new follow-up comes from, if any.
    pub meeting: String,
    pub version: i32,
}

impl TryFrom<&FollowUpForm> for FollowUpFields {
    type Error = FieldErrors;

    fn try_from(f: &FollowUpForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = errors.check("title", required_text(&f.title, 300));
        let assignee = errors.check(
            "assignee",
            f.assignee
                .trim()
                .parse::<Uuid>()
                .map_err(|_| "follow_up.assignee_invalid"),
        );
        let due = errors.check(
            "due_on",
            optional_date(&f.due_on).and_then(|d| d.ok_or("error.required")),
        );
        let notes = errors.check("notes", multiline_text(&f.notes, 5000));
        errors.finish(|| {
            Some(FollowUpFields {
                title: title?,
                assignee_id: assignee?,
                due_on: due?,
                notes: notes?,
            })
        })
    }
}

impl From<&FollowUpRow> for FollowUpForm {
    fn from(f: &FollowUpRow) -> Self {
        FollowUpForm {
            title: f.fields.title.clone(),
            assignee: f.fields.assignee_id.to_string(),
            due_on: f.fields.due_on.to_string(),
            notes: f.fields.notes.clone(),
            meeting: f.meeting_id.map(|m| m.to_string()).unwrap_or_default(),
            version: f.version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_follow_up_needs_a_title_an_assignee_and_a_due_day() {
        let errors = FollowUpFields::try_from(&FollowUpForm::default()).unwrap_err();
        assert_eq!(errors.get("title"), Some("error.required"));
        assert_eq!(errors.get("assignee"), Some("follow_up.assignee_invalid"));
        assert_eq!(errors.get("due_on"), Some("error.required"));
        let form = FollowUpForm {
            title: " Send the regulation ".into(),
            assignee: Uuid::nil().to_string(),
            due_on: "2026-12-02".into(),
            notes: "a\r\nb".into(),
            ..FollowUpForm::default()
        };
        let f = FollowUpFields::try_from(&form).unwrap();
        assert_eq!(
            (f.title.as_str(), f.notes.as_str()),
            ("Send the regulation", "a\nb")
        );
        assert_eq!(f.due_on.to_string(), "2026-12-02");
    }
}
