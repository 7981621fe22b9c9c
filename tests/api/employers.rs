//! Employers, key persons and supply-chain links through HTTP, checked in the database.

use relasi::employers::domain::luhn_check_digit;
use relasi::tenancy::domain::{Role, TenantId};
use relasi::web::i18n::Lang;
use uuid::Uuid;

use crate::helpers::{Client, Resp, TestApp, spawn_app};

/// A tenant with an admin, a supervisor and two RMs, all signed in.
pub struct Team {
    pub app: TestApp,
    pub t: TenantId,
    pub admin: Client,
    pub sup: Client,
    pub rm1: Client,
    pub rm2: Client,
    pub rm2_id: Uuid,
}

pub async fn team() -> Team {
    let app = spawn_app().await;
    let t = app.tenant("kanwil", "Kanwil DKI").await;
    app.user(t, "admin@x.example", "Rina Admin", Role::Admin)
        .await;
    app.user(t, "sup@x.example", "Bambang Supervisor", Role::Supervisor)
        .await;
    app.user(t, "rm1@x.example", "Dewi RM", Role::Rm).await;
    let rm2_id = app.user(t, "rm2@x.example", "Agus RM", Role::Rm).await.0;
    let admin = app.signed_in("admin@x.example").await;
    let sup = app.signed_in("sup@x.example").await;
    let rm1 = app.signed_in("rm1@x.example").await;
    let rm2 = app.signed_in("rm2@x.example").await;
    Team {
        app,
        t,
        admin,
        sup,
        rm1,
        rm2,
        rm2_id,
    }
}

/// A valid 15-digit NPWP built around `first8`.
pub fn npwp(first8: &str) -> String {
    format!("{first8}{}412000", luhn_check_digit(first8))
}

const BASE: [(&str, &str); 5] = [
    ("segment", "corporate"),
    ("ownership", "private_domestic"),
    ("status", "active"),
    ("stage", "approach"),
    ("version", "0"),
];

/// Creates an employer from the form; returns the response and the new id on success.
pub async fn create(c: &Client, name: &str, extra: &[(&str, &str)]) -> (Resp, Option<Uuid>) {
    let mut form: Vec<(&str, &str)> = BASE
        .into_iter()
        .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
        .collect();
    form.push(("name", name));
    form.extend_from_slice(extra);
    let r = c.post("/employers", &form).await;
    let id = r
        .location()
        .strip_prefix("/employers/")
        .and_then(|s| s.parse().ok());
    (r, id)
}

async fn scalar_text(app: &TestApp, sql: &'static str, id: Uuid) -> Option<String> {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.admin)
        .await
        .unwrap()
}

/// Text as the templates escape it.
fn esc(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

fn msg(key: &str) -> String {
    esc(Lang::Id.t(key))
}

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
        names(&tm.rm1.get("/employers?q=sent").await),
        [true, false, false],
        "a word's beginning is enough"
    );
    assert_eq!(
        names(&tm.rm1.get("/employers?q=abadi+sento").await),
        [true, false, false],
        "every word must match"
    );
    assert_eq!(
        names(&tm.rm1.get("/employers?q=33334444").await),
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
        names(&tm.rm1.get(&format!("/employers?q={punctuated}")).await),
        [false, true, false]
    );
    assert_eq!(
        names(&tm.rm1.get("/employers?status=inactive").await),
        [false, true, false]
    );
    assert_eq!(
        names(
            &tm.rm1
                .get("/employers?segment=institution&institution_type=ministry")
                .await
        ),
        [false, false, true]
    );
    assert_eq!(
        names(&tm.rm1.get("/employers?q=nothingmatches").await),
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
        .get_with("/employers?q=maju", &[("hx-request", "true")])
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

    let (status, kind, bytes) = tm.rm1.get_bytes("/employers/export.csv").await;
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
        rows.iter().any(|r| &r[15] == "'@SUM(A1)"),
        "cities neutralised too"
    );

    let (status, _, bytes) = tm.rm1.get_bytes("/employers/export.xlsx?q=hyperlink").await;
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

