//! Marking a follow-up done, or open again.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::changeable;
use crate::audit::{self, Action, Changes, Entity, Event};
use crate::error::{AppError, AppResult};
use crate::follow_ups::repo;
use crate::web::extract::Ctx;
use crate::web::{AppState, Form, LocalPath, redirect_with_flash};

#[derive(Deserialize)]
pub struct DoneForm {
    version: i32,
    /// The list the button was pressed on, to return to.
    #[serde(default)]
    back: String,
}

pub async fn mark_done(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<DoneForm>,
) -> AppResult<Response> {
    set_done(&state, &ctx, id, true, form).await
}

pub async fn reopen(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<DoneForm>,
) -> AppResult<Response> {
    set_done(&state, &ctx, id, false, form).await
}

async fn set_done(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    done: bool,
    form: DoneForm,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(state).await?;
    let f = changeable(&mut tx, ctx, id).await?;
    let by = done.then_some(ctx.user_id.0);
    if !repo::set_done(&mut tx, id, by, form.version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    let (action, flash) = if done {
        (Action::FollowUpDone, "follow_up.marked_done")
    } else {
        (Action::FollowUpReopened, "follow_up.reopened")
    };
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(action, Entity::FollowUp, Some(id))
            .with(Changes::new().field("done", !done, done))
            .of_employer(f.employer_id),
    )
    .await?;
    tx.commit().await?;
    let to = LocalPath::or(
        Some(&form.back),
        &format!("/employers/{}#follow-ups", f.employer_id),
    );
    Ok(redirect_with_flash(to.as_str(), true, flash))
}
