//! Admin pages for the tenant: overview, its people, settings.

mod settings;
mod users;

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

use super::domain::Permission;
use crate::error::AppResult;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_home))
        .route("/admin/users", get(users::index))
        .route("/admin/users/new", get(users::invite))
        .route("/admin/users/{id}", get(users::show))
        // Each action's address, visited (a reload, the language switch), shows the person again;
        // disabling's shows the question it asks first.
        .route(
            "/admin/users/{id}/role",
            get(users::back_to_person).post(users::set_role),
        )
        .route(
            "/admin/users/{id}/disable",
            get(users::confirm_disable).post(users::disable),
        )
        .route(
            "/admin/users/{id}/enable",
            get(users::back_to_person).post(users::enable),
        )
        .route(
            "/admin/users/{id}/reset-password",
            get(users::back_to_person).post(users::reset_password),
        )
        .route(
            "/admin/users/{id}/clear-second-factor",
            get(users::back_to_person).post(users::clear_second_factor),
        )
        .route(
            "/admin/settings",
            get(settings::edit).post(settings::update),
        )
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct AdminHome {
    l: Layout,
}

async fn admin_home(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::OpenAdmin)?;
    render(&AdminHome {
        l: ctx.layout("admin.title"),
    })
}
