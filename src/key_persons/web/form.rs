//! Adding and editing a key person: the form, the reports-to check, the primary-contact handover,
//! and a stale edit shown against what was saved meanwhile.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::editable;
use crate::audit::{self, Action, Changes, Entity, Event};
use crate::employers::policy as employer_policy;
use crate::employers::service as employer_service;
use crate::error::{AppError, AppResult};
use crate::key_persons::domain::{KeyPersonFields, KpRole, LegalBasis, Level};
use crate::key_persons::form::PersonForm;
use crate::key_persons::repo::{self, KeyPersonRow, SaveOutcome};
use crate::key_persons::service;
use crate::web::extract::Ctx;
use crate::web::forms::FieldErrors;
use crate::web::layout::Layout;
use crate::web::stale::StaleEdit;
use crate::web::{AppState, Choice, Form, redirect_with_flash, render, render_status};

#[derive(Template)]
#[template(path = "key_persons/form.html")]
struct FormPage {
    l: Layout,
    employer_id: Uuid,
    employer_name: String,
    /// None for a new person.
    id: Option<Uuid>,
    f: PersonForm,
    errors: FieldErrors,
    stale: Option<StaleEdit>,
    levels: Vec<Choice>,
    roles: Vec<Choice>,
    bases: Vec<Choice>,
    managers: Vec<Choice>,
}

/// Whose form it is, as the page names them.
struct Of {
    employer_id: Uuid,
    employer_name: String,
    /// None for a new person.
    id: Option<Uuid>,
}

impl FormPage {
    /// The form with its options; the managers offered are the employer's current people.
    async fn build(
        conn: &mut sqlx::PgConnection,
        l: Layout,
        of: Of,
        f: PersonForm,
        errors: FieldErrors,
        stale: Option<StaleEdit>,
    ) -> AppResult<FormPage> {
        let people = repo::for_employer(conn, of.employer_id).await?;
        let managers = people
            .iter()
            .filter(|p| Some(p.id) != of.id && p.left_on.is_none() && p.archived_at.is_none())
            .map(|p| Choice {
                value: p.id.to_string(),
                label: if p.fields.position_title.is_empty() {
                    p.fields.full_name.clone()
                } else {
                    format!("{} — {}", p.fields.full_name, p.fields.position_title)
                },
                selected: p.id.to_string() == f.reports_to_id.trim(),
            })
            .collect();
        Ok(FormPage {
            levels: Choice::of::<Level>(l.lang, &f.level),
            roles: Choice::of_many::<KpRole>(l.lang, &f.roles),
            bases: Choice::of::<LegalBasis>(l.lang, &f.legal_basis),
            managers,
            l,
            employer_id: of.employer_id,
            employer_name: of.employer_name,
            id: of.id,
            f,
            errors,
            stale,
        })
    }
}

/// The employer's name, when `ctx` may add people to it.
async fn employer_name(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    employer: Uuid,
) -> AppResult<String> {
    let may = |rm| employer_policy::may_edit(ctx.who(), rm);
    Ok(employer_service::checked(conn, employer, may)
        .await?
        .fields
        .name)
}

pub async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(employer): Path<Uuid>,
) -> AppResult<Response> {
    let mut tx = ctx.tx(&state).await?;
    let of = Of {
        employer_name: employer_name(&mut tx, &ctx, employer).await?,
        employer_id: employer,
        id: None,
    };
    let l = ctx.layout("key_person.new");
    let page = FormPage::build(
        &mut tx,
        l,
        of,
        PersonForm::new_person(),
        FieldErrors::default(),
        None,
    )
    .await?;
    tx.commit().await?;
    render(&page)
}

