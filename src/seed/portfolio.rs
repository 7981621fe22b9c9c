//! The employer portfolio generator shared by the demo data and the benchmark data set: employers,
//! their key persons and supply-chain links, built set-based inside the database (one `insert …
//! select` per table over `generate_series`), deterministic for a given `first` number.
//!
//! Names, cities and people come from the arrays below; which one a row gets is arithmetic on its
//! number, so the same arguments always build the same data.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

const NAME_WORDS: &[&str] = &[
    "Maju",
    "Jaya",
    "Sentosa",
    "Abadi",
    "Makmur",
    "Sejahtera",
    "Nusantara",
    "Mandiri",
    "Karya",
    "Prima",
    "Utama",
    "Sinar",
    "Cahaya",
    "Bintang",
    "Mitra",
    "Sumber",
    "Agung",
    "Bumi",
    "Persada",
    "Samudra",
    "Lestari",
    "Perkasa",
    "Berkah",
    "Mulia",
    "Kencana",
    "Surya",
    "Wijaya",
    "Harapan",
    "Bangun",
    "Cipta",
    "Gemilang",
    "Sakti",
    "Tunggal",
    "Raya",
    "Anugerah",
    "Indah",
    "Mas",
    "Baru",
    "Multi",
    "Putra",
    "Sarana",
    "Tama",
    "Andalan",
    "Citra",
    "Duta",
    "Eka",
    "Graha",
    "Inti",
    "Kurnia",
    "Lintas",
    "Megah",
    "Nusa",
    "Pelita",
    "Rekayasa",
    "Swadaya",
    "Tirta",
    "Wahana",
    "Adhi",
    "Bina",
    "Dharma",
];
const TRADE_WORDS: &[&str] = &[
    "Logistik",
    "Energi",
    "Pangan",
    "Tekstil",
    "Konstruksi",
    "Farma",
    "Digital",
    "Teknik",
    "Kimia",
    "Elektronik",
    "Otomotif",
    "Perkebunan",
    "Properti",
    "Transportasi",
    "Garmen",
    "Semen",
    "Baja",
    "Plastik",
    "Kertas",
    "Makanan",
    "Minuman",
    "Perikanan",
    "Pertambangan",
    "Telekomunikasi",
    "Pelayaran",
    "Agro",
    "Sawit",
    "Medika",
    "Niaga",
    "Solusi",
];
/// Words that appear in a handful of names only, for searches by a rare word.
const RARE_WORDS: &[&str] = &["Wakatobi", "Bunaken", "Rinjani", "Mahakam", "Kerinci"];
const CITIES: &[(&str, &str)] = &[
    ("Jakarta Selatan", "DKI Jakarta"),
    ("Jakarta Pusat", "DKI Jakarta"),
    ("Jakarta Barat", "DKI Jakarta"),
    ("Jakarta Utara", "DKI Jakarta"),
    ("Jakarta Timur", "DKI Jakarta"),
    ("Kota Tangerang", "Banten"),
    ("Kota Bekasi", "Jawa Barat"),
    ("Kabupaten Bogor", "Jawa Barat"),
    ("Kota Depok", "Jawa Barat"),
    ("Kabupaten Karawang", "Jawa Barat"),
    ("Kota Bandung", "Jawa Barat"),
    ("Kota Surabaya", "Jawa Timur"),
    ("Kota Semarang", "Jawa Tengah"),
    ("Kota Medan", "Sumatera Utara"),
    ("Kota Batam", "Kepulauan Riau"),
    ("Kota Makassar", "Sulawesi Selatan"),
];
const FIRST_NAMES: &[&str] = &[
    "Budi", "Siti", "Agus", "Dewi", "Hendra", "Rina", "Andi", "Sri", "Joko", "Ratna", "Bambang",
    "Wulan", "Yudi", "Fitri", "Eko", "Lestari", "Rudi", "Maya", "Dedi", "Nur", "Arief", "Indah",
    "Taufik", "Ayu", "Hadi", "Diah", "Irwan", "Putri", "Bayu", "Sari", "Fajar", "Nina",
];
const LAST_NAMES: &[&str] = &[
    "Santoso",
    "Wibowo",
    "Saputra",
    "Hidayat",
    "Kusuma",
    "Pratama",
    "Nugroho",
    "Setiawan",
    "Gunawan",
    "Siregar",
    "Nasution",
    "Simanjuntak",
    "Hutapea",
    "Wijaya",
    "Halim",
    "Tanoto",
    "Susanto",
    "Purnomo",
    "Rahman",
    "Syahputra",
    "Lubis",
    "Harahap",
    "Manurung",
    "Sitompul",
    "Sembiring",
    "Ginting",
    "Tambunan",
    "Pardede",
    "Utomo",
    "Suryadi",
];
const POSITIONS: &[(&str, &str)] = &[
    ("bod", "Direktur Utama"),
    ("bod", "Direktur Keuangan"),
    ("bod_minus_one", "Kepala Divisi Human Capital"),
    ("bod_minus_one", "General Manager HRD"),
    ("bod_minus_one", "Kepala Divisi Keuangan"),
    ("manager", "Manajer Personalia"),
    ("manager", "Manajer Payroll"),
    ("staff", "Staf Administrasi Kepegawaian"),
];
const FOREIGN: &[&str] = &["JP", "KR", "SG", "CN", "MY", "US", "DE", "TW"];

