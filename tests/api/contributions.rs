//! Contributions through HTTP and SQL: entering and correcting months, the figures derived in SQL
//! (arrears, late periods, the fine estimate), due dates on the holiday calendar, the daily refresh of
//! the list's arrears, and the list's arrears filters and sort.

use relasi::db::tenant_tx;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::fixtures::{Team, create, msg, team};

/// One month as the form sends it.
async fn enter(
    c: &crate::helpers::Client,
    employer: Uuid,
    period: &str,
    due: &str,
    paid: &str,
    paid_on: &str,
) -> crate::helpers::Resp {
    c.post(
        &format!("/employers/{employer}/contributions"),
        &[
            ("period", period),
            ("workers_reported", "120"),
            ("wages_reported", "600.000.000"),
            ("amount_due", due),
            ("amount_paid", paid),
            ("paid_on", paid_on),
            ("version", "0"),
        ],
    )
    .await
}

async fn summary(tm: &Team, employer: Uuid) -> (Decimal, i16) {
    sqlx::query_as("select arrears_total, arrears_months from employers where id = $1")
        .bind(employer)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap()
}

async fn due_on(tm: &Team, employer: Uuid, period: &str) -> String {
    sqlx::query_scalar(
        "select due_on::text from contribution_periods where employer_id = $1 and period = ($2 || '-01')::date",
    )
    .bind(employer)
    .bind(period)
    .fetch_one(&tm.app.admin)
    .await
    .unwrap()
}

/// A correction of September from a form showing version 1.
async fn correct(c: &crate::helpers::Client, e: Uuid, due: &str) -> crate::helpers::Resp {
    c.post(
        &format!("/employers/{e}/contributions"),
        &[
            ("period", "2026-09"),
            ("workers_reported", "120"),
            ("wages_reported", "600000000"),
            ("amount_due", due),
            ("amount_paid", ""),
            ("version", "1"),
        ],
    )
    .await
}

fn rp(n: i64) -> Decimal {
    Decimal::new(n, 0)
}

