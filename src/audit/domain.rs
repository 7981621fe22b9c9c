//! Audit events as values: the actor, the action and the field-level changes.

use std::net::IpAddr;

use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::auth::domain::UserId;

/// Who acted, from where, in which request.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user: Option<UserId>,
    /// Shown when there is no user: the email typed at a failed sign-in, or "cli".
    pub label: String,
    pub ip: Option<IpAddr>,
    pub request_id: Option<Uuid>,
    pub caller_request_id: Option<Uuid>,
}

impl Actor {
    pub fn cli() -> Self {
        Actor {
            user: None,
            label: "cli".into(),
            ip: None,
            request_id: None,
            caller_request_id: None,
        }
    }
}

/// Field-level changes: `{"field": {"old": …, "new": …}}`. Unchanged fields are left out, so an edit
/// that changes nothing records nothing.
#[derive(Clone, Debug, Default)]
pub struct Changes(Map<String, Value>);

impl Changes {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn field<T: Serialize + PartialEq>(mut self, name: &str, old: T, new: T) -> Self {
        if old != new {
            self.0
                .insert(name.to_owned(), json!({ "old": old, "new": new }));
        }
        self
    }

    /// A value set at creation.
    pub fn created<T: Serialize>(mut self, name: &str, new: T) -> Self {
        self.0
            .insert(name.to_owned(), json!({ "old": null, "new": new }));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

pub struct Event {
    pub action: &'static str,
    pub entity_type: &'static str,
    pub entity_id: Option<Uuid>,
    pub changes: Changes,
    /// The employer whose history shows this event (the employer itself, its key person, its link).
    pub employer_id: Option<Uuid>,
    /// The other employer of a supply-chain link, whose history shows it too.
    pub related_employer_id: Option<Uuid>,
}

impl Event {
    pub fn new(action: &'static str, entity_type: &'static str, entity_id: Option<Uuid>) -> Self {
        Event {
            action,
            entity_type,
            entity_id,
            changes: Changes::new(),
            employer_id: None,
            related_employer_id: None,
        }
    }

    pub fn of_employer(mut self, employer: Uuid) -> Self {
        self.employer_id = Some(employer);
        self
    }

    pub fn also_of_employer(mut self, employer: Uuid) -> Self {
        self.related_employer_id = Some(employer);
        self
    }

    pub fn with(mut self, changes: Changes) -> Self {
        self.changes = changes;
        self
    }
}

/// The actions the audit-log filter offers, in the order shown.
pub const ACTIONS: [&str; 54] = [
    "auth.sign_in",
    "auth.sign_in_failed",
    "auth.locked",
    "auth.sign_out",
    "auth.password_changed",
    "auth.tenant_switched",
    "auth.second_factor_enabled",
    "auth.second_factor_failed",
    "auth.second_factor_removed",
    "auth.recovery_code_used",
    "auth.recovery_codes_renewed",
    "tenant.created",
    "tenant.updated",
    "user.created",
    "user.added",
    "user.role_changed",
    "user.disabled",
    "user.enabled",
    "user.password_reset",
    "user.second_factor_cleared",
    "invitation.created",
    "invitation.revoked",
    "invitation.accepted",
    "branch.created",
    "branch.updated",
    "branch.archived",
    "branch.restored",
    "employer.created",
    "employer.updated",
    "employer.archived",
    "employer.restored",
    "employer.reassigned",
    "employer.exported",
    "key_person.created",
    "key_person.updated",
    "key_person.left",
    "key_person.archived",
    "key_person.restored",
    "key_person.exported",
    "key_person.erased",
    "link.added",
    "link.removed",
    "meeting.planned",
    "meeting.logged",
    "meeting.updated",
    "meeting.completed",
    "meeting.cancelled",
    "meeting.archived",
    "meeting.restored",
    "follow_up.created",
    "follow_up.updated",
    "follow_up.done",
    "follow_up.reopened",
    "calendar.regenerated",
];

pub const ENTITY_TYPES: [&str; 12] = [
    "user",
    "membership",
    "invitation",
    "tenant",
    "branch_office",
    "employer",
    "employer_list",
    "key_person",
    "supply_chain_link",
    "meeting",
    "follow_up",
    "calendar_feed",
];

/// The catalog key naming an action for people; None for an action this version does not know
/// (shown as its code).
pub fn action_label_key(action: &str) -> Option<&'static str> {
    Some(match action {
        "auth.sign_in" => "audit.action.sign_in",
        "auth.sign_in_failed" => "audit.action.sign_in_failed",
        "auth.locked" => "audit.action.locked",
        "auth.sign_out" => "audit.action.sign_out",
        "auth.password_changed" => "audit.action.password_changed",
        "auth.tenant_switched" => "audit.action.tenant_switched",
        "auth.second_factor_enabled" => "audit.action.second_factor_enabled",
        "auth.second_factor_failed" => "audit.action.second_factor_failed",
        "auth.second_factor_removed" => "audit.action.second_factor_removed",
        "auth.recovery_code_used" => "audit.action.recovery_code_used",
        "auth.recovery_codes_renewed" => "audit.action.recovery_codes_renewed",
        "tenant.created" => "audit.action.tenant_created",
        "tenant.updated" => "audit.action.tenant_updated",
        "user.created" => "audit.action.user_created",
        "user.added" => "audit.action.user_added",
        "user.role_changed" => "audit.action.role_changed",
        "user.disabled" => "audit.action.user_disabled",
        "user.enabled" => "audit.action.user_enabled",
        "user.password_reset" => "audit.action.password_reset",
        "user.second_factor_cleared" => "audit.action.second_factor_cleared",
        "invitation.created" => "audit.action.invitation_created",
        "invitation.revoked" => "audit.action.invitation_revoked",
        "invitation.accepted" => "audit.action.invitation_accepted",
        "branch.created" => "audit.action.branch_created",
        "branch.updated" => "audit.action.branch_updated",
        "branch.archived" => "audit.action.branch_archived",
        "branch.restored" => "audit.action.branch_restored",
        "employer.created" => "audit.action.employer_created",
        "employer.updated" => "audit.action.employer_updated",
        "employer.archived" => "audit.action.employer_archived",
        "employer.restored" => "audit.action.employer_restored",
        "employer.reassigned" => "audit.action.employer_reassigned",
        "employer.exported" => "audit.action.employer_exported",
        "key_person.created" => "audit.action.key_person_created",
        "key_person.updated" => "audit.action.key_person_updated",
        "key_person.left" => "audit.action.key_person_left",
        "key_person.archived" => "audit.action.key_person_archived",
        "key_person.restored" => "audit.action.key_person_restored",
        "key_person.exported" => "audit.action.key_person_exported",
        "key_person.erased" => "audit.action.key_person_erased",
        "link.added" => "audit.action.link_added",
        "link.removed" => "audit.action.link_removed",
        "meeting.planned" => "audit.action.meeting_planned",
        "meeting.logged" => "audit.action.meeting_logged",
        "meeting.updated" => "audit.action.meeting_updated",
        "meeting.completed" => "audit.action.meeting_completed",
        "meeting.cancelled" => "audit.action.meeting_cancelled",
        "meeting.archived" => "audit.action.meeting_archived",
        "meeting.restored" => "audit.action.meeting_restored",
        "follow_up.created" => "audit.action.follow_up_created",
        "follow_up.updated" => "audit.action.follow_up_updated",
        "follow_up.done" => "audit.action.follow_up_done",
        "follow_up.reopened" => "audit.action.follow_up_reopened",
        "calendar.regenerated" => "audit.action.calendar_regenerated",
        _ => return None,
    })
}

pub fn entity_label_key(entity_type: &str) -> Option<&'static str> {
    Some(match entity_type {
        "user" => "audit.entity.user",
        "membership" => "audit.entity.membership",
        "invitation" => "audit.entity.invitation",
        "tenant" => "audit.entity.tenant",
        "branch_office" => "audit.entity.branch_office",
        "employer" => "audit.entity.employer",
        "employer_list" => "audit.entity.employer_list",
        "key_person" => "audit.entity.key_person",
        "supply_chain_link" => "audit.entity.link",
        "meeting" => "audit.entity.meeting",
        "follow_up" => "audit.entity.follow_up",
        "calendar_feed" => "audit.entity.calendar_feed",
        _ => return None,
    })
}

