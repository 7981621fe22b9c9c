//! "Left the company": the day, the reason, and where the person went — as text, or as their record
//! at another employer of the tenant.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::editable;
use crate::audit::{self, Action, Changes, Entity, Event};
use crate::error::{AppError, AppResult};
use crate::key_persons::domain::Departure;
use crate::key_persons::form::LeftForm;
use crate::key_persons::repo::{self, KeyPersonRow, MoveCandidate};
use crate::web::extract::Ctx;
use crate::web::forms::FieldErrors;
use crate::web::layout::Layout;
use crate::web::stale::StaleEdit;
use crate::web::{AppState, Form, redirect_with_flash, render, render_status};

#[derive(Template)]
#[template(path = "key_persons/left.html")]
struct LeftPage {
    l: Layout,
    p: KeyPersonRow,
    employer_name: String,
    f: LeftForm,
    errors: FieldErrors,
    candidates: Vec<MoveCandidate>,
    stale: Option<StaleEdit>,
}

impl LeftPage {
    /// The page, offering people of the same name at other employers as where the person went.
    async fn build(
        conn: &mut sqlx::PgConnection,
        ctx: &Ctx,
        p: KeyPersonRow,
        employer_name: String,
        f: LeftForm,
        errors: FieldErrors,
        stale: Option<StaleEdit>,
    ) -> AppResult<LeftPage> {
        let tokens: Vec<String> = p
            .fields
            .full_name
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        let candidates = repo::same_name_elsewhere(conn, p.id, p.employer_id, &tokens).await?;
        Ok(LeftPage {
            l: ctx.layout_titled(p.fields.full_name.clone()),
            p,
            employer_name,
            f,
            errors,
            candidates,
            stale,
        })
    }
}

pub async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let today = ctx.today(state.clock.now());
    let mut tx = ctx.tx(&state).await?;
    let (p, employer_name) = editable(&mut tx, &ctx, id).await?;
    let f = LeftForm {
        left_on: today.to_string(),
        version: p.version,
        ..LeftForm::default()
    };
    let page = LeftPage::build(
        &mut tx,
        &ctx,
        p,
        employer_name,
        f,
        FieldErrors::default(),
        None,
    )
    .await?;
    tx.commit().await?;
    render(&page)
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<LeftForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let (p, employer_name) = editable(&mut tx, &ctx, id).await?;
    let (departure, mut errors) =
        FieldErrors::split(Departure::try_from(ctx.submitted(&form, now)));
    let moved_id: Option<Uuid> = form.moved_to_id.trim().parse().ok();
    if let Some(other) = moved_id
        && !repo::is_elsewhere(&mut tx, other, p.employer_id).await?
    {
        errors.add("moved_to_id", "key_person.moved_to_invalid");
    }
    let Some(departure) = departure.filter(|_| errors.is_empty()) else {
        let page = LeftPage::build(&mut tx, &ctx, p, employer_name, form, errors, None).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let moved_to_name = match moved_id {
        Some(m) => repo::find(&mut tx, m).await?.map(|k| k.fields.full_name),
        None => None,
    };
    if !repo::mark_left(&mut tx, id, &departure, form.version, now).await? {
        // Someone saved first: the form as typed, on top of the saved version.
        let current = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let differences = departure_changes(&current, &departure, moved_to_name);
        let f = LeftForm {
            version: current.version,
            ..form
        };
        let stale = Some(StaleEdit::new(ctx.lang, differences));
        let page = LeftPage::build(&mut tx, &ctx, current, employer_name, f, errors, stale).await?;
        return render_status(StatusCode::CONFLICT, &page);
    }
    let changes = departure_changes(&p, &departure, moved_to_name);
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::KeyPersonLeft, Entity::KeyPerson, Some(id))
            .with(changes)
            .of_employer(p.employer_id),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{}#former", p.employer_id),
        true,
        "key_person.left_saved",
    ))
}

/// What recording a departure changes on the person, as the audit trail records it.
fn departure_changes(p: &KeyPersonRow, d: &Departure, moved_to_name: Option<String>) -> Changes {
    Changes::new()
        .field("left_on", json!(p.left_on), json!(d.left_on))
        .field("left_reason", p.left_reason.as_str(), d.reason.as_str())
        .field(
            "moved_to",
            json!(p.moved_to_text),
            json!(moved_to_name.unwrap_or(d.moved_to_text.clone())),
        )
        .field("primary", p.fields.is_primary, false)
}
