//! Meeting history for the demo and benchmark data: about a year of held meetings per employer (one a
//! month, with its key persons and its RM), a planned meeting for every other employer, follow-ups from
//! some meetings, and the cadence marks on each employer. Set-based and deterministic; employers that
//! already have meetings are left alone, so a second run adds nothing.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// What a summary, its outcome and its commitment say, in Indonesian (for local companies) and
/// English (for foreign-owned ones, whose meetings are often held in English).
const NOTES_ID: &[(&str, &str, &str)] = &[
    (
        "Membahas rekonsiliasi data tenaga kerja dengan HC; selisih 38 pekerja kontrak yang belum didaftarkan.",
        "HC setuju mendaftarkan pekerja kontrak secara bertahap.",
        "Perusahaan mengirim daftar pekerja kontrak; RM menyiapkan formulir pendaftaran massal.",
    ),
    (
        "Sosialisasi program JKP dan manfaat pelatihan kerja kepada Kepala Divisi SDM dan tim payroll.",
        "Direksi tertarik memperluas kepesertaan ke JKP.",
        "RM mengirim materi JKP dan simulasi iuran; HC menjadwalkan rapat direksi.",
    ),
    (
        "Tindak lanjut tunggakan iuran dua bulan; bagian keuangan menjelaskan kendala arus kas proyek.",
        "Disepakati jadwal pelunasan dalam dua termin.",
        "Keuangan melunasi termin pertama sebelum tanggal 15; RM memantau pembayaran.",
    ),
    (
        "Koordinasi rantai pasok: induk perusahaan meminta vendor baru terdaftar sebelum kontrak ditandatangani.",
        "Bagian pengadaan menambahkan syarat sertifikat kepesertaan pada tender.",
        "Pengadaan mengirim daftar 12 vendor baru; RM menghubungi vendor yang belum terdaftar.",
    ),
    (
        "Makan siang dengan GM HC membahas program SERTAKAN untuk pekerja rumah tangga karyawan.",
        "GM HC mendukung; menunggu persetujuan anggaran CSR.",
        "RM mengirim proposal paket SERTAKAN; perusahaan memberi jawaban akhir bulan.",
    ),
    (
        "Evaluasi layanan klaim JHT karyawan yang pensiun; ada keluhan waktu proses di kantor cabang.",
        "Disepakati jalur layanan khusus untuk klaim massal.",
        "RM mengatur layanan jemput bola di kantor perusahaan bulan depan.",
    ),
];

const NOTES_EN: &[(&str, &str, &str)] = &[
    (
        "Briefed the HR Director on Indonesian social-security obligations for expatriate and local staff.",
        "Head office in Singapore to confirm enrolment of all local staff in JP.",
        "Company shares the head-office decision; RM sends an English summary of the regulation.",
    ),
    (
        "Reviewed wage reporting: reported wages exclude fixed allowances, which the regulation includes.",
        "Finance agreed to correct the wage base from next month.",
        "Finance sends the corrected payroll file; RM checks the next contribution invoice.",
    ),
    (
        "Quarterly coordination with the VP People on coverage of new site workers.",
        "All 45 new site workers to be registered before the project starts.",
        "Company uploads the worker list; RM confirms registration within a week.",
    ),
    (
        "Explained the JKP programme and the training benefit to the country manager.",
        "Positive; decision needs regional approval.",
        "RM sends the programme deck in English; company replies after the regional meeting.",
    ),
];

const FOLLOW_UPS: &[&str] = &[
    "Kirim formulir pendaftaran massal",
    "Pantau pelunasan termin pertama",
    "Kirim materi JKP dan simulasi iuran",
    "Hubungi vendor yang belum terdaftar",
    "Kirim proposal paket SERTAKAN",
    "Send the English regulation summary",
];