#[tokio::test]
async fn key_persons_have_one_primary_no_reporting_loop_and_can_leave() {
    let tm = team().await;
    let (_, eid) = create(&tm.rm1, "PT Tokoh", &[]).await;
    let eid = eid.unwrap();
    let add = |name: &'static str, level: &'static str, primary: bool| {
        let mut f = vec![
            ("full_name", name),
            ("level", level),
            ("influence", "4"),
            ("legal_basis", "legitimate_interest"),
            ("version", "0"),
        ];
        if primary {
            f.push(("is_primary", "1"));
        }
        f
    };
    assert_eq!(
        tm.rm1
            .post(
                &format!("/employers/{eid}/key-persons"),
                &add("Hendra Wijaya", "bod", true)
            )
            .await
            .status,
        303
    );
    assert_eq!(
        tm.rm1
            .post(
                &format!("/employers/{eid}/key-persons"),
                &add("Siti Rahma", "manager", true)
            )
            .await
            .status,
        303
    );
    let primaries: Vec<String> =
        sqlx::query_scalar("select full_name from key_persons where is_primary")
            .fetch_all(&tm.app.admin)
            .await
            .unwrap();
    assert_eq!(
        primaries,
        ["Siti Rahma"],
        "the mark moved to the newest primary"
    );
    // The database itself refuses a second primary.
    let dup =
        sqlx::query("update key_persons set is_primary = true where full_name = 'Hendra Wijaya'")
            .execute(&tm.app.admin)
            .await;
    assert!(
        dup.unwrap_err()
            .to_string()
            .contains("key_persons_one_primary")
    );

    let id_of = |name: &'static str| {
        let admin = tm.app.admin.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>("select id from key_persons where full_name = $1")
                .bind(name)
                .fetch_one(&admin)
                .await
                .unwrap()
        }
    };
    let hendra = id_of("Hendra Wijaya").await;
    let siti = id_of("Siti Rahma").await;
    let edit = |reports_to: Uuid, name: &'static str, level: &'static str| {
        vec![
            ("full_name", name.to_owned()),
            ("level", level.into()),
            ("influence", "4".into()),
            ("legal_basis", "legitimate_interest".into()),
            ("reports_to_id", reports_to.to_string()),
            ("version", "1".into()),
        ]
    };
    let f = edit(hendra, "Siti Rahma", "manager");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // Siti's version is 1 (created) → 1; reports to Hendra.
    let r = tm.rm1.post(&format!("/key-persons/{siti}"), &f).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let f = edit(siti, "Hendra Wijaya", "bod");
    let mut f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    f.retain(|(k, _)| *k != "version");
    f.push(("version", "2"));
    let r = tm.rm1.post(&format!("/key-persons/{hendra}"), &f).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&msg("key_person.reports_to_cycle")));

    // Hendra (the only BOD) leaves: he moves to "former" and the page warns.
    let r = tm
        .rm1
        .post(
            &format!("/key-persons/{hendra}/left"),
            &[
                ("left_on", "2026-11-10"),
                ("left_reason", "Pensiun"),
                ("moved_to_text", "PT Lain"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = tm.rm1.get(&format!("/employers/{eid}")).await;
    assert!(page.body.contains(&msg("employer.no_decision_contact")));
    assert!(page.body.contains("Pensiun"));
    assert!(
        tm.app
            .audit_actions(tm.t)
            .await
            .iter()
            .any(|a| a == "key_person.left")
    );
    // A date after today is refused.
    let r = tm
        .rm1
        .post(
            &format!("/key-persons/{siti}/left"),
            &[("left_on", "2027-01-01"), ("version", "2")],
        )
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn erasure_removes_personal_data_from_the_row_and_the_trail_but_keeps_history() {
    let tm = team().await;
    let (_, eid) = create(&tm.sup, "PT Privasi", &[]).await;
    let eid = eid.unwrap();
    let r = tm
        .sup
        .post(
            &format!("/employers/{eid}/key-persons"),
            &[
                ("full_name", "Ratna Kusumadewi"),
                ("email", "ratna@privasi.example"),
                ("phone", "0812 1111 2222"),
                ("level", "bod_minus_one"),
                ("influence", "4"),
                ("legal_basis", "consent"),
                ("consent_at", "2026-11-01T09:30"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id: Uuid = sqlx::query_scalar("select id from key_persons")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(
        tm.sup
            .get(&format!("/key-persons/{id}/export.json"))
            .await
            .status,
        403,
        "admins only"
    );
    let export = tm
        .admin
        .get(&format!("/key-persons/{id}/export.json"))
        .await;
    assert_eq!(export.status, 200);
    let json: serde_json::Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(json["person"]["email"], "ratna@privasi.example");
    assert_eq!(json["person"]["phone"], "+6281211112222");

    let events_before: i64 =
        sqlx::query_scalar("select count(*) from audit_events where entity_id = $1")
            .bind(id)
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
    let version: i32 = sqlx::query_scalar("select version from key_persons where id = $1")
        .bind(id)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    let v = version.to_string();
    let confirmed = [("confirm", "yes"), ("version", v.as_str())];
    assert_eq!(
        tm.sup
            .post(&format!("/key-persons/{id}/erase"), &confirmed)
            .await
            .status,
        403
    );
    // Without the ticked box, or from a stale page, nothing is erased.
    let r = tm
        .admin
        .post(
            &format!("/key-persons/{id}/erase"),
            &[("version", v.as_str())],
        )
        .await;
    assert_eq!(r.status, 303);
    let stale = (version + 7).to_string();
    assert_eq!(
        tm.admin
            .post(
                &format!("/key-persons/{id}/erase"),
                &[("confirm", "yes"), ("version", stale.as_str())]
            )
            .await
            .status,
        409
    );
    let untouched: String = sqlx::query_scalar("select full_name from key_persons where id = $1")
        .bind(id)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_ne!(untouched, relasi::key_persons::domain::ERASED);
    assert_eq!(
        tm.admin
            .post(&format!("/key-persons/{id}/erase"), &confirmed)
            .await
            .status,
        303
    );
    let (name, email, phone): (String, Option<String>, Option<String>) =
        sqlx::query_as("select full_name, email, phone from key_persons where id = $1")
            .bind(id)
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
    assert_eq!(
        (name.as_str(), email, phone),
        (relasi::key_persons::domain::ERASED, None, None)
    );
    let trail: Vec<String> =
        sqlx::query_scalar("select changes::text from audit_events where tenant_id = $1")
            .bind(tm.t.0)
            .fetch_all(&tm.app.admin)
            .await
            .unwrap();
    let all = trail.join(" ");
    for secret in ["Ratna", "ratna@privasi.example", "6281211112222"] {
        assert!(!all.contains(secret), "{secret} left in the trail");
    }
    let events_after: i64 =
        sqlx::query_scalar("select count(*) from audit_events where entity_id = $1")
            .bind(id)
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
    assert_eq!(
        events_after,
        events_before + 1,
        "history kept; the erasure audited"
    );
    let page = tm.sup.get(&format!("/employers/{eid}")).await;
    assert!(!page.body.contains("Ratna"));
    assert!(
        tm.sup
            .get("/search?q=ratna")
            .await
            .body
            .contains(&esc(&Lang::Id.tf("search.nothing", &[("q", "ratna")])))
    );
}

#[tokio::test]
async fn supply_chains_link_both_ways_show_coverage_and_refuse_subsidiary_loops() {
    let tm = team().await;
    let a = create(
        &tm.sup,
        "PT Induk Persero",
        &[("npp", "70000001"), ("ownership", "state_owned")],
    )
    .await
    .1
    .unwrap();
    let b = create(&tm.sup, "PT Anak Satu", &[("npp", "70000002")])
        .await
        .1
        .unwrap();
    let c = create(&tm.sup, "PT Cucu Dua", &[("status", "prospect")])
        .await
        .1
        .unwrap();
    let link = |from: Uuid, side: &'static str, other: Uuid, relation: &'static str| {
        let sup = &tm.sup;
        async move {
            sup.post(
                &format!("/employers/{from}/links"),
                &[
                    ("side", side),
                    ("other_id", &other.to_string()),
                    ("relation", relation),
                    ("started_on", "2025-01-01"),
                ],
            )
            .await
        }
    };
    assert_eq!(link(a, "parent", b, "subsidiary").await.status, 303);
    // From the member's side: C names B as its parent.
    assert_eq!(link(c, "member", b, "subsidiary").await.status, 303);
    let r = link(c, "parent", a, "subsidiary").await;
    assert_eq!(r.status, 422, "A → B → C → A would be a loop");
    assert!(r.body.contains(&msg("link.cycle")));
    assert_eq!(
        link(c, "parent", a, "vendor").await.status,
        303,
        "other relations may run back up"
    );
    assert_eq!(
        link(a, "parent", b, "vendor").await.status,
        422,
        "already linked"
    );

    let page = tm.sup.get(&format!("/employers/{b}")).await;
    assert!(page.body.contains("PT Induk Persero") && page.body.contains("PT Cucu Dua"));
    // B's members: C only, a prospect without NPP: 0 of 1 covered.
    assert!(page.body.contains(&Lang::Id.tf(
        "link.coverage_value",
        &[("covered", "0"), ("members", "1"), ("percent", "0")]
    )));
    let link_id: Uuid = sqlx::query_scalar(
        "select id from supply_chain_links where parent_id = $1 and member_id = $2",
    )
    .bind(b)
    .bind(c)
    .fetch_one(&tm.app.admin)
    .await
    .unwrap();
    assert_eq!(
        tm.sup
            .post(
                &format!("/links/{link_id}/remove"),
                &[("version", "1"), ("from", &c.to_string())]
            )
            .await
            .status,
        303
    );
    let removed: bool =
        sqlx::query_scalar("select removed_at is not null from supply_chain_links where id = $1")
            .bind(link_id)
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
    assert!(removed, "removed, and kept for the history");
    let history = tm.sup.get(&format!("/employers/{c}")).await.body;
    assert!(
        history.contains(Lang::Id.t("audit.action.link_removed")),
        "the member's history shows it too"
    );
}
