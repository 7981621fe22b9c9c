//! SQL for sign-in, sessions and throttling. Every function takes the caller's connection or
//! transaction; none takes a pool.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

use super::domain::UserId;
use crate::tenancy::domain::{Role, TenantId};

pub struct SignInUser {
    pub id: UserId,
    pub name: String,
    pub password_hash: String,
    pub last_tenant_id: Option<TenantId>,
}

/// Needs a `db::lookup_tx` for the email.
pub async fn find_user_by_email(
    conn: &mut PgConnection,
    email: &str,
) -> sqlx::Result<Option<SignInUser>> {
    sqlx::query_as!(
        SignInUser,
        r#"select id as "id: UserId", name, password_hash, last_tenant_id as "last_tenant_id: TenantId"
             from users where email = $1"#,
        email
    )
    .fetch_optional(conn)
    .await
}

pub struct MembershipChoice {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub role: String,
}

/// The tenants a user may work in (enabled memberships), by name. Needs a `db::user_tx`.
pub async fn enabled_memberships(
    conn: &mut PgConnection,
    user: UserId,
) -> sqlx::Result<Vec<MembershipChoice>> {
    sqlx::query_as!(
        MembershipChoice,
        r#"select t.id as "tenant_id: TenantId", t.name as tenant_name, m.role
             from memberships m join tenants t on t.id = m.tenant_id
            where m.user_id = $1 and m.disabled_at is null
            order by t.name"#,
        user.0
    )
    .fetch_all(conn)
    .await
}

/// Every tenant the user belongs to, enabled or not: where their failed sign-ins are audited.
pub async fn all_membership_tenants(
    conn: &mut PgConnection,
    user: UserId,
) -> sqlx::Result<Vec<TenantId>> {
    sqlx::query_scalar!(
        r#"select tenant_id as "tenant_id: TenantId" from memberships where user_id = $1"#,
        user.0
    )
    .fetch_all(conn)
    .await
}

// Throttling ----------------------------------------------------------------------------------

pub const MAX_FAILURES: i32 = 5;
pub const LOCKOUT: Duration = Duration::minutes(15);
/// Failed sign-ins one address may make in `IP_WINDOW` before it is refused for a while: enough for
/// an office behind one NAT address, too few for guessing.
pub const MAX_IP_FAILURES: i64 = 50;
pub const IP_WINDOW: Duration = Duration::minutes(15);

pub async fn locked_until(
    conn: &mut PgConnection,
    email: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    let until = sqlx::query_scalar!(
        "select locked_until from login_failures where email = $1 and locked_until > $2",
        email,
        now
    )
    .fetch_optional(conn)
    .await?;
    Ok(until.flatten())
}

pub async fn ip_is_blocked(
    conn: &mut PgConnection,
    ip: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let Some(ip) = ip else { return Ok(false) };
    let count = sqlx::query_scalar!(
        r#"select count(*) as "n!" from login_ip_failures where ip = $1::text::inet and failed_at > $2"#,
        ip,
        now - IP_WINDOW
    )
    .fetch_one(conn)
    .await?;
    Ok(count >= MAX_IP_FAILURES)
}

/// Counts a failure; on the fifth in a row the email is locked. Returns the lock's end when this
/// failure locked it.
pub async fn record_failure(
    conn: &mut PgConnection,
    email: &str,
    ip: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    let row = sqlx::query!(
        r#"insert into login_failures as f (email, failures, last_failure_at)
           values ($1, 1, $2)
           on conflict (email) do update
              set failures = f.failures + 1, last_failure_at = $2
           returning failures"#,
        email,
        now
    )
    .fetch_one(&mut *conn)
    .await?;
    if let Some(ip) = ip {
        sqlx::query!(
            "insert into login_ip_failures (ip, failed_at) values ($1::text::inet, $2)",
            ip,
            now
        )
        .execute(&mut *conn)
        .await?;
    }
    if row.failures >= MAX_FAILURES {
        let until = now + LOCKOUT;
        // The counter starts again after the lock, so each lock costs another five guesses.
        sqlx::query!(
            "update login_failures set failures = 0, locked_until = $2 where email = $1",
            email,
            until
        )
        .execute(&mut *conn)
        .await?;
        return Ok(Some(until));
    }
    Ok(None)
}

pub async fn clear_failures(conn: &mut PgConnection, email: &str) -> sqlx::Result<()> {
    sqlx::query!("delete from login_failures where email = $1", email)
        .execute(conn)
        .await?;
    Ok(())
}

/// Old rows are of no use to the limits; removed now and then so the table stays small.
pub async fn prune_throttle(conn: &mut PgConnection, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query!(
        "delete from login_ip_failures where failed_at < $1",
        now - Duration::days(1)
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "delete from login_failures where last_failure_at < $1 and (locked_until is null or locked_until < $1)",
        now - Duration::days(1)
    )
    .execute(conn)
    .await?;
    Ok(())
}

// Sessions ------------------------------------------------------------------------------------

