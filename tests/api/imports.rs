//! Imports through HTTP and the job worker: upload, mapping, the dry run's report, commit, re-import,
//! refusals, isolation, and a commit interrupted half-way.

use relasi::imports::service::ImportJobs;
use relasi::jobs;
use relasi::tenancy::domain::{Role, TenantId};
use relasi::web::i18n::Lang;
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::{esc, msg};
use crate::helpers::{Client, TestApp, spawn_app};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/imports/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Runs every queued job now, as the worker would.
async fn run_jobs(app: &TestApp) -> usize {
    let runner = ImportJobs {
        clock: app.clock.clone(),
    };
    jobs::run_pending(&app.pool, &app.clock, &runner)
        .await
        .unwrap()
}

/// A tenant shaped like the demo: its branch offices and RMs, an admin signed in.
async fn unit(app: &TestApp, slug: &str) -> (TenantId, Client) {
    let t = app.tenant(slug, slug).await;
    let admin = format!("admin@{slug}.example");
    app.user(t, &admin, "Admin", Role::Admin).await;
    for (email, name) in [
        ("dewi.lestari@demo.relasi.example", "Dewi Lestari"),
        ("agus.setiawan@demo.relasi.example", "Agus Setiawan"),
        ("putri.maharani@demo.relasi.example", "Putri Maharani"),
    ] {
        app.user(t, email, name, Role::Rm).await;
    }
    let c = app.signed_in(&admin).await;
    for code in ["KC-SDM", "KC-MNT", "KC-CKG"] {
        let r = c
            .post(
                "/admin/branches",
                &[("code", code), ("name", code), ("version", "0")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    (t, c)
}

/// Uploads a file; returns the import's id.
async fn upload(c: &Client, kind: &str, name: &str, bytes: &[u8]) -> Uuid {
    let r = c
        .post_upload("/admin/imports", &[("kind", kind)], name, bytes)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .trim_start_matches("/admin/imports/")
        .parse()
        .unwrap()
}

async fn version(pool: &PgPool, id: Uuid) -> i32 {
    sqlx::query_scalar("select version from imports where id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Confirms the suggested mapping (as the page's form posts it) and runs the validation.
async fn validate(app: &TestApp, c: &Client, id: Uuid) -> String {
    let mapping: serde_json::Value =
        sqlx::query_scalar("select mapping from imports where id = $1")
            .bind(id)
            .fetch_one(&app.admin)
            .await
            .unwrap();
    let v = version(&app.admin, id).await.to_string();
    let mut form: Vec<(String, String)> = mapping
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, n)| (format!("m_{k}"), n.to_string()))
        .collect();
    form.push(("version".into(), v));
    let form: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = c.post(&format!("/admin/imports/{id}/mapping"), &form).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let waiting = c.get(&format!("/admin/imports/{id}")).await;
    assert!(
        waiting.body.contains("<progress"),
        "a progress bar while it runs"
    );
    assert!(
        waiting
            .body
            .contains(&Lang::Id.tf("import.step_of", &[("n", "1"), ("of", "5")])),
        "the step it is at"
    );
    assert_eq!(run_jobs(app).await, 1);
    c.get(&format!("/admin/imports/{id}")).await.body
}

async fn commit(app: &TestApp, c: &Client, id: Uuid, skip: bool) -> String {
    let v = version(&app.admin, id).await.to_string();
    let mut form = vec![("version", v.as_str())];
    if skip {
        form.push(("skip_invalid", "on"));
    }
    let r = c.post(&format!("/admin/imports/{id}/commit"), &form).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(run_jobs(app).await, 1);
    c.get(&format!("/admin/imports/{id}")).await.body
}

async fn counts(pool: &PgPool, id: Uuid) -> (String, i32, i32, i32, i32) {
    sqlx::query_as(
        "select state, inserted, updated, unchanged, rejected from imports where id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn count(pool: &PgPool, sql: &str, t: TenantId) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(t.0)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_employer_file_is_checked_committed_and_a_second_import_changes_nothing() {
    let app = spawn_app().await;
    let (t, c) = unit(&app, "unit-a").await;
    let file = fixture("employers_semicolon_excel_id.csv");
    let id = upload(&c, "employers", "daftar pk.csv", &file).await;
    let page = c.get(&format!("/admin/imports/{id}")).await.body;
    assert!(
        page.contains("PT Maju Bersama Sejahtera"),
        "the preview shows the rows"
    );
    assert!(page.contains("name=\"m_npp\""), "the mapping form");

    let report = validate(&app, &c, id).await;
    assert!(report.contains(&msg("import.report_hint")), "{report}");
    // The institution row names no institution type: rejected, with its row and column.
    assert_eq!(
        counts(&app.admin, id).await,
        ("validated".into(), 5, 0, 0, 1)
    );
    assert!(
        report.contains(&msg("import.institution_type_needed")),
        "{report}"
    );
    assert_eq!(
        count(
            &app.admin,
            "select count(*) from employers where tenant_id = $1",
            t
        )
        .await,
        0,
        "a dry run writes nothing"
    );
    assert_eq!(
        count(&app.admin, "select count(*) from audit_events where tenant_id = $1 and action = 'employer.imported'", t).await,
        0
    );

    // Stopping on rejected rows refuses the commit; skipping them writes the others.
    let v = version(&app.admin, id).await.to_string();
    let refused = c
        .post(&format!("/admin/imports/{id}/commit"), &[("version", &v)])
        .await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains(&msg("import.rejected_rows_block")));
    let result = commit(&app, &c, id, true).await;
    assert!(result.contains(&msg("import.result")), "{result}");
    assert_eq!(
        counts(&app.admin, id).await,
        ("committed".into(), 5, 0, 0, 1)
    );
    let (name, address, workforce, rm, branch, npwp): (
        String,
        String,
        i32,
        String,
        String,
        String,
    ) = sqlx::query_as(
        "select e.name, e.address, e.workforce_estimate, u.email, b.code, e.npwp from employers e
           join users u on u.id = e.rm_id join branch_offices b on b.id = e.branch_id
          where e.tenant_id = $1 and e.npp = '01234567'",
    )
    .bind(t.0)
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert_eq!(name, "PT Maju Bersama Sejahtera");
    assert_eq!(
        address,
        "Jl. Jend. Sudirman Kav. 52-53; Lt. 12\nSCBD, Jakarta Selatan"
    );
    assert_eq!(workforce, 1250, "Indonesian thousands");
    assert_eq!(rm, "dewi.lestari@demo.relasi.example");
    assert_eq!(branch, "KC-SDM");
    assert_eq!(npwp, "0012345674901000");
    let audited =
        "select count(*) from audit_events where tenant_id = $1 and action = 'employer.imported'";
    assert_eq!(
        count(&app.admin, audited, t).await,
        5,
        "an event per written row"
    );
    let stamps = "select sum(extract(epoch from updated_at))::bigint + sum(version) from employers where tenant_id = $1";
    let before = count(&app.admin, stamps, t).await;

    // The same file again: nothing to write, nothing written, no audit noise.
    app.clock.advance(chrono::Duration::hours(1));
    let again = upload(&c, "employers", "daftar pk.csv", &file).await;
    validate(&app, &c, again).await;
    assert_eq!(
        counts(&app.admin, again).await,
        ("validated".into(), 0, 0, 5, 1)
    );
    commit(&app, &c, again, true).await;
    assert_eq!(
        counts(&app.admin, again).await,
        ("committed".into(), 0, 0, 5, 1)
    );
    assert_eq!(
        count(&app.admin, stamps, t).await,
        before,
        "updated_at and version untouched"
    );
    assert_eq!(count(&app.admin, audited, t).await, 5);
    assert_eq!(
        count(&app.admin, "select count(*) from audit_events where tenant_id = $1 and action = 'import.committed'", t).await,
        2,
        "one event per import"
    );

    // A changed city updates that employer only, and its history says so.
    let changed = String::from_utf8(file)
        .unwrap()
        .replace(";Tangerang;", ";Tangerang Selatan;");
    let third = upload(&c, "employers", "daftar pk 2.csv", changed.as_bytes()).await;
    let report = validate(&app, &c, third).await;
    // The report says what will change, field by field, before anything is written.
    assert!(report.contains(&msg("import.changes_coming")), "{report}");
    assert!(
        report.contains("03456789 PT Garuda Logistik Nusantara"),
        "{report}"
    );
    assert!(
        report.contains("<strong>Tangerang Selatan</strong>"),
        "{report}"
    );
    commit(&app, &c, third, true).await;
    assert_eq!(
        counts(&app.admin, third).await,
        ("committed".into(), 0, 1, 4, 1)
    );
    let history: serde_json::Value = sqlx::query_scalar(
        "select changes from audit_events where tenant_id = $1 and action = 'employer.imported'
          order by occurred_at desc limit 1",
    )
    .bind(t.0)
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert_eq!(
        history,
        serde_json::json!({"city": {"old": "Tangerang", "new": "Tangerang Selatan"}})
    );

    // A file giving a stored employer another name: a warning before the commit (its NPP may be
    // wrong), and the renamed employer first in the list of changes.
    let renaming = changed
        .replace("PT Bangun Karya Konstruksi", "PT Karya Baru Sentosa")
        .replace(";Tangerang Selatan;", ";Tangerang;");
    let fourth = upload(&c, "employers", "daftar pk 3.csv", renaming.as_bytes()).await;
    let report = validate(&app, &c, fourth).await;
    assert_eq!(
        counts(&app.admin, fourth).await,
        ("validated".into(), 0, 2, 3, 1)
    );
    let warning = esc(&Lang::Id.tf("import.renames_coming", &[("n", "1")]));
    assert!(report.contains(&warning), "{report}");
    let renamed_at = report
        .find("PT Bangun Karya Konstruksi")
        .expect("the old name");
    let moved_at = report
        .find("<strong>Tangerang</strong>")
        .expect("the city change");
    assert!(renamed_at < moved_at, "the change of name first: {report}");
    commit(&app, &c, fourth, true).await;
    let result = c.get(&format!("/admin/imports/{fourth}")).await.body;
    assert!(
        result.contains(&esc(&Lang::Id.tf("import.renames_made", &[("n", "1")]))),
        "{result}"
    );
    // A check that renames nothing says nothing of names.
    assert!(
        !c.get(&format!("/admin/imports/{third}"))
            .await
            .body
            .contains(&warning)
    );

    // The history lists every import.
    let list = c.get("/admin/imports").await.body;
    assert_eq!(list.matches("daftar pk").count(), 4, "{list}");
}

#[tokio::test]
async fn a_field_filled_for_the_first_time_is_a_change_the_report_lists() {
    let app = spawn_app().await;
    let (_, c) = unit(&app, "unit-a").await;
    let first = "NPP;Nama Perusahaan\n01234567;PT Isi Belakangan\n";
    let id = upload(&c, "employers", "awal.csv", first.as_bytes()).await;
    validate(&app, &c, id).await;
    commit(&app, &c, id, false).await;
    app.clock.advance(chrono::Duration::minutes(1));
    let later = "NPP;Nama Perusahaan;Kota;Segmen;NPWP\n01234567;PT Isi Belakangan;Bandung;Jasa Konstruksi;01.234.567.4-901.000\n";
    let id = upload(&c, "employers", "lengkap.csv", later.as_bytes()).await;
    let report = validate(&app, &c, id).await;
    assert_eq!(
        counts(&app.admin, id).await,
        ("validated".into(), 0, 1, 0, 0)
    );
    assert!(report.contains("01234567 PT Isi Belakangan"), "{report}");
    assert!(report.contains("<strong>Bandung</strong>"), "{report}");
    // An NPWP where there was none, punctuated as people write it.
    assert!(
        report.contains("<strong>01.234.567.4-901.000</strong>"),
        "{report}"
    );
    // Coded values in words, as the audit log shows them.
    assert!(
        report.contains("<strong>Jasa konstruksi</strong>"),
        "{report}"
    );
    assert!(report.contains("Korporasi"), "{report}");
    // A short list is open; the commit's decision follows it.
    assert!(
        report.contains("<details class=\"changes\" open>"),
        "{report}"
    );
    commit(&app, &c, id, false).await;

    // An empty cell in a column the file has empties the field, and the list says so.
    app.clock.advance(chrono::Duration::minutes(1));
    let emptied = "NPP;Nama Perusahaan;Kota\n01234567;PT Isi Belakangan;\n";
    let id = upload(&c, "employers", "kosong.csv", emptied.as_bytes()).await;
    let report = validate(&app, &c, id).await;
    assert!(
        report.contains(&format!(
            "<strong>{}</strong>",
            msg("import.change.cleared")
        )),
        "{report}"
    );
}

#[tokio::test]
async fn every_problem_is_reported_by_row_column_value_and_message_and_downloadable() {
    let app = spawn_app().await;
    let (t, c) = unit(&app, "unit-a").await;
    let id = upload(
        &c,
        "employers",
        "masalah.csv",
        &fixture("employers_problems.csv"),
    )
    .await;
    validate(&app, &c, id).await;
    let problems: Vec<(i32, String, String, String, String)> = sqlx::query_as(
        "select row_number, column_name, value, message, message_arg from import_problems
          where import_id = $1 order by seq",
    )
    .bind(id)
    .fetch_all(&app.admin)
    .await
    .unwrap();
    let found: Vec<(i32, &str, &str)> = problems
        .iter()
        .map(|(r, col, _, m, _)| (*r, col.as_str(), m.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (3, "NPP", "import.duplicate_key"),
            (4, "Email RM", "import.assignee_unknown"),
            // A 16-digit NPWP starting with 0 is an old 15-digit one with its check digit.
            (5, "NPWP", "employer.npwp_check_digit"),
            (8, "NPWP", "employer.npwp_check_digit"),
            (11, "Segmen", "import.value_unknown"),
        ],
        "{problems:?}"
    );
    assert_eq!(problems[0].4, "2", "the duplicate names the row it repeats");
    assert_eq!(
        problems[4].4, "segment",
        "a closed set's miss names its field"
    );
    // It lists the values the field takes, in the reader's language, on the page and in the CSV.
    let id_values = relasi::web::i18n::Lang::Id.tf(
        "import.value_unknown_one_of",
        &[(
            "values",
            "Korporasi, Instansi/lembaga, Jasa konstruksi, Pekerja migran (PMI)",
        )],
    );
    let page = c.get(&format!("/admin/imports/{id}")).await.body;
    assert!(page.contains(&crate::fixtures::esc(&id_values)), "{page}");
    assert_eq!(problems[0].2, "12345678");
    assert_eq!(problems[1].2, "tidak.ada@contoh.example");
    // Five rows pass: among them the 16-digit NPWP from a NIK, the punctuated one with its right
    // check digit, and the NPP that lost its leading zero.
    assert_eq!(
        counts(&app.admin, id).await,
        ("validated".into(), 5, 0, 0, 5)
    );

    let csv = c.get(&format!("/admin/imports/{id}/problems.csv")).await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body.contains("tidak.ada@contoh.example"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains(
            &relasi::web::i18n::Lang::Id
                .t("import.assignee_unknown")
                .to_string()
        )
    );
    assert!(csv.body.contains(&id_values), "{}", csv.body);

    // The rejected rows download as a workbook to correct: the file's header and cells as read,
    // and each row's problems in a last column that a new upload leaves aside.
    assert!(page.contains(&format!("/admin/imports/{id}/rejected.xlsx")));
    let (status, kind, book) = c
        .get_bytes(&format!("/admin/imports/{id}/rejected.xlsx"))
        .await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    let table = relasi::imports::read::read(&book, None).unwrap();
    assert_eq!(table.headers.first().map(String::as_str), Some("NPP"));
    assert_eq!(
        &table.headers[10..],
        ["Baris di berkas asal", "Masalah"],
        "the row's number in the uploaded file, then its problems"
    );
    let rejected: Vec<&str> = table.rows.iter().map(|r| r.cells[0].as_str()).collect();
    assert_eq!(
        rejected,
        ["12345678", "23456789", "34567890", "67890123", "89012345"]
    );
    assert_eq!(table.rows[1].cells[4], "tidak.ada@contoh.example");
    assert_eq!(
        table.rows[1].cells[9], "02/01/2025",
        "cells as the file had them"
    );
    assert_eq!(table.rows[1].cells[10], "4");
    let said = &table.rows[1].cells[11];
    assert!(
        said.starts_with("Email RM: ") && said.contains(Lang::Id.t("import.assignee_unknown")),
        "{said}"
    );
    let again = upload(&c, "employers", "diperbaiki.xlsx", &book).await;
    let mapping = c.get(&format!("/admin/imports/{again}")).await.body;
    assert!(
        mapping.contains(&esc(&Lang::Id.tf(
            "import.unused_columns",
            &[("columns", "Tanggal Daftar, Baris di berkas asal, Masalah")]
        ))),
        "{mapping}"
    );

    commit(&app, &c, id, true).await;
    let npps: Vec<String> =
        sqlx::query_scalar("select npp from employers where tenant_id = $1 order by npp")
            .bind(t.0)
            .fetch_all(&app.admin)
            .await
            .unwrap();
    assert_eq!(
        npps,
        ["01234567", "12345678", "45678901", "56789012", "78901234"],
        "the valid rows, the short NPP padded"
    );
}

#[tokio::test]
async fn files_that_cannot_be_read_are_refused_with_a_clear_message() {
    let app = spawn_app().await;
    let (_, c) = unit(&app, "unit-a").await;
    for (file, key) in [
        ("empty.csv", "import.file_empty"),
        ("binary_renamed.csv", "import.file_unknown_format"),
        ("zip_bomb.xlsx", "import.xlsx_too_big_unpacked"),
        ("truncated.xlsx", "import.xlsx_damaged"),
        ("header_only_unknown.csv", "import.no_known_column"),
    ] {
        let id = upload(&c, "employers", file, &fixture(file)).await;
        let page = c.get(&format!("/admin/imports/{id}")).await.body;
        let text = relasi::web::i18n::Lang::Id.tf(key, &[("max_mb", "50")]);
        assert!(
            page.contains(&crate::fixtures::esc(&text)),
            "{file}: {page}"
        );
        assert!(page.contains(&msg("import.state.refused")), "{file}");
        let pieces: i64 =
            sqlx::query_scalar("select count(*) from import_file_chunks where import_id = $1")
                .bind(id)
                .fetch_one(&app.admin)
                .await
                .unwrap();
        assert_eq!(pieces, 0, "{file}: a refused file is not kept");
    }
    // The upload form refuses a missing kind, and another tenant's import is not found.
    let r = c
        .post_upload("/admin/imports", &[], "a.csv", b"NPP\n1")
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn an_import_never_reaches_another_tenant() {
    let app = spawn_app().await;
    let (a, ca) = unit(&app, "unit-a").await;
    let (b, cb) = unit(&app, "unit-b").await;
    // B has the employer 01234567; A imports a file with that NPP and key persons for it.
    let ib = upload(
        &cb,
        "employers",
        "b.csv",
        &fixture("employers_semicolon_excel_id.csv"),
    )
    .await;
    validate(&app, &cb, ib).await;
    commit(&app, &cb, ib, true).await;
    let b_before: String = sqlx::query_scalar(
        "select string_agg(id::text || name || updated_at::text, ',' order by id) from employers where tenant_id = $1",
    )
    .bind(b.0)
    .fetch_one(&app.admin)
    .await
    .unwrap();

    let people = "NPP;Nama;Jabatan;Level;Email\n01234567;Ratna Wulandari;Direktur SDM;BOD-1;ratna@contoh.co.id\n";
    let ip = upload(&ca, "key_persons", "orang.csv", people.as_bytes()).await;
    validate(&app, &ca, ip).await;
    let problem: String =
        sqlx::query_scalar("select message from import_problems where import_id = $1")
            .bind(ip)
            .fetch_one(&app.admin)
            .await
            .unwrap();
    assert_eq!(
        problem, "import.employer_unknown",
        "B's employer is unknown in A"
    );

    let ia = upload(
        &ca,
        "employers",
        "a.csv",
        &fixture("employers_semicolon_excel_id.csv"),
    )
    .await;
    validate(&app, &ca, ia).await;
    commit(&app, &ca, ia, true).await;
    assert_eq!(
        counts(&app.admin, ia).await,
        ("committed".into(), 5, 0, 0, 1),
        "A gets its own"
    );
    let b_after: String = sqlx::query_scalar(
        "select string_agg(id::text || name || updated_at::text, ',' order by id) from employers where tenant_id = $1",
    )
    .bind(b.0)
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert_eq!(b_before, b_after, "B's employers untouched");

    // B's import by URL answers 404 to A, in every action.
    for path in [
        format!("/admin/imports/{ib}"),
        format!("/admin/imports/{ib}/progress"),
        format!("/admin/imports/{ib}/problems.csv"),
        format!("/admin/imports/{ib}/rejected.xlsx"),
    ] {
        assert_eq!(ca.get(&path).await.status, 404, "{path}");
    }
    for path in ["mapping", "commit", "remap", "sheet", "discard"] {
        let r = ca
            .post(&format!("/admin/imports/{ib}/{path}"), &[("version", "1")])
            .await;
        assert!(r.status == 404 || r.status == 409, "{path}: {}", r.status);
        assert_ne!(r.status, 303);
    }
    let listed = ca.get("/admin/imports").await.body;
    assert!(!listed.contains(&ib.to_string()));

    // Raw SQL inside A's transaction sees none of B's import rows.
    for table in [
        "imports",
        "import_file_chunks",
        "import_problems",
        "jobs",
        "job_progress",
    ] {
        let mut tx = relasi::db::tenant_tx(&app.pool, a, None).await.unwrap();
        let seen: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "select count(*) from {table} where tenant_id = $1"
        )))
        .bind(b.0)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        assert_eq!(seen, 0, "{table}");
        let b_rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "select count(*) from {table} where tenant_id = $1"
        )))
        .bind(b.0)
        .fetch_one(&app.admin)
        .await
        .unwrap();
        assert!(
            b_rows > 0 || table == "import_problems",
            "{table} has B's rows to hide"
        );
        let err = sqlx::query(sqlx::AssertSqlSafe(format!(
            "update {table} set tenant_id = $1 where true"
        )))
        .bind(b.0)
        .execute(&mut *tx)
        .await;
        assert!(err.is_err(), "{table}: A cannot move rows to B");
    }
}

