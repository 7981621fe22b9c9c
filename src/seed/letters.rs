//! Compliance letters for the demo and the benchmark data sets. The demo's go through the letters
//! service, step by step at past moments, so that their wording, numbers, history and audit trail are
//! exactly what people would have produced; the large set is written set-based (about 25,000
//! escalation chains per tenant), with numbers, history and counters consistent with the workflow.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::Actor;
use crate::auth::domain::UserId;
use crate::letters::domain::{Kind, Reason, Step};
use crate::letters::service::{self, DraftInput, StepInput};
use crate::tenancy::domain::{Role, Who};

/// One demo case: the letters' kinds from the first, the reason, and the steps taken, each a number of
/// days after the previous one. `Escalate` continues with the next letter of the chain.
struct Case {
    kind: Kind,
    reason: Reason,
    steps: &'static [(Step, i64)],
    /// Days before today the case began.
    began: i64,
}

use Step::*;

const CASES: &[Case] = &[
    case(Kind::Notification, Reason::Arrears, &[], 2),
    case(Kind::Notification, Reason::Arrears, &[(Submit, 1)], 4),
    case(
        Kind::Warning1,
        Reason::Arrears,
        &[(Submit, 1), (Return, 2)],
        6,
    ),
    case(
        Kind::Notification,
        Reason::PdsWages,
        &[(Submit, 1), (Approve, 1)],
        5,
    ),
    case(
        Kind::Warning1,
        Reason::Arrears,
        &[(Submit, 1), (Approve, 1), (Send, 1)],
        6,
    ),
    // Sent five weeks ago and unanswered: overdue, ready to escalate.
    case(
        Kind::Warning1,
        Reason::Arrears,
        &[(Submit, 1), (Approve, 2), (Send, 1)],
        40,
    ),
    case(
        Kind::Notification,
        Reason::DataUpdate,
        &[(Submit, 0), (Approve, 1), (Send, 1), (Acknowledge, 3)],
        20,
    ),
    case(
        Kind::Notification,
        Reason::Arrears,
        &[(Submit, 1), (Approve, 1), (Send, 2), (Resolve, 9)],
        60,
    ),
    case(
        Kind::Notification,
        Reason::Arrears,
        &[
            (Submit, 1),
            (Approve, 1),
            (Send, 1),
            (Escalate, 16),
            (Submit, 1),
            (Approve, 2),
            (Send, 1),
        ],
        70,
    ),
    case(
        Kind::Warning1,
        Reason::Arrears,
        &[
            (Submit, 1),
            (Approve, 1),
            (Send, 1),
            (Escalate, 15),
            (Submit, 1),
        ],
        30,
    ),
    case(
        Kind::Warning1,
        Reason::PdsWorkforce,
        &[
            (Submit, 1),
            (Approve, 1),
            (Send, 1),
            (Escalate, 15),
            (Submit, 1),
            (Approve, 1),
            (Send, 1),
            (Escalate, 15),
        ],
        90,
    ),
    case(
        Kind::Notification,
        Reason::NotRegistered,
        &[(Cancel, 1)],
        12,
    ),
    case(
        Kind::Notification,
        Reason::Arrears,
        &[(Submit, 2), (Approve, 3), (Send, 2), (Resolve, 12)],
        45,
    ),
    case(
        Kind::Warning1,
        Reason::Arrears,
        &[
            (Submit, 3),
            (Approve, 2),
            (Send, 1),
            (Acknowledge, 2),
            (Resolve, 10),
        ],
        35,
    ),
    case(
        Kind::Notification,
        Reason::PdsProgram,
        &[(Submit, 1), (Approve, 1), (Send, 1)],
        3,
    ),
    case(Kind::Warning1, Reason::Arrears, &[(Submit, 1)], 9),
];

const fn case(kind: Kind, reason: Reason, steps: &'static [(Step, i64)], began: i64) -> Case {
    Case {
        kind,
        reason,
        steps,
        began,
    }
}

