//! The one way this server sets its three cookies — the session, the flash message and the language —
//! so each gets `Path=/`, `SameSite=Lax` and, behind TLS, `Secure`.

use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use cookie::time::Duration;
use cookie::{Cookie, SameSite};

/// The cookies this server sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jar {
    /// The session's secret.
    Session,
    /// A message for the next page ("Employer saved."), as a kind and a catalog key.
    Flash,
    /// The language someone chose with the switch.
    Language,
}

impl Jar {
    pub fn name(self, secure: bool) -> &'static str {
        match self {
            // The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and
            // on "/".
            Jar::Session if secure => "__Host-relasi_session",
            Jar::Session => "relasi_session",
            Jar::Flash => "relasi_flash",
            Jar::Language => "relasi_lang",
        }
    }

    /// Scripts never read the session or the flash; the language cookie has nothing to hide.
    fn http_only(self) -> bool {
        !matches!(self, Jar::Language)
    }
}

/// The value of the named cookie the request carries.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// Sets `jar` to `value` for `max_age_secs`.
pub fn set(response: &mut Response, secure: bool, jar: Jar, value: &str, max_age_secs: i64) {
    let cookie = Cookie::build((jar.name(secure), value))
        .path("/")
        .max_age(Duration::seconds(max_age_secs))
        .http_only(jar.http_only())
        .same_site(SameSite::Lax)
        .secure(secure)
        .build();
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(SET_COOKIE, v);
    }
}

/// Tells the browser to forget `jar`.
pub fn clear(response: &mut Response, secure: bool, jar: Jar) {
    set(response, secure, jar, "", 0);
}

/// Does the response already set `jar`?
pub fn sets(response: &Response, jar: Jar, secure: bool) -> bool {
    let prefix = format!("{}=", jar.name(secure));
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.starts_with(&prefix)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies(secure: bool, jar: Jar) -> String {
        let mut r = Response::new(axum::body::Body::empty());
        set(&mut r, secure, jar, "v", 60);
        r.headers()[SET_COOKIE].to_str().unwrap().to_owned()
    }

    #[test]
    fn every_cookie_is_lax_and_secure_behind_tls() {
        for jar in [Jar::Session, Jar::Flash, Jar::Language] {
            let plain = cookies(false, jar);
            let tls = cookies(true, jar);
            assert!(
                plain.contains("SameSite=Lax") && plain.contains("Path=/"),
                "{plain}"
            );
            assert!(!plain.contains("Secure"), "{plain}");
            assert!(tls.contains("; Secure"), "{tls}");
            assert_eq!(plain.contains("HttpOnly"), jar != Jar::Language, "{plain}");
        }
        assert!(cookies(true, Jar::Session).starts_with("__Host-relasi_session=v"));
    }
}
