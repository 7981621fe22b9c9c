//! The invited person's side. Opening the link shows the unit, the role and who invited; then either
//! "create your account" (name and password) or "sign in to accept" with the account they have. The
//! page does not depend on whether an account exists for the email: the link's holder chooses.

use crate::web::Form;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::domain::UserId;
use crate::auth::service::{self as auth_service, SessionStart};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::invitations::domain::{AccountForm, InvitationSecret, Status};
use crate::invitations::repo::{self, Invitation};
use crate::invitations::service;
use crate::web::extract::{Account, RequestMeta, set_session_cookie};
use crate::web::forms::FieldErrors;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::{AppState, redirect_with_flash, render_status, see_other};

#[derive(Template)]
#[template(path = "invitations/accept.html")]
struct AcceptPage {
    l: Layout,
    path: String,
    tenant_name: String,
    role: &'static str,
    invited_by: String,
    branch_name: String,
    email: String,
    expires: String,
    /// The account this browser is signed in to, if any.
    signed_in_as: Option<String>,
    name: String,
    errors: FieldErrors,
    /// Set when the link cannot be used any more (accepted, revoked, expired).
    ended: Option<&'static str>,
    /// A message above everything (an account exists after all; the wrong account is signed in).
    notice: Option<&'static str>,
}

/// The invitation behind a link, with what its page names; None when the link is not one of ours.
async fn open(
    state: &AppState,
    secret: &InvitationSecret,
) -> AppResult<Option<(Invitation, repo::Names)>> {
    let mut tx = db::invitation_tx(&state.db, &secret.hash_hex()).await?;
    let Some(invitation) = repo::by_hash(&mut tx, &secret.hash()).await? else {
        return Ok(None);
    };
    db::set_local(&mut tx, "app.tenant_id", &invitation.tenant_id.to_string()).await?;
    let names = repo::names(&mut tx, invitation.id).await?;
    tx.commit().await?;
    Ok(Some((invitation, names)))
}

fn status(i: &Invitation, now: DateTime<Utc>) -> Status {
    Status::of(i.accepted_at, i.revoked_at, i.expires_at, now)
}

struct PageInput<'a> {
    lang: Lang,
    meta: &'a RequestMeta,
    secret: &'a InvitationSecret,
    signed_in_as: Option<String>,
    name: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

fn page(
    input: PageInput<'_>,
    invitation: &Invitation,
    names: repo::Names,
    now: DateTime<Utc>,
) -> AcceptPage {
    let mut l = input.meta.anonymous_layout("invitation.accept_title");
    l.lang = input.lang;
    l.title = input.lang.t("invitation.accept_title").to_owned();
    let role = invitation.role;
    let ended = match status(invitation, now) {
        Status::Open => None,
        other => Some(other.label_key()),
    };
    let tz: chrono_tz::Tz = names.timezone.parse().unwrap_or(chrono_tz::Asia::Jakarta);
    AcceptPage {
        path: input.secret.path(),
        tenant_name: names.tenant_name,
        role: input.lang.t(role.label_key()),
        invited_by: names.invited_by.unwrap_or_default(),
        branch_name: names.branch_name.unwrap_or_default(),
        email: invitation.email.clone(),
        expires: input.lang.datetime(invitation.expires_at, tz),
        signed_in_as: input.signed_in_as,
        name: input.name,
        errors: input.errors,
        ended,
        notice: input.notice,
        l,
    }
}

fn parse_secret(raw: &str) -> AppResult<InvitationSecret> {
    InvitationSecret::parse(raw).ok_or(AppError::NotFound)
}

pub(super) async fn show(
    State(state): State<AppState>,
    meta: RequestMeta,
    account: Result<Account, AppError>,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let secret = parse_secret(&raw)?;
    let now = state.clock.now();
    let (invitation, names) = open(&state, &secret).await?.ok_or(AppError::NotFound)?;
    let account = account.ok();
    let lang = account.as_ref().map_or(meta.lang(Lang::Id), |a| a.lang);
    let input = PageInput {
        lang,
        meta: &meta,
        secret: &secret,
        signed_in_as: account.map(|a| a.email),
        name: String::new(),
        errors: FieldErrors::default(),
        notice: None,
    };
    let page = page(input, &invitation, names, now);
    let status = if page.ended.is_some() {
        StatusCode::GONE
    } else {
        StatusCode::OK
    };
    render_status(status, &page)
}

