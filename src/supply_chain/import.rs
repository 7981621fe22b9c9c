//! Supply-chain links as an import kind (docs/imports.md): upserted by parent and member NPP. A file
//! that would close a loop of subsidiaries is refused whole.

use sqlx::PgConnection;

use super::domain::Relation;
use crate::error::{AppError, AppResult};
use crate::imports::kind::{
    BoxFuture, Cell, Choices, Column, CommitContext, ImportKind, Kind, Upsert, Values, Written,
    key_of, values_of,
};

pub static KIND: Kind = Kind {
    kind: ImportKind::SupplyChainLinks,
    columns: &[
        Column::new(
            "parent_id",
            "link.parent",
            &["NPP Induk", "Induk", "NPP Perusahaan Induk", "Parent NPP", "Parent"],
            Cell::Employer,
        ).required(),
        Column::new(
            "member_id",
            "link.member",
            &["NPP Anggota", "NPP Anak", "NPP Mitra", "Member NPP", "Member"],
            Cell::Employer,
        ).required(),
        Column::new(
            "relation",
            "link.relation",
            &["Hubungan", "Relasi", "Jenis Hubungan", "Relation"],
            Cell::Choice(Choices {
                values: values_of::<Relation>,
                also: &[("anak", "subsidiary"), ("pemasok", "vendor"), ("supplier", "vendor")],
            }),
        ).required(),
        Column::new(
            "started_on",
            "link.started_on",
            &["Sejak", "Tanggal Mulai", "Since", "Started On"],
            Cell::Date,
        ),
        Column::new(
            "notes",
            "link.notes",
            &["Catatan", "Keterangan", "Notes"],
            Cell::Notes { max: 2000 },
        ),
    ],
    key: |k, row| key_of(k, row, &["parent_id", "member_id"]),
    rules,
    staging: "create temp table import_staging (
        row_number integer, parent_id uuid, member_id uuid, relation text, started_on date, notes text
    ) on commit drop",
    upsert: Upsert::Custom(upsert),
};

fn rules(k: &Kind, row: &Values, _: chrono::NaiveDate) -> Vec<(&'static str, &'static str)> {
    if k.get(row, "parent_id").is_some() && k.get(row, "parent_id") == k.get(row, "member_id") {
        vec![("member_id", "link.self")]
    } else {
        Vec::new()
    }
}

fn upsert<'a>(
    conn: &'a mut PgConnection,
    ctx: &'a CommitContext,
) -> BoxFuture<'a, AppResult<Written>> {
    Box::pin(async move {
        super::repo::lock_subsidiary_chains(&mut *conn).await?;
        let (inserted, updated): (i64, i64) = sqlx::query_as(
            r#"
with merged as (
  select coalesce(l.id, gen_random_uuid()) as id, l.id is null as is_new, s.parent_id, s.member_id,
         s.relation,
         case when 'started_on' = any($1) then s.started_on else l.started_on end as started_on,
         case when 'notes' = any($1) then s.notes else coalesce(l.notes, '') end as notes,
         jsonb_build_object('relation', l.relation, 'started_on', l.started_on, 'notes', l.notes) as old
    from import_staging s
    left join supply_chain_links l on l.parent_id = s.parent_id and l.member_id = s.member_id
     and l.removed_at is null
),
changed as (
  select m.* from merged m
   where m.is_new or m.old is distinct from
         jsonb_build_object('relation', m.relation, 'started_on', m.started_on, 'notes', m.notes)
),
ins as (
  insert into supply_chain_links (tenant_id, id, parent_id, member_id, relation, started_on, notes,
                                  created_at, updated_at)
  select app_tenant_id(), c.id, c.parent_id, c.member_id, c.relation, c.started_on, c.notes, $2, $2
    from changed c where c.is_new
  returning id
),
upd as (
  update supply_chain_links l set relation = c.relation, started_on = c.started_on, notes = c.notes,
         updated_at = $2, version = l.version + 1
    from changed c where l.id = c.id and not c.is_new
  returning l.id
),
audit as (
  insert into audit_events (tenant_id, id, occurred_at, actor_id, actor_label, action, entity_type,
                            entity_id, changes, employer_id, related_employer_id)
  select app_tenant_id(), gen_random_uuid(), $2, $3, case when $3::uuid is null then 'cli' else '' end,
         'link.imported', 'supply_chain_link', c.id,
         jsonb_changes(case when c.is_new then null else c.old end,
           jsonb_build_object('relation', c.relation, 'started_on', c.started_on, 'notes', c.notes)),
         c.parent_id, c.member_id
    from changed c
)
select (select count(*) from ins), (select count(*) from upd)
"#,
        )
        .bind(&ctx.given)
        .bind(ctx.now)
        .bind(ctx.by.map(|u| u.0))
        .fetch_one(&mut *conn)
        .await?;
        // With the file's links in place: is any file row's parent below its own member?
        let loop_found: Option<i32> = sqlx::query_scalar(
            r#"
with recursive below (start, id) as (
  select s.row_number, s.member_id from import_staging s where s.relation = 'subsidiary'
  union
  select b.start, l.member_id from below b
    join supply_chain_links l on l.parent_id = b.id and l.relation = 'subsidiary' and l.removed_at is null
)
select min(b.start) from below b join import_staging s on s.row_number = b.start and s.parent_id = b.id
"#,
        )
        .fetch_one(&mut *conn)
        .await?;
        if loop_found.is_some() {
            return Err(AppError::Conflict("link.cycle"));
        }
        Ok(Written { inserted, updated })
    })
}
