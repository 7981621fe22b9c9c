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
