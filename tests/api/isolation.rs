//! Tenant isolation enforced by the database: for every tenant-owned table, raw SQL inside
//! `tenant_tx(A)` can neither see, change nor create tenant B's rows; and B's records requested by URL
//! from A answer 404.

use relasi::db::{self, tenant_tx};
use relasi::tenancy::domain::{Role, TenantId};
use sqlx::Row;

use crate::helpers::{TestApp, spawn_app};

struct Two {
    app: TestApp,
    a: TenantId,
    b: TenantId,
}

/// Two tenants, each with an admin, a branch office and audit events.
async fn two_tenants() -> Two {
    let app = spawn_app().await;
    let a = app.tenant("unit-a", "Unit A").await;
    let b = app.tenant("unit-b", "Unit B").await;
    app.user(a, "admin-a@x.example", "Admin A", Role::Admin)
        .await;
    app.user(b, "admin-b@x.example", "Admin B", Role::Admin)
        .await;
    for (email, code) in [("admin-a@x.example", "KC-A"), ("admin-b@x.example", "KC-B")] {
        let c = app.signed_in(email).await;
        assert_eq!(
            c.post(
                "/admin/branches",
                &[("code", code), ("name", code), ("version", "0")]
            )
            .await
            .status,
            303
        );
    }
    Two { app, a, b }
}

/// How many of tenant B's rows raw SQL sees, changes and may create inside tenant A's transaction.
async fn probe(t: &Two, table: &str, tenant_column: &str, update_set: &str, insert: &str) {
    let count_sql = format!("select count(*) from {table} where {tenant_column} = $1");
    // Seen as superuser: B has rows, so seeing none below means isolation, not emptiness.
    let b_rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone()))
        .bind(t.b.0)
        .fetch_one(&t.app.admin)
        .await
        .unwrap();
    assert!(b_rows > 0, "{table}: tenant B has rows to hide");

    let mut tx = tenant_tx(&t.app.pool, t.a, None).await.unwrap();
    let seen: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone()))
        .bind(t.b.0)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen, 0, "{table}: A sees none of B's rows");
    let all: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {table}")))
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let own: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone()))
        .bind(t.a.0)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(all, own, "{table}: everything A sees is A's");

    if !update_set.is_empty() {
        let sql = format!("update {table} set {update_set} where {tenant_column} = $1");
        let changed = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(t.b.0)
            .execute(&mut *tx)
            .await
            .unwrap()
            .rows_affected();
        assert_eq!(changed, 0, "{table}: A changes none of B's rows");
    }
    tx.rollback().await.unwrap();

    if !insert.is_empty() {
        let mut tx = tenant_tx(&t.app.pool, t.a, None).await.unwrap();
        let err = sqlx::query(sqlx::AssertSqlSafe(insert.to_owned()))
            .bind(t.b.0)
            .execute(&mut *tx)
            .await
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("row-level security") || msg.contains("permission denied"),
            "{table}: {msg}"
        );
    }
}

#[tokio::test]
async fn tenants_are_isolated() {
    let t = two_tenants().await;
    probe(&t, "tenants", "id", "name = 'taken'", "insert into tenants (id, slug, name, created_at, updated_at) values ($1, 'x', 'x', now(), now())").await;
}

#[tokio::test]
async fn memberships_are_isolated() {
    let t = two_tenants().await;
    let user: uuid::Uuid =
        sqlx::query_scalar("select id from users where email = 'admin-a@x.example'")
            .fetch_one(&t.app.admin)
            .await
            .unwrap();
    let insert = format!(
        "insert into memberships (tenant_id, id, user_id, role, created_at, updated_at) values ($1, gen_random_uuid(), '{user}', 'admin', now(), now())"
    );
    probe(&t, "memberships", "tenant_id", "role = 'viewer'", &insert).await;
}

#[tokio::test]
async fn branch_offices_are_isolated() {
    let t = two_tenants().await;
    probe(
        &t,
        "branch_offices",
        "tenant_id",
        "name = 'taken'",
        "insert into branch_offices (tenant_id, id, code, name, created_at, updated_at) values ($1, gen_random_uuid(), 'KC-Z', 'Z', now(), now())",
    )
    .await;
}

