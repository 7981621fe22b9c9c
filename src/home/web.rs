//! Home pages per role and the search page.

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use crate::error::AppResult;
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::forms::optional_text;
use crate::web::layout::Layout;
use crate::web::{AppState, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/my-month", get(my_month))
        .route("/dashboard", get(dashboard))
        .route("/search", get(search))
}

#[derive(Template)]
#[template(path = "home/placeholder.html")]
struct Placeholder {
    l: Layout,
    intro: &'static str,
    upcoming: &'static str,
}

async fn my_month(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::ViewMyMonth)?;
    let l = ctx.layout("home.my_month");
    render(&Placeholder {
        intro: l.t("home.my_month_intro"),
        upcoming: l.t("home.my_month_upcoming"),
        l,
    })
}

async fn dashboard(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::ViewDashboard)?;
    let l = ctx.layout("home.dashboard");
    render(&Placeholder {
        intro: l.t("home.dashboard_intro"),
        upcoming: l.t("home.dashboard_upcoming"),
        l,
    })
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "home/search.html")]
struct SearchPage {
    l: Layout,
    q: String,
}

/// The header's search box submits here. Employers and key persons join the results as their
/// modules arrive; the page already keeps the query and speaks both languages.
async fn search(ctx: Ctx, Query(query): Query<SearchQuery>) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let q = optional_text(&query.q, 200).unwrap_or_default();
    render(&SearchPage {
        l: ctx.layout("search.title"),
        q,
    })
}
