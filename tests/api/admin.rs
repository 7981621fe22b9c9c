//! Admin pages: who may open them, users, branch offices, settings, the audit log.

use relasi::tenancy::domain::Role;

use crate::helpers::{one_time_password, spawn_app};

#[tokio::test]
async fn each_role_against_each_admin_route() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    let mut clients = Vec::new();
    for (email, role) in [
        ("admin@x.example", Role::Admin),
        ("spv@x.example", Role::Supervisor),
        ("rm@x.example", Role::Rm),
        ("viewer@x.example", Role::Viewer),
    ] {
        app.user(t, email, email, role).await;
        clients.push((role, app.signed_in(email).await));
    }
    let branch: uuid::Uuid = {
        let admin = &clients[0].1;
        admin
            .post(
                "/admin/branches",
                &[("code", "KC-SDM"), ("name", "Sudirman"), ("version", "0")],
            )
            .await;
        sqlx::query_scalar("select id from branch_offices")
            .fetch_one(&app.admin)
            .await
            .unwrap()
    };
    let someone = app.user(t, "target@x.example", "Target", Role::Rm).await;
    let gets = [
        "/admin".to_owned(),
        "/admin/users".to_owned(),
        "/admin/invitations/new".to_owned(),
        format!("/admin/users/{}", someone.0),
        "/admin/branches".to_owned(),
        "/admin/branches/new".to_owned(),
        format!("/admin/branches/{branch}"),
        "/admin/settings".to_owned(),
        "/admin/holidays".to_owned(),
    ];
    for (role, c) in &clients {
        for path in &gets {
            let expected = if *role == Role::Admin { 200 } else { 403 };
            assert_eq!(c.get(path).await.status, expected, "{role:?} GET {path}");
        }
        let audit = if matches!(role, Role::Admin | Role::Supervisor) {
            200
        } else {
            403
        };
        assert_eq!(
            c.get("/admin/audit").await.status,
            audit,
            "{role:?} GET /admin/audit"
        );
    }
    // Unsafe requests by non-admins are refused and change nothing.
    for (role, c) in clients.iter().filter(|(r, _)| *r != Role::Admin) {
        let r = c
            .post(
                "/admin/holidays",
                &[("day", "2026-12-25"), ("name", "Natal")],
            )
            .await;
        assert_eq!(r.status, 403, "{role:?} POST /admin/holidays");
        let r = c
            .post_file("/admin/holidays/import", "file", b"2026-12-26,Cuti")
            .await;
        assert_eq!(r.status, 403, "{role:?} POST /admin/holidays/import");
        let posts: [(String, Vec<(&str, &str)>); 7] = [
            (
                "/admin/invitations".into(),
                vec![("email", "x@x.example"), ("role", "admin")],
            ),
            (
                format!("/admin/users/{}/clear-second-factor", someone.0),
                vec![],
            ),
            (
                format!("/admin/users/{}/role", someone.0),
                vec![("role", "admin"), ("version", "1")],
            ),
            (
                format!("/admin/users/{}/disable", someone.0),
                vec![("version", "1")],
            ),
            (format!("/admin/users/{}/reset-password", someone.0), vec![]),
            (
                "/admin/branches".into(),
                vec![("code", "KC-X"), ("name", "X"), ("version", "0")],
            ),
            (
                "/admin/settings".into(),
                vec![
                    ("name", "Hacked"),
                    ("timezone", "Asia/Jakarta"),
                    ("default_language", "id"),
                    ("second_factor", "off"),
                    ("version", "1"),
                ],
            ),
        ];
        for (path, form) in &posts {
            assert_eq!(c.post(path, form).await.status, 403, "{role:?} POST {path}");
        }
    }
    let users: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.admin)
        .await
        .unwrap();
    assert_eq!(users, 5);
    let name: String = sqlx::query_scalar("select name from tenants")
        .fetch_one(&app.admin)
        .await
        .unwrap();
    assert_eq!(name, "Unit Satu");
    let invitations: i64 =
        sqlx::query_scalar("select count(*) from invitations where email = 'x@x.example'")
            .fetch_one(&app.admin)
            .await
            .unwrap();
    assert_eq!(invitations, 0);
}

