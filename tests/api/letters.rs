//! Compliance letters through HTTP: drafting, every allowed and refused step, the drafter who cannot
//! approve, the second-warning rule and its override, escalation chains, gapless numbers under
//! concurrent approvals, the arrears kept with a letter, deadlines on the working-day calendar, the
//! settings, and the audit trail.

use uuid::Uuid;

use crate::fixtures::{Team, create, esc, msg, team};
use crate::helpers::{Client, Resp};

async fn draft(c: &Client, employer: Uuid, kind: &str, reason: &str, note: &str) -> Resp {
    c.post(
        &format!("/employers/{employer}/letters/new"),
        &[
            ("kind", kind),
            ("reason", reason),
            ("language", "id"),
            ("override_note", note),
        ],
    )
    .await
}

fn id_of(r: &Resp) -> Uuid {
    r.location()
        .trim_start_matches("/letters/")
        .parse()
        .unwrap_or_else(|_| panic!("no letter in {:?}: {}", r.location(), r.body))
}

async fn drafted(c: &Client, employer: Uuid, kind: &str) -> Uuid {
    let r = draft(c, employer, kind, "arrears", "").await;
    assert_eq!(r.status, 303, "{}", r.body);
    id_of(&r)
}

/// The letter's state and version as stored.
async fn row(tm: &Team, id: Uuid) -> (String, i32, Option<String>) {
    sqlx::query_as("select state, version, number from letters where id = $1")
        .bind(id)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap()
}

async fn act(c: &Client, tm: &Team, id: Uuid, step: &str, extra: &[(&str, &str)]) -> Resp {
    let version = row(tm, id).await.1.to_string();
    let mut form = vec![("version", version.as_str())];
    form.extend_from_slice(extra);
    c.post(&format!("/letters/{id}/{step}"), &form).await
}

async fn ok(c: &Client, tm: &Team, id: Uuid, step: &str, extra: &[(&str, &str)]) -> Uuid {
    let r = act(c, tm, id, step, extra).await;
    assert_eq!(r.status, 303, "{step}: {}", r.body);
    id_of(&r)
}

/// The letter settings form as the page shows it with the defaults, `number_format` and each kind's
/// field passed through `adjust(kind, field, value)`.
fn settings_form(
    number_format: &str,
    adjust: impl Fn(&str, &str, String) -> String,
) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = vec![
        ("version".into(), "0".into()),
        ("number_format".into(), number_format.into()),
    ];
    for kind in [
        "notification",
        "warning_1",
        "warning_2",
        "inspection_referral",
        "legal_referral",
    ] {
        let d = relasi::letters::domain::Kind::parse(kind)
            .unwrap()
            .defaults();
        for (f, v) in [
            ("code", d.code),
            ("response_days", d.response_days.to_string()),
            ("legal_basis", d.legal_basis),
            ("subject_id", d.subject_id),
            ("subject_en", d.subject_en),
            ("body_id", d.body_id),
            ("body_en", d.body_en),
        ] {
            form.push((format!("{f}_{kind}"), adjust(kind, f, v)));
        }
    }
    form
}

