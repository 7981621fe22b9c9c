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
    tx.commit().await?;
    let written = Written::all(&r);
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
