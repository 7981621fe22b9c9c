//! Bad input at the edge: redirect targets, control characters, oversized values, forged request ids,
//! foreign ids in a bulk action. Every answer is a clear refusal or the default page — never a 500,
//! never a write done twice or half.

use relasi::tenancy::domain::Role;
use uuid::Uuid;

use crate::fixtures::{create, employer_with_person, msg, post_meeting, team};
use crate::helpers::{PASSWORD, spawn_app};

/// Redirect targets a browser could read as another site, or that could split a header.
const HOSTILE_TARGETS: [&str; 11] = [
    "/%09/evil.example",
    "/\t/evil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "/\r\nSet-Cookie: x=1",
    "/%00",
    "/\0",
    "/\\evil.example",
    "//evil.example",
    "/%2F/evil.example",
    "https:evil.example",
    "https://evil.example/",
];

#[tokio::test]
async fn hostile_redirect_targets_land_on_the_default_page_and_save_once() {
    let tm = team().await;
    let (e, person) = employer_with_person(&tm.rm1, "PT Tujuan Aman", "bod").await;
    let person = person.to_string();
    let moved = create(&tm.rm1, "PT Dipindah", &[]).await.1.unwrap();
    let rm1: Uuid = sqlx::query_scalar("select id from users where email = 'rm1@x.example'")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    let follow_up: Uuid = {
        let r = tm
            .rm1
            .post(
                &format!("/employers/{e}/follow-ups"),
                &[
                    ("title", "Kirim data"),
                    ("assignee", &rm1.to_string()),
                    ("due_on", "2026-11-20"),
                    ("version", "0"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        sqlx::query_scalar("select id from follow_ups")
            .fetch_one(&tm.app.admin)
            .await
            .unwrap()
    };
    for (i, target) in HOSTILE_TARGETS.iter().enumerate() {
        // Signing in.
        let c = tm.app.client();
        let r = c
            .post(
                "/login",
                &[
                    ("email", "rm1@x.example"),
                    ("password", PASSWORD),
                    ("next", target),
                ],
            )
            .await;
        assert_eq!((r.status, r.location()), (303, "/my-month"), "{target:?}");
        // The language switch.
        let r = c
            .post("/language", &[("lang", "en"), ("next", target)])
            .await;
        assert_eq!((r.status, r.location()), (303, "/"), "{target:?}");
        // Logging a meeting: saved once, then its own page.
        let starts = format!("2026-11-15T{:02}:00", 8 + i);
        let r = post_meeting(
            &tm.rm1,
            "/meetings",
            e,
            &[
                ("attendees", &person),
                ("starts_at", &starts),
                ("back", target),
            ],
        )
        .await;
        assert_eq!(r.status, 303, "{target:?}: {}", r.body);
        assert!(r.location().starts_with("/meetings/"), "{target:?}");
        let meetings: i64 = sqlx::query_scalar("select count(*) from meetings")
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
        assert_eq!(meetings, i as i64 + 1, "one meeting per request");
        // Marking a follow-up done, then open again.
        let version: i32 = sqlx::query_scalar("select version from follow_ups where id = $1")
            .bind(follow_up)
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
        let action = if i % 2 == 0 { "done" } else { "reopen" };
        let r = tm
            .rm1
            .post(
                &format!("/follow-ups/{follow_up}/{action}"),
                &[("version", &version.to_string()), ("back", target)],
            )
            .await;
        assert_eq!(
            (r.status, r.location()),
            (303, format!("/employers/{e}#follow-ups").as_str()),
            "{target:?}"
        );
        // Reassigning.
        let r = tm
            .sup
            .post(
                "/employers/reassign",
                &[
                    ("ids", &moved.to_string()),
                    ("rm_id", &tm.rm2_id.to_string()),
                    ("back", target),
                ],
            )
            .await;
        assert_eq!((r.status, r.location()), (303, "/employers"), "{target:?}");
    }
}

#[tokio::test]
async fn oversized_and_control_character_input_is_refused_before_the_database() {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "admin@x.example", "Admin", Role::Admin).await;
    let c = app.client();
    let long = format!("{}@x.example", "a".repeat(6000));
    let r = c.sign_in(&long, "whatever-password").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&msg("auth.invalid_input")));
    let r = c.sign_in("admin@x.example\u{0}", PASSWORD).await;
    assert_eq!(r.status, 422);
    let r = c.sign_in("admin@x.example", &"p".repeat(5000)).await;
    assert_eq!(r.status, 422);
    let rows: i64 = sqlx::query_scalar("select count(*) from login_failures")
        .fetch_one(&app.admin)
        .await
        .unwrap();
    assert_eq!(rows, 0, "nothing reached the throttle tables");
}