#[tokio::test]
async fn invitations_are_isolated() {
    let t = two_tenants().await;
    for (email, invited) in [
        ("admin-a@x.example", "new-a@x.example"),
        ("admin-b@x.example", "new-b@x.example"),
    ] {
        let c = t.app.signed_in(email).await;
        let r = c
            .post("/admin/invitations", &[("email", invited), ("role", "rm")])
            .await;
        assert_eq!(r.status, 200);
    }
    probe(
        &t,
        "invitations",
        "tenant_id",
        "revoked_at = now()",
        "insert into invitations (tenant_id, id, email, role, token_hash, created_at, expires_at)
         values ($1, gen_random_uuid(), 'x@x.example', 'admin', sha256('x'), now(), now() + interval '1 day')",
    )
    .await;
}

#[tokio::test]
async fn recovery_codes_are_their_accounts_alone() {
    let t = two_tenants().await;
    for email in ["admin-a@x.example", "admin-b@x.example"] {
        t.app.enrol_second_factor(email).await;
        sqlx::query(
            "insert into recovery_codes (user_id, code_hash, created_at)
             select id, sha256(email::bytea), now() from users where email = $1",
        )
        .bind(email)
        .execute(&t.app.admin)
        .await
        .unwrap();
    }
    let b_user: uuid::Uuid =
        sqlx::query_scalar("select id from users where email = 'admin-b@x.example'")
            .fetch_one(&t.app.admin)
            .await
            .unwrap();
    // Inside tenant A, nobody's codes are visible (not even A's own people's) unless one acts as
    // the account itself; B's person's codes cannot be changed, removed or added to.
    let mut tx = tenant_tx(&t.app.pool, t.a, None).await.unwrap();
    let seen: i64 = sqlx::query_scalar("select count(*) from recovery_codes")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen, 0);
    let removed = sqlx::query("delete from recovery_codes where user_id = $1")
        .bind(b_user)
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(removed, 0);
    let err = sqlx::query(
        "insert into recovery_codes (user_id, code_hash, created_at) values ($1, sha256('y'), now())",
    )
    .bind(b_user)
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    tx.rollback().await.unwrap();
    let left: i64 = sqlx::query_scalar("select count(*) from recovery_codes where user_id = $1")
        .bind(b_user)
        .fetch_one(&t.app.admin)
        .await
        .unwrap();
    assert_eq!(left, 1);
}

#[tokio::test]
async fn audit_events_are_isolated_and_append_only() {
    let t = two_tenants().await;
    probe(
        &t,
        "audit_events",
        "tenant_id",
        "",
        "insert into audit_events (tenant_id, id, occurred_at, action, entity_type) values ($1, gen_random_uuid(), now(), 'x.y', 'x')",
    )
    .await;
    // Not even its own tenant's events may be changed or removed by the runtime role.
    let mut tx = tenant_tx(&t.app.pool, t.a, None).await.unwrap();
    let err = sqlx::query("update audit_events set action = 'x.y'")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
    tx.rollback().await.unwrap();
    let mut tx = tenant_tx(&t.app.pool, t.a, None).await.unwrap();
    let err = sqlx::query("delete from audit_events")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
}

#[tokio::test]
async fn users_of_another_tenant_are_invisible() {
    let t = two_tenants().await;
    let mut tx = tenant_tx(&t.app.pool, t.a, None).await.unwrap();
    let emails: Vec<String> = sqlx::query_scalar("select email from users")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(emails, vec!["admin-a@x.example".to_owned()]);
    let changed =
        sqlx::query("update users set password_hash = 'x' where email = 'admin-b@x.example'")
            .execute(&mut *tx)
            .await
            .unwrap()
            .rows_affected();
    assert_eq!(changed, 0);
    tx.rollback().await.unwrap();
    // What no tenant may write of any account, its own people's included: the identity and the
    // membership count.
    for set in [
        "email = 'taken@x.example'",
        "membership_count = 1",
        "name = 'taken'",
    ] {
        let mut tx = tenant_tx(&t.app.pool, t.a, None).await.unwrap();
        let err = sqlx::query(sqlx::AssertSqlSafe(format!(
            "update users set {set} where email = 'admin-a@x.example'"
        )))
        .execute(&mut *tx)
        .await
        .unwrap_err();
        assert!(
            err.to_string().contains("permission denied"),
            "{set}: {err}"
        );
    }
}

