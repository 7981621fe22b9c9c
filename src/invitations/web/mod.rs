//! Invitation pages: the admin's (invite, the link shown once, revoke) and the invited person's (open
//! the link, create an account or accept with the existing one).

mod accept;
mod admin;

use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::{get, post};

use crate::web::{AppState, see_other};

/// The addresses that answer a form also answer a plain visit (a reload, the language switch) with
/// the page the form belongs to, rather than "method not allowed".
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/invitations",
            get(|| async { see_other("/admin/users#invitations") }).post(admin::create),
        )
        .route("/admin/invitations/new", get(admin::new))
        .route("/admin/invitations/{id}/revoke", post(admin::revoke))
        .route("/invitations/{secret}", get(accept::show))
        .route(
            "/invitations/{secret}/register",
            get(back_to_invitation).post(accept::register),
        )
        .route(
            "/invitations/{secret}/accept",
            get(back_to_invitation).post(accept::accept),
        )
}

async fn back_to_invitation(Path(secret): Path<String>) -> Response {
    match super::domain::InvitationSecret::parse(&secret) {
        Some(s) => see_other(&s.path()),
        None => see_other("/"),
    }
}