#[tokio::test]
async fn a_supervisor_enters_months_and_the_page_shows_arrears_late_payments_and_the_fine() {
    let tm = team().await;
    let (_, e) = create(&tm.rm1, "PT Iuran Tertib", &[]).await;
    let e = e.unwrap();
    // August: paid in full five days after its due date (Tuesday 15 September): one started month.
    let r = enter(
        &tm.sup,
        e,
        "2026-08",
        "50.000.000",
        "50.000.000",
        "2026-09-20",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // September: due Thursday 15 October, 20 of 50 million paid on time; today (16 November) the
    // rest is two started months late.
    let r = enter(
        &tm.sup,
        e,
        "2026-09",
        "50.000.000",
        "20.000.000",
        "2026-10-10",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // October: due on the 15th, a Sunday, so on Monday 16 November — today, not past due yet.
    let r = enter(&tm.sup, e, "2026-10", "Rp 50.000.000", "", "").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(due_on(&tm, e, "2026-10").await, "2026-11-16");
    assert_eq!(summary(&tm, e).await, (rp(30_000_000), 1));

    let page = tm.rm1.get(&format!("/employers/{e}")).await.body;
    assert!(page.contains("id=\"contributions\""));
    assert!(
        page.contains("Rp 30.000.000"),
        "the arrears in Indonesian form"
    );
    // Fine estimate: 2 % × 50 M × 1 month + 2 % × 30 M × 2 months.
    assert!(page.contains("Rp 2.200.000"));
    assert!(page.contains("row-arrears"));
    assert!(page.contains(&msg("contribution.not_due")));
    assert!(page.contains("data-chart="));
    // The RM reads, but does not enter.
    assert!(!page.contains(&format!("/employers/{e}/contributions/2026-")));
    assert_eq!(
        tm.rm1
            .get(&format!("/employers/{e}/contributions/2026-07"))
            .await
            .status,
        403
    );
    assert_eq!(enter(&tm.rm1, e, "2026-07", "1", "", "").await.status, 403);
    // The brief lists the month in arrears.
    let brief = tm.rm1.get(&format!("/employers/{e}/brief")).await.body;
    assert!(brief.contains("Rp 30.000.000"));

    // The totals, computed in SQL.
    let mut tx = tenant_tx(&tm.app.pool, tm.t, None).await.unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    let totals = relasi::contributions::repo::totals(&mut tx, e, today)
        .await
        .unwrap();
    assert_eq!(totals.arrears, rp(30_000_000));
    assert_eq!(totals.months_in_arrears, 1);
    assert_eq!(totals.late_periods, 1);
    assert_eq!(totals.fine_estimate, rp(2_200_000));
    // A day later October is past due too; the list's summary follows at the day's refresh, once.
    let tomorrow = today.succ_opt().unwrap();
    assert!(
        relasi::contributions::service::refresh_if_due(&mut tx, tomorrow)
            .await
            .unwrap()
    );
    assert!(
        !relasi::contributions::service::refresh_if_due(&mut tx, tomorrow)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    assert_eq!(summary(&tm, e).await, (rp(80_000_000), 2));

    let actions = tm.app.audit_actions(tm.t).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "contribution.recorded")
            .count(),
        3
    );
}

#[tokio::test]
async fn bad_months_are_refused_with_nothing_written_and_a_stale_correction_is_a_conflict() {
    let tm = team().await;
    let (_, e) = create(&tm.rm1, "PT Angka Rapi", &[]).await;
    let e = e.unwrap();
    let r = enter(&tm.sup, e, "2026-08", "12,3456", "0", "2026-09-01").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&msg("contribution.amount_invalid")));
    assert!(
        r.body
            .contains(&msg("contribution.paid_on_without_payment"))
    );
    let r = enter(&tm.sup, e, "2027-01", "1.000", "", "").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&msg("contribution.period_future")));
    let r = enter(&tm.sup, e, "2026-08", "1.000", "<script>", "").await;
    assert_eq!(r.status, 422);
    assert!(!r.body.contains("<script>"));
    let n: i64 = sqlx::query_scalar("select count(*) from contribution_periods")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(n, 0);

    // Two people enter the same new month at once: one is saved, the other is told.
    let (a, b) = tokio::join!(
        enter(&tm.sup, e, "2026-09", "10.000.000", "", ""),
        enter(&tm.admin, e, "2026-09", "11.000.000", "", "")
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [303, 409]);
    // A correction from a form opened before another correction: 409, the other one stays.
    let form = tm
        .sup
        .get(&format!("/employers/{e}/contributions/2026-09"))
        .await;
    assert!(form.body.contains("name=\"version\" value=\"1\""));
    assert_eq!(correct(&tm.admin, e, "12.000.000").await.status, 303);
    let stale = correct(&tm.sup, e, "13.000.000").await;
    assert_eq!(stale.status, 409);
    let due: Decimal = sqlx::query_scalar("select amount_due from contribution_periods")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(due, rp(12_000_000));
    assert!(
        tm.app
            .audit_actions(tm.t)
            .await
            .contains(&"contribution.corrected".to_owned())
    );
    // An unknown employer, or a month that is not one.
    let other = Uuid::new_v4();
    assert_eq!(
        enter(&tm.sup, other, "2026-09", "1", "", "").await.status,
        404
    );
    assert_eq!(
        tm.sup
            .get(&format!("/employers/{e}/contributions/2026-13"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn holidays_move_due_dates_and_an_import_takes_a_whole_file_or_nothing() {
    let tm = team().await;
    let (_, e) = create(&tm.rm1, "PT Libur Nasional", &[]).await;
    let e = e.unwrap();
    assert_eq!(
        enter(&tm.sup, e, "2026-10", "5.000.000", "", "")
            .await
            .status,
        303
    );
    assert_eq!(due_on(&tm, e, "2026-10").await, "2026-11-16");

    assert_eq!(tm.rm1.get("/admin/holidays").await.status, 403);
    let r = tm
        .admin
        .post(
            "/admin/holidays",
            &[("day", "2026-11-16"), ("name", "Cuti bersama")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(due_on(&tm, e, "2026-10").await, "2026-11-17");
    let page = tm.admin.get("/admin/holidays?year=2026").await.body;
    assert!(page.contains("Cuti bersama"));
    let r = tm
        .admin
        .post("/admin/holidays/2026-11-16/delete", &[])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(due_on(&tm, e, "2026-10").await, "2026-11-16");
    assert_eq!(
        tm.admin
            .post("/admin/holidays/2026-11-16/delete", &[])
            .await
            .status,
        404
    );

    // A file with one bad line adds nothing.
    let bad = "tanggal;nama\n16/11/2026;Cuti bersama\n31/11/2026;Tidak ada\n";
    let r = tm
        .admin
        .post_file("/admin/holidays/import", "file", bad.as_bytes())
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Baris 3"));
    let n: i64 = sqlx::query_scalar("select count(*) from holidays")
        .fetch_one(&tm.app.admin)
        .await
        .unwrap();
    assert_eq!(n, 0);
    let good = "\u{feff}tanggal;nama\n16/11/2026;Cuti bersama\n2026-11-17;Cuti bersama II\n";
    let r = tm
        .admin
        .post_file("/admin/holidays/import", "file", good.as_bytes())
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(due_on(&tm, e, "2026-10").await, "2026-11-18");
    let r = tm
        .admin
        .post_file("/admin/holidays/import", "file", &[0xff, 0xfe, 0, 1])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&msg("holiday.file_not_text")));
    let actions = tm.app.audit_actions(tm.t).await;
    assert!(actions.contains(&"holiday.added".to_owned()));
    assert!(actions.contains(&"holiday.removed".to_owned()));
}

#[tokio::test]
async fn the_list_filters_and_sorts_by_arrears() {
    let tm = team().await;
    let mut ids = Vec::new();
    for name in ["PT Lunas Selalu", "PT Tunggak Sedikit", "PT Tunggak Banyak"] {
        ids.push(create(&tm.rm1, name, &[]).await.1.unwrap());
    }
    for (e, months) in [
        (ids[1], &["2026-09"][..]),
        (ids[2], &["2026-08", "2026-09"][..]),
    ] {
        for m in months {
            assert_eq!(enter(&tm.sup, e, m, "7.000.000", "", "").await.status, 303);
        }
    }
    assert_eq!(
        enter(
            &tm.sup,
            ids[0],
            "2026-09",
            "7.000.000",
            "7.000.000",
            "2026-10-01"
        )
        .await
        .status,
        303
    );
    let page = tm.sup.get("/employers?arrears=1&sort=arrears").await.body;
    let banyak = page
        .find("PT Tunggak Banyak")
        .expect("the larger arrears are listed");
    let sedikit = page
        .find("PT Tunggak Sedikit")
        .expect("the smaller arrears are listed");
    assert!(banyak < sedikit, "largest arrears first");
    assert!(!page.contains("PT Lunas Selalu"));
    assert!(page.contains("Rp 14.000.000"));
    let two = tm.sup.get("/employers?arrears_months=2").await.body;
    assert!(two.contains("PT Tunggak Banyak") && !two.contains("PT Tunggak Sedikit"));
    // The RM's own portfolio, exported with the same filter.
    let csv = tm.rm1.get("/employers/export.csv?arrears=1").await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.contains("PT Tunggak Sedikit") && !csv.body.contains("PT Lunas Selalu"));
}

#[tokio::test]
async fn the_sql_and_rust_counts_of_started_months_agree_across_month_ends_and_years() {
    let app = crate::helpers::spawn_app().await;
    let start = chrono::NaiveDate::from_ymd_opt(2025, 12, 28).unwrap();
    let mut dues = Vec::new();
    let mut paids = Vec::new();
    for i in 0..40 {
        let due = start + chrono::Days::new(i * 3);
        for j in [0u64, 1, 2, 27, 28, 29, 30, 31, 32, 58, 59, 60, 61, 365, 366] {
            dues.push(due);
            paids.push(due + chrono::Days::new(j));
        }
    }
    let sql: Vec<i32> = sqlx::query_scalar(
        "select started_months(d, p) from unnest($1::date[], $2::date[]) with ordinality as x(d, p, n) order by n",
    )
    .bind(&dues)
    .bind(&paids)
    .fetch_all(&app.admin)
    .await
    .unwrap();
    for ((d, p), months) in dues.iter().zip(&paids).zip(sql) {
        assert_eq!(
            relasi::contributions::domain::started_months(*d, *p),
            months,
            "{d} → {p}"
        );
    }
}

/// The server's daily round reaches every tenant: the runtime role sees one tenant at a time, and
/// lists them all only through `tenants_for_background()` (0016_background_tenants.sql).
#[tokio::test]
async fn the_daily_refresh_visits_every_tenant() {
    let app = crate::helpers::spawn_app().await;
    let a = app.tenant("satu", "Kanwil Satu").await;
    let b = app.tenant("dua", "Kanwil Dua").await;
    let mut conn = app.pool.acquire().await.unwrap();
    let listed: Vec<_> = relasi::tenancy::repo::for_background(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    drop(conn);
    assert!(listed.contains(&a) && listed.contains(&b), "{listed:?}");
    relasi::contributions::service::refresh_all(&app.pool, &app.clock)
        .await
        .unwrap();
    let marked: Vec<Uuid> = sqlx::query_scalar("select tenant_id from arrears_refreshes")
        .fetch_all(&app.admin)
        .await
        .unwrap();
    assert!(marked.contains(&a.0) && marked.contains(&b.0), "{marked:?}");
}
