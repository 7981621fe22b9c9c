//! The benchmark data set ("large", docs/benchmarks.md): tenants `bench-1` … `bench-N`, each with 150 users,
//! 20 branch offices, 100,000 employers, 300,000 key persons and 20,000 supply-chain links.
//! Deterministic and set-based; a tenant that already has its employers keeps them, and only gains the
//! short names and agencies of `known_by_short_names` when it lacks them.

use std::time::Instant;

use anyhow::Context;
use sqlx::{Connection, PgPool};
use uuid::Uuid;

use super::portfolio;
use crate::audit::Actor;
use crate::auth::domain::Email;
use crate::clock::Clock;
use crate::db;
use crate::invitations::service::{NewPerson, add_person};
use crate::tenancy::domain::Role;
use crate::tenancy::service::{TenantSpec, create_tenant, tenant_by_slug};

pub const EMPLOYERS_PER_TENANT: i64 = 100_000;
pub const USERS_PER_TENANT: i64 = 150;
/// Letters per tenant: about 25,000 escalation chains of one to three letters.
pub const LETTERS_PER_TENANT: i64 = 50_000;
/// Every benchmark account's password.
pub const BENCH_PASSWORD: &str = "bench-BOD1-tiap-bulan";

pub fn slug(n: usize) -> String {
    format!("bench-{n}")
}

/// The email of user `i` (1-based) of tenant `n`: user 1 is the admin, 2–11 supervisors, 12–146 RMs,
/// the rest viewers.
pub fn email(n: usize, i: i64) -> String {
    format!("user{i}@bench-{n}.relasi.example")
}

/// `owner_url` connects as the tables' owner, which alone may vacuum and analyze them.
pub async fn build(
    pool: &PgPool,
    owner_url: &str,
    clock: &Clock,
    tenants: usize,
) -> anyhow::Result<()> {
    let hash = crate::auth::hash_password(BENCH_PASSWORD).await?;
    // The owner alone may analyze and change storage settings.
    let mut owner = sqlx::PgConnection::connect(owner_url)
        .await
        .context("connect as the owner")?;
    // Autovacuum would start on every bulk table mid-seed and take the other core from the seed; the
    // seed analyzes between its steps and vacuums once at the end instead.
    sqlx::raw_sql(sqlx::AssertSqlSafe(storage(BULK_TABLES, false)))
        .execute(&mut owner)
        .await
        .context("pause autovacuum")?;
    // Tenants are independent: each is built on its own connections, so two of them use both cores.
    let mut builds = tokio::task::JoinSet::new();
    for n in 1..=tenants {
        let (pool, owner_url, clock, hash) = (
            pool.clone(),
            owner_url.to_owned(),
            clock.clone(),
            hash.clone(),
        );
        builds.spawn(async move { build_tenant(&pool, &owner_url, &clock, n, &hash).await });
    }
    let mut failed = None;
    while let Some(done) = builds.join_next().await {
        if let Err(e) = done.context("a tenant's build stopped").and_then(|r| r) {
            failed.get_or_insert(e);
        }
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(storage(BULK_TABLES, true)))
        .execute(&mut owner)
        .await
        .context("resume autovacuum")?;
    if let Some(e) = failed {
        return Err(e);
    }
    // Fresh visibility maps, so index-only scans match a settled database.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "vacuum (analyze) {BULK_TABLES}"
    )))
    .execute(&mut owner)
    .await
    .context("vacuum and analyze")?;
    println!(
        "benchmark accounts: {} … (password {BENCH_PASSWORD})",
        email(1, 12)
    );
    Ok(())
}

/// The tables the bulk steps fill (a fixed list, never input).
const BULK_TABLES: &str = "employers, employer_name_tokens, employer_search_keys, employer_tags, key_persons,
     key_person_name_tokens, supply_chain_links, memberships, users, audit_events, meetings,
     meeting_attendees, meeting_staff, follow_ups, contribution_periods, holidays, letters, letter_events";

/// `alter table … set (autovacuum_enabled = …)` for each of `tables`.
fn storage(tables: &str, autovacuum: bool) -> String {
    tables
        .split(',')
        .map(|t| {
            format!(
                "alter table {} set (autovacuum_enabled = {autovacuum});",
                t.trim()
            )
        })
        .collect()
}

