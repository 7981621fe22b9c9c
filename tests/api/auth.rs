//! Signing in and out, lockout, sessions, password changes, tenant switching.

use chrono::Duration;
use relasi::tenancy::domain::Role;

use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn each_role_lands_on_its_home_page() {
    let app = spawn_app().await;
    let t = app.tenant("kanwil-dki", "Kanwil DKI").await;
    for (email, role, home) in [
        ("admin@x.example", Role::Admin, "/admin"),
        ("spv@x.example", Role::Supervisor, "/dashboard"),
        ("rm@x.example", Role::Rm, "/my-month"),
        ("viewer@x.example", Role::Viewer, "/dashboard"),
    ] {
        app.user(t, email, "Someone", role).await;
        let c = app.client();
        let r = c.sign_in(email, PASSWORD).await;
        assert_eq!((r.status, r.location()), (303, home), "{email}");
        let page = c.get(home).await;
        assert_eq!(page.status, 200, "{email} opens {home}");
        assert!(page.body.contains("Kanwil DKI"), "the tenant is shown");
    }
    let actions = app.audit_actions(t).await;
    assert_eq!(actions.iter().filter(|a| *a == "auth.sign_in").count(), 4);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_generic_answer() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "dewi@x.example", "Dewi", Role::Rm).await;
    let c = app.client();
    let wrong = c.sign_in("dewi@x.example", "not-the-password-at-all").await;
    let unknown = c
        .sign_in("nobody@x.example", "not-the-password-at-all")
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert!(wrong.body.contains("Email atau kata sandi salah."));
    assert!(unknown.body.contains("Email atau kata sandi salah."));
    assert!(c.session().is_none(), "no session after a failure");
    // The typed email stays in the form; the password does not.
    assert!(wrong.body.contains("value=\"dewi@x.example\""));
    assert!(!wrong.body.contains("not-the-password-at-all"));
    let failures = app
        .audit_actions(t)
        .await
        .into_iter()
        .filter(|a| a == "auth.sign_in_failed")
        .count();
    assert_eq!(
        failures, 1,
        "the known person's failure is audited in their tenant"
    );
}

#[tokio::test]
async fn five_failures_lock_the_account_for_fifteen_minutes() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "agus@x.example", "Agus", Role::Rm).await;
    let c = app.client();
    for i in 0..4 {
        let r = c.sign_in("agus@x.example", "wrong-password-guess").await;
        assert_eq!(r.status, 401, "attempt {i}");
    }
    let fifth = c.sign_in("agus@x.example", "wrong-password-guess").await;
    assert_eq!(fifth.status, 429);
    assert!(fifth.body.contains("15 menit"), "{}", fifth.body);
    // Even the right password is refused while locked.
    let locked = c.sign_in("agus@x.example", PASSWORD).await;
    assert_eq!(locked.status, 429);
    assert!(c.session().is_none());
    let actions = app.audit_actions(t).await;
    assert!(actions.contains(&"auth.locked".to_owned()));

    app.clock.advance(Duration::minutes(16));
    let after = c.sign_in("agus@x.example", PASSWORD).await;
    assert_eq!((after.status, after.location()), (303, "/my-month"));
}

#[tokio::test]
async fn unknown_emails_lock_like_known_ones() {
    let app = spawn_app().await;
    let c = app.client();
    for _ in 0..5 {
        c.sign_in("ghost@x.example", "wrong-password-guess").await;
    }
    let r = c.sign_in("ghost@x.example", "wrong-password-guess").await;
    assert_eq!(r.status, 429);
}

#[tokio::test]
async fn too_many_failures_from_one_address_are_refused() {
    let app = spawn_app().await;
    // Different emails, so no account lock applies; only the per-address limit can refuse.
    sqlx::query("insert into login_ip_failures (ip, failed_at) select '127.0.0.1', $1 from generate_series(1, 50)")
        .bind(app.clock.now() - Duration::minutes(1))
        .execute(&app.admin)
        .await
        .unwrap();
    let r = app
        .client()
        .sign_in("someone@x.example", "whatever-password")
        .await;
    assert_eq!(r.status, 429);
    assert!(r.body.contains("jaringan Anda"), "{}", r.body);
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "putri@x.example", "Putri", Role::Rm).await;
    let c = app.client();
    // A cookie planted before sign-in (session fixation) must not become the session.
    let planted = "a".repeat(64);
    c.set_session(&planted);
    c.sign_in("putri@x.example", PASSWORD).await;
    let first = c.session().expect("a session cookie");
    assert_ne!(first, planted);
    c.sign_in("putri@x.example", PASSWORD).await;
    let second = c.session().unwrap();
    assert_ne!(first, second, "signing in again issues a new id");
    // The old id no longer works.
    let old = app.client();
    old.set_session(&first);
    assert_eq!(old.get("/my-month").await.status, 303);
    let stored: i64 = sqlx::query_scalar("select count(*) from sessions")
        .fetch_one(&app.admin)
        .await
        .unwrap();
    assert_eq!(stored, 1, "the replaced session was deleted");
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "rm@x.example", "RM", Role::Rm).await;
    let c = app.signed_in("rm@x.example").await;
    let token = c.session().unwrap();
    let r = c.post("/logout", &[]).await;
    assert_eq!((r.status, r.location()), (303, "/login"));
    let replay = app.client();
    replay.set_session(&token);
    let r = replay.get("/my-month").await;
    assert_eq!(r.status, 303);
    assert!(r.location().starts_with("/login"));
    assert!(
        app.audit_actions(t)
            .await
            .contains(&"auth.sign_out".to_owned())
    );
}

