//! Home pages, one file each: "My month" for RMs (`my_month`), the dashboard, and the search page
//! (`search`).

mod my_month;
mod search;

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

use crate::error::AppResult;
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/my-month", get(my_month::my_month))
        .route("/dashboard", get(dashboard))
        .route("/search", get(search::search))
}

#[derive(Template)]
#[template(path = "home/placeholder.html")]
struct Placeholder {
    l: Layout,
    intro: &'static str,
    upcoming: &'static str,
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
