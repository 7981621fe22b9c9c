//! Invitation pages: the admin's (invite, the link shown once, revoke) and the invited person's (open
//! the link, create an account or accept with the existing one).

mod accept;
mod admin;

use axum::Router;
use axum::routing::{get, post};

use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/invitations", post(admin::create))
        .route("/admin/invitations/new", get(admin::new))
        .route("/admin/invitations/{id}/revoke", post(admin::revoke))
        .route("/invitations/{secret}", get(accept::show))
        .route("/invitations/{secret}/register", post(accept::register))
        .route("/invitations/{secret}/accept", post(accept::accept))
}