#[tokio::test]
async fn controls_a_role_may_not_use_are_not_shown() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "admin@x.example", "Admin", Role::Admin).await;
    app.user(t, "rm@x.example", "RM", Role::Rm).await;
    app.user(t, "spv@x.example", "SPV", Role::Supervisor).await;
    let admin = app
        .signed_in("admin@x.example")
        .await
        .get("/admin")
        .await
        .body;
    assert!(admin.contains("href=\"/admin\""));
    let rm = app
        .signed_in("rm@x.example")
        .await
        .get("/my-month")
        .await
        .body;
    assert!(!rm.contains("href=\"/admin"), "an RM sees no admin links");
    let spv = app
        .signed_in("spv@x.example")
        .await
        .get("/dashboard")
        .await
        .body;
    assert!(spv.contains("href=\"/admin/audit\"") && !spv.contains("href=\"/admin\""));
}

#[tokio::test]
async fn role_changes_disabling_and_resets_are_audited_and_take_effect() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    let admin_id = app.user(t, "admin@x.example", "Admin", Role::Admin).await;
    let rm = app.user(t, "rm@x.example", "RM", Role::Rm).await;
    let c = app.signed_in("admin@x.example").await;
    let rm_client = app.signed_in("rm@x.example").await;

    let r = c
        .post(
            &format!("/admin/users/{}/role", rm.0),
            &[("role", "supervisor"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        rm_client.get("/dashboard").await.status,
        200,
        "the new role applies at once"
    );
    // A stale form (version 1 again) is refused and changes nothing.
    let r = c
        .post(
            &format!("/admin/users/{}/role", rm.0),
            &[("role", "viewer"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, 409);
    let role: String = sqlx::query_scalar("select role from memberships where user_id = $1")
        .bind(rm.0)
        .fetch_one(&app.admin)
        .await
        .unwrap();
    assert_eq!(role, "supervisor");

    let r = c
        .post(
            &format!("/admin/users/{}/disable", rm.0),
            &[("version", "2"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        rm_client.get("/dashboard").await.status,
        303,
        "disabling ended the session"
    );
    let r = app
        .client()
        .sign_in("rm@x.example", crate::helpers::PASSWORD)
        .await;
    assert_eq!(
        r.status, 403,
        "a disabled member cannot sign in to a tenant"
    );
    let r = c
        .post(
            &format!("/admin/users/{}/enable", rm.0),
            &[("version", "3")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.client()
            .sign_in("rm@x.example", crate::helpers::PASSWORD)
            .await
            .status,
        303
    );

    let r = c
        .post(
            &format!("/admin/users/{}/reset-password", rm.0),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 200);
    let otp = one_time_password(&r.body);
    assert_eq!(
        app.client()
            .sign_in("rm@x.example", crate::helpers::PASSWORD)
            .await
            .status,
        401
    );
    assert_eq!(
        app.client().sign_in("rm@x.example", &otp).await.location(),
        "/account/password"
    );

    // The last admin cannot be demoted or disabled, nor can admins disable themselves.
    let r = c
        .post(
            &format!("/admin/users/{}/disable", admin_id.0),
            &[("version", "1"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = c
        .post(
            &format!("/admin/users/{}/role", admin_id.0),
            &[("role", "rm"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, 303);
    let (role, disabled): (String, bool) =
        sqlx::query_as("select role, disabled_at is not null from memberships where user_id = $1")
            .bind(admin_id.0)
            .fetch_one(&app.admin)
            .await
            .unwrap();
    assert_eq!((role.as_str(), disabled), ("admin", false));

    let changes: serde_json::Value =
        sqlx::query_scalar("select changes from audit_events where action = 'user.role_changed'")
            .fetch_one(&app.admin)
            .await
            .unwrap();
    assert_eq!(
        changes,
        serde_json::json!({"role": {"old": "rm", "new": "supervisor"}})
    );
    let actions = app.audit_actions(t).await;
    for a in ["user.disabled", "user.enabled", "user.password_reset"] {
        assert!(actions.contains(&a.to_owned()), "{a}");
    }
}

#[tokio::test]
async fn branch_offices_with_unique_codes_stale_edits_and_archiving() {
    let (app, t, c) = crate::helpers::signed_in_admin().await;
    let r = c
        .post(
            "/admin/branches",
            &[
                ("code", "kc-sdm"),
                ("name", "Jakarta Sudirman"),
                ("region", "DKI Jakarta"),
                ("address", "Jl. Sudirman"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let dup = c
        .post(
            "/admin/branches",
            &[("code", "KC-SDM"), ("name", "Lain"), ("version", "0")],
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.body.contains("sudah dipakai"));
    let bad = c
        .post(
            "/admin/branches",
            &[("code", "KC SDM!"), ("name", ""), ("version", "0")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("huruf besar") && bad.body.contains("Wajib diisi."));

    let id: uuid::Uuid = sqlx::query_scalar("select id from branch_offices where code = 'KC-SDM'")
        .fetch_one(&app.admin)
        .await
        .unwrap();
    let path = format!("/admin/branches/{id}");
    let first = c
        .post(
            &path,
            &[
                ("code", "KC-SDM"),
                ("name", "Jakarta Sudirman Raya"),
                ("region", "DKI Jakarta"),
                ("address", "Jl. Sudirman"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(first.status, 303);
    // A second editor who loaded version 1 is told someone else changed it; nothing is overwritten.
    let stale = c
        .post(
            &path,
            &[
                ("code", "KC-SDM"),
                ("name", "Nama Lama"),
                ("region", ""),
                ("address", ""),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, 409);
    assert!(stale.body.contains("Orang lain menyimpan data ini"));
    // Side by side: what is saved now, and what this editor sent, which the form keeps.
    assert!(
        stale
            .body
            .contains("<td>Jakarta Sudirman Raya</td><td><mark>Nama Lama</mark></td>"),
        "{}",
        stale.body
    );
    assert!(stale.body.contains("value=\"Nama Lama\""));
    assert!(stale.body.contains("name=\"version\" value=\"2\""));
    let name: String = sqlx::query_scalar("select name from branch_offices where id = $1")
        .bind(id)
        .fetch_one(&app.admin)
        .await
        .unwrap();
    assert_eq!(name, "Jakarta Sudirman Raya");

    assert_eq!(
        c.post(&format!("{path}/archive"), &[("version", "2")])
            .await
            .status,
        303
    );
    assert!(c.get("/admin/branches").await.body.contains("Diarsipkan"));
    assert_eq!(
        c.post(&format!("{path}/restore"), &[("version", "3")])
            .await
            .status,
        303
    );
    let changes: serde_json::Value =
        sqlx::query_scalar("select changes from audit_events where action = 'branch.updated'")
            .fetch_one(&app.admin)
            .await
            .unwrap();
    assert_eq!(
        changes,
        serde_json::json!({"name": {"old": "Jakarta Sudirman", "new": "Jakarta Sudirman Raya"}})
    );
    let actions = app.audit_actions(t).await;
    assert!(
        actions.contains(&"branch.archived".to_owned())
            && actions.contains(&"branch.restored".to_owned())
    );
}

#[tokio::test]
async fn tenant_settings_are_validated_saved_and_audited() {
    let (app, _t, c) = crate::helpers::signed_in_admin().await;
    let bad = c
        .post(
            "/admin/settings",
            &[
                ("name", ""),
                ("timezone", "Mars/Base"),
                ("default_language", "fr"),
                ("letterhead_email", "nope"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("Zona waktu tidak dikenal")
            && bad.body.contains("Wajib diisi.")
            && bad.body.contains("Alamat email tidak valid.")
    );
    assert!(
        bad.body.contains("Mars/Base"),
        "the form comes back as typed"
    );
    let ok = c
        .post(
            "/admin/settings",
            &[
                ("name", "Kanwil DKI Jakarta"),
                ("timezone", "Asia/Makassar"),
                ("default_language", "en"),
                ("second_factor", "off"),
                ("letterhead_city", "Jakarta"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    let stale = c
        .post(
            "/admin/settings",
            &[
                ("name", "Old"),
                ("timezone", "Asia/Jakarta"),
                ("default_language", "id"),
                ("second_factor", "off"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, 409);
    let (name, tz): (String, String) = sqlx::query_as("select name, timezone from tenants")
        .fetch_one(&app.admin)
        .await
        .unwrap();
    assert_eq!(
        (name.as_str(), tz.as_str()),
        ("Kanwil DKI Jakarta", "Asia/Makassar")
    );
    let changes: serde_json::Value =
        sqlx::query_scalar("select changes from audit_events where action = 'tenant.updated'")
            .fetch_one(&app.admin)
            .await
            .unwrap();
    assert_eq!(
        changes["timezone"],
        serde_json::json!({"old": "Asia/Jakarta", "new": "Asia/Makassar"})
    );
    assert!(
        changes.get("letterhead_office").is_none(),
        "unchanged fields are not recorded"
    );
    // The tenant's default language now applies to people who chose none.
    let page = c.get_with("/admin", &[("accept-language", "fr")]).await;
    assert!(page.body.contains("Manage the people"));
}

#[tokio::test]
async fn the_audit_log_filters_and_paginates() {
    let (_app, _t, c) = crate::helpers::signed_in_admin().await;
    for i in 0..55 {
        let code = format!("KC-{i:03}");
        c.post(
            "/admin/branches",
            &[("code", &code), ("name", "Cabang"), ("version", "0")],
        )
        .await;
    }
    let page1 = c.get("/admin/audit?action=branch.created").await;
    assert_eq!(page1.status, 200);
    assert_eq!(
        page1
            .body
            .matches("<td class=\"audit-action\">Kantor cabang dibuat</td>")
            .count(),
        50
    );
    assert!(page1.body.contains("page=2"));
    let page2 = c.get("/admin/audit?action=branch.created&page=2").await;
    assert_eq!(
        page2
            .body
            .matches("<td class=\"audit-action\">Kantor cabang dibuat</td>")
            .count(),
        5
    );
    let signins = c.get("/admin/audit?action=auth.sign_in").await;
    assert_eq!(
        signins
            .body
            .matches("<td class=\"audit-action\">Masuk</td>")
            .count(),
        1
    );
    let future = c.get("/admin/audit?from=2030-01-01").await;
    assert!(future.body.contains("Tidak ada kejadian yang cocok."));
    let today = c
        .get("/admin/audit?from=2026-11-16&to=2026-11-16&entity=branch_office")
        .await;
    assert_eq!(
        today
            .body
            .matches("<td class=\"audit-action\">Kantor cabang dibuat</td>")
            .count(),
        50
    );
    let garbage = c.get("/admin/audit?from=yesterday&actor=zzz&page=-4").await;
    assert_eq!(garbage.status, 200);
    assert!(garbage.body.contains("Tanggal tidak valid"));
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    let app = crate::helpers::spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI").await;
    let a = app.user(t, "a@x.example", "Admin A", Role::Admin).await;
    let b = app.user(t, "b@x.example", "Admin B", Role::Admin).await;
    for _ in 0..5 {
        let (ca, cb) = (
            app.signed_in("a@x.example").await,
            app.signed_in("b@x.example").await,
        );
        let version = |u: uuid::Uuid| {
            let pool = app.admin.clone();
            async move {
                sqlx::query_scalar::<_, i32>("select version from memberships where user_id = $1")
                    .bind(u)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
                    .to_string()
            }
        };
        let (va, vb) = (version(a.0).await, version(b.0).await);
        let (pa, pb) = (
            format!("/admin/users/{}/role", b.0),
            format!("/admin/users/{}/role", a.0),
        );
        let (fa, fb) = (
            [("role", "rm"), ("version", vb.as_str())],
            [("role", "rm"), ("version", va.as_str())],
        );
        tokio::join!(ca.post(&pa, &fa), cb.post(&pb, &fb));
        let admins: i64 = sqlx::query_scalar(
            "select count(*) from memberships where role = 'admin' and disabled_at is null",
        )
        .fetch_one(&app.admin)
        .await
        .unwrap();
        assert_eq!(admins, 1, "exactly one of the two demotions went through");
        // Both admins again for the next round.
        sqlx::query("update memberships set role = 'admin', version = version + 1")
            .execute(&app.admin)
            .await
            .unwrap();
    }
}
