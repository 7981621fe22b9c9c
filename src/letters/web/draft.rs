//! Drafting a letter to an employer (kind, reason, language; the wording comes from the tenant's
//! template), and editing a draft's wording.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::contributions::domain::money_text;
use crate::contributions::repo::{self as contribution_repo, Totals};
use crate::employers::repo::Employer;
use crate::employers::service as employer_service;
use crate::error::{AppError, AppResult};
use crate::letters::domain::{Content, Kind, Language, Reason, State as LetterState};
use crate::letters::form::{DraftForm, EditForm};
use crate::letters::repo::LetterRow;
use crate::letters::service::{self, DraftInput};
use crate::letters::{policy, repo};
use crate::web::extract::Ctx;
use crate::web::forms::FieldErrors;
use crate::web::layout::Layout;
use crate::web::{AppState, Choice, Form, redirect_with_flash, render, render_status};

#[derive(Template)]
#[template(path = "letters/new.html")]
struct NewPage {
    l: Layout,
    employer_id: Uuid,
    employer_name: String,
    arrears: String,
    months_in_arrears: i64,
    kinds: Vec<Choice>,
    reasons: Vec<Choice>,
    languages: Vec<Choice>,
    f: DraftForm,
    may_override: bool,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    kind: String,
    reason: String,
}

/// The employer, when `ctx` may draft a letter to it (404 for another tenant's or an archived one).
async fn draftable(conn: &mut sqlx::PgConnection, ctx: &Ctx, id: Uuid) -> AppResult<Employer> {
    let who = ctx.who();
    let e = employer_service::checked(conn, id, |rm| policy::may_draft(who, rm)).await?;
    if e.archived_at.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(e)
}

fn new_page(ctx: &Ctx, e: &Employer, t: &Totals, f: DraftForm, errors: FieldErrors) -> NewPage {
    let l = ctx.layout("letter.new");
    NewPage {
        employer_id: e.id,
        employer_name: e.fields.name.clone(),
        arrears: money_text(t.arrears, l.lang),
        months_in_arrears: t.months_in_arrears,
        kinds: Choice::of::<Kind>(l.lang, &f.kind),
        reasons: Choice::of::<Reason>(l.lang, &f.reason),
        languages: Choice::of::<Language>(l.lang, &f.language),
        may_override: policy::may_override(ctx.who()),
        l,
        f,
        errors,
    }
}

pub async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let today = ctx.today(state.clock.now());
    let mut tx = ctx.tx(&state).await?;
    let e = draftable(&mut tx, &ctx, id).await?;
    let totals = contribution_repo::totals(&mut tx, id, today).await?;
    tx.commit().await?;
    let kind = Kind::parse(&q.kind).unwrap_or(Kind::Notification);
    let reason = Reason::parse(&q.reason).unwrap_or(if totals.arrears.is_zero() {
        Reason::DataUpdate
    } else {
        Reason::Arrears
    });
    let f = DraftForm {
        kind: kind.as_str().to_owned(),
        reason: reason.as_str().to_owned(),
        language: service::default_language(&e).as_str().to_owned(),
        override_note: String::new(),
    };
    render(&new_page(&ctx, &e, &totals, f, FieldErrors::default()))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<DraftForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let today = ctx.today(now);
    let mut tx = ctx.tx(&state).await?;
    let e = draftable(&mut tx, &ctx, id).await?;
    // The second-warning rule needs the employer's letters: checked once the form parsed.
    let (input, mut errors) = FieldErrors::split(DraftInput::try_from(&form));
    if let Some(i) = &input
        && service::needs_override(&mut tx, id, i.kind, i.reason).await?
    {
        if !policy::may_override(ctx.who()) {
            errors.add("kind", "letter.needs_warning_1");
        } else if i.override_note.is_empty() {
            errors.add("override_note", "letter.override_required");
        }
    }
    let input = match input.filter(|_| errors.is_empty()).ok_or(errors) {
        Ok(i) => i,
        Err(errors) => {
            let totals = contribution_repo::totals(&mut tx, id, today).await?;
            tx.rollback().await?;
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &new_page(&ctx, &e, &totals, form, errors),
            );
        }
    };
    let letter = service::draft(
        &mut tx,
        &ctx.actor(),
        ctx.who(),
        &e,
        &input,
        None,
        today,
        now,
    )
    .await?;
    tx.commit().await?;
    state.letter_pipeline.changed(ctx.tenant.id);
    Ok(redirect_with_flash(
        &format!("/letters/{letter}"),
        true,
        "letter.drafted",
    ))
}

#[derive(Template)]
#[template(path = "letters/edit.html")]
struct EditPage {
    l: Layout,
    id: Uuid,
    employer_id: Uuid,
    employer_name: String,
    languages: Vec<Choice>,
    f: EditForm,
    errors: FieldErrors,
    stale: bool,
}

/// A draft `ctx` may change: 404 for another tenant's, 403 for one not theirs, 409 once it left draft.
async fn editable(conn: &mut sqlx::PgConnection, ctx: &Ctx, id: Uuid) -> AppResult<LetterRow> {
    let l = repo::find(conn, id, false)
        .await?
        .ok_or(AppError::NotFound)?;
    if !policy::may_draft(ctx.who(), l.employer_rm) {
        return Err(AppError::Forbidden);
    }
    if l.state != LetterState::Draft {
        return Err(AppError::Conflict("letter.not_a_draft"));
    }
    Ok(l)
}

fn edit_page(ctx: &Ctx, l: &LetterRow, f: EditForm, errors: FieldErrors, stale: bool) -> EditPage {
    let layout = ctx.layout("letter.edit");
    EditPage {
        languages: Choice::of::<Language>(layout.lang, &f.language),
        l: layout,
        id: l.id,
        employer_id: l.employer_id,
        employer_name: l.employer_name.clone(),
        f,
        errors,
        stale,
    }
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut tx = ctx.tx(&state).await?;
    let l = match editable(&mut tx, &ctx, id).await {
        Ok(l) => l,
        // Someone opened the edit link of a letter that left draft: the letter, with the reason.
        Err(AppError::Conflict(key)) => {
            return Ok(redirect_with_flash(&format!("/letters/{id}"), false, key));
        }
        Err(e) => return Err(e),
    };
    tx.commit().await?;
    render(&edit_page(
        &ctx,
        &l,
        EditForm::of(&l),
        FieldErrors::default(),
        false,
    ))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<EditForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let l = editable(&mut tx, &ctx, id).await?;
    let content = match Content::try_from(&form) {
        Ok(c) => c,
        Err(errors) => {
            tx.rollback().await?;
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &edit_page(&ctx, &l, form, errors, false),
            );
        }
    };
    match service::edit(&mut tx, &ctx.actor(), &l, &content, form.version, now).await {
        Ok(()) => {}
        Err(AppError::Conflict("error.stale_edit")) => {
            // Someone saved the draft first: the wording as typed, on top of the saved version.
            tx.rollback().await?;
            let f = EditForm {
                version: l.version,
                ..form
            };
            return render_status(
                StatusCode::CONFLICT,
                &edit_page(&ctx, &l, f, FieldErrors::default(), true),
            );
        }
        Err(e) => return Err(e),
    }
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/letters/{id}"),
        true,
        "letter.saved",
    ))
}