/// One column of the note table: 0 summary, 1 outcome, 2 commitment.
fn column(rows: &[(&'static str, &'static str, &'static str)], i: usize) -> Vec<String> {
    rows.iter().map(|r| [r.0, r.1, r.2][i].to_owned()).collect()
}

/// Adds the meeting history to every employer of the transaction's tenant that has an RM and no
/// meetings yet; returns how many meetings were added. `tz` is the tenant's zone, in which meetings
/// fall on working hours.
pub async fn generate(conn: &mut PgConnection, now: DateTime<Utc>, tz: &str) -> sqlx::Result<u64> {
    let added = insert_meetings(&mut *conn, now, tz).await?;
    if added > 0 {
        complete(conn, now, tz).await?;
    }
    Ok(added)
}

/// The meetings alone (the first half of `generate`); the large data set analyzes them before
/// `complete` joins them to key persons and attendees.
pub async fn insert_meetings(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    tz: &str,
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"with emp as (
             select e.id, e.rm_id, e.country is not null as english,
                    row_number() over (order by e.id) as n
               from employers e
              where e.archived_at is null and e.rm_id is not null
                and not exists (select 1 from meetings m where m.tenant_id = e.tenant_id and m.employer_id = e.id)),
           slot as (
             -- Meeting k of employer n: k = 0 is planned in the next two weeks (every other employer),
             -- k = 1 … 12 were held one a month back; the first within the last 45 days, so that about
             -- half the portfolio is met this month.
             select emp.*, k,
                    (case when k = 0 then -(1 + (n * 3) % 14)
                          when k = 1 then 1 + (n * 7) % 45
                          else 30 * (k - 1) + 15 + (n * 5 + k) % 14 end)::int as days_back
               from emp, generate_series(0, 12) as k
              where (k = 0 and n % 2 = 0) or (k >= 1 and not (k = 12 and n % 2 = 1)))
           insert into meetings (tenant_id, id, employer_id, status, starts_at, duration_minutes, kind, channel,
                  location, topics, summary, outcomes, commitments, sentiment, cancel_reason, logged_by,
                  created_at, updated_at)
           select app_tenant_id(), md5(app_tenant_id()::text || ':meeting:' || s.id || ':' || s.k)::uuid, s.id,
                  case when s.k = 0 then 'planned' when (s.n + s.k) % 41 = 0 then 'cancelled' else 'held' end,
                  ((($1::timestamptz at time zone $2)::date - s.days_back)::timestamp
                      + make_interval(hours => (9 + (s.n + s.k) % 8)::int, mins => ((s.n * s.k) % 4 * 15)::int))
                      at time zone $2,
                  (array[60, 90, 60, 45, 120])[1 + (s.n + s.k) % 5],
                  (array['coordination', 'coordination', 'lunch_meeting', 'site_visit', 'socialization',
                         'phone_call', 'power_lunch'])[1 + (s.n * 3 + s.k) % 7],
                  -- Phone calls (kind 6 above) and every fifth meeting are online.
                  case when (s.n * 3 + s.k) % 7 = 5 or (s.n + s.k) % 5 = 0 then 'online' else 'in_person' end,
                  case when (s.n * 3 + s.k) % 7 = 5 then ''
                       when (s.n + s.k) % 5 = 0 then 'Zoom' else 'Kantor perusahaan' end,
                  case when s.english and s.k % 3 = 1 then array['regulation_education', 'compliance']
                       else array[(array['compliance', 'arrears', 'registration', 'supply_chain', 'sertakan',
                                         'regulation_education', 'service', 'compliance'])[1 + (s.n + s.k * 3) % 8]] end,
                  case when s.k = 0 then ''
                       when s.english then ($3::text[])[1 + (s.n + s.k) % cardinality($3::text[])]
                       else ($6::text[])[1 + (s.n + s.k) % cardinality($6::text[])] end,
                  case when s.k = 0 then ''
                       when s.english then ($4::text[])[1 + (s.n + s.k) % cardinality($4::text[])]
                       else ($7::text[])[1 + (s.n + s.k) % cardinality($7::text[])] end,
                  case when s.k = 0 then ''
                       when s.english then ($5::text[])[1 + (s.n + s.k) % cardinality($5::text[])]
                       else ($8::text[])[1 + (s.n + s.k) % cardinality($8::text[])] end,
                  case when s.k = 0 then null
                       else (array['positive', 'positive', 'neutral', 'neutral', 'negative'])[1 + (s.n * s.k) % 5] end,
                  case when s.k > 0 and (s.n + s.k) % 41 = 0 then 'Direksi berhalangan hadir' else '' end,
                  s.rm_id, $1, $1
             from slot s
           on conflict do nothing"#,
        now,
        tz,
        &column(NOTES_EN, 0),
        &column(NOTES_EN, 1),
        &column(NOTES_EN, 2),
        &column(NOTES_ID, 0),
        &column(NOTES_ID, 1),
        &column(NOTES_ID, 2),
    )
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// What follows from the meetings: their attendees and BOD-1 marks, the agency staff, follow-ups
/// and each employer's cadence marks (the second half of `generate`).
pub async fn complete(conn: &mut PgConnection, now: DateTime<Utc>, tz: &str) -> sqlx::Result<()> {
    // Attendees: the decision makers at four meetings in five, a manager now and then; each with their
    // level, and only people who had not left by the meeting's day.
    sqlx::query!(
        r#"insert into meeting_attendees (tenant_id, meeting_id, employer_id, key_person_id, level)
           select m.tenant_id, m.id, m.employer_id, k.id, k.level
             from meetings m
             join key_persons k on k.tenant_id = m.tenant_id and k.employer_id = m.employer_id
            where not exists (select 1 from meeting_attendees a where a.tenant_id = m.tenant_id and a.meeting_id = m.id)
              and (k.left_on is null or k.left_on > m.starts_at::date)
              and case when k.level in ('bod', 'bod_minus_one')
                       then abs(hashtext(m.id::text)) % 5 <> 0
                       else abs(hashtext(m.id::text || k.id::text)) % 3 = 0 end"#
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "update meetings m set decision_level = true
          where not m.decision_level
            and exists (select 1 from meeting_attendees a
                         where a.tenant_id = m.tenant_id and a.meeting_id = m.id and a.level in ('bod', 'bod_minus_one'))"
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into meeting_staff (tenant_id, meeting_id, user_id)
         select m.tenant_id, m.id, m.logged_by from meetings m
         on conflict do nothing"
    )
    .execute(&mut *conn)
    .await?;
    // Follow-ups from the two latest held meetings of every third employer: older ones done, recent
    // ones open, a few of them overdue.
    sqlx::query!(
        r#"insert into follow_ups (tenant_id, id, employer_id, meeting_id, title, assignee_id, due_on, notes,
                  done_at, done_by, created_by, created_at, updated_at)
           select m.tenant_id, md5(m.id::text || ':follow-up')::uuid, m.employer_id, m.id,
                  ($3::text[])[1 + abs(hashtext(m.id::text)) % cardinality($3::text[])],
                  m.logged_by, due, '',
                  case when due < ($1::timestamptz at time zone $2)::date - 3 then m.starts_at + interval '10 days' end,
                  case when due < ($1::timestamptz at time zone $2)::date - 3 then m.logged_by end,
                  m.logged_by, m.starts_at, m.starts_at
             from (select m.*, row_number() over (partition by m.employer_id order by m.starts_at desc) as r,
                          (m.starts_at at time zone $2)::date + 14 as due
                     from meetings m where m.status = 'held') m
            where m.r <= 2 and abs(hashtext(m.employer_id::text)) % 3 = 0
           on conflict do nothing"#,
        now,
        tz,
        &FOLLOW_UPS.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
    )
    .execute(&mut *conn)
    .await?;
    refresh_all_cadences(conn, tz).await
}

/// The cadence marks and regulation-briefing date of every employer, from its meetings, in one
/// statement (the set-based twin of `meetings::repo::refresh_cadence`).
pub async fn refresh_all_cadences(conn: &mut PgConnection, tz: &str) -> sqlx::Result<()> {
    sqlx::query!(
        r#"update employers e
              set last_bod1_meeting_at = x.last_bod1, next_planned_meeting_at = x.next_planned,
                  regulation_briefing_on = coalesce(x.briefing, e.regulation_briefing_on)
             from (select employer_id,
                          max(starts_at) filter (where status = 'held' and decision_level and archived_at is null) as last_bod1,
                          min(starts_at) filter (where status = 'planned' and archived_at is null) as next_planned,
                          max((starts_at at time zone $1)::date)
                              filter (where status = 'held' and archived_at is null
                                        and 'regulation_education' = any(topics)) as briefing
                     from meetings group by employer_id) x
            where x.employer_id = e.id
              and (e.last_bod1_meeting_at, e.next_planned_meeting_at, e.regulation_briefing_on)
                  is distinct from (x.last_bod1, x.next_planned, coalesce(x.briefing, e.regulation_briefing_on))"#,
        tz
    )
    .execute(conn)
    .await?;
    Ok(())
}
