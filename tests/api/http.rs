//! HTTP hygiene: cross-site requests, headers, error pages, health probes, database outages, the
//! runtime-role self-check.

use relasi::tenancy::domain::Role;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn a_post_from_another_site_is_refused() {
    let (app, _t, c) = crate::helpers::signed_in_admin().await;
    let form = [("code", "KC-EVIL"), ("name", "Evil"), ("version", "0")];
    let r = c
        .post_with(
            "/admin/branches",
            &form,
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("berasal dari situs lain"), "{}", r.body);
    let r = c.post_with("/admin/branches", &form, &[]).await;
    assert_eq!(r.status, 403, "no Origin and no Referer is refused too");
    let r = c
        .post_with(
            "/admin/branches",
            &form,
            &[
                ("origin", &c.base.clone()),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    let referer = format!("{}/admin/branches/new", c.base);
    let r = c
        .post_with("/admin/branches", &form, &[("referer", &referer)])
        .await;
    assert_eq!(
        r.status, 303,
        "a same-origin Referer is enough when Origin is missing"
    );
    let count: i64 = sqlx::query_scalar("select count(*) from branch_offices")
        .fetch_one(&app.admin)
        .await
        .unwrap();
    assert_eq!(count, 1, "only the same-origin post created a branch");
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_request_id() {
    let app = spawn_app().await;
    let r = app.client().get("/login").await;
    assert_eq!(r.status, 200);
    let csp = r.header("content-security-policy");
    assert!(
        csp.contains("frame-ancestors 'none'")
            && csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline")
    );
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    assert_eq!(r.header("referrer-policy"), "same-origin");
    assert_eq!(r.header("cache-control"), "no-store");
    assert!(
        r.header("strict-transport-security").is_empty(),
        "no HSTS without TLS"
    );
    assert_eq!(r.header("x-request-id").len(), 36);
    // No inline script anywhere: the CSP would block it.
    assert!(!r.body.contains("<script>"));
}

#[tokio::test]
async fn hsts_and_secure_cookies_when_served_over_tls() {
    let app = spawn_app_with(|c| c.secure_cookies = true).await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "rm@x.example", "RM", Role::Rm).await;
    let c = app.client();
    let r = c.get("/login").await;
    assert!(r.header("strict-transport-security").contains("max-age="));
    // Behind TLS the expected origin is https.
    let https_origin = c.base.replace("http://", "https://");
    let r = c
        .post_with(
            "/login",
            &[
                ("email", "rm@x.example"),
                ("password", crate::helpers::PASSWORD),
            ],
            &[("origin", &https_origin)],
        )
        .await;
    assert_eq!(r.status, 303);
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(cookie.contains("__Host-relasi_session="), "{cookie}");
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax")
    );
    // The language and flash cookies are Secure too.
    let origin = [("origin", https_origin.as_str())];
    let r = c
        .post_with("/language", &[("lang", "en"), ("next", "/login")], &origin)
        .await;
    let lang = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("relasi_lang="));
    assert!(
        lang.is_some_and(|c| c.contains("; Secure")),
        "{:?}",
        r.set_cookies()
    );
    let r = c.post_with("/logout", &[], &origin).await;
    let flash = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("relasi_flash="));
    assert!(
        flash.is_some_and(|c| c.contains("; Secure")),
        "{:?}",
        r.set_cookies()
    );
}

#[tokio::test]
async fn static_assets_are_served_with_hashed_urls() {
    let app = spawn_app().await;
    let page = app.client().get("/login").await.body;
    let css = page
        .split("href=\"")
        .find(|s| s.contains("/app.css"))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let r = app.client().get(&css).await;
    assert_eq!(r.status, 200);
    assert!(r.header("cache-control").contains("immutable"));
    assert!(r.header("content-type").starts_with("text/css"));
    assert_eq!(
        app.client().get("/static/abc/nothing.css").await.status,
        404
    );
}

#[tokio::test]
async fn error_pages_are_translated_and_show_the_request_id() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "rm@x.example", "RM", Role::Rm).await;
    let c = app.signed_in("rm@x.example").await;
    let r = c.get("/no/such/page").await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("Halaman tidak ditemukan"));
    assert!(
        r.body.contains(r.header("x-request-id")),
        "the page shows the request id"
    );
    let r = c
        .get_with("/no/such/page", &[("accept-language", "en-GB,en;q=0.9")])
        .await;
    assert!(r.body.contains("Page not found"));
    // The user's own choice wins over the browser's.
    c.post("/language", &[("lang", "en"), ("next", "/my-month")])
        .await;
    let r = c
        .get_with("/no/such/page", &[("accept-language", "id")])
        .await;
    assert!(r.body.contains("Page not found"));
    // A 403 page for a role that may not.
    let r = c.get("/admin/users").await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("Access denied"));
    // A malformed form is a translated 4xx page, not a stack trace.
    let r = c.post("/session/tenant", &[("tenant", "not-a-uuid")]).await;
    assert!(r.status == 400 || r.status == 422, "{}", r.status);
    assert!(
        r.body.contains("Invalid input") || r.body.contains("Bad request"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("Failed to deserialize"));
}

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    assert_eq!(app.client().get("/healthz").await.body, "ok");
    assert_eq!(app.client().get("/readyz").await.body, "ready");
}

