//! "My month" and the supervisor's overview through HTTP: whose month a person may open, what counts
//! toward it, what leads the page, and months looked back on.

use uuid::Uuid;

use crate::fixtures::{create, employer_with_person, log_meeting, msg, team};

#[tokio::test]
async fn supervisors_open_any_rms_month_and_rms_only_their_own() {
    let tm = team().await;
    let (e, p) = employer_with_person(&tm.rm2, "PT Portofolio Agus", "bod").await;
    log_meeting(&tm.rm2, e, &[("attendees", &p.to_string())]).await;
    let r = tm.sup.get(&format!("/my-month?rm={}", tm.rm2_id)).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Bulan Agus RM"));
    assert!(r.body.contains("Bertemu 1 dari 1 pemberi kerja aktif"));
    assert_eq!(
        tm.rm1
            .get(&format!("/my-month?rm={}", tm.rm2_id))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn my_month_leads_with_todays_work_counts_active_employers_and_looks_back() {
    let tm = team().await;
    let (active, person) = employer_with_person(&tm.rm1, "PT Aktif Sekali", "bod").await;
    create(&tm.rm1, "PT Calon Peserta", &[("status", "prospect")]).await;
    create(&tm.rm1, "PT Sudah Tidak Aktif", &[("status", "inactive")]).await;
    let rm1: Uuid = sqlx::query_scalar("select id from users where email = 'rm1@x.example'")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    log_meeting(
        &tm.rm1,
        active,
        &[
            ("attendees", &person.to_string()),
            ("follow_up_title", "Kirim simulasi iuran"),
            ("follow_up_assignee", &rm1.to_string()),
            ("follow_up_due_on", "2026-11-18"),
        ],
    )
    .await;
    let page = tm.rm1.get("/my-month").await.body;
    // Only active employers count toward the month; the others are listed apart with their status.
    assert!(
        page.contains("Bertemu 1 dari 1 pemberi kerja aktif"),
        "{page}"
    );
    let others = page.find(&msg("month.others")).expect("listed apart");
    assert!(
        page[others..].contains("PT Calon Peserta")
            && page[others..].contains("PT Sudah Tidak Aktif")
    );
    // Today's work comes before the portfolio.
    let due = page.find("Kirim simulasi iuran").unwrap();
    let portfolio = page.find("id=\"portfolio-h\"").unwrap();
    assert!(due < portfolio, "follow-ups due lead the page");

    // Next month the same meeting counts for November, not for December.
    tm.app.clock.advance(chrono::Duration::days(20));
    let rm1_again = tm.app.signed_in("rm1@x.example").await;
    let december = rm1_again.get("/my-month").await.body;
    assert!(
        december.contains("Bertemu 0 dari 1 pemberi kerja aktif"),
        "{december}"
    );
    assert!(december.contains("href=\"/my-month?month=2026-11\""));
    let november = rm1_again.get("/my-month?month=2026-11").await.body;
    assert!(
        november.contains("Bertemu 1 dari 1 pemberi kerja aktif"),
        "{november}"
    );
    assert!(november.contains(&msg("month.looking_back")));
    assert!(
        !november.contains("Kirim simulasi iuran"),
        "today's work stays on the current month"
    );
    // A meeting later than the month looked back on does not hide that month's meeting.
    log_meeting(
        &rm1_again,
        active,
        &[
            ("attendees", &person.to_string()),
            ("starts_at", "2026-12-06T08:00"),
        ],
    )
    .await;
    let november = rm1_again.get("/my-month?month=2026-11").await.body;
    assert!(
        november.contains("Bertemu 1 dari 1 pemberi kerja aktif"),
        "{november}"
    );
    // A month in the future or a made-up one shows the current month.
    assert!(
        rm1_again
            .get("/my-month?month=2027-05")
            .await
            .body
            .contains("Desember 2026")
    );
}

#[tokio::test]
async fn the_supervisors_home_shows_every_rms_month_and_no_unbuilt_sections() {
    let tm = team().await;
    let (e, person) = employer_with_person(&tm.rm1, "PT Ditemui Bulan Ini", "bod").await;
    log_meeting(&tm.rm1, e, &[("attendees", &person.to_string())]).await;
    employer_with_person(&tm.rm2, "PT Belum Ditemui", "bod").await;
    let home = tm.sup.get("/dashboard").await;
    assert_eq!(home.status, 200);
    assert!(
        home.body.contains("Bertemu 1 dari 2 pemberi kerja aktif"),
        "{}",
        home.body
    );
    let agus = home.body.find("Agus RM").unwrap();
    let dewi = home.body.find("Dewi RM").unwrap();
    assert!(agus < dewi, "the least covered RM first");
    assert!(home.body.contains(&format!("/my-month?rm={}", tm.rm2_id)));
    // Nothing claims a module is missing, and the employer page shows no empty promises.
    let employer = tm.sup.get(&format!("/employers/{e}")).await.body;
    assert!(!employer.contains("id=\"flags\""));
    assert!(employer.contains("id=\"letters\""), "the letters section");
    assert_eq!(tm.rm1.get("/dashboard").await.status, 403);
}
