//! The admin page of the tenant's holidays: one year at a time, add a day, remove one, import a file.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::domain::{holiday_name, parse_holiday_date};
use super::repo::{self, Holiday};
use super::service::{self, LineProblem};
use crate::error::{AppError, AppResult};
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::forms::FieldErrors;
use crate::web::layout::Layout;
use crate::web::{AppState, Form, redirect_with_flash, render, render_status};

/// A holiday file is a few kilobytes; this leaves room for years of them and nothing more.
const FILE_LIMIT: usize = 256 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/holidays", get(index).post(add))
        .route("/admin/holidays/import", post(import))
        .route("/admin/holidays/{day}/delete", post(remove))
}

#[derive(Template)]
#[template(path = "admin/holidays.html")]
struct IndexPage {
    l: Layout,
    year: i32,
    years: Vec<i32>,
    holidays: Vec<Line>,
    day: String,
    name: String,
    errors: FieldErrors,
    problems: Vec<String>,
}

struct Line {
    code: String,
    date: String,
    weekday: String,
    name: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct YearQuery {
    year: Option<String>,
}

impl IndexPage {
    async fn build(
        conn: &mut sqlx::PgConnection,
        ctx: &Ctx,
        year: i32,
        (day, name, errors): (String, String, FieldErrors),
        problems: Vec<String>,
    ) -> AppResult<IndexPage> {
        let holidays = repo::of_year(&mut *conn, year).await?;
        let mut years = repo::years(conn).await?;
        for y in [year - 1, year, year + 1] {
            if !years.contains(&y) {
                years.push(y);
            }
        }
        years.sort_unstable_by(|a, b| b.cmp(a));
        Ok(IndexPage {
            l: ctx.layout("holiday.title"),
            year,
            years,
            holidays: holidays.into_iter().map(|h| line(ctx, h)).collect(),
            day,
            name,
            errors,
            problems,
        })
    }
}

fn line(ctx: &Ctx, h: Holiday) -> Line {
    Line {
        code: h.day.to_string(),
        date: ctx.lang.date(h.day),
        weekday: ctx
            .lang
            .t(match h.day.weekday().num_days_from_monday() {
                0 => "weekday.mon",
                1 => "weekday.tue",
                2 => "weekday.wed",
                3 => "weekday.thu",
                4 => "weekday.fri",
                5 => "weekday.sat",
                _ => "weekday.sun",
            })
            .to_owned(),
        name: h.name,
    }
}

fn year_of(raw: Option<&str>, today: NaiveDate) -> i32 {
    raw.and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (1900..=2100).contains(y))
        .unwrap_or(today.year())
}

async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageSettings)?;
    let year = year_of(q.year.as_deref(), ctx.today(state.clock.now()));
    let mut tx = ctx.tx(&state).await?;
    let blank = (String::new(), String::new(), FieldErrors::default());
    let page = IndexPage::build(&mut tx, &ctx, year, blank, Vec::new()).await?;
    tx.commit().await?;
    render(&page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AddForm {
    day: String,
    name: String,
}

async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<AddForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageSettings)?;
    let now = state.clock.now();
    let today = ctx.today(now);
    let mut errors = FieldErrors::default();
    let day = errors.check(
        "day",
        parse_holiday_date(&form.day).ok_or("error.date_invalid"),
    );
    let name = errors.check("name", holiday_name(&form.name));
    let mut tx = ctx.tx(&state).await?;
    let (Some(day), Some(name)) = (day, name) else {
        let year = year_of(form.day.get(..4), today);
        let page = IndexPage::build(
            &mut tx,
            &ctx,
            year,
            (form.day, form.name, errors),
            Vec::new(),
        )
        .await?;
        tx.commit().await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let added = service::add(&mut tx, &ctx.actor(), &[(day, name)], today, now).await?;
    tx.commit().await?;
    let flash = if added == 1 {
        "holiday.added"
    } else {
        "holiday.already_listed"
    };
    Ok(redirect_with_flash(
        &format!("/admin/holidays?year={}", day.year()),
        added == 1,
        flash,
    ))
}

async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(day): Path<String>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageSettings)?;
    let day = parse_holiday_date(&day).ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    if !service::remove(&mut tx, &ctx.actor(), day, ctx.today(now), now).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/admin/holidays?year={}", day.year()),
        true,
        "holiday.removed",
    ))
}

/// Reads the uploaded file, refusing it once it grows past `FILE_LIMIT` (nothing is buffered
/// beyond that).
async fn uploaded_file(mut multipart: Multipart) -> Result<Vec<u8>, &'static str> {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        if field.name() != Some("file") {
            continue;
        }
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > FILE_LIMIT {
                        return Err("holiday.file_too_large");
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(bytes),
                Err(_) => return Err("holiday.line_unreadable"),
            }
        }
    }
    Err("holiday.file_missing")
}

async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> AppResult<Response> {
    ctx.require(Permission::ManageSettings)?;
    let now = state.clock.now();
    let today = ctx.today(now);
    let read = uploaded_file(multipart)
        .await
        .map_err(|key| vec![LineProblem { line: 0, key }])
        .and_then(|bytes| service::read_file(&bytes));
    let mut tx = ctx.tx(&state).await?;
    let holidays = match read {
        Ok(h) => h,
        Err(problems) => {
            let problems = problems
                .iter()
                .map(|p| {
                    if p.line == 0 {
                        ctx.lang.t(p.key).to_owned()
                    } else {
                        ctx.lang.tf(
                            "holiday.problem_on_line",
                            &[
                                ("line", &p.line.to_string()),
                                ("problem", ctx.lang.t(p.key)),
                            ],
                        )
                    }
                })
                .collect();
            let blank = (String::new(), String::new(), FieldErrors::default());
            let page = IndexPage::build(&mut tx, &ctx, today.year(), blank, problems).await?;
            tx.commit().await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let year = holidays
        .first()
        .map(|(d, _)| d.year())
        .unwrap_or(today.year());
    service::add(&mut tx, &ctx.actor(), &holidays, today, now).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/admin/holidays?year={year}"),
        true,
        "holiday.imported",
    ))
}