#[tokio::test]
async fn a_commit_interrupted_half_way_leaves_nothing_and_runs_again() {
    let app = spawn_app().await;
    let (t, c) = unit(&app, "unit-a").await;
    let id = upload(
        &c,
        "employers",
        "pk.csv",
        &fixture("employers_utf8_bom.csv"),
    )
    .await;
    validate(&app, &c, id).await;
    let v = version(&app.admin, id).await.to_string();
    let r = c
        .post(&format!("/admin/imports/{id}/commit"), &[("version", &v)])
        .await;
    assert_eq!(r.status, 303);

    // A worker claims the job and writes every row, then dies before its transaction commits.
    {
        let job: Uuid =
            sqlx::query_scalar("select id from jobs where subject_id = $1 and state = 'queued'")
                .bind(id)
                .fetch_one(&app.admin)
                .await
                .unwrap();
        let mut tx = relasi::db::tenant_tx(&app.pool, t, None).await.unwrap();
        let claimed = jobs::repo::lock(&mut tx, job).await.unwrap().unwrap();
        let row = relasi::imports::repo::find(&mut tx, id)
            .await
            .unwrap()
            .unwrap();
        let bytes = std::sync::Arc::new(relasi::imports::repo::file(&mut tx, id).await.unwrap());
        let now = app.clock.now();
        relasi::imports::service::run(
            &mut tx,
            &row,
            false,
            claimed.created_by,
            now,
            now.date_naive(),
            bytes,
            relasi::imports::service::Report::None,
        )
        .await
        .unwrap();
        let inside: i64 = sqlx::query_scalar("select count(*) from employers")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(inside, 3, "written inside the run");
        // Dropped here: the connection's transaction rolls back, as when the server dies.
    }
    assert_eq!(
        count(
            &app.admin,
            "select count(*) from employers where tenant_id = $1",
            t
        )
        .await,
        0,
        "nothing half-written"
    );
    assert_eq!(
        counts(&app.admin, id).await.0,
        "committing",
        "still waiting to be run"
    );

    // The next worker finds it and runs it once.
    assert_eq!(run_jobs(&app).await, 1);
    assert_eq!(run_jobs(&app).await, 0, "never twice");
    assert_eq!(
        counts(&app.admin, id).await,
        ("committed".into(), 3, 0, 0, 0)
    );
    assert_eq!(
        count(
            &app.admin,
            "select count(*) from employers where tenant_id = $1",
            t
        )
        .await,
        3
    );
}

