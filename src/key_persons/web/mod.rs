//! Key-person pages, one file each: the person (`show`), add and edit (`form`), "left the company"
//! (`left`), and the personal-data export and erasure (`personal_data`). Archiving goes the way every
//! record's does (`crate::web::archive`).

mod form;
mod left;
mod personal_data;
mod show;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::Archivable;
use crate::employers::repo as employer_repo;
use crate::error::{AppError, AppResult};
use crate::key_persons::policy;
use crate::key_persons::repo::{self, KeyPersonRow};
use crate::web::AppState;
use crate::web::archive::{self, Archiving};
use crate::web::extract::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/employers/{id}/key-persons", post(form::create))
        .route("/employers/{id}/key-persons/new", get(form::new))
        .route("/key-persons/{id}", get(show::show).post(form::update))
        .route("/key-persons/{id}/edit", get(form::edit))
        .route("/key-persons/{id}/left", get(left::form).post(left::save))
        .route("/key-persons/{id}/export.json", get(personal_data::export))
        .route("/key-persons/{id}/erase", post(personal_data::erase))
        .merge(archive::routes::<KeyPersons>("/key-persons"))
}

/// A person this person may change, with their employer's name: 404 for another tenant's, 403 for
/// one outside their portfolio or erased.
async fn editable(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
) -> AppResult<(KeyPersonRow, String)> {
    let p = repo::find(&mut *conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let e = employer_repo::find(conn, p.employer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !policy::may_change(ctx.who(), e.fields.rm_id, p.erased_at.is_some()) {
        return Err(AppError::Forbidden);
    }
    Ok((p, e.fields.name))
}

pub struct KeyPersons;

impl Archiving for KeyPersons {
    const KIND: Archivable = Archivable::KeyPerson;

    async fn check(
        conn: &mut PgConnection,
        ctx: &Ctx,
        id: Uuid,
        archive: bool,
    ) -> AppResult<Option<Uuid>> {
        let p = repo::find(&mut *conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let rm = employer_repo::owner_of(conn, p.employer_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if policy::may_archive(ctx.who(), rm, p.erased_at.is_some(), archive) {
            Ok(Some(p.employer_id))
        } else {
            Err(AppError::Forbidden)
        }
    }

    async fn set(
        conn: &mut PgConnection,
        id: Uuid,
        archived_at: Option<DateTime<Utc>>,
        version: i32,
        now: DateTime<Utc>,
    ) -> sqlx::Result<bool> {
        repo::set_archived(conn, id, archived_at, version, now).await
    }

    fn done(_: Uuid, employer: Option<Uuid>, archived: bool) -> (String, &'static str) {
        let flash = if archived {
            "key_person.archived"
        } else {
            "key_person.restored"
        };
        let employer = employer.map(|e| e.to_string()).unwrap_or_default();
        (format!("/employers/{employer}#key-persons"), flash)
    }
}
