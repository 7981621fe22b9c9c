//! Changing one's password. The current password is checked like a sign-in: counted first, locked
//! after the same number of failures, so a stolen session cannot be used to guess it.

use crate::web::Form;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::audit::{self, Action, Entity, Event};
use crate::auth::domain::NewPassword;
use crate::auth::repo;
use crate::db;
use crate::error::AppResult;
use crate::web::extract::SignedIn;
use crate::web::forms::FieldErrors;
use crate::web::layout::Layout;
use crate::web::{AppState, redirect_with_flash, render, render_status};

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    l: Layout,
    must_change: bool,
    errors: FieldErrors,
}

pub(super) async fn form(SignedIn(ctx): SignedIn) -> AppResult<Response> {
    render(&PasswordPage {
        l: ctx.layout("auth.change_password"),
        must_change: ctx.must_change_password,
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub(super) async fn change(
    State(state): State<AppState>,
    SignedIn(ctx): SignedIn,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let again = |status: StatusCode, errors: FieldErrors| {
        let page = PasswordPage {
            l: ctx.layout("auth.change_password"),
            must_change: ctx.must_change_password,
            errors,
        };
        render_status(status, &page)
    };
    let mut errors = FieldErrors::default();
    if [&form.current, &form.new, &form.confirm]
        .iter()
        .any(|f| f.len() > 1024)
    {
        errors.add("new", "error.password_too_long");
        return again(StatusCode::UNPROCESSABLE_ENTITY, errors);
    }
    let Some(attempt) = super::Counted::start(&state, &ctx, now).await? else {
        errors.add("current", "auth.too_many_attempts");
        return again(StatusCode::TOO_MANY_REQUESTS, errors);
    };
    let row = {
        let mut tx = db::user_tx(&state.db, ctx.user_id).await?;
        let row = repo::password_row(&mut tx, ctx.user_id).await?;
        tx.commit().await?;
        row
    };
    if !super::super::verify_password(&form.current, &row.password_hash).await? {
        if attempt
            .wrong(&state, &ctx, Action::AuthSignInFailed, now)
            .await?
        {
            errors.add("current", "auth.too_many_attempts");
            return again(StatusCode::TOO_MANY_REQUESTS, errors);
        }
        errors.add("current", "auth.current_password_wrong");
        return again(StatusCode::UNPROCESSABLE_ENTITY, errors);
    }
    attempt.right(&state, &ctx, now).await?;
    let mut personal = vec![row.email.as_str(), row.name.as_str()];
    personal.extend(ctx.memberships.iter().map(|m| m.tenant_name.as_str()));
    let new = errors.check("new", NewPassword::parse(&form.new, &personal));
    if new.is_some() && form.new == form.current {
        errors.add("new", "auth.password_unchanged");
    }
    if form.confirm != form.new {
        errors.add("confirm", "auth.password_mismatch");
    }
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        return again(StatusCode::UNPROCESSABLE_ENTITY, errors);
    };
    let hash = super::super::hash_password(new.expose()).await?;
    let mut tx = ctx.tx(&state).await?;
    repo::set_password(&mut tx, ctx.user_id, &hash, false, now).await?;
    // Whoever else holds a session of this person is signed out: the new password is the only key.
    repo::delete_user_sessions(&mut tx, ctx.user_id, Some(&ctx.session_hash)).await?;
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(
            Action::AuthPasswordChanged,
            Entity::User,
            Some(ctx.user_id.0),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        ctx.role.home_path(),
        true,
        "auth.password_changed",
    ))
}
