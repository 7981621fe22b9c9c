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

/// The server's pool. Each new connection switches to the unprivileged runtime role (when one is
/// configured) before it is handed out, so no query ever runs with the owner's rights.
pub fn app_pool(url: &str, role: Option<&str>, max_connections: u32) -> anyhow::Result<PgPool> {
    let options: PgConnectOptions = url
        .parse()
        .context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let role = role.map(str::to_owned);
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(3))
        // Measured: the ping before every acquire cost 13–18 % of throughput. A broken connection
        // fails its query once (answered with a 503) and is replaced.
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            let role = role.clone();
            Box::pin(async move {
                if let Some(role) = role {
                    sqlx::query("select set_config('role', $1, false)")
                        .bind(role)
                        .execute(&mut *conn)
                        .await?;
                }
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

/// Refuses a runtime role that row-level security would not bind: a superuser, a role with
/// BYPASSRLS, or one that owns (or inherits the rights of the owner of) the application's tables.
pub async fn check_runtime_role(pool: &PgPool) -> anyhow::Result<()> {
    let row = sqlx::query!(
        r#"
        select current_user::text as "role!",
               r.rolsuper as "superuser!",
               r.rolbypassrls as "bypass_rls!",
               exists (select 1 from pg_tables t
                        where t.schemaname = 'public'
                          and pg_has_role(current_user, t.tableowner, 'USAGE')) as "owns_tables!"
          from pg_roles r
         where r.rolname = current_user
        "#
    )
    .fetch_one(pool)
    .await
    .context("cannot connect to the database to check the runtime role")?;
    if row.superuser {
        bail!(
            "refusing to serve: the database role {:?} is a superuser, so row-level security would not \
             isolate tenants. Connect as an unprivileged role (see docs/operations.md).",
            row.role
        );
    }
    if row.bypass_rls {
        bail!(
            "refusing to serve: the database role {:?} has BYPASSRLS, so row-level security would not \
             isolate tenants. Connect as an unprivileged role (see docs/operations.md).",
            row.role
        );
    }
    if row.owns_tables {
        bail!(
            "refusing to serve: the database role {:?} owns the application's tables, so it could \
             disable row-level security. Set RELASI_DB_ROLE or connect as an unprivileged role \
             (see docs/operations.md).",
            row.role
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