/// The catalog key of a recorded field's name, where the field is one people edit on a form.
pub fn field_label_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "name" => "audit.field.name",
        "email" => "audit.field.email",
        "role" => "audit.field.role",
        "status" => "audit.field.status",
        "code" => "audit.field.code",
        "region" => "audit.field.region",
        "address" => "audit.field.address",
        "slug" => "audit.field.slug",
        "timezone" => "settings.timezone",
        "second_factor" => "settings.second_factor",
        "expires_at" => "invitation.expires",
        "default_language" => "settings.default_language",
        "tenant" => "tenant.switch",
        "locked_until" => "audit.field.locked_until",
        "letterhead_office" => "settings.letterhead_office",
        "letterhead_address" => "settings.letterhead_address",
        "letterhead_city" => "settings.letterhead_city",
        "letterhead_phone" => "settings.letterhead_phone",
        "letterhead_email" => "settings.letterhead_email",
        "letterhead_signatory_name" => "settings.signatory_name",
        "letterhead_signatory_title" => "settings.signatory_title",
        "npp" => "employer.npp",
        "division_code" => "employer.division_code",
        "npwp" => "employer.npwp",
        "nib" => "employer.nib",
        "legal_name" => "employer.legal_name",
        "city" => "employer.city",
        "province" => "employer.province",
        "phone" => "employer.phone",
        "website" => "employer.website",
        "segment" => "employer.segment",
        "institution_type" => "employer.institution_type",
        "ownership" => "employer.ownership",
        "country" => "employer.country",
        "scale" => "employer.scale",
        "industry" => "employer.industry",
        "risk_band" => "employer.risk_band",
        "programs" => "employer.programs",
        "workers_reported" => "employer.workers_reported",
        "workforce_estimate" => "employer.workforce_estimate",
        "stage" => "employer.stage",
        "stage_reason" => "employer.stage_reason",
        "revisit_on" => "employer.revisit_on",
        "rm" => "employer.rm",
        "branch" => "employer.branch",
        "approach_notes" => "employer.approach_notes",
        "tags" => "employer.tags",
        "full_name" => "key_person.full_name",
        "position_title" => "key_person.position_title",
        "level" => "key_person.level",
        "department" => "key_person.department",
        "influence" => "key_person.influence",
        "roles" => "key_person.roles",
        "primary" => "key_person.primary",
        "reports_to" => "key_person.reports_to",
        "active_since" => "key_person.active_since",
        "left_on" => "key_person.left_on",
        "left_reason" => "key_person.left_reason",
        "moved_to" => "key_person.moved_to",
        "legal_basis" => "key_person.legal_basis",
        "consent_at" => "key_person.consent_at",
        "source" => "key_person.source",
        "parent" => "link.parent",
        "member" => "link.member",
        "relation" => "link.relation",
        "started_on" => "link.started_on",
        "notes" => "link.notes",
        "archived" => "audit.field.archived",
        "erased_fields" => "key_person.erased_fields",
        "stage_entered_on" => "employer.stage_entered_on",
        "format" => "export.format",
        "rows" => "export.rows",
        "filters" => "export.filters",
        "regulation_briefing_on" => "employer.regulation_briefing_on",
        "meeting_status" => "meeting.status",
        "starts_at" => "meeting.starts_at",
        "duration" => "meeting.duration",
        "kind" => "meeting.kind",
        "channel" => "meeting.channel",
        "location" => "meeting.location",
        "topics" => "meeting.topics",
        "summary" => "meeting.summary",
        "outcomes" => "meeting.outcomes",
        "commitments" => "meeting.commitments",
        "sentiment" => "meeting.sentiment",
        "attendees" => "meeting.attendees",
        "staff" => "meeting.staff",
        "cancel_reason" => "meeting.cancel_reason",
        "title" => "follow_up.title",
        "assignee" => "follow_up.assignee",
        "due_on" => "follow_up.due_on",
        "done" => "follow_up.done",
        _ => return None,
    })
}

