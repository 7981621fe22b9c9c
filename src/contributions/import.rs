//! Contribution months as an import kind (docs/imports.md): upserted by employer (NPP) and month.
//! Due dates come from the tenant's working-day calendar, and the arrears summary is brought up to
//! date in the same transaction.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::domain::{Period, check_payment, check_period};
use crate::error::AppResult;
use crate::imports::kind::{
    BoxFuture, Cell, Column, CommitContext, ImportKind, Kind, Upsert, Values, Written, key_of,
};

pub static KIND: Kind = Kind {
    kind: ImportKind::Contributions,
    columns: &[
        Column::new("employer_id", "employer.npp", &["NPP", "Nomor Pendaftaran Perusahaan", "Employer NPP"], Cell::Employer).required(),
        Column::new("period", "contribution.period", &["Periode", "Bulan", "Masa Iuran", "Period", "Month"], Cell::Period).required(),
        Column::new(
            "workers_reported",
            "contribution.workers_reported",
            &["Tenaga Kerja", "Jumlah Tenaga Kerja", "Jumlah TK", "Workers", "Workers Reported"],
            Cell::Count,
        )
        .required(),
        Column::new(
            "wages_reported",
            "contribution.wages_reported",
            &["Upah", "Total Upah", "Upah Dilaporkan", "Wages", "Wages Reported"],
            Cell::Money,
        )
        .required(),
        Column::new("amount_due", "contribution.amount_due", &["Iuran", "Tagihan", "Iuran Tertagih", "Amount Due", "Due"], Cell::Money).required(),
        Column::new("amount_paid", "contribution.amount_paid", &["Dibayar", "Iuran Dibayar", "Pembayaran", "Amount Paid", "Paid"], Cell::Money),
        Column::new("paid_on", "contribution.paid_on", &["Tanggal Bayar", "Tgl Bayar", "Paid On", "Payment Date"], Cell::Date),
    ],
    key: |k, row| key_of(k, row, &["employer_id", "period"]),
    rules,
    staging: "create temp table import_staging (
        row_number integer, employer_id uuid, period date, workers_reported integer,
        wages_reported numeric(18, 2), amount_due numeric(18, 2), amount_paid numeric(18, 2), paid_on date
    ) on commit drop",
    upsert: Upsert::Custom(upsert),
};

/// The month has begun; a payment has its day and no payment has none (as on the form).
fn rules(k: &Kind, row: &Values, today: NaiveDate) -> Vec<(&'static str, &'static str)> {
    let mut broken = Vec::new();
    let Some(period) = k
        .get(row, "period")
        .and_then(|p| p.parse::<NaiveDate>().ok())
        .map(Period::containing)
    else {
        return broken;
    };
    if let Err(key) = check_period(period, today) {
        broken.push(("period", key));
    }
    let paid = k
        .get(row, "amount_paid")
        .and_then(|p| p.parse::<Decimal>().ok())
        .unwrap_or_default();
    let paid_on = k.get(row, "paid_on").and_then(|d| d.parse().ok());
    if let Err(key) = check_payment(period, paid, paid_on, today) {
        broken.push(("paid_on", key));
    }
    broken
}

fn upsert<'a>(
    conn: &'a mut PgConnection,
    ctx: &'a CommitContext,
) -> BoxFuture<'a, AppResult<Written>> {
    Box::pin(async move {
        // Each month's due date, from the calendar, for the months the file names.
        let months: BTreeSet<NaiveDate> =
            sqlx::query_scalar::<_, NaiveDate>("select distinct period from import_staging")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();
        let mut periods = Vec::new();
        let mut dues = Vec::new();
        for m in months {
            periods.push(m);
            dues.push(super::service::due_on(&mut *conn, Period::containing(m)).await?);
        }
        let (inserted, updated): (i64, i64) = sqlx::query_as(
            r#"
with due as (select * from unnest($4::date[], $5::date[]) as d (period, due_on)),
merged as (
  select s.employer_id, s.period, c.employer_id is null as is_new, s.workers_reported, s.wages_reported,
         s.amount_due,
         case when 'amount_paid' = any($1) then coalesce(s.amount_paid, 0) else coalesce(c.amount_paid, 0) end
             as amount_paid,
         case when 'paid_on' = any($1) then s.paid_on else c.paid_on end as paid_on,
         d.due_on
    from import_staging s
    join due d on d.period = s.period
    left join contribution_periods c on c.employer_id = s.employer_id and c.period = s.period
),
changed as (
  select m.* from merged m
    left join contribution_periods c on c.employer_id = m.employer_id and c.period = m.period
   where c.employer_id is null
      or (c.workers_reported, c.wages_reported, c.amount_due, c.amount_paid, c.paid_on)
         is distinct from (m.workers_reported, m.wages_reported, m.amount_due, m.amount_paid, m.paid_on)
),
old as (
  select c.employer_id, c.period, jsonb_build_object('workers_reported', c.workers_reported,
           'wages_reported', c.wages_reported, 'amount_due', c.amount_due, 'amount_paid', c.amount_paid,
           'paid_on', c.paid_on) as image
    from changed m join contribution_periods c on c.employer_id = m.employer_id and c.period = m.period
),
up as (
  insert into contribution_periods as c (tenant_id, employer_id, period, workers_reported, wages_reported,
                                         amount_due, amount_paid, paid_on, due_on, created_at, updated_at)
  select app_tenant_id(), m.employer_id, m.period, m.workers_reported, m.wages_reported, m.amount_due,
         m.amount_paid, m.paid_on, m.due_on, $2, $2
    from changed m
  on conflict (tenant_id, employer_id, period) do update set
     workers_reported = excluded.workers_reported, wages_reported = excluded.wages_reported,
     amount_due = excluded.amount_due, amount_paid = excluded.amount_paid, paid_on = excluded.paid_on,
     updated_at = excluded.updated_at, version = c.version + 1
  returning c.employer_id, c.period, (xmax = 0) as inserted
),
audit as (
  insert into audit_events (tenant_id, id, occurred_at, actor_id, actor_label, action, entity_type,
                            entity_id, changes, employer_id)
  select app_tenant_id(), gen_random_uuid(), $2, $3, case when $3::uuid is null then 'cli' else '' end,
         'contribution.imported', 'contribution', m.employer_id,
         jsonb_build_object('period', jsonb_build_object('old', null, 'new', to_char(m.period, 'YYYY-MM')))
           || jsonb_changes(o.image, jsonb_build_object('workers_reported', m.workers_reported,
                'wages_reported', m.wages_reported, 'amount_due', m.amount_due,
                'amount_paid', m.amount_paid, 'paid_on', m.paid_on)),
         m.employer_id
    from changed m left join old o on o.employer_id = m.employer_id and o.period = m.period
)
select count(*) filter (where inserted), count(*) filter (where not inserted) from up
"#,
        )
        .bind(&ctx.given)
        .bind(ctx.now)
        .bind(ctx.by.map(|u| u.0))
        .bind(&periods)
        .bind(&dues)
        .fetch_one(&mut *conn)
        .await?;
        if inserted + updated > 0 {
            crate::employers::service::refresh_arrears(conn, None, ctx.today).await?;
        }
        Ok(Written { inserted, updated })
    })
}
