//! Audit events as values: the actor, the action and the field-level changes.

use std::net::IpAddr;

use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::auth::domain::UserId;
use crate::text_enum;
use crate::text_enum::TextEnum;

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
///
/// A record's audited values come from one serialisable struct (its fields, people and branches by
/// name), so creation, an edit and a stale-edit comparison all list the same fields the same way.
#[derive(Clone, Debug, Default)]
pub struct Changes(Map<String, Value>);

/// Writes a list as the audit trail records it, one text: `"JKK, JHT"`. For `serialize_with`.
pub fn joined<T: std::fmt::Display, S: serde::Serializer>(
    values: &[T],
    s: S,
) -> Result<S::Ok, S::Error> {
    let text: Vec<String> = values.iter().map(ToString::to_string).collect();
    s.serialize_str(&text.join(", "))
}

/// The fields of a serialisable value as a JSON object.
fn fields_of<T: Serialize>(values: &T) -> Map<String, Value> {
    match serde_json::to_value(values) {
        Ok(Value::Object(map)) => map,
        // Every audited struct serialises to an object with text keys; anything else is a bug that
        // must not stop the change it describes from being saved.
        other => {
            debug_assert!(false, "audited values are not an object: {other:?}");
            Map::new()
        }
    }
}

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

    /// A new record: every field of `values` that holds something (not nothing, an empty text or
    /// `false`).
    pub fn created_with<T: Serialize>(values: &T) -> Self {
        fields_of(values)
            .into_iter()
            .filter(|(_, v)| !(v.is_null() || v.as_str() == Some("") || v == &Value::Bool(false)))
            .fold(Changes::new(), |c, (k, v)| c.created(&k, v))
    }

    /// An edit: the fields of `old` and `new` (values of one type) that differ.
    pub fn between<T: Serialize>(old: &T, new: &T) -> Self {
        let old = fields_of(old);
        fields_of(new)
            .into_iter()
            .fold(Changes::new(), |c, (k, n)| {
                let o = old.get(&k).cloned().unwrap_or(Value::Null);
                c.field(&k, o, n)
            })
    }

    /// Archiving or restoring a record: the same shape for every kind of record.
    pub fn archived(archived: bool) -> Self {
        Changes::new().field("archived", !archived, archived)
    }

    /// Adds `other`'s fields, which win where both name one.
    pub fn and(mut self, other: Changes) -> Self {
        self.0.extend(other.0);
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
    pub action: Action,
    pub entity: Entity,
    pub entity_id: Option<Uuid>,
    pub changes: Changes,
    /// The employer whose history shows this event (the employer itself, its key person, its link).
    pub employer_id: Option<Uuid>,
    /// The other employer of a supply-chain link, whose history shows it too.
    pub related_employer_id: Option<Uuid>,
}

