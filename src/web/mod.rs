//! The web layer: application state, the router with its layers, and helpers every handler shares.

pub mod archive;
pub mod assets;
pub mod cache;
pub mod cookies;
pub mod extract;
pub mod forms;
pub mod i18n;
pub mod layers;
pub mod layout;
pub mod pages;
pub mod pickers;
pub mod qr;
pub mod redirect;
pub mod stale;

pub use axum_extra::extract::Form;
pub use extract::Htmx;
pub use forms::Choice;
pub use redirect::{LocalPath, see_other};

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use sqlx::PgPool;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::PropagateRequestIdLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::clock::Clock;
use crate::config::Config;
use crate::error::AppResult;

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<Config>,
    pub clock: Clock,
    /// Per-tenant pickers (people, branch offices), cached briefly.
    pub directory: pickers::Directory,
    /// The supervisor's overview per tenant, cached briefly.
    pub overview: crate::home::web::OverviewCache,
    /// Per-tenant search words, for one-letter corrections (`employers::vocabulary`).
    pub vocabulary: crate::employers::vocabulary::Vocabulary,
    /// Which employer-list filters matched more than the list counts, per tenant, remembered briefly.
    pub employer_counts: crate::employers::web::CappedCounts,
    /// The letters pipeline as it opens and its cycle times, per tenant, cached briefly.
    pub letter_pipeline: crate::letters::web::PipelineCache,
    /// Wakes this server's job worker when a page queues a job.
    pub jobs: crate::jobs::Wake,
}

/// Form posts are small; file uploads (imports) raise this on their own routes.
pub const BODY_LIMIT: usize = 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .merge(pages::router())
        .merge(crate::auth::web::router())
        .merge(crate::home::web::router())
        .merge(crate::tenancy::web::router())
        .merge(crate::invitations::web::router())
        .merge(crate::branches::web::router())
        .merge(crate::audit::web::router())
        .merge(crate::employers::web::router())
        .merge(crate::key_persons::web::router())
        .merge(crate::supply_chain::web::router())
        .merge(crate::meetings::web::router())
        .merge(crate::follow_ups::web::router())
        .merge(crate::contributions::web::router())
        .merge(crate::letters::web::router())
        .merge(crate::working_days::web::router())
        .merge(crate::calendar::web::router())
        .merge(crate::imports::web::router())
        .route("/static/{hash}/{*name}", get(assets::serve))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // Uploads carry files, under a limit of their own.
        .merge(
            crate::imports::web::upload_router().layer(RequestBodyLimitLayer::new(
                crate::imports::web::UPLOAD_LIMIT,
            )),
        )
        .fallback(pages::not_found);

    let request_id = axum::http::HeaderName::from_static("x-request-id");
    let timeout = Duration::from_secs(state.config.request_timeout_secs);
    // Outside in: request id → trace → security headers → error pages → catch panic →
    // timeout → cross-site check → flash → body limit (per route group) → routes.
    // Each `.layer` wraps everything above it, so they are listed inside out.
    routes
        .layer(from_fn_with_state(state.clone(), layers::flash))
        .layer(from_fn_with_state(state.clone(), layers::cross_site_check))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout))
        .layer(CatchPanicLayer::new())
        .layer(from_fn_with_state(state.clone(), layers::error_pages))
        .layer(from_fn_with_state(state.clone(), layers::security_headers))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(),
                request_id = %header("x-request-id"), caller_request_id = %header(layers::CALLER_REQUEST_ID))
        }))
        .layer(axum::middleware::from_fn(layers::request_ids))
        .with_state(state)
}

/// The address people reach this server at, for links they take elsewhere (a calendar app, an
/// invitation sent by hand): `RELASI_PUBLIC_URL` when set, else the host this request named.
pub fn public_base(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// A file to save, never cached (exports hold personal and business data).
pub fn download(content_type: &str, filename: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

pub fn render<T: Template>(page: &T) -> AppResult<Response> {
    render_status(StatusCode::OK, page)
}

pub fn render_status<T: Template>(status: StatusCode, page: &T) -> AppResult<Response> {
    let html = page.render().context("rendering a template failed")?;
    Ok((status, Html(html)).into_response())
}

/// POST → 303 → GET, with a message for the next page (the flash layer sets its cookie).
pub fn redirect_with_flash(to: &str, success: bool, key: &'static str) -> Response {
    let mut response = see_other(to);
    response
        .extensions_mut()
        .insert(layers::FlashMessage { success, key });
    response
}
