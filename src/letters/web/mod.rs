//! Letter pages, one file each: the pipeline (`pipeline`), the approval queue (`queue`), a letter
//! (`show`), drafting and editing (`draft`), the workflow's steps (`act`), the A4 print view (`print`)
//! and the admin's number format and wording (`settings`).

mod act;
mod draft;
mod pipeline;
mod print;
mod queue;
mod settings;
mod show;

pub use pipeline::PipelineCache;

use axum::Router;
use axum::routing::{get, post};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::letters::repo::{self, LetterRow};
use crate::tenancy::domain::Permission;
use crate::web::AppState;
use crate::web::extract::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/letters", get(pipeline::pipeline))
        .route("/letters/queue", get(queue::queue))
        .route("/letters/{id}", get(show::show).post(draft::update))
        .route("/letters/{id}/edit", get(draft::edit))
        .route("/letters/{id}/print", get(print::print))
        .route("/letters/{id}/{step}", post(act::act))
        .route(
            "/employers/{id}/letters/new",
            get(draft::new).post(draft::create),
        )
        .route("/admin/letters", get(settings::show).post(settings::save))
        .route("/admin/letters/example", get(settings::example_fragment))
}

/// A letter of the tenant that `ctx` may read: 404 for another tenant's.
async fn readable(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> AppResult<LetterRow> {
    ctx.require(Permission::ReadRecords)?;
    repo::find(conn, id, false).await?.ok_or(AppError::NotFound)
}
