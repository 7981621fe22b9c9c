//! Middleware of our own: security headers, the cross-site request check, error pages and flash
//! messages. The tower-http layers around them are assembled in `web::router`.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use uuid::Uuid;

use crate::error::ErrorPage;
use crate::web::AppState;
use crate::web::cookies::{self, Jar};
use crate::web::extract::{Htmx, RequestMeta};

/// Where a caller's own request id travels inside the server, apart from ours.
pub const CALLER_REQUEST_ID: &str = "x-caller-request-id";

/// Every request gets an id made here, which logs, error pages and audit events carry. An id the
/// caller sent is never taken for ours: it is kept apart, and only when it is a well-formed UUID, so
/// nobody can forge the id an audit event is filed under or store text through it.
pub async fn request_ids(mut request: Request, next: Next) -> Response {
    let headers = request.headers_mut();
    let caller = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() == 36)
        .and_then(|v| Uuid::try_parse(v).ok());
    headers.remove("x-request-id");
    headers.remove(CALLER_REQUEST_ID);
    let ours = Uuid::new_v4().to_string();
    headers.insert(
        "x-request-id",
        HeaderValue::from_str(&ours).expect("a UUID is a header value"),
    );
    if let Some(c) = caller {
        headers.insert(
            CALLER_REQUEST_ID,
            HeaderValue::from_str(&c.to_string()).expect("a UUID is a header value"),
        );
    }
    next.run(request).await
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; \
                   object-src 'none'; frame-ancestors 'none'";

pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if state.config.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    // Pages carry personal data: no shared or back-button cache keeps a copy.
    if !is_static && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuses a state-changing request that another site made the browser send. Browsers send `Origin`
/// on every cross-origin POST and on same-origin ones too (Chromium, Firefox, Safari); `Referer` is
/// the fallback; a request with neither is refused, as no form of ours produces one.
pub async fn cross_site_check(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let expected = match &state.config.public_url {
        Some(url) => origin_of(url),
        None => text(header::HOST).map(|host| {
            let scheme = if state.config.secure_cookies {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{host}")
        }),
    };
    let sent = text(header::ORIGIN)
        .filter(|o| *o != "null")
        .map(str::to_owned)
        .or_else(|| text(header::REFERER).and_then(origin_of));
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|v| v == "cross-site");
    let same_origin = matches!((&sent, &expected), (Some(s), Some(e)) if s.eq_ignore_ascii_case(e));
    if cross_site || !same_origin {
        tracing::warn!(origin = ?sent, expected = ?expected, "refused a cross-site request");
        let mut response = StatusCode::FORBIDDEN.into_response();
        response.extensions_mut().insert(ErrorPage {
            status: StatusCode::FORBIDDEN,
            detail: Some("error.cross_site"),
        });
        return response;
    }
    next.run(request).await
}

/// "https://example.org:8443/path?q" → "https://example.org:8443".
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    if host.is_empty() {
        return None;
    }
    Some(format!("{scheme}://{host}"))
}

/// Turns every error response — from a handler, an extractor, a timeout, a body limit or a panic —
/// into a translated page with the request id, and never shows internals. A missing session on a page
/// becomes a redirect to the sign-in page that comes back afterwards.
pub async fn error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let meta = RequestMeta::from_parts(&parts, state.config.secure_cookies);
    let request = Request::from_parts(parts, body);
    let is_get = request.method() == Method::GET;
    let is_htmx = Htmx::from_headers(request.headers()).request;
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let page = response.extensions().get::<ErrorPage>().copied();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // Handlers that render their own error page (a form with messages, status 422) keep it.
    if page.is_none() && is_html {
        return response;
    }
    if status == StatusCode::UNAUTHORIZED {
        let secure = state.config.secure_cookies;
        return sign_in_redirect(&meta, is_get, is_htmx, secure, page.and_then(|p| p.detail));
    }
    crate::web::pages::error_page(&meta, status, page.and_then(|p| p.detail))
}

fn sign_in_redirect(
    meta: &RequestMeta,
    is_get: bool,
    is_htmx: bool,
    secure: bool,
    reason: Option<&'static str>,
) -> Response {
    let target = if is_get && meta.path != "/" {
        format!("/login?next={}", percent_encode(&meta.path))
    } else {
        "/login".to_owned()
    };
    let mut response = if is_htmx {
        // htmx follows a redirect inside the swapped fragment; this makes it load the whole page.
        let mut r = StatusCode::NO_CONTENT.into_response();
        r.headers_mut().insert(
            "hx-redirect",
            HeaderValue::from_str(&target).expect("ascii path"),
        );
        r
    } else {
        Redirect::to(&target).into_response()
    };
    if let Some(key) = reason {
        FlashMessage {
            success: false,
            key,
        }
        .set(&mut response, secure);
    }
    response
}

pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A message for the next page, which a handler attaches to its redirect (`redirect_with_flash`).
#[derive(Clone, Copy, Debug)]
pub struct FlashMessage {
    pub success: bool,
    pub key: &'static str,
}

impl FlashMessage {
    /// The cookie's value: a kind and a catalog key, never free text.
    fn value(self) -> String {
        format!("{}:{}", if self.success { "s" } else { "e" }, self.key)
    }

    pub fn set(self, response: &mut Response, secure: bool) {
        cookies::set(response, secure, Jar::Flash, &self.value(), 120);
    }
}

/// Flash messages: a response that carries one sets its cookie; the first page that is not a
/// redirect shows the message (the extractor reads it) and clears the cookie, so it is shown once.
pub async fn flash(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let secure = state.config.secure_cookies;
    let had_flash = cookies::read(request.headers(), Jar::Flash.name(secure)).is_some();
    let mut response = next.run(request).await;
    if let Some(message) = response.extensions_mut().remove::<FlashMessage>() {
        message.set(&mut response, secure);
    } else if had_flash && !response.status().is_redirection() {
        cookies::clear(&mut response, secure, Jar::Flash);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://relasi.example:8443/a/b?c#d").as_deref(),
            Some("https://relasi.example:8443")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin_of("not a url"), None);
        assert_eq!(origin_of("https:///path"), None);
    }

    #[test]
    fn next_paths_are_encoded_for_a_query_string() {
        assert_eq!(
            percent_encode("/admin/audit?page=2&x=a b"),
            "/admin/audit%3Fpage%3D2%26x%3Da%20b"
        );
        assert_eq!(percent_encode("/café"), "/caf%C3%A9");
    }
}
