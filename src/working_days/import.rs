//! Holidays as an import kind (docs/imports.md): upserted by day. Due dates move with the calendar
//! in the same transaction.

use sqlx::PgConnection;

use crate::error::AppResult;
use crate::imports::kind::{
    BoxFuture, Cell, Column, CommitContext, ImportKind, Kind, Upsert, Written, key_of, no_rules,
};

pub static KIND: Kind = Kind {
    kind: ImportKind::Holidays,
    columns: &[
        Column::new(
            "day",
            "holiday.day",
            &["Tanggal", "Tgl", "Hari Libur", "Date", "Day"],
            Cell::Date,
        )
        .required(),
        Column::new(
            "name",
            "holiday.name",
            &["Nama", "Keterangan", "Nama Hari Libur", "Name", "Holiday"],
            Cell::Text { max: 200 },
        )
        .required(),
    ],
    key: |k, row| key_of(k, row, &["day"]),
    rules: no_rules,
    staging: "create temp table import_staging (row_number integer, day date, name text) on commit drop",
    upsert: Upsert::Custom(upsert),
};

fn upsert<'a>(
    conn: &'a mut PgConnection,
    ctx: &'a CommitContext,
) -> BoxFuture<'a, AppResult<Written>> {
    Box::pin(async move {
        super::repo::lock_calendar(&mut *conn).await?;
        let written = crate::imports::kind::upsert_rows(&mut *conn, UPSERT, ctx).await?;
        if written.inserted > 0 {
            crate::contributions::service::recompute_due_dates(conn, ctx.today).await?;
        }
        Ok(written)
    })
}

const UPSERT: &str = r#"
with old as (select h.day, h.name from holidays h join import_staging s on s.day = h.day),
up as (
  insert into holidays as h (tenant_id, day, name, created_at)
  select app_tenant_id(), s.day, s.name, $2 from import_staging s
  on conflict (tenant_id, day) do update set name = excluded.name where h.name <> excluded.name
  returning h.day, h.name, (xmax = 0) as inserted
),
audit as (
  insert into audit_events (tenant_id, id, occurred_at, actor_id, actor_label, action, entity_type, changes)
  select app_tenant_id(), gen_random_uuid(), $2, $3, case when $3::uuid is null then 'cli' else '' end,
         'holiday.imported', 'holiday',
         jsonb_build_object('days', jsonb_build_object('old', o.day || ' ' || o.name, 'new', u.day || ' ' || u.name))
    from up u left join old o on o.day = u.day
)
select count(*) filter (where inserted), count(*) filter (where not inserted) from up
"#;
