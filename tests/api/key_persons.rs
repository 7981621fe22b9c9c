//! Key persons through HTTP: their page and contacts, one primary contact, no reporting loop, leaving
//! the company, and the personal-data export and erasure.

use relasi::web::i18n::Lang;
use uuid::Uuid;

use crate::fixtures::{create, employer_with_person, esc, msg, team};

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
async fn a_key_person_has_a_page_and_is_reached_in_one_tap_from_it_the_employer_and_the_brief() {
    let tm = team().await;
    let (e, person) = employer_with_person(&tm.rm1, "PT Kontak Cepat", "bod_minus_one").await;
    let saved = tm
        .rm1
        .post(
            &format!("/key-persons/{person}"),
            &[
                ("full_name", "Rudi Hartanto"),
                ("position_title", "HR Director"),
                ("level", "bod_minus_one"),
                ("influence", "4"),
                ("legal_basis", "legitimate_interest"),
                ("phone", "0812-3456-7890"),
                ("email", "rudi@kontak.example"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    for path in [
        format!("/key-persons/{person}"),
        format!("/employers/{e}"),
        format!("/employers/{e}/brief"),
    ] {
        let page = tm.sup.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        for link in [
            "href=\"tel:+6281234567890\"",
            "href=\"https://wa.me/6281234567890\"",
            "href=\"mailto:rudi@kontak.example\"",
        ] {
            assert!(page.body.contains(link), "{path} has {link}");
        }
    }
    // The employer page and the brief name the person with a link to their page.
    assert!(
        tm.rm1
            .get(&format!("/employers/{e}"))
            .await
            .body
            .contains(&format!("href=\"/key-persons/{person}\""))
    );
    // The brief shows the engagement stage and why it is paused.
    let brief = tm.rm1.get(&format!("/employers/{e}/brief")).await.body;
    assert!(brief.contains(&msg("stage.approach")), "{brief}");

    // Another tenant's person is not found.
    let other = tm.app.tenant("lain", "Kanwil Lain").await;
    tm.app
        .user(
            other,
            "luar@x.example",
            "Orang Luar",
            relasi::tenancy::domain::Role::Admin,
        )
        .await;
    let outsider = tm.app.signed_in("luar@x.example").await;
    assert_eq!(
        outsider.get(&format!("/key-persons/{person}")).await.status,
        404
    );
}
