//! Adding and editing a follow-up, and a stale edit shown against what was saved meanwhile.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::changeable;
use crate::audit::{self, Action, Changes, Entity, Event};
use crate::employers::service as employer_service;
use crate::error::{AppError, AppResult};
use crate::follow_ups::domain::FollowUpFields;
use crate::follow_ups::form::FollowUpForm;
use crate::follow_ups::repo::{self, FollowUpRow};
use crate::follow_ups::{policy, service};
use crate::meetings::repo as meeting_repo;
use crate::tenancy::domain::Permission;
use crate::tenancy::repo as tenancy_repo;
use crate::web::extract::Ctx;
use crate::web::forms::FieldErrors;
use crate::web::layout::Layout;
use crate::web::stale::StaleEdit;
use crate::web::{AppState, Choice, Form, redirect_with_flash, render, render_status};

#[derive(Template)]
#[template(path = "follow_ups/form.html")]
struct FormPage {
    l: Layout,
    id: Option<Uuid>,
    employer_id: Uuid,
    employer_name: String,
    f: FollowUpForm,
    errors: FieldErrors,
    stale: Option<StaleEdit>,
    assignees: Vec<Choice>,
}

/// Whose follow-up the form is.
struct Of {
    /// None for a new follow-up.
    id: Option<Uuid>,
    employer_id: Uuid,
    employer_name: String,
}