#[tokio::test]
async fn when_the_database_is_unreachable_pages_answer_503_and_recover_when_it_returns() {
    // A proxy in front of PostgreSQL that the test can cut and restore.
    let proxy = crate::helpers::Proxy::start().await;
    let app = spawn_app_with(|c| {
        let mut url: url_parts::Url = c.database_url.clone().unwrap().into();
        url.set_port(proxy.port);
        c.database_url = Some(url.0);
    })
    .await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "rm@x.example", "RM", Role::Rm).await;
    let c = app.signed_in("rm@x.example").await;
    assert_eq!(c.get("/my-month").await.status, 200);

    proxy.cut().await;
    let r = c.get("/my-month").await;
    assert_eq!(r.status, 503);
    assert!(
        r.body.contains("tidak dapat menjangkau basis datanya"),
        "{}",
        r.body
    );
    assert_eq!(app.client().get("/readyz").await.status, 503);
    assert_eq!(
        app.client().get("/healthz").await.status,
        200,
        "the process itself is up"
    );

    proxy.restore();
    let mut status = 0;
    // The first request after the outage may meet a connection the outage broke; it is replaced.
    for _ in 0..3 {
        status = c.get("/my-month").await.status;
        if status == 200 {
            break;
        }
    }
    assert_eq!(status, 200, "service resumed without a restart");
}

#[tokio::test]
async fn the_server_refuses_to_run_as_a_superuser() {
    let app = spawn_app().await;
    // The test cluster's superuser, without switching to the runtime role.
    let url = std::env::var("RELASI_TEST_DATABASE_URL").unwrap();
    let su_pool = relasi::db::app_pool(&url, 1).unwrap();
    let err = relasi::db::check_runtime_role(&su_pool)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("superuser"), "{err}");
    // The table owner is refused too.
    let owner = relasi::db::app_pool(&app_owner_url(&app), 1).unwrap();
    let err = relasi::db::check_runtime_role(&owner)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("owns"), "{err}");
    // The runtime role passes.
    relasi::db::check_runtime_role(&app.pool).await.unwrap();
}

fn app_owner_url(app: &crate::helpers::TestApp) -> String {
    crate::helpers::owner_url_for(&app.database)
}

mod url_parts {
    /// Just enough URL handling to swap the port of a PostgreSQL URL.
    pub struct Url(pub String);

    impl From<String> for Url {
        fn from(s: String) -> Self {
            Url(s)
        }
    }

    impl Url {
        pub fn set_port(&mut self, port: u16) {
            let (head, tail) = self.0.rsplit_once('/').unwrap();
            let (host, _) = head.rsplit_once(':').unwrap();
            self.0 = format!("{host}:{port}/{tail}");
        }
    }
}

#[tokio::test]
async fn oversized_bodies_wrong_methods_and_htmx_requests_get_clear_answers() {
    let (app, _t, c) = crate::helpers::signed_in_admin().await;
    let big = "x".repeat(2 * 1024 * 1024);
    let r = c
        .post(
            "/admin/branches",
            &[("code", "KC-BIG"), ("name", &big), ("version", "0")],
        )
        .await;
    assert_eq!(r.status, 413);
    assert!(r.body.contains("Kiriman terlalu besar"));
    let r = c.get("/logout").await;
    assert_eq!(r.status, 405, "signing out is a POST only");
    // An htmx request without a session is told to load the sign-in page as a whole.
    let r = app
        .client()
        .get_with("/admin", &[("hx-request", "true")])
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("hx-redirect"), "/login?next=/admin");
}

#[tokio::test]
async fn cookies_flash_messages_and_the_language_switch() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "rm@x.example", "RM", Role::Rm).await;
    let c = app.client();
    let r = c.sign_in("rm@x.example", crate::helpers::PASSWORD).await;
    let cookie = r.header("set-cookie");
    assert!(
        cookie.starts_with("relasi_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP on loopback has no Secure flag"
    );

    // A flash message is shown once.
    let r = c.post("/logout", &[]).await;
    let flash = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("relasi_flash="));
    assert!(
        flash.is_some_and(|c| c.contains("HttpOnly") && c.contains("SameSite=Lax")),
        "{:?}",
        r.set_cookies()
    );
    let first = c.get("/login").await;
    assert!(first.body.contains("Anda telah keluar."));
    let second = c.get("/login").await;
    assert!(!second.body.contains("Anda telah keluar."));
    // A forged flash cookie cannot inject text.
    let forged = app.client();
    let url = forged.base.clone();
    let r = forged
        .get_with(
            "/login",
            &[("cookie", "relasi_flash=e:<script>alert(1)</script>")],
        )
        .await;
    assert!(!r.body.contains("<script>alert"));
    let _ = url;

    // The language switch returns to a page of this site only.
    let r = c
        .post(
            "/language",
            &[("lang", "en"), ("next", "https://evil.example/")],
        )
        .await;
    assert_eq!((r.status, r.location()), (303, "/"));
    assert!(c.get("/login").await.body.contains("Sign in"));
    let r = c
        .post("/language", &[("lang", "id"), ("next", "/login?x=1")])
        .await;
    assert_eq!(r.location(), "/login?x=1");
    assert!(c.get("/login").await.body.contains("Masuk"));
}
