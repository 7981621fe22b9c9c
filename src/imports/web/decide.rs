//! The report's decisions: back to the columns, commit, or discard.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::show::{Running, render_page, unprocessable};
use crate::audit::{self, Action, Changes, Entity, Event};
use crate::error::{AppError, AppResult};
use crate::imports::{repo, service};
use crate::jobs::JobKind;
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::{AppState, Form, redirect_with_flash, see_other};

#[derive(Deserialize)]
pub struct DiscardForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    confirm: Option<String>,
}

#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    skip_invalid: Option<String>,
}

/// Back from the report to the mapping.
pub async fn remap(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ImportFiles)?;
    let mut tx = ctx.tx(&state).await?;
    repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    super::advance(
        &mut tx,
        id,
        &["validated", "failed"],
        "mapping",
        form.version,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/admin/imports/{id}")))
}

/// Queues the commit. With rejected rows it goes ahead only when the admin chose to skip them.
pub async fn commit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ImportFiles)?;
    let now = state.clock.now();
    let skip = form.skip_invalid.is_some();
    let mut tx = ctx.tx(&state).await?;
    let r = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if r.state == "validated" && r.version == form.version && r.rejected > 0 && !skip {
        tx.commit().await?;
        let error = ctx.lang.t("import.rejected_rows_block").to_owned();
        return render_page(
            &state,
            &ctx,
            r,
            Running::default(),
            None,
            Some(error),
            StatusCode::CONFLICT,
        )
        .await;
    }
    super::advance(&mut tx, id, &["validated"], "committing", form.version, now).await?;
    repo::set_skip_invalid(&mut tx, id, skip).await?;
    service::queue(&mut tx, id, JobKind::ImportCommit, Some(ctx.user_id), now).await?;
    tx.commit().await?;
    state.jobs.notify();
    Ok(see_other(&format!("/admin/imports/{id}")))
}

/// Gives up an import before its commit (columns to confirm, checked, or failed): it stays in the
/// history as discarded, its stored file goes, and the audit log says who did it.
pub async fn discard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<DiscardForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ImportFiles)?;
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let r = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if r.version != form.version || !matches!(r.state.as_str(), "mapping" | "validated" | "failed")
    {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    // The file goes with it: the page asks the admin to tick that they mean it.
    if form.confirm.as_deref() != Some("yes") {
        tx.commit().await?;
        let error = ctx.lang.t("import.discard_confirm_needed").to_owned();
        return unprocessable(&state, &ctx, r, None, error).await;
    }
    super::advance(
        &mut tx,
        id,
        &["mapping", "validated", "failed"],
        "discarded",
        form.version,
        now,
    )
    .await?;
    repo::drop_file(&mut tx, id).await?;
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::ImportDiscarded, Entity::Import, Some(id)).with(
            Changes::new()
                .created("kind", r.kind.as_str())
                .created("file", &r.file_name),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        "/admin/imports",
        true,
        "import.discarded_flash",
    ))
}