pub async fn create_session(
    conn: &mut PgConnection,
    token_hash: &[u8],
    user: UserId,
    tenant: TenantId,
    now: DateTime<Utc>,
    ip: Option<&str>,
    user_agent: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into sessions (token_hash, user_id, tenant_id, created_at, last_seen_at, ip, user_agent)
         values ($1, $2, $3, $4, $4, $5::text::inet, $6)",
        token_hash,
        user.0,
        tenant.0,
        now,
        ip,
        user_agent.chars().take(300).collect::<String>()
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct SessionRow {
    pub user_id: UserId,
    pub tenant_id: Option<TenantId>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

pub async fn touch_session(
    conn: &mut PgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update sessions set last_seen_at = $2 where token_hash = $1",
        token_hash,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Remembers the tenant a person switched to, to start there at the next sign-in.
pub async fn remember_tenant(
    conn: &mut PgConnection,
    user: UserId,
    tenant: TenantId,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set last_tenant_id = $2 where id = $1",
        user.0,
        tenant.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_session_tenant(
    conn: &mut PgConnection,
    token_hash: &[u8],
    tenant: TenantId,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update sessions set tenant_id = $2 where token_hash = $1",
        token_hash,
        tenant.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut PgConnection, token_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query!("delete from sessions where token_hash = $1", token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of a user but (optionally) the one making the request.
pub async fn delete_user_sessions(
    conn: &mut PgConnection,
    user: UserId,
    except: Option<&[u8]>,
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "delete from sessions where user_id = $1 and ($2::bytea is null or token_hash <> $2)",
        user.0,
        except
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Ends the sessions a user has open in one tenant (their membership there was disabled).
pub async fn delete_user_tenant_sessions(
    conn: &mut PgConnection,
    user: UserId,
    tenant: TenantId,
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "delete from sessions where user_id = $1 and tenant_id = $2",
        user.0,
        tenant.0
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// What every signed-in request needs: the person and every tenant they may work in, read with the
/// session by `session_with_contexts`.
pub struct MemberContext {
    pub tenant_id: TenantId,
    pub tenant_slug: String,
    pub tenant_name: String,
    pub timezone: String,
    pub default_language: String,
    pub role: String,
    pub user_name: String,
    pub email: String,
    pub must_change_password: bool,
}

/// A session and its user's enabled memberships in one statement and one round trip, outside any
/// transaction (`session_contexts` in the schema sets the acting user for itself). Every signed-in
/// request starts here. A session whose user has no enabled membership comes back with no contexts.
pub async fn session_with_contexts(
    pool: &sqlx::PgPool,
    token_hash: &[u8],
) -> sqlx::Result<Option<(SessionRow, Vec<MemberContext>)>> {
    let rows = sqlx::query!(
        r#"select user_id as "user_id!", session_tenant, created_at as "created_at!",
                  last_seen_at as "last_seen_at!", tenant_id, tenant_slug, tenant_name, timezone,
                  default_language, role, user_name as "user_name!", email as "email!",
                  must_change_password as "must_change_password!"
             from session_contexts($1)"#,
        token_hash
    )
    .fetch_all(pool)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let session = SessionRow {
        user_id: UserId(first.user_id),
        tenant_id: first.session_tenant.map(TenantId),
        created_at: first.created_at,
        last_seen_at: first.last_seen_at,
    };
    let contexts = rows
        .into_iter()
        .filter_map(|r| {
            Some(MemberContext {
                tenant_id: TenantId(r.tenant_id?),
                tenant_slug: r.tenant_slug?,
                tenant_name: r.tenant_name?,
                timezone: r.timezone?,
                default_language: r.default_language?,
                role: r.role?,
                user_name: r.user_name,
                email: r.email,
                must_change_password: r.must_change_password,
            })
        })
        .collect();
    Ok(Some((session, contexts)))
}

pub struct PasswordRow {
    pub name: String,
    pub email: String,
    pub password_hash: String,
}

/// Needs a `db::user_tx`.
pub async fn password_row(conn: &mut PgConnection, user: UserId) -> sqlx::Result<PasswordRow> {
    sqlx::query_as!(
        PasswordRow,
        "select name, email, password_hash from users where id = $1",
        user.0
    )
    .fetch_one(conn)
    .await
}

pub async fn set_password(
    conn: &mut PgConnection,
    user: UserId,
    hash: &str,
    must_change: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set password_hash = $2, must_change_password = $3, password_changed_at = $4,
                          updated_at = $4, version = version + 1
          where id = $1",
        user.0,
        hash,
        must_change,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Notes the sign-in on the account; returns whether its password must be changed first.
pub async fn record_sign_in(
    conn: &mut PgConnection,
    user: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        "update users set last_sign_in_at = $2 where id = $1 returning must_change_password",
        user.0,
        now
    )
    .fetch_one(conn)
    .await
}

pub fn role_of(raw: &str) -> Role {
    // The column's check constraint allows only the four names; anything else is a schema bug, and the
    // least privileged role is the safe reading of it.
    raw.parse().unwrap_or(Role::Viewer)
}
