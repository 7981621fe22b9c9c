//! Archiving and restoring, one way for every kind of record: the two buttons post the version the
//! page showed; a record someone changed meanwhile is not touched (409); the audit event has one
//! shape (`Event::archived`). Each domain says only what differs — who may, which table, what else
//! the change entails, where to go afterwards — by implementing `Archiving`.

use std::future::Future;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, Archivable, Event};
use crate::error::{AppError, AppResult};
use crate::web::extract::Ctx;
use crate::web::forms::VersionForm;
use crate::web::{AppState, Form, redirect_with_flash};

/// What a kind of record says about being archived.
pub trait Archiving: Send + Sync + 'static {
    const KIND: Archivable;

    /// Loads the record and checks that this person may archive it (`archive`) or restore it;
    /// returns the employer whose history shows the event, if any. 404 for a record of another
    /// tenant, 403 for one this person may not change.
    fn check(
        conn: &mut PgConnection,
        ctx: &Ctx,
        id: Uuid,
        archive: bool,
    ) -> impl Future<Output = AppResult<Option<Uuid>>> + Send;

    /// Sets (`Some`) or clears `archived_at` on the version the page showed; false when stale.
    fn set(
        conn: &mut PgConnection,
        id: Uuid,
        archived_at: Option<DateTime<Utc>>,
        version: i32,
        now: DateTime<Utc>,
    ) -> impl Future<Output = sqlx::Result<bool>> + Send;

    /// What else the change entails, in the same transaction (a meeting's employer recounts its
    /// cadence).
    fn then(
        _conn: &mut PgConnection,
        _ctx: &Ctx,
        _employer: Option<Uuid>,
        _now: DateTime<Utc>,
    ) -> impl Future<Output = AppResult<()>> + Send {
        async { Ok(()) }
    }

    /// After the commit (forgetting cached pickers).
    fn committed(_state: &AppState, _ctx: &Ctx) {}

    /// Where to go afterwards, and the message shown there.
    fn done(id: Uuid, employer: Option<Uuid>, archived: bool) -> (String, &'static str);
}

/// `POST {base}/{id}/archive` and `POST {base}/{id}/restore` for records of kind `A`.
pub fn routes<A: Archiving>(base: &str) -> Router<AppState> {
    Router::new()
        .route(&format!("{base}/{{id}}/archive"), post(archive::<A>))
        .route(&format!("{base}/{{id}}/restore"), post(restore::<A>))
}

async fn archive<A: Archiving>(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    set_archived::<A>(&state, &ctx, id, form.version, true).await
}

async fn restore<A: Archiving>(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    set_archived::<A>(&state, &ctx, id, form.version, false).await
}

async fn set_archived<A: Archiving>(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    version: i32,
    archive: bool,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(state).await?;
    let employer = A::check(&mut tx, ctx, id, archive).await?;
    if !A::set(&mut tx, id, archive.then_some(now), version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    let mut event = Event::archived(A::KIND, id, archive);
    if let Some(e) = employer {
        event = event.of_employer(e);
    }
    audit::repo::record(&mut tx, now, &ctx.actor(), event).await?;
    A::then(&mut tx, ctx, employer, now).await?;
    tx.commit().await?;
    A::committed(state, ctx);
    let (to, flash) = A::done(id, employer, archive);
    Ok(redirect_with_flash(&to, true, flash))
}
