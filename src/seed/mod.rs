//! Demo data: `relasi seed --demo` builds the tenant `demo` with branch offices and realistic people.
//! Idempotent: a second run adds what is missing and changes nothing else. Later capabilities extend
//! it with their own records.
//!
//! `relasi seed --scale large --tenants N` builds the benchmark data set (`large`, docs/benchmarks.md).

pub mod contributions;
pub mod large;
pub mod letters;
pub mod meetings;
pub mod portfolio;

use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

use crate::audit::{self, Action, Actor, Changes, Entity, Event};
use crate::auth::domain::Email;
use crate::branches::repo::{self as branch_repo, BranchFields};
use crate::clock::Clock;
use crate::db;
use crate::invitations::service::{NewPerson, add_person};
use crate::tenancy::domain::Role;
use crate::tenancy::service::{TenantSpec, create_tenant, tenant_by_slug};

pub const DEMO_SLUG: &str = "demo";
pub const DEMO_NAME: &str = "Kanwil DKI Jakarta — Korporasi";
/// Every demo account's password, printed with the logins. Demo data only.
pub const DEMO_PASSWORD: &str = "sapa-BOD1-tiap-bulan";

const BRANCHES: [(&str, &str, &str, &str); 3] = [
    (
        "KC-SDM",
        "Kantor Cabang Jakarta Sudirman",
        "DKI Jakarta",
        "Jl. Jend. Sudirman Kav. 56, Jakarta Selatan 12190",
    ),
    (
        "KC-MNT",
        "Kantor Cabang Jakarta Menteng",
        "DKI Jakarta",
        "Jl. H.O.S. Cokroaminoto No. 50, Menteng, Jakarta Pusat 10310",
    ),
    (
        "KC-CKG",
        "Kantor Cabang Jakarta Cengkareng",
        "DKI Jakarta",
        "Jl. Lingkar Luar Barat No. 1, Cengkareng, Jakarta Barat 11730",
    ),
];

pub const USERS: [(&str, &str, Role); 6] = [
    (
        "Rina Kusumawati",
        "rina.kusumawati@demo.relasi.example",
        Role::Admin,
    ),
    (
        "Bambang Hartono",
        "bambang.hartono@demo.relasi.example",
        Role::Supervisor,
    ),
    ("Dewi Lestari", "dewi.lestari@demo.relasi.example", Role::Rm),
    (
        "Agus Setiawan",
        "agus.setiawan@demo.relasi.example",
        Role::Rm,
    ),
    (
        "Putri Maharani",
        "putri.maharani@demo.relasi.example",
        Role::Rm,
    ),
    (
        "Yusuf Pratama",
        "yusuf.pratama@demo.relasi.example",
        Role::Viewer,
    ),
];

pub async fn demo(pool: &PgPool, clock: &Clock) -> anyhow::Result<()> {
    let tenant = match tenant_by_slug(pool, DEMO_SLUG).await {
        Ok(id) => id,
        Err(_) => {
            // Off, so that the printed logins work as printed; the settings page says how to turn it
            // on.
            let spec = TenantSpec {
                slug: DEMO_SLUG,
                name: DEMO_NAME,
                timezone: "Asia/Jakarta",
                language: "id",
                second_factor: "off",
            };
            create_tenant(pool, &spec, clock.now()).await?
        }
    };
    let now = clock.now();
    let actor = Actor::cli();
    let hash = crate::auth::hash_password(DEMO_PASSWORD).await?;
    let mut tx = db::tenant_tx(pool, tenant, None).await?;

    sqlx::query!(
        "update tenants set letterhead_office = 'BPJS Ketenagakerjaan Kantor Wilayah DKI Jakarta',
                letterhead_address = 'Jl. Gatot Subroto No. 79, Jakarta Selatan 12930',
                letterhead_city = 'Jakarta', letterhead_phone = '(021) 5207797',
                letterhead_signatory_name = 'Bambang Hartono',
                letterhead_signatory_title = 'Kepala Bidang Kepesertaan Korporasi dan Institusi',
                letterhead_signatory_title_en = 'Head of Corporate and Institutional Membership'
          where id = app_tenant_id() and letterhead_office = ''"
    )
    .execute(&mut *tx)
    .await?;

    for (code, name, region, address) in BRANCHES {
        let fields = BranchFields {
            code: code.into(),
            name: name.into(),
            region: region.into(),
            address: address.into(),
        };
        let id = Uuid::new_v4();
        if branch_repo::insert(&mut tx, id, &fields, now).await? {
            let changes = Changes::new().created("code", code).created("name", name);
            audit::repo::record(
                &mut tx,
                now,
                &actor,
                Event::new(Action::BranchCreated, Entity::BranchOffice, Some(id)).with(changes),
            )
            .await?;
        }
    }

    for (name, email, role) in USERS {
        let email = Email::parse(email).ok().context("demo email")?;
        let person = NewPerson {
            email: &email,
            name,
            role,
            password_hash: &hash,
            must_change_password: false,
        };
        add_person(&mut tx, person, &actor, now).await?;
    }
    demo_portfolio(&mut tx, clock).await?;
    meetings::generate(&mut tx, now, "Asia/Jakarta")
        .await
        .context("demo meetings")?;
    let today = now.with_timezone(&chrono_tz::Asia::Jakarta).date_naive();
    let holidays: Vec<_> = contributions::DEMO_HOLIDAYS
        .iter()
        .filter_map(|(d, n)| Some((d.parse().ok()?, (*n).to_owned())))
        .collect();
    crate::working_days::service::add(&mut tx, &actor, &holidays, today, now).await?;
    contributions::generate(&mut tx, now, today, 24)
        .await
        .context("demo contributions")?;
    letters::demo(&mut tx, now).await.context("demo letters")?;
    tx.commit().await?;
    print_logins();
    Ok(())
}

