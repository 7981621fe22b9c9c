//! The account's second factor: setting it up (a QR code drawn here, the key to type, a first code to
//! confirm), new recovery codes, and removing it when the unit does not ask for it. Every code typed
//! here is counted like a sign-in attempt.

use crate::web::Form;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::audit::{self, Action, Entity, Event};
use crate::auth::repo;
use crate::auth::second_factor::{Code, RecoveryCode, TotpSecret, recovery_codes};
use crate::db;
use crate::error::AppResult;
use crate::web::extract::{Ctx, SignedIn};
use crate::web::forms::FieldErrors;
use crate::web::layout::Layout;
use crate::web::{AppState, redirect_with_flash, render, render_status};

#[derive(Template)]
#[template(path = "auth/second_factor.html")]
struct FactorPage {
    l: Layout,
    /// Set up since, in the tenant's zone; None while not set up.
    enabled_since: Option<String>,
    recovery_codes_left: i64,
    /// While setting up: the QR code (our own SVG markup) and the key to type.
    qr_svg: String,
    typed_key: String,
    required: bool,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "auth/recovery_codes.html")]
struct RecoveryCodesPage {
    l: Layout,
    codes: Vec<String>,
    /// The codes as a text file to save, in the link itself (nothing kept on the server).
    download: String,
    next: String,
}

pub(super) async fn page(
    State(state): State<AppState>,
    SignedIn(ctx): SignedIn,
) -> AppResult<Response> {
    let page = factor_page(&state, &ctx, FieldErrors::default()).await?;
    render(&page)
}

/// The page as it stands: the status when set up, else the setup with its pending key (made and kept
/// the first time, so reloading does not invalidate a QR code already scanned).
async fn factor_page(state: &AppState, ctx: &Ctx, errors: FieldErrors) -> AppResult<FactorPage> {
    let mut tx = db::user_tx(&state.db, ctx.user_id).await?;
    let row = repo::second_factor::second_factor(&mut tx, ctx.user_id).await?;
    let mut page = FactorPage {
        l: ctx.layout("second_factor.title"),
        enabled_since: row.enabled_at.map(|t| ctx.datetime(t)),
        recovery_codes_left: row.recovery_codes_left,
        qr_svg: String::new(),
        typed_key: String::new(),
        required: ctx.second_factor_required,
        errors,
    };
    if row.enabled_at.is_none() {
        let pending = match row.pending_secret.and_then(TotpSecret::from_stored) {
            Some(s) => s,
            None => {
                let s = TotpSecret::generate();
                repo::second_factor::set_pending_secret(&mut tx, ctx.user_id, s.as_bytes()).await?;
                s
            }
        };
        page.qr_svg = pending.qr_svg(&ctx.email);
        page.typed_key = pending.for_typing();
    }
    tx.commit().await?;
    Ok(page)
}

