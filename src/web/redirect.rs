//! Where the browser goes next. Every redirect target that comes from a request (`next` after signing
//! in, `back` after saving, the language switch) is parsed once, at the edge, into a `LocalPath`, before
//! any database work: a path on this site that is safe to put in a `Location` header. Anything else
//! becomes the handler's default page, so a crafted target can neither send a person to another site
//! nor make a response fail after its change was committed.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A path (with query and fragment) on this origin, free of anything a browser could read as another
/// host: no control characters, no backslashes, no spaces, no scheme or authority — raw or decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalPath(String);

/// Longer targets come from nothing we render.
const MAX_LEN: usize = 2048;

impl LocalPath {
    pub fn parse(raw: &str) -> Option<LocalPath> {
        if raw.is_empty() || raw.len() > MAX_LEN {
            return None;
        }
        // Printable ASCII only: a control character (a tab, CR, LF, NUL) or a raw space either breaks
        // the header or is dropped by browsers, turning `/\t/evil.example` into `//evil.example`.
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return None;
        }
        let decoded = percent_decode(raw)?;
        for s in [raw, decoded.as_str()] {
            let bytes = s.as_bytes();
            let authority = bytes.get(1).is_some_and(|b| *b == b'/' || *b == b'\\');
            if !s.starts_with('/')
                || authority
                || s.contains('\\')
                || s.contains("://")
                || s.chars().any(char::is_control)
            {
                return None;
            }
        }
        Some(LocalPath(raw.to_owned()))
    }

    /// The parsed target, or `default` when there is none or it is not a local path.
    pub fn or(raw: Option<&str>, default: &str) -> LocalPath {
        raw.and_then(LocalPath::parse)
            .unwrap_or_else(|| LocalPath(default.to_owned()))
    }

    /// The target when it is `page` itself (with any query), `page` otherwise: a list returns to
    /// itself as it was filtered, never elsewhere.
    pub fn within(raw: &str, page: &str) -> LocalPath {
        LocalPath::parse(raw)
            .filter(|p| {
                p.0.strip_prefix(page)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('?'))
            })
            .unwrap_or_else(|| LocalPath(page.to_owned()))
    }

    /// What a form carries forward in its `back` field: the target when it is a local path, nothing
    /// otherwise (the form's own default applies after saving).
    pub fn carried(raw: Option<&str>) -> String {
        raw.and_then(LocalPath::parse)
            .map(|p| p.0)
            .unwrap_or_default()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LocalPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `%XX` decoded once; None when an escape is malformed or the result is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// POST → 303 → GET. Never fails: a target that is not a valid header value (which only a bug could
/// produce, since request-supplied targets are `LocalPath`s) goes to "/" and is logged.
pub fn see_other(to: &str) -> Response {
    let location = HeaderValue::from_str(to).unwrap_or_else(|_| {
        tracing::error!(target = to, "a redirect target is not a valid header value");
        HeaderValue::from_static("/")
    });
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_returns_to_itself_and_a_form_carries_only_local_paths() {
        assert_eq!(
            LocalPath::within("/employers?q=semen&page=2", "/employers").as_str(),
            "/employers?q=semen&page=2"
        );
        for elsewhere in ["/employers-x", "/admin", "//evil.example", ""] {
            assert_eq!(
                LocalPath::within(elsewhere, "/employers").as_str(),
                "/employers"
            );
        }
        assert_eq!(LocalPath::carried(Some("/my-month")), "/my-month");
        assert_eq!(LocalPath::carried(Some("https://evil.example")), "");
        assert_eq!(LocalPath::carried(None), "");
    }

    #[test]
    fn local_paths_are_kept() {
        for good in [
            "/",
            "/admin/users?page=2",
            "/employers?q=abadi+logistik&status=active#results",
            "/caf%C3%A9",
            "/invitations/0a1b",
        ] {
            assert_eq!(LocalPath::parse(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn anything_that_could_leave_the_site_is_refused() {
        for bad in [
            "",
            "evil",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/%09/evil.example",
            "/\t/evil.example",
            "/%0d%0aSet-Cookie:x=1",
            "/\r\nSet-Cookie:x=1",
            "/%00",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%5Cevil.example",
            "https://evil.example",
            "https:evil.example",
            "/x?u=https://e",
            "/x?u=https%3A%2F%2Fe",
            "/with space",
            "/café",
            "/%zz",
            "/%C3",
        ] {
            assert!(LocalPath::parse(bad).is_none(), "{bad:?}");
        }
        assert!(LocalPath::parse(&format!("/{}", "a".repeat(3000))).is_none());
    }

    #[test]
    fn a_refused_target_falls_back_to_the_default() {
        assert_eq!(
            LocalPath::or(Some("//evil"), "/my-month").as_str(),
            "/my-month"
        );
        assert_eq!(LocalPath::or(None, "/").as_str(), "/");
        assert_eq!(LocalPath::or(Some("/x"), "/").as_str(), "/x");
    }

    #[test]
    fn redirects_never_fail() {
        assert_eq!(see_other("/a").headers()["location"], "/a");
        assert_eq!(see_other("/a\r\nb").headers()["location"], "/");
        assert_eq!(see_other("/a").status(), StatusCode::SEE_OTHER);
    }

    proptest::proptest! {
        #[test]
        fn whatever_is_accepted_is_a_header_safe_local_path(raw in "\\PC{0,40}|/[ -~]{0,40}") {
            if let Some(p) = LocalPath::parse(&raw) {
                proptest::prop_assert!(HeaderValue::from_str(p.as_str()).is_ok());
                proptest::prop_assert!(p.as_str().starts_with('/'));
                proptest::prop_assert!(!p.as_str().starts_with("//"));
            }
        }
    }
}
