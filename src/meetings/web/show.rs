//! The meeting page, and cancelling a planned meeting from it.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::changeable;
use crate::audit::{self, Action, Changes, Entity, Event};
use crate::employers::repo as employer_repo;
use crate::employers::service as employer_service;
use crate::error::{AppError, AppResult};
use crate::follow_ups::repo as follow_up_repo;
use crate::follow_ups::views::FollowUpView;
use crate::meetings::domain::Status;
use crate::meetings::policy;
use crate::meetings::repo::{self, MeetingRow};
use crate::meetings::views::MeetingView;
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::forms::optional_text;
use crate::web::layout::Layout;
use crate::web::{AppState, Form, redirect_with_flash, render};

#[derive(Template)]
#[template(path = "meetings/show.html")]
struct ShowPage {
    l: Layout,
    m: MeetingRow,
    v: MeetingView,
    follow_ups: Vec<FollowUpView>,
    can_change: bool,
    can_restore: bool,
    can_add_follow_up: bool,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let today = ctx.today(state.clock.now());
    let mut tx = ctx.tx(&state).await?;
    let m = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let follow_ups = follow_up_repo::for_meetings(&mut tx, &[id]).await?;
    tx.commit().await?;
    let l = ctx.layout_titled(m.employer_name.clone());
    let open = m.archived_at.is_none();
    render(&ShowPage {
        v: MeetingView::of(&l, &m),
        follow_ups: FollowUpView::all(&l, ctx.who(), &follow_ups, today),
        can_change: policy::may_change(ctx.who(), m.logged_by)
            && open
            && m.fields.status != Status::Cancelled,
        can_restore: policy::may_archive(ctx.who(), m.logged_by, false) && !open,
        can_add_follow_up: policy::may_log_for(ctx.who(), m.employer_rm) && open,
        l,
        m,
    })
}

#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    reason: String,
    version: i32,
}

/// A planned meeting that will not take place is cancelled with a reason; it leaves the employer's
/// next planned meeting.
pub async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<CancelForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let m = changeable(&mut tx, &ctx, id).await?;
    if m.fields.status != Status::Planned {
        return Err(AppError::Conflict("meeting.not_planned"));
    }
    let reason = optional_text(&form.reason, 500).map_err(AppError::BadRequest)?;
    employer_repo::lock_open(&mut tx, m.employer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !repo::cancel(&mut tx, id, &reason, form.version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    let changes = Changes::new()
        .field("meeting_status", m.fields.status, Status::Cancelled)
        .field("cancel_reason", "", reason.as_str());
    let actor = ctx.actor();
    audit::repo::record(
        &mut tx,
        now,
        &actor,
        Event::new(Action::MeetingCancelled, Entity::Meeting, Some(id))
            .with(changes)
            .of_employer(m.employer_id),
    )
    .await?;
    employer_service::refresh_cadence(&mut tx, &actor, m.employer_id, ctx.tenant.tz, now).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/meetings/{id}"),
        true,
        "meeting.cancelled",
    ))
}
