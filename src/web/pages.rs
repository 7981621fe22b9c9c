//! Pages that belong to no domain: errors, health probes, the language switch.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::web::AppState;
use crate::web::Form;
use crate::web::cookies::{self, Jar};
use crate::web::extract::RequestMeta;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/language", post(switch_language))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    l: Layout,
    status: u16,
    heading: &'static str,
    message: &'static str,
    detail: Option<&'static str>,
    request_id: String,
}

fn status_keys(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        // A request the page's forms never send (no form body, another content type) is a bad
        // request, not a failure on our side.
        400 | 415 => ("error.400.title", "error.400.body"),
        403 => ("error.403.title", "error.403.body"),
        404 => ("error.404.title", "error.404.body"),
        405 => ("error.405.title", "error.405.body"),
        409 => ("error.409.title", "error.409.body"),
        413 => ("error.413.title", "error.413.body"),
        422 => ("error.422.title", "error.422.body"),
        429 => ("error.429.title", "error.429.body"),
        503 | 408 | 504 => ("error.503.title", "error.503.body"),
        _ => ("error.500.title", "error.500.body"),
    }
}

/// A translated error page. Never shows a cause: those are in the log, under the same request id.
pub fn error_page(
    meta: &RequestMeta,
    status: StatusCode,
    detail: Option<&'static str>,
) -> Response {
    let (title_key, body_key) = status_keys(status);
    let l = meta.anonymous_layout(title_key);
    let page = ErrorTemplate {
        heading: l.t(title_key),
        message: l.t(body_key),
        detail: detail.map(|k| l.t(k)),
        status: status.as_u16(),
        request_id: meta.request_id.map(|id| id.to_string()).unwrap_or_default(),
        l,
    };
    let html = page.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "rendering the error page failed");
        format!(
            "<!doctype html><title>{0}</title><h1>{0}</h1>",
            status.as_u16()
        )
    });
    let mut response = (status, Html(html)).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    response
}

pub async fn not_found() -> Response {
    crate::error::AppError::NotFound.into_response()
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers; a load balancer stops sending traffic while it does not.
async fn readyz(State(state): State<AppState>) -> Response {
    match sqlx::query_scalar!("select 1 as \"one!\"")
        .fetch_one(&state.db)
        .await
    {
        Ok(_) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

#[derive(Deserialize)]
struct LanguageForm {
    lang: String,
    #[serde(default)]
    next: Option<String>,
}

/// Remembers the language for a year and returns to the page the switch was pressed on.
async fn switch_language(
    State(state): State<AppState>,
    Form(form): Form<LanguageForm>,
) -> Response {
    let lang = Lang::parse(&form.lang).unwrap_or(Lang::Id);
    let mut response =
        crate::web::see_other(crate::web::LocalPath::or(form.next.as_deref(), "/").as_str());
    let a_year = 365 * 24 * 3600;
    cookies::set(
        &mut response,
        state.config.secure_cookies,
        Jar::Language,
        lang.code(),
        a_year,
    );
    response
}
