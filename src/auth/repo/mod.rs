//! SQL for sign-in, sessions and throttling. Every function takes the caller's connection or
//! transaction; none takes a pool.

pub mod second_factor;

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

use super::domain::UserId;
use crate::tenancy::domain::{Role, TenantId};

pub struct SignInUser {
    pub id: UserId,
    pub name: String,
    pub password_hash: String,
    pub last_tenant_id: Option<TenantId>,
    pub has_second_factor: bool,
}

/// Needs a `db::lookup_tx` for the email.
pub async fn find_user_by_email(
    conn: &mut PgConnection,
    email: &str,
) -> sqlx::Result<Option<SignInUser>> {
    sqlx::query_as!(
        SignInUser,
        r#"select id as "id: UserId", name, password_hash, last_tenant_id as "last_tenant_id: TenantId",
                  totp_enabled_at is not null as "has_second_factor!"
             from users where email = $1"#,
        email
    )
    .fetch_optional(conn)
    .await
}

/// Every tenant the user belongs to, enabled or not: where an operator's change to the account is
/// audited. Needs the person as the acting user.
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

pub struct MembershipChoice {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub role: Role,
}

/// The tenants a user may work in (enabled memberships), by name. Needs a `db::user_tx`.
pub async fn enabled_memberships(
    conn: &mut PgConnection,
    user: UserId,
) -> sqlx::Result<Vec<MembershipChoice>> {
    sqlx::query_as!(
        MembershipChoice,
        r#"select t.id as "tenant_id: TenantId", t.name as tenant_name, m.role as "role: Role"
             from memberships m join tenants t on t.id = m.tenant_id
            where m.user_id = $1 and m.disabled_at is null
            order by t.name"#,
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
pub const MAX_IP_FAILURES: i32 = 50;
pub const IP_WINDOW: Duration = Duration::minutes(15);

/// Whether a sign-in attempt (a password, or a second-factor code) may be tried at all.
#[derive(Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Tried, and already counted as a failure: `login_succeeded` takes it back. When this attempt is
    /// the last one allowed, `locks_at_failure` says until when a wrong answer locks the account.
    Allowed {
        locks_at_failure: Option<DateTime<Utc>>,
    },
    Locked(DateTime<Utc>),
    AddressBlocked,
}

/// Counts the attempt and decides in one statement under the row's lock (`login_attempt` in
/// migrations/0004_accounts.sql), so parallel guesses lock at exactly `MAX_FAILURES`. Outside any
/// transaction: the count must be visible to the next guess at once.
pub async fn login_attempt(
    conn: &mut PgConnection,
    email: &str,
    ip: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<Attempt> {
    let row = sqlx::query!(
        r#"select verdict as "verdict!", lock_ends_at
             from login_attempt($1, $2::text::inet, $3, $4, make_interval(secs => $5), $6,
                                make_interval(secs => $7))"#,
        email,
        ip,
        now,
        MAX_FAILURES,
        LOCKOUT.num_seconds() as f64,
        MAX_IP_FAILURES,
        IP_WINDOW.num_seconds() as f64,
    )
    .fetch_one(conn)
    .await?;
    Ok(match (row.verdict.as_str(), row.lock_ends_at) {
        ("allowed", until) => Attempt::Allowed {
            locks_at_failure: until,
        },
        ("locked", Some(until)) => Attempt::Locked(until),
        _ => Attempt::AddressBlocked,
    })
}

impl Attempt {
    /// Ok with the lock a wrong answer would cause, or Err when the attempt may not be tried at all.
    pub fn allowed(self) -> Result<Option<DateTime<Utc>>, Attempt> {
        match self {
            Attempt::Allowed { locks_at_failure } => Ok(locks_at_failure),
            refused => Err(refused),
        }
    }
}

/// The attempt counted by `login_attempt` at `at` was right: take it back.
pub async fn login_succeeded(
    conn: &mut PgConnection,
    email: &str,
    ip: Option<&str>,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "select login_succeeded($1, $2::text::inet, $3)",
        email,
        ip,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Old rows are of no use to the limits; removed now and then so the tables stay small.
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

/// A new session. `tenant` is None only for a person with no unit yet, signing in to accept an
/// invitation; `awaiting_second_factor` for one that has given its password but not its code yet.
pub struct NewSession<'a> {
    pub token_hash: &'a [u8],
    pub user: UserId,
    pub tenant: Option<TenantId>,
    pub awaiting_second_factor: bool,
    pub ip: Option<&'a str>,
    pub user_agent: &'a str,
}

pub async fn create_session(
    conn: &mut PgConnection,
    s: &NewSession<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into sessions (token_hash, user_id, tenant_id, created_at, last_seen_at, ip, user_agent,
                               awaiting_second_factor)
         values ($1, $2, $3, $4, $4, $5::text::inet, $6, $7)",
        s.token_hash,
        s.user.0,
        s.tenant.map(|t| t.0),
        now,
        s.ip,
        s.user_agent.chars().take(300).collect::<String>(),
        s.awaiting_second_factor
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
    pub awaiting_second_factor: bool,
    pub user_name: String,
    pub email: String,
    pub must_change_password: bool,
    pub has_second_factor: bool,
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
    pub second_factor: String,
    pub role: Role,
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
                  last_seen_at as "last_seen_at!", awaiting_second_factor as "awaiting_second_factor!",
                  tenant_id, tenant_slug, tenant_name, timezone, default_language, second_factor,
                  role as "role: Role",
                  user_name as "user_name!", email as "email!",
                  must_change_password as "must_change_password!",
                  has_second_factor as "has_second_factor!"
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
        awaiting_second_factor: first.awaiting_second_factor,
        user_name: first.user_name.clone(),
        email: first.email.clone(),
        must_change_password: first.must_change_password,
        has_second_factor: first.has_second_factor,
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
                second_factor: r.second_factor?,
                role: r.role?,
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

/// Sets a password; false when the row policies hid the account (it is not the acting person's, nor
/// one the transaction's tenant may reset).
pub async fn set_password(
    conn: &mut PgConnection,
    user: UserId,
    hash: &str,
    must_change: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
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
    Ok(done.rows_affected() == 1)
}

/// Locks the account's row until the transaction ends and says how many tenants it belongs to. Every
/// change that depends on that count (a tenant's reset, joining another tenant) takes this lock
/// first, so a reset and a join of the same person run one after the other, never interleaved.
pub async fn lock_account(conn: &mut PgConnection, user: UserId) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "select membership_count from users where id = $1 for update",
        user.0
    )
    .fetch_optional(conn)
    .await
}

/// Whether the session still exists (a reset or a sign-out elsewhere may have ended it), locked
/// until the transaction ends.
pub async fn session_alive(
    conn: &mut PgConnection,
    token_hash: &[u8],
    user: UserId,
) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!(
        "select user_id from sessions where token_hash = $1 and user_id = $2 for update",
        token_hash,
        user.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Notes the sign-in on the account, and on its membership in the transaction's tenant (what that
/// tenant's admin sees); returns whether the password must be changed first.
pub async fn record_sign_in(
    conn: &mut PgConnection,
    user: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    sqlx::query!(
        "update memberships set last_sign_in_at = $2 where tenant_id = app_tenant_id() and user_id = $1",
        user.0,
        now
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar!(
        "update users set last_sign_in_at = $2 where id = $1 returning must_change_password",
        user.0,
        now
    )
    .fetch_one(conn)
    .await
}

/// Notes that the person started working in the transaction's tenant (a tenant switch).
pub async fn record_tenant_visit(
    conn: &mut PgConnection,
    user: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update memberships set last_sign_in_at = $2 where tenant_id = app_tenant_id() and user_id = $1",
        user.0,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}
