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
use crate::letters::domain::{Kind, Language, Reason, State as LetterState};
use crate::letters::repo::{Content, LetterRow};
use crate::letters::service::{self, DraftInput};
use crate::letters::{policy, repo};
use crate::web::extract::Ctx;
use crate::web::forms::{FieldErrors, multiline_text, optional_text, required_multiline};
use crate::web::layout::Layout;
use crate::web::{AppState, Choice, Form, redirect_with_flash, render, render_status};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DraftForm {
    kind: String,
    reason: String,
    language: String,
    override_note: String,
}

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
    let mut errors = FieldErrors::default();
    let kind = errors.check("kind", Kind::parse(&form.kind));
    let reason = errors.check("reason", Reason::parse(&form.reason));
    let language = errors.check("language", Language::parse(&form.language));
    let note = errors.check("override_note", multiline_text(&form.override_note, 2000));
    if let (Some(kind), Some(reason), Some(note)) = (kind, reason, &note)
        && service::needs_override(&mut tx, id, kind, reason).await?
    {
        if !policy::may_override(ctx.who()) {
            errors.add("kind", "letter.needs_warning_1");
        } else if note.is_empty() {
            errors.add("override_note", "letter.override_required");
        }
    }
    let input = errors.finish(|| {
        Some(DraftInput {
            kind: kind?,
            reason: reason?,
            language: language?,
            override_note: note?,
        })
    });
    let input = match input {
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
    Ok(redirect_with_flash(
        &format!("/letters/{letter}"),
        true,
        "letter.drafted",
    ))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EditForm {
    language: String,
    subject_id: String,
    subject_en: String,
    body_id: String,
    body_en: String,
    legal_basis: String,
    version: i32,
}

impl EditForm {
    fn of(l: &LetterRow) -> Self {
        EditForm {
            language: l.content.language.as_str().to_owned(),
            subject_id: l.content.subject_id.clone(),
            subject_en: l.content.subject_en.clone(),
            body_id: l.content.body_id.clone(),
            body_en: l.content.body_en.clone(),
            legal_basis: l.content.legal_basis.clone(),
            version: l.version,
        }
    }

    /// The wording as typed: each language's subject and body are needed when the letter is in it.
    fn parse(&self) -> Result<Content, FieldErrors> {
        let mut errors = FieldErrors::default();
        let language = errors.check("language", Language::parse(&self.language));
        let id = language.is_none_or(Language::has_indonesian);
        let en = language.is_none_or(Language::has_english);
        let text = |raw: &str, needed: bool, max: usize| {
            if needed {
                required_multiline(raw, max)
            } else {
                multiline_text(raw, max)
            }
        };
        let subject_id = errors.check(
            "subject_id",
            text(&self.subject_id, id, 300).and_then(|s| optional_text(&s, 300)),
        );
        let subject_en = errors.check(
            "subject_en",
            text(&self.subject_en, en, 300).and_then(|s| optional_text(&s, 300)),
        );
        let body_id = errors.check("body_id", text(&self.body_id, id, 20_000));
        let body_en = errors.check("body_en", text(&self.body_en, en, 20_000));
        let legal_basis = errors.check("legal_basis", multiline_text(&self.legal_basis, 2000));
        errors.finish(|| {
            Some(Content {
                language: language?,
                subject_id: subject_id?,
                subject_en: subject_en?,
                body_id: body_id?,
                body_en: body_en?,
                legal_basis: legal_basis?,
            })
        })
    }
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
    let l = editable(&mut tx, &ctx, id).await?;
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
    let content = match form.parse() {
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
