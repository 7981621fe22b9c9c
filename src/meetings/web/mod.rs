//! Meeting pages, one file each: picking the employer (`pick`), the form to plan, log, complete or
//! edit a meeting (`form`) and saving it (`save`), the meeting page with cancelling (`show`), and the
//! brief before a meeting (`brief`). Archiving goes the way every record's does
//! (`crate::web::archive`).

mod brief;
mod form;
mod pick;
mod save;
mod show;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::Archivable;
use crate::employers::repo as employer_repo;
use crate::employers::service as employer_service;
use crate::error::{AppError, AppResult};
use crate::meetings::domain::Status;
use crate::meetings::policy;
use crate::meetings::repo::{self, MeetingRow};
use crate::web::AppState;
use crate::web::archive::{self, Archiving};
use crate::web::extract::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings", post(save::create))
        .route("/meetings/new", get(form::new))
        .route("/meetings/{id}", get(show::show).post(save::update))
        .route("/meetings/{id}/edit", get(form::edit))
        .route("/meetings/{id}/complete", get(form::complete))
        .route("/meetings/{id}/cancel", post(show::cancel))
        .route("/employers/{id}/brief", get(brief::brief))
        .merge(archive::routes::<Meetings>("/meetings"))
}

/// A meeting `ctx` may change, refusing archived and cancelled ones (409).
async fn changeable(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> AppResult<MeetingRow> {
    let m = repo::find(conn, id).await?.ok_or(AppError::NotFound)?;
    if !policy::may_change(ctx.who(), m.logged_by) {
        return Err(AppError::Forbidden);
    }
    if m.archived_at.is_some() || m.fields.status == Status::Cancelled {
        return Err(AppError::Conflict("meeting.not_changeable"));
    }
    Ok(m)
}

pub struct Meetings;

impl Archiving for Meetings {
    const KIND: Archivable = Archivable::Meeting;

    /// The employer is locked: its cadence marks are recounted without the meeting.
    async fn check(
        conn: &mut PgConnection,
        ctx: &Ctx,
        id: Uuid,
        archive: bool,
    ) -> AppResult<Option<Uuid>> {
        let m = repo::find(&mut *conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !policy::may_archive(ctx.who(), m.logged_by, archive) {
            return Err(AppError::Forbidden);
        }
        employer_repo::lock_open(conn, m.employer_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Some(m.employer_id))
    }

    async fn set(
        conn: &mut PgConnection,
        id: Uuid,
        archived_at: Option<DateTime<Utc>>,
        version: i32,
        now: DateTime<Utc>,
    ) -> sqlx::Result<bool> {
        repo::set_archived(conn, id, archived_at.is_some(), version, now).await
    }

    async fn then(
        conn: &mut PgConnection,
        ctx: &Ctx,
        employer: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        match employer {
            Some(e) => {
                employer_service::refresh_cadence(conn, &ctx.actor(), e, ctx.tenant.tz, now).await
            }
            None => Ok(()),
        }
    }

    fn done(id: Uuid, employer: Option<Uuid>, archived: bool) -> (String, &'static str) {
        match (archived, employer) {
            (true, Some(e)) => (format!("/employers/{e}#meetings"), "meeting.archived"),
            _ => (format!("/meetings/{id}"), "meeting.restored"),
        }
    }
}