fn text_array(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// What to generate in the current tenant transaction.
pub struct Spec<'a> {
    /// Number of the first employer; NPPs and names follow from it, so ranges never collide.
    pub first: i64,
    pub count: i64,
    pub rms: &'a [Uuid],
    pub branches: &'a [Uuid],
    /// Key persons per employer (levels cycle BOD, BOD-1, BOD-1, manager …); every 7th is former.
    pub people_per_employer: i64,
    /// Every `parent_every`-th employer is a parent with `members_per_parent` members.
    pub parent_every: i64,
    pub members_per_parent: i64,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

/// Inserts the employers, their key persons and links; returns how many employers were added.
/// Rows already present (same NPP) are left alone, so a second run adds nothing.
pub async fn generate(conn: &mut PgConnection, s: &Spec<'_>) -> sqlx::Result<u64> {
    let (cities, provinces): (Vec<String>, Vec<String>) = CITIES
        .iter()
        .map(|(c, p)| ((*c).to_owned(), (*p).to_owned()))
        .unzip();
    let done = sqlx::query!(
        r#"with g as (
             select i, i - $1 as n,
                    -- A deterministic id per tenant and number.
                    md5(app_tenant_id()::text || ':employer:' || i)::uuid as id,
                    lpad((10000000 + i)::text, 8, '0') as npp8
               from generate_series($1::bigint, $1::bigint + $2::bigint - 1) as i)
           insert into employers (tenant_id, id, npp, npwp, name, legal_name, address, city, province,
                  phone, segment, institution_type, ownership, country, scale, industry, risk_band,
                  programs, workers_reported, workforce_estimate, status, stage, stage_entered_on,
                  stage_reason, revisit_on, regulation_briefing_on, rm_id, branch_id, approach_notes,
                  created_at, updated_at)
           select app_tenant_id(), g.id,
                  case when g.i % 10 = 0 then null else g.npp8 end,
                  -- 15-digit NPWP with its Luhn check digit, stored as 0 + 15 digits.
                  '0' || g.npp8 || (select (10 - sum(case when (8 - p) % 2 = 0 then (d * 2) / 10 + (d * 2) % 10 else d end) % 10) % 10
                                      from (select p, substr(g.npp8, p, 1)::int as d from generate_series(1, 8) as p) x)::text
                      || lpad((g.i % 1000)::text, 3, '0') || '000',
                  name, 'PT ' || name, 'Jl. ' || ($4::text[])[1 + (g.i * 3) % cardinality($4::text[])] || ' No. ' || (1 + g.i % 250),
                  ($6::text[])[1 + g.i % cardinality($6::text[])], ($7::text[])[1 + g.i % cardinality($7::text[])],
                  '+6221' || lpad((5000000 + g.i % 4999999)::text, 7, '0'),
                  seg, case when seg = 'institution' then 'agency' end,
                  case when seg = 'institution' then 'government'
                       when g.i % 9 = 0 then 'foreign' when g.i % 13 = 0 then 'state_owned'
                       when g.i % 17 = 0 then 'regional_owned' else 'private_domestic' end,
                  case when seg <> 'institution' and g.i % 9 = 0 then ($9::text[])[1 + g.i % cardinality($9::text[])] end,
                  (array['large', 'medium', 'small', 'micro'])[1 + g.i % 4],
                  ($5::text[])[1 + (g.i * 7) % cardinality($5::text[])],
                  (array['very_low', 'low', 'medium', 'high', 'very_high'])[1 + g.i % 5],
                  case when g.i % 10 = 0 then '{}'::text[] when g.i % 3 = 0 then array['JKK', 'JKM', 'JHT']
                       else array['JHT', 'JKK', 'JKM', 'JKP', 'JP'] end,
                  case when g.i % 10 = 0 then null else 20 + (g.i * 37) % 4000 end,
                  case when g.i % 4 = 0 then 50 + (g.i * 41) % 5000 end,
                  case when g.i % 10 = 0 then 'prospect' when g.i % 23 = 0 then 'inactive'
                       when g.i % 97 = 0 then 'closed' else 'active' end,
                  stage,
                  $10::date - (g.i % 400)::int,
                  case when stage in ('paused', 'rejected') then 'Menunggu keputusan direksi' else '' end,
                  case when stage in ('paused', 'rejected') then $10::date + (30 + g.i % 90)::int end,
                  case when g.i % 3 = 0 then $10::date - (g.i % 200)::int end,
                  case when cardinality($11::uuid[]) > 0 then ($11::uuid[])[1 + g.i % cardinality($11::uuid[])] end,
                  case when cardinality($12::uuid[]) > 0 then ($12::uuid[])[1 + (g.i / 7) % cardinality($12::uuid[])] end,
                  case when g.i % 5 = 0 then 'Pendekatan melalui Kepala Divisi HC; jadwalkan sosialisasi regulasi JKP.' else '' end,
                  $13::timestamptz, $13::timestamptz - make_interval(days => (g.i % 365)::int)
             from g,
                  lateral (select case when g.i % 250 = 0 then 'institution' when g.i % 11 = 0 then 'construction'
                                       when g.i % 29 = 0 then 'migrant' else 'corporate' end as seg,
                                  (array['approach', 'discussion', 'committed', 'implementing', 'monitoring', 'monitoring',
                                         'monitoring', 'paused', 'rejected', 'implementing'])[1 + (g.i * 7) % 10] as stage,
                                  ($3::text[])[1 + (g.i * 13) % cardinality($3::text[])] || ' '
                                    || ($3::text[])[1 + (g.i * 29 + g.i / 60) % cardinality($3::text[])] || ' '
                                    || case when g.i % 5000 = 17 then ($8::text[])[1 + (g.i / 5000) % cardinality($8::text[])] || ' '
                                            else '' end
                                    || ($5::text[])[1 + (g.i * 7) % cardinality($5::text[])]
                                    || case when g.i % 8 = 0 then ' Indonesia' else '' end as name) v
           on conflict do nothing"#,
        s.first,
        s.count,
        &text_array(NAME_WORDS),
        &text_array(LAST_NAMES),
        &text_array(TRADE_WORDS),
        &cities,
        &provinces,
        &text_array(RARE_WORDS),
        &text_array(FOREIGN),
        s.today,
        s.rms,
        s.branches,
        s.now,
    )
    .execute(&mut *conn)
    .await?;
    let added = done.rows_affected();

    sqlx::query!(
        r#"insert into key_persons (tenant_id, id, employer_id, full_name, position_title, level, department,
                  email, phone, influence, roles, is_primary, active_since, left_on, left_reason, legal_basis,
                  source, created_at, updated_at)
           select app_tenant_id(), md5(app_tenant_id()::text || ':person:' || i || ':' || k)::uuid,
                  md5(app_tenant_id()::text || ':employer:' || i)::uuid,
                  first || ' ' || last, pos.title, pos.level,
                  case when pos.level in ('bod', 'bod_minus_one') then 'Direksi & Human Capital' else 'Human Capital' end,
                  lower(first || '.' || last) || (i % 1000) || '@perusahaan.example',
                  '+62812' || lpad(((i * 10 + k) % 10000000)::text, 7, '0'),
                  case pos.level when 'bod' then 5 when 'bod_minus_one' then 4 when 'manager' then 3 else 2 end,
                  case pos.level when 'bod' then array['decision_maker'] when 'bod_minus_one' then array['champion', 'hr']
                       else array['gatekeeper'] end,
                  k = 1 and (i + k) % 7 <> 0,
                  $5::date - (365 + (i * k) % 2000)::int,
                  case when (i + k) % 7 = 0 then $5::date - ((i + k) % 300)::int end,
                  case when (i + k) % 7 = 0 then 'Pindah ke perusahaan lain' else '' end,
                  'legitimate_interest', 'Kunjungan RM',
                  $6, $6
             from generate_series($1::bigint, $1::bigint + $2::bigint - 1) as i,
                  generate_series(1, $3::int) as k,
                  lateral (select ($4::text[])[1 + (i * 5 + k * 3) % cardinality($4::text[])] as first,
                                  ($7::text[])[1 + (i * 11 + k * 7) % cardinality($7::text[])] as last,
                                  (array[1, 3, 4, 6, 2, 5, 7, 8])[1 + (k - 1) % 8] as p) names,
                  lateral (select ($8::text[])[names.p] as level, ($9::text[])[names.p] as title) pos
            where exists (select 1 from employers e where e.id = md5(app_tenant_id()::text || ':employer:' || i)::uuid)
           on conflict do nothing"#,
        s.first,
        s.count,
        s.people_per_employer as i32,
        &text_array(FIRST_NAMES),
        s.today,
        s.now,
        &text_array(LAST_NAMES),
        &POSITIONS.iter().map(|(l, _)| (*l).to_owned()).collect::<Vec<_>>(),
        &POSITIONS.iter().map(|(_, t)| (*t).to_owned()).collect::<Vec<_>>(),
    )
    .execute(&mut *conn)
    .await?;

    sqlx::query!(
        r#"insert into supply_chain_links (tenant_id, id, parent_id, member_id, relation, started_on, notes,
                  created_at, updated_at)
           select app_tenant_id(), md5(app_tenant_id()::text || ':link:' || p || ':' || m)::uuid,
                  md5(app_tenant_id()::text || ':employer:' || p)::uuid,
                  md5(app_tenant_id()::text || ':employer:' || member)::uuid,
                  (array['vendor', 'vendor', 'contractor', 'partner'])[1 + m % 4],
                  $5::date - (m * 30)::int, '', $6, $6
             from generate_series($1::bigint, $1::bigint + $2::bigint - 1) as p,
                  generate_series(1, $4::int) as m,
                  lateral (select $1::bigint + (p * 31 + m * 101) % $2::bigint as member) x
            where (p - $1) % $3 = 0 and member <> p
           on conflict do nothing"#,
        s.first,
        s.count,
        s.parent_every.max(1),
        s.members_per_parent as i32,
        s.today,
        s.now,
    )
    .execute(&mut *conn)
    .await?;
    Ok(added)
}
