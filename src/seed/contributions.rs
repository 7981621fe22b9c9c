//! Contribution history for the demo and benchmark data: `months` months per registered employer,
//! up to last month, with the behaviours the division sees — most pay on time, some pay late, some
//! fall into arrears (a few with a partial payment), a few stopped reporting. Set-based and
//! deterministic (each employer's behaviour follows from a hash of its id); employers that already
//! have periods are left alone, so a second run adds nothing.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use crate::contributions::domain::Period;

/// Public holidays of the demo tenant (the fixed-date ones, and 2026's moving ones).
pub const DEMO_HOLIDAYS: &[(&str, &str)] = &[
    ("2025-01-01", "Tahun Baru Masehi"),
    ("2025-05-01", "Hari Buruh Internasional"),
    ("2025-06-01", "Hari Lahir Pancasila"),
    ("2025-08-17", "Hari Kemerdekaan RI"),
    ("2025-12-25", "Hari Raya Natal"),
    ("2026-01-01", "Tahun Baru Masehi"),
    ("2026-03-19", "Hari Suci Nyepi"),
    ("2026-03-20", "Idul Fitri 1447 H"),
    ("2026-03-21", "Idul Fitri 1447 H"),
    ("2026-04-03", "Wafat Yesus Kristus"),
    ("2026-05-01", "Hari Buruh Internasional"),
    ("2026-05-14", "Kenaikan Yesus Kristus"),
    ("2026-05-27", "Idul Adha 1447 H"),
    ("2026-05-31", "Hari Raya Waisak"),
    ("2026-06-01", "Hari Lahir Pancasila"),
    ("2026-06-16", "Tahun Baru Islam 1448 H"),
    ("2026-08-17", "Hari Kemerdekaan RI"),
    ("2026-08-25", "Maulid Nabi Muhammad SAW"),
    ("2026-12-25", "Hari Raya Natal"),
    ("2027-01-01", "Tahun Baru Masehi"),
];

/// Adds `months` months of contributions, up to last month, to every registered, active or inactive
/// employer of the transaction's tenant without any; returns how many periods were added. Due dates
/// come from the tenant's working-day calendar, then the arrears summary is brought up to `today`.
pub async fn generate(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    today: NaiveDate,
    months: u32,
) -> anyhow::Result<u64> {
    let last = Period::containing(today).minus_months(1);
    let first = last.minus_months(months - 1);
    let calendar = crate::working_days::repo::load(
        &mut *conn,
        first.first_day(),
        last.plus_months(3).first_day(),
    )
    .await?;
    let mut periods = Vec::new();
    let mut dues = Vec::new();
    let mut back = Vec::new();
    for k in 1..=months {
        let p = Period::containing(today).minus_months(k);
        periods.push(p.first_day());
        dues.push(p.due_on(&calendar));
        back.push(k as i32);
    }
    let done = sqlx::query!(
        r#"with emp as (
             select e.id, e.status, abs(hashtext(e.id::text)) as h,
                    coalesce(e.workers_reported, 40 + abs(hashtext(e.id::text || ':w')) % 900) as workers
               from employers e
              where e.archived_at is null and e.npp is not null and e.status in ('active', 'inactive')
                and not exists (select 1 from contribution_periods c where c.employer_id = e.id)),
           cls as (
             -- 0–69 pay on time, 70–81 pay late, 82–91 fell into arrears, 92–99 stopped reporting
             -- (and every inactive employer did).
             select emp.*, case when emp.status = 'inactive' or emp.h % 100 >= 92 then 'stopped'
                                when emp.h % 100 >= 82 then 'arrears'
                                when emp.h % 100 >= 70 then 'late' else 'punctual' end as kind
               from emp),
           row as (
             select cls.id, cls.kind, cls.h, p.period, p.due_on, p.k,
                    greatest(1, cls.workers + ((cls.h + p.k * 7) % 11) - 5
                                + case when cls.kind = 'stopped' then p.k * 2 else 0 end) as workers,
                    (4500000 + cls.h % 4000000)::numeric as avg_wage,
                    (0.0954 + (cls.h % 4) * 0.005)::numeric as rate
               from cls, unnest($1::date[], $2::date[], $3::int[]) as p(period, due_on, k)
              -- A stopped employer reported nothing in its last 2–5 months.
              where not (cls.kind = 'stopped' and p.k <= 2 + cls.h % 4)),
           fig as (
             select row.*, round(row.workers * row.avg_wage, 2) as wages,
                    round(row.workers * row.avg_wage * row.rate, 0) as due,
                    case
                      -- Nothing is paid of a month not due yet, except by the early payers.
                      when row.due_on >= $5 and row.h % 3 <> 0 then null
                      when row.due_on >= $5 then greatest(row.period + interval '1 month', $5 - 1 - (row.h % 5))::date
                      when row.kind = 'punctual' then (row.due_on - (row.h + row.k) % 6)
                      when row.kind = 'late' then row.due_on + 1 + (row.h + row.k * 13) % 40
                      when row.kind = 'arrears' and row.k <= 1 + row.h % 6 then null
                      when row.kind = 'stopped' and row.k <= 3 + row.h % 4 then null
                      else row.due_on - (row.h + row.k) % 4 end as paid_day
               from row)
           insert into contribution_periods (tenant_id, employer_id, period, workers_reported, wages_reported,
                  amount_due, amount_paid, paid_on, due_on, created_at, updated_at)
           select app_tenant_id(), fig.id, fig.period, fig.workers, fig.wages, fig.due,
                  case when fig.paid_day is null or fig.paid_day >= $5 then
                            -- An employer in arrears paid half of its oldest unpaid month.
                            case when fig.kind = 'arrears' and fig.k = 1 + fig.h % 6 and fig.due_on < $5
                                 then round(fig.due / 2, 0) else 0 end
                       else fig.due end,
                  case when fig.paid_day is null or fig.paid_day >= $5 then
                            case when fig.kind = 'arrears' and fig.k = 1 + fig.h % 6 and fig.due_on < $5
                                 then least(fig.due_on + 20, $5 - 1) end
                       else fig.paid_day end,
                  fig.due_on, $4, $4
             from fig"#,
        &periods,
        &dues,
        &back,
        now,
        today
    )
    .execute(&mut *conn)
    .await?;
    crate::employers::service::refresh_arrears(&mut *conn, None, today).await?;
    crate::contributions::repo::mark_refreshed(&mut *conn, today).await?;
    Ok(done.rows_affected())
}
