//! The audit log: records named, values in words, unchanged fields left out, the XLSX export of the
//! filtered log, isolation between tenants, and the page on a phone.

use relasi::tenancy::domain::Role;
use relasi::web::i18n::Lang;
use uuid::Uuid;

use crate::fixtures::{Team, add_person, create, esc, log_meeting, msg, team};
use crate::helpers::{Client, PASSWORD};
use crate::webdriver::Browser;

async fn user_id(tm: &Team, email: &str) -> Uuid {
    sqlx::query_scalar("select id from users where email = $1")
        .bind(email)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap()
}

/// An employer of `rm` in the rejected stage, with a key person, a held meeting with them and a
/// follow-up marked done: the events the log names.
struct Story {
    employer: Uuid,
    person: Uuid,
    meeting: Uuid,
}

async fn story(tm: &Team, rm: Uuid) -> Story {
    let rm = rm.to_string();
    let (r, employer) = create(
        &tm.sup,
        "PT Semen Nusantara",
        &[("npp", "12345678"), ("city", "Bandung"), ("rm_id", &rm)],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let employer = employer.unwrap();
    let r = tm
        .sup
        .post(
            &format!("/employers/{employer}"),
            &[
                ("name", "PT Semen Nusantara"),
                ("npp", "12345678"),
                ("city", "Bandung"),
                ("segment", "corporate"),
                ("ownership", "private_domestic"),
                ("status", "active"),
                ("stage", "rejected"),
                ("stage_reason", "Sudah ikut program lain"),
                ("revisit_on", "2027-01-15"),
                ("rm_id", &rm),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let person = add_person(&tm.sup, employer, "Rudi Hartanto", "bod").await;
    let meeting = log_meeting(&tm.sup, employer, &[("attendees", &person.to_string())]).await;
    let r = tm
        .sup
        .post(
            &format!("/employers/{employer}/follow-ups"),
            &[
                ("title", "Kirim simulasi iuran JKP"),
                ("assignee", &rm),
                ("due_on", "2026-11-19"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let follow_up: Uuid = sqlx::query_scalar("select id from follow_ups")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    let r = tm
        .sup
        .post(
            &format!("/follow-ups/{follow_up}/done"),
            &[("version", "1")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    Story {
        employer,
        person,
        meeting,
    }
}

/// A changed field as the log shows it.
fn changed(field: &str, old: &str, new: &str) -> String {
    format!(
        "<strong>{}</strong>: <del>{}</del> → <ins>{}</ins>",
        msg(field),
        esc(old),
        esc(new)
    )
}

/// The cells of the log's rows: time, actor, action, record kind, record, changes, address, request.
fn sheet_rows(bytes: Vec<u8>) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an XLSX file");
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[tokio::test]
async fn the_log_names_records_and_shows_values_in_words() {
    let tm = team().await;
    let rm1 = user_id(&tm, "rm1@x.example").await;
    let s = story(&tm, rm1).await;
    let page = tm.admin.get("/admin/audit").await;
    assert_eq!(page.status, 200);
    let body = page.body;
    // Records by name, each linked to its page.
    for (href, name) in [
        (
            format!("/employers/{}", s.employer),
            "PT Semen Nusantara · NPP 12345678".to_owned(),
        ),
        (
            format!("/key-persons/{}", s.person),
            "Rudi Hartanto · PT Semen Nusantara".to_owned(),
        ),
        (
            format!("/meetings/{}", s.meeting),
            format!(
                "16 Nov 2026 08.00 · {} · PT Semen Nusantara",
                Lang::Id.t("meeting_kind.coordination")
            ),
        ),
        (format!("/admin/users/{rm1}"), "Dewi RM".to_owned()),
    ] {
        assert!(
            body.contains(&format!("<a href=\"{href}\">{}</a>", esc(&name))),
            "{name} is named and linked"
        );
    }
    assert!(body.contains(&format!(
        "/edit\">{}</a>",
        esc("Kirim simulasi iuran JKP · PT Semen Nusantara")
    )));
    // Actions, fields and coded values in words; dates and booleans too.
    assert!(body.contains(&format!(
        "<td class=\"audit-action\">{}</td>",
        msg("audit.action.employer_updated")
    )));
    assert!(
        body.contains(&changed(
            "employer.stage",
            Lang::Id.t("stage.approach"),
            Lang::Id.t("stage.rejected")
        )),
        "the stage by its labels"
    );
    assert!(body.contains(&format!(
        "<strong>{}</strong>: <ins>15 Jan 2027</ins>",
        msg("employer.revisit_on")
    )));
    assert!(body.contains(&changed(
        "follow_up.done",
        Lang::Id.t("common.no"),
        Lang::Id.t("common.yes")
    )));
    assert!(body.contains(&format!(
        "<strong>{}</strong>: <ins>{}</ins>",
        msg("key_person.level"),
        msg("level.bod")
    )));
    for code in [
        ">rejected<",
        ">approach<",
        ">true<",
        ">2027-01-15<",
        ">bod<",
    ] {
        assert!(!body.contains(code), "{code} shown as a code");
    }
    // The same in English.
    let en = tm
        .admin
        .get_with("/admin/audit", &[("accept-language", "en")])
        .await
        .body;
    assert!(
        en.contains("<strong>Engagement stage</strong>: <del>Approach</del> → <ins>Rejected</ins>"),
        "in English"
    );
    assert!(en.contains("<td class=\"audit-action\">Employer changed</td>"));
}

#[tokio::test]
async fn unchanged_fields_and_empty_new_values_are_left_out() {
    let tm = team().await;
    let (_, e) = create(&tm.sup, "PT Tetap Sama", &[("city", "Bandung")]).await;
    let e = e.unwrap();
    // Events that carry a record's full values (as the command line or an older version recorded
    // them): only what changed is shown, and a new record's empty fields are not.
    let full = serde_json::json!({
        "name": {"old": "PT Tetap Sama", "new": "PT Tetap Sama"},
        "city": {"old": "Bandung", "new": "Bandung"},
        "status": {"old": "prospect", "new": "active"},
        "approach_notes": {"old": "", "new": null},
        "tags": {"old": "", "new": ""},
    });
    let created = serde_json::json!({
        "name": {"old": null, "new": "PT Baru Lengkap"},
        "legal_name": {"old": null, "new": ""},
        "workers_reported": {"old": null, "new": 1250},
        "website": {"old": null, "new": null},
    });
    for (action, at, changes) in [
        ("employer.updated", "2026-11-16T03:00:00Z", full),
        ("employer.created", "2026-11-16T03:01:00Z", created),
    ] {
        sqlx::query(
            "insert into audit_events (tenant_id, id, occurred_at, actor_label, action, entity_type,
                                       entity_id, changes, employer_id)
             values ($1, $2, $3::timestamptz, 'cli', $4, 'employer', $5, $6, $5)",
        )
        .bind(tm.t.0)
        .bind(Uuid::new_v4())
        .bind(at)
        .bind(action)
        .bind(e)
        .bind(changes)
        .execute(&tm.app.admin)
        .await
        .unwrap();
    }
    let body = tm.admin.get("/admin/audit?entity=employer").await.body;
    let newest: Vec<&str> = body.split("<tr class=\"audit-event\">").skip(1).collect();
    assert_eq!(newest.len(), 3, "two inserted events and the creation");
    let (created, updated) = (newest[0], newest[1]);
    assert!(updated.contains(&changed(
        "employer.status",
        Lang::Id.t("status.prospect"),
        Lang::Id.t("status.active")
    )));
    assert_eq!(
        updated.matches("<strong>").count(),
        1,
        "only the status changed: {updated}"
    );
    assert!(!updated.contains("Bandung"));
    assert!(created.contains(&format!(
        "<strong>{}</strong>: <ins>PT Baru Lengkap</ins>",
        msg("audit.field.name")
    )));
    assert!(created.contains(&format!(
        "<strong>{}</strong>: <ins>1.250</ins>",
        msg("employer.workers_reported")
    )));
    assert_eq!(
        created.matches("<strong>").count(),
        2,
        "empty values are not listed: {created}"
    );
}

#[tokio::test]
async fn an_erased_key_persons_name_is_not_shown_again() {
    let tm = team().await;
    let (_, e) = create(&tm.sup, "PT Rahasia Pribadi", &[]).await;
    let e = e.unwrap();
    let person = add_person(&tm.sup, e, "Siti Rahmawati", "bod").await;
    let edited = tm
        .sup
        .post(
            &format!("/key-persons/{person}"),
            &[
                ("full_name", "Siti Rahmawati"),
                ("level", "bod"),
                ("email", "siti@pabrik.example"),
                ("influence", "4"),
                ("legal_basis", "legitimate_interest"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    // Other events name her too: a meeting she attended (with a colleague whose name holds ", "),
    // a colleague who reports to her, and a contact elsewhere who moved to her record.
    let colleague = add_person(&tm.sup, e, "Dr. Budi, M.Sc.", "manager").await;
    log_meeting(
        &tm.sup,
        e,
        &[
            ("attendees", &person.to_string()),
            ("attendees", &colleague.to_string()),
        ],
    )
    .await;
    let r = tm
        .sup
        .post(
            &format!("/key-persons/{colleague}"),
            &[
                ("full_name", "Dr. Budi, M.Sc."),
                ("level", "manager"),
                ("influence", "3"),
                ("legal_basis", "legitimate_interest"),
                ("reports_to_id", &person.to_string()),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (_, elsewhere) = create(&tm.sup, "PT Tempat Lama", &[]).await;
    let elsewhere = elsewhere.unwrap();
    let old_contact = add_person(&tm.sup, elsewhere, "Siti Rahmawati", "bod").await;
    let r = tm
        .sup
        .post(
            &format!("/key-persons/{old_contact}/left"),
            &[
                ("left_on", "2026-11-01"),
                ("left_reason", "Pindah kerja"),
                ("moved_to_id", &person.to_string()),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let before = tm.admin.get("/admin/audit").await.body;
    assert!(before.contains("Siti Rahmawati · PT Rahasia Pribadi"));
    assert!(
        before.contains(&esc("Dr. Budi, M.Sc., Siti Rahmawati")),
        "attendees by name"
    );
    let r = tm
        .admin
        .post(
            &format!("/key-persons/{person}/erase"),
            &[("confirm", "yes"), ("version", "2")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Her namesake's own record at the other employer is not hers, and keeps its name.
    let after = tm.admin.get("/admin/audit?entity=meeting").await.body;
    assert!(!after.contains("Siti"), "the meeting's attendees");
    assert!(
        after.contains(&esc("Dr. Budi, M.Sc., [dihapus / erased]")),
        "{after}"
    );
    let after = tm
        .admin
        .get(&format!(
            "/admin/audit?entity=key_person&actor={}",
            user_id(&tm, "sup@x.example").await
        ))
        .await
        .body;
    assert_eq!(
        after.matches("Siti Rahmawati").count(),
        3,
        "only the namesake's own record (named by its creation and its leaving) and name: {after}"
    );
    assert!(after.contains(&format!(
        "<strong>{}</strong>: <ins>[dihapus / erased]</ins>",
        msg("key_person.moved_to")
    )));
    let after = tm.admin.get("/admin/audit").await.body;
    assert!(!after.contains("siti@pabrik"));
    assert!(after.contains(&format!(
        "<a href=\"/key-persons/{person}\">{} · PT Rahasia Pribadi</a>",
        msg("audit.record_erased")
    )));
    let (status, _, bytes) = tm.admin.get_bytes("/admin/audit/export.xlsx").await;
    assert_eq!(status, 200);
    let rows = sheet_rows(bytes);
    assert!(rows.len() > 3);
    let naming: Vec<&String> = rows
        .iter()
        .flatten()
        .filter(|c| c.contains("Siti"))
        .collect();
    assert_eq!(naming.len(), 3, "only the namesake's: {naming:?}");
    assert!(!rows.iter().flatten().any(|c| c.contains("siti@")));
}

#[tokio::test]
async fn the_export_holds_the_filtered_rows_in_words_and_is_recorded() {
    let tm = team().await;
    let rm1 = user_id(&tm, "rm1@x.example").await;
    let s = story(&tm, rm1).await;
    let (_, other) = create(&tm.sup, "=Formula Jaya", &[]).await;
    let other = other.unwrap();

    let query = format!(
        "actor={}&entity=employer",
        user_id(&tm, "sup@x.example").await
    );
    let page = tm.sup.get(&format!("/admin/audit?{query}")).await.body;
    let shown = page.matches("<tr class=\"audit-event\">").count();
    assert_eq!(shown, 3, "two creations and an edit");
    let (status, kind, bytes) = tm
        .sup
        .get_bytes(&format!("/admin/audit/export.xlsx?{query}"))
        .await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml"));
    let rows = sheet_rows(bytes);
    assert_eq!(rows.len(), shown + 1, "a header and the rows of the page");
    assert_eq!(rows[0][2], Lang::Id.t("audit.action"));
    // In the page's order (newest first), each row in words: the page's rows one for one.
    let on_page: Vec<(String, String)> = page
        .split("<tr class=\"audit-event\">")
        .skip(1)
        .map(|row| {
            let after = |marker: &str| row.split(marker).nth(1).unwrap();
            let action = after("<td class=\"audit-action\">")
                .split("</td>")
                .next()
                .unwrap();
            // The record cell: its kind, then its name (a link while the record exists).
            let name = after("<td class=\"audit-record\">")
                .split("</small>")
                .nth(1)
                .unwrap();
            let name = name
                .strip_prefix("<a")
                .map_or(name, |a| &a[a.find('>').unwrap() + 1..]);
            (
                action.to_owned(),
                name.split("</").next().unwrap().to_owned(),
            )
        })
        .collect();
    let in_sheet: Vec<(String, String)> = rows[1..]
        .iter()
        .map(|r| (esc(&r[2]), esc(r[4].trim_start_matches('\''))))
        .collect();
    assert_eq!(on_page.len(), in_sheet.len());
    assert_eq!(on_page, in_sheet, "the same events in the same order");
    for row in &rows[1..] {
        assert_eq!(row[1], "Bambang Supervisor");
        assert_eq!(row[3], Lang::Id.t("audit.entity.employer"));
    }
    assert!(
        rows.iter().any(|r| r[4] == "'=Formula Jaya"),
        "a name that looks like a formula is text"
    );
    let edit = rows
        .iter()
        .find(|r| r[2] == Lang::Id.t("audit.action.employer_updated"))
        .unwrap();
    assert_eq!(edit[4], "PT Semen Nusantara · NPP 12345678");
    assert!(
        edit[5].contains(&format!(
            "{}: {} → {}",
            Lang::Id.t("employer.stage"),
            Lang::Id.t("stage.approach"),
            Lang::Id.t("stage.rejected")
        )),
        "{}",
        edit[5]
    );
    assert!(!edit[5].contains("rejected"));
    let _ = (s, other);

    // The export is recorded with its filters, and the log shows them in words.
    let (rows_recorded, filters): (i64, String) = sqlx::query_as(
        "select (changes->'rows'->>'new')::bigint, changes->'filters'->>'new' from audit_events
          where action = 'audit.exported'",
    )
    .fetch_one(&tm.app.admin)
    .await
    .unwrap();
    assert_eq!((rows_recorded, filters.as_str()), (3, query.as_str()));
    let log = tm.sup.get("/admin/audit?action=audit.exported").await.body;
    assert!(log.contains(&format!("{}: Bambang Supervisor", msg("audit.actor"))));
    assert!(log.contains(&format!(
        "{}: {}",
        msg("audit.entity"),
        msg("audit.entity.employer")
    )));
}

#[tokio::test]
async fn the_export_needs_the_audit_log_permission() {
    let tm = team().await;
    for (c, expected) in [(&tm.rm1, 403), (&tm.sup, 200), (&tm.admin, 200)] {
        let (status, _, _) = c.get_bytes("/admin/audit/export.xlsx").await;
        assert_eq!(status, expected);
    }
    let viewer = {
        tm.app
            .user(tm.t, "viewer@x.example", "Vina Viewer", Role::Viewer)
            .await;
        tm.app.signed_in("viewer@x.example").await
    };
    assert_eq!(viewer.get_bytes("/admin/audit/export.xlsx").await.0, 403);
    let exports: i64 =
        sqlx::query_scalar("select count(*) from audit_events where action = 'audit.exported'")
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
    assert_eq!(exports, 2, "refused exports are not recorded");
}

#[tokio::test]
async fn another_tenants_events_appear_in_neither_the_log_nor_its_export() {
    let tm = team().await;
    create(&tm.sup, "PT Milik Unit A", &[]).await;
    let b = tm.app.tenant("kanwil-b", "Kanwil Jawa Barat").await;
    let b_admin = tm
        .app
        .user(b, "admin-b@x.example", "Admin Unit B", Role::Admin)
        .await;
    let cb = tm.app.signed_in("admin-b@x.example").await;
    let (r, b_employer) = create(&cb, "PT Rahasia Unit B", &[("npp", "87654321")]).await;
    assert_eq!(r.status, 303);
    let b_employer = b_employer.unwrap();
    // An event of A that names B's employer (as a forged or mistaken id would) names nothing.
    sqlx::query(
        "insert into audit_events (tenant_id, id, occurred_at, actor_label, action, entity_type, entity_id)
         values ($1, $2, '2026-11-16T03:00:00Z', 'cli', 'employer.updated', 'employer', $3)",
    )
    .bind(tm.t.0)
    .bind(Uuid::new_v4())
    .bind(b_employer)
    .execute(&tm.app.admin)
    .await
    .unwrap();
    let secret = |text: &str| {
        text.contains("Rahasia Unit B")
            || text.contains("87654321")
            || text.contains("Admin Unit B")
            || text.contains("admin-b@")
    };
    for query in [
        String::new(),
        format!("?actor={}", b_admin.0),
        "?entity=employer".to_owned(),
    ] {
        let page = tm.admin.get(&format!("/admin/audit{query}")).await.body;
        assert!(!secret(&page), "page {query}");
        assert!(page.contains("PT Milik Unit A") || !query.is_empty());
        let (status, _, bytes) = tm
            .admin
            .get_bytes(&format!("/admin/audit/export.xlsx{query}"))
            .await;
        assert_eq!(status, 200);
        let rows = sheet_rows(bytes);
        assert!(
            !rows.iter().flatten().any(|c| secret(c)),
            "export {query}: {rows:?}"
        );
    }
    let page = tm.admin.get("/admin/audit?entity=employer").await.body;
    assert!(page.contains(&msg("audit.record_gone")));
    // And B sees its own only.
    let b_page = cb.get("/admin/audit").await.body;
    assert!(b_page.contains("PT Rahasia Unit B") && !b_page.contains("PT Milik Unit A"));
    let (_, _, bytes) = cb.get_bytes("/admin/audit/export.xlsx").await;
    assert!(
        !sheet_rows(bytes)
            .iter()
            .flatten()
            .any(|c| c.contains("Unit A") || c.contains("Rina Admin"))
    );
}

/// Signs in through the browser's own form.
async fn browser_sign_in(b: &Browser, base: &str, email: &str, path: &str) {
    b.goto(&format!("{base}{path}")).await;
    b.wait_for_path("/login").await;
    b.fill("#f-email", email).await;
    b.fill("#f-password", PASSWORD).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_for_path(path).await;
}

#[tokio::test]
async fn the_log_fits_a_phone_and_a_desktop() {
    let tm = team().await;
    let rm1 = user_id(&tm, "rm1@x.example").await;
    story(&tm, rm1).await;
    // A long unbroken value must not widen the page either.
    let (_, e) = create(
        &tm.sup,
        "PT Perusahaan Dengan Nama Yang Sangat Panjang Sekali Tbk",
        &[("website", "https://www.contoh-perusahaan-dengan-alamat-situs-yang-panjang.example/profil/perusahaan")],
    )
    .await;
    assert!(e.is_some());
    // The newest events: a portfolio moved as its RM is disabled, and an export of the log.
    tm.app.clock.advance(chrono::Duration::minutes(5));
    let r = tm
        .admin
        .post(
            &format!("/admin/users/{rm1}/disable"),
            &[
                ("confirm", "yes"),
                ("version", "1"),
                ("successor", &tm.rm2_id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    tm.app.clock.advance(chrono::Duration::minutes(5));
    let (status, _, _) = tm
        .sup
        .get_bytes(&format!(
            "/admin/audit/export.xlsx?entity=employer&to=2026-11-16&actor={rm1}"
        ))
        .await;
    assert_eq!(status, 200);
    for (width, height, name) in [
        (360, 740, "audit-log-phone"),
        (1280, 900, "audit-log-desktop"),
    ] {
        let b = Browser::start(width, height).await;
        browser_sign_in(&b, &tm.app.base, "admin@x.example", "/admin/audit").await;
        b.find("tr.audit-event").await;
        assert!(b.fits_width().await, "the log fits {width} px");
        assert!(
            b.cards_fit().await,
            "no cell scrolls sideways at {width} px"
        );
        b.screenshot(name).await;
        // Further down: an edit's changes in words.
        b.execute(
            "[...document.querySelectorAll('.audit-action')]
               .find(e => e.textContent.includes('diubah')).scrollIntoView()",
        )
        .await;
        b.screenshot(&format!("{name}-changes")).await;
        // The filters fold open and work on a phone: the events of one kind.
        if width == 360 {
            b.click(".audit-filters summary").await;
            b.click("#f-entity option[value=key_person]").await;
            b.click(".audit-filters button[type=submit]").await;
            b.find("tr.audit-event").await;
            assert!(b.url().await.contains("entity=key_person"));
            assert!(b.fits_width().await);
            b.screenshot("audit-log-phone-filtered").await;
        }
        b.quit().await;
    }
}

/// A person who holds a portfolio is disabled only once an admin says who takes it over, or that
/// nobody does for now.
#[tokio::test]
async fn disabling_moves_the_portfolio_in_one_step_or_refuses() {
    let tm = team().await;
    let rm1 = user_id(&tm, "rm1@x.example").await;
    let rm2 = tm.rm2_id;
    story(&tm, rm1).await;
    let (_, second) = create(&tm.rm1, "PT Kedua Dewi", &[]).await;
    let second = second.unwrap();
    let (_, archived) = create(&tm.rm1, "PT Sudah Diarsip", &[]).await;
    let archived = archived.unwrap();
    tm.rm1
        .post(
            &format!("/employers/{archived}/archive"),
            &[("version", "1")],
        )
        .await;
    let open_follow_up = tm
        .sup
        .post(
            &format!("/employers/{second}/follow-ups"),
            &[
                ("title", "Jadwalkan sosialisasi"),
                ("assignee", &rm1.to_string()),
                ("due_on", "2026-11-20"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(open_follow_up.status, 303);
    let viewer = tm
        .app
        .user(tm.t, "viewer@x.example", "Vina Viewer", Role::Viewer)
        .await
        .0;

    // The question, without any script: what Dewi holds and who may take it over.
    let ask = tm.admin.get(&format!("/admin/users/{rm1}/disable")).await;
    assert_eq!(ask.status, 200);
    let portfolio = Lang::Id.tf(
        "admin.disable_portfolio",
        &[("name", "Dewi RM"), ("employers", "2"), ("follow_ups", "1")],
    );
    assert!(ask.body.contains(&esc(&portfolio)), "{}", ask.body);
    assert!(
        ask.body
            .contains(&format!("<option value=\"{rm2}\">Agus RM</option>"))
    );
    assert!(
        !ask.body.contains(&format!("<option value=\"{rm1}\"")),
        "not to herself"
    );
    assert!(
        !ask.body.contains(&format!("<option value=\"{viewer}\"")),
        "a viewer holds no portfolio"
    );

    let disable = |successor: String, version: &'static str| {
        let admin = &tm.admin;
        async move {
            admin
                .post(
                    &format!("/admin/users/{rm1}/disable"),
                    &[
                        ("confirm", "yes"),
                        ("version", version),
                        ("successor", &successor),
                    ],
                )
                .await
        }
    };
    let state = || async {
        let held: Vec<(String, Option<Uuid>)> =
            sqlx::query_as("select name, rm_id from employers order by name")
                .fetch_all(&tm.app.admin)
                .await
                .unwrap();
        let disabled: bool = sqlx::query_scalar(
            "select disabled_at is not null from memberships where user_id = $1",
        )
        .bind(rm1)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
        (held, disabled)
    };
    // Agus holds nothing: disabled without a choice.
    let r = tm
        .admin
        .post(
            &format!("/admin/users/{rm2}/disable"),
            &[("confirm", "yes"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, 303);
    let before = state().await;
    // No choice, herself, a viewer, a disabled person, nonsense: refused, nothing changed.
    for (successor, key) in [
        (String::new(), "admin.successor_needed"),
        (rm1.to_string(), "admin.successor_invalid"),
        (viewer.to_string(), "admin.successor_invalid"),
        (rm2.to_string(), "admin.successor_invalid"),
        ("someone".to_owned(), "admin.successor_invalid"),
    ] {
        let r = disable(successor.clone(), "1").await;
        assert_eq!(r.status, 422, "{successor}");
        assert!(r.body.contains(&msg(key)), "{successor}: {key}");
        assert_eq!(state().await, before, "{successor}: nothing changed");
    }
    // A page older than the membership is refused, with the question asked again.
    let sup = user_id(&tm, "sup@x.example").await;
    let stale = disable(sup.to_string(), "7").await;
    assert_eq!(stale.status, 409);
    assert!(stale.body.contains(&msg("admin.disable_stale")));
    assert_eq!(state().await, before);

    let done = disable(sup.to_string(), "1").await;
    assert_eq!(done.status, 303, "{}", done.body);
    let (held, disabled) = state().await;
    assert!(disabled);
    for (name, rm) in &held {
        match name.as_str() {
            "PT Sudah Diarsip" => assert_eq!(*rm, Some(rm1), "archived employers keep their RM"),
            "PT Semen Nusantara" | "PT Kedua Dewi" => assert_eq!(*rm, Some(sup), "{name}"),
            _ => {}
        }
    }
    let open: Vec<Uuid> =
        sqlx::query_scalar("select assignee_id from follow_ups where done_at is null")
            .fetch_all(&tm.app.admin)
            .await
            .unwrap();
    assert_eq!(open, [sup], "the open follow-up moved; the done one stayed");
    // Each moved record is in its own history, the disabling says where the portfolio went.
    let moves: Vec<serde_json::Value> = sqlx::query_scalar(
        "select changes from audit_events where action = 'employer.reassigned' order by entity_id",
    )
    .fetch_all(&tm.app.admin)
    .await
    .unwrap();
    assert_eq!(moves.len(), 2);
    for m in &moves {
        assert_eq!(
            m,
            &serde_json::json!({"rm": {"old": "Dewi RM", "new": "Bambang Supervisor"}})
        );
    }
    let disabled_event: serde_json::Value = sqlx::query_scalar(
        "select changes from audit_events where action = 'user.disabled' and entity_id = $1",
    )
    .bind(rm1)
    .fetch_one(&tm.app.admin)
    .await
    .unwrap();
    assert_eq!(disabled_event["portfolio_to"]["new"], "Bambang Supervisor");
    assert_eq!(disabled_event["employers_moved"]["new"], 2);
    assert_eq!(disabled_event["follow_ups_moved"]["new"], 1);
    let log = tm.admin.get("/admin/audit?action=user.disabled").await.body;
    assert!(log.contains(&format!(
        "<strong>{}</strong>: <ins>Bambang Supervisor</ins>",
        msg("audit.field.portfolio_to")
    )));
    assert!(log.contains(&changed(
        "audit.field.status",
        Lang::Id.t("admin.active"),
        Lang::Id.t("admin.disabled")
    )));
    // Asked again (a reload), the question is not: she is disabled already.
    let again = tm.admin.get(&format!("/admin/users/{rm1}/disable")).await;
    assert_eq!(again.location(), format!("/admin/users/{rm1}"));
}

#[tokio::test]
async fn leaving_the_portfolio_without_an_rm_is_an_explicit_choice() {
    let tm = team().await;
    let (_, e) = create(&tm.rm1, "PT Tanpa Pembina", &[]).await;
    let e = e.unwrap();
    let rm1 = user_id(&tm, "rm1@x.example").await;
    let r = tm
        .admin
        .post(
            &format!("/admin/users/{rm1}/disable"),
            &[
                ("confirm", "yes"),
                ("version", "1"),
                ("successor", "nobody"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let rm: Option<Uuid> = sqlx::query_scalar("select rm_id from employers where id = $1")
        .bind(e)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(rm, None);
    let changes: serde_json::Value =
        sqlx::query_scalar("select changes from audit_events where action = 'employer.reassigned'")
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
    assert_eq!(
        changes,
        serde_json::json!({"rm": {"old": "Dewi RM", "new": null}})
    );
    let disabled: serde_json::Value =
        sqlx::query_scalar("select changes from audit_events where action = 'user.disabled'")
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
    assert_eq!(disabled["employers_unassigned"]["new"], 1);
    // A person who holds nothing needs no choice.
    let r = tm
        .admin
        .post(
            &format!("/admin/users/{}/disable", tm.rm2_id),
            &[("confirm", "yes"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, 303);
}

/// Two admins at once: one disables Dewi, giving her portfolio to Agus, while the other disables
/// Agus, giving his to the supervisor; or a supervisor moves employers to Dewi while she is being
/// disabled. Whatever the order, no open employer ends up with a disabled RM and none is lost.
#[tokio::test]
async fn concurrent_disabling_and_reassigning_lose_no_employer() {
    let tm = team().await;
    let rm1 = user_id(&tm, "rm1@x.example").await;
    let rm2 = tm.rm2_id;
    let sup = user_id(&tm, "sup@x.example").await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let (c, name) = if i % 2 == 0 {
            (&tm.rm1, format!("PT Dewi {i}"))
        } else {
            (&tm.rm2, format!("PT Agus {i}"))
        };
        ids.push(create(c, &name, &[]).await.1.unwrap());
    }
    let second_admin = {
        tm.app
            .user(tm.t, "admin2@x.example", "Yudi Admin", Role::Admin)
            .await;
        tm.app.signed_in("admin2@x.example").await
    };
    let disable = |c: &'static str, who: Uuid, to: Uuid| {
        let client: &Client = if c == "first" {
            &tm.admin
        } else {
            &second_admin
        };
        async move {
            client
                .post(
                    &format!("/admin/users/{who}/disable"),
                    &[
                        ("confirm", "yes"),
                        ("version", "1"),
                        ("successor", &to.to_string()),
                    ],
                )
                .await
                .status
        }
    };
    let (a, b) = tokio::join!(disable("first", rm1, rm2), disable("second", rm2, sup));
    assert!(a == 303 || a == 422, "{a}");
    assert_eq!(b, 303);
    let stranded: i64 = sqlx::query_scalar(
        "select count(*) from employers e join memberships m on m.user_id = e.rm_id
          where m.disabled_at is not null and e.archived_at is null",
    )
    .fetch_one(&tm.app.admin)
    .await
    .unwrap();
    assert_eq!(stranded, 0, "no employer is left with a disabled RM");
    let count: i64 = sqlx::query_scalar("select count(*) from employers where rm_id is not null")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(count, 6);

    // A bulk move to someone being disabled at the same moment.
    let team_rm = tm
        .app
        .user(tm.t, "rm3@x.example", "Rudi RM", Role::Rm)
        .await
        .0;
    let ids_text: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let mut form: Vec<(&str, &str)> = ids_text.iter().map(|i| ("ids", i.as_str())).collect();
    let team_rm_text = team_rm.to_string();
    form.push(("rm_id", &team_rm_text));
    let (moved, disabled) = tokio::join!(
        tm.sup.post("/employers/reassign", &form),
        disable("second", team_rm, sup)
    );
    assert_eq!(moved.status, 303);
    assert_eq!(disabled, 303);
    let stranded: i64 = sqlx::query_scalar(
        "select count(*) from employers e join memberships m on m.user_id = e.rm_id
          where m.disabled_at is not null and e.archived_at is null",
    )
    .fetch_one(&tm.app.admin)
    .await
    .unwrap();
    assert_eq!(
        stranded, 0,
        "the bulk move went first and moved on, or was refused"
    );

    // Two admins disabling each other: one of them stays.
    let (rina, yudi) = (
        user_id(&tm, "admin@x.example").await,
        user_id(&tm, "admin2@x.example").await,
    );
    let (disable_yudi, disable_rina) = (
        format!("/admin/users/{yudi}/disable"),
        format!("/admin/users/{rina}/disable"),
    );
    let form = [("confirm", "yes"), ("version", "1")];
    let (a, b) = tokio::join!(
        tm.admin.post(&disable_yudi, &form),
        second_admin.post(&disable_rina, &form),
    );
    assert_eq!((a.status, b.status), (303, 303));
    let admins: i64 = sqlx::query_scalar(
        "select count(*) from memberships where role = 'admin' and disabled_at is null",
    )
    .fetch_one(&tm.app.admin)
    .await
    .unwrap();
    assert_eq!(admins, 1, "the second was refused as the last admin");
}

#[tokio::test]
async fn the_disabling_question_fits_a_phone() {
    let tm = team().await;
    let rm1 = user_id(&tm, "rm1@x.example").await;
    create(&tm.rm1, "PT Ponsel Sempit", &[]).await;
    let b = Browser::start(360, 740).await;
    let path = format!("/admin/users/{rm1}/disable");
    browser_sign_in(&b, &tm.app.base, "admin@x.example", &path).await;
    b.find("#f-successor").await;
    assert!(b.fits_width().await);
    b.screenshot("disable-question-phone").await;
    // Without a choice the question comes back, saying what is missing, the box to tick again.
    b.click("input[name=confirm]").await;
    b.click("#disable button[type=submit]").await;
    b.find("#e-successor").await;
    assert!(b.fits_width().await);
    b.screenshot("disable-question-refused-phone").await;
    b.click("input[name=confirm]").await;
    b.click("#f-successor option[value=nobody]").await;
    b.click("#disable button[type=submit]").await;
    b.wait_for_path(&format!("/admin/users/{rm1}")).await;
    assert!(
        b.text()
            .await
            .contains(Lang::Id.t("admin.user_disabled_unassigned"))
    );
    b.screenshot("disabled-unassigned-phone").await;
    b.quit().await;
}
