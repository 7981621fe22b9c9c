//! Sign-in, sign-out, change password, switch tenant.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::domain::{self, Email, NewPassword, UserId};
use super::repo;
use crate::audit::{self, Actor, Changes, Event};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::tenancy::domain::TenantId;
use crate::web::extract::{Ctx, RequestMeta, SignedIn, session_cookie_name};
use crate::web::forms::FieldErrors;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::{AppState, redirect_with_flash, render, render_status, safe_next};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(root))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route(
            "/account/password",
            get(password_form).post(change_password),
        )
        .route("/session/tenant", post(switch_tenant))
}

/// "/" sends a signed-in user to their role's home page.
async fn root(ctx: Ctx) -> Response {
    Redirect::to(ctx.role.home_path()).into_response()
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    l: Layout,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(
    signed_in: Result<Ctx, AppError>,
    meta: RequestMeta,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if let Ok(ctx) = signed_in {
        return Ok(Redirect::to(ctx.role.home_path()).into_response());
    }
    let next = q
        .next
        .as_deref()
        .map(|n| safe_next(Some(n)))
        .unwrap_or_default();
    render(&LoginPage {
        l: meta.anonymous_layout("auth.sign_in"),
        email: String::new(),
        next,
        error: None,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(state): State<AppState>,
    meta: RequestMeta,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let lang = meta.lang(Lang::Id);
    let typed = form.email.trim().to_lowercase();
    let refuse = |status: StatusCode, message: String| {
        let page = LoginPage {
            l: meta.anonymous_layout("auth.sign_in"),
            email: form.email.clone(),
            next: form.next.clone(),
            error: Some(message),
        };
        render_status(status, &page)
    };

    if let Some(refusal) = throttled(&state, &meta, &typed, now, lang).await? {
        return refuse(StatusCode::TOO_MANY_REQUESTS, refusal);
    }
    let user = check_credentials(&state, &form.email, &form.password).await?;
    let actor = Actor {
        user: user.as_ref().map(|(u, _)| u.id),
        label: typed.clone(),
        ip: meta.ip,
        request_id: meta.request_id.clone(),
    };
    let Some((user, true)) = user else {
        let ip = meta.ip_string();
        return match record_failed_sign_in(&state, &typed, ip.as_deref(), now, &actor).await? {
            Some(until) => refuse(
                StatusCode::TOO_MANY_REQUESTS,
                locked_message(lang, until, now),
            ),
            None => refuse(
                StatusCode::UNAUTHORIZED,
                lang.t("auth.invalid_credentials").to_owned(),
            ),
        };
    };

    let memberships = {
        let mut tx = db::user_tx(&state.db, user.id).await?;
        repo::clear_failures(&mut tx, &typed).await?;
        let m = repo::enabled_memberships(&mut tx, user.id).await?;
        tx.commit().await?;
        m
    };
    // A person starts where they last worked, else in the first tenant by name; they can switch.
    let last = memberships
        .iter()
        .find(|m| Some(m.tenant_id) == user.last_tenant_id);
    let Some(first) = last.or(memberships.first()) else {
        return refuse(
            StatusCode::FORBIDDEN,
            lang.t("auth.no_membership").to_owned(),
        );
    };
    let session = start_session(&state, &meta, user.id, first.tenant_id, now, &actor).await?;
    let target = if session.must_change_password {
        "/account/password".to_owned()
    } else if !form.next.is_empty() {
        safe_next(Some(&form.next))
    } else {
        repo::role_of(&first.role).home_path().to_owned()
    };
    let mut response = Redirect::to(&target).into_response();
    set_session_cookie(&mut response, &state, &session.token);
    Ok(response)
}

/// Why a sign-in may not even be tried now: too many failures from this address, or this email is
/// locked. Checked before the password, so a locked account cannot be probed.
async fn throttled(
    state: &AppState,
    meta: &RequestMeta,
    typed: &str,
    now: DateTime<Utc>,
    lang: Lang,
) -> AppResult<Option<String>> {
    let mut conn = state.db.acquire().await?;
    if repo::ip_is_blocked(&mut conn, meta.ip_string().as_deref(), now).await? {
        return Ok(Some(lang.t("auth.ip_throttled").to_owned()));
    }
    Ok(repo::locked_until(&mut conn, typed, now)
        .await?
        .map(|until| locked_message(lang, until, now)))
}

/// The account for the email, if any, and whether the password matches it. Unknown emails are checked
/// against a dummy hash, so both answers take the same time.
async fn check_credentials(
    state: &AppState,
    email: &str,
    password: &str,
) -> AppResult<Option<(repo::SignInUser, bool)>> {
    let user = match Email::parse(email) {
        Ok(e) => {
            let mut tx = db::lookup_tx(&state.db, e.as_str()).await?;
            let user = repo::find_user_by_email(&mut tx, e.as_str()).await?;
            tx.commit().await?;
            user
        }
        Err(_) => None,
    };
    let stored = user
        .as_ref()
        .map_or_else(|| domain::dummy_hash(), |u| u.password_hash.as_str());
    let matches = super::verify_password(password, stored).await?;
    Ok(user.map(|u| (u, matches)))
}

fn locked_message(lang: Lang, until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = ((until - now).num_seconds() + 59) / 60;
    lang.tf("auth.locked", &[("minutes", &minutes.max(1).to_string())])
}

/// Counts the failure (per email and per address) and audits it in every tenant the person belongs to.
async fn record_failed_sign_in(
    state: &AppState,
    typed: &str,
    ip: Option<&str>,
    now: DateTime<Utc>,
    actor: &Actor,
) -> AppResult<Option<DateTime<Utc>>> {
    let mut tx = crate::db::begin(&state.db).await?;
    let locked = repo::record_failure(&mut tx, typed, ip, now).await?;
    if let Some(user) = actor.user {
        db::set_local(&mut tx, "app.user_id", &user.to_string()).await?;
        let tenants = repo::all_membership_tenants(&mut tx, user).await?;
        audit::repo::record_in_tenants(&mut tx, &tenants, now, actor, || {
            Event::new("auth.sign_in_failed", "user", Some(user.0))
        })
        .await?;
        if let Some(until) = locked {
            audit::repo::record_in_tenants(&mut tx, &tenants, now, actor, || {
                Event::new("auth.locked", "user", Some(user.0))
                    .with(Changes::new().created("locked_until", until.to_rfc3339()))
            })
            .await?;
        }
    }
    // Old failures matter to no limit; about one failure in fifty sweeps them away.
    if rand_percent() < 2 {
        repo::prune_throttle(&mut tx, now).await?;
    }
    tx.commit().await?;
    Ok(locked)
}

fn rand_percent() -> u8 {
    let mut b = [0u8; 1];
    let _ = getrandom::fill(&mut b);
    b[0] % 100
}

struct NewSession {
    token: String,
    must_change_password: bool,
}

/// Opens a new session (a new id at every sign-in, so a planted cookie is worthless), ends the one the
/// browser came with, and audits the sign-in.
async fn start_session(
    state: &AppState,
    meta: &RequestMeta,
    user: UserId,
    tenant: TenantId,
    now: DateTime<Utc>,
    actor: &Actor,
) -> AppResult<NewSession> {
    let token = domain::random_token();
    let mut tx = db::tenant_tx(&state.db, tenant, Some(user)).await?;
    if let Some(old) = &meta.session_token {
        repo::delete_session(&mut tx, &domain::token_hash(old)).await?;
    }
    let ip = meta.ip_string();
    repo::create_session(
        &mut tx,
        &domain::token_hash(&token),
        user,
        tenant,
        now,
        ip.as_deref(),
        &meta.user_agent,
    )
    .await?;
    let must_change_password = repo::record_sign_in(&mut tx, user, now).await?;
    let event = Event::new("auth.sign_in", "user", Some(user.0));
    audit::repo::record(&mut tx, now, actor, event).await?;
    tx.commit().await?;
    Ok(NewSession {
        token,
        must_change_password,
    })
}

fn set_session_cookie(response: &mut Response, state: &AppState, token: &str) {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let max_age = state.config.session_absolute_timeout.num_seconds();
    let cookie = format!(
        "{}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
        session_cookie_name(state.config.secure_cookies)
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn clear_session_cookie(response: &mut Response, state: &AppState) {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}",
        session_cookie_name(state.config.secure_cookies)
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

async fn logout(
    State(state): State<AppState>,
    signed_in: Result<SignedIn, AppError>,
) -> AppResult<Response> {
    if let Ok(SignedIn(ctx)) = signed_in {
        let now = state.clock.now();
        let mut tx = ctx.tx(&state).await?;
        repo::delete_session(&mut tx, &ctx.session_hash).await?;
        audit::repo::record(
            &mut tx,
            now,
            &ctx.actor(),
            Event::new("auth.sign_out", "user", Some(ctx.user_id.0)),
        )
        .await?;
        tx.commit().await?;
    }
    let mut response = redirect_with_flash("/login", true, "auth.signed_out");
    clear_session_cookie(&mut response, &state);
    Ok(response)
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    l: Layout,
    must_change: bool,
    errors: FieldErrors,
}

async fn password_form(SignedIn(ctx): SignedIn) -> AppResult<Response> {
    render(&PasswordPage {
        l: ctx.layout("auth.change_password"),
        must_change: ctx.must_change_password,
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    SignedIn(ctx): SignedIn,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let row = {
        let mut tx = db::user_tx(&state.db, ctx.user_id).await?;
        repo::password_row(&mut tx, ctx.user_id).await?
    };
    let mut errors = FieldErrors::default();
    if !super::verify_password(&form.current, &row.password_hash).await? {
        errors.add("current", "auth.current_password_wrong");
    }
    let new = errors.check(
        "new",
        NewPassword::parse(&form.new, &[&row.email, &row.name]),
    );
    if new.is_some() && form.new == form.current {
        errors.add("new", "auth.password_unchanged");
    }
    if form.confirm != form.new {
        errors.add("confirm", "auth.password_mismatch");
    }
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        let page = PasswordPage {
            l: ctx.layout("auth.change_password"),
            must_change: ctx.must_change_password,
            errors,
        };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let hash = super::hash_password(new.expose()).await?;
    let mut tx = ctx.tx(&state).await?;
    repo::set_password(&mut tx, ctx.user_id, &hash, false, now).await?;
    // Whoever else holds a session of this person is signed out: the new password is the only key.
    repo::delete_user_sessions(&mut tx, ctx.user_id, Some(&ctx.session_hash)).await?;
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new("auth.password_changed", "user", Some(ctx.user_id.0)),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        ctx.role.home_path(),
        true,
        "auth.password_changed",
    ))
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
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new("auth.tenant_switched", "tenant", Some(target.0)).with(Changes::new().field(
            "tenant",
            ctx.tenant.name.as_str(),
            choice.tenant_name.as_str(),
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        repo::role_of(&choice.role).home_path(),
        true,
        "auth.tenant_switched",
    ))
}