impl FormPage {
    async fn build(
        state: &AppState,
        conn: &mut sqlx::PgConnection,
        ctx: &Ctx,
        of: Of,
        f: FollowUpForm,
        errors: FieldErrors,
        stale: Option<StaleEdit>,
    ) -> AppResult<FormPage> {
        let lists = state.directory.lists(conn, ctx.tenant.id).await?;
        Ok(FormPage {
            assignees: lists.people_choices(|id| f.assignee.trim() == id.to_string()),
            l: ctx.layout(if of.id.is_some() {
                "follow_up.edit"
            } else {
                "follow_up.new"
            }),
            id: of.id,
            employer_id: of.employer_id,
            employer_name: of.employer_name,
            f,
            errors,
            stale,
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    meeting: Option<String>,
}

/// The employer's name, when `ctx` may add follow-ups to it.
async fn employer_name(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    employer: Uuid,
) -> AppResult<String> {
    ctx.require(Permission::LogMeetings)?;
    let may = |rm| policy::may_add(ctx.who(), rm);
    Ok(employer_service::checked(conn, employer, may)
        .await?
        .fields
        .name)
}

pub async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(employer): Path<Uuid>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let of = Of {
        id: None,
        employer_name: employer_name(&mut tx, &ctx, employer).await?,
        employer_id: employer,
    };
    let f = FollowUpForm {
        assignee: ctx.user_id.0.to_string(),
        due_on: (ctx.today(now) + chrono::Days::new(7)).to_string(),
        meeting: q.meeting.unwrap_or_default(),
        ..FollowUpForm::default()
    };
    let page = FormPage::build(&state, &mut tx, &ctx, of, f, FieldErrors::default(), None).await?;
    tx.commit().await?;
    render(&page)
}

/// The meeting a new follow-up comes from must be one of the same employer.
async fn meeting_of(
    conn: &mut sqlx::PgConnection,
    employer: Uuid,
    raw: &str,
) -> AppResult<Option<Uuid>> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let id: Uuid = raw.trim().parse().map_err(|_| AppError::NotFound)?;
    match meeting_repo::find(conn, id).await? {
        Some(m) if m.employer_id == employer => Ok(Some(id)),
        _ => Err(AppError::NotFound),
    }
}

/// Is the assignee an enabled member of the tenant? Share-locked until the follow-up is saved, so a
/// person disabled at this moment hands it over with the rest (`tenancy::repo::lock_enabled`).
async fn check_assignee(
    conn: &mut sqlx::PgConnection,
    fields: &FollowUpFields,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    if !tenancy_repo::lock_enabled(conn, fields.assignee_id).await? {
        errors.add("assignee", "follow_up.assignee_invalid");
    }
    Ok(())
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(employer): Path<Uuid>,
    Form(form): Form<FollowUpForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let employer_name = employer_name(&mut tx, &ctx, employer).await?;
    let meeting = meeting_of(&mut tx, employer, &form.meeting).await?;
    let (fields, mut errors) = FieldErrors::split(FollowUpFields::try_from(&form));
    if let Some(f) = &fields {
        check_assignee(&mut tx, f, &mut errors).await?;
    }
    let Some(fields) = fields.filter(|_| errors.is_empty()) else {
        tx.rollback().await?;
        let mut tx = ctx.tx(&state).await?;
        let of = Of {
            id: None,
            employer_id: employer,
            employer_name,
        };
        let page = FormPage::build(&state, &mut tx, &ctx, of, form, errors, None).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let actor = ctx.actor();
    service::create(
        &mut tx,
        &actor,
        employer,
        meeting,
        &fields,
        ctx.user_id.0,
        now,
    )
    .await?;
    tx.commit().await?;
    let to = match meeting {
        Some(m) => format!("/meetings/{m}"),
        None => format!("/employers/{employer}#follow-ups"),
    };
    Ok(redirect_with_flash(&to, true, "follow_up.created"))
}

/// What an edit changes, field by field, as the audit trail records it (people by name).
async fn changes_between(
    conn: &mut sqlx::PgConnection,
    old: &FollowUpRow,
    new: &FollowUpFields,
) -> AppResult<Changes> {
    let old = service::recorded(&mut *conn, &old.fields).await?;
    let new = service::recorded(conn, new).await?;
    Ok(Changes::between(&old, &new))
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut tx = ctx.tx(&state).await?;
    let f = changeable(&mut tx, &ctx, id).await?;
    let of = Of {
        id: Some(id),
        employer_id: f.employer_id,
        employer_name: f.employer_name.clone(),
    };
    let form = FollowUpForm::from(&f);
    let page = FormPage::build(
        &state,
        &mut tx,
        &ctx,
        of,
        form,
        FieldErrors::default(),
        None,
    )
    .await?;
    tx.commit().await?;
    render(&page)
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<FollowUpForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let old = changeable(&mut tx, &ctx, id).await?;
    let (fields, mut errors) = FieldErrors::split(FollowUpFields::try_from(&form));
    if let Some(f) = &fields
        && f.assignee_id != old.fields.assignee_id
    {
        check_assignee(&mut tx, f, &mut errors).await?;
    }
    let saved = match fields.as_ref().filter(|_| errors.is_empty()) {
        Some(f) => Some(repo::update(&mut tx, id, f, form.version, now).await?),
        None => None,
    };
    let of = Of {
        id: Some(id),
        employer_id: old.employer_id,
        employer_name: old.employer_name.clone(),
    };
    let fields = match (saved, fields) {
        (Some(true), Some(fields)) => fields,
        (saved, fields) => {
            tx.rollback().await?;
            let mut tx = ctx.tx(&state).await?;
            // Someone saved first: the form as typed, on top of the saved version, with the fields
            // where the two differ. Nothing of this edit is written.
            let (form, stale) = match (saved, &fields) {
                (Some(false), Some(yours)) => {
                    let current = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
                    let differences = changes_between(&mut tx, &current, yours).await?;
                    let form = FollowUpForm {
                        version: current.version,
                        ..form
                    };
                    (form, Some(StaleEdit::new(ctx.lang, differences)))
                }
                _ => (form, None),
            };
            let status = if stale.is_some() {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let page = FormPage::build(&state, &mut tx, &ctx, of, form, errors, stale).await?;
            return render_status(status, &page);
        }
    };
    let changes = changes_between(&mut tx, &old, &fields).await?;
    if !changes.is_empty() {
        audit::repo::record(
            &mut tx,
            now,
            &ctx.actor(),
            Event::new(Action::FollowUpUpdated, Entity::FollowUp, Some(id))
                .with(changes)
                .of_employer(old.employer_id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{}#follow-ups", old.employer_id),
        true,
        "follow_up.saved",
    ))
}
