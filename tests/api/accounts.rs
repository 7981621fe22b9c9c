//! Accounts tried the way the admin of another tenant would try them: invitations instead of accounts
//! made by admins, nothing learnt about accounts elsewhere, throttling that holds under parallel
//! guesses, the second factor, and a database login that cannot leave row-level security.

use relasi::tenancy::domain::{Role, TenantId};

use crate::helpers::{Client, PASSWORD, Resp, TestApp, secret_from_typed, spawn_app};

/// Invites `email` as `role` from `admin`'s tenant; returns the link's path.
async fn invite(admin: &Client, email: &str, role: &str) -> String {
    let r = admin
        .post("/admin/invitations", &[("email", email), ("role", role)])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    link_path(&r)
}

/// The invitation link's path from the page that shows it once.
fn link_path(r: &Resp) -> String {
    let at = r.body.find("/invitations/").expect("the link is shown");
    r.body[at..at + "/invitations/".len() + 64].to_owned()
}

async fn register(c: &Client, link: &str, name: &str, password: &str) -> Resp {
    c.post(
        &format!("{link}/register"),
        &[
            ("name", name),
            ("password", password),
            ("confirm", password),
        ],
    )
    .await
}

struct TwoAgencies {
    app: TestApp,
    a: TenantId,
    b: TenantId,
    admin_a: Client,
    admin_b: Client,
}

async fn two_agencies() -> TwoAgencies {
    let app = spawn_app().await;
    let a = app.tenant("agency-a", "Agency A").await;
    let b = app.tenant("agency-b", "Agency B").await;
    app.user(a, "admin@a-agency.example", "Admin A", Role::Admin)
        .await;
    app.user(b, "admin@b-agency.example", "Admin B", Role::Admin)
        .await;
    let admin_a = app.signed_in("admin@a-agency.example").await;
    let admin_b = app.signed_in("admin@b-agency.example").await;
    TwoAgencies {
        app,
        a,
        b,
        admin_a,
        admin_b,
    }
}

async fn memberships_of(app: &TestApp, email: &str) -> Vec<(TenantId, String)> {
    sqlx::query_as::<_, (uuid::Uuid, String)>(
        "select m.tenant_id, m.role from memberships m join users u on u.id = m.user_id
          where u.email = $1 order by m.tenant_id",
    )
    .bind(email)
    .fetch_all(&app.admin)
    .await
    .unwrap()
    .into_iter()
    .map(|(t, r)| (TenantId(t), r))
    .collect()
}

#[tokio::test]
async fn registering_an_email_first_gives_another_tenants_admin_no_way_in() {
    let t = two_agencies().await;
    // B's admin invites A's future hire to B and opens the link herself, choosing the password.
    let link_b = invite(&t.admin_b, "new.hire@a-agency.example", "viewer").await;
    let attacker = t.app.client();
    let r = register(&attacker, &link_b, "New Hire", PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.body);

    // A's admin invites the same email later: the answer is exactly the one for an unknown email.
    let known = t
        .admin_a
        .post(
            "/admin/invitations",
            &[("email", "new.hire@a-agency.example"), ("role", "rm")],
        )
        .await;
    let unknown = t
        .admin_a
        .post(
            "/admin/invitations",
            &[("email", "nobody.yet@a-agency.example"), ("role", "rm")],
        )
        .await;
    assert_eq!((known.status, unknown.status), (200, 200));
    let neutral = |r: &Resp, email: &str| {
        r.body
            .replace(email, "EMAIL")
            .replace(&link_path(r), "/invitations/SECRET")
    };
    assert_eq!(
        neutral(&known, "new.hire@a-agency.example"),
        neutral(&unknown, "nobody.yet@a-agency.example")
    );
    // The invitation by itself created nothing in A.
    assert_eq!(
        memberships_of(&t.app, "new.hire@a-agency.example").await,
        vec![(t.b, "viewer".to_owned())]
    );

    // B's admin, holding the account but not A's link, cannot get into A: not by switching, not by
    // guessing an invitation.
    let r = attacker
        .post("/session/tenant", &[("tenant", &t.a.0.to_string())])
        .await;
    assert_eq!(r.status, 404);
    let guess = format!("/invitations/{}/accept", "0".repeat(64));
    assert_eq!(attacker.post(&guess, &[]).await.status, 404);
    assert_eq!(
        memberships_of(&t.app, "new.hire@a-agency.example")
            .await
            .len(),
        1
    );

    // The real hire opens A's link: creating the account is refused (it exists) and only the account's
    // password opens it, which the hire does not have — an operator resets it (cli tests). Nothing
    // changed in A.
    let hire = t.app.client();
    let link_a = link_path(&known);
    let r = register(&hire, &link_a, "New Hire", "kopi-luwak-di-bandung-77").await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("Sudah ada akun dengan email ini"));
    assert_eq!(
        memberships_of(&t.app, "new.hire@a-agency.example")
            .await
            .len(),
        1
    );
    // With A's link and the account both in hand, the person joins A; then both tenants are theirs.
    let r = attacker.post(&format!("{link_a}/accept"), &[]).await;
    assert_eq!(
        r.status, 303,
        "the account's holder with A's link may accept"
    );
}

