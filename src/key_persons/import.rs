//! Key persons as an import kind (docs/imports.md): matched within their employer by email, else by
//! name.

use super::domain::{KpRole, Level};
use crate::imports::kind::{Cell, Choices, Column, ImportKind, Kind, Upsert, no_rules, values_of};

pub static KIND: Kind = Kind {
    kind: ImportKind::KeyPersons,
    columns: &[
        Column::new(
                "employer_id",
                "employer.npp",
                &["NPP", "NPP Perusahaan", "Nomor Pendaftaran Perusahaan", "Employer NPP"],
                Cell::Employer,
        )
        .required(),
        Column::new(
                "full_name",
                "key_person.full_name",
                &["Nama", "Nama Lengkap", "Nama PIC", "Full Name", "Name"],
                Cell::Text { max: 200 },
        )
        .required(),
        Column::new(
            "position_title",
            "key_person.position_title",
            &["Jabatan", "Posisi", "Position", "Title", "Position Title"],
            Cell::Text { max: 200 },
        ),
        Column::new(
                "level",
                "key_person.level",
                &["Level", "Tingkat", "Tingkat Jabatan", "Level Jabatan"],
                Cell::Choice(Choices {
                    values: values_of::<Level>,
                    also: &[
                        ("direktur", "bod"),
                        ("direksi", "bod"),
                        ("bod-1", "bod_minus_one"),
                        ("bod 1", "bod_minus_one"),
                        ("manajer", "manager"),
                        ("staf", "staff"),
                    ],
                }),
        )
        .required(),
        Column::new(
            "department",
            "key_person.department",
            &["Departemen", "Divisi", "Bagian", "Department"],
            Cell::Text { max: 200 },
        ),
        Column::new("email", "key_person.email", &["Email", "Surel", "E-mail"], Cell::Email),
        Column::new("phone", "key_person.phone", &["Telepon", "No HP", "Nomor HP", "HP", "Phone", "Mobile"], Cell::Phone),
        Column::new("influence", "key_person.influence", &["Pengaruh", "Influence"], Cell::Score),
        Column::new(
            "roles",
            "key_person.roles",
            &["Peran", "Roles", "Role"],
            Cell::ChoiceList(Choices {
                values: values_of::<KpRole>,
                also: &[],
            }),
        ),
        Column::new(
            "active_since",
            "key_person.active_since",
            &["Menjabat Sejak", "Aktif Sejak", "Active Since"],
            Cell::Date,
        ),
        Column::new("source", "key_person.source", &["Sumber", "Sumber Data", "Source"], Cell::Text { max: 200 }),
    ],
    // NPP and email, else NPP and name (case ignored).
    key: |k, row| {
        let employer = k.get(row, "employer_id")?;
        match k.get(row, "email") {
            Some(email) => Some(format!("{employer} {email}")),
            None => Some(format!("{employer} name {}", k.get(row, "full_name")?.to_lowercase())),
        }
    },
    rules: no_rules,
    staging: "create temp table import_staging (
        row_number integer, employer_id uuid, full_name text, position_title text, level text,
        department text, email text, phone text, influence smallint, roles text[], active_since date,
        source text
    ) on commit drop",
    upsert: Upsert::Statement(UPSERT),
};

/// A file row is the stored current person of the same employer with its email (or, without
/// one, its name); the earliest recorded wins when several match, and each stored person is
/// matched by one row at most. Then as for employers (src/employers/import.rs): merged values,
/// only changed rows written, an audit event for each.
const UPSERT: &str = r#"
with candidates as (
  select distinct on (s.row_number) s.row_number, k.id
    from import_staging s
    join key_persons k on k.employer_id = s.employer_id and k.erased_at is null and k.archived_at is null
     and case when s.email is not null then k.email = s.email else lower(k.full_name) = lower(s.full_name) end
   order by s.row_number, k.created_at, k.id
),
matched as (select distinct on (id) row_number, id from candidates order by id, row_number),
merged as (
  select coalesce(m.id, gen_random_uuid()) as id, m.id is null as is_new, s.employer_id, s.full_name,
         case when 'position_title' = any($1) then s.position_title else coalesce(k.position_title, '') end
             as position_title,
         s.level,
         case when 'department' = any($1) then s.department else coalesce(k.department, '') end as department,
         case when 'email' = any($1) then s.email else k.email end as email,
         case when 'phone' = any($1) then s.phone else k.phone end as phone,
         case when 'influence' = any($1) then coalesce(s.influence, k.influence, 3) else coalesce(k.influence, 3) end
             as influence,
         case when 'roles' = any($1) then coalesce(s.roles, '{}') else coalesce(k.roles, '{}') end as roles,
         case when 'active_since' = any($1) then s.active_since else k.active_since end as active_since,
         case when 'source' = any($1) then s.source else coalesce(k.source, '') end as source
    from import_staging s
    left join matched m on m.row_number = s.row_number
    left join key_persons k on k.id = m.id
),
changed as (
  select m.* from merged m left join key_persons k on k.id = m.id and not m.is_new
   where k.id is null
      or (k.full_name, k.position_title, k.level, k.department, k.email, k.phone, k.influence, k.roles,
          k.active_since, k.source)
         is distinct from
         (m.full_name, m.position_title, m.level, m.department, m.email, m.phone, m.influence, m.roles,
          m.active_since, m.source)
),
old as (
  select k.id, jsonb_build_object('full_name', k.full_name, 'position_title', k.position_title,
           'level', k.level, 'department', k.department, 'email', k.email, 'phone', k.phone,
           'influence', k.influence, 'roles', array_to_string(k.roles, ', '), 'active_since', k.active_since,
           'source', k.source) as image
    from changed c join key_persons k on k.id = c.id
),
ins as (
  insert into key_persons (tenant_id, id, employer_id, full_name, position_title, level, department, email,
                           phone, influence, roles, active_since, source, created_at, updated_at)
  select app_tenant_id(), c.id, c.employer_id, c.full_name, c.position_title, c.level, c.department, c.email,
         c.phone, c.influence, c.roles, c.active_since, c.source, $2, $2
    from changed c where c.is_new
  returning id
),
upd as (
  update key_persons k set full_name = c.full_name, position_title = c.position_title, level = c.level,
         department = c.department, email = c.email, phone = c.phone, influence = c.influence,
         roles = c.roles, active_since = c.active_since, source = c.source, updated_at = $2,
         version = k.version + 1
    from changed c where k.id = c.id and not c.is_new
  returning k.id
),
audit as (
  insert into audit_events (tenant_id, id, occurred_at, actor_id, actor_label, action, entity_type,
                            entity_id, changes, employer_id)
  select app_tenant_id(), gen_random_uuid(), $2, $3, case when $3::uuid is null then 'cli' else '' end,
         'key_person.imported', 'key_person', c.id,
         jsonb_changes(o.image, jsonb_build_object('full_name', c.full_name,
           'position_title', c.position_title, 'level', c.level, 'department', c.department,
           'email', c.email, 'phone', c.phone, 'influence', c.influence,
           'roles', array_to_string(c.roles, ', '), 'active_since', c.active_since, 'source', c.source)),
         c.employer_id
    from changed c left join old o on o.id = c.id
)
select (select count(*) from ins), (select count(*) from upd)
"#;