impl Event {
    pub fn new(action: Action, entity: Entity, entity_id: Option<Uuid>) -> Self {
        Event {
            action,
            entity,
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

    /// A record archived (`true`) or restored (`false`): one action pair and one recorded shape for
    /// every kind of record that can be archived.
    pub fn archived(kind: Archivable, id: Uuid, archived: bool) -> Self {
        let (entity, on, off) = match kind {
            Archivable::BranchOffice => (
                Entity::BranchOffice,
                Action::BranchArchived,
                Action::BranchRestored,
            ),
            Archivable::Employer => (
                Entity::Employer,
                Action::EmployerArchived,
                Action::EmployerRestored,
            ),
            Archivable::KeyPerson => (
                Entity::KeyPerson,
                Action::KeyPersonArchived,
                Action::KeyPersonRestored,
            ),
            Archivable::Meeting => (
                Entity::Meeting,
                Action::MeetingArchived,
                Action::MeetingRestored,
            ),
        };
        Event::new(if archived { on } else { off }, entity, Some(id))
            .with(Changes::archived(archived))
    }
}

/// The kinds of record that are archived rather than deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Archivable {
    BranchOffice,
    Employer,
    KeyPerson,
    Meeting,
}

text_enum!(
    /// Every action the audit trail records: a closed set, so a misspelt action does not compile.
    /// The audit-log filter offers them in this order.
    Action, "audit.action_invalid", {
    AuthSignIn = "auth.sign_in" => "audit.action.sign_in",
    AuthSignInFailed = "auth.sign_in_failed" => "audit.action.sign_in_failed",
    AuthLocked = "auth.locked" => "audit.action.locked",
    AuthSignOut = "auth.sign_out" => "audit.action.sign_out",
    AuthPasswordChanged = "auth.password_changed" => "audit.action.password_changed",
    AuthTenantSwitched = "auth.tenant_switched" => "audit.action.tenant_switched",
    AuthSecondFactorEnabled = "auth.second_factor_enabled" => "audit.action.second_factor_enabled",
    AuthSecondFactorFailed = "auth.second_factor_failed" => "audit.action.second_factor_failed",
    AuthSecondFactorRemoved = "auth.second_factor_removed" => "audit.action.second_factor_removed",
    AuthRecoveryCodeUsed = "auth.recovery_code_used" => "audit.action.recovery_code_used",
    AuthRecoveryCodesRenewed = "auth.recovery_codes_renewed" => "audit.action.recovery_codes_renewed",
    TenantCreated = "tenant.created" => "audit.action.tenant_created",
    TenantUpdated = "tenant.updated" => "audit.action.tenant_updated",
    UserCreated = "user.created" => "audit.action.user_created",
    UserAdded = "user.added" => "audit.action.user_added",
    UserRoleChanged = "user.role_changed" => "audit.action.role_changed",
    UserDisabled = "user.disabled" => "audit.action.user_disabled",
    UserEnabled = "user.enabled" => "audit.action.user_enabled",
    UserPasswordReset = "user.password_reset" => "audit.action.password_reset",
    UserSecondFactorCleared = "user.second_factor_cleared" => "audit.action.second_factor_cleared",
    InvitationCreated = "invitation.created" => "audit.action.invitation_created",
    InvitationRevoked = "invitation.revoked" => "audit.action.invitation_revoked",
    InvitationAccepted = "invitation.accepted" => "audit.action.invitation_accepted",
    BranchCreated = "branch.created" => "audit.action.branch_created",
    BranchUpdated = "branch.updated" => "audit.action.branch_updated",
    BranchArchived = "branch.archived" => "audit.action.branch_archived",
    BranchRestored = "branch.restored" => "audit.action.branch_restored",
    EmployerCreated = "employer.created" => "audit.action.employer_created",
    EmployerUpdated = "employer.updated" => "audit.action.employer_updated",
    EmployerArchived = "employer.archived" => "audit.action.employer_archived",
    EmployerRestored = "employer.restored" => "audit.action.employer_restored",
    EmployerReassigned = "employer.reassigned" => "audit.action.employer_reassigned",
    EmployerExported = "employer.exported" => "audit.action.employer_exported",
    KeyPersonCreated = "key_person.created" => "audit.action.key_person_created",
    KeyPersonUpdated = "key_person.updated" => "audit.action.key_person_updated",
    KeyPersonLeft = "key_person.left" => "audit.action.key_person_left",
    KeyPersonArchived = "key_person.archived" => "audit.action.key_person_archived",
    KeyPersonRestored = "key_person.restored" => "audit.action.key_person_restored",
    KeyPersonExported = "key_person.exported" => "audit.action.key_person_exported",
    KeyPersonErased = "key_person.erased" => "audit.action.key_person_erased",
    LinkAdded = "link.added" => "audit.action.link_added",
    LinkRemoved = "link.removed" => "audit.action.link_removed",
    MeetingPlanned = "meeting.planned" => "audit.action.meeting_planned",
    MeetingLogged = "meeting.logged" => "audit.action.meeting_logged",
    MeetingUpdated = "meeting.updated" => "audit.action.meeting_updated",
    MeetingCompleted = "meeting.completed" => "audit.action.meeting_completed",
    MeetingCancelled = "meeting.cancelled" => "audit.action.meeting_cancelled",
    MeetingArchived = "meeting.archived" => "audit.action.meeting_archived",
    MeetingRestored = "meeting.restored" => "audit.action.meeting_restored",
    FollowUpCreated = "follow_up.created" => "audit.action.follow_up_created",
    FollowUpUpdated = "follow_up.updated" => "audit.action.follow_up_updated",
    FollowUpDone = "follow_up.done" => "audit.action.follow_up_done",
    FollowUpReopened = "follow_up.reopened" => "audit.action.follow_up_reopened",
    ContributionRecorded = "contribution.recorded" => "audit.action.contribution_recorded",
    ContributionCorrected = "contribution.corrected" => "audit.action.contribution_corrected",
    HolidaysAdded = "holiday.added" => "audit.action.holidays_added",
    HolidayRemoved = "holiday.removed" => "audit.action.holiday_removed",
    CalendarRegenerated = "calendar.regenerated" => "audit.action.calendar_regenerated",
    LetterDrafted = "letter.drafted" => "audit.action.letter_drafted",
    LetterEdited = "letter.edited" => "audit.action.letter_edited",
    LetterSubmitted = "letter.submitted" => "audit.action.letter_submitted",
    LetterReturned = "letter.returned" => "audit.action.letter_returned",
    LetterRevised = "letter.revised" => "audit.action.letter_revised",
    LetterApproved = "letter.approved" => "audit.action.letter_approved",
    LetterSent = "letter.sent" => "audit.action.letter_sent",
    LetterAcknowledged = "letter.acknowledged" => "audit.action.letter_acknowledged",
    LetterResolved = "letter.resolved" => "audit.action.letter_resolved",
    LetterEscalated = "letter.escalated" => "audit.action.letter_escalated",
    LetterCancelled = "letter.cancelled" => "audit.action.letter_cancelled",
    LetterSettingsUpdated = "letter.settings_updated" => "audit.action.letter_settings_updated",
    AuditExported = "audit.exported" => "audit.action.audit_exported",
    EmployerImported = "employer.imported" => "audit.action.employer_imported",
    KeyPersonImported = "key_person.imported" => "audit.action.key_person_imported",
    ContributionImported = "contribution.imported" => "audit.action.contribution_imported",
    BranchImported = "branch.imported" => "audit.action.branch_imported",
    LinkImported = "link.imported" => "audit.action.link_imported",
    HolidayImported = "holiday.imported" => "audit.action.holiday_imported",
    ImportUploaded = "import.uploaded" => "audit.action.import_uploaded",
    ImportCommitted = "import.committed" => "audit.action.import_committed",
    ImportDiscarded = "import.discarded" => "audit.action.import_discarded",
});

text_enum!(
    /// What kind of record an event is about.
    Entity, "audit.entity_invalid", {
    User = "user" => "audit.entity.user",
    Membership = "membership" => "audit.entity.membership",
    Invitation = "invitation" => "audit.entity.invitation",
    Tenant = "tenant" => "audit.entity.tenant",
    BranchOffice = "branch_office" => "audit.entity.branch_office",
    Employer = "employer" => "audit.entity.employer",
    EmployerList = "employer_list" => "audit.entity.employer_list",
    KeyPerson = "key_person" => "audit.entity.key_person",
    SupplyChainLink = "supply_chain_link" => "audit.entity.link",
    Meeting = "meeting" => "audit.entity.meeting",
    FollowUp = "follow_up" => "audit.entity.follow_up",
    Contribution = "contribution" => "audit.entity.contribution",
    Holiday = "holiday" => "audit.entity.holiday",
    CalendarFeed = "calendar_feed" => "audit.entity.calendar_feed",
    AuditLog = "audit_log" => "audit.entity.audit_log",
    Letter = "letter" => "audit.entity.letter",
    LetterSettings = "letter_settings" => "audit.entity.letter_settings",
    Import = "import" => "audit.entity.import",
});

impl Entity {
    /// Where the page of an audited record is, for a link from the log.
    pub fn href(self, id: Uuid) -> Option<String> {
        match self {
            Entity::User | Entity::Membership | Entity::CalendarFeed => {
                Some(format!("/admin/users/{id}"))
            }
            Entity::BranchOffice => Some(format!("/admin/branches/{id}")),
            Entity::Employer => Some(format!("/employers/{id}")),
            Entity::KeyPerson => Some(format!("/key-persons/{id}")),
            Entity::Meeting => Some(format!("/meetings/{id}")),
            Entity::FollowUp => Some(format!("/follow-ups/{id}/edit")),
            Entity::Tenant => Some("/admin/settings".to_owned()),
            Entity::Contribution => Some(format!("/employers/{id}#contributions")),
            Entity::Holiday => Some("/admin/holidays".to_owned()),
            Entity::Letter => Some(format!("/letters/{id}")),
            Entity::LetterSettings => Some("/admin/letters".to_owned()),
            Entity::Import => Some(format!("/admin/imports/{id}")),
            _ => None,
        }
    }
}

/// The catalog key of a recorded field's name as `entity` records it: a letter's fields first (its
/// `kind` is a letter's kind, not a meeting's), then the fields every record shares.
pub fn field_label_key_of(entity: Option<Entity>, field: &str) -> Option<&'static str> {
    if entity == Some(Entity::Letter) {
        let key = match field {
            "kind" => Some("letter.kind"),
            "reason" => Some("letter.reason"),
            "language" => Some("letter.language"),
            "state" => Some("letter.state"),
            "number" => Some("letter.number"),
            "sent_on" => Some("letter.sent_on"),
            "response_due_on" => Some("letter.response_due"),
            "acknowledged_on" => Some("letter.acknowledged_on"),
            "note" => Some("letter.note"),
            "override_note" => Some("letter.override_note"),
            "subject_id" => Some("letter.subject_id"),
            "subject_en" => Some("letter.subject_en"),
            "body_id" => Some("letter.body_id"),
            "body_en" => Some("letter.body_en"),
            "legal_basis" => Some("letter.legal_basis"),
            _ => None,
        };
        if key.is_some() {
            return key;
        }
    }
    if entity == Some(Entity::Import) {
        let key = match field {
            "kind" => Some("import.kind"),
            "file" => Some("import.file"),
            "size" => Some("import.size"),
            "inserted" => Some("import.inserted"),
            "updated" => Some("import.updated"),
            "unchanged" => Some("import.unchanged"),
            "rejected" => Some("import.rejected"),
            _ => None,
        };
        if key.is_some() {
            return key;
        }
    }
    field_label_key(field)
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
        "letterhead_signatory_title_en" => "settings.signatory_title_en",
        "npp" => "employer.npp",
        "division_code" => "employer.division_code",
        "npwp" => "employer.npwp",
        "nib" => "employer.nib",
        "legal_name" => "employer.legal_name",
        "short_name" => "employer.short_name",
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
        "period" => "contribution.period",
        "wages_reported" => "contribution.wages_reported",
        "amount_due" => "contribution.amount_due",
        "amount_paid" => "contribution.amount_paid",
        "paid_on" => "contribution.paid_on",
        "days" => "holiday.days",
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
        "employers_moved" => "audit.field.employers_moved",
        "follow_ups_moved" => "audit.field.follow_ups_moved",
        "portfolio_to" => "audit.field.portfolio_to",
        "employers_unassigned" => "audit.field.employers_unassigned",
        _ => return None,
    })
}

