//! The calendar feed through HTTP: secret, personal, regenerated, and well-formed.

use crate::fixtures::{employer_with_person, feed_url, hex, log_meeting, msg, post_meeting, team};

#[tokio::test]
async fn the_calendar_feed_is_secret_personal_and_dies_when_regenerated() {
    let tm = team().await;
    let (e, _) = employer_with_person(&tm.rm1, "PT Kalender Rapat", "bod").await;
    log_meeting(
        &tm.rm1,
        e,
        &[
            ("status", "planned"),
            ("starts_at", "2026-11-20T10:00"),
            ("summary", ""),
        ],
    )
    .await;
    let (e2, _) = employer_with_person(&tm.rm2, "PT Rapat Orang Lain", "bod").await;
    log_meeting(
        &tm.rm2,
        e2,
        &[
            ("status", "planned"),
            ("starts_at", "2026-11-21T10:00"),
            ("summary", ""),
        ],
    )
    .await;
    assert!(
        tm.rm1
            .get("/calendar")
            .await
            .body
            .contains(&msg("calendar.none_yet"))
    );
    let made = tm.rm1.post("/calendar/regenerate", &[]).await;
    assert_eq!(made.status, 200);
    let url = feed_url(&made.body);
    let anonymous = tm.app.client();
    let path = url
        .split_once("/calendar/")
        .map(|(_, p)| format!("/calendar/{p}"))
        .unwrap();
    let (status, content_type, body) = anonymous.get_bytes(&path).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    let ics = String::from_utf8(body).unwrap();
    assert!(ics.contains("BEGIN:VCALENDAR"));
    assert!(ics.contains("PT Kalender Rapat"));
    assert!(ics.contains("DTSTART:20261120T030000Z"), "{ics}");
    assert!(
        !ics.contains("PT Rapat Orang Lain"),
        "nothing of other users"
    );

    // A wrong secret, or the right one under another tenant, finds nothing.
    let (tenant, file) = path
        .trim_start_matches("/calendar/")
        .split_once('/')
        .unwrap();
    let wrong = format!("/calendar/{tenant}/{}.ics", "0".repeat(64));
    assert_eq!(anonymous.get(&wrong).await.status, 404);
    let other = tm.app.tenant("lain", "Unit Lain").await;
    assert_eq!(
        anonymous
            .get(&format!("/calendar/{other}/{file}"))
            .await
            .status,
        404
    );
    assert_eq!(
        anonymous
            .get(&format!("/calendar/{tenant}/nonsense"))
            .await
            .status,
        404
    );

    let again = tm.rm1.post("/calendar/regenerate", &[]).await;
    let new_path = feed_url(&again.body)
        .split_once("/calendar/")
        .map(|(_, p)| format!("/calendar/{p}"))
        .unwrap();
    assert_ne!(new_path, path);
    assert_eq!(
        anonymous.get(&path).await.status,
        404,
        "the old link is dead"
    );
    assert_eq!(anonymous.get(&new_path).await.status, 200);
    let stored: Vec<u8> = sqlx::query_scalar("select secret_hash from calendar_feeds")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert!(!new_path.contains(&hex(&stored)), "only a hash is stored");
    let regenerations = tm
        .app
        .audit_actions(tm.t)
        .await
        .into_iter()
        .filter(|a| a == "calendar.regenerated")
        .count();
    assert_eq!(regenerations, 2);
}

#[tokio::test]
async fn the_calendar_feed_never_carries_a_bare_carriage_return() {
    let tm = team().await;
    let (e, person) = employer_with_person(&tm.rm1, "PT Kalender Bersih", "bod").await;
    let person = person.to_string();
    let r = post_meeting(
        &tm.rm1,
        "/meetings",
        e,
        &[
            ("status", "planned"),
            ("starts_at", "2026-11-20T10:00"),
            ("summary", ""),
            ("attendees", &person),
            ("location", "Ruang\rRapat"),
        ],
    )
    .await;
    assert_eq!(r.status, 422, "a CR in one line is refused");
    let r = post_meeting(
        &tm.rm1,
        "/meetings",
        e,
        &[
            ("status", "planned"),
            ("starts_at", "2026-11-20T10:00"),
            ("summary", ""),
            ("attendees", &person),
            ("location", "Ruang Rapat"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // A row written before this rule (or by another program) may still hold one.
    sqlx::query("update meetings set location = 'Ruang A' || chr(13) || 'X-INJECTED:1'")
        .execute(&tm.app.admin)
        .await
        .unwrap();
    let made = tm.rm1.post("/calendar/regenerate", &[]).await;
    let url = feed_url(&made.body);
    let path = format!("/calendar/{}", url.split_once("/calendar/").unwrap().1);
    let (status, _, body) = tm.app.client().get_bytes(&path).await;
    assert_eq!(status, 200);
    let bare = body
        .windows(2)
        .filter(|w| w[0] == b'\r' && w[1] != b'\n')
        .count();
    assert_eq!(bare, 0);
    let text = String::from_utf8(body).unwrap();
    assert!(!text.contains("\r\nX-INJECTED"), "{text}");
    assert!(text.contains("Ruang A\\nX-INJECTED:1"), "{text}");
}

#[tokio::test]
async fn feed_events_carry_the_brief_the_attendees_and_an_all_day_end_on_the_next_day() {
    let tm = team().await;
    let (e, person) = employer_with_person(&tm.rm1, "PT Agenda Lengkap", "bod").await;
    let rm1: uuid::Uuid = sqlx::query_scalar("select id from users where email = 'rm1@x.example'")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    let held = log_meeting(
        &tm.rm1,
        e,
        &[
            ("attendees", &person.to_string()),
            ("follow_up_title", "Kirim draf PKS"),
            ("follow_up_assignee", &rm1.to_string()),
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
            ("attendees", &person.to_string()),
        ],
    )
    .await;
    let made = tm.rm1.post("/calendar/regenerate", &[]).await;
    let url = feed_url(&made.body);
    // The page offers the link three ways: copied, opened as webcal, scanned.
    assert!(made.body.contains("data-copy=\"#feed-url\""));
    assert!(made.body.contains("href=\"webcal://"));
    assert!(made.body.contains("<svg"));
    let path = url
        .split_once("/calendar/")
        .map(|(_, p)| format!("/calendar/{p}"))
        .unwrap();
    let (_, _, body) = tm.app.client().get_bytes(&path).await;
    let ics = String::from_utf8(body).unwrap().replace("\r\n ", "");
    assert!(ics.contains("DTSTART;VALUE=DATE:20261118"), "{ics}");
    assert!(ics.contains("DTEND;VALUE=DATE:20261119"), "{ics}");
    assert!(
        ics.contains(&format!("/employers/{e}/brief?meeting={planned}")),
        "{ics}"
    );
    assert!(ics.contains("Rudi Hartanto"), "the attendees: {ics}");
    assert!(
        ics.contains(&format!("/meetings/{held}")),
        "the follow-up's meeting: {ics}"
    );
}