#[tokio::test]
async fn text_fields_refuse_control_characters_and_store_lf_line_ends() {
    let tm = team().await;
    // One line: a control character is refused beside the field, and nothing is saved.
    for bad in ["PT \u{1}Siluman", "PT Baris\nDua", "PT \u{202E}kilab"] {
        let (r, id) = create(&tm.rm1, bad, &[]).await;
        assert_eq!(r.status, 422, "{bad:?}");
        assert!(id.is_none());
        assert!(r.body.contains(&msg("error.invalid_characters")), "{bad:?}");
    }
    // Several lines: CR LF and a lone CR are stored as LF; other control characters refused.
    let (r, id) = create(
        &tm.rm1,
        "PT Catatan Rapi",
        &[("approach_notes", "Baris satu\r\nBaris dua\rBaris tiga")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let notes: String = sqlx::query_scalar("select approach_notes from employers where id = $1")
        .bind(id.unwrap())
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(notes, "Baris satu\nBaris dua\nBaris tiga");
    let (r, _) = create(
        &tm.rm1,
        "PT Catatan Kotor",
        &[("approach_notes", "Escape \u{1b}[31m merah")],
    )
    .await;
    assert_eq!(r.status, 422);
    let employers: i64 = sqlx::query_scalar("select count(*) from employers")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(employers, 1);
    // Branch offices and settings follow the same rules.
    let r = tm
        .admin
        .post(
            "/admin/branches",
            &[("code", "KC-X"), ("name", "Cabang\u{7}"), ("version", "0")],
        )
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn request_ids_are_made_here_and_a_callers_is_kept_apart_only_when_well_formed() {
    let (app, t, c) = crate::helpers::signed_in_admin().await;
    let forged = format!("forged-{}", "x".repeat(8000));
    let r = c
        .post_with(
            "/admin/branches",
            &[("code", "KC-A"), ("name", "A"), ("version", "0")],
            &[("origin", &app.base), ("x-request-id", &forged)],
        )
        .await;
    assert_eq!(r.status, 303);
    let ours = Uuid::parse_str(r.header("x-request-id")).expect("a UUID of ours");
    let caller = Uuid::new_v4();
    let r = c
        .post_with(
            "/admin/branches",
            &[("code", "KC-B"), ("name", "B"), ("version", "0")],
            &[("origin", &app.base), ("x-request-id", &caller.to_string())],
        )
        .await;
    assert_eq!(r.status, 303);
    let second = Uuid::parse_str(r.header("x-request-id")).unwrap();
    assert_ne!(second, caller, "the caller's id is not taken for ours");
    let rows: Vec<(Option<Uuid>, Option<Uuid>)> = sqlx::query_as(
        "select request_id, caller_request_id from audit_events
          where tenant_id = $1 and action = 'branch.created' order by occurred_at, changes->'code'->>'new'",
    )
    .bind(t.0)
    .fetch_all(&app.admin)
    .await
    .unwrap();
    assert_eq!(rows, vec![(Some(ours), None), (Some(second), Some(caller))]);
    // A caller's id that only claims to be one header is refused as the caller's id as well.
    let r = c
        .get_with(
            "/admin",
            &[("x-caller-request-id", &Uuid::new_v4().to_string())],
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn reassigning_another_tenants_employers_reports_nothing_moved() {
    let tm = team().await;
    let (_, mine) = create(&tm.rm1, "PT Milik Sendiri", &[]).await;
    let mine = mine.unwrap();
    // Another tenant with an employer of its own.
    let other = tm.app.tenant("lain", "Unit Lain").await;
    tm.app
        .user(other, "rm@lain.example", "RM Lain", Role::Rm)
        .await;
    let theirs = {
        let c = tm.app.signed_in("rm@lain.example").await;
        create(&c, "PT Orang Lain", &[]).await.1.unwrap()
    };
    let r = tm
        .sup
        .post(
            "/employers/reassign",
            &[
                ("ids", &theirs.to_string()),
                ("rm_id", &tm.rm2_id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = tm.sup.get(r.location()).await;
    assert!(
        page.body.contains(&msg("employer.reassign_missing")),
        "{}",
        page.body
    );
    // Mixed with one of ours: all or nothing.
    let r = tm
        .sup
        .post(
            "/employers/reassign",
            &[
                ("ids", &mine.to_string()),
                ("ids", &theirs.to_string()),
                ("rm_id", &tm.rm2_id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let moved: i64 = sqlx::query_scalar("select count(*) from employers where rm_id = $1")
        .bind(tm.rm2_id)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(moved, 0);
    let events: i64 = sqlx::query_scalar(
        "select count(*) from audit_events where action = 'employer.reassigned'",
    )
    .fetch_one(&tm.app.admin)
    .await
    .unwrap();
    assert_eq!(events, 0);
}

#[tokio::test]
async fn a_form_body_that_is_not_utf8_is_refused_not_stored_garbled() {
    let (app, _t, c) = crate::helpers::signed_in_admin().await;
    let mut body = b"code=KC-U&version=0&name=Cabang%FF%FEUtara".to_vec();
    body.extend_from_slice(b"&region=");
    let r = c.post_raw("/admin/branches", body).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let branches: i64 = sqlx::query_scalar("select count(*) from branch_offices")
        .fetch_one(&app.admin)
        .await
        .unwrap();
    assert_eq!(branches, 0);
}

#[tokio::test]
async fn the_language_switch_on_a_page_that_answers_a_form_goes_back_to_the_form() {
    let (app, _t, c) = crate::helpers::signed_in_admin().await;
    let r = c
        .post_with(
            "/admin/invitations",
            &[("email", "nobody"), ("role", "rm")],
            &[
                ("origin", &app.base),
                ("referer", &format!("{}/admin/invitations/new", app.base)),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("name=\"next\" value=\"/admin/invitations/new\""),
        "{}",
        r.body
    );
}