/// The catalog key of a coded value (a stage, a level …) recorded for `field`.
pub fn value_label_key(field: &str, value: &str) -> Option<&'static str> {
    use crate::employers::domain::{
        InstitutionType, Ownership, RiskBand, Scale, Segment, Stage, Status,
    };
    use crate::key_persons::domain::{LegalBasis, Level};
    use crate::meetings::domain as meetings;
    use crate::supply_chain::domain::Relation;
    match field {
        "segment" => Segment::parse(value).ok().map(Segment::label_key),
        "institution_type" => InstitutionType::parse(value)
            .ok()
            .map(InstitutionType::label_key),
        "ownership" => Ownership::parse(value).ok().map(Ownership::label_key),
        "scale" => Scale::parse(value).ok().map(Scale::label_key),
        "risk_band" => RiskBand::parse(value).ok().map(RiskBand::label_key),
        "stage" => Stage::parse(value).ok().map(Stage::label_key),
        "status" => Status::parse(value).ok().map(Status::label_key),
        "level" => Level::parse(value).ok().map(Level::label_key),
        "legal_basis" => LegalBasis::parse(value).ok().map(LegalBasis::label_key),
        "relation" => Relation::parse(value).ok().map(Relation::label_key),
        "meeting_status" => meetings::Status::parse(value)
            .ok()
            .map(meetings::Status::label_key),
        "kind" => meetings::Kind::parse(value)
            .ok()
            .map(meetings::Kind::label_key),
        "channel" => meetings::Channel::parse(value)
            .ok()
            .map(meetings::Channel::label_key),
        "sentiment" => meetings::Sentiment::parse(value)
            .ok()
            .map(meetings::Sentiment::label_key),
        "second_factor" => crate::tenancy::domain::SecondFactorRule::parse(value)
            .ok()
            .map(crate::tenancy::domain::SecondFactorRule::label_key),
        _ => None,
    }
}

