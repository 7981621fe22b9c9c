//! A person's data under UU PDP, for admins: everything held about them as a file, and erasure.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Action, Changes, Entity, Event};
use crate::employers::repo as employer_repo;
use crate::error::{AppError, AppResult};
use crate::key_persons::domain::ERASED;
use crate::key_persons::{policy, repo};
use crate::web::extract::Ctx;
use crate::web::forms::ConfirmForm;
use crate::web::{AppState, Form, download, redirect_with_flash};

fn require(ctx: &Ctx) -> AppResult<()> {
    if policy::may_manage_personal_data(ctx.who()) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Everything held about the person: the record and every change recorded about them.
pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    require(&ctx)?;
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let p = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let e = employer_repo::find(&mut tx, p.employer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let events = repo::events_of(&mut tx, id).await?;
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::KeyPersonExported, Entity::KeyPerson, Some(id))
            .of_employer(p.employer_id),
    )
    .await?;
    tx.commit().await?;
    let body = json!({
        "exported_at": now,
        "controller": ctx.tenant.name,
        "employer": { "id": e.id, "name": e.fields.name, "npp": e.fields.npp },
        "person": p,
        "history": events.iter().map(|ev| json!({
            "at": ev.occurred_at, "action": ev.action, "changes": ev.changes
        })).collect::<Vec<_>>(),
    });
    let text = serde_json::to_vec_pretty(&body)
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("personal data export")))?;
    Ok(download(
        "application/json",
        &format!("key-person-{id}.json"),
        text,
    ))
}

/// Erasing cannot be undone: it needs the ticked confirmation and the version the page showed, so a
/// stale page or a stray click erases nothing.
pub async fn erase(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    require(&ctx)?;
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let p = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let person = format!("/employers/{}#kp-{id}", p.employer_id);
    if p.erased_at.is_some() {
        return Ok(redirect_with_flash(&person, true, "key_person.erased"));
    }
    if !form.confirmed() {
        return Ok(redirect_with_flash(
            &format!("/employers/{}#personal-data", p.employer_id),
            false,
            "admin.confirm_needed",
        ));
    }
    if p.version != form.version {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    repo::erase(&mut tx, id, ERASED, now).await?;
    // The event says what was erased, never the erased values.
    let changes = Changes::new().created("erased_fields", "full_name, email, phone");
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::KeyPersonErased, Entity::KeyPerson, Some(id))
            .with(changes)
            .of_employer(p.employer_id),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&person, true, "key_person.erased"))
}