async fn again(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    errors: FieldErrors,
) -> AppResult<Response> {
    let page = factor_page(state, ctx, errors).await?;
    render_status(status, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CodeForm {
    code: String,
}

enum Checked {
    Right(i64),
    Wrong(StatusCode, &'static str),
}

/// Checks a code from the app against `secret`, counted like a sign-in attempt. With `once`, the
/// code's step must also be later than any accepted before (a code is never accepted twice).
async fn check_code(
    state: &AppState,
    ctx: &Ctx,
    raw: &str,
    secret: Option<TotpSecret>,
    once: bool,
    now: DateTime<Utc>,
) -> AppResult<Checked> {
    let Ok(code) = Code::parse(raw) else {
        return Ok(Checked::Wrong(
            StatusCode::UNPROCESSABLE_ENTITY,
            "second_factor.code_invalid",
        ));
    };
    let Some(attempt) = super::Counted::start(state, ctx, now).await? else {
        return Ok(Checked::Wrong(
            StatusCode::TOO_MANY_REQUESTS,
            "auth.too_many_attempts",
        ));
    };
    let mut step = secret.and_then(|s| s.check(&code, now));
    if once && let Some(s) = step {
        let mut tx = db::user_tx(&state.db, ctx.user_id).await?;
        if !repo::second_factor::accept_code_step(&mut tx, ctx.user_id, s).await? {
            step = None;
        }
        tx.commit().await?;
    }
    let Some(step) = step else {
        let locked = attempt
            .wrong(state, ctx, Action::AuthSecondFactorFailed, now)
            .await?;
        return Ok(if locked {
            Checked::Wrong(StatusCode::TOO_MANY_REQUESTS, "auth.too_many_attempts")
        } else {
            Checked::Wrong(StatusCode::UNPROCESSABLE_ENTITY, "second_factor.code_wrong")
        });
    };
    attempt.right(state, ctx, now).await?;
    Ok(Checked::Right(step))
}

/// A new key for the QR code (the person scanned the old one into a lost phone, say).
pub(super) async fn restart(
    State(state): State<AppState>,
    SignedIn(ctx): SignedIn,
) -> AppResult<Response> {
    let mut tx = db::user_tx(&state.db, ctx.user_id).await?;
    let row = repo::second_factor::second_factor(&mut tx, ctx.user_id).await?;
    if row.enabled_at.is_none() {
        repo::second_factor::set_pending_secret(
            &mut tx,
            ctx.user_id,
            TotpSecret::generate().as_bytes(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(redirect_with_flash(
        "/account/second-factor",
        true,
        "second_factor.new_key",
    ))
}

/// The first code confirms the key: the factor is on, and ten recovery codes are shown once.
pub(super) async fn confirm(
    State(state): State<AppState>,
    SignedIn(ctx): SignedIn,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let row = {
        let mut tx = db::user_tx(&state.db, ctx.user_id).await?;
        let row = repo::second_factor::second_factor(&mut tx, ctx.user_id).await?;
        tx.commit().await?;
        row
    };
    if row.enabled_at.is_some() {
        return Ok(redirect_with_flash(
            "/account/second-factor",
            true,
            "second_factor.already_on",
        ));
    }
    let pending = row.pending_secret.and_then(TotpSecret::from_stored);
    let Some(secret) = pending.clone() else {
        return Ok(redirect_with_flash(
            "/account/second-factor",
            false,
            "second_factor.new_key",
        ));
    };
    let step = match check_code(&state, &ctx, &form.code, pending, false, now).await? {
        Checked::Right(step) => step,
        Checked::Wrong(status, key) => {
            let mut errors = FieldErrors::default();
            errors.add("code", key);
            return again(&state, &ctx, status, errors).await;
        }
    };
    let codes = recovery_codes();
    let hashes: Vec<Vec<u8>> = codes.iter().map(RecoveryCode::hash).collect();
    let mut tx = ctx.tx(&state).await?;
    repo::second_factor::enable_second_factor(&mut tx, ctx.user_id, secret.as_bytes(), step, now)
        .await?;
    repo::second_factor::replace_recovery_codes(&mut tx, ctx.user_id, &hashes, now).await?;
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(
            Action::AuthSecondFactorEnabled,
            Entity::User,
            Some(ctx.user_id.0),
        ),
    )
    .await?;
    tx.commit().await?;
    show_codes(&ctx, codes)
}

fn show_codes(ctx: &Ctx, codes: Vec<RecoveryCode>) -> AppResult<Response> {
    let codes: Vec<String> = codes.iter().map(RecoveryCode::for_reading).collect();
    let text = format!(
        "Relasi — {} ({})\r\n\r\n{}\r\n",
        ctx.lang.t("second_factor.recovery_codes"),
        ctx.email,
        codes.join("\r\n")
    );
    render(&RecoveryCodesPage {
        l: ctx.layout("second_factor.recovery_codes"),
        download: format!(
            "data:text/plain;charset=utf-8,{}",
            crate::web::layers::percent_encode(&text)
        ),
        codes,
        next: ctx.role.home_path().to_owned(),
    })
}

/// Ten new recovery codes replace the old ones; a code from the app proves the phone is at hand.
pub(super) async fn new_recovery_codes(
    State(state): State<AppState>,
    SignedIn(ctx): SignedIn,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    if let Err(refused) = prove_phone(&state, &ctx, &form.code, "renew_code", now).await? {
        return Ok(refused);
    }
    let codes = recovery_codes();
    let hashes: Vec<Vec<u8>> = codes.iter().map(RecoveryCode::hash).collect();
    let mut tx = ctx.tx(&state).await?;
    repo::second_factor::replace_recovery_codes(&mut tx, ctx.user_id, &hashes, now).await?;
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(
            Action::AuthRecoveryCodesRenewed,
            Entity::User,
            Some(ctx.user_id.0),
        ),
    )
    .await?;
    tx.commit().await?;
    show_codes(&ctx, codes)
}

/// Turns the factor off, with a code from the app, unless the unit asks for it.
pub(super) async fn remove(
    State(state): State<AppState>,
    SignedIn(ctx): SignedIn,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    if ctx.second_factor_required {
        return Ok(redirect_with_flash(
            "/account/second-factor",
            false,
            "second_factor.required_here",
        ));
    }
    if let Err(refused) = prove_phone(&state, &ctx, &form.code, "remove_code", now).await? {
        return Ok(refused);
    }
    let mut tx = ctx.tx(&state).await?;
    repo::second_factor::clear_second_factor(&mut tx, ctx.user_id, now).await?;
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(
            Action::AuthSecondFactorRemoved,
            Entity::User,
            Some(ctx.user_id.0),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        "/account/second-factor",
        true,
        "second_factor.removed",
    ))
}

/// A change to a factor that is on needs a fresh code from the app (never one accepted before). Err
/// holds the answer when it is not given: the page again with the message beside `field`.
async fn prove_phone(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    field: &'static str,
    now: DateTime<Utc>,
) -> AppResult<Result<(), Response>> {
    let secret = current_secret(state, ctx).await?;
    if secret.is_none() {
        return Ok(Err(redirect_with_flash(
            "/account/second-factor",
            false,
            "second_factor.not_on",
        )));
    }
    match check_code(state, ctx, code, secret, true, now).await? {
        Checked::Right(_) => Ok(Ok(())),
        Checked::Wrong(status, key) => {
            let mut errors = FieldErrors::default();
            errors.add(field, key);
            Ok(Err(again(state, ctx, status, errors).await?))
        }
    }
}

async fn current_secret(state: &AppState, ctx: &Ctx) -> AppResult<Option<TotpSecret>> {
    let mut tx = db::user_tx(&state.db, ctx.user_id).await?;
    let row = repo::second_factor::second_factor(&mut tx, ctx.user_id).await?;
    tx.commit().await?;
    Ok(row.secret.and_then(TotpSecret::from_stored))
}
