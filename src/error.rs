//! Errors in two tiers (docs/architecture.md, "Errors"): outcomes a user should be told about, each with a translated
//! message, and infrastructure failures, logged with their whole cause chain and shown to the user only
//! as a status, a translated sentence and the request id.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("not signed in")]
    Unauthenticated,
    #[error("session expired")]
    SessionExpired,
    #[error("no enabled membership")]
    NoMembership,
    #[error("a one-time password must be replaced first")]
    MustChangePassword,
    #[error("the tenant asks for a second factor that is not set up yet")]
    SecondFactorRequired,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("too many requests")]
    TooManyRequests,
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Attached to an error response; the error-page layer (web::layers) renders it as a translated page
/// for the request's language, with the request id.
#[derive(Clone, Copy, Debug)]
pub struct ErrorPage {
    pub status: StatusCode,
    /// A message key in the catalogs, for a more specific explanation than the status gives.
    pub detail: Option<&'static str>,
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if is_unavailable(&e) {
            AppError::Unavailable(e)
        } else {
            AppError::Internal(anyhow::Error::new(e).context("database query failed"))
        }
    }
}

/// Errors that mean "the database cannot be reached right now", as opposed to a bug in a query.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
    ) || matches!(e, sqlx::Error::Database(db) if db.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08")))
}

impl AppError {
    fn page(&self) -> ErrorPage {
        let (status, detail) = match self {
            AppError::BadRequest(key) => (StatusCode::BAD_REQUEST, Some(*key)),
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, None),
            AppError::SessionExpired => (StatusCode::UNAUTHORIZED, Some("auth.session_expired")),
            AppError::NoMembership => (StatusCode::UNAUTHORIZED, Some("auth.no_membership")),
            AppError::MustChangePassword | AppError::SecondFactorRequired => {
                (StatusCode::SEE_OTHER, None)
            }
            AppError::Forbidden => (StatusCode::FORBIDDEN, None),
            AppError::NotFound => (StatusCode::NOT_FOUND, None),
            AppError::Conflict(key) => (StatusCode::CONFLICT, Some(*key)),
            AppError::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, None),
            AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, None),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, None),
        };
        ErrorPage { status, detail }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(e) => tracing::error!(error = ?e, "request failed"),
            AppError::Unavailable(e) => tracing::warn!(error = %e, "database unavailable"),
            _ => {}
        }
        match self {
            AppError::MustChangePassword => return crate::web::see_other("/account/password"),
            AppError::SecondFactorRequired => {
                return crate::web::see_other("/account/second-factor");
            }
            _ => {}
        }
        let page = self.page();
        let mut response = page.status.into_response();
        response.extensions_mut().insert(page);
        response
    }
}