/// A new account for the invited email, and its membership, in one transaction; then signed in.
pub(super) async fn register(
    State(state): State<AppState>,
    meta: RequestMeta,
    Path(raw): Path<String>,
    Form(form): Form<AccountForm>,
) -> AppResult<Response> {
    let secret = parse_secret(&raw)?;
    let now = state.clock.now();
    let lang = meta.lang(Lang::Id);
    let (invitation, names) = open(&state, &secret).await?.ok_or(AppError::NotFound)?;
    let again = |status: StatusCode,
                 invitation: &Invitation,
                 names: repo::Names,
                 errors: FieldErrors,
                 notice: Option<&'static str>| {
        let input = PageInput {
            lang,
            meta: &meta,
            secret: &secret,
            signed_in_as: None,
            name: form.name.clone(),
            errors,
            notice,
        };
        render_status(status, &page(input, invitation, names, now))
    };
    if status(&invitation, now) != Status::Open {
        return again(
            StatusCode::GONE,
            &invitation,
            names,
            FieldErrors::default(),
            None,
        );
    }
    let account = match form.parse(&invitation.email, &names.tenant_name) {
        Ok(a) => a,
        Err(errors) => {
            return again(
                StatusCode::UNPROCESSABLE_ENTITY,
                &invitation,
                names,
                errors,
                None,
            );
        }
    };
    let hash = crate::auth::hash_password(account.password.expose()).await?;
    let user = UserId(Uuid::new_v4());
    let actor = meta.actor(Some(user), &invitation.email);
    let mut tx = db::tenant_tx(&state.db, invitation.tenant_id, Some(user)).await?;
    db::set_local(&mut tx, "app.invitation", &secret.hash_hex()).await?;
    // Locked: of two uses of one link at once, the second finds it accepted.
    let locked = repo::lock_by_hash(&mut tx, &secret.hash()).await?;
    let Some(invitation) = locked.filter(|i| status(i, now) == Status::Open) else {
        tx.rollback().await?;
        let (invitation, names) = open(&state, &secret).await?.ok_or(AppError::NotFound)?;
        return again(
            StatusCode::GONE,
            &invitation,
            names,
            FieldErrors::default(),
            None,
        );
    };
    let new = service::NewAccount {
        id: user,
        email: &invitation.email,
        name: &account.name,
        password_hash: &hash,
        must_change_password: false,
    };
    let created = service::create_account(&mut tx, &secret.hash_hex(), &new, &actor, now).await;
    match created {
        Ok(()) => {}
        Err(e) if db::is_unique_violation(&e) => {
            // An account with this email exists: its owner signs in to accept.
            tx.rollback().await?;
            return again(
                StatusCode::CONFLICT,
                &invitation,
                names,
                FieldErrors::default(),
                Some("invitation.account_exists"),
            );
        }
        Err(e) => return Err(e.into()),
    }
    service::join(&mut tx, &invitation, &secret.hash_hex(), user, &actor, now).await?;
    // Signed in by the same transaction: the account, the membership and the session stand or fall
    // together, and nothing is left to fail once they are committed. The unit's second-factor rule
    // applies from the first page on.
    let ip = meta.ip_string();
    let old = meta
        .session_token
        .as_deref()
        .map(crate::auth::domain::token_hash);
    let start = SessionStart {
        user,
        tenant: Some(invitation.tenant_id),
        awaiting_second_factor: false,
        replaces: old.as_deref(),
        ip: ip.as_deref(),
        user_agent: &meta.user_agent,
    };
    let session = auth_service::start_session_in(&mut tx, start, now, &actor).await?;
    tx.commit().await?;
    let home = invitation.role.home_path();
    let mut response = redirect_with_flash(home, true, "invitation.joined");
    set_session_cookie(&mut response, &state.config, &session.token);
    Ok(response)
}

/// The signed-in person joins with the account they have: it must be the invited email's.
pub(super) async fn accept(
    State(state): State<AppState>,
    account: Result<Account, AppError>,
    meta: RequestMeta,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let secret = parse_secret(&raw)?;
    let now = state.clock.now();
    let Ok(account) = account else {
        let to = format!(
            "/login?next={}",
            crate::web::layers::percent_encode(&secret.path())
        );
        return Ok(see_other(&to));
    };
    let (invitation, names) = open(&state, &secret).await?.ok_or(AppError::NotFound)?;
    let again = |status: StatusCode, names: repo::Names, notice: Option<&'static str>| {
        let input = PageInput {
            lang: account.lang,
            meta: &meta,
            secret: &secret,
            signed_in_as: Some(account.email.clone()),
            name: String::new(),
            errors: FieldErrors::default(),
            notice,
        };
        render_status(status, &page(input, &invitation, names, now))
    };
    if status(&invitation, now) != Status::Open {
        return again(StatusCode::GONE, names, None);
    }
    if invitation.email != account.email {
        return again(
            StatusCode::FORBIDDEN,
            names,
            Some("invitation.other_account"),
        );
    }
    let actor = meta.actor(Some(account.user_id), &account.email);
    let mut tx = db::tenant_tx(&state.db, invitation.tenant_id, Some(account.user_id)).await?;
    db::set_local(&mut tx, "app.invitation", &secret.hash_hex()).await?;
    let locked = repo::lock_by_hash(&mut tx, &secret.hash()).await?;
    let Some(locked) = locked.filter(|i| status(i, now) == Status::Open) else {
        // Used or revoked a moment ago: the page says which.
        tx.rollback().await?;
        return Ok(see_other(&secret.path()));
    };
    service::join(
        &mut tx,
        &locked,
        &secret.hash_hex(),
        account.user_id,
        &actor,
        now,
    )
    .await?;
    // The session this request came with may have ended meanwhile (a password reset ends them all):
    // then the person is not signed in, and nothing joins.
    if !crate::auth::repo::session_alive(&mut tx, &account.session_hash, account.user_id).await? {
        tx.rollback().await?;
        let to = format!(
            "/login?next={}",
            crate::web::layers::percent_encode(&secret.path())
        );
        return Ok(see_other(&to));
    }
    auth_service::enter_tenant(
        &mut tx,
        &account.session_hash,
        account.user_id,
        invitation.tenant_id,
        now,
    )
    .await?;
    tx.commit().await?;
    let home = locked.role.home_path();
    Ok(redirect_with_flash(home, true, "invitation.joined"))
}
