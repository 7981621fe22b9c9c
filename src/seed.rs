//! Demo data: `relasi seed --demo` builds the tenant `demo` with branch offices and realistic people.
//! Idempotent: a second run adds what is missing and changes nothing else. Later capabilities extend
//! it with their own records.

use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

use crate::audit::{self, Actor, Changes, Event};
use crate::auth::domain::Email;
use crate::branches::repo::{self as branch_repo, BranchFields};
use crate::clock::Clock;
use crate::db;
use crate::tenancy::domain::Role;
use crate::tenancy::{NewPerson, add_person};

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
    let tenant = match crate::cli::tenant_by_slug(pool, DEMO_SLUG).await {
        Ok(id) => id,
        Err(_) => {
            crate::cli::create_tenant(pool, DEMO_SLUG, DEMO_NAME, "Asia/Jakarta", "id").await?
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
                letterhead_signatory_title = 'Kepala Bidang Kepesertaan Korporasi dan Institusi'
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
                Event::new("branch.created", "branch_office", Some(id)).with(changes),
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