#[tokio::test]
async fn sessions_expire_when_idle_and_when_too_old() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "rm@x.example", "RM", Role::Rm).await;
    let c = app.signed_in("rm@x.example").await;
    app.clock.advance(Duration::hours(7));
    assert_eq!(
        c.get("/my-month").await.status,
        200,
        "7 hours idle is within the 8-hour limit"
    );
    app.clock.advance(Duration::hours(8) + Duration::minutes(1));
    let r = c.get("/my-month").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login?next=/my-month");

    // Absolute limit: active every few hours, but a week after sign-in it ends.
    let c = app.signed_in("rm@x.example").await;
    for _ in 0..30 {
        app.clock.advance(Duration::hours(7));
        if c.get("/my-month").await.status != 200 {
            break;
        }
    }
    assert_eq!(c.get("/my-month").await.status, 303);
}

#[tokio::test]
async fn a_one_time_password_must_be_changed_and_changing_ends_other_sessions() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user_with(t, "new@x.example", "Orang Baru", Role::Rm, true)
        .await;
    let other_device = app.signed_in("new@x.example").await;
    let c = app.client();
    let r = c.sign_in("new@x.example", PASSWORD).await;
    assert_eq!(r.location(), "/account/password");
    // Every other page sends them back to the password form.
    let r = c.get("/my-month").await;
    assert_eq!((r.status, r.location()), (303, "/account/password"));

    let weak = c
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "password1234"),
                ("confirm", "password1234"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(weak.body.contains("terlalu mudah ditebak"));
    let mismatch = c
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "mangga-harum-manis-77"),
                ("confirm", "mangga-harum-manis-78"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    let wrong_current = c
        .post(
            "/account/password",
            &[
                ("current", "nope-nope-nope"),
                ("new", "mangga-harum-manis-77"),
                ("confirm", "mangga-harum-manis-77"),
            ],
        )
        .await;
    assert_eq!(wrong_current.status, 422);
    assert!(wrong_current.body.contains("Kata sandi saat ini salah."));

    let ok = c
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "mangga-harum-manis-77"),
                ("confirm", "mangga-harum-manis-77"),
            ],
        )
        .await;
    assert_eq!((ok.status, ok.location()), (303, "/my-month"));
    assert_eq!(c.get("/my-month").await.status, 200, "this session goes on");
    assert_eq!(
        other_device.get("/my-month").await.status,
        303,
        "the other session ended"
    );
    let fresh = app.client();
    assert_eq!(
        fresh
            .sign_in("new@x.example", "mangga-harum-manis-77")
            .await
            .location(),
        "/my-month"
    );
    assert!(
        app.audit_actions(t)
            .await
            .contains(&"auth.password_changed".to_owned())
    );
}

#[tokio::test]
async fn a_member_of_two_tenants_switches_between_them() {
    let app = spawn_app().await;
    let a = app.tenant("unit-a", "Unit Alpha").await;
    let b = app.tenant("unit-b", "Unit Beta").await;
    let c_tenant = app.tenant("unit-c", "Unit Gamma").await;
    app.user(a, "both@x.example", "Dua Unit", Role::Rm).await;
    app.user(b, "both@x.example", "Dua Unit", Role::Admin).await;
    app.user(c_tenant, "other@x.example", "Lain", Role::Admin)
        .await;
    let c = app.signed_in("both@x.example").await;
    let home = c.get("/my-month").await;
    assert!(
        home.body.contains("Unit Alpha") && home.body.contains("Unit Beta"),
        "the switcher lists both"
    );
    assert!(!home.body.contains("Unit Gamma"));

    let r = c
        .post("/session/tenant", &[("tenant", &b.0.to_string())])
        .await;
    assert_eq!(
        (r.status, r.location()),
        (303, "/admin"),
        "the role of the new tenant decides the home"
    );
    assert_eq!(c.get("/admin").await.status, 200);

    // A tenant the user does not belong to cannot be chosen.
    let r = c
        .post("/session/tenant", &[("tenant", &c_tenant.0.to_string())])
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(c.get("/admin").await.status, 200, "still in Unit Beta");
    assert!(
        app.audit_actions(b)
            .await
            .contains(&"auth.tenant_switched".to_owned())
    );
    // The tenant switched to is not told which tenant the person came from.
    let changes: serde_json::Value = sqlx::query_scalar(
        "select changes from audit_events where tenant_id = $1 and action = 'auth.tenant_switched'",
    )
    .bind(b.0)
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert_eq!(changes, serde_json::json!({}));

    // The next sign-in starts where they last worked.
    c.post("/logout", &[]).await;
    let r = c.sign_in("both@x.example", PASSWORD).await;
    assert_eq!(r.location(), "/admin");
}

#[tokio::test]
async fn sign_in_comes_back_to_the_page_asked_for_but_never_to_another_site() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "admin@x.example", "Admin", Role::Admin).await;
    let c = app.client();
    let r = c.get("/admin/branches").await;
    assert_eq!(r.location(), "/login?next=/admin/branches");
    let r = c
        .post(
            "/login",
            &[
                ("email", "admin@x.example"),
                ("password", PASSWORD),
                ("next", "/admin/branches"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/admin/branches");
    let c = app.client();
    let r = c
        .post(
            "/login",
            &[
                ("email", "admin@x.example"),
                ("password", PASSWORD),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/admin", "the role's home instead");
}
