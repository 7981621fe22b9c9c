//! The admin's letter settings: the number format (with a live example), and per kind its code,
//! response days, legal basis and wording in each language.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;

use crate::audit::{self, Action, Changes, Entity, Event};
use crate::error::{AppError, AppResult};
use crate::letters::domain::{
    FORMAT_PARTS, Kind, NumberFormat, NumberValues, PLACEHOLDERS, parse_kind_code,
};
use crate::letters::form::{KindFields, SettingsForm};
use crate::letters::service::{self, Settings};
use crate::letters::{policy, repo};
use crate::web::extract::{Ctx, Htmx};
use crate::web::layout::Layout;
use crate::web::{AppState, Form, redirect_with_flash, render, render_status};

#[derive(Template)]
#[template(path = "admin/letters.html")]
struct SettingsPage {
    l: Layout,
    number_format: String,
    format_error: Option<&'static str>,
    example: Option<String>,
    kinds: Vec<KindFields>,
    placeholders: &'static [(&'static str, &'static str)],
    format_parts: &'static [(&'static str, &'static str)],
    version: i32,
    stale: bool,
}

#[derive(Template)]
#[template(path = "admin/_letter_example.html")]
struct ExampleFragment {
    l: Layout,
    format_error: Option<&'static str>,
    example: Option<String>,
}

fn require(ctx: &Ctx) -> AppResult<()> {
    if policy::may_configure(ctx.who()) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// An example number: the 12th of its kind this month, for a branch KC-SDM.
fn example(format: &NumberFormat, code: &str, today: NaiveDate) -> String {
    format.render(&NumberValues {
        seq: 12,
        kind_code: code,
        branch_code: "KC-SDM",
        on: today,
    })
}

pub async fn show(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    require(&ctx)?;
    let today = ctx.today(state.clock.now());
    let mut tx = ctx.tx(&state).await?;
    let s = service::settings(&mut tx).await?;
    tx.commit().await?;
    render(&SettingsPage {
        number_format: s.format.as_str().to_owned(),
        format_error: None,
        example: Some(example(&s.format, &s.kind(Kind::Warning1).code, today)),
        kinds: s
            .kinds
            .iter()
            .map(|(k, ks)| KindFields {
                kind: *k,
                s: ks.clone(),
                errors: Vec::new(),
            })
            .collect(),
        placeholders: &PLACEHOLDERS,
        format_parts: &FORMAT_PARTS,
        version: s.version,
        stale: false,
        l: ctx.layout("letter.settings"),
    })
}

/// The live example under the format field (htmx); the page itself shows it without JavaScript.
pub async fn example_fragment(
    State(state): State<AppState>,
    ctx: Ctx,
    htmx: Htmx,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    require(&ctx)?;
    let today = ctx.today(state.clock.now());
    let raw = q.get("number_format").map(String::as_str).unwrap_or("");
    let code = q
        .get("code_warning_1")
        .and_then(|c| parse_kind_code(c).ok())
        .unwrap_or_else(|| Kind::Warning1.defaults().code);
    let (format_error, example) = match NumberFormat::parse(raw) {
        Ok(f) => (None, Some(example(&f, &code, today))),
        Err(e) => (Some(e), None),
    };
    htmx.vary(render(&ExampleFragment {
        l: ctx.layout("letter.settings"),
        format_error,
        example,
    }))
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    require(&ctx)?;
    let now = state.clock.now();
    let today = ctx.today(now);
    let sent = SettingsForm::from(&form);
    let page = |sent: SettingsForm, stale: bool, version: i32| SettingsPage {
        example: sent
            .format
            .as_ref()
            .ok()
            .map(|f| example(f, sent.warning_code(), today)),
        format_error: sent.format.as_ref().err().copied(),
        number_format: sent.number_format,
        kinds: sent.kinds,
        placeholders: &PLACEHOLDERS,
        format_parts: &FORMAT_PARTS,
        version,
        stale,
        l: ctx.layout("letter.settings"),
    };
    let Some((format, kinds)) = sent.valid() else {
        let version = sent.version;
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(sent, false, version),
        );
    };
    let mut tx = ctx.tx(&state).await?;
    let old = service::settings(&mut tx).await?;
    let json = Settings::kinds_json(&kinds);
    if !repo::settings::save_settings(&mut tx, format.as_str(), &json, sent.version, now).await? {
        tx.rollback().await?;
        return render_status(StatusCode::CONFLICT, &page(sent, true, old.version));
    }
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::LetterSettingsUpdated, Entity::LetterSettings, None).with(
            Changes::new()
                .field("number_format", old.format.as_str(), format.as_str())
                .and(Changes::between(&Settings::kinds_json(&old.kinds), &json)),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        "/admin/letters",
        true,
        "letter.settings_saved",
    ))
}
