//! Browser flows in headless Chromium, against a real server and database.

use relasi::tenancy::domain::Role;

use crate::helpers::{PASSWORD, spawn_app};
use crate::webdriver::Browser;

#[tokio::test]
async fn an_admin_creates_a_user_who_signs_in_and_must_change_the_password() {
    let app = spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI Jakarta — Korporasi").await;
    app.user(t, "rina@x.example", "Rina Kusumawati", Role::Admin)
        .await;
    let b = Browser::start(1280, 900).await;

    b.goto(&format!("{}/admin", app.base)).await;
    b.wait_for_path("/login").await;
    b.fill("#f-email", "rina@x.example").await;
    b.fill("#f-password", PASSWORD).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_for_path("/admin").await;
    assert!(
        b.text().await.contains("Kelola orang"),
        "Indonesian by default"
    );

    // Switch to English.
    b.click("form[action='/language'] button").await;
    b.find("html[lang=en]").await;
    assert!(b.text().await.contains("Manage the people"));
    b.screenshot("admin-home-en").await;

    // Create a user.
    b.goto(&format!("{}/admin/users/new", app.base)).await;
    b.fill("#f-email", "budi.santoso@x.example").await;
    b.fill("#f-name", "Budi Santoso").await;
    b.click("#f-role option[value=rm]").await;
    b.click("form[action='/admin/users'] button[type=submit]")
        .await;
    let otp = b.element_text("#one-time-password code").await;
    assert_eq!(otp.len(), 19, "one-time password shown: {otp:?}");
    b.screenshot("one-time-password").await;

    // Sign out through the user menu.
    b.click(".user-menu summary").await;
    b.click("form[action='/logout'] button").await;
    b.wait_for_path("/login").await;
    assert!(b.text().await.contains("You have signed out."));

    // The new user signs in with the one-time password and must choose a new one.
    b.fill("#f-email", "budi.santoso@x.example").await;
    b.fill("#f-password", &otp).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_for_path("/account/password").await;
    assert!(b.text().await.contains("one-time password"));
    b.goto(&format!("{}/my-month", app.base)).await;
    b.wait_for_path("/account/password").await;
    b.fill("#f-current", &otp).await;
    b.fill("#f-new", "nasi-goreng-kambing-senin").await;
    b.fill("#f-confirm", "nasi-goreng-kambing-senin").await;
    b.screenshot("change-password").await;
    b.click("form[action='/account/password'] button[type=submit]")
        .await;
    b.wait_for_path("/my-month").await;
    assert!(b.text().await.contains("Password changed."));
    b.screenshot("my-month").await;
    b.quit().await;

    let must_change: bool = sqlx::query_scalar(
        "select must_change_password from users where email = 'budi.santoso@x.example'",
    )
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert!(!must_change);
}

#[tokio::test]
async fn the_shell_fits_a_360_px_phone_and_works_without_javascript_for_forms() {
    let app = spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI Jakarta — Korporasi").await;
    app.user(t, "rina@x.example", "Rina Kusumawati", Role::Admin)
        .await;
    let b = Browser::start(360, 740).await;
    b.goto(&format!("{}/login", app.base)).await;
    assert!(b.fits_width().await, "login fits 360 px");
    b.fill("#f-email", "rina@x.example").await;
    b.fill("#f-password", PASSWORD).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_for_path("/admin").await;
    for path in [
        "/admin",
        "/admin/users",
        "/admin/branches/new",
        "/admin/settings",
        "/admin/audit",
    ] {
        b.goto(&format!("{}{path}", app.base)).await;
        b.find("main h1").await;
        assert!(b.fits_width().await, "{path} fits 360 px");
    }
    b.goto(&format!("{}/admin/users", app.base)).await;
    b.screenshot("users-360").await;
    // A validation error comes back beside the field, with what was typed.
    b.goto(&format!("{}/admin/branches/new", app.base)).await;
    b.fill("#f-code", "kc sdm!").await;
    b.fill("#f-name", "Jakarta Sudirman").await;
    b.click("main form button[type=submit]").await;
    let error = b.element_text("#e-code").await;
    assert!(error.contains("huruf besar"), "{error}");
    assert!(b.source().await.contains("value=\"Jakarta Sudirman\""));
    b.screenshot("branch-error-360").await;
    b.quit().await;
}

#[tokio::test]
async fn admin_pages_and_error_pages_render_for_a_person() {
    let app = spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI Jakarta — Korporasi").await;
    app.user(t, "rina@x.example", "Rina Kusumawati", Role::Admin)
        .await;
    app.user(t, "dewi@x.example", "Dewi Lestari", Role::Rm)
        .await;
    let b = Browser::start(1280, 900).await;
    b.goto(&format!("{}/login", app.base)).await;
    b.fill("#f-email", "rina@x.example").await;
    b.fill("#f-password", "wrong-password-here").await;
    b.click("form[action='/login'] button[type=submit]").await;
    assert!(b.text().await.contains("Email atau kata sandi salah."));
    b.screenshot("login-error").await;
    b.fill("#f-password", PASSWORD).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_for_path("/admin").await;

    b.goto(&format!("{}/admin/branches/new", app.base)).await;
    b.fill("#f-code", "KC-SDM").await;
    b.fill("#f-name", "Kantor Cabang Jakarta Sudirman").await;
    b.fill("#f-region", "DKI Jakarta").await;
    b.click("main form button[type=submit]").await;
    b.wait_for_path("/admin/branches").await;
    assert!(b.text().await.contains("Kantor cabang ditambahkan."));
    b.screenshot("branches").await;

    b.goto(&format!("{}/admin/users", app.base)).await;
    b.click("table a[href^='/admin/users/']:not([href='/admin/users/new'])")
        .await;
    b.find("main h1").await;
    b.screenshot("user-show").await;

    b.goto(&format!("{}/admin/settings", app.base)).await;
    b.screenshot("settings").await;
    b.goto(&format!("{}/admin/audit", app.base)).await;
    assert!(b.text().await.contains("Kantor cabang dibuat"));
    b.screenshot("audit").await;
    b.goto(&format!("{}/no/such/page", app.base)).await;
    assert!(b.text().await.contains("Halaman tidak ditemukan"));
    b.screenshot("not-found").await;
    b.quit().await;
}
