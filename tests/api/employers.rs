//! Employers through HTTP: the form and its messages, stale edits, portfolios, reassignment, the
//! list's search and filters, exports, and escaped output; checked in the database.

use relasi::tenancy::domain::Role;
use relasi::web::i18n::Lang;
use uuid::Uuid;

use crate::fixtures::{
    create, employer_with_person, esc, log_meeting, msg, npwp, scalar_text, team,
};
use crate::helpers::Resp;

#[tokio::test]
async fn an_employer_is_created_edited_archived_and_restored_with_its_history() {
    let tm = team().await;
    let (r, id) = create(
        &tm.sup,
        "PT Sentosa Makmur Logistik",
        &[
            ("npp", "00123456"),
            ("npwp", &npwp("01855081")),
            ("phone", "0812-3456-7890"),
            ("programs", "JHT"),
            ("programs", "JKK"),
            ("tags", "Padat Karya, bumn"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = id.unwrap();
    let page = tm.sup.get(&format!("/employers/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("PT Sentosa Makmur Logistik"));
    assert!(page.body.contains("00123456"));
    assert!(page.body.contains("+6281234567890"), "phone normalised");
    assert_eq!(
        scalar_text(&tm.app, "select npwp from employers where id = $1", id)
            .await
            .unwrap(),
        format!("0{}", npwp("01855081"))
    );
    let tags: Vec<String> =
        sqlx::query_scalar("select tag from employer_tags where employer_id = $1 order by tag")
            .bind(id)
            .fetch_all(&tm.app.admin)
            .await
            .unwrap();
    assert_eq!(tags, ["bumn", "padat-karya"]);

    // Pausing needs a reason and a future revisit date; all messages come back at once.
    let edit = |stage: &'static str,
                reason: &'static str,
                revisit: &'static str,
                version: &'static str| {
        let mut f: Vec<(&str, &str)> = vec![
            ("name", "PT Sentosa Makmur Logistik Tbk"),
            ("npp", "00123456"),
            ("segment", "corporate"),
            ("ownership", "private_domestic"),
            ("status", "active"),
            ("stage", stage),
            ("stage_reason", reason),
            ("revisit_on", revisit),
            ("version", version),
        ];
        f.retain(|_| true);
        f
    };
    sqlx::query("update employers set stage_entered_on = '2026-10-01'")
        .execute(&tm.app.admin)
        .await
        .unwrap();
    let r = tm
        .sup
        .post(&format!("/employers/{id}"), &edit("paused", "", "", "1"))
        .await;
    assert_eq!(r.status, 422, "{} {}", r.location(), r.body);
    assert!(r.body.contains(&msg("employer.stage_reason_required")));
    assert!(r.body.contains(&msg("employer.revisit_required")));
    assert!(
        r.body.contains("PT Sentosa Makmur Logistik Tbk"),
        "the form comes back filled"
    );
    let r = tm
        .sup
        .post(
            &format!("/employers/{id}"),
            &edit("paused", "Menunggu RUPS", "2027-03-01", "1"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let entered = scalar_text(
        &tm.app,
        "select stage_entered_on::text from employers where id = $1",
        id,
    )
    .await;
    assert_eq!(
        entered.as_deref(),
        Some("2026-11-16"),
        "the stage's date moved with the stage"
    );
    let page = tm.sup.get(&format!("/employers/{id}")).await;
    assert!(page.body.contains("Menunggu RUPS"));
    assert!(page.body.contains("(0 hari)"), "time in the stage is shown");

    // Archive hides it from the list; restore brings it back.
    let r = tm
        .sup
        .post(&format!("/employers/{id}/archive"), &[("version", "2")])
        .await;
    assert_eq!(r.status, 303);
    assert!(!tm.sup.get("/employers").await.body.contains("Logistik Tbk"));
    assert!(
        tm.sup
            .get("/employers?archived=1")
            .await
            .body
            .contains("Logistik Tbk")
    );
    let r = tm
        .sup
        .post(&format!("/employers/{id}/restore"), &[("version", "3")])
        .await;
    assert_eq!(r.status, 303);
    assert!(tm.sup.get("/employers").await.body.contains("Logistik Tbk"));

    let actions = tm.app.audit_actions(tm.t).await;
    for a in [
        "employer.created",
        "employer.updated",
        "employer.archived",
        "employer.restored",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    let page = tm.sup.get(&format!("/employers/{id}")).await;
    assert!(
        page.body
            .contains(Lang::Id.t("audit.action.employer_updated")),
        "history on the page"
    );
    assert!(
        page.body.contains("Menunggu RUPS"),
        "field values in the history"
    );
}

#[tokio::test]
async fn bad_values_are_refused_with_messages_and_nothing_is_written() {
    let tm = team().await;
    let good = npwp("01855081");
    let bad = format!(
        "{}{}{}",
        &good[..8],
        (good.as_bytes()[8] - b'0' + 1) % 10,
        &good[9..]
    );
    let (r, _) = create(
        &tm.rm1,
        "PT Salah Ketik",
        &[
            ("npwp", &bad),
            ("npp", "1234"),
            ("phone", "+65 6123 4567"),
            ("ownership", "foreign"),
        ],
    )
    .await;
    assert_eq!(r.status, 422);
    for key in [
        "employer.npwp_check_digit",
        "employer.npp_invalid",
        "employer.phone_invalid",
        "employer.country_required",
    ] {
        assert!(r.body.contains(&msg(key)), "{key}: {}", r.body);
    }
    let n: i64 = sqlx::query_scalar("select count(*) from employers")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(n, 0);

    // A taken NPP is a message beside the field, not an error page.
    assert_eq!(
        create(&tm.rm1, "PT Satu", &[("npp", "00000001")])
            .await
            .0
            .status,
        303
    );
    let (r, _) = create(&tm.rm1, "PT Dua", &[("npp", "00000001")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&msg("employer.npp_taken")));
    // The same NPP with another division code is another employer.
    assert_eq!(
        create(
            &tm.rm1,
            "PT Satu Divisi Timur",
            &[("npp", "00000001"), ("division_code", "02")]
        )
        .await
        .0
        .status,
        303
    );
}

#[tokio::test]
async fn a_stale_edit_is_refused_and_overwrites_nothing() {
    let tm = team().await;
    let (_, id) = create(&tm.sup, "PT Awal", &[]).await;
    let id = id.unwrap();
    let form = |name: &'static str| {
        vec![
            ("name", name),
            ("segment", "corporate"),
            ("ownership", "private_domestic"),
            ("status", "active"),
            ("stage", "approach"),
            ("version", "1"),
        ]
    };
    assert_eq!(
        tm.sup
            .post(&format!("/employers/{id}"), &form("PT Pertama"))
            .await
            .status,
        303
    );
    let r = tm
        .admin
        .post(&format!("/employers/{id}"), &form("PT Kedua"))
        .await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains(&msg("stale.notice")));
    // Both versions: the saved one beside the second editor's, whose typing the form keeps on top of
    // the current version.
    assert!(
        r.body
            .contains("<td>PT Pertama</td><td><mark>PT Kedua</mark></td>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"PT Kedua\""));
    assert!(r.body.contains("name=\"version\" value=\"2\""));
    let name = scalar_text(&tm.app, "select name from employers where id = $1", id).await;
    assert_eq!(
        name.as_deref(),
        Some("PT Pertama"),
        "nothing was overwritten"
    );
    // Saving the returned form applies the second editor's change knowingly.
    let mut again = form("PT Kedua");
    again.retain(|(k, _)| *k != "version");
    again.push(("version", "2"));
    assert_eq!(
        tm.admin
            .post(&format!("/employers/{id}"), &again)
            .await
            .status,
        303
    );
    let name = scalar_text(&tm.app, "select name from employers where id = $1", id).await;
    assert_eq!(name.as_deref(), Some("PT Kedua"));
}

#[tokio::test]
async fn rms_change_only_their_own_portfolio() {
    let tm = team().await;
    let (r, id) = create(
        &tm.rm1,
        "PT Milik Dewi",
        &[("rm_id", &tm.rm2_id.to_string())],
    )
    .await;
    assert_eq!(r.status, 303);
    let id = id.unwrap();
    let rm = scalar_text(
        &tm.app,
        "select u.email from employers e join users u on u.id = e.rm_id where e.id = $1",
        id,
    )
    .await;
    assert_eq!(
        rm.as_deref(),
        Some("rm1@x.example"),
        "an RM's new employer is assigned to that RM"
    );

    let page = tm.rm2.get(&format!("/employers/{id}")).await;
    assert_eq!(page.status, 200, "everyone reads");
    assert!(
        !page.body.contains(&format!("/employers/{id}/edit")),
        "no edit control for another RM"
    );
    assert_eq!(
        tm.rm2.get(&format!("/employers/{id}/edit")).await.status,
        403
    );
    let form = [
        ("name", "PT Diambil"),
        ("segment", "corporate"),
        ("ownership", "private_domestic"),
        ("status", "active"),
        ("stage", "approach"),
        ("version", "1"),
    ];
    assert_eq!(
        tm.rm2.post(&format!("/employers/{id}"), &form).await.status,
        403
    );
    assert_eq!(
        tm.rm2
            .post(&format!("/employers/{id}/archive"), &[("version", "1")])
            .await
            .status,
        403
    );
    assert_eq!(
        tm.rm2
            .post(
                &format!("/employers/{id}/key-persons"),
                &[
                    ("full_name", "X"),
                    ("level", "bod"),
                    ("influence", "3"),
                    ("legal_basis", "public_task")
                ]
            )
            .await
            .status,
        403
    );
    assert_eq!(
        tm.rm2
            .post(
                "/employers/reassign",
                &[("ids", &id.to_string()), ("rm_id", &tm.rm2_id.to_string())]
            )
            .await
            .status,
        403
    );
    assert_eq!(
        tm.rm1.post(&format!("/employers/{id}"), &form).await.status,
        303,
        "the owner may"
    );
    assert_eq!(
        scalar_text(&tm.app, "select name from employers where id = $1", id)
            .await
            .as_deref(),
        Some("PT Diambil")
    );
}

#[tokio::test]
async fn a_supervisor_reassigns_selected_employers_in_one_action() {
    let tm = team().await;
    let mut ids = Vec::new();
    for name in ["PT Alfa", "PT Beta", "PT Gama"] {
        ids.push(create(&tm.rm1, name, &[]).await.1.unwrap());
    }
    let r = tm
        .sup
        .post(
            "/employers/reassign",
            &[
                ("ids", &ids[0].to_string()),
                ("ids", &ids[1].to_string()),
                ("rm_id", &tm.rm2_id.to_string()),
                ("back", "/employers?sort=npp"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/employers?sort=npp");
    let moved: i64 = sqlx::query_scalar("select count(*) from employers where rm_id = $1")
        .bind(tm.rm2_id)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(moved, 2);
    let events: i64 = sqlx::query_scalar("select count(*) from audit_events where action = 'employer.reassigned' and changes->'rm'->>'new' = 'Agus RM'")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(events, 2);
}

#[tokio::test]
async fn the_list_searches_by_partial_word_npp_and_npwp_and_filters() {
    let tm = team().await;
    create(
        &tm.sup,
        "PT Sentosa Abadi Pangan",
        &[("npp", "11112222"), ("status", "active")],
    )
    .await;
    create(
        &tm.sup,
        "CV Maju Bersama",
        &[
            ("npp", "33334444"),
            ("npwp", &npwp("02345678")),
            ("status", "inactive"),
        ],
    )
    .await;
    create(
        &tm.sup,
        "Kementerian Contoh",
        &[
            ("segment", "institution"),
            ("institution_type", "ministry"),
            ("ownership", "government"),
        ],
    )
    .await;
    let names = |r: &Resp| {
        ["Sentosa Abadi", "Maju Bersama", "Kementerian Contoh"].map(|n| r.body.contains(n))
    };
    assert_eq!(
        names(&tm.rm1.get("/employers?rm=&q=sent").await),
        [true, false, false],
        "a word's beginning is enough"
    );
    assert_eq!(
        names(&tm.rm1.get("/employers?rm=&q=abadi+sento").await),
        [true, false, false],
        "every word must match"
    );
    assert_eq!(
        names(&tm.rm1.get("/employers?rm=&q=33334444").await),
        [false, true, false]
    );
    let punctuated = {
        let n = npwp("02345678");
        format!(
            "{}.{}.{}.{}-{}.{}",
            &n[0..2],
            &n[2..5],
            &n[5..8],
            &n[8..9],
            &n[9..12],
            &n[12..15]
        )
    };
    assert_eq!(
        names(&tm.rm1.get(&format!("/employers?rm=&q={punctuated}")).await),
        [false, true, false]
    );
    assert_eq!(
        names(&tm.rm1.get("/employers?rm=&status=inactive").await),
        [false, true, false]
    );
    assert_eq!(
        names(
            &tm.rm1
                .get("/employers?rm=&segment=institution&institution_type=ministry")
                .await
        ),
        [false, false, true]
    );
    assert_eq!(
        names(&tm.rm1.get("/employers?rm=&q=nothingmatches").await),
        [false, false, false]
    );
    // The search box finds key persons by several words too, in name order.
    let sentosa: Uuid = sqlx::query_scalar("select id from employers where name like '%Sentosa%'")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    for name in ["Budi Santoso", "Budi Hartono", "Sari Santoso"] {
        let r = tm
            .sup
            .post(
                &format!("/employers/{sentosa}/key-persons"),
                &[
                    ("full_name", name),
                    ("level", "bod"),
                    ("influence", "3"),
                    ("legal_basis", "public_task"),
                    ("version", "0"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
    }
    let found = tm.rm1.get("/search?q=santo+bud").await.body;
    assert!(
        found.contains("Budi Santoso")
            && !found.contains("Budi Hartono")
            && !found.contains("Sari Santoso")
    );
    let found = tm.rm1.get("/search?q=santoso").await.body;
    assert!(found.contains("Budi Santoso") && found.contains("Sari Santoso"));
    assert!(
        found.find("Budi Santoso") < found.find("Sari Santoso"),
        "in name order"
    );
    // htmx asks for the results only.
    let partial = tm
        .rm1
        .get_with("/employers?rm=&q=maju", &[("hx-request", "true")])
        .await;
    assert!(partial.body.contains("Maju Bersama") && !partial.body.contains("<html"));
}

#[tokio::test]
async fn exports_parse_back_with_formula_cells_neutralised() {
    use calamine::{Reader, Xlsx};
    let tm = team().await;
    create(
        &tm.sup,
        "=HYPERLINK(\"http://evil.example\",\"klik\")",
        &[("npp", "55556666")],
    )
    .await;
    create(
        &tm.sup,
        "PT <script>alert(1)</script> Jaya",
        &[("city", "@SUM(A1)")],
    )
    .await;

    let (status, kind, bytes) = tm.rm1.get_bytes("/employers/export.csv?rm=").await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"));
    let text = String::from_utf8(bytes).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let names: Vec<&str> = rows.iter().map(|r| &r[2]).collect();
    assert!(
        names.contains(&"'=HYPERLINK(\"http://evil.example\",\"klik\")"),
        "{names:?}"
    );
    assert!(names.contains(&"PT <script>alert(1)</script> Jaya"));
    assert!(
        rows.iter().any(|r| &r[16] == "'@SUM(A1)"),
        "cities neutralised too"
    );

    let (status, _, bytes) = tm
        .rm1
        .get_bytes("/employers/export.xlsx?rm=&q=hyperlink")
        .await;
    assert_eq!(status, 200);
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.height(), 2, "header and the one filtered row");
    let cell = sheet.get_value((1, 2)).unwrap().to_string();
    assert_eq!(cell, "'=HYPERLINK(\"http://evil.example\",\"klik\")");
    assert_eq!(
        sheet.get_value((1, 0)).unwrap().to_string(),
        "55556666",
        "NPP kept as text"
    );
    let formulas = book.worksheet_formula("Sheet1").unwrap();
    assert!(formulas.used_cells().next().is_none(), "no formula cells");
    assert!(
        tm.app
            .audit_actions(tm.t)
            .await
            .iter()
            .filter(|a| *a == "employer.exported")
            .count()
            == 2
    );
}

#[tokio::test]
async fn markup_in_names_is_shown_as_text_everywhere() {
    let tm = team().await;
    let (_, id) = create(&tm.sup, "PT <script>alert(1)</script> Jaya", &[]).await;
    let id = id.unwrap();
    let kp = tm
        .sup
        .post(
            &format!("/employers/{id}/key-persons"),
            &[
                ("full_name", "<img src=x onerror=alert(2)> Budi"),
                ("level", "bod"),
                ("influence", "5"),
                ("legal_basis", "public_task"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(kp.status, 303, "{}", kp.body);
    for path in [
        format!("/employers/{id}"),
        "/employers".into(),
        "/employers?q=jaya".into(),
        "/search?q=jaya".into(),
        "/search?q=budi".into(),
    ] {
        let body = tm.sup.get(&path).await.body;
        assert!(
            !body.contains("<script>alert(1)") && !body.contains("<img src=x"),
            "raw markup on {path}"
        );
        assert!(
            body.contains(&esc("<script>alert(1)</script>")) || body.contains(&esc("<img src=x")),
            "escaped text on {path}"
        );
    }
}

/// The href of the first link whose address starts with `prefix`, unescaped.
fn href_starting(body: &str, prefix: &str) -> String {
    let at = body
        .find(&format!("href=\"{prefix}"))
        .unwrap_or_else(|| panic!("no link to {prefix}"))
        + 6;
    body[at..at + body[at..].find('"').unwrap()].replace("&#38;", "&")
}

#[tokio::test]
async fn an_rm_opens_their_portfolio_and_the_exports_hold_exactly_what_the_list_shows() {
    let tm = team().await;
    for (name, status) in [
        ("PT Portofolio Satu", "active"),
        ("PT Portofolio Dua", "inactive"),
    ] {
        create(&tm.rm1, name, &[("status", status)]).await;
    }
    create(&tm.rm2, "PT Milik Agus", &[]).await;

    // An RM's list opens on their own portfolio, with its count; the whole unit is one tap away.
    let mine = tm.rm1.get("/employers").await;
    assert!(mine.body.contains("PT Portofolio Satu") && !mine.body.contains("PT Milik Agus"));
    assert!(mine.body.contains("<strong>2</strong>"), "{}", mine.body);
    let all = tm
        .rm1
        .get(&href_starting(&mine.body, "/employers?rm=\""))
        .await;
    assert!(all.body.contains("PT Milik Agus") && all.body.contains("<strong>3</strong>"));
    // Supervisors see the whole unit by default.
    assert!(
        tm.sup
            .get("/employers")
            .await
            .body
            .contains("<strong>3</strong>")
    );

    // Filtered live (htmx swaps #results only): the export links come with the results, so the
    // file holds the filtered rows and nothing else.
    let partial = tm
        .rm1
        .get_with("/employers?q=&status=inactive", &[("hx-request", "true")])
        .await;
    assert!(!partial.body.contains("<html"));
    let csv_link = href_starting(&partial.body, "/employers/export.csv?");
    assert!(csv_link.contains("status=inactive"), "{csv_link}");
    let (status, _, bytes) = tm.rm1.get_bytes(&csv_link).await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let names: Vec<String> = reader.records().map(|r| r.unwrap()[2].to_owned()).collect();
    assert_eq!(names, ["PT Portofolio Dua"]);
    // The audit trail records the filters the file was made with, the RM's default included.
    let filters: String = sqlx::query_scalar(
        "select changes->'filters'->>'new' from audit_events where action = 'employer.exported'",
    )
    .fetch_one(&tm.app.admin)
    .await
    .unwrap();
    assert!(
        filters.contains("status=inactive") && filters.contains("rm="),
        "{filters}"
    );
}

#[tokio::test]
async fn the_list_sorts_by_the_last_bod1_meeting_longest_without_one_first() {
    let tm = team().await;
    let (met, person) = employer_with_person(&tm.rm1, "PT Sudah Bertemu", "bod").await;
    employer_with_person(&tm.rm1, "PT Belum Pernah", "bod").await;
    log_meeting(&tm.rm1, met, &[("attendees", &person.to_string())]).await;
    let page = tm.rm1.get("/employers?sort=last_met").await;
    let never = page.body.find("PT Belum Pernah").unwrap();
    let once = page.body.find("PT Sudah Bertemu").unwrap();
    assert!(never < once, "never met comes first");
    assert!(page.body.contains(&msg("employer.never_met")));
    assert!(
        page.body.contains("16 Nov 2026"),
        "the meeting's day is shown"
    );
}

#[tokio::test]
async fn the_list_finds_the_employers_nobody_looks_after() {
    let tm = team().await;
    create(&tm.sup, "PT Tanpa RM", &[]).await;
    create(&tm.rm1, "PT Punya RM", &[]).await;
    let page = tm.sup.get("/employers?rm=none").await.body;
    assert!(
        page.contains("PT Tanpa RM") && !page.contains("PT Punya RM"),
        "{page}"
    );
}

#[tokio::test]
async fn the_list_finds_initials_short_names_npp_digits_and_corrects_one_letter() {
    let tm = team().await;
    let institution = [
        ("segment", "institution"),
        ("institution_type", "agency"),
        ("ownership", "government"),
    ];
    let (r, brin) = create(
        &tm.sup,
        "Badan Riset dan Inovasi Nasional",
        &[institution.as_slice(), &[("npp", "10005123")]].concat(),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (r, kai) = create(
        &tm.sup,
        "PT Kereta Api Indonesia (Persero)",
        &[("npp", "20051999"), ("short_name", " KAI ")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (r, telkom) = create(
        &tm.sup,
        "PT Telekomunikasi Indonesia Tbk",
        &[("short_name", "Telkom Group")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    create(&tm.sup, "Bengkel 0051 Motor", &[]).await;
    create(&tm.sup, "PT Sinar Kencana Abadi", &[("npp", "30000001")]).await;
    let (brin, kai, telkom) = (brin.unwrap(), kai.unwrap(), telkom.unwrap());

    let found = |r: &Resp| {
        [
            "Badan Riset",
            "Kereta Api",
            "Telekomunikasi",
            "Bengkel 0051",
            "Sinar Kencana",
        ]
        .map(|n| r.body.contains(n))
    };
    let list = |q: &'static str| {
        let c = &tm.rm1;
        async move { c.get(&format!("/employers?rm=&q={q}")).await }
    };
    assert_eq!(
        found(&list("BRIN").await),
        [true, false, false, false, false],
        "initials without the connecting word"
    );
    assert_eq!(
        found(&list("bri").await),
        [false; 5],
        "initials match whole, not by their beginning"
    );
    assert_eq!(
        found(&list("kai").await),
        [false, true, false, false, false],
        "short name, and initials without the legal form"
    );
    assert_eq!(
        found(&list("telk").await),
        [false, false, true, false, false],
        "a short name's word by its beginning"
    );
    assert_eq!(
        found(&list("telkomgroup").await),
        [false, false, true, false, false],
        "the short name written together"
    );
    assert_eq!(
        found(&list("0051").await),
        [true, true, false, true, false],
        "NPP digits anywhere, and a name word of digits"
    );
    assert_eq!(
        found(&list("5123").await),
        [true, false, false, false, false],
        "the end of an NPP"
    );
    assert_eq!(
        found(&list("kereta+0051").await),
        [false, true, false, false, false],
        "a name word and NPP digits together"
    );
    assert_eq!(
        found(&list("51").await),
        [false; 5],
        "two digits are too few for NPPs"
    );
    // The short name shows beside the name in the list and on the page.
    assert!(list("kai").await.body.contains("(KAI)"));
    let page = tm.rm1.get(&format!("/employers/{kai}")).await.body;
    assert!(page.contains(&msg("employer.short_name")) && page.contains("KAI"));

    // One letter off: the results are for the corrected word, and the page says so.
    let r = list("kencna").await;
    assert_eq!(found(&r), [false, false, false, false, true]);
    let said = esc(&Lang::Id.tf(
        "search.corrected",
        &[("typed", "kencna"), ("shown", "kencana")],
    ));
    assert!(r.body.contains(&said), "{}", r.body);
    let r = list("sinar+kencna").await;
    assert_eq!(found(&r), [false, false, false, false, true]);
    assert!(r.body.contains(&said));
    assert!(
        !list("kencana").await.body.contains(&said),
        "no message when the words match"
    );
    assert_eq!(
        found(&list("kencna+bengkel").await),
        [false; 5],
        "a correction must still match every word"
    );
    tm.rm1
        .post("/language", &[("lang", "en"), ("next", "/employers")])
        .await;
    let r = list("kencna").await;
    assert!(r.body.contains(&esc(&Lang::En.tf(
        "search.corrected",
        &[("typed", "kencna"), ("shown", "kencana")],
    ))));

    // A changed short name and NPP change what finds the employer, and the history records it.
    let r = tm
        .sup
        .post(
            &format!("/employers/{telkom}"),
            &[
                ("name", "PT Telekomunikasi Indonesia Tbk"),
                ("short_name", "TLKM"),
                ("npp", "40009999"),
                ("segment", "corporate"),
                ("ownership", "private_domestic"),
                ("status", "active"),
                ("stage", "approach"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!found(&list("telk").await)[2]);
    assert!(found(&list("tlkm").await)[2]);
    assert!(found(&list("0009").await)[2]);
    let change: Option<String> = sqlx::query_scalar(
        "select changes -> 'short_name' ->> 'new' from audit_events
          where entity_id = $1 and action = 'employer.updated'",
    )
    .bind(telkom)
    .fetch_one(&tm.app.admin)
    .await
    .unwrap();
    assert_eq!(change.as_deref(), Some("TLKM"));
    // Archived employers are searched in the archive only, by their keys too.
    let r = tm
        .sup
        .post(&format!("/employers/{brin}/archive"), &[("version", "1")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!found(&list("brin").await)[0]);
    assert!(found(&list("brin&archived=1").await)[0]);
    assert!(found(&list("10005&archived=1").await)[0]);

    // The export carries the short name beside the name.
    let (_, _, bytes) = tm.rm1.get_bytes("/employers/export.csv?rm=&q=tlkm").await;
    let text = String::from_utf8(bytes).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (&rows[0][2], &rows[0][3]),
        ("PT Telekomunikasi Indonesia Tbk", "TLKM")
    );
    let (_, _, bytes) = tm.rm1.get_bytes("/employers/export.csv?rm=&q=kencna").await;
    assert!(
        String::from_utf8(bytes).unwrap().contains("Sinar Kencana"),
        "the export holds what the list shows"
    );
}

#[tokio::test]
async fn a_short_name_longer_than_sixty_characters_is_refused() {
    let tm = team().await;
    let long = "x".repeat(61);
    let (r, _) = create(&tm.sup, "PT Panjang", &[("short_name", &long)]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&msg("error.too_long")));
    let n: i64 = sqlx::query_scalar("select count(*) from employers")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing written");
}

#[tokio::test]
async fn initials_leave_out_connecting_words_and_legal_forms() {
    let tm = team().await;
    for (name, initials) in [
        ("Badan Riset dan Inovasi Nasional", Some("brin")),
        ("PT Kereta Api Indonesia (Persero)", Some("kai")),
        ("PT. Bank Rakyat Indonesia (Persero) Tbk.", Some("bri")),
        ("Badan Pengawas Obat & Makanan", Some("bpom")),
        ("The Bank of Tokyo", Some("bt")),
        ("CV Sumber Makmur", Some("sm")),
        ("PT Telkom", None),
        ("Perum Bulog", None),
        ("PT 3 Serangkai", Some("3s")),
    ] {
        let got: Option<String> = sqlx::query_scalar("select name_initials($1)")
            .bind(name)
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
        assert_eq!(got.as_deref(), initials, "{name}");
    }
    let keys: Vec<String> = sqlx::query_scalar(
        "select unnest(employer_search_keys('Maju Jaya', 'PT Maju Jaya Logistik', '10000512')) order by 1",
    )
    .fetch_all(&tm.app.admin)
    .await
    .unwrap();
    assert_eq!(
        keys,
        [
            "0000512", "000512", "00512", "0512", "10000512", "512", "mj", "mjl"
        ],
        "the initials of both names and every NPP suffix of three digits or more"
    );
}

#[tokio::test]
async fn the_list_names_rms_and_offices_its_pickers_do_not_offer() {
    // The list takes RM names and branch codes from the tenant's cached pickers, which hold only the
    // people who can be given a portfolio and the open offices. A viewer named as an employer's RM
    // (data from before a role change) and a closed office are named all the same.
    let tm = team().await;
    let id = create(&tm.rm1, "PT Kantor Tutup", &[]).await.1.unwrap();
    let viewer = tm
        .app
        .user(tm.t, "viewer@x.example", "Sari Pemantau", Role::Viewer)
        .await
        .0;
    let branch: Uuid = sqlx::query_scalar(
        "insert into branch_offices (tenant_id, id, code, name, archived_at, created_at, updated_at)
         values ($1, gen_random_uuid(), 'KC-TUTUP', 'Ditutup', now(), now(), now()) returning id",
    )
    .bind(tm.t.0)
    .fetch_one(&tm.app.admin)
    .await
    .unwrap();
    sqlx::query("update employers set rm_id = $2, branch_id = $3 where id = $1")
        .bind(id)
        .bind(viewer)
        .bind(branch)
        .execute(&tm.app.admin)
        .await
        .unwrap();
    for path in [
        "/employers",
        "/employers?q=kantor",
        "/employers?sort=updated",
    ] {
        let page = tm.sup.get(path).await.body;
        let row = page
            .split("<tr")
            .find(|r| r.contains("PT Kantor Tutup"))
            .unwrap_or_else(|| panic!("{path}: {page}"));
        assert!(
            row.contains("Sari Pemantau") && row.contains("KC-TUTUP"),
            "{path}: {row}"
        );
    }
    // The people the pickers do hold are named from them.
    let mine = create(&tm.rm1, "PT Punya Dewi", &[]).await.1.unwrap();
    let page = tm.sup.get("/employers?q=dewi").await.body;
    let row = page
        .split("<tr")
        .find(|r| r.contains(&mine.to_string()))
        .unwrap_or_else(|| panic!("{page}"));
    assert!(row.contains("Dewi RM"), "{row}");
    // Every order the list offers works, and the RM order is by the RM's name.
    create(&tm.rm2, "PT Punya Agus", &[]).await;
    for sort in ["name", "npp", "rm", "last_met", "arrears", "updated"] {
        let r = tm.sup.get(&format!("/employers?sort={sort}")).await;
        assert_eq!(r.status, 200, "{sort}: {}", r.body);
        assert!(r.body.contains("PT Kantor Tutup"), "{sort}");
    }
    let page = tm.sup.get("/employers?sort=rm").await.body;
    let at = |name: &str| page.find(name).unwrap_or_else(|| panic!("{name}: {page}"));
    assert!(
        at("PT Punya Agus") < at("PT Punya Dewi") && at("PT Punya Dewi") < at("PT Kantor Tutup"),
        "Agus RM, Dewi RM, then Sari Pemantau"
    );
}
