//! Follow-up pages, one file each: the list (`list`), add and edit (`form`), and marking one done or
//! open again (`done`).

mod done;
mod form;
mod list;

use axum::Router;
use axum::routing::{get, post};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::follow_ups::policy;
use crate::follow_ups::repo::{self, FollowUpRow};
use crate::web::AppState;
use crate::web::extract::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/follow-ups", get(list::list))
        .route("/employers/{id}/follow-ups", post(form::create))
        .route("/employers/{id}/follow-ups/new", get(form::new))
        .route("/follow-ups/{id}", post(form::update))
        .route("/follow-ups/{id}/edit", get(form::edit))
        .route("/follow-ups/{id}/done", post(done::mark_done))
        .route("/follow-ups/{id}/reopen", post(done::reopen))
}

/// A follow-up `ctx` may change: 404 for another tenant's, 403 for one not theirs.
async fn changeable(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> AppResult<FollowUpRow> {
    let f = repo::find(conn, id).await?.ok_or(AppError::NotFound)?;
    if !policy::may_change(ctx.who(), f.employer_rm, f.fields.assignee_id) {
        return Err(AppError::Forbidden);
    }
    Ok(f)
}
