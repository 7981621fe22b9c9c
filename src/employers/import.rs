//! Employers as an import kind (docs/imports.md): upserted by NPP (with its division code).

use super::domain::{InstitutionType, Ownership, Program, RiskBand, Scale, Segment, Status};
use crate::imports::kind::{Cell, Choices, Column, ImportKind, Kind, Upsert, Values, values_of};

pub static KIND: Kind = Kind {
    kind: ImportKind::Employers,
    columns: &[
        Column::new(
                "npp",
                "employer.npp",
                &["NPP", "Nomor Pendaftaran Perusahaan", "No NPP", "Nomor NPP", "Employer Number"],
                Cell::Npp,
        )
        .required(),
        Column::new(
            "division_code",
            "employer.division_code",
            &["Divisi", "Kode Divisi", "Division", "Division Code"],
            Cell::DivisionCode,
        ),
        Column::new(
                "name",
                "employer.name",
                &[
                    "Nama Perusahaan",
                    "Nama",
                    "Nama Badan Usaha",
                    "Nama PK/BU",
                    "Nama Pemberi Kerja",
                    "Company Name",
                    "Name",
                    "Employer Name",
                ],
                Cell::Text { max: 200 },
        )
        .required(),
        Column::new(
            "legal_name",
            "employer.legal_name",
            &["Nama Resmi", "Nama Badan Hukum", "Legal Name"],
            Cell::Text { max: 200 },
        ),
        Column::new(
            "short_name",
            "employer.short_name",
            &["Nama Singkat", "Singkatan", "Short Name"],
            Cell::Text { max: 60 },
        ),
        Column::new("npwp", "employer.npwp", &["NPWP", "NPWP Perusahaan", "Tax ID"], Cell::Npwp),
        Column::new("nib", "employer.nib", &["NIB", "Nomor Induk Berusaha"], Cell::Nib),
        Column::new("address", "employer.address", &["Alamat", "Address"], Cell::Notes { max: 500 }),
        Column::new("city", "employer.city", &["Kota", "Kabupaten/Kota", "Kota/Kabupaten", "City"], Cell::Text { max: 100 }),
        Column::new("province", "employer.province", &["Provinsi", "Province"], Cell::Text { max: 100 }),
        Column::new("phone", "employer.phone", &["Telepon", "No Telepon", "Nomor Telepon", "Phone"], Cell::Phone),
        Column::new("website", "employer.website", &["Situs", "Situs Web", "Website"], Cell::Text { max: 200 }),
        Column::new(
            "segment",
            "employer.segment",
            &["Segmen", "Segment"],
            Cell::Choice(Choices {
                values: values_of::<Segment>,
                also: &[
                    ("korporat", "corporate"),
                    ("perusahaan", "corporate"),
                    ("institusi", "institution"),
                    ("instansi", "institution"),
                    ("jakon", "construction"),
                    ("konstruksi", "construction"),
                    ("construction", "construction"),
                    ("migrant", "migrant"),
                ],
            }),
        ),
        Column::new(
            "institution_type",
            "employer.institution_type",
            &["Jenis Instansi", "Tipe Instansi", "Institution Type"],
            Cell::Choice(Choices {
                values: values_of::<InstitutionType>,
                also: &[("pemda", "local_government"), ("ministry", "ministry")],
            }),
        ),
        Column::new(
            "ownership",
            "employer.ownership",
            &["Kepemilikan", "Status Kepemilikan", "Ownership"],
            Cell::Choice(Choices {
                values: values_of::<Ownership>,
                also: &[
                    ("swasta", "private_domestic"),
                    ("pmdn", "private_domestic"),
                    ("private", "private_domestic"),
                    ("state owned", "state_owned"),
                    ("regional owned", "regional_owned"),
                ],
            }),
        ),
        Column::new("country", "employer.country", &["Negara Asal", "Negara", "Country", "Country of Origin"], Cell::Country),
        Column::new(
            "scale",
            "employer.scale",
            &["Skala", "Skala Usaha", "Scale"],
            Cell::Choice(Choices {
                values: values_of::<Scale>,
                also: &[],
            }),
        ),
        Column::new("industry", "employer.industry", &["Industri", "Sektor", "KBLI", "Industry"], Cell::Text { max: 200 }),
        Column::new(
            "risk_band",
            "employer.risk_band",
            &["Tingkat Risiko", "Kelompok Risiko", "Risiko JKK", "Risk Band"],
            Cell::Choice(Choices {
                values: values_of::<RiskBand>,
                also: &[],
            }),
        ),
        Column::new(
            "programs",
            "employer.programs",
            &["Program", "Program Diikuti", "Programs"],
            Cell::ChoiceList(Choices {
                values: values_of::<Program>,
                also: &[],
            }),
        ),
        Column::new(
            "workforce_estimate",
            "employer.workforce_estimate",
            &[
                "Perkiraan Tenaga Kerja",
                "Estimasi Tenaga Kerja",
                "Jumlah Karyawan",
                "Estimated Workforce",
                "Workforce",
            ],
            Cell::Count,
        ),
        Column::new(
            "status",
            "employer.status",
            &["Status", "Status Kepesertaan", "Membership Status"],
            Cell::Choice(Choices {
                values: values_of::<Status>,
                also: &[("nonaktif", "inactive"), ("non aktif", "inactive")],
            }),
        ),
        Column::new(
            "rm_id",
            "employer.rm",
            &["Email RM", "RM", "Pembina", "Email Pembina", "RM Email", "Relationship Manager"],
            Cell::Assignee,
        ),
        Column::new(
            "branch_id",
            "employer.branch",
            &["Kantor Cabang", "Kode Cabang", "Cabang", "Branch", "Branch Code", "Branch Office"],
            Cell::Branch,
        ),
        Column::new(
            "approach_notes",
            "employer.approach_notes",
            &["Catatan Pendekatan", "Catatan", "Approach Notes", "Notes"],
            Cell::Notes { max: 4000 },
        ),
    ],
    key: |k, row| {
        let npp = k.get(row, "npp")?;
        Some(super::domain::npp_text(
            Some(npp),
            k.get(row, "division_code").unwrap_or(""),
        ))
    },
    rules,
    staging: "create temp table import_staging (
        row_number integer, npp text, division_code text, name text, legal_name text, short_name text,
        npwp text, nib text, address text, city text, province text, phone text, website text,
        segment text, institution_type text, ownership text, country text, scale text, industry text,
        risk_band text, programs text[], workforce_estimate integer, status text, rm_id uuid,
        branch_id uuid, approach_notes text
    ) on commit drop",
    upsert: Upsert::Statement(UPSERT),
};