/// Reports-to must name a colleague at the same employer and must not close a loop.
async fn check_reports_to(
    conn: &mut sqlx::PgConnection,
    person: Uuid,
    employer: Uuid,
    fields: &KeyPersonFields,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    let Some(manager) = fields.reports_to_id else {
        return Ok(());
    };
    repo::lock_reporting_lines(&mut *conn, employer).await?;
    match repo::find(&mut *conn, manager).await? {
        Some(m) if m.employer_id == employer => {
            if repo::reports_to_would_cycle(conn, person, manager).await? {
                errors.add("reports_to_id", "key_person.reports_to_cycle");
            }
        }
        _ => errors.add("reports_to_id", "key_person.reports_to_invalid"),
    }
    Ok(())
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(employer): Path<Uuid>,
    Form(form): Form<PersonForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let employer_name = employer_name(&mut tx, &ctx, employer).await?;
    let id = Uuid::new_v4();
    let (fields, mut errors) =
        FieldErrors::split(KeyPersonFields::try_from(ctx.submitted(&form, now)));
    if let Some(f) = &fields {
        check_reports_to(&mut tx, id, employer, f, &mut errors).await?;
    }
    if let Some(f) = fields.as_ref().filter(|_| errors.is_empty())
        && let SaveOutcome::PrimaryTaken =
            service::create(&mut tx, &ctx.actor(), employer, id, f, now).await?
    {
        errors.add("is_primary", "key_person.primary_taken");
    }
    if fields.is_none() || !errors.is_empty() {
        // Nothing of a refused form is kept.
        tx.rollback().await?;
        let mut tx = ctx.tx(&state).await?;
        let of = Of {
            employer_id: employer,
            employer_name,
            id: None,
        };
        let page = FormPage::build(
            &mut tx,
            ctx.layout("key_person.new"),
            of,
            form,
            errors,
            None,
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{employer}#key-persons"),
        true,
        "key_person.created",
    ))
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut tx = ctx.tx(&state).await?;
    let (p, employer_name) = editable(&mut tx, &ctx, id).await?;
    let f = PersonForm::of(&p, ctx.tenant.tz);
    let of = Of {
        employer_id: p.employer_id,
        employer_name,
        id: Some(id),
    };
    let l = ctx.layout_titled(p.fields.full_name.clone());
    let page = FormPage::build(&mut tx, l, of, f, FieldErrors::default(), None).await?;
    tx.commit().await?;
    render(&page)
}

/// What an edit changes, field by field, as the audit trail records it (the manager by name).
async fn changes_between(
    conn: &mut sqlx::PgConnection,
    old: &KeyPersonRow,
    new: &KeyPersonFields,
) -> AppResult<Changes> {
    let old = service::recorded(&mut *conn, &old.fields).await?;
    let new = service::recorded(conn, new).await?;
    Ok(Changes::between(&old, &new))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<PersonForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let (old, employer_name) = editable(&mut tx, &ctx, id).await?;
    let employer = old.employer_id;
    let (fields, mut errors) =
        FieldErrors::split(KeyPersonFields::try_from(ctx.submitted(&form, now)));
    if let Some(f) = &fields {
        if f.is_primary && (old.left_on.is_some() || old.archived_at.is_some()) {
            errors.add("is_primary", "key_person.primary_must_be_current");
        }
        check_reports_to(&mut tx, id, employer, f, &mut errors).await?;
    }
    let mut outcome = None;
    if let Some(f) = fields.as_ref().filter(|_| errors.is_empty()) {
        if f.is_primary && !old.fields.is_primary {
            service::move_primary(&mut tx, &ctx.actor(), employer, id, now).await?;
        }
        outcome = Some(repo::update(&mut tx, id, f, form.version, now).await?);
    }
    let l = ctx.layout_titled(old.fields.full_name.clone());
    let of = Of {
        employer_id: employer,
        employer_name,
        id: Some(id),
    };
    let fields = match (outcome, fields) {
        (Some(SaveOutcome::Saved), Some(fields)) => fields,
        (Some(SaveOutcome::Stale), Some(yours)) => {
            // Nothing of this edit is written: the form as typed, on top of the saved version,
            // with the fields where the two differ.
            tx.rollback().await?;
            let mut tx = ctx.tx(&state).await?;
            let current = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
            let differences = changes_between(&mut tx, &current, &yours).await?;
            let f = PersonForm {
                version: current.version,
                ..form
            };
            let stale = Some(StaleEdit::new(ctx.lang, differences));
            let page = FormPage::build(&mut tx, l, of, f, errors, stale).await?;
            return render_status(StatusCode::CONFLICT, &page);
        }
        (outcome, _) => {
            if matches!(outcome, Some(SaveOutcome::PrimaryTaken)) {
                errors.add("is_primary", "key_person.primary_taken");
            }
            tx.rollback().await?;
            let mut tx = ctx.tx(&state).await?;
            let page = FormPage::build(&mut tx, l, of, form, errors, None).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let changes = changes_between(&mut tx, &old, &fields).await?;
    if !changes.is_empty() {
        audit::repo::record(
            &mut tx,
            now,
            &ctx.actor(),
            Event::new(Action::KeyPersonUpdated, Entity::KeyPerson, Some(id))
                .with(changes)
                .of_employer(employer),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{employer}#kp-{id}"),
        true,
        "key_person.saved",
    ))
}