pub fn print_logins() {
    println!("Demo tenant: {DEMO_NAME} (slug {DEMO_SLUG})");
    println!("Every demo account's password: {DEMO_PASSWORD}");
    for (name, email, role) in USERS {
        println!("  {:<11} {:<38} {name}", role.as_str(), email);
    }
}

/// About 200 employers for the demo tenant: companies from the generator (some with foreign owners,
/// vendor chains under state-owned parents, former key persons), plus ministries and provinces.
async fn demo_portfolio(tx: &mut sqlx::PgConnection, clock: &Clock) -> anyhow::Result<()> {
    let now = clock.now();
    let today = now.with_timezone(&chrono_tz::Asia::Jakarta).date_naive();
    let rms: Vec<Uuid> = sqlx::query_scalar!(
        "select user_id from memberships where tenant_id = app_tenant_id() and role = 'rm' and disabled_at is null
          order by user_id"
    )
    .fetch_all(&mut *tx)
    .await?;
    let branches: Vec<Uuid> = sqlx::query_scalar!(
        "select id from branch_offices where archived_at is null order by code"
    )
    .fetch_all(&mut *tx)
    .await?;
    let spec = portfolio::Spec {
        first: 1,
        count: 192,
        rms: &rms,
        branches: &branches,
        people_per_employer: 4,
        parent_every: 40,
        members_per_parent: 7,
        today,
        now,
    };
    let added = portfolio::generate(&mut *tx, &spec)
        .await
        .context("demo employers")?;
    if added == 0 {
        return Ok(());
    }
    // The chains' parents are state-owned enterprises (BUMN) with their vendors.
    sqlx::query!(
        "update employers set ownership = 'state_owned', country = null, scale = 'large',
                name = name || ' (Persero)', legal_name = legal_name || ' (Persero)'
          where id in (select parent_id from supply_chain_links) and ownership <> 'state_owned'"
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"insert into employers (tenant_id, id, npp, name, segment, institution_type, ownership, city, province,
                  status, stage, stage_entered_on, rm_id, branch_id, programs, workers_reported,
                  approach_notes, created_at, updated_at)
           select app_tenant_id(), md5(app_tenant_id()::text || ':institution:' || n)::uuid,
                  lpad((20000000 + n)::text, 8, '0'), name, 'institution', kind, 'government', city, province,
                  'active', 'implementing', $1::date - 40 * n, ($3::uuid[])[1 + n % cardinality($3::uuid[])],
                  ($4::uuid[])[1 + n % cardinality($4::uuid[])], array['JHT', 'JKK', 'JKM', 'JP'], workers,
                  'Perjanjian kerja sama perlindungan pegawai non-ASN; koordinasi melalui Biro SDM.', $2, $2
             from (values (1, 'Kementerian Ketenagakerjaan', 'ministry', 'Jakarta Selatan', 'DKI Jakarta', 2100),
                          (2, 'Kementerian Perhubungan', 'ministry', 'Jakarta Pusat', 'DKI Jakarta', 3400),
                          (3, 'Pemerintah Provinsi DKI Jakarta', 'local_government', 'Jakarta Pusat', 'DKI Jakarta', 52000),
                          (4, 'Pemerintah Kota Bekasi', 'local_government', 'Kota Bekasi', 'Jawa Barat', 9800),
                          (5, 'Badan Pusat Statistik', 'agency', 'Jakarta Pusat', 'DKI Jakarta', 1600),
                          (6, 'Badan Riset dan Inovasi Nasional', 'agency', 'Jakarta Pusat', 'DKI Jakarta', 2700))
                  as v(n, name, kind, city, province, workers)
           on conflict do nothing"#,
        today,
        now,
        &rms,
        &branches,
    )
    .execute(&mut *tx)
    .await?;
    // One subsidiary chain, so the page shows parents and members of both kinds.
    sqlx::query!(
        "update supply_chain_links set relation = 'subsidiary'
          where id in (select id from supply_chain_links order by id limit 3)"
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
