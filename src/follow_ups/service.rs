//! Follow-up operations other modules call too: adding a follow-up (from its own form or from a
//! meeting form), with its audit event, one way.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::{FollowUpFields, Recorded};
use super::repo;
use crate::audit::{self, Action, Actor, Changes, Entity, Event};
use crate::auth::domain::UserId;
use crate::error::AppResult;

/// The fields as the history records them (the assignee by name).
pub async fn recorded<'a>(
    conn: &mut PgConnection,
    fields: &'a FollowUpFields,
) -> AppResult<Recorded<'a>> {
    let assignee = crate::tenancy::repo::member(conn, UserId(fields.assignee_id))
        .await?
        .map(|m| m.name)
        .unwrap_or_default();
    Ok(Recorded { fields, assignee })
}

/// Adds a follow-up to an employer, from `meeting` when it came from one, and records it in the
/// employer's history. The caller has checked the assignee and its permission.
pub async fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    employer: Uuid,
    meeting: Option<Uuid>,
    fields: &FollowUpFields,
    created_by: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    let id = Uuid::new_v4();
    repo::insert(&mut *conn, id, employer, meeting, fields, created_by, now).await?;
    let recorded = recorded(&mut *conn, fields).await?;
    audit::repo::record(
        conn,
        now,
        actor,
        Event::new(Action::FollowUpCreated, Entity::FollowUp, Some(id))
            .with(Changes::created_with(&recorded))
            .of_employer(employer),
    )
    .await?;
    Ok(id)
}

/// Gives every open follow-up of `from` to `to` (both people of the tenant, named as the history
/// records them), recording each in its employer's history; returns how many moved. The caller has
/// checked that `to` may take them.
pub async fn move_open(
    conn: &mut PgConnection,
    actor: &Actor,
    (from, from_name): (Uuid, &str),
    (to, to_name): (Uuid, &str),
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let moved = repo::move_open(&mut *conn, from, to, now).await?;
    for m in &moved {
        audit::repo::record(
            &mut *conn,
            now,
            actor,
            Event::new(Action::FollowUpUpdated, Entity::FollowUp, Some(m.id))
                .with(Changes::new().field("assignee", from_name, to_name))
                .of_employer(m.employer_id),
        )
        .await?;
    }
    Ok(moved.len())
}
