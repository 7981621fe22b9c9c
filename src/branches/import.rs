//! Branch offices as an import kind (docs/imports.md): upserted by code.

use crate::imports::kind::{Cell, Column, ImportKind, Kind, Upsert, key_of, no_rules};

pub static KIND: Kind = Kind {
    kind: ImportKind::BranchOffices,
    columns: &[
        Column::new(
            "code",
            "branch.code",
            &["Kode Cabang", "Kode", "Kode Kantor", "Branch Code", "Code"],
            Cell::BranchCode,
        )
        .required(),
        Column::new(
            "name",
            "branch.name",
            &[
                "Nama Kantor",
                "Nama Cabang",
                "Nama",
                "Kantor Cabang",
                "Branch Name",
                "Name",
            ],
            Cell::Text { max: 200 },
        )
        .required(),
        Column::new(
            "region",
            "branch.region",
            &["Kanwil", "Kantor Wilayah", "Wilayah", "Region"],
            Cell::Text { max: 200 },
        ),
        Column::new(
            "address",
            "branch.address",
            &["Alamat", "Address"],
            Cell::Notes { max: 500 },
        ),
    ],
    key: |k, row| key_of(k, row, &["code"]),
    rules: no_rules,
    staging: "create temp table import_staging (
        row_number integer, code text, name text, region text, address text
    ) on commit drop",
    upsert: Upsert::Statement(UPSERT),
};

/// As for employers (src/employers/import.rs): merged values, only changed rows written, an
/// audit event for each. An archived office with the code is updated and stays archived.
const UPSERT: &str = r#"
with merged as (
  select coalesce(b.id, gen_random_uuid()) as id, b.id is null as is_new, s.code, s.name,
         case when 'region' = any($1) then s.region else coalesce(b.region, '') end as region,
         case when 'address' = any($1) then s.address else coalesce(b.address, '') end as address,
         jsonb_build_object('code', b.code, 'name', b.name, 'region', b.region, 'address', b.address) as old
    from import_staging s left join branch_offices b on b.code = s.code
),
changed as (
  select m.* from merged m
   where m.is_new or m.old is distinct from
         jsonb_build_object('code', m.code, 'name', m.name, 'region', m.region, 'address', m.address)
),
up as (
  insert into branch_offices as b (tenant_id, id, code, name, region, address, created_at, updated_at)
  select app_tenant_id(), c.id, c.code, c.name, c.region, c.address, $2, $2 from changed c
  on conflict (tenant_id, code) do update set name = excluded.name, region = excluded.region,
     address = excluded.address, updated_at = excluded.updated_at, version = b.version + 1
  returning b.id, (xmax = 0) as inserted
),
audit as (
  insert into audit_events (tenant_id, id, occurred_at, actor_id, actor_label, action, entity_type,
                            entity_id, changes)
  select app_tenant_id(), gen_random_uuid(), $2, $3, case when $3::uuid is null then 'cli' else '' end,
         'branch.imported', 'branch_office', c.id,
         jsonb_changes(case when c.is_new then null else c.old end,
           jsonb_build_object('code', c.code, 'name', c.name, 'region', c.region, 'address', c.address))
    from changed c
)
select count(*) filter (where inserted), count(*) filter (where not inserted) from up
"#;
