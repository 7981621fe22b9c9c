//! Database access: pools, migrations, and the transactions that carry the tenant.
//!
//! `tenant_tx` is the only way request handlers reach tenant data: it begins a transaction and sets
//! `app.tenant_id` (and the acting user) transaction-locally, so the setting can never leak to the next
//! request that borrows the same pooled connection. Row-level security policies read it through
//! `app_tenant_id()`.

use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use crate::auth::domain::UserId;
use crate::tenancy::domain::TenantId;

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

pub type Tx = Transaction<'static, Postgres>;

/// The server's pool. `url` logs in as the unprivileged runtime role itself (never the owner): there
/// is no `set role` to undo, so no statement can leave row-level security (`check_runtime_role`).
pub fn app_pool(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    let options: PgConnectOptions = url
        .parse()
        .context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(3))
        // Measured: the ping before every acquire cost 13–18 % of throughput. A broken connection
        // fails its query once (answered with a 503) and is replaced.
        .test_before_acquire(false)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // Requests are short and many run at once: parallel workers for one query only take
                // cores from the others (measured on the employer search under 32 clients). And the
                // pages' statements are planned once per connection rather than at every execution:
                // with row-level security each custom plan re-inlines the policies, which cost more
                // CPU than running the query (measured on the employer list). Searches, whose best
                // plan depends on the words, ask for custom plans in their own transaction.
                sqlx::query(
                    "select set_config('max_parallel_workers_per_gather', '0', false),
                            set_config('plan_cache_mode', 'force_generic_plan', false)",
                )
                .execute(&mut *conn)
                .await?;
                Ok(())
            })
        })
        .connect_lazy_with(options);
    Ok(pool)
}

/// Applies pending migrations as the owner login, in its own short-lived connection.
pub async fn migrate(owner_url: &str) -> anyhow::Result<()> {
    let options: PgConnectOptions = owner_url
        .parse()
        .context("the migration database URL is not a valid PostgreSQL URL")?;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .context("cannot connect to the database to migrate it")?;
    MIGRATOR
        .run(&pool)
        .await
        .context("applying migrations failed")?;
    pool.close().await;
    Ok(())
}

/// Refuses a login that row-level security would not bind, or that could become a role it would not
/// bind: the login or any role it belongs to (and could `set role` to) being a superuser, having
/// BYPASSRLS or CREATEROLE, or owning the application's tables.
pub async fn check_runtime_role(pool: &PgPool) -> anyhow::Result<()> {
    let row = sqlx::query!(
        r#"
        select session_user::text as "role!",
               bool_or(r.rolsuper) as "superuser!",
               bool_or(r.rolbypassrls) as "bypass_rls!",
               bool_or(r.rolcreaterole) as "create_role!",
               bool_or(exists (select 1 from pg_tables t
                                where t.schemaname = 'public' and t.tableowner = r.rolname)) as "owns_tables!",
               count(*) filter (where r.rolname <> session_user) as "other_roles!"
          from pg_roles r
         where pg_has_role(session_user, r.oid, 'MEMBER')
        "#
    )
    .fetch_one(pool)
    .await
    .context("cannot connect to the database to check the runtime role")?;
    let refuse = |why: &str| {
        anyhow::anyhow!(
            "refusing to serve: the database login {:?} {why}, so row-level security would not \
             isolate tenants. Connect as the unprivileged login relasi_app (see docs/operations.md).",
            row.role
        )
    };
    if row.superuser {
        return Err(refuse("is (or can become) a superuser"));
    }
    if row.bypass_rls {
        return Err(refuse("has (or can take) BYPASSRLS"));
    }
    if row.owns_tables {
        return Err(refuse(
            "owns (or can become the owner of) the application's tables",
        ));
    }
    if row.create_role {
        return Err(refuse("may create roles"));
    }
    if row.other_roles > 0 {
        tracing::info!(
            role = row.role,
            "the database login belongs to other roles; none of them is privileged"
        );
    }
    Ok(())
}

/// Refuses to serve a schema older than the code: without the owner's login the server cannot migrate,
/// so it checks that every migration it carries has been applied.
pub async fn check_schema_current(pool: &PgPool) -> anyhow::Result<()> {
    let applied: Vec<i64> = sqlx::query_scalar!(
        r#"select version as "version!" from _sqlx_migrations where success order by version"#
    )
    .fetch_all(pool)
    .await
    .context("cannot read the migration history (has `relasi migrate` run?)")?;
    let missing: Vec<String> = MIGRATOR
        .iter()
        .filter(|m| !applied.contains(&m.version))
        .map(|m| format!("{} {}", m.version, m.description))
        .collect();
    if !missing.is_empty() {
        bail!(
            "refusing to serve: migrations not applied yet: {}. Run `relasi migrate` with \
             RELASI_OWNER_DATABASE_URL set to the owner's login.",
            missing.join(", ")
        );
    }
    Ok(())
}

