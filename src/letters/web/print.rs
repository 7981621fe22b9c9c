//! The A4 print view: letterhead, number, date, the letter in its language (both side by side for a
//! bilingual letter), the arrears table and the signatory. Only a numbered letter prints: a draft has
//! no number yet and must not leave the office.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use uuid::Uuid;

use super::readable;
use crate::error::{AppError, AppResult};
use crate::letters::repo::LetterRow;
use crate::letters::views::Written;
use crate::tenancy::repo::Settings as TenantSettings;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, render};
use crate::working_days;
use chrono::Days;

#[derive(Template)]
#[template(path = "letters/print.html")]
struct PrintPage {
    l: Layout,
    r: LetterRow,
    t: TenantSettings,
    written: Vec<Written>,
    /// The letter's date: the day it was sent, else today.
    dated: Vec<(String, &'static str)>,
    bilingual: bool,
}

pub async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let today = ctx.today(state.clock.now());
    let mut tx = ctx.tx(&state).await?;
    let r = readable(&mut tx, &ctx, id).await?;
    if r.number.is_none() {
        return Err(AppError::Conflict("letter.print_needs_number"));
    }
    let t = crate::tenancy::repo::settings(&mut tx).await?;
    // Printed before it is marked sent, the letter goes out today: it states the deadline that
    // sending today will set.
    let mut shown = r.clone();
    if shown.response_due_on.is_none() {
        let calendar = working_days::repo::load(&mut tx, today, today + Days::new(200)).await?;
        shown.response_due_on = Some(calendar.add(today, r.response_days as u32));
    }
    tx.commit().await?;
    let written = Written::all(&shown);
    let day = r.sent_on.unwrap_or(today);
    let dated = written
        .iter()
        .map(|w| {
            (
                format!("{}, {}", t.letterhead_city, w.lang.long_date(day)),
                w.labels.date,
            )
        })
        .collect();
    render(&PrintPage {
        l: ctx.layout_titled(r.number.clone().unwrap_or_default()),
        bilingual: written.len() > 1,
        written,
        dated,
        r,
        t,
    })
}