/// The catalog key of a coded value (a stage, a level …) recorded for `field` of a record of kind
/// `entity` (unknown for a stale-edit comparison): the same field name means different sets in
/// different records, a membership's `status` being `active` or `disabled`.
pub fn value_label_key(entity: Option<Entity>, field: &str, value: &str) -> Option<&'static str> {
    use crate::employers::domain::{
        InstitutionType, Ownership, RiskBand, Scale, Segment, Stage, Status,
    };
    use crate::key_persons::domain::{LegalBasis, Level};
    use crate::letters::domain as letters;
    use crate::meetings::domain as meetings;
    use crate::supply_chain::domain::Relation;
    use crate::tenancy::domain::{Role, SecondFactorRule};
    match (entity, field) {
        (Some(Entity::Letter), "kind") => label::<letters::Kind>(value),
        (Some(Entity::Letter), "reason") => label::<letters::Reason>(value),
        (Some(Entity::Letter), "language") => label::<letters::Language>(value),
        (Some(Entity::Letter), "state") => label::<letters::State>(value),
        (Some(Entity::Import), "kind") => label::<crate::imports::kind::ImportKind>(value),
        (Some(Entity::Membership), "status") => match value {
            "active" => Some("admin.active"),
            "disabled" => Some("admin.disabled"),
            _ => None,
        },
        (_, "segment") => label::<Segment>(value),
        (_, "institution_type") => label::<InstitutionType>(value),
        (_, "ownership") => label::<Ownership>(value),
        (_, "scale") => label::<Scale>(value),
        (_, "risk_band") => label::<RiskBand>(value),
        (_, "stage") => label::<Stage>(value),
        (_, "status") => label::<Status>(value),
        (_, "role") => label::<Role>(value),
        (_, "level") => label::<Level>(value),
        (_, "legal_basis") => label::<LegalBasis>(value),
        (_, "relation") => label::<Relation>(value),
        (_, "meeting_status") => label::<meetings::Status>(value),
        (_, "kind") => label::<meetings::Kind>(value),
        (_, "channel") => label::<meetings::Channel>(value),
        (_, "sentiment") => label::<meetings::Sentiment>(value),
        (_, "second_factor") => label::<SecondFactorRule>(value),
        _ => None,
    }
}

