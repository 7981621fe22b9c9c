//! Employer pages, one file each: the list (`list`) with its exports (`export`) and bulk
//! reassignment (`reassign`), the employer page (`show`), and the create/edit form (`form`).
//! Archiving and restoring go the way every record's do (`crate::web::archive`).

mod export;
mod form;
mod list;
mod reassign;
mod show;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub use list::{CappedCounts, ListQuery};

use crate::audit::Archivable;
use crate::employers::{policy, repo};
use crate::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::archive::{self, Archiving};
use crate::web::extract::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/employers", get(list::index).post(form::create))
        .route("/employers/new", get(form::new))
        .route("/employers/export.csv", get(export::csv))
        .route("/employers/export.xlsx", get(export::xlsx))
        .route("/employers/reassign", post(reassign::reassign))
        .route("/employers/{id}", get(show::show).post(form::update))
        .route("/employers/{id}/edit", get(form::edit))
        .merge(archive::routes::<Employers>("/employers"))
}

pub struct Employers;

impl Archiving for Employers {
    const KIND: Archivable = Archivable::Employer;

    async fn check(
        conn: &mut PgConnection,
        ctx: &Ctx,
        id: Uuid,
        archive: bool,
    ) -> AppResult<Option<Uuid>> {
        let rm = repo::owner_of(conn, id).await?.ok_or(AppError::NotFound)?;
        if policy::may_archive(ctx.who(), rm, archive) {
            Ok(Some(id))
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

    fn done(id: Uuid, _: Option<Uuid>, archived: bool) -> (String, &'static str) {
        let flash = if archived {
            "employer.archived"
        } else {
            "employer.restored"
        };
        (format!("/employers/{id}"), flash)
    }
}
