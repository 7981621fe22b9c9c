//! One step of a letter's workflow (submit, return, approve, send …), from the letter page's buttons.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::letters::domain::Step;
use crate::letters::service::{self, StepInput};
use crate::web::extract::Ctx;
use crate::web::forms::{multiline_text, optional_date};
use crate::web::{AppState, Form, redirect_with_flash};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    version: i32,
    note: String,
    /// `YYYY-MM-DD`: the day the letter went out, or its receipt was confirmed.
    on: String,
    override_note: String,
}

/// The message after a step.
fn done_key(step: Step) -> &'static str {
    match step {
        Step::Submit => "letter.done.submit",
        Step::Return => "letter.done.return",
        Step::Revise => "letter.done.revise",
        Step::Approve => "letter.done.approve",
        Step::Send => "letter.done.send",
        Step::Acknowledge => "letter.done.acknowledge",
        Step::Resolve => "letter.done.resolve",
        Step::Escalate => "letter.done.escalate",
        Step::Cancel => "letter.done.cancel",
    }
}

pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(Uuid, String)>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let step = Step::parse(&step).map_err(|_| AppError::NotFound)?;
    let note = multiline_text(&form.note, 2000).map_err(AppError::BadRequest)?;
    let override_note = multiline_text(&form.override_note, 2000).map_err(AppError::BadRequest)?;
    let on = optional_date(&form.on).map_err(AppError::BadRequest)?;
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let next = service::take(
        &mut tx,
        &ctx.actor(),
        ctx.who(),
        id,
        step,
        &StepInput {
            version: form.version,
            note,
            on,
            override_note,
        },
        ctx.tenant.tz,
        now,
    )
    .await?;
    tx.commit().await?;
    state.letter_pipeline.changed(ctx.tenant.id);
    Ok(redirect_with_flash(
        &format!("/letters/{next}"),
        true,
        done_key(step),
    ))
}