/// An employer of rm1's with two unpaid months (August and September 2026).
async fn employer_in_arrears(tm: &Team, name: &str) -> Uuid {
    let (_, e) = create(&tm.rm1, name, &[]).await;
    let e = e.unwrap();
    for (period, due) in [("2026-08", "10.000.000"), ("2026-09", "12.500.000")] {
        let r = tm
            .sup
            .post(
                &format!("/employers/{e}/contributions"),
                &[
                    ("period", period),
                    ("workers_reported", "50"),
                    ("wages_reported", "250.000.000"),
                    ("amount_due", due),
                    ("amount_paid", ""),
                    ("version", "0"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    e
}

#[tokio::test]
async fn a_letter_goes_from_draft_to_resolved_with_its_number_history_and_audit() {
    let tm = team().await;
    let e = employer_in_arrears(&tm, "PT Surat Lengkap").await;
    let page = tm.rm1.get(&format!("/employers/{e}/letters/new")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Rp 22.500.000"), "today's arrears shown");
    let id = drafted(&tm.rm1, e, "warning_1").await;
    let page = tm.rm1.get(&format!("/letters/{id}")).await.body;
    assert!(page.contains("PT Surat Lengkap"));
    assert!(page.contains("Rp 12.500.000"), "the arrears table");
    assert!(page.contains(&esc(&msg("letter.step.submit"))));
    assert!(!page.contains("/approve\""), "an RM is offered no approval");

    // The drafter edits the wording while it is a draft.
    let r = tm
        .rm1
        .post(
            &format!("/letters/{id}"),
            &[
                ("language", "id"),
                ("subject_id", "Surat Teguran I — tunggakan"),
                ("subject_en", ""),
                (
                    "body_id",
                    "Kepada Yth.\n\nMohon segera dilunasi sebelum {response_due}.",
                ),
                ("body_en", ""),
                ("legal_basis", "UU 24/2011"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The draft waits on its drafter in My month.
    let month = tm.rm1.get("/my-month").await.body;
    assert!(month.contains("id=\"letters-waiting\"") && month.contains(&format!("/letters/{id}")));
    ok(&tm.rm1, &tm, id, "submit", &[]).await;
    // Submitted, it waits on the approvers instead.
    assert!(
        !tm.rm1
            .get("/my-month")
            .await
            .body
            .contains(&format!("/letters/{id}"))
    );
    assert!(tm.sup.get("/my-month").await.status == 200);
    // Once submitted the wording is fixed.
    let r = tm.rm1.get(&format!("/letters/{id}/edit")).await;
    assert_eq!(
        (r.status, r.location()),
        (303, format!("/letters/{id}").as_str())
    );
    let r = tm
        .rm1
        .post(
            &format!("/letters/{id}"),
            &[
                ("language", "id"),
                ("subject_id", "x"),
                ("body_id", "x"),
                ("version", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, 409, "a submitted letter's wording cannot change");
    let queue = tm.sup.get("/letters/queue").await.body;
    assert!(queue.contains("PT Surat Lengkap") && queue.contains("Dewi RM"));
    ok(&tm.sup, &tm, id, "approve", &[]).await;
    let (state, _, number) = row(&tm, id).await;
    assert_eq!(state, "approved");
    // No branch office: the tenant's code stands in.
    assert_eq!(number.as_deref(), Some("001/TEG-I/KANWIL/XI/2026"));
    let print = tm.rm1.get(&format!("/letters/{id}/print")).await;
    assert_eq!(print.status, 200);
    assert!(print.body.contains("001/TEG-I/KANWIL/XI/2026"));
    assert!(print.body.contains("Rp 22.500.000"));

    ok(&tm.rm1, &tm, id, "send", &[("on", "2026-11-16")]).await;
    // Ten working days from Monday 16 November: Monday 30 November.
    let due: String = sqlx::query_scalar("select response_due_on::text from letters where id = $1")
        .bind(id)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(due, "2026-11-30");
    assert!(
        tm.rm1
            .get(&format!("/letters/{id}/print"))
            .await
            .body
            .contains("30 November 2026"),
        "the response date filled in"
    );
    ok(&tm.rm1, &tm, id, "acknowledge", &[("on", "2026-11-16")]).await;
    ok(&tm.rm1, &tm, id, "resolve", &[("note", "Dibayar")]).await;
    assert_eq!(row(&tm, id).await.0, "resolved");

    let events: Vec<(Option<String>, String)> = sqlx::query_as(
        "select from_state, to_state from letter_events where letter_id = $1 order by id",
    )
    .bind(id)
    .fetch_all(&tm.app.admin)
    .await
    .unwrap();
    let expected = [
        (None, "draft"),
        (Some("draft"), "submitted"),
        (Some("submitted"), "approved"),
        (Some("approved"), "sent"),
        (Some("sent"), "acknowledged"),
        (Some("acknowledged"), "resolved"),
    ];
    assert_eq!(
        events,
        expected
            .iter()
            .map(|(f, t)| (f.map(str::to_owned), t.to_string()))
            .collect::<Vec<_>>()
    );
    let actions = tm.app.audit_actions(tm.t).await;
    for a in [
        "letter.drafted",
        "letter.edited",
        "letter.submitted",
        "letter.approved",
        "letter.sent",
        "letter.acknowledged",
        "letter.resolved",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    // The page shows the history and the employer page lists the letter.
    let page = tm.sup.get(&format!("/letters/{id}")).await.body;
    assert!(page.contains("Dibayar"));
    let employer_page = tm.rm1.get(&format!("/employers/{e}")).await.body;
    assert!(employer_page.contains(&format!("/letters/{id}")));
}

#[tokio::test]
async fn steps_out_of_order_wrong_roles_and_stale_versions_are_refused_without_a_trace() {
    let tm = team().await;
    let e = employer_in_arrears(&tm, "PT Urutan").await;
    let id = drafted(&tm.rm1, e, "notification").await;
    for step in [
        "approve",
        "send",
        "acknowledge",
        "resolve",
        "escalate",
        "return",
        "revise",
    ] {
        let r = act(&tm.sup, &tm, id, step, &[("note", "x")]).await;
        assert_eq!(r.status, 409, "{step} from draft");
        assert!(
            r.body.contains(&esc(&msg("letter.step_not_allowed"))),
            "{step}"
        );
    }
    assert_eq!(act(&tm.rm1, &tm, id, "fly", &[]).await.status, 404);
    // A stale version.
    let r = tm
        .rm1
        .post(&format!("/letters/{id}/submit"), &[("version", "7")])
        .await;
    assert_eq!(r.status, 409);
    // Another RM does not act on rm1's letter; a viewer of nothing does not either.
    assert_eq!(act(&tm.rm2, &tm, id, "submit", &[]).await.status, 403);
    ok(&tm.rm1, &tm, id, "submit", &[]).await;
    // The RM cannot approve, nor return.
    assert_eq!(act(&tm.rm1, &tm, id, "approve", &[]).await.status, 403);
    // Returning needs a note.
    assert_eq!(act(&tm.sup, &tm, id, "return", &[]).await.status, 400);
    ok(
        &tm.sup,
        &tm,
        id,
        "return",
        &[("note", "Lengkapi dasar hukum")],
    )
    .await;
    ok(&tm.rm1, &tm, id, "revise", &[]).await;
    assert_eq!(row(&tm, id).await.0, "draft");
    ok(&tm.rm1, &tm, id, "submit", &[]).await;
    ok(&tm.sup, &tm, id, "approve", &[]).await;
    // After approval only an approver cancels (the number is taken), with a note.
    assert_eq!(
        act(&tm.rm1, &tm, id, "cancel", &[("note", "x")])
            .await
            .status,
        403
    );
    assert_eq!(act(&tm.sup, &tm, id, "cancel", &[]).await.status, 400);
    ok(&tm.sup, &tm, id, "cancel", &[("note", "Salah alamat")]).await;
    for step in ["submit", "approve", "send", "resolve", "escalate", "cancel"] {
        assert_eq!(
            act(&tm.sup, &tm, id, step, &[("note", "x")]).await.status,
            409,
            "{step} from cancelled"
        );
    }
    // Sending a date in the future is refused.
    let other = drafted(&tm.rm1, e, "notification").await;
    ok(&tm.rm1, &tm, other, "submit", &[]).await;
    ok(&tm.sup, &tm, other, "approve", &[]).await;
    assert_eq!(
        act(&tm.rm1, &tm, other, "send", &[("on", "2026-12-01")])
            .await
            .status,
        400
    );
    // Nor a day before it was approved.
    assert_eq!(
        act(&tm.rm1, &tm, other, "send", &[("on", "2026-11-15")])
            .await
            .status,
        400
    );
    assert_eq!(row(&tm, other).await.0, "approved");
    let events: i64 = sqlx::query_scalar("select count(*) from letter_events where letter_id = $1")
        .bind(other)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(events, 3, "refused steps leave no history");
}

#[tokio::test]
async fn the_drafter_never_approves_even_as_a_supervisor() {
    let tm = team().await;
    let e = employer_in_arrears(&tm, "PT Penyusun").await;
    let id = drafted(&tm.sup, e, "notification").await;
    ok(&tm.sup, &tm, id, "submit", &[]).await;
    assert_eq!(act(&tm.sup, &tm, id, "approve", &[]).await.status, 403);
    assert!(
        !tm.sup
            .get(&format!("/letters/{id}"))
            .await
            .body
            .contains("/approve\"")
    );
    ok(&tm.admin, &tm, id, "approve", &[]).await;
    assert_eq!(row(&tm, id).await.0, "approved");
}

#[tokio::test]
async fn two_people_acting_on_one_letter_at_once_one_wins_the_other_gets_409() {
    let tm = team().await;
    let e = employer_in_arrears(&tm, "PT Bersamaan").await;
    let id = drafted(&tm.rm1, e, "notification").await;
    ok(&tm.rm1, &tm, id, "submit", &[]).await;
    let version = row(&tm, id).await.1.to_string();
    let path = format!("/letters/{id}/approve");
    let ret = format!("/letters/{id}/return");
    let approve = [("version", version.as_str())];
    let give_back = [("version", version.as_str()), ("note", "Ulangi")];
    let (a, b) = tokio::join!(
        tm.sup.post(&path, &approve),
        tm.admin.post(&ret, &give_back),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [303, 409], "{} / {}", a.body, b.body);
    let (state, _, number) = row(&tm, id).await;
    let events: i64 = sqlx::query_scalar("select count(*) from letter_events where letter_id = $1")
        .bind(id)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(events, 3, "draft, submitted, and one decision");
    if state == "approved" {
        assert!(number.is_some());
    } else {
        assert_eq!(state, "returned");
        assert!(number.is_none());
        let counters: i64 = sqlx::query_scalar("select count(*) from letter_counters")
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
        assert_eq!(counters, 0, "a lost approval takes no number");
    }
}

#[tokio::test]
async fn twenty_concurrent_approvals_take_twenty_consecutive_numbers() {
    let tm = team().await;
    let e = employer_in_arrears(&tm, "PT Dua Puluh").await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        let id = drafted(&tm.rm1, e, "warning_1").await;
        ok(&tm.rm1, &tm, id, "submit", &[]).await;
        ids.push(id);
    }
    let mut approvals = tokio::task::JoinSet::new();
    for (i, id) in ids.iter().enumerate() {
        let c = if i % 2 == 0 {
            tm.sup.clone()
        } else {
            tm.admin.clone()
        };
        let path = format!("/letters/{id}/approve");
        approvals.spawn(async move { c.post(&path, &[("version", "2")]).await.status });
    }
    let statuses = approvals.join_all().await;
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    let mut seqs: Vec<i32> =
        sqlx::query_scalar("select number_seq from letters where kind = 'warning_1' order by 1")
            .fetch_all(&tm.app.admin)
            .await
            .unwrap();
    seqs.dedup();
    assert_eq!(seqs, (1..=20).collect::<Vec<_>>());
    let numbers: i64 = sqlx::query_scalar("select count(distinct number) from letters")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(numbers, 20);
}

#[tokio::test]
async fn a_second_warning_needs_a_sent_first_one_or_a_supervisors_written_override() {
    let tm = team().await;
    let e = employer_in_arrears(&tm, "PT Teguran Dua").await;
    // The RM cannot skip the first warning.
    let r = draft(&tm.rm1, e, "warning_2", "arrears", "").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&esc(&msg("letter.needs_warning_1"))));
    // A supervisor can, with a written justification.
    let r = draft(&tm.sup, e, "warning_2", "arrears", "").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&esc(&msg("letter.override_required"))));
    let r = draft(
        &tm.sup,
        e,
        "warning_2",
        "arrears",
        "Pemberi kerja menolak menerima Teguran I",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let overridden = id_of(&r);
    let note: String = sqlx::query_scalar("select override_note from letters where id = $1")
        .bind(overridden)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert!(note.contains("menolak"));
    // A first warning drafted but not sent does not count; a sent one does, for the same reason only.
    let w1 = drafted(&tm.rm1, e, "warning_1").await;
    assert_eq!(
        draft(&tm.rm1, e, "warning_2", "arrears", "").await.status,
        422
    );
    ok(&tm.rm1, &tm, w1, "submit", &[]).await;
    ok(&tm.sup, &tm, w1, "approve", &[]).await;
    ok(&tm.rm1, &tm, w1, "send", &[]).await;
    assert_eq!(
        draft(&tm.rm1, e, "warning_2", "arrears", "").await.status,
        303
    );
    assert_eq!(
        draft(&tm.rm1, e, "warning_2", "pds_wages", "").await.status,
        422
    );
}

#[tokio::test]
async fn an_overdue_warning_escalates_into_a_linked_draft_of_the_next_kind() {
    let tm = team().await;
    let e = employer_in_arrears(&tm, "PT Eskalasi").await;
    let w1 = drafted(&tm.rm1, e, "warning_1").await;
    ok(&tm.rm1, &tm, w1, "submit", &[]).await;
    ok(&tm.sup, &tm, w1, "approve", &[]).await;
    ok(&tm.rm1, &tm, w1, "send", &[]).await;
    assert!(
        !tm.rm1
            .get(&format!("/letters/{w1}"))
            .await
            .body
            .contains("letter-overdue")
    );
    // Fifteen days later (eleven working days) no answer has come.
    tm.app.clock.advance(chrono::Duration::days(15));
    // Sessions do not outlive fifteen idle days: everyone signs in again.
    let tm = Team {
        rm1: tm.app.signed_in("rm1@x.example").await,
        sup: tm.app.signed_in("sup@x.example").await,
        ..tm
    };
    let page = tm.rm1.get(&format!("/letters/{w1}")).await.body;
    assert!(
        page.contains("letter-overdue"),
        "overdue after its deadline"
    );
    let pipeline = tm.sup.get("/letters?overdue=1").await.body;
    assert!(pipeline.contains("PT Eskalasi"));
    let w2 = ok(&tm.rm1, &tm, w1, "escalate", &[]).await;
    assert_ne!(w2, w1);
    let (kind, state, previous): (String, String, Option<Uuid>) =
        sqlx::query_as("select kind, state, previous_id from letters where id = $1")
            .bind(w2)
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
    assert_eq!(
        (kind.as_str(), state.as_str(), previous),
        ("warning_2", "draft", Some(w1))
    );
    assert_eq!(row(&tm, w1).await.0, "escalated");
    // The chain shows on both letters; the escalated one does not escalate twice.
    let page = tm.rm1.get(&format!("/letters/{w2}")).await.body;
    assert!(page.contains(&format!("/letters/{w1}")));
    assert!(page.contains("001/TEG-I/"), "the earlier letter's number");
    assert_eq!(act(&tm.rm1, &tm, w1, "escalate", &[]).await.status, 409);
    // The escalated second warning needs no override to be approved.
    ok(&tm.rm1, &tm, w2, "submit", &[]).await;
    ok(&tm.sup, &tm, w2, "approve", &[]).await;
    // Down the chain to the last kind, which does not escalate further.
    let mut id = w2;
    for next in ["inspection_referral", "legal_referral"] {
        ok(&tm.rm1, &tm, id, "send", &[]).await;
        id = ok(&tm.rm1, &tm, id, "escalate", &[]).await;
        let kind: String = sqlx::query_scalar("select kind from letters where id = $1")
            .bind(id)
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
        assert_eq!(kind, next);
        ok(&tm.rm1, &tm, id, "submit", &[]).await;
        ok(&tm.sup, &tm, id, "approve", &[]).await;
    }
    ok(&tm.rm1, &tm, id, "send", &[]).await;
    assert_eq!(act(&tm.rm1, &tm, id, "escalate", &[]).await.status, 409);
    assert!(
        tm.app
            .audit_actions(tm.t)
            .await
            .iter()
            .any(|a| a == "letter.escalated")
    );
}

#[tokio::test]
async fn a_sent_letter_keeps_its_arrears_after_a_later_payment() {
    let tm = team().await;
    let e = employer_in_arrears(&tm, "PT Arsip Tunggakan").await;
    let id = drafted(&tm.rm1, e, "warning_1").await;
    ok(&tm.rm1, &tm, id, "submit", &[]).await;
    ok(&tm.sup, &tm, id, "approve", &[]).await;
    ok(&tm.rm1, &tm, id, "send", &[]).await;
    let before = tm.rm1.get(&format!("/letters/{id}/print")).await.body;
    assert!(before.contains("Rp 22.500.000"));
    // September is paid in full.
    let r = tm
        .sup
        .post(
            &format!("/employers/{e}/contributions"),
            &[
                ("period", "2026-09"),
                ("workers_reported", "50"),
                ("wages_reported", "250.000.000"),
                ("amount_due", "12.500.000"),
                ("amount_paid", "12.500.000"),
                ("paid_on", "2026-11-16"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let after = tm.rm1.get(&format!("/letters/{id}/print")).await.body;
    assert!(
        after.contains("Rp 22.500.000"),
        "the letter states what it stated"
    );
    assert!(after.contains("Rp 12.500.000"));
    // A new letter states today's arrears.
    let fresh = drafted(&tm.rm1, e, "notification").await;
    let page = tm.rm1.get(&format!("/letters/{fresh}")).await.body;
    assert!(page.contains("Rp 10.000.000") && !page.contains("Rp 22.500.000"));
}

#[tokio::test]
async fn an_rm_cannot_draft_for_another_rms_employer() {
    let tm = team().await;
    let e = employer_in_arrears(&tm, "PT Milik Dewi").await;
    assert_eq!(
        tm.rm2
            .get(&format!("/employers/{e}/letters/new"))
            .await
            .status,
        403
    );
    assert_eq!(
        draft(&tm.rm2, e, "notification", "arrears", "")
            .await
            .status,
        403
    );
    assert_eq!(
        tm.rm2.get("/letters/queue").await.status,
        403,
        "the queue is the approvers'"
    );
    let count: i64 = sqlx::query_scalar("select count(*) from letters")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(count, 0);
    // Bad input: an unknown kind, a control character.
    let r = tm
        .rm1
        .post(
            &format!("/employers/{e}/letters/new"),
            &[
                ("kind", "ultimatum"),
                ("reason", "arrears"),
                ("language", "id"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    let id = drafted(&tm.rm1, e, "notification").await;
    let r = tm
        .rm1
        .post(
            &format!("/letters/{id}"),
            &[
                ("language", "id"),
                ("subject_id", "Perihal\u{0007}"),
                ("body_id", "Isi"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&esc(&msg("error.invalid_characters"))));
}

#[tokio::test]
async fn admins_set_the_number_format_and_kind_codes_with_a_live_example() {
    let tm = team().await;
    let page = tm.admin.get("/admin/letters").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("012/TEG-I/KC-SDM/XI/2026"));
    let example = tm
        .admin
        .get("/admin/letters/example?number_format=B-%7Bseq%3A04%7D%2F%7Bkind_code%7D%2F%7Byear%7D&code_warning_1=TG1")
        .await;
    assert!(example.body.contains("B-0012/TG1/2026"), "{}", example.body);
    let bad = tm
        .admin
        .get("/admin/letters/example?number_format=%7Bkind_code%7D")
        .await;
    assert!(
        bad.body
            .contains(&esc(&msg("letter.format_needs_seq_and_year")))
    );
    assert_eq!(tm.sup.get("/admin/letters").await.status, 403);

    // Save a new format and code, keeping the rest of the page as shown.
    let form = settings_form("{seq:04}/{kind_code}/{year}", |kind, field, value| {
        if kind == "warning_1" && field == "code" {
            "TG-1".to_owned()
        } else {
            value
        }
    });
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let mut bad_form = pairs.clone();
    bad_form[1] = ("number_format", "{seq}/{unknown}/{year}");
    assert_eq!(tm.admin.post("/admin/letters", &bad_form).await.status, 422);
    // Two kinds may not share a code: their numbers would repeat.
    let mut same_code = pairs.clone();
    let at = same_code
        .iter()
        .position(|(k, _)| *k == "code_warning_2")
        .unwrap();
    same_code[at] = ("code_warning_2", "TG-1");
    let r = tm.admin.post("/admin/letters", &same_code).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&esc(&msg("letter.kind_code_taken"))));
    let r = tm.admin.post("/admin/letters", &pairs).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // A second save from the same page is stale.
    assert_eq!(tm.admin.post("/admin/letters", &pairs).await.status, 409);
    let e = employer_in_arrears(&tm, "PT Format Baru").await;
    let id = drafted(&tm.rm1, e, "warning_1").await;
    ok(&tm.rm1, &tm, id, "submit", &[]).await;
    ok(&tm.sup, &tm, id, "approve", &[]).await;
    assert_eq!(row(&tm, id).await.2.as_deref(), Some("0001/TG-1/2026"));
    assert!(
        tm.app
            .audit_actions(tm.t)
            .await
            .iter()
            .any(|a| a == "letter.settings_updated")
    );
}

#[tokio::test]
async fn the_pipeline_groups_letters_by_state_with_filters_and_cycle_times() {
    let tm = team().await;
    let e = employer_in_arrears(&tm, "PT Alur").await;
    let a = drafted(&tm.rm1, e, "notification").await;
    let b = drafted(&tm.rm1, e, "warning_1").await;
    ok(&tm.rm1, &tm, b, "submit", &[]).await;
    ok(&tm.sup, &tm, b, "approve", &[]).await;
    tm.app.clock.advance(chrono::Duration::days(2));
    // Sessions do not outlive idle days: everyone signs in again.
    let tm = Team {
        rm1: tm.app.signed_in("rm1@x.example").await,
        ..tm
    };
    ok(&tm.rm1, &tm, b, "send", &[]).await;
    tm.app.clock.advance(chrono::Duration::days(1));
    let tm = Team {
        rm1: tm.app.signed_in("rm1@x.example").await,
        sup: tm.app.signed_in("sup@x.example").await,
        ..tm
    };
    ok(&tm.rm1, &tm, b, "resolve", &[]).await;
    let page = tm.sup.get("/letters").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("/letters/{a}")));
    assert!(page.body.contains("id=\"cycle-times\""));
    assert!(page.body.contains(&esc(&msg("letter.cycle.draft_to_sent"))));
    // The pipeline as it opens is kept for a few seconds; a step taken meanwhile shows at once.
    ok(&tm.rm1, &tm, a, "cancel", &[("note", "Alamat salah")]).await;
    let after = tm.sup.get("/letters").await.body;
    assert!(!after.contains(&format!("/letters/{a}")));
    let filtered = tm.sup.get("/letters?kind=warning_1").await.body;
    assert!(!filtered.contains(&format!("/letters/{a}")));
    let resolved = tm.sup.get("/letters?state=resolved").await.body;
    assert!(resolved.contains(&format!("/letters/{b}")));
    let by_rm = tm.sup.get(&format!("/letters?rm={}", tm.rm2_id)).await.body;
    assert!(!by_rm.contains(&format!("/letters/{a}")));
}

#[tokio::test]
async fn the_bulk_generator_writes_consistent_chains_numbers_history_and_counters() {
    let app = crate::helpers::spawn_app().await;
    relasi::seed::demo(&app.pool, &app.clock).await.unwrap();
    let tenant: Uuid = sqlx::query_scalar("select id from tenants where slug = 'demo'")
        .fetch_one(&app.admin)
        .await
        .unwrap();
    sqlx::raw_sql("delete from letter_events; delete from letters; delete from letter_counters")
        .execute(&app.admin)
        .await
        .unwrap();
    let mut tx = relasi::db::tenant_tx(&app.pool, relasi::tenancy::domain::TenantId(tenant), None)
        .await
        .unwrap();
    let n = relasi::seed::letters::generate(&mut tx, app.clock.now(), 2000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!((1500..=3000).contains(&n), "{n} letters");
    let (bad_chains, gaps, counter_mismatch, eventless, states): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "select
           (select count(*) from letters l join letters p on p.id = l.previous_id
             where p.state <> 'escalated' or p.employer_id <> l.employer_id or p.created_at >= l.created_at),
           (select count(*) from (select kind, number_year from letters where number_seq is not null
                                   group by 1, 2 having max(number_seq) <> count(*)) g),
           (select count(*) from letter_counters c where c.last_seq <> (select max(number_seq) from letters l
              where l.kind = c.kind and l.number_year = c.year)),
           (select count(*) from letters l where not exists (select 1 from letter_events e where e.letter_id = l.id)),
           (select count(distinct state) from letters)",
    )
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert_eq!(
        (bad_chains, gaps, counter_mismatch, eventless),
        (0, 0, 0, 0)
    );
    assert_eq!(states, 9, "every state");
    // The pipeline reads them.
    app.user(
        relasi::tenancy::domain::TenantId(tenant),
        "sup2@x.example",
        "Sup Dua",
        relasi::tenancy::domain::Role::Supervisor,
    )
    .await;
    let sup = app.signed_in("sup2@x.example").await;
    assert_eq!(sup.get("/letters").await.status, 200);
    assert_eq!(sup.get("/letters/queue").await.status, 200);
    assert_eq!(sup.get("/letters?state=resolved&page=2").await.status, 200);
}

#[tokio::test]
async fn a_bilingual_letter_is_signed_with_the_title_in_both_languages() {
    let tm = team().await;
    sqlx::query(
        "update tenants set letterhead_signatory_title = 'Kepala Bidang Kepesertaan',
                letterhead_signatory_title_en = 'Head of Membership' where id = $1",
    )
    .bind(tm.t.0)
    .execute(&tm.app.admin)
    .await
    .unwrap();
    let e = employer_in_arrears(&tm, "PT Dua Bahasa").await;
    let printed = |language: &'static str| {
        let tm = &tm;
        async move {
            let r = tm
                .rm1
                .post(
                    &format!("/employers/{e}/letters/new"),
                    &[
                        ("kind", "notification"),
                        ("reason", "arrears"),
                        ("language", language),
                        ("override_note", ""),
                    ],
                )
                .await;
            assert_eq!(r.status, 303, "{}", r.body);
            let id = id_of(&r);
            ok(&tm.rm1, tm, id, "submit", &[]).await;
            ok(&tm.sup, tm, id, "approve", &[]).await;
            tm.rm1.get(&format!("/letters/{id}/print")).await.body
        }
    };
    let both = printed("both").await;
    assert!(both.contains("Kepala Bidang Kepesertaan") && both.contains("Head of Membership"));
    let english = printed("en").await;
    assert!(
        english.contains("Head of Membership") && !english.contains("Kepala Bidang Kepesertaan")
    );
    let indonesian = printed("id").await;
    assert!(
        indonesian.contains("Kepala Bidang Kepesertaan")
            && !indonesian.contains("Head of Membership")
    );
}

#[tokio::test]
async fn wording_too_long_once_filled_in_is_refused_on_drafting_and_nothing_is_written() {
    let tm = team().await;
    // 300 characters as a template, the bound: each placeholder stands for a longer name.
    let long_subject = "{employer_name}".repeat(20);
    let form = settings_form(
        relasi::letters::domain::DEFAULT_NUMBER_FORMAT,
        |kind, field, v| {
            if kind == "notification" && field == "subject_id" {
                long_subject.clone()
            } else {
                v
            }
        },
    );
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = tm.admin.post("/admin/letters", &pairs).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let e = employer_in_arrears(&tm, "PT Nama Yang Cukup Panjang Sekali").await;
    let r = draft(&tm.rm1, e, "notification", "arrears", "").await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body.contains(&esc(&msg("letter.wording_too_long"))),
        "{}",
        r.body
    );
    let letters: i64 = sqlx::query_scalar("select count(*) from letters where employer_id = $1")
        .bind(e)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(letters, 0);
    // Other kinds still draft, in both languages whatever the letter's, so that switching it to
    // bilingual finds the English side worded; the history names its fields and values in words.
    let id = drafted(&tm.rm1, e, "warning_1").await;
    let (subject_en, body_en): (String, String) =
        sqlx::query_as("select subject_en, body_en from letters where id = $1")
            .bind(id)
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
    assert!(!subject_en.is_empty() && body_en.contains("PT Nama Yang Cukup Panjang Sekali"));
    ok(&tm.rm1, &tm, id, "submit", &[]).await;
    let page = tm.rm1.get(&format!("/employers/{e}")).await.body;
    let history = &page[page.find("id=\"history\"").expect("a history")..];
    for words in [
        "letter.state",
        "letter.state.submitted",
        "letter.kind",
        "letter.reason.arrears",
    ] {
        assert!(history.contains(&esc(&msg(words))), "{words}: {history}");
    }
    for raw in ["warning_1", "submitted", "arrears<", "state:"] {
        assert!(!history.contains(raw), "{raw}: {history}");
    }
}

/// The audit log names a letter by its kind and employer and links to it (it used to say the record
/// was gone).
#[tokio::test]
async fn the_audit_log_names_a_letter_and_links_to_it() {
    let tm = team().await;
    let (r, e) = create(&tm.sup, "PT Surat Tercatat", &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = drafted(&tm.sup, e.unwrap(), "notification").await;
    let page = tm.admin.get("/admin/audit?entity=letter").await.body;
    assert!(page.contains(&format!("href=\"/letters/{id}\"")), "{page}");
    assert!(page.contains("PT Surat Tercatat"), "{page}");
    assert!(
        page.contains(&esc(&msg("letter.kind.notification"))),
        "{page}"
    );
    assert!(!page.contains(&msg("audit.record_gone")), "{page}");
}
