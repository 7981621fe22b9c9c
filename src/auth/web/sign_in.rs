//! The sign-in page, the second-factor question that follows it for accounts that have one, and
//! signing out.
//!
//! Every attempt — a password or a code — is counted before it is checked (`repo::login_attempt`), so
//! parallel guesses lock at exactly the limit; a right answer takes its count back.

use crate::web::Form;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::audit::{self, Action, Entity, Event};
use crate::auth::domain::{self, Email};
use crate::auth::repo::{self, Attempt};
use crate::auth::second_factor::{Answer, TotpSecret};
use crate::auth::service::{self, SessionStart};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::web::extract::{
    Ctx, PendingSignIn, RequestMeta, SignedIn, clear_session_cookie, set_session_cookie,
};
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::{AppState, LocalPath, redirect_with_flash, render, render_status, see_other};

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    l: Layout,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

fn next_of(raw: Option<&str>) -> Option<LocalPath> {
    raw.and_then(LocalPath::parse)
}

pub(super) async fn form(
    signed_in: Result<Ctx, AppError>,
    meta: RequestMeta,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if let Ok(ctx) = signed_in {
        return Ok(see_other(ctx.role.home_path()));
    }
    render(&LoginPage {
        l: meta.anonymous_layout("auth.sign_in"),
        email: String::new(),
        next: next_of(q.next.as_deref())
            .map(|n| n.to_string())
            .unwrap_or_default(),
        error: None,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct LoginForm {
    email: String,
    password: String,
    next: String,
}

/// Longer than any password the policy allows, with room for what password managers paste.
const MAX_PASSWORD_BYTES: usize = 1024;

pub(super) async fn sign_in(
    State(state): State<AppState>,
    meta: RequestMeta,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let lang = meta.lang(Lang::Id);
    let typed = form.email.trim().to_lowercase();
    let next = next_of(Some(&form.next));
    let refuse = |status: StatusCode, message: String| {
        let page = LoginPage {
            l: meta.anonymous_layout("auth.sign_in"),
            email: if status == StatusCode::UNPROCESSABLE_ENTITY {
                String::new()
            } else {
                form.email.clone()
            },
            next: next.as_ref().map(|n| n.to_string()).unwrap_or_default(),
            error: Some(message),
        };
        render_status(status, &page)
    };
    // Checked before any database work: no email is longer, and no character of these belongs in one.
    if typed.chars().count() > 254
        || typed.chars().any(char::is_control)
        || form.password.len() > MAX_PASSWORD_BYTES
    {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang.t("auth.invalid_input").to_owned(),
        );
    }
    let ip = meta.ip_string();
    let attempt =
        repo::login_attempt(&mut *state.db.acquire().await?, &typed, ip.as_deref(), now).await?;
    let locks_at_failure = match attempt.allowed() {
        Ok(lock) => lock,
        Err(refused) => {
            let message = super::refusal_message(&refused, lang, now);
            return refuse(StatusCode::TOO_MANY_REQUESTS, message);
        }
    };
    let user = check_credentials(&state, &form.email, &form.password).await?;
    let actor = meta.actor(user.as_ref().map(|(u, _)| u.id), &typed);
    let Some((user, true)) = user else {
        if let Some((u, _)) = &user {
            service::record_failure(
                &state.db,
                u.id,
                u.last_tenant_id,
                Action::AuthSignInFailed,
                locks_at_failure,
                now,
                &actor,
            )
            .await?;
        }
        maybe_prune(&state, now).await?;
        return match locks_at_failure {
            Some(until) => refuse(
                StatusCode::TOO_MANY_REQUESTS,
                super::refusal_message(&Attempt::Locked(until), lang, now),
            ),
            None => refuse(
                StatusCode::UNAUTHORIZED,
                lang.t("auth.invalid_credentials").to_owned(),
            ),
        };
    };

    let memberships = {
        let mut tx = db::user_tx(&state.db, user.id).await?;
        let m = repo::enabled_memberships(&mut tx, user.id).await?;
        tx.commit().await?;
        m
    };
    let landing = service::landing(&memberships, user.last_tenant_id);
    // A person with no unit yet may sign in only to accept an invitation.
    let accepting_invitation = next
        .as_ref()
        .is_some_and(|n| n.as_str().starts_with("/invitations/"));
    if landing.is_none() && !accepting_invitation {
        repo::login_succeeded(&mut *state.db.acquire().await?, &typed, ip.as_deref(), now).await?;
        return refuse(
            StatusCode::FORBIDDEN,
            lang.t("auth.no_membership").to_owned(),
        );
    }
    let old_session = meta.session_token.as_deref().map(domain::token_hash);
    let start = SessionStart {
        user: user.id,
        tenant: landing.map(|m| m.tenant_id),
        awaiting_second_factor: user.has_second_factor,
        replaces: old_session.as_deref(),
        ip: ip.as_deref(),
        user_agent: &meta.user_agent,
    };
    if user.has_second_factor {
        // The count stays until the code is right too: password and code guesses share one budget.
        let session = service::start_session(&state.db, start, now, &actor).await?;
        let to = match &next {
            Some(n) => format!(
                "/login/second-factor?next={}",
                crate::web::layers::percent_encode(n.as_str())
            ),
            None => "/login/second-factor".to_owned(),
        };
        let mut response = see_other(&to);
        set_session_cookie(&mut response, &state.config, &session.token);
        return Ok(response);
    }
    repo::login_succeeded(&mut *state.db.acquire().await?, &typed, ip.as_deref(), now).await?;
    let session = service::start_session(&state.db, start, now, &actor).await?;
    let home = landing.map_or("/", |m| m.role.home_path());
    let target = if session.must_change_password {
        "/account/password".to_owned()
    } else {
        next.map_or_else(|| home.to_owned(), |n| n.to_string())
    };
    let mut response = see_other(&target);
    set_session_cookie(&mut response, &state.config, &session.token);
    Ok(response)
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
    let matches = super::super::verify_password(password, stored).await?;
    Ok(user.map(|u| (u, matches)))
}

/// Old failures matter to no limit; about one failure in fifty sweeps them away.
async fn maybe_prune(state: &AppState, now: DateTime<Utc>) -> AppResult<()> {
    let mut b = [0u8; 1];
    let _ = getrandom::fill(&mut b);
    if b[0] % 50 == 0 {
        repo::prune_throttle(&mut *state.db.acquire().await?, now).await?;
    }
    Ok(())
}

// The second-factor question -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "auth/second_factor_question.html")]
struct QuestionPage {
    l: Layout,
    next: String,
    error: Option<String>,
}

pub(super) async fn second_factor_form(
    _pending: PendingSignIn,
    meta: RequestMeta,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    render(&QuestionPage {
        l: meta.anonymous_layout("second_factor.question_title"),
        next: next_of(q.next.as_deref())
            .map(|n| n.to_string())
            .unwrap_or_default(),
        error: None,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AnswerForm {
    code: String,
    next: String,
}

pub(super) async fn second_factor(
    State(state): State<AppState>,
    pending: PendingSignIn,
    Form(form): Form<AnswerForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let meta = &pending.meta;
    let lang = meta.lang(Lang::Id);
    let next = next_of(Some(&form.next));
    let ask_again = |status: StatusCode, key_or_text: String| {
        let page = QuestionPage {
            l: meta.anonymous_layout("second_factor.question_title"),
            next: next.as_ref().map(|n| n.to_string()).unwrap_or_default(),
            error: Some(key_or_text),
        };
        render_status(status, &page)
    };
    let answer = match Answer::parse(&form.code) {
        Ok(a) => a,
        Err(key) => return ask_again(StatusCode::UNPROCESSABLE_ENTITY, lang.t(key).to_owned()),
    };
    let ip = meta.ip_string();
    let attempt = repo::login_attempt(
        &mut *state.db.acquire().await?,
        &pending.email,
        ip.as_deref(),
        now,
    )
    .await?;
    let locks_at_failure = match attempt.allowed() {
        Ok(lock) => lock,
        Err(refused) => {
            let message = super::refusal_message(&refused, lang, now);
            return ask_again(StatusCode::TOO_MANY_REQUESTS, message);
        }
    };
    let actor = meta.actor(Some(pending.user_id), &pending.email);
    let used_recovery = matches!(answer, Answer::Recovery(_));
    let right = {
        let mut tx = db::user_tx(&state.db, pending.user_id).await?;
        let right = match &answer {
            Answer::Code(code) => {
                let row = repo::second_factor::second_factor(&mut tx, pending.user_id).await?;
                let step = row
                    .secret
                    .and_then(TotpSecret::from_stored)
                    .and_then(|s| s.check(code, now));
                match step {
                    // A code already used (in its own or a later step) is refused.
                    Some(step) => {
                        repo::second_factor::accept_code_step(&mut tx, pending.user_id, step)
                            .await?
                    }
                    None => false,
                }
            }
            Answer::Recovery(code) => {
                repo::second_factor::use_recovery_code(&mut tx, pending.user_id, &code.hash(), now)
                    .await?
            }
        };
        tx.commit().await?;
        right
    };
    if !right {
        service::record_failure(
            &state.db,
            pending.user_id,
            pending.tenant,
            Action::AuthSecondFactorFailed,
            locks_at_failure,
            now,
            &actor,
        )
        .await?;
        return match locks_at_failure {
            Some(until) => ask_again(
                StatusCode::TOO_MANY_REQUESTS,
                super::refusal_message(&Attempt::Locked(until), lang, now),
            ),
            None => ask_again(
                StatusCode::UNAUTHORIZED,
                lang.t("second_factor.code_wrong").to_owned(),
            ),
        };
    }
    repo::login_succeeded(
        &mut *state.db.acquire().await?,
        &pending.email,
        ip.as_deref(),
        now,
    )
    .await?;
    let start = SessionStart {
        user: pending.user_id,
        tenant: pending.tenant,
        awaiting_second_factor: false,
        replaces: Some(&pending.session_hash),
        ip: ip.as_deref(),
        user_agent: &meta.user_agent,
    };
    let session = service::start_session(&state.db, start, now, &actor).await?;
    let mut home = "/";
    if let Some(tenant) = pending.tenant {
        let mut tx = db::tenant_tx(&state.db, tenant, Some(pending.user_id)).await?;
        if used_recovery {
            let event = Event::new(
                Action::AuthRecoveryCodeUsed,
                Entity::User,
                Some(pending.user_id.0),
            );
            audit::repo::record(&mut tx, now, &actor, event).await?;
        }
        let memberships = repo::enabled_memberships(&mut tx, pending.user_id).await?;
        tx.commit().await?;
        if let Some(m) = memberships.iter().find(|m| m.tenant_id == tenant) {
            home = m.role.home_path();
        }
    }
    let target = if session.must_change_password {
        "/account/password".to_owned()
    } else {
        next.map_or_else(|| home.to_owned(), |n| n.to_string())
    };
    let mut response = if used_recovery {
        redirect_with_flash(&target, true, "second_factor.recovery_code_used")
    } else {
        see_other(&target)
    };
    set_session_cookie(&mut response, &state.config, &session.token);
    Ok(response)
}

// Signing out --------------------------------------------------------------------------------------

/// Ends the session the browser holds, whatever state it is in (signed in, owing its second factor,
/// or without a unit).
pub(super) async fn sign_out(
    State(state): State<AppState>,
    meta: RequestMeta,
    signed_in: Result<SignedIn, AppError>,
) -> AppResult<Response> {
    let now = state.clock.now();
    if let Ok(SignedIn(ctx)) = signed_in {
        let mut tx = ctx.tx(&state).await?;
        repo::delete_session(&mut tx, &ctx.session_hash).await?;
        audit::repo::record(
            &mut tx,
            now,
            &ctx.actor(),
            Event::new(Action::AuthSignOut, Entity::User, Some(ctx.user_id.0)),
        )
        .await?;
        tx.commit().await?;
    } else if let Some(token) = &meta.session_token {
        repo::delete_session(&mut *state.db.acquire().await?, &domain::token_hash(token)).await?;
    }
    let mut response = redirect_with_flash("/login", true, "auth.signed_out");
    clear_session_cookie(&mut response, &state.config);
    Ok(response)
}
