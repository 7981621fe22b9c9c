//! Every page, as its people open it on a 360 × 740 phone in headless Chromium: nothing wider than the
//! screen, and no WCAG 2.2 AA violation found by axe-core (docs/accessibility.md), on the phone and on a
//! desktop. Each page leaves a screenshot in test-artifacts/pages-*.png for a person to look at.

use uuid::Uuid;

use crate::fixtures::{add_person, create, log_meeting, team};
use crate::helpers::PASSWORD;
use crate::webdriver::Browser;

/// Opens each path, signed in as `email` (or signed out), on a phone and on a desktop, and checks
/// width and accessibility; all findings are reported together so one run shows every page that needs
/// work.
async fn check_pages(base: &str, email: Option<&str>, paths: &[(&str, String)]) {
    let mut problems = Vec::new();
    for (width, height, size) in [(360, 740, "phone"), (1280, 900, "desktop")] {
        let b = Browser::start(width, height).await;
        if let Some(email) = email {
            b.goto(&format!("{base}/login")).await;
            b.fill("#f-email", email).await;
            b.fill("#f-password", PASSWORD).await;
            b.click("form[action='/login'] button[type=submit]").await;
            b.find("main").await;
        }
        for (name, path) in paths {
            b.goto(&format!("{base}{path}")).await;
            b.find("main").await;
            b.screenshot(&format!("pages-{name}-{size}")).await;
            if !b.fits_width().await {
                problems.push(format!("{path} ({size}): wider than the screen"));
            }
            for v in b.accessibility_violations().await {
                problems.push(format!("{path} ({size}): {v}"));
            }
        }
        b.quit().await;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The first id that follows `prefix` in `body`.
fn id_after(body: &str, prefix: &str) -> Uuid {
    body.match_indices(prefix)
        .find_map(|(at, _)| {
            body.get(at + prefix.len()..at + prefix.len() + 36)?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no id after {prefix} in {body}"))
}

#[tokio::test]
async fn every_page_of_an_rm_fits_a_phone_and_passes_the_accessibility_scan() {
    let tm = team().await;
    let (_, e) = create(
        &tm.rm1,
        "PT Sinar Pelita Logistik Nusantara Tbk",
        &[("phone", "021-520-1234"), ("npp", "12345678")],
    )
    .await;
    let e = e.unwrap();
    let person = add_person(&tm.rm1, e, "Sari Dewi Kusumawardhani", "bod_minus_one").await;
    let saved = tm
        .rm1
        .post(
            &format!("/key-persons/{person}"),
            &[
                ("full_name", "Sari Dewi Kusumawardhani"),
                ("position_title", "Direktur Sumber Daya Manusia"),
                ("level", "bod_minus_one"),
                ("influence", "5"),
                ("legal_basis", "legitimate_interest"),
                ("phone", "0812-3456-7890"),
                ("email", "sari.dewi@sinarpelita.example"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let rm1: Uuid = sqlx::query_scalar("select id from users where email = 'rm1@x.example'")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    let held = log_meeting(
        &tm.rm1,
        e,
        &[
            ("attendees", &person.to_string()),
            ("follow_up_assignee", &rm1.to_string()),
            ("follow_up_title", "Kirim simulasi iuran JKP"),
            ("follow_up_due_on", "2026-11-18"),
        ],
    )
    .await;
    let planned = log_meeting(
        &tm.rm1,
        e,
        &[
            ("status", "planned"),
            ("starts_at", "2026-11-20T10:00"),
            ("summary", ""),
        ],
    )
    .await;
    let follow_up = id_after(
        &tm.rm1.get(&format!("/employers/{e}")).await.body,
        "/follow-ups/",
    );
    let paths = [
        ("my-month", "/my-month".to_owned()),
        ("my-month-october", "/my-month?month=2026-10".to_owned()),
        ("employers", "/employers".to_owned()),
        (
            "employers-whole-unit",
            "/employers?rm=&sort=last_met".to_owned(),
        ),
        ("employer", format!("/employers/{e}")),
        ("employer-new", "/employers/new".to_owned()),
        ("employer-edit", format!("/employers/{e}/edit")),
        ("brief", format!("/employers/{e}/brief")),
        ("meeting-pick", "/meetings/new".to_owned()),
        ("meeting-new", format!("/meetings/new?employer={e}")),
        (
            "meeting-plan",
            format!("/meetings/new?employer={e}&status=planned"),
        ),
        ("meeting", format!("/meetings/{held}")),
        ("meeting-edit", format!("/meetings/{held}/edit")),
        ("meeting-complete", format!("/meetings/{planned}/complete")),
        ("follow-ups", "/follow-ups".to_owned()),
        ("follow-up-new", format!("/employers/{e}/follow-ups/new")),
        ("follow-up-edit", format!("/follow-ups/{follow_up}/edit")),
        ("key-person", format!("/key-persons/{person}")),
        ("key-person-new", format!("/employers/{e}/key-persons/new")),
        ("key-person-edit", format!("/key-persons/{person}/edit")),
        ("key-person-left", format!("/key-persons/{person}/left")),
        ("link-new", format!("/employers/{e}/links/new")),
        ("search", "/search?q=sinar".to_owned()),
        ("calendar", "/calendar".to_owned()),
        ("password", "/account/password".to_owned()),
        ("second-factor", "/account/second-factor".to_owned()),
        ("not-found", format!("/employers/{}", Uuid::new_v4())),
    ];
    check_pages(&tm.app.base, Some("rm1@x.example"), &paths).await;
}

#[tokio::test]
async fn every_page_of_a_supervisor_and_an_admin_fits_a_phone_and_passes_the_accessibility_scan() {
    let tm = team().await;
    let (_, e) = create(&tm.rm1, "PT Karya Mandiri Sejahtera", &[]).await;
    let e = e.unwrap();
    let person = add_person(&tm.rm1, e, "Budi Hartono", "bod").await;
    log_meeting(&tm.rm1, e, &[("attendees", &person.to_string())]).await;
    tm.admin
        .post(
            "/admin/branches",
            &[("code", "KC-SDM"), ("name", "Sudirman"), ("version", "0")],
        )
        .await;
    let branch: Uuid = sqlx::query_scalar("select id from branch_offices")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    let invited = tm
        .admin
        .post(
            "/admin/invitations",
            &[("email", "baru@x.example"), ("role", "rm")],
        )
        .await;
    let at = invited
        .body
        .find("/invitations/")
        .expect("the link is shown");
    let invitation = invited.body[at..at + "/invitations/".len() + 64].to_owned();
    for (period, paid, paid_on) in [
        ("2026-08", "40.000.000", "2026-09-22"),
        ("2026-09", "10.000.000", "2026-10-12"),
        ("2026-10", "", ""),
    ] {
        let r = tm
            .sup
            .post(
                &format!("/employers/{e}/contributions"),
                &[
                    ("period", period),
                    ("workers_reported", "1.250"),
                    ("wages_reported", "6.250.000.000"),
                    ("amount_due", "40.000.000"),
                    ("amount_paid", paid),
                    ("paid_on", paid_on),
                    ("version", "0"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    tm.admin
        .post(
            "/admin/holidays",
            &[("day", "2026-12-25"), ("name", "Hari Raya Natal")],
        )
        .await;
    let supervisor = [
        ("dashboard", "/dashboard".to_owned()),
        ("employer-contributions", format!("/employers/{e}")),
        (
            "contribution-new",
            format!("/employers/{e}/contributions/2026-07"),
        ),
        (
            "contribution-correct",
            format!("/employers/{e}/contributions/2026-09"),
        ),
        (
            "employers-in-arrears",
            "/employers?rm=&arrears=1&sort=arrears".to_owned(),
        ),
        ("rm-month", format!("/my-month?rm={}", tm.rm2_id)),
        (
            "employers-supervisor",
            "/employers?status=active".to_owned(),
        ),
        ("audit", "/admin/audit".to_owned()),
    ];
    check_pages(&tm.app.base, Some("sup@x.example"), &supervisor).await;
    let rm1 = sqlx::query_scalar::<_, Uuid>("select id from users where email = 'rm1@x.example'")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    let admin = [
        ("admin", "/admin".to_owned()),
        ("users", "/admin/users".to_owned()),
        ("user", format!("/admin/users/{rm1}")),
        ("invite", "/admin/invitations/new".to_owned()),
        ("branches", "/admin/branches".to_owned()),
        ("branch-new", "/admin/branches/new".to_owned()),
        ("branch", format!("/admin/branches/{branch}")),
        ("settings", "/admin/settings".to_owned()),
        ("holidays", "/admin/holidays?year=2026".to_owned()),
    ];
    check_pages(&tm.app.base, Some("admin@x.example"), &admin).await;

    // Pages before signing in.
    let signed_out = [("login", "/login".to_owned()), ("invitation", invitation)];
    check_pages(&tm.app.base, None, &signed_out).await;
}
