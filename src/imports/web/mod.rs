//! Admin pages for imports: the history with the upload form and templates, one import's page
//! (mapping and preview, progress, report, result), and the downloads.

mod columns;
mod decide;
mod downloads;
mod index;
mod show;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use super::read::MAX_BYTES;
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/imports", get(index::index))
        .route("/admin/imports/templates/{file}", get(downloads::template))
        .route("/admin/imports/{id}", get(show::show))
        .route("/admin/imports/{id}/progress", get(show::progress))
        .route("/admin/imports/{id}/sheet", post(columns::choose_sheet))
        .route(
            "/admin/imports/{id}/mapping",
            post(columns::confirm_mapping),
        )
        .route("/admin/imports/{id}/remap", post(decide::remap))
        .route("/admin/imports/{id}/commit", post(decide::commit))
        .route("/admin/imports/{id}/discard", post(decide::discard))
        .route("/admin/imports/{id}/problems.csv", get(downloads::problems))
        .route(
            "/admin/imports/{id}/rejected.xlsx",
            get(downloads::rejected),
        )
}

/// Work on whole files this server does at once: receiving an upload (up to 50 MB held in memory
/// while it arrives; a slow sender holds a permit, never a database connection) or reading a stored
/// file again for a download.
static FILE_WORK: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Uploads, with a body limit of their own: the file's bound plus room for the form's other fields.
/// The upload itself counts the bytes as they arrive and stops at the bound with the page's message.
pub fn upload_router() -> Router<AppState> {
    Router::new()
        .route("/admin/imports", post(index::upload))
        .layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024))
}

/// The upload route's body limit, for the layer `web::router` puts around it.
pub const UPLOAD_LIMIT: usize = MAX_BYTES + 64 * 1024;

/// Moves the import on from one of `from` at the version the page showed (`repo::advance`), or
/// answers that the page is stale: another request moved it first.
async fn advance(
    conn: &mut sqlx::PgConnection,
    id: uuid::Uuid,
    from: &[&str],
    to: &str,
    version: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::error::AppResult<()> {
    if super::repo::advance(conn, id, from, to, version, now).await? {
        Ok(())
    } else {
        Err(crate::error::AppError::Conflict("error.stale_edit"))
    }
}