/// The catalog key of one code of a list the trail records as one text (`"JHT, JKK"`, see `joined`).
pub fn list_item_label_key(field: &str, code: &str) -> Option<&'static str> {
    use crate::employers::domain::Program;
    use crate::key_persons::domain::KpRole;
    use crate::meetings::domain::Topic;
    match field {
        "programs" => label::<Program>(code),
        "roles" => label::<KpRole>(code),
        "topics" => label::<Topic>(code),
        // Which fields an erasure emptied, by their names.
        "erased_fields" => field_label_key(code),
        _ => None,
    }
}

/// Is `field` one of the lists `list_item_label_key` reads item by item?
pub fn is_list_field(field: &str) -> bool {
    matches!(field, "programs" | "roles" | "topics" | "erased_fields")
}

fn label<T: TextEnum>(value: &str) -> Option<&'static str> {
    T::all()
        .iter()
        .find(|v| v.code() == value)
        .map(|v| v.label())
}

/// One changed field, for display: its name, the old value and the new one. `is_new` marks a value
/// set where there was none (a new record), shown without an old value.
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
    pub is_new: bool,
}

/// A recorded value that says nothing: no value, an empty text or list, `false`. A new record's
/// empty fields and an edit between two such values are not worth a line.
pub fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// The recorded changes that say something, in recorded order: `(field, old, new)`. A field whose
/// old and new values are the same, or both blank, is left out, so events that carry a record's
/// full values (and events recorded before edits listed only their differences) show what changed.
pub fn meaningful(changes: &Value) -> Vec<(&str, &Value, &Value)> {
    const NULL: &Value = &Value::Null;
    match changes {
        Value::Object(map) => map
            .iter()
            .map(|(field, v)| {
                (
                    field.as_str(),
                    v.get("old").unwrap_or(NULL),
                    v.get("new").unwrap_or(NULL),
                )
            })
            .filter(|(_, old, new)| old != new && !(is_blank(old) && is_blank(new)))
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
        assert_eq!(
            meaningful(&v),
            [("role", &json!("rm"), &json!("supervisor"))]
        );
        // Events that carry full values show only what changed, and not a change between two
        // blanks.
        let full = json!({"name": {"old": "A", "new": "A"}, "notes": {"old": "", "new": null},
                          "primary": {"old": null, "new": false}, "stage": {"old": "approach", "new": "paused"}});
        assert_eq!(
            meaningful(&full),
            [("stage", &json!("approach"), &json!("paused"))]
        );
    }

    #[test]
    fn helpers_record_one_shape() {
        #[derive(Serialize)]
        struct Person<'a> {
            name: &'a str,
            title: &'a str,
            level: Option<&'a str>,
            primary: bool,
        }
        let old = Person {
            name: "Budi",
            title: "",
            level: None,
            primary: false,
        };
        let new = Person {
            name: "Budi",
            title: "GM HC",
            level: Some("bod"),
            primary: false,
        };
        assert_eq!(
            Changes::created_with(&new).into_value(),
            json!({"name": {"old": null, "new": "Budi"}, "title": {"old": null, "new": "GM HC"},
                   "level": {"old": null, "new": "bod"}})
        );
        assert!(
            Changes::created_with(&old)
                .into_value()
                .get("title")
                .is_none()
        );
        assert_eq!(
            Changes::between(&old, &new).into_value(),
            json!({"title": {"old": "", "new": "GM HC"}, "level": {"old": null, "new": "bod"}})
        );
        assert!(Changes::between(&new, &new).is_empty());
        assert_eq!(
            Changes::archived(true).into_value(),
            json!({"archived": {"old": false, "new": true}})
        );
    }

    #[test]
    fn every_action_and_entity_has_a_label() {
        let keys = Action::ALL
            .iter()
            .map(|a| a.label_key())
            .chain(Entity::ALL.iter().map(|e| e.label_key()));
        for key in keys {
            assert!(crate::web::i18n::is_known_key(key), "{key}");
        }
    }

    #[test]
    fn action_names_fit_the_schema_check() {
        for a in Action::ALL.iter().map(|a| a.as_str()) {
            let (entity, verb) = a.split_once('.').unwrap();
            assert!(!entity.is_empty() && !verb.is_empty());
            assert!(
                a.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
            );
        }
    }
}
