//! Signing in and out, the second factor, the password, and switching tenant.

mod password;
mod second_factor;
mod sign_in;

use crate::web::Form;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::repo;
use crate::audit::{self, Action, Entity, Event};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::tenancy::domain::TenantId;
use crate::web::extract::Ctx;
use crate::web::i18n::Lang;
use crate::web::{AppState, redirect_with_flash, see_other};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(root))
        .route("/login", get(sign_in::form).post(sign_in::sign_in))
        .route(
            "/login/second-factor",
            get(sign_in::second_factor_form).post(sign_in::second_factor),
        )
        .route("/logout", post(sign_in::sign_out))
        .route(
            "/account/password",
            get(password::form).post(password::change),
        )
        .route("/account/second-factor", get(second_factor::page))
        // Each action's address, visited (a reload, the language switch), shows the page again.
        .route(
            "/account/second-factor/restart",
            get(to_second_factor).post(second_factor::restart),
        )
        .route(
            "/account/second-factor/confirm",
            get(to_second_factor).post(second_factor::confirm),
        )
        .route(
            "/account/second-factor/recovery-codes",
            get(to_second_factor).post(second_factor::new_recovery_codes),
        )
        .route(
            "/account/second-factor/remove",
            get(to_second_factor).post(second_factor::remove),
        )
        .route("/session/tenant", post(switch_tenant))
}

/// Why a refused attempt was refused, for the person (`repo::Attempt::allowed`).
fn refusal_message(refused: &repo::Attempt, lang: Lang, now: DateTime<Utc>) -> String {
    match refused {
        repo::Attempt::Locked(until) => {
            let minutes = ((*until - now).num_seconds() + 59) / 60;
            lang.tf("auth.locked", &[("minutes", &minutes.max(1).to_string())])
        }
        _ => lang.t("auth.ip_throttled").to_owned(),
    }
}

/// An attempt by the signed-in person at something only they should know (their current password, a
/// code from their app), counted like a sign-in attempt before it is checked.
struct Counted {
    ip: Option<String>,
    locks_at_failure: Option<DateTime<Utc>>,
}

impl Counted {
    /// None when the account or address may not try now.
    async fn start(state: &AppState, ctx: &Ctx, now: DateTime<Utc>) -> AppResult<Option<Counted>> {
        let ip = ctx.meta.ip_string();
        let attempt = repo::login_attempt(
            &mut *state.db.acquire().await?,
            &ctx.email,
            ip.as_deref(),
            now,
        )
        .await?;
        Ok(attempt.allowed().ok().map(|locks_at_failure| Counted {
            ip,
            locks_at_failure,
        }))
    }

    /// It was right: the count is taken back.
    async fn right(self, state: &AppState, ctx: &Ctx, now: DateTime<Utc>) -> AppResult<()> {
        repo::login_succeeded(
            &mut *state.db.acquire().await?,
            &ctx.email,
            self.ip.as_deref(),
            now,
        )
        .await?;
        Ok(())
    }

    /// It was wrong: audited as `action`; true when this attempt locked the account.
    async fn wrong(
        self,
        state: &AppState,
        ctx: &Ctx,
        action: Action,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        super::service::record_failure(
            &state.db,
            ctx.user_id,
            Some(ctx.tenant.id),
            action,
            self.locks_at_failure,
            now,
            &ctx.actor(),
        )
        .await?;
        Ok(self.locks_at_failure.is_some())
    }
}

async fn to_second_factor() -> Response {
    see_other("/account/second-factor")
}

/// "/" sends a signed-in user to their role's home page.
async fn root(ctx: Ctx) -> Response {
    see_other(ctx.role.home_path()).into_response()
}

#[derive(Deserialize)]
struct SwitchForm {
    tenant: uuid::Uuid,
}

async fn switch_tenant(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<SwitchForm>,
) -> AppResult<Response> {
    let target = TenantId(form.tenant);
    // Only a tenant the user is an enabled member of; anything else looks like it does not exist.
    let Some(choice) = ctx.memberships.iter().find(|m| m.tenant_id == target) else {
        return Err(AppError::NotFound);
    };
    let now = state.clock.now();
    let mut tx = db::tenant_tx(&state.db, target, Some(ctx.user_id)).await?;
    repo::set_session_tenant(&mut tx, &ctx.session_hash, target).await?;
    repo::remember_tenant(&mut tx, ctx.user_id, target).await?;
    repo::record_tenant_visit(&mut tx, ctx.user_id, now).await?;
    // Recorded in the tenant switched to, which is not told where the person came from.
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::AuthTenantSwitched, Entity::Tenant, Some(target.0)),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        choice.role.home_path(),
        true,
        "auth.tenant_switched",
    ))
}
