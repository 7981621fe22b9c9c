//! SQL for tenants, users and memberships.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::{Role, TenantId};
use crate::auth::domain::UserId;

pub async fn insert_tenant(
    conn: &mut PgConnection,
    id: TenantId,
    slug: &str,
    name: &str,
    timezone: &str,
    language: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into tenants (id, slug, name, timezone, default_language, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $6)",
        id.0,
        slug,
        name,
        timezone,
        language,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Needs `app.lookup_slug` set to the same slug (see `lookup_slug`).
pub async fn tenant_id_by_slug(
    conn: &mut PgConnection,
    slug: &str,
) -> sqlx::Result<Option<TenantId>> {
    crate::db::set_local(conn, "app.lookup_slug", slug).await?;
    let id = sqlx::query_scalar!(
        r#"select id as "id: TenantId" from tenants where slug = $1"#,
        slug
    )
    .fetch_optional(&mut *conn)
    .await?;
    crate::db::set_local(conn, "app.lookup_slug", "").await?;
    Ok(id)
}

pub struct Settings {
    pub name: String,
    pub timezone: String,
    pub default_language: String,
    pub letterhead_office: String,
    pub letterhead_address: String,
    pub letterhead_city: String,
    pub letterhead_phone: String,
    pub letterhead_email: String,
    pub letterhead_signatory_name: String,
    pub letterhead_signatory_title: String,
    pub version: i32,
}

pub async fn settings(conn: &mut PgConnection) -> sqlx::Result<Settings> {
    sqlx::query_as!(
        Settings,
        "select name, timezone, default_language, letterhead_office, letterhead_address, letterhead_city,
                letterhead_phone, letterhead_email, letterhead_signatory_name, letterhead_signatory_title, version
           from tenants where id = app_tenant_id()"
    )
    .fetch_one(conn)
    .await
}

/// Saves settings if nobody saved since `version` was read; false when the edit is stale.
pub async fn update_settings(
    conn: &mut PgConnection,
    s: &Settings,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update tenants
            set name = $1, timezone = $2, default_language = $3, letterhead_office = $4,
                letterhead_address = $5, letterhead_city = $6, letterhead_phone = $7, letterhead_email = $8,
                letterhead_signatory_name = $9, letterhead_signatory_title = $10,
                updated_at = $11, version = version + 1
          where id = app_tenant_id() and version = $12",
        s.name,
        s.timezone,
        s.default_language,
        s.letterhead_office,
        s.letterhead_address,
        s.letterhead_city,
        s.letterhead_phone,
        s.letterhead_email,
        s.letterhead_signatory_name,
        s.letterhead_signatory_title,
        now,
        s.version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

// Users and memberships -----------------------------------------------------------------------

pub async fn insert_user(
    conn: &mut PgConnection,
    id: UserId,
    email: &str,
    name: &str,
    password_hash: &str,
    must_change_password: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into users (id, email, name, password_hash, must_change_password, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $6)",
        id.0,
        email,
        name,
        password_hash,
        must_change_password,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Needs `app.lookup_email` (a `db::lookup_tx`, or `lookup_email` below inside a tenant transaction).
pub async fn user_id_by_email(
    conn: &mut PgConnection,
    email: &str,
) -> sqlx::Result<Option<UserId>> {
    crate::db::set_local(conn, "app.lookup_email", email).await?;
    let id = sqlx::query_scalar!(
        r#"select id as "id: UserId" from users where email = $1"#,
        email
    )
    .fetch_optional(&mut *conn)
    .await?;
    crate::db::set_local(conn, "app.lookup_email", "").await?;
    Ok(id)
}

/// Adds a membership in the transaction's tenant and counts it on the user. Returns false when the
/// person is already a member.
pub async fn add_membership(
    conn: &mut PgConnection,
    user: UserId,
    role: Role,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "insert into memberships (tenant_id, id, user_id, role, created_at, updated_at)
         values (app_tenant_id(), $1, $2, $3, $4, $4)
         on conflict (tenant_id, user_id) do nothing",
        Uuid::new_v4(),
        user.0,
        role.as_str(),
        now
    )
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query!(
        "update users set membership_count = membership_count + 1 where id = $1",
        user.0
    )
    .execute(conn)
    .await?;
    Ok(true)
}

pub struct Member {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: String,
    pub disabled_at: Option<DateTime<Utc>>,
    pub must_change_password: bool,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub membership_count: i32,
    pub version: i32,
}

pub async fn members(conn: &mut PgConnection) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as!(
        Member,
        r#"select u.id as "user_id: UserId", u.name, u.email, m.role, m.disabled_at, u.must_change_password,
                  u.last_sign_in_at, u.membership_count, m.version
             from memberships m join users u on u.id = m.user_id
            where m.tenant_id = app_tenant_id()
            order by m.disabled_at is not null, u.name"#
    )
    .fetch_all(conn)
    .await
}

pub async fn member(conn: &mut PgConnection, user: UserId) -> sqlx::Result<Option<Member>> {
    sqlx::query_as!(
        Member,
        r#"select u.id as "user_id: UserId", u.name, u.email, m.role, m.disabled_at, u.must_change_password,
                  u.last_sign_in_at, u.membership_count, m.version
             from memberships m join users u on u.id = m.user_id
            where m.tenant_id = app_tenant_id() and m.user_id = $1"#,
        user.0
    )
    .fetch_optional(conn)
    .await
}

/// Enabled admins of the tenant other than `except`: a tenant must always keep one.
pub async fn other_enabled_admins(conn: &mut PgConnection, except: UserId) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from memberships
            where tenant_id = app_tenant_id() and role = 'admin' and disabled_at is null and user_id <> $1"#,
        except.0
    )
    .fetch_one(conn)
    .await
}

/// Changes a member's role if the membership is still at `version`; false when stale.
pub async fn set_role(
    conn: &mut PgConnection,
    user: UserId,
    role: Role,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update memberships set role = $2, updated_at = $3, version = version + 1
          where tenant_id = app_tenant_id() and user_id = $1 and version = $4",
        user.0,
        role.as_str(),
        now,
        version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Disables (`Some(now)`) or enables (`None`) a membership at `version`; false when stale.
pub async fn set_disabled(
    conn: &mut PgConnection,
    user: UserId,
    disabled_at: Option<DateTime<Utc>>,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update memberships set disabled_at = $2, updated_at = $3, version = version + 1
          where tenant_id = app_tenant_id() and user_id = $1 and version = $4",
        user.0,
        disabled_at,
        now,
        version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
