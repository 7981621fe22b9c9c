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
    pub request_id: Option<String>,
}

impl Actor {
    pub fn cli() -> Self {
        Actor {
            user: None,
            label: "cli".into(),
            ip: None,
            request_id: None,
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
}

impl Event {
    pub fn new(action: &'static str, entity_type: &'static str, entity_id: Option<Uuid>) -> Self {
        Event {
            action,
            entity_type,
            entity_id,
            changes: Changes::new(),
        }
    }

    pub fn with(mut self, changes: Changes) -> Self {
        self.changes = changes;
        self
    }
}

/// The actions the audit-log filter offers, in the order shown.
pub const ACTIONS: [&str; 18] = [
    "auth.sign_in",
    "auth.sign_in_failed",
    "auth.locked",
    "auth.sign_out",
    "auth.password_changed",
    "auth.tenant_switched",
    "tenant.created",
    "tenant.updated",
    "user.created",
    "user.added",
    "user.role_changed",
    "user.disabled",
    "user.enabled",
    "user.password_reset",
    "branch.created",
    "branch.updated",
    "branch.archived",
    "branch.restored",
];

pub const ENTITY_TYPES: [&str; 4] = ["user", "membership", "tenant", "branch_office"];

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
        "tenant.created" => "audit.action.tenant_created",
        "tenant.updated" => "audit.action.tenant_updated",
        "user.created" => "audit.action.user_created",
        "user.added" => "audit.action.user_added",
        "user.role_changed" => "audit.action.role_changed",
        "user.disabled" => "audit.action.user_disabled",
        "user.enabled" => "audit.action.user_enabled",
        "user.password_reset" => "audit.action.password_reset",
        "branch.created" => "audit.action.branch_created",
        "branch.updated" => "audit.action.branch_updated",
        "branch.archived" => "audit.action.branch_archived",
        "branch.restored" => "audit.action.branch_restored",
        _ => return None,
    })
}

pub fn entity_label_key(entity_type: &str) -> Option<&'static str> {
    Some(match entity_type {
        "user" => "audit.entity.user",
        "membership" => "audit.entity.membership",
        "tenant" => "audit.entity.tenant",
        "branch_office" => "audit.entity.branch_office",
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
        _ => return None,
    })
}

/// Where the page of an audited record is, for a link from the log.
pub fn entity_href(entity_type: &str, id: Uuid) -> Option<String> {
    match entity_type {
        "user" | "membership" => Some(format!("/admin/users/{id}")),
        "branch_office" => Some(format!("/admin/branches/{id}")),
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