#[tokio::test]
async fn without_a_tenant_nothing_is_visible() {
    let t = two_tenants().await;
    // A plain transaction, and one whose setting is the empty string (as PostgreSQL leaves it after a
    // transaction-local set_config): both fail closed.
    let mut conn = t.app.pool.acquire().await.unwrap();
    for table in [
        "tenants",
        "memberships",
        "branch_offices",
        "audit_events",
        "users",
    ] {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {table}")))
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert_eq!(n, 0, "{table} without a tenant");
    }
    let mut tx = t.app.pool.begin().await.unwrap();
    db::set_local(&mut tx, "app.tenant_id", "").await.unwrap();
    let n: i64 = sqlx::query_scalar("select count(*) from branch_offices")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn the_tenant_setting_does_not_outlive_its_transaction() {
    let t = two_tenants().await;
    let mut conn = t.app.pool.acquire().await.unwrap();
    let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
    db::set_local(&mut tx, "app.tenant_id", &t.a.to_string())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let row = sqlx::query("select count(*) as n from branch_offices")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(
        row.get::<i64, _>("n"),
        0,
        "the same pooled connection sees nothing afterwards"
    );
}

#[tokio::test]
async fn records_of_another_tenant_by_url_are_not_found() {
    let t = two_tenants().await;
    let a = t.app.signed_in("admin-a@x.example").await;
    let b_branch: uuid::Uuid =
        sqlx::query_scalar("select id from branch_offices where code = 'KC-B'")
            .fetch_one(&t.app.admin)
            .await
            .unwrap();
    let b_user: uuid::Uuid =
        sqlx::query_scalar("select id from users where email = 'admin-b@x.example'")
            .fetch_one(&t.app.admin)
            .await
            .unwrap();
    assert_eq!(
        a.get(&format!("/admin/branches/{b_branch}")).await.status,
        404
    );
    assert_eq!(a.get(&format!("/admin/users/{b_user}")).await.status, 404);
    let r = a
        .post(
            &format!("/admin/branches/{b_branch}"),
            &[("code", "KC-B"), ("name", "taken"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        a.post(
            &format!("/admin/branches/{b_branch}/archive"),
            &[("version", "1")]
        )
        .await
        .status,
        404
    );
    assert_eq!(
        a.post(
            &format!("/admin/users/{b_user}/disable"),
            &[("version", "1"), ("confirm", "yes")]
        )
        .await
        .status,
        404
    );
    assert_eq!(
        a.post(
            &format!("/admin/users/{b_user}/reset-password"),
            &[("confirm", "yes")]
        )
        .await
        .status,
        404
    );
    let list = a.get("/admin/branches").await.body;
    assert!(list.contains("KC-A") && !list.contains("KC-B"));
    let audit = a.get("/admin/audit").await.body;
    assert!(!audit.contains("admin-b@x.example") && !audit.contains("Admin B"));
    let name: String = sqlx::query_scalar("select name from branch_offices where id = $1")
        .bind(b_branch)
        .fetch_one(&t.app.admin)
        .await
        .unwrap();
    assert_eq!(name, "KC-B");
}

/// Tenant B gets an employer with a key person, a tag and a link (hence name tokens of both kinds).
async fn two_tenants_with_portfolios() -> (Two, uuid::Uuid, uuid::Uuid) {
    let t = two_tenants().await;
    let b = t.app.signed_in("admin-b@x.example").await;
    let mut ids = Vec::new();
    for name in ["PT Rahasia Bravo", "PT Mitra Bravo"] {
        let r = b
            .post(
                "/employers",
                &[
                    ("name", name),
                    ("segment", "corporate"),
                    ("ownership", "private_domestic"),
                    ("status", "active"),
                    ("stage", "approach"),
                    ("tags", "bravo"),
                    ("version", "0"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        ids.push(
            r.location()
                .trim_start_matches("/employers/")
                .parse::<uuid::Uuid>()
                .unwrap(),
        );
    }
    let r = b
        .post(
            &format!("/employers/{}/key-persons", ids[0]),
            &[
                ("full_name", "Bravo Rahasia"),
                ("level", "bod"),
                ("influence", "5"),
                ("legal_basis", "public_task"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = b
        .post(
            &format!("/employers/{}/links", ids[0]),
            &[
                ("side", "parent"),
                ("other_id", &ids[1].to_string()),
                ("relation", "vendor"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    (t, ids[0], ids[1])
}

#[tokio::test]
async fn employer_tables_are_isolated() {
    let (t, employer, _) = two_tenants_with_portfolios().await;
    let e = format!("'{employer}'");
    probe(&t, "employers", "tenant_id", "name = 'taken'", "insert into employers (tenant_id, id, name, segment, ownership, stage_entered_on, created_at, updated_at) values ($1, gen_random_uuid(), 'x', 'corporate', 'foreign', now(), now(), now())").await;
    probe(
        &t,
        "employer_tags",
        "tenant_id",
        "",
        &format!("insert into employer_tags (tenant_id, employer_id, tag) values ($1, {e}, 'x')"),
    )
    .await;
    probe(
        &t,
        "employer_name_tokens",
        "tenant_id",
        "",
        &format!(
            "insert into employer_name_tokens (tenant_id, token, employer_id, name) values ($1, 'x', {e}, 'x')"
        ),
    )
    .await;
    probe(
        &t,
        "employer_search_keys",
        "tenant_id",
        "",
        &format!(
            "insert into employer_search_keys (tenant_id, key, employer_id, name) values ($1, 'x', {e}, 'x')"
        ),
    )
    .await;
    probe(&t, "key_persons", "tenant_id", "full_name = 'taken'", &format!("insert into key_persons (tenant_id, id, employer_id, full_name, level, created_at, updated_at) values ($1, gen_random_uuid(), {e}, 'x', 'bod', now(), now())")).await;
    probe(&t, "key_person_name_tokens", "tenant_id", "", "insert into key_person_name_tokens (tenant_id, token, key_person_id, full_name) values ($1, 'x', gen_random_uuid(), 'x')").await;
    probe(&t, "supply_chain_links", "tenant_id", "notes = 'taken'", &format!("insert into supply_chain_links (tenant_id, id, parent_id, member_id, relation, created_at, updated_at) values ($1, gen_random_uuid(), {e}, {e}, 'vendor', now(), now())")).await;
}

#[tokio::test]
async fn another_tenants_employer_key_person_and_link_answer_404_and_never_appear_in_search() {
    let (t, employer, _) = two_tenants_with_portfolios().await;
    let a = t.app.signed_in("admin-a@x.example").await;
    let person: uuid::Uuid = sqlx::query_scalar("select id from key_persons")
        .fetch_one(&t.app.admin)
        .await
        .unwrap();
    let link: uuid::Uuid = sqlx::query_scalar("select id from supply_chain_links")
        .fetch_one(&t.app.admin)
        .await
        .unwrap();
    for path in [
        format!("/employers/{employer}"),
        format!("/employers/{employer}/edit"),
        format!("/employers/{employer}/key-persons/new"),
        format!("/employers/{employer}/links/new"),
        format!("/key-persons/{person}"),
        format!("/key-persons/{person}/edit"),
        format!("/key-persons/{person}/export.json"),
    ] {
        assert_eq!(a.get(&path).await.status, 404, "{path}");
    }
    assert_eq!(
        a.post(
            &format!("/employers/{employer}/archive"),
            &[("version", "1")]
        )
        .await
        .status,
        404
    );
    assert_eq!(
        a.post(
            &format!("/key-persons/{person}/erase"),
            &[("confirm", "yes"), ("version", "1")]
        )
        .await
        .status,
        404
    );
    assert_eq!(
        a.post(&format!("/links/{link}/remove"), &[("version", "1")])
            .await
            .status,
        404
    );
    // Reassigning B's employer from A changes nothing.
    a.post(
        "/employers/reassign",
        &[
            ("ids", &employer.to_string()),
            ("branch_id", &uuid::Uuid::new_v4().to_string()),
        ],
    )
    .await;
    for q in ["bravo", "rahasia", "PT"] {
        let list = a.get(&format!("/employers?q={q}")).await.body;
        let search = a.get(&format!("/search?q={q}")).await.body;
        assert!(!list.contains("Bravo") && !search.contains("Bravo"), "{q}");
    }
    let names: Vec<String> = sqlx::query_scalar("select name from employers order by name")
        .fetch_all(&t.app.admin)
        .await
        .unwrap();
    assert_eq!(
        names,
        ["PT Mitra Bravo", "PT Rahasia Bravo"],
        "nothing changed"
    );
}

#[tokio::test]
async fn another_tenants_initials_short_names_and_npp_digits_are_never_found() {
    let t = two_tenants().await;
    let b = t.app.signed_in("admin-b@x.example").await;
    let r = b
        .post(
            "/employers",
            &[
                ("name", "Badan Rahasia Bravo Nusantara"),
                ("short_name", "Zulu Bravo"),
                ("npp", "77770051"),
                ("segment", "institution"),
                ("institution_type", "agency"),
                ("ownership", "government"),
                ("status", "active"),
                ("stage", "approach"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // B finds it every way, so the searches below are ones that would find it.
    let qs = [
        "brbn",
        "zulu",
        "zulubravo",
        "0051",
        "7770",
        "zulx",
        "nusantar",
    ];
    for q in qs {
        let list = b.get(&format!("/employers?q={q}")).await.body;
        let search = b.get(&format!("/search?q={q}")).await.body;
        assert!(
            list.contains("Rahasia Bravo") && search.contains("Rahasia Bravo"),
            "B: {q}"
        );
    }
    // A has an employer of its own, one letter away from B's short name word, which must stay unmatched.
    let a = t.app.signed_in("admin-a@x.example").await;
    let r = a
        .post(
            "/employers",
            &[
                ("name", "PT Alfa Zulo"),
                ("npp", "11112222"),
                ("segment", "corporate"),
                ("ownership", "private_domestic"),
                ("status", "active"),
                ("stage", "approach"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    for q in qs {
        let list = a.get(&format!("/employers?q={q}")).await.body;
        let search = a.get(&format!("/search?q={q}")).await.body;
        assert!(
            !list.contains("Rahasia Bravo") && !search.contains("Rahasia Bravo"),
            "A: {q}"
        );
        assert!(!search.contains("Zulu") && !list.contains("Zulu"), "A: {q}");
    }
    // A's own typo is corrected to A's word, never to B's.
    let search = a.get("/search?q=zulx").await.body;
    assert!(search.contains("PT Alfa Zulo"), "{search}");
}

/// Tenant B's meeting (with its BOD attendee, its agency attendee and a follow-up) and B's admin's
/// calendar feed.
async fn tenant_b_meeting(t: &Two, employer: uuid::Uuid) -> (uuid::Uuid, uuid::Uuid) {
    let b = t.app.signed_in("admin-b@x.example").await;
    let person: uuid::Uuid =
        sqlx::query_scalar("select id from key_persons where employer_id = $1")
            .bind(employer)
            .fetch_one(&t.app.admin)
            .await
            .unwrap();
    let admin_b: uuid::Uuid =
        sqlx::query_scalar("select id from users where email = 'admin-b@x.example'")
            .fetch_one(&t.app.admin)
            .await
            .unwrap();
    let r = b
        .post(
            "/meetings",
            &[
                ("employer_id", &employer.to_string()),
                ("status", "held"),
                ("starts_at", "2026-11-16T08:00"),
                ("duration", "60"),
                ("kind", "coordination"),
                ("channel", "in_person"),
                ("summary", "Rapat rahasia Bravo"),
                ("attendees", &person.to_string()),
                ("staff", &admin_b.to_string()),
                ("follow_up_title", "Janji rahasia Bravo"),
                ("follow_up_assignee", &admin_b.to_string()),
                ("follow_up_due_on", "2026-11-20"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(b.post("/calendar/regenerate", &[]).await.status, 200);
    let meeting = r
        .location()
        .trim_start_matches("/meetings/")
        .parse()
        .unwrap();
    let follow_up = sqlx::query_scalar("select id from follow_ups")
        .fetch_one(&t.app.admin)
        .await
        .unwrap();
    (meeting, follow_up)
}

#[tokio::test]
async fn meeting_tables_are_isolated() {
    let (t, employer, _) = two_tenants_with_portfolios().await;
    let (meeting, _) = tenant_b_meeting(&t, employer).await;
    let e = format!("'{employer}'");
    let m = format!("'{meeting}'");
    probe(&t, "meetings", "tenant_id", "summary = 'taken'", &format!("insert into meetings (tenant_id, id, employer_id, status, starts_at, duration_minutes, kind, channel, summary, logged_by, created_at, updated_at) values ($1, gen_random_uuid(), {e}, 'held', now(), 60, 'coordination', 'online', 'x', gen_random_uuid(), now(), now())")).await;
    probe(&t, "meeting_attendees", "tenant_id", "", &format!("insert into meeting_attendees (tenant_id, meeting_id, employer_id, key_person_id, level) values ($1, {m}, {e}, gen_random_uuid(), 'bod')")).await;
    probe(&t, "meeting_staff", "tenant_id", "", &format!("insert into meeting_staff (tenant_id, meeting_id, user_id) values ($1, {m}, gen_random_uuid())")).await;
    probe(&t, "follow_ups", "tenant_id", "title = 'taken'", &format!("insert into follow_ups (tenant_id, id, employer_id, title, assignee_id, due_on, created_by, created_at, updated_at) values ($1, gen_random_uuid(), {e}, 'x', gen_random_uuid(), now(), gen_random_uuid(), now(), now())")).await;
    probe(&t, "calendar_feeds", "tenant_id", "created_at = now()", "insert into calendar_feeds (tenant_id, user_id, secret_hash, created_at) values ($1, gen_random_uuid(), '\\x00', now())").await;
}

#[tokio::test]
async fn another_tenants_meetings_and_follow_ups_answer_404() {
    let (t, employer, _) = two_tenants_with_portfolios().await;
    let (meeting, follow_up) = tenant_b_meeting(&t, employer).await;
    let a = t.app.signed_in("admin-a@x.example").await;
    for path in [
        format!("/meetings/{meeting}"),
        format!("/meetings/{meeting}/edit"),
        format!("/meetings/{meeting}/complete"),
        format!("/meetings/new?employer={employer}"),
        format!("/employers/{employer}/brief"),
        format!("/employers/{employer}/follow-ups/new"),
        format!("/follow-ups/{follow_up}/edit"),
    ] {
        assert_eq!(a.get(&path).await.status, 404, "{path}");
    }
    for path in [
        format!("/meetings/{meeting}/archive"),
        format!("/meetings/{meeting}/cancel"),
        format!("/follow-ups/{follow_up}/done"),
    ] {
        assert_eq!(
            a.post(&path, &[("version", "1")]).await.status,
            404,
            "{path}"
        );
    }
    for page in [
        "/follow-ups?scope=team&when=open",
        "/my-month",
        "/meetings/new?q=bravo",
    ] {
        assert!(!a.get(page).await.body.contains("rahasia Bravo"), "{page}");
    }
    // B's feed link does not open under A's tenant id.
    let feeds: i64 = sqlx::query_scalar("select count(*) from calendar_feeds where tenant_id = $1")
        .bind(t.a.0)
        .fetch_one(&t.app.admin)
        .await
        .unwrap();
    assert_eq!(feeds, 0);
}

#[tokio::test]
async fn contribution_and_holiday_tables_are_isolated() {
    let (t, employer, _) = two_tenants_with_portfolios().await;
    let b = t.app.signed_in("admin-b@x.example").await;
    let r = b
        .post(
            &format!("/employers/{employer}/contributions"),
            &[
                ("period", "2026-09"),
                ("workers_reported", "10"),
                ("wages_reported", "50000000"),
                ("amount_due", "5000000"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = b
        .post(
            "/admin/holidays",
            &[("day", "2026-12-25"), ("name", "Natal")],
        )
        .await;
    assert_eq!(r.status, 303);
    // B's daily refresh mark.
    let mut tx = tenant_tx(&t.app.pool, t.b, None).await.unwrap();
    relasi::contributions::service::refresh_if_due(
        &mut tx,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 16).unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let e = format!("'{employer}'");
    probe(&t, "contribution_periods", "tenant_id", "amount_paid = 0", &format!("insert into contribution_periods (tenant_id, employer_id, period, workers_reported, wages_reported, amount_due, due_on, created_at, updated_at) values ($1, {e}, '2026-08-01', 1, 1, 1, '2026-09-15', now(), now())")).await;
    probe(&t, "holidays", "tenant_id", "", "insert into holidays (tenant_id, day, name, created_at) values ($1, '2026-12-26', 'x', now())").await;
    probe(
        &t,
        "arrears_refreshes",
        "tenant_id",
        "as_of = '2000-01-01'",
        "insert into arrears_refreshes (tenant_id, as_of) values ($1, '2026-01-01')",
    )
    .await;
    // Another tenant's employer's contribution form and post answer 404.
    let a = t.app.signed_in("admin-a@x.example").await;
    assert_eq!(
        a.get(&format!("/employers/{employer}/contributions/2026-09"))
            .await
            .status,
        404
    );
    let r = a
        .post(
            &format!("/employers/{employer}/contributions"),
            &[
                ("period", "2026-10"),
                ("workers_reported", "10"),
                ("wages_reported", "1"),
                ("amount_due", "1"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        a.post("/admin/holidays/2026-12-25/delete", &[])
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn letter_tables_are_isolated_and_another_tenants_letters_answer_404() {
    let (t, employer, _) = two_tenants_with_portfolios().await;
    t.app
        .user(t.b, "sup-b@x.example", "Sup B", Role::Supervisor)
        .await;
    let b = t.app.signed_in("admin-b@x.example").await;
    let sup_b = t.app.signed_in("sup-b@x.example").await;
    let r = b
        .post(
            &format!("/employers/{employer}/letters/new"),
            &[
                ("kind", "warning_1"),
                ("reason", "arrears"),
                ("language", "id"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let letter: uuid::Uuid = r
        .location()
        .trim_start_matches("/letters/")
        .parse()
        .unwrap();
    assert_eq!(
        b.post(&format!("/letters/{letter}/submit"), &[("version", "1")])
            .await
            .status,
        303
    );
    assert_eq!(
        sup_b
            .post(&format!("/letters/{letter}/approve"), &[("version", "2")])
            .await
            .status,
        303
    );
    let mut form = vec![
        ("version", "0"),
        ("number_format", "{seq}/{kind_code}/{year}"),
    ];
    let defaults: Vec<(String, String)> = relasi::letters::domain::Kind::ALL
        .iter()
        .flat_map(|k| {
            let d = k.defaults();
            let name = |f: &str| format!("{f}_{}", k.as_str());
            [
                (name("code"), d.code),
                (name("response_days"), d.response_days.to_string()),
                (name("legal_basis"), d.legal_basis),
                (name("subject_id"), d.subject_id),
                (name("subject_en"), d.subject_en),
                (name("body_id"), d.body_id),
                (name("body_en"), d.body_en),
            ]
        })
        .collect();
    form.extend(defaults.iter().map(|(a, b)| (a.as_str(), b.as_str())));
    assert_eq!(b.post("/admin/letters", &form).await.status, 303);
    let l = format!("'{letter}'");
    let e = format!("'{employer}'");
    probe(&t, "letters", "tenant_id", "state = 'cancelled'", &format!("insert into letters (tenant_id, id, employer_id, kind, reason, state, language, response_days, drafted_by, state_since, created_at, updated_at) values ($1, gen_random_uuid(), {e}, 'notification', 'arrears', 'draft', 'id', 10, gen_random_uuid(), now(), now(), now())")).await;
    probe(&t, "letter_events", "tenant_id", "", &format!("insert into letter_events (tenant_id, letter_id, at, to_state, actor_id) values ($1, {l}, now(), 'draft', gen_random_uuid())")).await;
    probe(&t, "letter_counters", "tenant_id", "last_seq = 99", "insert into letter_counters (tenant_id, kind, year, last_seq) values ($1, 'warning_2', 2026, 1)").await;
    probe(&t, "letter_settings", "tenant_id", "number_format = 'x'", "insert into letter_settings (tenant_id, number_format, updated_at) values ($1, '{seq}/{year}', now())").await;

    let a = t.app.signed_in("admin-a@x.example").await;
    for path in [
        format!("/letters/{letter}"),
        format!("/letters/{letter}/edit"),
        format!("/letters/{letter}/print"),
        format!("/employers/{employer}/letters/new"),
    ] {
        assert_eq!(a.get(&path).await.status, 404, "{path}");
    }
    for step in ["send", "cancel", "approve", "return"] {
        let r = a
            .post(
                &format!("/letters/{letter}/{step}"),
                &[("version", "3"), ("note", "x")],
            )
            .await;
        assert_eq!(r.status, 404, "{step}");
    }
    let r = a
        .post(
            &format!("/employers/{employer}/letters/new"),
            &[
                ("kind", "notification"),
                ("reason", "arrears"),
                ("language", "id"),
            ],
        )
        .await;
    assert_eq!(r.status, 404);
    for page in ["/letters", "/letters?state=approved", "/letters/queue"] {
        let body = a.get(page).await.body;
        assert!(!body.contains("Rahasia Bravo"), "{page}");
    }
    // A's own numbering starts at 1: B's counter is not A's.
    let state: String = sqlx::query_scalar("select state from letters where id = $1")
        .bind(letter)
        .fetch_one(&t.app.admin)
        .await
        .unwrap();
    assert_eq!(state, "approved");
}