/// Where the page of an audited record is, for a link from the log.
pub fn entity_href(entity_type: &str, id: Uuid) -> Option<String> {
    match entity_type {
        "user" | "membership" => Some(format!("/admin/users/{id}")),
        "branch_office" => Some(format!("/admin/branches/{id}")),
        "employer" => Some(format!("/employers/{id}")),
        "key_person" => Some(format!("/key-persons/{id}")),
        "meeting" => Some(format!("/meetings/{id}")),
        "follow_up" => Some(format!("/follow-ups/{id}/edit")),
        "tenant" => Some("/admin/settings".to_owned()),
        _ => None,
    }
}

/// One changed field, flattened for display.
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

pub fn flatten(changes: &Value) -> Vec<FieldChange> {
    let show = |v: Option<&Value>| match v {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    match changes {
        Value::Object(map) => map
            .iter()
            .map(|(field, v)| FieldChange {
                field: field.clone(),
                old: show(v.get("old")),
                new: show(v.get("new")),
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_fields_are_left_out() {
        let c = Changes::new()
            .field("name", "A", "A")
            .field("role", "rm", "supervisor");
        let v = c.into_value();
        assert_eq!(v, json!({"role": {"old": "rm", "new": "supervisor"}}));
        let flat = flatten(&v);
        assert_eq!(flat.len(), 1);
        assert_eq!(
            (flat[0].old.as_str(), flat[0].new.as_str()),
            ("rm", "supervisor")
        );
    }

    #[test]
    fn every_action_and_entity_has_a_label() {
        for a in ACTIONS {
            assert!(action_label_key(a).is_some(), "{a}");
        }
        for e in ENTITY_TYPES {
            assert!(entity_label_key(e).is_some(), "{e}");
        }
    }

    #[test]
    fn action_names_fit_the_schema_check() {
        for a in ACTIONS {
            let (entity, verb) = a.split_once('.').unwrap();
            assert!(!entity.is_empty() && !verb.is_empty());
            assert!(
                a.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
            );
        }
    }
}
