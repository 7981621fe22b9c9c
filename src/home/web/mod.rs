//! Home pages, one file each: "My month" for RMs (`my_month`), the supervisor's overview (`dashboard`), and the search page
//! (`search`).

mod dashboard;
mod my_month;
mod search;

use axum::Router;
use axum::routing::get;

use crate::web::AppState;

pub use dashboard::OverviewCache;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/my-month", get(my_month::my_month))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/search", get(search::search))
}