/// An institution says which kind it is; only institutions have a kind.
fn rules(k: &Kind, row: &Values, _today: chrono::NaiveDate) -> Vec<(&'static str, &'static str)> {
    let segment = k.get(row, "segment");
    let institution_type = k.get(row, "institution_type");
    match (segment, institution_type) {
        (Some("institution"), None) => vec![("institution_type", "import.institution_type_needed")],
        (Some(s), Some(_)) if s != "institution" => {
            vec![(
                "institution_type",
                "import.institution_type_not_institution",
            )]
        }
        _ => Vec::new(),
    }
}

/// One statement: `merged` is each file row over the stored employer with the same NPP, with
/// the columns the file does not give kept (or defaulted for a new employer); `changed` keeps
/// the rows that are new or differ, so an unchanged employer is not touched at all; the
/// insert … on conflict writes them; the audit insert records each with its changed fields.
/// All CTEs read the same snapshot, so `old` is the employer before this statement.
const UPSERT: &str = r#"
with merged as (
  select coalesce(e.id, gen_random_uuid()) as id, e.id is null as is_new, s.npp,
         coalesce(s.division_code, e.division_code, '') as division_code,
         case when 'name' = any($1) then s.name else e.name end as name,
         case when 'legal_name' = any($1) then s.legal_name else coalesce(e.legal_name, '') end as legal_name,
         case when 'short_name' = any($1) then s.short_name else coalesce(e.short_name, '') end as short_name,
         case when 'npwp' = any($1) then s.npwp else e.npwp end as npwp,
         case when 'nib' = any($1) then s.nib else e.nib end as nib,
         case when 'address' = any($1) then s.address else coalesce(e.address, '') end as address,
         case when 'city' = any($1) then s.city else coalesce(e.city, '') end as city,
         case when 'province' = any($1) then s.province else coalesce(e.province, '') end as province,
         case when 'phone' = any($1) then s.phone else e.phone end as phone,
         case when 'website' = any($1) then s.website else coalesce(e.website, '') end as website,
         case when 'segment' = any($1) then coalesce(s.segment, e.segment, 'corporate')
              else coalesce(e.segment, 'corporate') end as segment,
         case when 'institution_type' = any($1) then s.institution_type else e.institution_type end
             as institution_type,
         case when 'ownership' = any($1) then coalesce(s.ownership, e.ownership, 'private_domestic')
              else coalesce(e.ownership, 'private_domestic') end as ownership,
         case when 'country' = any($1) then s.country else e.country end as country,
         case when 'scale' = any($1) then s.scale else e.scale end as scale,
         case when 'industry' = any($1) then s.industry else coalesce(e.industry, '') end as industry,
         case when 'risk_band' = any($1) then s.risk_band else e.risk_band end as risk_band,
         case when 'programs' = any($1) then coalesce(s.programs, '{}') else coalesce(e.programs, '{}') end
             as programs,
         case when 'workforce_estimate' = any($1) then s.workforce_estimate else e.workforce_estimate end
             as workforce_estimate,
         case when 'status' = any($1) then coalesce(s.status, e.status, 'prospect')
              else coalesce(e.status, 'prospect') end as status,
         case when 'rm_id' = any($1) then s.rm_id else e.rm_id end as rm_id,
         case when 'branch_id' = any($1) then s.branch_id else e.branch_id end as branch_id,
         case when 'approach_notes' = any($1) then s.approach_notes else coalesce(e.approach_notes, '') end
             as approach_notes
    from import_staging s
    left join employers e on e.npp = s.npp and e.division_code = coalesce(s.division_code, '')
),
fixed as (
  -- Only institutions have an institution type; only foreign-owned employers a country of origin.
  select m.*, case when m.segment = 'institution' then m.institution_type end as institution_type_fixed,
         case when m.ownership = 'foreign' then m.country end as country_fixed
    from merged m
),
images as (
  select f.id, f.is_new, f.npp, f.division_code, f.name, f.legal_name, f.short_name, f.npwp, f.nib,
         f.address, f.city, f.province, f.phone, f.website, f.segment,
         f.institution_type_fixed as institution_type, f.ownership, f.country_fixed as country, f.scale,
         f.industry, f.risk_band, f.programs, f.workforce_estimate, f.status, f.rm_id, f.branch_id,
         f.approach_notes,
         e.id is not null and (e.division_code, e.name, e.legal_name, e.short_name, e.npwp, e.nib, e.address,
           e.city, e.province, e.phone, e.website, e.segment, e.institution_type, e.ownership, e.country,
           e.scale, e.industry, e.risk_band, e.programs, e.workforce_estimate, e.status, e.rm_id,
           e.branch_id, e.approach_notes)
           is not distinct from
           (f.division_code, f.name, f.legal_name, f.short_name, f.npwp, f.nib, f.address, f.city,
            f.province, f.phone, f.website, f.segment, f.institution_type_fixed, f.ownership,
            f.country_fixed, f.scale, f.industry, f.risk_band, f.programs, f.workforce_estimate,
            f.status, f.rm_id, f.branch_id, f.approach_notes) as same
    from fixed f left join employers e on e.id = f.id and not f.is_new
),
changed as (select * from images where not same),
old as (
  select e.id, jsonb_build_object(
           'npp', e.npp, 'division_code', e.division_code, 'npwp', e.npwp, 'nib', e.nib, 'name', e.name,
           'legal_name', e.legal_name, 'short_name', e.short_name, 'address', e.address, 'city', e.city,
           'province', e.province, 'phone', e.phone, 'website', e.website, 'segment', e.segment,
           'institution_type', e.institution_type, 'ownership', e.ownership, 'country', e.country,
           'scale', e.scale, 'industry', e.industry, 'risk_band', e.risk_band,
           'programs', array_to_string(e.programs, ', '), 'workforce_estimate', e.workforce_estimate,
           'status', e.status, 'rm', ru.name, 'branch', b.code, 'approach_notes', e.approach_notes) as image
    from changed c join employers e on e.id = c.id
    left join users ru on ru.id = e.rm_id
    left join branch_offices b on b.id = e.branch_id
),
up as (
  insert into employers as e (tenant_id, id, npp, division_code, npwp, nib, name, legal_name, short_name,
                              address, city, province, phone, website, segment, institution_type, ownership,
                              country, scale, industry, risk_band, programs, workforce_estimate, status,
                              rm_id, branch_id, approach_notes, stage_entered_on, created_at, updated_at)
  select app_tenant_id(), c.id, c.npp, c.division_code, c.npwp, c.nib, c.name, c.legal_name, c.short_name,
         c.address, c.city, c.province, c.phone, c.website, c.segment, c.institution_type, c.ownership,
         c.country, c.scale, c.industry, c.risk_band, c.programs, c.workforce_estimate, c.status, c.rm_id,
         c.branch_id, c.approach_notes, $4, $2, $2
    from changed c
  on conflict (tenant_id, npp, division_code) where npp is not null do update set
     npwp = excluded.npwp, nib = excluded.nib, name = excluded.name, legal_name = excluded.legal_name,
     short_name = excluded.short_name, address = excluded.address, city = excluded.city,
     province = excluded.province, phone = excluded.phone, website = excluded.website,
     segment = excluded.segment, institution_type = excluded.institution_type,
     ownership = excluded.ownership, country = excluded.country, scale = excluded.scale,
     industry = excluded.industry, risk_band = excluded.risk_band, programs = excluded.programs,
     workforce_estimate = excluded.workforce_estimate, status = excluded.status, rm_id = excluded.rm_id,
     branch_id = excluded.branch_id, approach_notes = excluded.approach_notes,
     updated_at = excluded.updated_at, version = e.version + 1
  returning e.id, (xmax = 0) as inserted
),
audit as (
  insert into audit_events (tenant_id, id, occurred_at, actor_id, actor_label, action, entity_type,
                            entity_id, changes, employer_id)
  select app_tenant_id(), gen_random_uuid(), $2, $3, case when $3::uuid is null then 'cli' else '' end,
         'employer.imported', 'employer', u.id,
         case when o.image is null then jsonb_build_object(
           'npp', jsonb_build_object('old', null, 'new', c.npp),
           'division_code', jsonb_build_object('old', null, 'new', c.division_code),
           'npwp', jsonb_build_object('old', null, 'new', c.npwp),
           'nib', jsonb_build_object('old', null, 'new', c.nib),
           'name', jsonb_build_object('old', null, 'new', c.name),
           'legal_name', jsonb_build_object('old', null, 'new', c.legal_name),
           'short_name', jsonb_build_object('old', null, 'new', c.short_name),
           'address', jsonb_build_object('old', null, 'new', c.address),
           'city', jsonb_build_object('old', null, 'new', c.city),
           'province', jsonb_build_object('old', null, 'new', c.province),
           'phone', jsonb_build_object('old', null, 'new', c.phone),
           'website', jsonb_build_object('old', null, 'new', c.website),
           'segment', jsonb_build_object('old', null, 'new', c.segment),
           'institution_type', jsonb_build_object('old', null, 'new', c.institution_type),
           'ownership', jsonb_build_object('old', null, 'new', c.ownership),
           'country', jsonb_build_object('old', null, 'new', c.country),
           'scale', jsonb_build_object('old', null, 'new', c.scale),
           'industry', jsonb_build_object('old', null, 'new', c.industry),
           'risk_band', jsonb_build_object('old', null, 'new', c.risk_band),
           'programs', jsonb_build_object('old', null, 'new', array_to_string(c.programs, ', ')),
           'workforce_estimate', jsonb_build_object('old', null, 'new', c.workforce_estimate),
           'status', jsonb_build_object('old', null, 'new', c.status),
           'rm', jsonb_build_object('old', null, 'new', ru.name),
           'branch', jsonb_build_object('old', null, 'new', b.code),
           'approach_notes', jsonb_build_object('old', null, 'new', c.approach_notes))
         else jsonb_changes(o.image, jsonb_build_object(
           'npp', c.npp, 'division_code', c.division_code, 'npwp', c.npwp, 'nib', c.nib, 'name', c.name,
           'legal_name', c.legal_name, 'short_name', c.short_name, 'address', c.address, 'city', c.city,
           'province', c.province, 'phone', c.phone, 'website', c.website, 'segment', c.segment,
           'institution_type', c.institution_type, 'ownership', c.ownership, 'country', c.country,
           'scale', c.scale, 'industry', c.industry, 'risk_band', c.risk_band,
           'programs', array_to_string(c.programs, ', '), 'workforce_estimate', c.workforce_estimate,
           'status', c.status, 'rm', ru.name, 'branch', b.code, 'approach_notes', c.approach_notes)) end,
         u.id
    from up u join changed c on c.id = u.id
    left join old o on o.id = u.id
    left join users ru on ru.id = c.rm_id
    left join branch_offices b on b.id = c.branch_id
)
select count(*) filter (where inserted), count(*) filter (where not inserted) from up
"#;
