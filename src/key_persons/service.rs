//! Key-person operations other modules call too: adding a person (from their own form or from a
//! meeting form), with the primary-contact handover and the audit event, one way.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::{KeyPersonFields, Recorded};
use super::repo::{self, SaveOutcome};
use crate::audit::{self, Action, Actor, Changes, Entity, Event};
use crate::error::AppResult;

/// The person's fields as their history records them.
pub async fn recorded<'a>(
    conn: &mut PgConnection,
    fields: &'a KeyPersonFields,
) -> AppResult<Recorded<'a>> {
    let reports_to = match fields.reports_to_id {
        Some(id) => repo::find(conn, id).await?.map(|m| m.fields.full_name),
        None => None,
    };
    Ok(Recorded { fields, reports_to })
}

/// Making someone primary takes the mark from whoever held it, in the same transaction and audited.
pub async fn move_primary(
    conn: &mut PgConnection,
    actor: &Actor,
    employer: Uuid,
    person: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if let Some(previous) = repo::clear_primary(&mut *conn, employer, person, now).await? {
        audit::repo::record(
            conn,
            now,
            actor,
            Event::new(Action::KeyPersonUpdated, Entity::KeyPerson, Some(previous))
                .with(Changes::new().field("primary", true, false))
                .of_employer(employer),
        )
        .await?;
    }
    Ok(())
}

/// Adds a person to an employer and records it in the employer's history with every field set. The
/// caller has checked the fields against the employer (`reports_to_id`) and its permission.
pub async fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    employer: Uuid,
    id: Uuid,
    fields: &KeyPersonFields,
    now: DateTime<Utc>,
) -> AppResult<SaveOutcome> {
    if fields.is_primary {
        move_primary(&mut *conn, actor, employer, id, now).await?;
    }
    let outcome = repo::insert(&mut *conn, id, employer, fields, now).await?;
    if let SaveOutcome::Saved = outcome {
        let recorded = recorded(&mut *conn, fields).await?;
        audit::repo::record(
            conn,
            now,
            actor,
            Event::new(Action::KeyPersonCreated, Entity::KeyPerson, Some(id))
                .with(Changes::created_with(&recorded))
                .of_employer(employer),
        )
        .await?;
    }
    Ok(outcome)
}
