//! The admin's side: invite a person, see the link once, revoke an invitation.

use crate::web::Form;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use uuid::Uuid;

use crate::audit::{self, Action, Changes, Entity, Event};
use crate::error::{AppError, AppResult};
use crate::invitations::domain::{DEFAULT_DAYS, InvitationForm, NewInvitation, VALID_DAYS};
use crate::invitations::{repo, service};
use crate::tenancy::domain::{Permission, Role};
use crate::web::extract::Ctx;
use crate::web::forms::{Choice, FieldErrors};
use crate::web::layout::Layout;
use crate::web::{AppState, public_base, redirect_with_flash, render, render_status};

/// Invitations one unit's admins may make in 24 hours.
const MAX_PER_DAY: i64 = 100;

#[derive(Template)]
#[template(path = "invitations/new.html")]
struct InvitePage {
    l: Layout,
    email: String,
    roles: Vec<Choice>,
    branches: Vec<Choice>,
    days: Vec<Choice>,
    errors: FieldErrors,
}

async fn invite_page(
    state: &AppState,
    ctx: &Ctx,
    form: &InvitationForm,
    errors: FieldErrors,
) -> AppResult<InvitePage> {
    let mut tx = ctx.tx(state).await?;
    let lists = state.directory.lists(&mut tx, ctx.tenant.id).await?;
    tx.commit().await?;
    let l = ctx.layout("invitation.new_title");
    let roles = Choice::of::<Role>(l.lang, &form.role);
    let branches = lists.branch_choices(form.branch_id.trim().parse().ok());
    let chosen_days = form.days.parse().unwrap_or(DEFAULT_DAYS);
    let days = VALID_DAYS
        .iter()
        .map(|d| Choice {
            value: d.to_string(),
            label: if *d == 1 {
                l.t("invitation.days_one").to_owned()
            } else {
                l.tf("invitation.days_n", &[("n", &d.to_string())])
            },
            selected: *d == chosen_days,
        })
        .collect();
    Ok(InvitePage {
        l,
        email: form.email.clone(),
        roles,
        branches,
        days,
        errors,
    })
}

pub(super) async fn new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let form = InvitationForm {
        role: Role::Rm.as_str().to_owned(),
        ..InvitationForm::default()
    };
    let page = invite_page(&state, &ctx, &form, FieldErrors::default()).await?;
    render(&page)
}

/// The link, shown once: only its hash is kept.
#[derive(Template)]
#[template(path = "invitations/created.html")]
struct CreatedPage {
    l: Layout,
    email: String,
    role: &'static str,
    expires: String,
    link: String,
}

/// The answer is the same whether or not an account with the email exists anywhere: the invitation
/// creates nothing by itself, and its page shows a link.
pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<InvitationForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let now = state.clock.now();
    let new = match NewInvitation::try_from(&form) {
        Ok(n) => n,
        Err(errors) => {
            let page = invite_page(&state, &ctx, &form, errors).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let base = public_base(&state, &headers);
    let mut tx = ctx.tx(&state).await?;
    // Each invitation lets its link's holder learn whether the email has an account (docs/security.md);
    // a day's quota bounds how far one unit's admins can probe, far above any unit's onboarding.
    // Operators (`relasi user create`) are not bound by it.
    if repo::created_since(&mut tx, now - chrono::Duration::days(1)).await? >= MAX_PER_DAY {
        tx.rollback().await?;
        let mut errors = FieldErrors::default();
        errors.add("email", "invitation.too_many");
        let page = invite_page(&state, &ctx, &form, errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let invited = match service::invite(&mut tx, &new, &ctx.actor(), now).await? {
        Ok(i) => i,
        Err((field, key)) => {
            tx.rollback().await?;
            let mut errors = FieldErrors::default();
            errors.add(field, key);
            let page = invite_page(&state, &ctx, &form, errors).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    tx.commit().await?;
    render(&CreatedPage {
        l: ctx.layout("invitation.created_title"),
        email: new.email.as_str().to_owned(),
        role: ctx.lang.t(new.role.label_key()),
        expires: ctx.datetime(invited.expires_at),
        link: format!("{base}{}", invited.secret.path()),
    })
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let Some(email) = repo::revoke(&mut tx, id, ctx.user_id, now).await? else {
        // Accepted or revoked meanwhile; or unknown here, which another tenant's id is too.
        if repo::exists(&mut tx, id).await? {
            return Ok(redirect_with_flash(
                "/admin/users",
                false,
                "invitation.not_open",
            ));
        }
        return Err(AppError::NotFound);
    };
    let event = Event::new(Action::InvitationRevoked, Entity::Invitation, Some(id))
        .with(Changes::new().created("email", email));
    audit::repo::record(&mut tx, now, &ctx.actor(), event).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        "/admin/users",
        true,
        "invitation.revoked",
    ))
}
