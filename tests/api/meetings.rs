//! Meetings through HTTP: planning, logging, completing and cancelling, attendees, BOD-1 counting,
//! the employer's cadence marks, stale edits and the brief; checked in the database.

use uuid::Uuid;

use crate::fixtures::{
    add_person, create, employer_marks, employer_with_person, log_meeting, meeting_row, msg,
    post_meeting, team,
};

#[tokio::test]
async fn a_planned_meeting_is_completed_into_a_held_bod1_meeting_that_marks_the_employer_met() {
    let tm = team().await;
    let (e, person) = employer_with_person(&tm.rm1, "PT Sinar Abadi", "bod_minus_one").await;
    let month = tm.rm1.get("/my-month").await;
    assert!(
        month.body.contains("Bertemu 0 dari 1 pemberi kerja aktif"),
        "{}",
        month.body
    );

    let p = person.to_string();
    let id = log_meeting(
        &tm.rm1,
        e,
        &[
            ("status", "planned"),
            ("starts_at", "2026-11-18T10:00"),
            ("summary", ""),
            ("attendees", &p),
        ],
    )
    .await;
    let (status, decision_level, version, _) = meeting_row(&tm, id).await;
    assert_eq!(status, "planned");
    assert!(decision_level, "a BOD-1 attendee is recorded");
    let (last, next, _) = employer_marks(&tm, e).await;
    assert!(last.is_none(), "a planned meeting does not count");
    assert!(next.is_some());
    let month = tm.rm1.get("/my-month").await;
    assert!(month.body.contains("Bertemu 0 dari 1 pemberi kerja aktif"));
    assert!(
        month.body.contains(&format!("/meetings/{id}\"")),
        "planned list"
    );

    // Completing without a summary is refused, and the form comes back as typed.
    let path = format!("/meetings/{id}");
    let v = version.to_string();
    let r = post_meeting(
        &tm.rm1,
        &path,
        e,
        &[
            ("summary", ""),
            ("attendees", &p),
            ("version", &v),
            ("commitments", "Kirim daftar pekerja"),
        ],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&msg("meeting.summary_required")));
    assert!(r.body.contains("Kirim daftar pekerja"));
    assert_eq!(meeting_row(&tm, id).await.0, "planned");

    let r = post_meeting(&tm.rm1, &path, e, &[("attendees", &p), ("version", &v)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (status, decision_level, _, summary) = meeting_row(&tm, id).await;
    assert_eq!((status.as_str(), decision_level), ("held", true));
    assert_eq!(summary, "Rekonsiliasi data tenaga kerja");
    let (last, next, _) = employer_marks(&tm, e).await;
    assert!(last.is_some() && next.is_none());
    let month = tm.rm1.get("/my-month").await;
    assert!(
        month.body.contains("Bertemu 1 dari 1 pemberi kerja aktif"),
        "{}",
        month.body
    );
    let actions = tm.app.audit_actions(tm.t).await;
    assert!(actions.contains(&"meeting.planned".to_owned()));
    assert!(actions.contains(&"meeting.completed".to_owned()));
    // The employer page's timeline shows it with its attendee.
    let page = tm.rm1.get(&format!("/employers/{e}")).await;
    assert!(page.body.contains("Rekonsiliasi data tenaga kerja"));
    assert!(
        page.body.contains("Rudi Hartanto · "),
        "attendee on the timeline"
    );
}

#[tokio::test]
async fn a_meeting_with_only_a_manager_does_not_count_as_bod1() {
    let tm = team().await;
    let (e, person) = employer_with_person(&tm.rm1, "PT Karya Manajer", "manager").await;
    log_meeting(&tm.rm1, e, &[("attendees", &person.to_string())]).await;
    assert!(employer_marks(&tm, e).await.0.is_none());
    assert!(
        tm.rm1
            .get("/my-month")
            .await
            .body
            .contains("Bertemu 0 dari 1 pemberi kerja aktif")
    );
}

#[tokio::test]
async fn a_planned_meeting_is_cancelled_once() {
    let tm = team().await;
    let (e, _) = employer_with_person(&tm.rm1, "PT Batal Rapat", "bod").await;
    let id = log_meeting(
        &tm.rm1,
        e,
        &[
            ("status", "planned"),
            ("starts_at", "2026-11-20T14:00"),
            ("summary", ""),
        ],
    )
    .await;
    let r = tm
        .rm1
        .post(
            &format!("/meetings/{id}/cancel"),
            &[("reason", "Direksi ke luar kota"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(meeting_row(&tm, id).await.0, "cancelled");
    assert!(
        employer_marks(&tm, e).await.1.is_none(),
        "no planned meeting left"
    );
    let again = tm
        .rm1
        .post(&format!("/meetings/{id}/cancel"), &[("version", "2")])
        .await;
    assert_eq!(again.status, 409);
    assert!(
        tm.app
            .audit_actions(tm.t)
            .await
            .contains(&"meeting.cancelled".to_owned())
    );
}

#[tokio::test]
async fn a_new_key_person_and_a_follow_up_are_added_with_the_meeting_in_one_save() {
    let tm = team().await;
    let (r, e) = create(&tm.rm1, "PT Baru Kenal", &[]).await;
    assert_eq!(r.status, 303);
    let e = e.unwrap();
    let rm1_id: Uuid = sqlx::query_scalar("select id from users where email = 'rm1@x.example'")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    let assignee = rm1_id.to_string();
    let id = log_meeting(
        &tm.rm1,
        e,
        &[
            ("new_person_name", "Sari Wulandari"),
            ("new_person_title", "VP Human Capital"),
            ("new_person_level", "bod_minus_one"),
            ("commitments", "HC mengirim daftar pekerja kontrak"),
            ("follow_up_title", "Terima daftar pekerja kontrak"),
            ("follow_up_assignee", &assignee),
            ("follow_up_due_on", "2026-11-20"),
        ],
    )
    .await;
    let (_, decision_level, _, _) = meeting_row(&tm, id).await;
    assert!(decision_level, "the new BOD-1 person attended");
    let attendee: String = sqlx::query_scalar(
        "select k.full_name from meeting_attendees a join key_persons k on k.id = a.key_person_id where a.meeting_id = $1",
    )
    .bind(id)
    .fetch_one(&tm.app.admin)
    .await
    .unwrap();
    assert_eq!(attendee, "Sari Wulandari");
    let (meeting, title): (Option<Uuid>, String) =
        sqlx::query_as("select meeting_id, title from follow_ups where employer_id = $1")
            .bind(e)
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
    assert_eq!(meeting, Some(id));
    assert_eq!(title, "Terima daftar pekerja kontrak");
    let actions = tm.app.audit_actions(tm.t).await;
    for a in ["key_person.created", "meeting.logged", "follow_up.created"] {
        assert!(actions.contains(&a.to_owned()), "{a}");
    }
    assert!(employer_marks(&tm, e).await.0.is_some(), "met this month");

    // A refused form keeps the typed person and follow-up, and saves none of them.
    let r = post_meeting(
        &tm.rm1,
        "/meetings",
        e,
        &[
            ("summary", ""),
            ("new_person_name", "Joko Widodo Santoso"),
            ("new_person_level", "bod"),
            ("follow_up_title", "Jadwalkan sosialisasi"),
            ("follow_up_assignee", &assignee),
            ("follow_up_due_on", "2026-11-25"),
        ],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Joko Widodo Santoso") && r.body.contains("Jadwalkan sosialisasi"));
    let people: i64 = sqlx::query_scalar("select count(*) from key_persons where employer_id = $1")
        .bind(e)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(people, 1);
}

#[tokio::test]
async fn attendees_from_another_employer_or_tenant_are_refused_and_nothing_is_saved() {
    let tm = team().await;
    let (e, own) = employer_with_person(&tm.rm1, "PT Satu", "bod").await;
    let (_, stranger) = employer_with_person(&tm.rm1, "PT Dua", "bod").await;
    let r = post_meeting(
        &tm.rm1,
        "/meetings",
        e,
        &[("attendees", &stranger.to_string())],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&msg("meeting.attendee_invalid")));

    let other = tm.app.tenant("lain", "Unit Lain").await;
    tm.app
        .user(
            other,
            "admin-lain@x.example",
            "Admin Lain",
            relasi::tenancy::domain::Role::Admin,
        )
        .await;
    let foreign_admin = tm.app.signed_in("admin-lain@x.example").await;
    let (fe, foreign_person) = employer_with_person(&foreign_admin, "PT Asing", "bod").await;
    let r = post_meeting(
        &tm.rm1,
        "/meetings",
        e,
        &[("attendees", &foreign_person.to_string())],
    )
    .await;
    assert_eq!(r.status, 422);
    // Another tenant's employer is not found at all.
    let r = post_meeting(&tm.rm1, "/meetings", fe, &[]).await;
    assert_eq!(r.status, 404);
    let meetings: i64 = sqlx::query_scalar("select count(*) from meetings")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(meetings, 0);
    // The schema refuses it too: an attendee row must name a person of the meeting's employer.
    let id = log_meeting(&tm.rm1, e, &[("attendees", &own.to_string())]).await;
    let direct = sqlx::query(
        "insert into meeting_attendees (tenant_id, meeting_id, employer_id, key_person_id, level)
         select tenant_id, id, employer_id, $2, 'bod' from meetings where id = $1",
    )
    .bind(id)
    .bind(stranger)
    .execute(&tm.app.admin)
    .await;
    assert!(direct.is_err());
}

#[tokio::test]
async fn only_the_rm_who_logged_a_meeting_or_a_supervisor_changes_it() {
    let tm = team().await;
    let (e, p) = employer_with_person(&tm.rm1, "PT Milik Dewi", "bod").await;
    let p = p.to_string();
    let id = log_meeting(&tm.rm1, e, &[("attendees", &p)]).await;
    assert_eq!(
        tm.rm2.get(&format!("/meetings/{id}/edit")).await.status,
        403
    );
    let r = post_meeting(&tm.rm2, &format!("/meetings/{id}"), e, &[("attendees", &p)]).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        tm.rm2
            .post(&format!("/meetings/{id}/archive"), &[("version", "1")])
            .await
            .status,
        403
    );
    // Nor may another RM log a meeting for an employer outside their portfolio.
    assert_eq!(
        post_meeting(&tm.rm2, "/meetings", e, &[("attendees", &p)])
            .await
            .status,
        403
    );
    assert_eq!(
        tm.rm2
            .get(&format!("/meetings/new?employer={e}"))
            .await
            .status,
        403
    );
    // The page hides the controls.
    let page = tm.rm2.get(&format!("/meetings/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(&format!("/meetings/{id}/edit")));
    let r = post_meeting(
        &tm.sup,
        &format!("/meetings/{id}"),
        e,
        &[("attendees", &p), ("summary", "Dilengkapi supervisor")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Archiving takes it out of the cadence; a supervisor restores it.
    let r = tm
        .rm1
        .post(&format!("/meetings/{id}/archive"), &[("version", "2")])
        .await;
    assert_eq!(r.status, 303);
    assert!(employer_marks(&tm, e).await.0.is_none());
    assert_eq!(
        tm.rm1
            .post(&format!("/meetings/{id}/restore"), &[("version", "3")])
            .await
            .status,
        403
    );
    assert_eq!(
        tm.sup
            .post(&format!("/meetings/{id}/restore"), &[("version", "3")])
            .await
            .status,
        303
    );
    assert!(employer_marks(&tm, e).await.0.is_some());
}

#[tokio::test]
async fn a_stale_edit_is_refused_and_keeps_the_other_change() {
    let tm = team().await;
    let (e, p) = employer_with_person(&tm.rm1, "PT Dua Penyunting", "bod").await;
    let p = p.to_string();
    let id = log_meeting(&tm.rm1, e, &[("attendees", &p)]).await;
    let path = format!("/meetings/{id}");
    let r = post_meeting(
        &tm.sup,
        &path,
        e,
        &[("attendees", &p), ("summary", "Versi supervisor")],
    )
    .await;
    assert_eq!(r.status, 303);
    let r = post_meeting(
        &tm.rm1,
        &path,
        e,
        &[("attendees", &p), ("summary", "Versi RM")],
    )
    .await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains(&msg("stale.notice")));
    assert!(
        r.body
            .contains("<td>Versi supervisor</td><td><mark>Versi RM</mark></td>"),
        "what is saved now beside what the RM sent: {}",
        r.body
    );
    assert!(
        r.body.contains(">Versi RM</textarea>"),
        "the RM's typing is kept"
    );
    assert_eq!(meeting_row(&tm, id).await.3, "Versi supervisor");
}

#[tokio::test]
async fn a_regulation_education_meeting_sets_the_briefing_day_in_the_tenants_zone() {
    let tm = team().await;
    let (e, p) = employer_with_person(&tm.rm1, "PT Asing Patuh", "bod_minus_one").await;
    let p = p.to_string();
    // 23:30 WIB on 31 October is 16:30 UTC that day: an October meeting, not a November one.
    log_meeting(
        &tm.rm1,
        e,
        &[
            ("starts_at", "2026-10-31T23:30"),
            ("attendees", &p),
            ("topics", "regulation_education"),
            ("topics", "compliance"),
        ],
    )
    .await;
    let (last, _, briefing) = employer_marks(&tm, e).await;
    assert_eq!(briefing, chrono::NaiveDate::from_ymd_opt(2026, 10, 31));
    assert_eq!(last.unwrap().to_rfc3339(), "2026-10-31T16:30:00+00:00");
    assert!(
        tm.rm1
            .get("/my-month")
            .await
            .body
            .contains("Bertemu 0 dari 1 pemberi kerja aktif")
    );
    // 00:30 WIB on 1 November is still 31 October in UTC, and it is November's.
    log_meeting(
        &tm.rm1,
        e,
        &[("starts_at", "2026-11-01T00:30"), ("attendees", &p)],
    )
    .await;
    assert!(
        tm.rm1
            .get("/my-month")
            .await
            .body
            .contains("Bertemu 1 dari 1 pemberi kerja aktif")
    );
    assert_eq!(
        employer_marks(&tm, e).await.2,
        chrono::NaiveDate::from_ymd_opt(2026, 10, 31)
    );
    let changed: i64 = sqlx::query_scalar(
        "select count(*) from audit_events where action = 'employer.updated' and changes ? 'regulation_briefing_on'",
    )
    .fetch_one(&tm.app.admin)
    .await
    .unwrap();
    assert_eq!(changed, 1);
}

#[tokio::test]
async fn the_brief_recalls_commitments_and_whether_their_follow_ups_are_done() {
    let tm = team().await;
    let (e, p) = employer_with_person(&tm.rm1, "PT Ringkas Padat", "bod").await;
    let rm1: Uuid = sqlx::query_scalar("select id from users where email = 'rm1@x.example'")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    log_meeting(
        &tm.rm1,
        e,
        &[
            ("attendees", &p.to_string()),
            ("commitments", "Direksi memutuskan perluasan JKP"),
            ("follow_up_title", "Kirim materi <JKP>"),
            ("follow_up_assignee", &rm1.to_string()),
            ("follow_up_due_on", "2026-11-30"),
        ],
    )
    .await;
    let brief = tm.rm1.get(&format!("/employers/{e}/brief")).await;
    assert_eq!(brief.status, 200);
    assert!(brief.body.contains("Direksi memutuskan perluasan JKP"));
    assert!(brief.body.contains("Kirim materi &#60;JKP&#62;"), "escaped");
    assert!(brief.body.contains("Rudi Hartanto"));
    assert!(brief.body.contains(&msg("brief.arrears_later")));
}

#[tokio::test]
async fn an_attendee_who_left_since_stays_on_the_meeting_with_the_level_they_had() {
    let tm = team().await;
    let (e, p) = employer_with_person(&tm.rm1, "PT Orang Pindah", "bod_minus_one").await;
    let ps = p.to_string();
    let id = log_meeting(&tm.rm1, e, &[("attendees", &ps)]).await;
    // Demoted, then gone: neither rewrites the meeting.
    let r = tm
        .rm1
        .post(
            &format!("/key-persons/{p}"),
            &[
                ("full_name", "Rudi Hartanto"),
                ("level", "manager"),
                ("influence", "3"),
                ("legal_basis", "legitimate_interest"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = tm
        .rm1
        .post(
            &format!("/key-persons/{p}/left"),
            &[
                ("left_on", "2026-11-16"),
                ("left_reason", "Pensiun"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let edit = tm.rm1.get(&format!("/meetings/{id}/edit")).await;
    assert!(
        edit.body.contains(&format!("value=\"{p}\" checked")),
        "still ticked"
    );
    let r = post_meeting(
        &tm.rm1,
        &format!("/meetings/{id}"),
        e,
        &[("attendees", &ps), ("summary", "Ringkasan diperbaiki")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (_, decision_level, _, summary) = meeting_row(&tm, id).await;
    assert!(decision_level, "BOD-1 at the time of the meeting");
    assert_eq!(summary, "Ringkasan diperbaiki");
    // A new meeting's form no longer offers them.
    let form = tm.rm1.get(&format!("/meetings/new?employer={e}")).await;
    assert!(!form.body.contains(&format!("value=\"{p}\"")));
}

#[tokio::test]
async fn a_phone_call_is_recorded_by_phone_and_a_mismatched_channel_is_refused() {
    let tm = team().await;
    let (e, person) = employer_with_person(&tm.rm1, "PT Telepon Cepat", "bod").await;
    let attendees = person.to_string();
    let call = log_meeting(
        &tm.rm1,
        e,
        &[
            ("attendees", &attendees),
            ("kind", "phone_call"),
            ("channel", "in_person"),
        ],
    )
    .await;
    let channel: String = sqlx::query_scalar("select channel from meetings where id = $1")
        .bind(call)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(channel, "phone", "choosing a phone call makes it by phone");
    let refused = post_meeting(
        &tm.rm1,
        "/meetings",
        e,
        &[
            ("attendees", &attendees),
            ("kind", "coordination"),
            ("channel", "phone"),
        ],
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains(&msg("meeting.channel_mismatch")));
    let count: i64 = sqlx::query_scalar("select count(*) from meetings")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(count, 1, "nothing written for the refused form");
}

#[tokio::test]
async fn logging_for_an_employer_with_a_plan_offers_to_record_the_plans_outcome_first() {
    let tm = team().await;
    let (e, _) = employer_with_person(&tm.rm1, "PT Rencana Tertunda", "bod").await;
    let plan_form = tm
        .rm1
        .get(&format!("/meetings/new?employer={e}&status=planned"))
        .await;
    assert!(
        plan_form
            .body
            .contains(&format!("<title>{}", msg("meeting.plan")))
    );
    assert!(
        plan_form.body.contains("class=\"held-only\""),
        "the summary is out of the way while planning"
    );
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
    let log_form = tm.rm1.get(&format!("/meetings/new?employer={e}")).await;
    let offer = log_form
        .body
        .find("class=\"planned-offer\"")
        .expect("offered");
    let form = log_form.body.find("action=\"/meetings\"").unwrap();
    assert!(offer < form, "the offer comes before the form");
    assert!(
        log_form
            .body
            .contains(&format!("/meetings/{planned}/complete"))
    );
    assert!(log_form.body.contains("20 Nov 2026"));
}

#[tokio::test]
async fn dates_outside_1900_to_2100_are_refused_with_a_message_not_an_error() {
    let tm = team().await;
    let (e, person) = employer_with_person(&tm.rm1, "PT Tanggal Aneh", "bod").await;
    for starts in ["-5000-01-01T10:00", "0001-01-01T00:00", "1500-01-01T10:00"] {
        let r = post_meeting(
            &tm.rm1,
            "/meetings",
            e,
            &[("attendees", &person.to_string()), ("starts_at", starts)],
        )
        .await;
        assert_eq!(r.status, 422, "{starts}");
        assert!(r.body.contains(&msg("error.date_range")), "{starts}");
    }
    assert_eq!(
        tm.sup.get("/admin/audit?to=-262143-01-01").await.status,
        200
    );
    assert_eq!(
        tm.sup.get("/admin/audit?from=-5000-01-01").await.status,
        200
    );
}

#[tokio::test]
async fn the_timeline_and_the_brief_name_attendees_most_senior_first() {
    // The timeline reads who attended at what level and names them from the employer's key persons.
    let tm = team().await;
    let (e, manager) = employer_with_person(&tm.rm1, "PT Urutan Hadir", "manager").await;
    let director = add_person(&tm.rm1, e, "Yusuf Direktur", "bod").await;
    let deputy = add_person(&tm.rm1, e, "Agnes Wakil", "bod_minus_one").await;
    log_meeting(
        &tm.rm1,
        e,
        &[
            ("attendees", &manager.to_string()),
            ("attendees", &deputy.to_string()),
            ("attendees", &director.to_string()),
            // Planned, so that the brief shows it as the next meeting.
            ("status", "planned"),
            ("starts_at", "2026-11-20T14:00"),
            ("summary", ""),
        ],
    )
    .await;
    let manager_name: String =
        sqlx::query_scalar("select full_name from key_persons where id = $1")
            .bind(manager)
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
    for path in [format!("/employers/{e}"), format!("/employers/{e}/brief")] {
        let body = tm.rm1.get(&path).await.body;
        let at = |name: &str| {
            body.find(&format!("{name} · "))
                .unwrap_or_else(|| panic!("{path}: {name} missing in {body}"))
        };
        assert!(
            at("Yusuf Direktur") < at("Agnes Wakil") && at("Agnes Wakil") < at(&manager_name),
            "{path}: most senior first"
        );
    }
}
