//! Contribution pages: entering or correcting one month of an employer (`form`). The 24-month table
//! and chart are a section of the employer page (`contributions::views`).

mod form;

use axum::Router;
use axum::routing::{get, post};

use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/employers/{id}/contributions", post(form::save))
        .route("/employers/{id}/contributions/{period}", get(form::show))
}
