//! One month of an employer's contributions: the form (new when the month is not entered yet, a
//! correction when it is), and saving it. A stale correction comes back with the differences.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use serde::Serialize;
use uuid::Uuid;

use crate::audit::Changes;
use crate::contributions::domain::{ContributionFields, Period};
use crate::contributions::form::{ContributionForm, Entered};
use crate::contributions::{policy, repo, service};
use crate::employers::service as employer_service;
use crate::error::{AppError, AppResult};
use crate::web::extract::Ctx;
use crate::web::forms::{FieldErrors, Submitted};
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::stale::StaleEdit;
use crate::web::{AppState, Form, redirect_with_flash, render, render_status};

#[derive(Template)]
#[template(path = "contributions/form.html")]
struct FormPage {
    l: Layout,
    employer_id: Uuid,
    employer_name: String,
    f: ContributionForm,
    /// The month in words ("Jul 2026"), for a correction.
    period_label: String,
    /// The month is entered already: the period is fixed and this is a correction.
    existing: bool,
    due_on: Option<String>,
    errors: FieldErrors,
    stale: Option<StaleEdit>,
}

/// The employer's name, when `ctx` may record its contributions (404 for another tenant's).
async fn employer_name(conn: &mut sqlx::PgConnection, ctx: &Ctx, id: Uuid) -> AppResult<String> {
    if !policy::may_record(ctx.who()) {
        return Err(AppError::Forbidden);
    }
    let e = employer_service::checked(conn, id, |_| true).await?;
    if e.archived_at.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(e.fields.name)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, period)): Path<(Uuid, String)>,
) -> AppResult<Response> {
    let period = Period::parse(&period).map_err(|_| AppError::NotFound)?;
    let mut tx = ctx.tx(&state).await?;
    let employer_name = employer_name(&mut tx, &ctx, id).await?;
    let stored = repo::find(&mut tx, id, period).await?;
    let due_on = match &stored {
        Some(r) => r.due_on,
        None => service::due_on(&mut tx, period).await?,
    };
    tx.commit().await?;
    let f = match &stored {
        Some(r) => ContributionForm::of(r, ctx.lang),
        None => ContributionForm {
            period: period.code(),
            ..ContributionForm::default()
        },
    };
    render(&FormPage {
        l: ctx.layout(if stored.is_some() {
            "contribution.correct"
        } else {
            "contribution.enter"
        }),
        employer_id: id,
        employer_name,
        period_label: period_label(ctx.lang, &f.period),
        f,
        existing: stored.is_some(),
        due_on: Some(ctx.lang.date(due_on)),
        errors: FieldErrors::default(),
        stale: None,
    })
}

/// "Jul 2026" for the form's `2026-07`; what was typed, when it is not a month.
fn period_label(lang: Lang, code: &str) -> String {
    match Period::parse(code) {
        Ok(p) => {
            let d = p.first_day();
            format!("{} {}", lang.month_abbr(d.month()), d.year())
        }
        Err(_) => code.to_owned(),
    }
}

/// What a stale edit compares: the month's figures.
#[derive(Serialize)]
struct Compared<'a>(&'a ContributionFields);

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<ContributionForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let today = ctx.today(now);
    let mut tx = ctx.tx(&state).await?;
    let employer_name = employer_name(&mut tx, &ctx, id).await?;
    let entered = Entered::try_from(Submitted {
        form: &form,
        now,
        tz: ctx.tenant.tz,
    });
    let page = |f: ContributionForm, errors, stale, existing| FormPage {
        l: ctx.layout(if existing {
            "contribution.correct"
        } else {
            "contribution.enter"
        }),
        employer_id: id,
        employer_name: employer_name.clone(),
        period_label: period_label(ctx.lang, &f.period),
        f,
        existing,
        due_on: None,
        errors,
        stale,
    };
    let entered = match entered {
        Ok(e) => e,
        Err(errors) => {
            tx.rollback().await?;
            let existing = form.version > 0;
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(form, errors, None, existing),
            );
        }
    };
    match service::save(
        &mut tx,
        &ctx.actor(),
        id,
        &entered,
        form.version,
        today,
        now,
    )
    .await
    {
        Ok(()) => {}
        Err(AppError::Conflict(_)) => {
            // Someone entered or corrected this month first: the form as typed, on top of the
            // saved version, with the fields where the two differ. Nothing of this edit is written.
            tx.rollback().await?;
            let mut tx = ctx.tx(&state).await?;
            let current = repo::find(&mut tx, id, entered.period).await?;
            tx.commit().await?;
            let (version, differences) = match &current {
                Some(c) => (
                    c.version,
                    Changes::between(&Compared(&c.fields), &Compared(&entered.fields)),
                ),
                None => (0, Changes::new()),
            };
            let form = ContributionForm { version, ..form };
            let stale = StaleEdit::new(ctx.lang, differences);
            return render_status(
                StatusCode::CONFLICT,
                &page(form, FieldErrors::default(), Some(stale), current.is_some()),
            );
        }
        Err(e) => return Err(e),
    }
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{id}#contributions"),
        true,
        "contribution.saved",
    ))
}