#[tokio::test]
async fn key_persons_contributions_branches_links_and_holidays_import_by_their_keys() {
    let app = spawn_app().await;
    let (t, c) = unit(&app, "unit-a").await;
    let id = upload(
        &c,
        "employers",
        "pk.csv",
        &fixture("employers_utf8_bom.csv"),
    )
    .await;
    validate(&app, &c, id).await;
    commit(&app, &c, id, false).await;

    // Kind, file, and (inserted, updated, unchanged, rejected).
    type Step<'a> = (&'a str, &'a str, (i32, i32, i32, i32));
    let steps: [Step; 5] = [
        (
            "branch_offices",
            "Kode Cabang;Nama Kantor;Kanwil\nKC-SDM;Kantor Cabang Sudirman;Kanwil DKI\nKC-BKS;Kantor Cabang Bekasi;Kanwil Jabar\n",
            (1, 1, 0, 0),
        ),
        (
            "key_persons",
            "NPP;Nama;Jabatan;Level;Email;Peran\n11223344;Ratna Wulandari;Direktur SDM;BOD-1;Ratna@Contoh.co.id;Pengambil keputusan, SDM\n11223344;Budi Santoso;Manajer Keuangan;Manajer;;Keuangan\n",
            (2, 0, 0, 0),
        ),
        (
            "contributions",
            "NPP;Periode;Tenaga Kerja;Upah;Iuran;Dibayar;Tanggal Bayar\n11223344;09/2026;1.250;Rp 6.250.000.000;Rp 375.000.000,00;Rp 375.000.000;14/10/2026\n22334455;Agu 2026;4.800;24.000.000.000;1.440.000.000;0;\n",
            (2, 0, 0, 0),
        ),
        (
            "supply_chain_links",
            "NPP Induk;NPP Anggota;Hubungan\n33445566;11223344;Anak perusahaan\n33445566;22334455;Vendor\n",
            (2, 0, 0, 0),
        ),
        (
            "holidays",
            "Tanggal;Nama\n25/12/2026;Hari Raya Natal\n2026-12-26;Cuti Bersama Natal\n",
            (2, 0, 0, 0),
        ),
    ];
    for (kind, file, (ins, upd, unch, rej)) in steps {
        // Imported, then imported again: the second time changes nothing.
        for expected in [(ins, upd, unch), (0, 0, ins + upd + unch)] {
            let id = upload(&c, kind, &format!("{kind}.csv"), file.as_bytes()).await;
            validate(&app, &c, id).await;
            let body = commit(&app, &c, id, false).await;
            let (e_ins, e_upd, e_unch) = expected;
            assert_eq!(
                counts(&app.admin, id).await,
                ("committed".into(), e_ins, e_upd, e_unch, rej),
                "{kind}: {body}"
            );
        }
    }
    let arrears: String = sqlx::query_scalar(
        "select arrears_total::text from employers where tenant_id = $1 and npp = '22334455'",
    )
    .bind(t.0)
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert_eq!(
        arrears, "1440000000.00",
        "the unpaid month is in arrears once past due"
    );
    let email: String = sqlx::query_scalar(
        "select email from key_persons where tenant_id = $1 and full_name = 'Ratna Wulandari'",
    )
    .bind(t.0)
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert_eq!(email, "ratna@contoh.co.id");

    // A loop of subsidiaries is refused whole.
    let looped = "NPP Induk;NPP Anggota;Hubungan\n11223344;33445566;Anak perusahaan\n";
    let id = upload(&c, "supply_chain_links", "loop.csv", looped.as_bytes()).await;
    validate(&app, &c, id).await;
    let (state, ins, ..) = counts(&app.admin, id).await;
    assert_eq!((state.as_str(), ins), ("validated", 0));
    let message: String =
        sqlx::query_scalar("select message from import_problems where import_id = $1")
            .bind(id)
            .fetch_one(&app.admin)
            .await
            .unwrap();
    assert_eq!(message, "link.cycle");
    // Every row of a file refused whole is rejected, and comes in the workbook to correct with the
    // reason.
    let (status, _, book) = c
        .get_bytes(&format!("/admin/imports/{id}/rejected.xlsx"))
        .await;
    assert_eq!(status, 200);
    let table = relasi::imports::read::read(&book, None).unwrap();
    assert_eq!(table.rows.len(), 1);
    assert_eq!(table.rows[0].cells[0], "11223344");
    assert!(
        table.rows[0].cells[4].contains(Lang::Id.t("link.cycle")),
        "{:?}",
        table.rows[0].cells
    );

    // Once the import goes back to its columns, the last check's problems are no report of it.
    let v = version(&app.admin, id).await.to_string();
    let r = c
        .post(&format!("/admin/imports/{id}/remap"), &[("version", &v)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    for download in ["problems.csv", "rejected.xlsx"] {
        let r = c.get(&format!("/admin/imports/{id}/{download}")).await;
        assert_eq!(r.status, 404, "{download}");
    }
}

#[tokio::test]
async fn uploads_that_break_the_rules_are_refused_and_sheets_are_read_as_chosen() {
    let app = spawn_app().await;
    let (t, c) = unit(&app, "unit-a").await;
    // A header row of hundreds of columns is refused at upload.
    let wide = format!(
        "NPP;Nama Perusahaan;{}\n01234567;PT Lebar;{}\n",
        (0..300)
            .map(|i| format!("h{i}"))
            .collect::<Vec<_>>()
            .join(";"),
        vec!["x"; 300].join(";")
    );
    let id = upload(&c, "employers", "lebar.csv", wide.as_bytes()).await;
    let page = c.get(&format!("/admin/imports/{id}")).await.body;
    assert!(
        page.contains(&crate::fixtures::esc(
            &relasi::web::i18n::Lang::Id.tf("import.too_many_columns", &[("value", "256")])
        )),
        "{page}"
    );

    let workbook = fixture("employers_excel_serial_dates.xlsx");
    // Two files in one form: 422, nothing recorded.
    let boundary = "b0undary";
    let part = |name: &str, file: Option<&str>, body: &[u8]| {
        let mut v = match file {
            Some(f) => format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\r\n"),
            None => format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n"),
        }
        .into_bytes();
        v.extend_from_slice(body);
        v.extend_from_slice(b"\r\n");
        v
    };
    let mut body = part("kind", None, b"employers");
    body.extend(part("file", Some("a.xlsx"), &workbook));
    body.extend(part("file", Some("b.xlsx"), &workbook));
    body.extend(format!("--{boundary}--\r\n").into_bytes());
    let before = count(
        &app.admin,
        "select count(*) from imports where tenant_id = $1",
        t,
    )
    .await;
    let r = reqwest::Client::new()
        .post(format!("{}/admin/imports", app.base))
        .header("origin", app.base.clone())
        .header(
            "cookie",
            c.session()
                .map(|s| format!("relasi_session={s}"))
                .unwrap_or_default(),
        )
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains(&msg("import.one_file")));
    assert_eq!(
        count(
            &app.admin,
            "select count(*) from imports where tenant_id = $1",
            t
        )
        .await,
        before
    );

    // A sheet chosen by its number is read, and stored by its name.
    let r = c
        .post_upload(
            "/admin/imports",
            &[("kind", "employers"), ("sheet", "1")],
            "buku.xlsx",
            &workbook,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id: Uuid = r
        .location()
        .trim_start_matches("/admin/imports/")
        .parse()
        .unwrap();
    let sheet: String = sqlx::query_scalar("select sheet from imports where id = $1")
        .bind(id)
        .fetch_one(&app.admin)
        .await
        .unwrap();
    assert_eq!(sheet, "Data Perusahaan");
    // Another sheet without a known column is refused with a message, and the import stays as it
    // was; a form drawn before a change of sheet is stale.
    let v = version(&app.admin, id).await.to_string();
    let r = c
        .post(
            &format!("/admin/imports/{id}/sheet"),
            &[("sheet", "Petunjuk"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&msg("import.no_known_column")));
    assert_eq!(counts(&app.admin, id).await.0, "mapping");
    let r = c
        .post(
            &format!("/admin/imports/{id}/sheet"),
            &[("sheet", "data perusahaan"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 303);
    let stale = c
        .post(
            &format!("/admin/imports/{id}/mapping"),
            &[("m_npp", "0"), ("m_name", "1"), ("version", &v)],
        )
        .await;
    assert_eq!(
        stale.status, 409,
        "the sheet was read again since this form"
    );
    let report = validate(&app, &c, id).await;
    assert!(report.contains(&msg("import.report")), "{report}");
}

#[tokio::test]
async fn a_job_steps_aside_while_another_import_of_its_tenant_runs() {
    let app = spawn_app().await;
    let (t, c) = unit(&app, "unit-a").await;
    let id = upload(
        &c,
        "employers",
        "pk.csv",
        &fixture("employers_utf8_bom.csv"),
    )
    .await;
    let v = version(&app.admin, id).await.to_string();
    let r = c
        .post(
            &format!("/admin/imports/{id}/mapping"),
            &[("m_npp", "0"), ("m_name", "1"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 303);
    // Another import of the tenant holds its lock.
    let mut other = relasi::db::tenant_tx(&app.pool, t, None).await.unwrap();
    sqlx::query(
        "select pg_advisory_xact_lock(hashtextextended('import:' || app_tenant_id()::text, 0))",
    )
    .execute(&mut *other)
    .await
    .unwrap();
    assert_eq!(run_jobs(&app).await, 0, "it waits its turn");
    let (state, attempts): (String, i32) =
        sqlx::query_as("select state, attempts from jobs where subject_id = $1")
            .bind(id)
            .fetch_one(&app.admin)
            .await
            .unwrap();
    assert_eq!(
        (state.as_str(), attempts),
        ("queued", 0),
        "a turn given up is not a failed run"
    );
    other.rollback().await.unwrap();
    assert_eq!(run_jobs(&app).await, 1);
    assert_eq!(counts(&app.admin, id).await.0, "validated");
}

#[tokio::test]
async fn title_lines_above_the_header_are_skipped_and_excel_errors_are_refused() {
    let app = spawn_app().await;
    let (_, c) = unit(&app, "unit-a").await;
    let file = "DAFTAR PERUSAHAAN BINAAN;;;\nPosisi per 30 November 2026;;;\n;;;\nNPP;Nama Perusahaan;Kota;Kantor Cabang\n01234567;PT Judul Di Atas;Jakarta;KC-SDM\n02345678;PT Rumus Rusak;#N/A;KC-SDM\n";
    let id = upload(&c, "employers", "judul.csv", file.as_bytes()).await;
    let page = c.get(&format!("/admin/imports/{id}")).await.body;
    assert!(page.contains("PT Judul Di Atas"), "{page}");
    validate(&app, &c, id).await;
    let problems: Vec<(i32, String, String)> = sqlx::query_as(
        "select row_number, column_name, message from import_problems where import_id = $1",
    )
    .bind(id)
    .fetch_all(&app.admin)
    .await
    .unwrap();
    // Row numbers are the file's own, title lines counted.
    assert_eq!(
        problems,
        vec![(6, "Kota".to_owned(), "import.excel_error".to_owned())]
    );
    assert_eq!(
        counts(&app.admin, id).await,
        ("validated".into(), 1, 0, 0, 1)
    );
}

#[tokio::test]
async fn templates_hold_the_headers_only_and_read_back_as_their_kind() {
    let app = spawn_app().await;
    let (_, c) = unit(&app, "unit-a").await;
    for kind in relasi::imports::kind::all() {
        let code = kind.kind.as_str();
        let (status, content_type, csv) = c
            .get_bytes(&format!("/admin/imports/templates/{code}.csv"))
            .await;
        assert_eq!(status, 200);
        assert!(content_type.starts_with("text/csv"));
        let text = String::from_utf8(csv).unwrap();
        assert_eq!(text.lines().count(), 1, "{code}: headers only");
        let (status, _, xlsx) = c
            .get_bytes(&format!("/admin/imports/templates/{code}.xlsx"))
            .await;
        assert_eq!(status, 200);
        // Read back, every header is matched to its column.
        for bytes in [text.as_bytes(), xlsx.as_slice()] {
            let table = relasi::imports::read::read(bytes, None).unwrap();
            let mapping = relasi::imports::validate::suggest(kind, &table.headers);
            assert!(
                mapping.iter().enumerate().all(|(i, m)| *m == Some(i)),
                "{code}: {mapping:?}"
            );
        }
    }
    assert_eq!(
        c.get("/admin/imports/templates/people.csv").await.status,
        404
    );
}

#[tokio::test]
async fn a_checked_import_is_discarded_with_its_file_and_cannot_be_committed_afterwards() {
    let app = spawn_app().await;
    let (t, c) = unit(&app, "unit-a").await;
    let (_, other) = unit(&app, "unit-b").await;
    let id = upload(
        &c,
        "employers",
        "masalah.csv",
        &fixture("employers_problems.csv"),
    )
    .await;
    // The mapping page names the file's columns that no field takes.
    let page = c.get(&format!("/admin/imports/{id}")).await.body;
    let unused =
        relasi::web::i18n::Lang::Id.tf("import.unused_columns", &[("columns", "Tanggal Daftar")]);
    assert!(page.contains(&crate::fixtures::esc(&unused)), "{page}");
    let page = validate(&app, &c, id).await;
    assert!(page.contains(&msg("import.discard")), "{page}");
    let v = version(&app.admin, id).await.to_string();

    // Another tenant's admin cannot see it, let alone discard it; a stale form is refused.
    let r = other
        .post(
            &format!("/admin/imports/{id}/discard"),
            &[("version", v.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 404);
    let r = c
        .post(
            &format!("/admin/imports/{id}/discard"),
            &[("version", "0"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 409);
    // Without the box ticked nothing happens, and the page says why.
    let r = c
        .post(
            &format!("/admin/imports/{id}/discard"),
            &[("version", v.as_str())],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains(&msg("import.discard_confirm_needed")),
        "{}",
        r.body
    );
    // A post that is not a form is a bad request, said so (not a failure of ours).
    let r = c
        .post_typed(
            &format!("/admin/imports/{id}/discard"),
            "text/plain",
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, 415);
    assert!(r.body.contains(&msg("error.400.body")), "{}", r.body);
    assert_eq!(counts(&app.admin, id).await.0, "validated");

    let r = c
        .post(
            &format!("/admin/imports/{id}/discard"),
            &[("version", v.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/admin/imports");
    assert_eq!(counts(&app.admin, id).await.0, "discarded");
    let (pieces, events): (i64, i64) = sqlx::query_as(
        "select (select count(*) from import_file_chunks where import_id = $1),
                (select count(*) from audit_events where entity_id = $1 and action = 'import.discarded')",
    )
    .bind(id)
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert_eq!((pieces, events), (0, 1));
    // Nothing read from the file's cells stays: no rows to correct, no problems with their values.
    for download in ["rejected.xlsx", "problems.csv"] {
        let r = c.get(&format!("/admin/imports/{id}/{download}")).await;
        assert_eq!(r.status, 404, "{download}");
    }
    let (problems, preview): (i64, serde_json::Value) = sqlx::query_as(
        "select (select count(*) from import_problems where import_id = $1),
                (select preview from imports where id = $1)",
    )
    .bind(id)
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert_eq!((problems, preview), (0, serde_json::json!([])));
    let page = c.get(&format!("/admin/imports/{id}")).await.body;
    assert!(page.contains(&msg("import.discarded_note")), "{page}");
    assert!(!page.contains(&msg("import.commit")), "no commit button");
    let list = c.get("/admin/imports").await.body;
    assert!(list.contains(&msg("import.state.discarded")), "{list}");
    // Its figures are the last check's, bracketed: nothing of them was written.
    assert!(list.contains(">(5)</td>"), "{list}");
    assert!(list.contains(&msg("import.history_hint")), "{list}");
    // The audit log names the import by its file and links to it; the upload's fields in words.
    let log = c.get("/admin/audit").await.body;
    assert!(
        log.contains(&format!("href=\"/admin/imports/{id}\"")),
        "{log}"
    );
    assert!(log.contains(&msg("audit.action.import_discarded")), "{log}");
    assert!(log.contains(&msg("import.size")), "{log}");
    assert!(!log.contains(&msg("audit.record_gone")), "{log}");

    // A commit (or a second discard) with the version the checked page had is refused; nothing is
    // written.
    let v = version(&app.admin, id).await.to_string();
    let r = c
        .post(
            &format!("/admin/imports/{id}/commit"),
            &[("version", v.as_str()), ("skip_invalid", "on")],
        )
        .await;
    assert_eq!(r.status, 409);
    let r = c
        .post(
            &format!("/admin/imports/{id}/discard"),
            &[("version", v.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 409);
    // Unticked, a discard of an import that has moved on is stale all the same.
    let r = c
        .post(
            &format!("/admin/imports/{id}/discard"),
            &[("version", v.as_str())],
        )
        .await;
    assert_eq!(r.status, 409);
    // A mapping for an import that has moved on is stale, whatever columns it names.
    let r = c
        .post(
            &format!("/admin/imports/{id}/mapping"),
            &[("version", v.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(run_jobs(&app).await, 0);
    let employers: i64 = sqlx::query_scalar("select count(*) from employers where tenant_id = $1")
        .bind(t.0)
        .fetch_one(&app.admin)
        .await
        .unwrap();
    assert_eq!(employers, 0);
}
