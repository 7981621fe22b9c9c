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
use crate::web::i18n::Lang;
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
    /// The signatory's title in the letter's languages (the Indonesian one when no English one is set).
    signatory_titles: Vec<String>,
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
    let signatory_titles = signatory_titles(
        &t,
        written.iter().any(|w| w.lang == Lang::Id),
        written.iter().any(|w| w.lang == Lang::En),
    );
    render(&PrintPage {
        signatory_titles,
        l: ctx.layout_titled(r.number.clone().unwrap_or_default()),
        bilingual: written.len() > 1,
        written,
        dated,
        r,
        t,
    })
}

/// The signatory's title for a letter in Indonesian, English or both.
fn signatory_titles(t: &TenantSettings, indonesian: bool, english: bool) -> Vec<String> {
    let id = t.letterhead_signatory_title.trim();
    let en = t.letterhead_signatory_title_en.trim();
    let mut titles = Vec::new();
    if indonesian || !english || en.is_empty() {
        titles.push(id);
    }
    if english && !en.is_empty() {
        titles.push(en);
    }
    titles
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(id: &str, en: &str) -> TenantSettings {
        TenantSettings {
            name: String::new(),
            second_factor: String::new(),
            timezone: String::new(),
            default_language: String::new(),
            letterhead_office: String::new(),
            letterhead_address: String::new(),
            letterhead_city: String::new(),
            letterhead_phone: String::new(),
            letterhead_email: String::new(),
            letterhead_signatory_name: String::new(),
            letterhead_signatory_title: id.to_owned(),
            letterhead_signatory_title_en: en.to_owned(),
            version: 1,
        }
    }

    #[test]
    fn the_signatory_title_follows_the_letters_languages() {
        let both = settings("Kepala Bidang", "Head of Division");
        assert_eq!(signatory_titles(&both, true, false), ["Kepala Bidang"]);
        assert_eq!(signatory_titles(&both, false, true), ["Head of Division"]);
        assert_eq!(
            signatory_titles(&both, true, true),
            ["Kepala Bidang", "Head of Division"]
        );
        let id_only = settings("Kepala Bidang", " ");
        assert_eq!(signatory_titles(&id_only, false, true), ["Kepala Bidang"]);
        assert_eq!(signatory_titles(&id_only, true, true), ["Kepala Bidang"]);
    }
}