/// Builds tenant `n`, step by step: each bulk step commits and its tables are analyzed before the next
/// step plans its statements (planned with the statistics of an empty or smaller tenant, a join over
/// this tenant's rows became a nested loop that ran for over ten minutes).
async fn build_tenant(
    pool: &PgPool,
    owner_url: &str,
    clock: &Clock,
    n: usize,
    hash: &str,
) -> anyhow::Result<()> {
    let mut owner = sqlx::PgConnection::connect(owner_url)
        .await
        .context("connect as the owner")?;
    let started = Instant::now();
    let slug = slug(n);
    let tenant = match tenant_by_slug(pool, &slug).await {
        Ok(id) => id,
        Err(_) => {
            let name = format!("Benchmark {n} — Korporasi");
            let spec = TenantSpec {
                slug: &slug,
                name: &name,
                timezone: "Asia/Jakarta",
                language: "id",
                second_factor: "admins",
            };
            create_tenant(pool, &spec, clock.now()).await?
        }
    };
    let now = clock.now();
    let today = now.with_timezone(&chrono_tz::Asia::Jakarta).date_naive();

    let mut tx = bulk_tx(pool, tenant).await?;
    let existing: i64 = sqlx::query_scalar!(r#"select count(*) as "n!" from employers"#)
        .fetch_one(&mut *tx)
        .await?;
    if existing < EMPLOYERS_PER_TENANT {
        portfolio_of(&mut tx, n, hash, today, now).await?;
    }
    known_by_short_names(&mut tx, today, now)
        .await
        .context("short names")?;
    tx.commit().await?;
    analyze(
        &mut owner,
        "employers, employer_name_tokens, employer_search_keys, employer_tags, key_persons,
         key_person_name_tokens, supply_chain_links, memberships, users",
    )
    .await?;

    let mut tx = bulk_tx(pool, tenant).await?;
    let meetings = super::meetings::insert_meetings(&mut tx, now, "Asia/Jakarta")
        .await
        .context("benchmark meetings")?;
    tx.commit().await?;
    analyze(&mut owner, "meetings").await?;
    if meetings > 0 {
        let mut tx = bulk_tx(pool, tenant).await?;
        super::meetings::complete(&mut tx, now, "Asia/Jakarta")
            .await
            .context("benchmark attendees and follow-ups")?;
        tx.commit().await?;
        analyze(
            &mut owner,
            "meeting_attendees, meeting_staff, follow_ups, employers",
        )
        .await?;
    }

    // 27 months for each of the 90,000 registered employers: the 2,400,000 periods of the large
    // data set, of which the employer page shows the last 24.
    let mut tx = bulk_tx(pool, tenant).await?;
    let periods = super::contributions::generate(&mut tx, now, today, 27)
        .await
        .context("benchmark contributions")?;
    tx.commit().await?;
    analyze(&mut owner, "contribution_periods, employers").await?;

    let mut tx = bulk_tx(pool, tenant).await?;
    let letters = super::letters::generate(&mut tx, now, LETTERS_PER_TENANT)
        .await
        .context("benchmark letters")?;
    tx.commit().await?;
    analyze(&mut owner, "letters, letter_events, letter_counters").await?;
    println!(
        "{slug}: built in {:.1} s ({meetings} meetings, {periods} contribution periods, {letters} letters added)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Employers known by their initials or a short name (docs/domain.md, "Search").
const AGENCIES: &[(&str, &str, &str)] = &[
    ("Badan Riset dan Inovasi Nasional", "BRIN", "institution"),
    ("Badan Pusat Statistik", "BPS", "institution"),
    (
        "Badan Pengawasan Keuangan dan Pembangunan",
        "",
        "institution",
    ),
    (
        "Badan Meteorologi, Klimatologi, dan Geofisika",
        "",
        "institution",
    ),
    (
        "Badan Nasional Penanggulangan Bencana",
        "BNPB",
        "institution",
    ),
    ("Badan Pengawas Obat dan Makanan", "BPOM", "institution"),
    ("Badan Kepegawaian Negara", "", "institution"),
    (
        "Kementerian Perencanaan Pembangunan Nasional",
        "Bappenas",
        "institution",
    ),
    ("Kementerian Ketenagakerjaan", "Kemnaker", "institution"),
    ("PT Kereta Api Indonesia (Persero)", "KAI", "corporate"),
    ("PT Telkom Indonesia (Persero) Tbk", "Telkom", "corporate"),
    ("PT Perusahaan Listrik Negara (Persero)", "PLN", "corporate"),
];

/// A dozen agencies and state-owned companies by their full names, most with a short name, and a short
/// name (the initials, as companies often go by) for one employer in fifty (NPPs ending in 25 or 75),
/// so that searches by initials and short names meet real rows. Idempotent, and it also gives an
/// existing data set what it lacks: a second run changes nothing.
async fn known_by_short_names(
    tx: &mut sqlx::PgConnection,
    today: chrono::NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<()> {
    let (names, rest): (Vec<String>, Vec<(String, String)>) = AGENCIES
        .iter()
        .map(|(n, s, g)| ((*n).to_owned(), ((*s).to_owned(), (*g).to_owned())))
        .unzip();
    let (shorts, segments): (Vec<String>, Vec<String>) = rest.into_iter().unzip();
    sqlx::query!(
        "insert into employers (tenant_id, id, name, short_name, segment, institution_type, ownership,
                status, stage, stage_entered_on, created_at, updated_at)
         select app_tenant_id(), md5(app_tenant_id()::text || ':agency:' || a.n)::uuid, a.name, a.short,
                a.segment, case when a.segment = 'institution' then 'agency' end,
                case when a.segment = 'institution' then 'government' else 'state_owned' end,
                'active', 'discussion', $4, $5, $5
           from unnest($1::text[], $2::text[], $3::text[]) with ordinality as a (name, short, segment, n)
         on conflict do nothing",
        &names,
        &shorts,
        &segments,
        today,
        now
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update employers set short_name = upper(name_initials(name))
          where short_name = '' and right(npp, 2) in ('25', '75') and name_initials(name) is not null"
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The tenant's people, branch offices, employers, key persons and links.
async fn portfolio_of(
    tx: &mut sqlx::PgConnection,
    n: usize,
    hash: &str,
    today: chrono::NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    people(&mut *tx, n, hash, now)
        .await
        .context("benchmark users")?;
    sqlx::query!(
        "insert into branch_offices (tenant_id, id, code, name, region, address, created_at, updated_at)
         select app_tenant_id(), md5(app_tenant_id()::text || ':branch:' || b)::uuid, 'KC-' || lpad(b::text, 2, '0'),
                'Kantor Cabang ' || b, 'Kanwil ' || (1 + b / 5), '', $1, $1
           from generate_series(1, 20) as b
         on conflict do nothing",
        now
    )
    .execute(&mut *tx)
    .await?;
    let rms: Vec<Uuid> = sqlx::query_scalar!(
        "select user_id from memberships where tenant_id = app_tenant_id() and role = 'rm' order by user_id"
    )
    .fetch_all(&mut *tx)
    .await?;
    let branches: Vec<Uuid> = sqlx::query_scalar!("select id from branch_offices order by code")
        .fetch_all(&mut *tx)
        .await?;
    let spec = portfolio::Spec {
        first: 1,
        count: EMPLOYERS_PER_TENANT,
        rms: &rms,
        branches: &branches,
        people_per_employer: 3,
        parent_every: 100,
        members_per_parent: 20,
        today,
        now,
    };
    portfolio::generate(&mut *tx, &spec)
        .await
        .context("benchmark employers")?;
    Ok(())
}

/// The tenant's 150 accounts, added the operator's way (an invitation accepted on the spot, the only
/// way the schema lets a membership come into being). One hash for every account: hashing 150
/// passwords would take longer than the data itself.
async fn people(
    tx: &mut sqlx::PgConnection,
    n: usize,
    hash: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    for i in 1..=USERS_PER_TENANT {
        let email = Email::parse(&email(n, i)).ok().context("benchmark email")?;
        let role = match i {
            1 => Role::Admin,
            2..=11 => Role::Supervisor,
            12..=146 => Role::Rm,
            _ => Role::Viewer,
        };
        let name = format!("Pengguna {i}");
        let person = NewPerson {
            email: &email,
            name: &name,
            role,
            password_hash: hash,
            must_change_password: false,
        };
        add_person(&mut *tx, person, &Actor::cli(), now).await?;
    }
    Ok(())
}

/// A transaction for one bulk step of a tenant. Besides the statistics gathered between steps, nested
/// loops are off for its statements: every statement here joins a whole tenant's rows, where hash and
/// merge joins are right, and a step that adds to a table it then reads (attendees and the BOD-1
/// marks) plans before any statistics know of its rows.
async fn bulk_tx(
    pool: &PgPool,
    tenant: crate::tenancy::domain::TenantId,
) -> anyhow::Result<db::Tx> {
    let mut tx = db::tenant_tx(pool, tenant, None).await?;
    // Hash joins and sorts over a whole tenant's rows stay in memory rather than spill to disk.
    sqlx::query(
        "select set_config('enable_nestloop', 'off', true), set_config('work_mem', '256MB', true)",
    )
    .execute(&mut *tx)
    .await?;
    Ok(tx)
}

/// Fresh statistics for `tables` (a fixed list from this file, never input).
async fn analyze(owner: &mut sqlx::PgConnection, tables: &'static str) -> anyhow::Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!("analyze {tables}")))
        .execute(owner)
        .await
        .with_context(|| format!("analyze {tables}"))?;
    Ok(())
}