/// Sets a request setting (`app.tenant_id`, `app.user_id`, …) until the end of the transaction.
/// Transaction-local on purpose: it cannot leak to the next request that borrows the connection.
pub async fn set_local(
    conn: &mut PgConnection,
    name: &'static str,
    value: &str,
) -> sqlx::Result<()> {
    sqlx::query("select set_config($1, $2, true)")
        .bind(name)
        .bind(value)
        .execute(conn)
        .await?;
    Ok(())
}

/// Begins a transaction in a way that survives the request being dropped half-way (the client went
/// away, a timeout fired). sqlx 0.9's `Pool::begin` is not cancel-safe on PostgreSQL: dropped during
/// its `BEGIN` round trip, it returns the connection to the pool inside a transaction nobody ends
/// (transact-rs/sqlx#4393), and the next request would run in it. Here the `BEGIN` runs in its own
/// task, which always finishes; if nobody waits for it any more, the finished transaction is dropped
/// there and rolled back as usual.
pub async fn begin(pool: &PgPool) -> sqlx::Result<Tx> {
    let pool = pool.clone();
    match tokio::spawn(async move { pool.begin().await }).await {
        Ok(tx) => tx,
        Err(join) => Err(sqlx::Error::Io(std::io::Error::other(join))),
    }
}

/// A transaction inside one tenant, acting as `user` (None for the command line and background work).
/// The settings travel with `BEGIN` in one simple-protocol round trip, which every request saves;
/// only the two UUIDs' own text is spliced into the statement. Cancel-safe as `begin`.
pub async fn tenant_tx(pool: &PgPool, tenant: TenantId, user: Option<UserId>) -> sqlx::Result<Tx> {
    let user = user.map(|u| u.0.to_string()).unwrap_or_default();
    let statement = format!(
        "BEGIN; SELECT set_config('app.tenant_id', '{}', true), set_config('app.user_id', '{user}', true)",
        tenant.0
    );
    let pool = pool.clone();
    match tokio::spawn(async move { pool.begin_with(sqlx::AssertSqlSafe(statement)).await }).await {
        Ok(tx) => tx,
        Err(join) => Err(sqlx::Error::Io(std::io::Error::other(join))),
    }
}

/// A transaction that sees only what belongs to one user across tenants (their memberships, for the
/// tenant switcher) and no tenant's data.
pub async fn user_tx(pool: &PgPool, user: UserId) -> sqlx::Result<Tx> {
    let mut tx = begin(pool).await?;
    set_local(&mut tx, "app.user_id", &user.to_string()).await?;
    Ok(tx)
}

/// A transaction that may see the one account with exactly this (normalised) email: sign-in, and
/// adding an existing person to a tenant.
pub async fn lookup_tx(pool: &PgPool, email: &str) -> sqlx::Result<Tx> {
    let mut tx = begin(pool).await?;
    set_local(&mut tx, "app.lookup_email", email).await?;
    Ok(tx)
}

/// A transaction that may see the one invitation whose secret hashes to `hash_hex` (the holder of its
/// link opening it), and nothing else until the caller sets that invitation's tenant.
pub async fn invitation_tx(pool: &PgPool, hash_hex: &str) -> sqlx::Result<Tx> {
    let mut tx = begin(pool).await?;
    set_local(&mut tx, "app.invitation", hash_hex).await?;
    Ok(tx)
}

/// Runs one statement in a savepoint. The outer result is the savepoint's own failure; the inner one
/// is the statement's, so a refused row (a unique violation) leaves the caller's transaction usable —
/// for re-rendering the form with a message.
pub async fn execute_in_savepoint(
    conn: &mut PgConnection,
    query: sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments>,
) -> sqlx::Result<sqlx::Result<sqlx::postgres::PgQueryResult>> {
    let mut savepoint = sqlx::Connection::begin(conn).await?;
    let done = query.execute(&mut *savepoint).await;
    if done.is_ok() {
        savepoint.commit().await?;
    } else {
        savepoint.rollback().await?;
    }
    Ok(done)
}

/// A unique constraint refused the row: a field message for the user, not a failure.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some("23505"))
}
