//! Follow-ups through HTTP: the list by assignee and due window, done and reopened.

use uuid::Uuid;

use crate::fixtures::{Team, employer_with_person, msg, team};
use crate::helpers::Client;

/// The id of the team's first RM.
async fn rm1_id(tm: &Team) -> Uuid {
    sqlx::query_scalar("select id from users where email = 'rm1@x.example'")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap()
}

/// A follow-up for `employer` made through its form, assigned to `assignee`.
async fn promise(c: &Client, employer: Uuid, assignee: Uuid, title: &str, due: &str) {
    let r = c
        .post(
            &format!("/employers/{employer}/follow-ups"),
            &[
                ("title", title),
                ("assignee", &assignee.to_string()),
                ("due_on", due),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

#[tokio::test]
async fn follow_ups_are_listed_done_and_overdue_by_their_assignee() {
    let tm = team().await;
    let (e, _) = employer_with_person(&tm.rm1, "PT Janji Tepat", "bod").await;
    let rm1 = rm1_id(&tm).await;
    promise(&tm.rm1, e, rm1, "Kirim simulasi iuran JKP", "2026-11-19").await;
    let week = tm.rm1.get("/follow-ups?scope=mine&when=week").await;
    assert!(week.body.contains("Kirim simulasi iuran JKP"));
    assert!(
        !tm.rm1
            .get("/follow-ups?when=overdue")
            .await
            .body
            .contains("Kirim simulasi")
    );
    assert!(
        tm.rm1
            .get("/my-month")
            .await
            .body
            .contains("Kirim simulasi iuran JKP")
    );
    // A week later it is overdue (and the sessions have expired).
    tm.app.clock.advance(chrono::Duration::days(7));
    let rm1_client = tm.app.signed_in("rm1@x.example").await;
    let rm2_client = tm.app.signed_in("rm2@x.example").await;
    let sup_client = tm.app.signed_in("sup@x.example").await;
    let overdue = rm1_client.get("/follow-ups?when=overdue").await;
    assert!(overdue.body.contains("Kirim simulasi iuran JKP"));
    assert!(overdue.body.contains(&msg("follow_up.overdue")));
    let (id, version): (Uuid, i32) = sqlx::query_as("select id, version from follow_ups")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    let v = version.to_string();
    assert_eq!(
        rm2_client
            .post(&format!("/follow-ups/{id}/done"), &[("version", &v)])
            .await
            .status,
        403
    );
    let r = rm1_client
        .post(&format!("/follow-ups/{id}/done"), &[("version", &v)])
        .await;
    assert_eq!(r.status, 303);
    let done_by: Option<Uuid> = sqlx::query_scalar("select done_by from follow_ups")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(done_by, Some(rm1));
    assert!(
        !rm1_client
            .get("/follow-ups?when=overdue")
            .await
            .body
            .contains("Kirim simulasi")
    );
    assert!(
        rm1_client
            .get("/follow-ups?when=done")
            .await
            .body
            .contains("Kirim simulasi")
    );
    // The supervisor sees it among the team's.
    assert!(
        sup_client
            .get("/follow-ups?scope=team&when=done")
            .await
            .body
            .contains("Kirim simulasi")
    );
    let actions = tm.app.audit_actions(tm.t).await;
    assert!(actions.contains(&"follow_up.done".to_owned()));
}

#[tokio::test]
async fn the_employer_page_lists_open_follow_ups_soonest_first_then_the_latest_done() {
    let tm = team().await;
    let (e, _) = employer_with_person(&tm.rm1, "PT Urutan Janji", "bod").await;
    let rm1 = rm1_id(&tm).await;
    for (title, due) in [
        ("Janji A", "2026-12-20"),
        ("Janji B", "2026-12-25"),
        ("Janji C", "2026-12-18"),
        ("Janji D", "2026-12-30"),
    ] {
        promise(&tm.rm1, e, rm1, title, due).await;
    }
    // C is done first, A a minute later: A is the latest done.
    for title in ["Janji C", "Janji A"] {
        let (id, version): (Uuid, i32) =
            sqlx::query_as("select id, version from follow_ups where title = $1")
                .bind(title)
                .fetch_one(&tm.app.admin)
                .await
                .unwrap();
        let r = tm
            .rm1
            .post(
                &format!("/follow-ups/{id}/done"),
                &[("version", &version.to_string())],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        tm.app.clock.advance(chrono::Duration::minutes(1));
    }
    let page = tm.rm1.get(&format!("/employers/{e}")).await.body;
    let at = |t: &str| page.find(t).unwrap_or_else(|| panic!("{t} missing"));
    assert!(at("Janji B") < at("Janji D"), "open ones soonest due first");
    assert!(at("Janji D") < at("Janji A"), "open ones before done ones");
    assert!(at("Janji A") < at("Janji C"), "done ones latest first");
}