/// Letters in every state, with chains, for employers in arrears (and a few others): drafted by the
/// employer's RM, approved and returned by a supervisor. Skipped when the tenant has letters.
pub async fn demo(conn: &mut PgConnection, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let existing: i64 = sqlx::query_scalar!(r#"select count(*) as "n!" from letters"#)
        .fetch_one(&mut *conn)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let supervisors: Vec<Uuid> = sqlx::query_scalar!(
        "select user_id from memberships where tenant_id = app_tenant_id() and role = 'supervisor'
            and disabled_at is null order by user_id"
    )
    .fetch_all(&mut *conn)
    .await?;
    let Some(&supervisor) = supervisors.first() else {
        return Ok(0);
    };
    let employers = sqlx::query!(
        "select e.id, e.rm_id as \"rm_id!\" from employers e
          join memberships m on m.tenant_id = e.tenant_id and m.user_id = e.rm_id and m.role = 'rm'
         where e.archived_at is null and e.npp is not null
         order by e.arrears_total desc, e.id
         limit $1",
        CASES.len() as i64
    )
    .fetch_all(&mut *conn)
    .await?;
    let tz = chrono_tz::Asia::Jakarta;
    let mut letters = 0;
    for (c, e) in CASES.iter().zip(&employers) {
        let rm = Who {
            role: Role::Rm,
            user: UserId(e.rm_id),
        };
        let sup = Who {
            role: Role::Supervisor,
            user: UserId(supervisor),
        };
        let actor = |w: Who| Actor {
            user: Some(w.user),
            label: String::new(),
            ..Actor::cli()
        };
        let mut at = now - Duration::days(c.began) + Duration::hours(1);
        let employer = crate::employers::repo::find(&mut *conn, e.id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo employer"))?;
        let mut letter = service::draft(
            &mut *conn,
            &actor(rm),
            rm,
            &employer,
            &DraftInput {
                kind: c.kind,
                reason: c.reason,
                language: service::default_language(&employer),
                override_note: String::new(),
            },
            None,
            at.with_timezone(&tz).date_naive(),
            at,
        )
        .await?;
        letters += 1;
        for (step, days) in c.steps {
            at += Duration::days(*days) + Duration::hours(2);
            let who = if matches!(step, Approve | Return) {
                sup
            } else {
                rm
            };
            let version: i32 =
                sqlx::query_scalar!("select version from letters where id = $1", letter)
                    .fetch_one(&mut *conn)
                    .await?;
            let note = match step {
                Return => "Lengkapi rincian tunggakan dan dasar hukum.",
                Cancel => "Pemberi kerja melunasi sebelum surat diajukan.",
                Resolve => "Tunggakan dilunasi; bukti bayar diterima.",
                _ => "",
            };
            let next = service::take(
                &mut *conn,
                &actor(who),
                who,
                letter,
                *step,
                &StepInput {
                    version,
                    note: note.to_owned(),
                    on: Some(at.with_timezone(&tz).date_naive()),
                    override_note: String::new(),
                },
                tz,
                at,
            )
            .await?;
            if next != letter {
                letters += 1;
            }
            letter = next;
        }
    }
    Ok(letters)
}

/// About `letters` letters for the tenant, set-based: escalation chains of one to three letters whose
/// last letter is in any state (most resolved), with numbers given in approval order per kind and
/// year, their history, and the counters. Skipped when the tenant has letters.
pub async fn generate(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    letters: i64,
) -> sqlx::Result<u64> {
    let existing: i64 = sqlx::query_scalar!(r#"select count(*) as "n!" from letters"#)
        .fetch_one(&mut *conn)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    // Chains average two letters.
    let cases = letters / 2;
    let inserted = sqlx::query!(
        r#"with emp as (
               select e.id, e.rm_id, e.name, e.arrears_total, b.code as branch_code,
                      row_number() over (order by e.id) as rn
                 from employers e
                 left join branch_offices b on b.tenant_id = e.tenant_id and b.id = e.branch_id
                 join memberships m on m.tenant_id = e.tenant_id and m.user_id = e.rm_id
                where e.archived_at is null and e.npp is not null),
           cnt as (select count(*) as n from emp),
           staff as (
               select array_agg(user_id order by user_id) as approvers from memberships
                where tenant_id = app_tenant_id() and role in ('supervisor', 'admin') and disabled_at is null),
           cases as (
               select c, 1 + (c::bigint * 7919) % (select n from cnt) as pick,
                      hashint4(c::int) & 2147483647 as r,
                      hashint4(c::int * 31 + 7) & 2147483647 as r2
                 from generate_series(1, $2::bigint) c),
           chains as (
               select c.c, e.id as employer_id, e.rm_id, e.name, e.arrears_total,
                      coalesce(e.branch_code, (select upper(slug) from tenants where id = app_tenant_id())) as code,
                      1 + c.r % 3 as len,
                      case when c.r % 10 < 7 then 1 else 2 end as first_kind,
                      case when c.r % 10 < 7 then 'arrears'
                           else (array['pds_workforce', 'pds_wages', 'pds_program', 'not_registered',
                                       'data_update', 'other'])[1 + (c.r / 10) % 6] end as reason,
                      case when c.r2 % 100 < 4 then 'draft' when c.r2 % 100 < 7 then 'submitted'
                           when c.r2 % 100 < 8 then 'returned' when c.r2 % 100 < 10 then 'approved'
                           when c.r2 % 100 < 16 then 'sent' when c.r2 % 100 < 19 then 'acknowledged'
                           when c.r2 % 100 < 26 then 'cancelled' else 'resolved' end as final,
                      c.r2
                 from cases c join emp e on e.rn = c.pick),
           letters as (
               select ch.*, p.pos,
                      case when p.pos < ch.len then 'escalated' else ch.final end as state,
                      (array['notification', 'warning_1', 'warning_2', 'inspection_referral',
                             'legal_referral'])[ch.first_kind + p.pos - 1] as kind,
                      hashint4(ch.c::int * 7 + p.pos) & 2147483647 as h,
                      -- When the letter reached its state: open cases end in the last five weeks,
                      -- closed ones over the last two years; earlier letters of a chain 24 days apart.
                      $1::timestamptz
                        - case when ch.final in ('resolved', 'cancelled') then interval '1 day' * (12 + ch.r2 % 700)
                               else interval '1 hour' * (2 + ch.r2 % 840) end
                        - interval '24 days' * (ch.len - p.pos) as t
                 from chains ch cross join lateral generate_series(1, ch.len) p(pos)),
           timed as (
               select l.*, s.sent_at, a.approved_at, sub.submitted_at,
                      coalesce(sub.submitted_at - interval '1 hour' * (4 + l.h % 60),
                               case l.state when 'cancelled' then l.t - interval '2 days' else l.t end) as created_at
                 from letters l
                 cross join lateral (select case
                        when l.state in ('resolved', 'escalated') then l.t - interval '1 hour' * (72 + (l.h / 65536) % 400)
                        when l.state = 'acknowledged' then l.t - interval '2 days'
                        when l.state = 'sent' then l.t end as sent_at) s
                 cross join lateral (select case
                        when s.sent_at is not null then s.sent_at - interval '1 hour' * (1 + (l.h / 8192) % 40)
                        when l.state = 'approved' then l.t end as approved_at) a
                 cross join lateral (select case
                        when a.approved_at is not null then a.approved_at - interval '1 hour' * (2 + (l.h / 64) % 90)
                        when l.state = 'submitted' then l.t
                        when l.state = 'returned' then l.t - interval '1 day' end as submitted_at) sub),
           numbered as (
               select t.*,
                      case when t.approved_at is not null then
                          row_number() over (partition by t.kind, t.approved_at is not null,
                                             extract(year from t.approved_at at time zone 'Asia/Jakarta')
                                             order by t.approved_at, t.c, t.pos) end as seq,
                      extract(year from t.approved_at at time zone 'Asia/Jakarta')::smallint as year,
                      extract(month from t.approved_at at time zone 'Asia/Jakarta')::int as month
                 from timed t)
           insert into letters (tenant_id, id, employer_id, kind, reason, state, language, subject_id, body_id,
                  legal_basis, arrears_total, response_days, previous_id, drafted_by, approved_by, number,
                  number_year, number_seq, sent_on, response_due_on, acknowledged_on, state_since,
                  submitted_at, approved_at, sent_at, closed_at, created_at, updated_at, version)
           select app_tenant_id(), md5(app_tenant_id()::text || ':letter:' || n.c || ':' || n.pos)::uuid,
                  n.employer_id, n.kind, n.reason, n.state, 'id',
                  case n.kind when 'notification' then 'Pemberitahuan Kewajiban Kepesertaan'
                              when 'warning_1' then 'Surat Teguran I' when 'warning_2' then 'Surat Teguran II'
                              when 'inspection_referral' then 'Permohonan Pemeriksaan'
                              else 'Surat Kuasa Khusus' end,
                  'Kepada Yth. Pimpinan ' || n.name || E'\n\nBerdasarkan catatan kami, kewajiban kepesertaan belum dipenuhi.',
                  'UU No. 24 Tahun 2011 tentang BPJS; PP No. 86 Tahun 2013',
                  case when n.reason = 'arrears' then n.arrears_total else 0 end,
                  case when n.kind in ('inspection_referral', 'legal_referral') then 14 else 10 end,
                  case when n.pos > 1 then md5(app_tenant_id()::text || ':letter:' || n.c || ':' || (n.pos - 1))::uuid end,
                  n.rm_id,
                  case when n.approved_at is not null
                       then (select approvers[1 + n.c % cardinality(approvers)] from staff) end,
                  case when n.seq is not null then
                      lpad(n.seq::text, 3, '0') || '/'
                      || case n.kind when 'notification' then 'PEMB' when 'warning_1' then 'TEG-I'
                                     when 'warning_2' then 'TEG-II' when 'inspection_referral' then 'RUJ-WAS'
                                     else 'SKK' end
                      || '/' || n.code || '/'
                      || (array['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'])[n.month]
                      || '/' || n.year end,
                  case when n.seq is not null then n.year end, n.seq::int,
                  (n.sent_at at time zone 'Asia/Jakarta')::date,
                  (n.sent_at at time zone 'Asia/Jakarta')::date + 14,
                  case when n.state = 'acknowledged' then (n.t at time zone 'Asia/Jakarta')::date end,
                  n.t, n.submitted_at, n.approved_at, n.sent_at,
                  case when n.state in ('resolved', 'escalated', 'cancelled') then n.t end,
                  n.created_at, n.t, 1
             from numbered n
            order by n.c, n.pos"#,
        now,
        cases
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    // Each letter's history, from the moments stored on it.
    sqlx::query!(
        "insert into letter_events (tenant_id, letter_id, at, from_state, to_state, actor_id, note)
         select l.tenant_id, l.id, ev.at, ev.from_state, ev.to_state,
                coalesce(ev.actor, (select user_id from memberships where tenant_id = app_tenant_id()
                                       and role = 'supervisor' order by user_id limit 1), l.drafted_by),
                ev.note
           from letters l
           cross join lateral (values
               (l.created_at, null, 'draft', l.drafted_by, ''),
               (l.submitted_at, 'draft', 'submitted', l.drafted_by, ''),
               (case when l.state = 'returned' then l.state_since end, 'submitted', 'returned', l.approved_by,
                'Lengkapi rincian tunggakan.'),
               (l.approved_at, 'submitted', 'approved', l.approved_by, ''),
               (l.sent_at, 'approved', 'sent', l.drafted_by, ''),
               (case when l.state = 'acknowledged' then l.state_since end, 'sent', 'acknowledged', l.drafted_by, ''),
               (case when l.state in ('resolved', 'escalated') then l.closed_at end, 'sent', l.state, l.drafted_by, ''),
               (case when l.state = 'cancelled' then l.closed_at end, 'draft', 'cancelled', l.drafted_by,
                'Dilunasi sebelum diajukan.')
           ) as ev(at, from_state, to_state, actor, note)
          where ev.at is not null"
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into letter_counters (tenant_id, kind, year, last_seq)
         select app_tenant_id(), kind, number_year, max(number_seq) from letters
          where number_seq is not null group by kind, number_year
         on conflict (tenant_id, kind, year) do update set last_seq = excluded.last_seq"
    )
    .execute(&mut *conn)
    .await?;
    Ok(inserted)
}
