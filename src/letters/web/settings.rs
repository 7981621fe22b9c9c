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
    Kind, KindSettings, NumberFormat, NumberValues, PLACEHOLDERS, parse_kind_code,
    parse_response_days,
};
use crate::letters::service::{self, Settings};
use crate::letters::{policy, repo};
use crate::web::extract::{Ctx, Htmx};
use crate::web::forms::{multiline_text, required_multiline, required_text};
use crate::web::layout::Layout;
use crate::web::{AppState, Form, redirect_with_flash, render, render_status};

/// A kind's fields as the form shows them; the message of a refused field beside it.
pub struct KindFields {
    pub kind: &'static str,
    pub label: &'static str,
    pub s: KindSettings,
    pub errors: Vec<(&'static str, &'static str)>,
}

impl KindFields {
    pub fn error(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, k)| *k)
    }
}

#[derive(Template)]
#[template(path = "admin/letters.html")]
struct SettingsPage {
    l: Layout,
    number_format: String,
    format_error: Option<&'static str>,
    example: Option<String>,
    kinds: Vec<KindFields>,
    placeholders: &'static [&'static str],
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

/// An example number: the 12th warning of this month, for a branch KC-SDM.
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
    let l = ctx.layout("letter.settings");
    render(&SettingsPage {
        number_format: s.format.as_str().to_owned(),
        format_error: None,
        example: Some(example(&s.format, &s.kind(Kind::Warning1).code, today)),
        kinds: s
            .kinds
            .iter()
            .map(|(k, ks)| KindFields {
                kind: k.as_str(),
                label: l.t(k.label_key()),
                s: ks.clone(),
                errors: Vec::new(),
            })
            .collect(),
        placeholders: &PLACEHOLDERS,
        version: s.version,
        stale: false,
        l,
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
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let version: i32 = field("version").trim().parse().unwrap_or(-1);
    let raw_format = field("number_format").to_owned();
    let format = NumberFormat::parse(&raw_format);
    let l = ctx.layout("letter.settings");
    let mut any_error = format.is_err();
    let mut kinds: Vec<KindFields> = Kind::ALL
        .iter()
        .map(|k| {
            let name = |f: &str| format!("{f}_{}", k.as_str());
            let mut errors = Vec::new();
            let mut take = |f: &'static str, r: Result<String, &'static str>| match r {
                Ok(v) => v,
                Err(e) => {
                    errors.push((f, e));
                    field(&name(f)).to_owned()
                }
            };
            let code = take("code", parse_kind_code(field(&name("code"))));
            let legal_basis = take(
                "legal_basis",
                multiline_text(field(&name("legal_basis")), 2000),
            );
            let subject_id = take("subject_id", required_text(field(&name("subject_id")), 300));
            let subject_en = take("subject_en", required_text(field(&name("subject_en")), 300));
            let body_id = take(
                "body_id",
                required_multiline(field(&name("body_id")), 20_000),
            );
            let body_en = take(
                "body_en",
                required_multiline(field(&name("body_en")), 20_000),
            );
            let response_days = match parse_response_days(field(&name("response_days"))) {
                Ok(d) => d,
                Err(e) => {
                    errors.push(("response_days", e));
                    k.defaults().response_days
                }
            };
            any_error |= !errors.is_empty();
            KindFields {
                kind: k.as_str(),
                label: l.t(k.label_key()),
                s: KindSettings {
                    code,
                    response_days,
                    legal_basis,
                    subject_id,
                    subject_en,
                    body_id,
                    body_en,
                },
                errors,
            }
        })
        .collect();
    // Two kinds with one code would print the same number for different letters.
    for i in 1..kinds.len() {
        let taken = kinds[..i].iter().any(|k| k.s.code == kinds[i].s.code);
        if taken && kinds[i].error("code").is_none() {
            kinds[i].errors.push(("code", "letter.kind_code_taken"));
            any_error = true;
        }
    }
    let page = |kinds: Vec<KindFields>, stale: bool, version: i32| SettingsPage {
        number_format: raw_format.clone(),
        format_error: format.as_ref().err().copied(),
        example: format.as_ref().ok().map(|f| {
            let code = kinds_code(&kinds);
            example(f, &code, today)
        }),
        kinds,
        placeholders: &PLACEHOLDERS,
        version,
        stale,
        l: ctx.layout("letter.settings"),
    };
    let Ok(format) = format.clone() else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(kinds, false, version),
        );
    };
    if any_error {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(kinds, false, version),
        );
    }
    let pairs: Vec<(Kind, KindSettings)> = Kind::ALL
        .iter()
        .zip(kinds.iter())
        .map(|(k, f)| (*k, f.s.clone()))
        .collect();
    let mut tx = ctx.tx(&state).await?;
    let old = service::settings(&mut tx).await?;
    let json = Settings::kinds_json(&pairs);
    if !repo::save_settings(&mut tx, format.as_str(), &json, version, now).await? {
        tx.rollback().await?;
        return render_status(StatusCode::CONFLICT, &page(kinds, true, old.version));
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

/// The first warning's code as typed, for the example.
fn kinds_code(kinds: &[KindFields]) -> String {
    kinds
        .iter()
        .find(|k| k.kind == Kind::Warning1.as_str())
        .map(|k| k.s.code.clone())
        .unwrap_or_default()
}