#[tokio::test]
async fn a_tenants_admin_learns_nothing_of_a_persons_account_elsewhere() {
    let t = two_agencies().await;
    t.app
        .user(t.a, "shared@x.example", "Sari Bersama", Role::Rm)
        .await;
    // B invites a person who already works in A: nothing happens until the person accepts.
    let link = invite(&t.admin_b, "shared@x.example", "rm").await;
    let users = t.admin_b.get("/admin/users").await.body;
    assert!(!users.contains("Sari Bersama"), "no name before consent");
    assert_eq!(memberships_of(&t.app, "shared@x.example").await.len(), 1);
    // She opens the link signed in to her account, and accepts.
    let sari = t.app.signed_in("shared@x.example").await;
    let page = sari.get(&link).await;
    assert!(page.body.contains(&format!("action=\"{link}/accept\"")));
    assert_eq!(sari.post(&format!("{link}/accept"), &[]).await.status, 303);
    assert_eq!(memberships_of(&t.app, "shared@x.example").await.len(), 2);

    // Her account's own state, and her sign-ins into A, are not B's to see.
    sqlx::query("update users set must_change_password = true where email = 'shared@x.example'")
        .execute(&t.app.admin)
        .await
        .unwrap();
    t.app.enrol_second_factor("shared@x.example").await;
    let id: uuid::Uuid =
        sqlx::query_scalar("select id from users where email = 'shared@x.example'")
            .fetch_one(&t.app.admin)
            .await
            .unwrap();
    let page = t.admin_b.get(&format!("/admin/users/{id}")).await.body;
    assert!(page.contains("Sari Bersama"));
    let pending = crate::fixtures::msg("admin.password_pending");
    let factor = format!("<dt>{}</dt>", crate::fixtures::msg("second_factor.title"));
    for hidden in [
        pending.as_str(),
        factor.as_str(),
        "reset-password",
        "clear-second-factor",
    ] {
        assert!(!page.contains(hidden), "B's admin sees {hidden:?}");
    }
    // The same facts are shown for an account that belongs to B alone (so the check above can fail).
    t.app
        .user(t.b, "only-b@x.example", "Hanya B", Role::Rm)
        .await;
    sqlx::query("update users set must_change_password = true where email = 'only-b@x.example'")
        .execute(&t.app.admin)
        .await
        .unwrap();
    let only_b: uuid::Uuid =
        sqlx::query_scalar("select id from users where email = 'only-b@x.example'")
            .fetch_one(&t.app.admin)
            .await
            .unwrap();
    let page = t.admin_b.get(&format!("/admin/users/{only_b}")).await.body;
    for shown in [pending.as_str(), factor.as_str(), "reset-password"] {
        assert!(page.contains(shown), "{shown:?} for B's own person");
    }
    // A failed sign-in lands in the tenant the sign-in would open (where she last worked, A), not B.
    sqlx::query("update users set last_tenant_id = $1 where email = 'shared@x.example'")
        .bind(t.a.0)
        .execute(&t.app.admin)
        .await
        .unwrap();
    let r = t
        .app
        .client()
        .sign_in("shared@x.example", "wrong-password-123")
        .await;
    assert_eq!(r.status, 401);
    assert!(
        t.app
            .audit_actions(t.a)
            .await
            .contains(&"auth.sign_in_failed".to_owned())
    );
    assert!(
        !t.app
            .audit_actions(t.b)
            .await
            .contains(&"auth.sign_in_failed".to_owned())
    );
    // Neither admin may reset an account shared with another tenant, even by posting directly; the
    // database refuses it too.
    let r = t
        .admin_b
        .post(
            &format!("/admin/users/{id}/reset-password"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    let mut tx = relasi::db::tenant_tx(&t.app.pool, t.b, None).await.unwrap();
    let changed = sqlx::query("update users set password_hash = 'x' where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(changed, 0);
}

#[tokio::test]
async fn invitations_expire_can_be_revoked_and_are_used_once() {
    let t = two_agencies().await;
    let c = &t.admin_a;
    // Refused inputs come back with messages, and another tenant's branch is not offered or taken.
    let other_branch: uuid::Uuid = {
        t.admin_b
            .post(
                "/admin/branches",
                &[("code", "KC-B"), ("name", "B"), ("version", "0")],
            )
            .await;
        sqlx::query_scalar("select id from branch_offices where code = 'KC-B'")
            .fetch_one(&t.app.admin)
            .await
            .unwrap()
    };
    let bad = c
        .post(
            "/admin/invitations",
            &[
                ("email", "not an email"),
                ("role", "root"),
                ("days", "365"),
                ("branch_id", &other_branch.to_string()),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Alamat email tidak valid."));
    let bad = c
        .post(
            "/admin/invitations",
            &[
                ("email", "x@a-agency.example"),
                ("role", "rm"),
                ("branch_id", &other_branch.to_string()),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "another tenant's branch office");
    // A member already in the tenant is named as such (the admin sees their own people anyway).
    let r = c
        .post(
            "/admin/invitations",
            &[("email", "admin@a-agency.example"), ("role", "rm")],
        )
        .await;
    assert_eq!(r.status, 422);

    // A new invitation for the same email replaces the open one.
    let first = invite(c, "putri@a-agency.example", "rm").await;
    let second = invite(c, "putri@a-agency.example", "supervisor").await;
    assert_eq!(t.app.client().get(&first).await.status, 410);
    // Revoked: the link stops working, and revoking again says it is no longer open.
    let id: uuid::Uuid = sqlx::query_scalar(
        "select id from invitations where email = 'putri@a-agency.example' and revoked_at is null",
    )
    .fetch_one(&t.app.admin)
    .await
    .unwrap();
    // B's admin cannot revoke A's invitation: it does not exist for her.
    assert_eq!(
        t.admin_b
            .post(&format!("/admin/invitations/{id}/revoke"), &[])
            .await
            .status,
        404
    );
    assert_eq!(
        c.post(&format!("/admin/invitations/{id}/revoke"), &[])
            .await
            .status,
        303
    );
    assert_eq!(t.app.client().get(&second).await.status, 410);
    let r = register(
        &t.app.client(),
        &second,
        "Putri",
        "kopi-luwak-di-bandung-77",
    )
    .await;
    assert_eq!(r.status, 410);
    // Even raw SQL cannot make an account from a revoked invitation's secret.
    let users: i64 =
        sqlx::query_scalar("select count(*) from users where email = 'putri@a-agency.example'")
            .fetch_one(&t.app.admin)
            .await
            .unwrap();
    assert_eq!(users, 0);

    // Expired after its days; used once, even when two people try the link at once.
    let third = invite(c, "putri@a-agency.example", "rm").await;
    t.app.clock.advance(chrono::Duration::days(8));
    assert_eq!(t.app.client().get(&third).await.status, 410);
    t.app.clock.advance(chrono::Duration::days(-8));
    let (one, two) = (t.app.client(), t.app.client());
    let (r1, r2) = tokio::join!(
        register(&one, &third, "Putri Satu", "kopi-luwak-di-bandung-77"),
        register(&two, &third, "Putri Dua", "teh-tarik-di-medan-88"),
    );
    let mut statuses = [r1.status, r2.status];
    statuses.sort();
    assert_eq!(statuses[0], 303);
    assert!(matches!(statuses[1], 409 | 410), "{statuses:?}");
    assert_eq!(
        memberships_of(&t.app, "putri@a-agency.example").await,
        vec![(t.a, "rm".to_owned())]
    );
    let actions = t.app.audit_actions(t.a).await;
    for a in [
        "invitation.created",
        "invitation.revoked",
        "invitation.accepted",
        "user.created",
        "user.added",
    ] {
        assert!(actions.contains(&a.to_owned()), "{a}");
    }
}

#[tokio::test]
async fn an_existing_account_accepts_only_as_itself() {
    let t = two_agencies().await;
    t.app
        .user(t.b, "other@x.example", "Orang Lain", Role::Rm)
        .await;
    t.app
        .user(t.b, "invited@x.example", "Yang Diundang", Role::Rm)
        .await;
    let link = invite(&t.admin_a, "invited@x.example", "viewer").await;
    // Signed in as somebody else: told so, and refused.
    let other = t.app.signed_in("other@x.example").await;
    let page = other.get(&link).await.body;
    assert!(page.contains("other@x.example") && page.contains("invited@x.example"));
    assert_eq!(other.post(&format!("{link}/accept"), &[]).await.status, 403);
    // Not signed in: sent to sign in, and back to the invitation afterwards.
    let anon = t.app.client();
    let r = anon.post(&format!("{link}/accept"), &[]).await;
    assert_eq!(r.location(), format!("/login?next={link}"));
    let r = anon
        .post(
            "/login",
            &[
                ("email", "invited@x.example"),
                ("password", PASSWORD),
                ("next", &link),
            ],
        )
        .await;
    assert_eq!(r.location(), link);
    assert_eq!(anon.post(&format!("{link}/accept"), &[]).await.status, 303);
    assert_eq!(
        anon.get("/dashboard").await.status,
        200,
        "now a viewer in A"
    );
    assert_eq!(memberships_of(&t.app, "invited@x.example").await.len(), 2);
}

#[tokio::test]
async fn twenty_parallel_wrong_guesses_lock_the_account_at_exactly_five() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "target@x.example", "Target", Role::Rm).await;
    let guesses: Vec<_> = (0..20)
        .map(|_| {
            let c = app.client();
            tokio::spawn(async move { c.sign_in("target@x.example", "wrong-guess-12345").await })
        })
        .collect();
    let mut answers = Vec::new();
    for g in guesses {
        answers.push(g.await.unwrap());
    }
    let unauthorized = answers.iter().filter(|r| r.status == 401).count();
    let locked = answers.iter().filter(|r| r.status == 429).count();
    assert_eq!(
        (unauthorized, locked),
        (4, 16),
        "four wrong, the fifth locks"
    );
    let checked = app
        .audit_actions(t)
        .await
        .iter()
        .filter(|a| *a == "auth.sign_in_failed")
        .count();
    assert_eq!(checked, 5, "exactly five passwords were tried");
    // The right password is refused too, until the lock ends.
    assert_eq!(
        app.client()
            .sign_in("target@x.example", PASSWORD)
            .await
            .status,
        429
    );
    app.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(
        app.client()
            .sign_in("target@x.example", PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn the_current_password_check_counts_as_a_sign_in_failure() {
    let (app, t, c) = crate::helpers::signed_in_admin().await;
    for _ in 0..4 {
        let r = c
            .post(
                "/account/password",
                &[
                    ("current", "not-my-password-1"),
                    ("new", "kopi-luwak-di-bandung-77"),
                    ("confirm", "kopi-luwak-di-bandung-77"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
    }
    let r = c
        .post(
            "/account/password",
            &[
                ("current", "not-my-password-1"),
                ("new", "kopi-luwak-di-bandung-77"),
                ("confirm", "kopi-luwak-di-bandung-77"),
            ],
        )
        .await;
    assert_eq!(r.status, 429, "the fifth wrong password locks");
    // Locked: the right current password is refused now, and so is signing in elsewhere.
    let r = c
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "kopi-luwak-di-bandung-77"),
                ("confirm", "kopi-luwak-di-bandung-77"),
            ],
        )
        .await;
    assert_eq!(r.status, 429);
    assert_eq!(
        app.client()
            .sign_in("admin@x.example", PASSWORD)
            .await
            .status,
        429
    );
    assert!(
        app.audit_actions(t)
            .await
            .contains(&"auth.locked".to_owned())
    );
    // A new password made of the unit's name is refused once the lock is over.
    app.clock.advance(chrono::Duration::minutes(16));
    let r = c
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "Unit Satu Admin 2026"),
                ("confirm", "Unit Satu Admin 2026"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn a_second_factor_is_set_up_asked_for_and_never_accepted_twice() {
    let app = spawn_app().await;
    let t = app.tenant_with("t1", "Unit Satu", "admins").await;
    app.user(t, "admin@x.example", "Admin", Role::Admin).await;
    app.user(t, "rm@x.example", "RM", Role::Rm).await;
    // The tenant asks admins for one: every page leads to setting it up; an RM is not asked.
    let c = app.signed_in("admin@x.example").await;
    assert_eq!(c.get("/admin").await.location(), "/account/second-factor");
    assert_eq!(
        app.signed_in("rm@x.example")
            .await
            .get("/my-month")
            .await
            .status,
        200
    );
    let page = c.get("/account/second-factor").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg"), "the QR code is drawn here");
    let typed = page
        .body
        .split("id=\"totp-key\"><code>")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap();
    let key = secret_from_typed(typed);
    // A wrong first code is refused; the right one turns it on and shows ten recovery codes once.
    let r = c
        .post("/account/second-factor/confirm", &[("code", "000000")])
        .await;
    assert_eq!(r.status, 422);
    let code = key.code_at(app.clock.now());
    let r = c
        .post("/account/second-factor/confirm", &[("code", &code)])
        .await;
    assert_eq!(r.status, 200);
    let recovery: Vec<String> = r
        .body
        .split("<li><code>")
        .skip(1)
        .map(|s| s.split("</code>").next().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    assert_eq!(c.get("/admin").await.status, 200);

    // Signing in now asks for the code after the password.
    let fresh = app.client();
    let r = fresh.sign_in("admin@x.example", PASSWORD).await;
    assert_eq!(r.location(), "/login/second-factor");
    assert_eq!(
        fresh.get("/admin").await.status,
        303,
        "nothing but the question yet"
    );
    // The code that turned the factor on is spent for its step.
    let r = fresh.post("/login/second-factor", &[("code", &code)]).await;
    assert_eq!(r.status, 401, "a used code is refused");
    app.clock.advance(chrono::Duration::seconds(30));
    let next = key.code_at(app.clock.now());
    let r = fresh.post("/login/second-factor", &[("code", &next)]).await;
    assert_eq!(r.location(), "/admin");
    assert_eq!(fresh.get("/admin").await.status, 200);
    // Replayed in another sign-in within its window: refused.
    let replay = app.client();
    replay.sign_in("admin@x.example", PASSWORD).await;
    let r = replay
        .post("/login/second-factor", &[("code", &next)])
        .await;
    assert_eq!(r.status, 401);
    // A recovery code works once.
    let r = replay
        .post("/login/second-factor", &[("code", &recovery[0])])
        .await;
    assert_eq!(r.location(), "/admin");
    let again = app.client();
    again.sign_in("admin@x.example", PASSWORD).await;
    let r = again
        .post("/login/second-factor", &[("code", &recovery[0])])
        .await;
    assert_eq!(r.status, 401, "a used recovery code is refused");
    let actions = app.audit_actions(t).await;
    for a in [
        "auth.second_factor_enabled",
        "auth.second_factor_failed",
        "auth.recovery_code_used",
    ] {
        assert!(actions.contains(&a.to_owned()), "{a}");
    }
    // Required here, so it cannot be turned off.
    app.clock.advance(chrono::Duration::minutes(16));
    let code = key.code_at(app.clock.now());
    let r = c
        .post("/account/second-factor/remove", &[("code", &code)])
        .await;
    assert_eq!(r.status, 303);
    let on: bool = sqlx::query_scalar(
        "select totp_enabled_at is not null from users where email = 'admin@x.example'",
    )
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert!(on);
}

#[tokio::test]
async fn wrong_codes_lock_like_wrong_passwords() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "rm@x.example", "RM", Role::Rm).await;
    let key = app.enrol_second_factor("rm@x.example").await;
    let c = app.client();
    c.sign_in("rm@x.example", PASSWORD).await;
    // The password counted one attempt until the code is right: four wrong codes make five.
    for i in 0..4 {
        let r = c.post("/login/second-factor", &[("code", "123456")]).await;
        assert_eq!(r.status, if i < 3 { 401 } else { 429 }, "attempt {i}");
    }
    let r = c
        .post(
            "/login/second-factor",
            &[("code", &key.code_at(app.clock.now()))],
        )
        .await;
    assert_eq!(r.status, 429, "locked: even the right code waits");
    // Bad input is a clear 422, not a guess.
    let r = c
        .post("/login/second-factor", &[("code", "12\u{0}34")])
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn an_admin_clears_a_lost_factor_only_for_an_account_of_their_own() {
    let t = two_agencies().await;
    t.app.user(t.a, "mine@x.example", "Milik A", Role::Rm).await;
    t.app
        .user(t.a, "shared@x.example", "Bersama", Role::Rm)
        .await;
    t.app
        .user(t.b, "shared@x.example", "Bersama", Role::Rm)
        .await;
    t.app.enrol_second_factor("mine@x.example").await;
    t.app.enrol_second_factor("shared@x.example").await;
    let id = |email: &'static str| {
        let pool = t.app.admin.clone();
        async move {
            sqlx::query_scalar::<_, uuid::Uuid>("select id from users where email = $1")
                .bind(email)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let mine = id("mine@x.example").await;
    let shared = id("shared@x.example").await;
    let r = t
        .admin_a
        .post(
            &format!("/admin/users/{mine}/clear-second-factor"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = t
        .admin_a
        .post(
            &format!("/admin/users/{shared}/clear-second-factor"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    // B's admin cannot reach A's person at all.
    assert_eq!(
        t.admin_b
            .post(
                &format!("/admin/users/{mine}/clear-second-factor"),
                &[("confirm", "yes")]
            )
            .await
            .status,
        404
    );
    let on: Vec<(String, bool)> = sqlx::query_as(
        "select email, totp_enabled_at is not null from users where email in ('mine@x.example', 'shared@x.example') order by email",
    )
    .fetch_all(&t.app.admin)
    .await
    .unwrap();
    assert_eq!(
        on,
        vec![
            ("mine@x.example".to_owned(), false),
            ("shared@x.example".to_owned(), true)
        ]
    );
    assert!(
        t.app
            .audit_actions(t.a)
            .await
            .contains(&"user.second_factor_cleared".to_owned())
    );
}

#[tokio::test]
async fn the_servers_login_cannot_leave_row_level_security() {
    let t = two_agencies().await;
    let mut conn = t.app.pool.acquire().await.unwrap();
    let who: (String, String) = sqlx::query_as("select session_user::text, current_user::text")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(who, ("relasi_app".to_owned(), "relasi_app".to_owned()));
    // There is no role to go back to, and none to switch to.
    sqlx::query("reset role").execute(&mut *conn).await.unwrap();
    let me: String = sqlx::query_scalar("select current_user::text")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(me, "relasi_app");
    for role in ["relasi_test_owner", "postgres"] {
        let err = sqlx::query(sqlx::AssertSqlSafe(format!("set role {role}")))
            .execute(&mut *conn)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("permission denied"), "{err}");
    }
    let err = sqlx::query("create role sneaky login")
        .execute(&mut *conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
    let err = sqlx::query("alter table employers no force row level security")
        .execute(&mut *conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("must be owner"), "{err}");
    // Raw SQL in A's transaction sees A's people only, and cannot put anybody into A.
    let mut tx = relasi::db::tenant_tx(&t.app.pool, t.a, None).await.unwrap();
    let tenants: Vec<uuid::Uuid> = sqlx::query_scalar("select distinct tenant_id from memberships")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(tenants, vec![t.a.0]);
    let b_admin: uuid::Uuid =
        sqlx::query_scalar("select id from users where email = 'admin@b-agency.example'")
            .fetch_one(&t.app.admin)
            .await
            .unwrap();
    let err = sqlx::query(
        "insert into memberships (tenant_id, id, user_id, role, created_at, updated_at)
         values (app_tenant_id(), gen_random_uuid(), $1, 'admin', now(), now())",
    )
    .bind(b_admin)
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    tx.rollback().await.unwrap();
    // Nor create an account without an invitation's secret.
    let mut tx = relasi::db::tenant_tx(&t.app.pool, t.a, None).await.unwrap();
    let err = sqlx::query(
        "insert into users (id, email, name, password_hash, created_at, updated_at)
         values (gen_random_uuid(), 'made.up@x.example', 'X', 'x', now(), now())",
    )
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    // The start-up check refuses the owner's login (and a superuser's: http tests).
    let owner = relasi::db::app_pool(&crate::helpers::owner_url_for(&t.app.database), 1).unwrap();
    let err = relasi::db::check_runtime_role(&owner)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("owns") || err.contains("create roles"),
        "{err}"
    );
}

#[tokio::test]
async fn a_reset_and_a_join_elsewhere_never_interleave() {
    let t = two_agencies().await;
    t.app
        .user(t.b, "mover@x.example", "Pindah Unit", Role::Rm)
        .await;
    let mover: uuid::Uuid =
        sqlx::query_scalar("select id from users where email = 'mover@x.example'")
            .fetch_one(&t.app.admin)
            .await
            .unwrap();
    // The person joins A; B's later reset finds the account shared and changes nothing: no password,
    // no ended sessions, no audit event claiming a reset.
    let link = invite(&t.admin_a, "mover@x.example", "rm").await;
    let person = t.app.signed_in("mover@x.example").await;
    assert_eq!(
        person.post(&format!("{link}/accept"), &[]).await.status,
        303
    );
    let r = t
        .admin_b
        .post(
            &format!("/admin/users/{mover}/reset-password"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(person.get("/my-month").await.status, 200, "still signed in");
    assert!(
        !t.app
            .audit_actions(t.b)
            .await
            .contains(&"user.password_reset".to_owned())
    );
    // The other order: B resets first (the account was B's alone), which ends every session; the
    // join that was on its way with one of them joins nothing.
    t.app
        .user(t.b, "mover2@x.example", "Pindah Lagi", Role::Rm)
        .await;
    let mover2: uuid::Uuid =
        sqlx::query_scalar("select id from users where email = 'mover2@x.example'")
            .fetch_one(&t.app.admin)
            .await
            .unwrap();
    let link = invite(&t.admin_a, "mover2@x.example", "rm").await;
    let person = t.app.signed_in("mover2@x.example").await;
    let r = t
        .admin_b
        .post(
            &format!("/admin/users/{mover2}/reset-password"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 200);
    let r = person.post(&format!("{link}/accept"), &[]).await;
    assert!(r.location().starts_with("/login"), "{}", r.location());
    assert_eq!(memberships_of(&t.app, "mover2@x.example").await.len(), 1);
}

#[tokio::test]
async fn a_unit_cannot_pass_for_another_nor_invite_without_limit() {
    let t = two_agencies().await;
    // Renaming B after A is refused.
    let r = t
        .admin_b
        .post(
            "/admin/settings",
            &[
                ("name", "agency a"),
                ("timezone", "Asia/Jakarta"),
                ("default_language", "id"),
                ("second_factor", "off"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains(&crate::fixtures::msg("settings.name_taken"))
    );
    // Look-alike emails are refused.
    for email in [
        "admin@a-agency.example\u{200b}",
        "admin@a-\u{0430}gency.example",
        "adm\u{202e}in@a-agency.example",
    ] {
        let r = t
            .admin_b
            .post("/admin/invitations", &[("email", email), ("role", "rm")])
            .await;
        assert_eq!(r.status, 422, "{email:?}");
    }
    // A day's invitations are bounded (each one tells its link's holder whether an account exists).
    sqlx::query(
        "insert into invitations (tenant_id, id, email, role, token_hash, created_at, expires_at)
         select $1, gen_random_uuid(), 'p' || n || '@x.example', 'viewer', sha256(n::text::bytea),
                $2, $2 + interval '7 days'
           from generate_series(1, 100) n",
    )
    .bind(t.b.0)
    .bind(t.app.clock.now())
    .execute(&t.app.admin)
    .await
    .unwrap();
    let r = t
        .admin_b
        .post(
            "/admin/invitations",
            &[("email", "one.more@x.example"), ("role", "rm")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains(&crate::fixtures::msg("invitation.too_many"))
    );
}

#[tokio::test]
async fn irreversible_admin_actions_need_a_ticked_box() {
    let (app, t, c) = crate::helpers::signed_in_admin().await;
    let rm = app.user(t, "rm@x.example", "RM", Role::Rm).await;
    // Disabling goes back to its own question; the others to the person's page.
    for (action, form, back) in [
        ("disable", vec![("version", "1")], "/disable"),
        ("reset-password", vec![], ""),
        ("clear-second-factor", vec![], ""),
    ] {
        let r = c
            .post(&format!("/admin/users/{}/{action}", rm.0), &form)
            .await;
        assert_eq!(r.status, 303, "{action}");
        assert_eq!(r.location(), format!("/admin/users/{}{back}", rm.0));
    }
    let (disabled, must_change): (bool, bool) = sqlx::query_as(
        "select m.disabled_at is not null, u.must_change_password
           from memberships m join users u on u.id = m.user_id where u.id = $1",
    )
    .bind(rm.0)
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert_eq!((disabled, must_change), (false, false), "nothing changed");
    // Visiting an action's address (a reload, the language switch) shows the person again.
    let r = c
        .get(&format!("/admin/users/{}/reset-password", rm.0))
        .await;
    assert_eq!(r.location(), format!("/admin/users/{}", rm.0));
    assert_eq!(
        c.get("/admin/invitations").await.location(),
        "/admin/users#invitations"
    );
    assert_eq!(
        c.get("/account/second-factor/confirm").await.location(),
        "/account/second-factor"
    );
}
