//! SQL for tenants, users and memberships.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::{Role, SecondFactorRule, TenantId};
use crate::auth::domain::UserId;

pub struct NewTenant<'a> {
    pub id: TenantId,
    pub slug: &'a str,
    pub name: &'a str,
    pub timezone: &'a str,
    pub language: &'a str,
    pub second_factor: SecondFactorRule,
}

pub async fn insert_tenant(
    conn: &mut PgConnection,
    t: &NewTenant<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into tenants (id, slug, name, timezone, default_language, second_factor, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $7)",
        t.id.0,
        t.slug,
        t.name,
        t.timezone,
        t.language,
        t.second_factor.as_str(),
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
    pub second_factor: String,
    pub timezone: String,
    pub default_language: String,
    pub letterhead_office: String,
    pub letterhead_address: String,
    pub letterhead_city: String,
    pub letterhead_phone: String,
    pub letterhead_email: String,
    pub letterhead_signatory_name: String,
    pub letterhead_signatory_title: String,
    pub letterhead_signatory_title_en: String,
    pub version: i32,
}

pub async fn settings(conn: &mut PgConnection) -> sqlx::Result<Settings> {
    sqlx::query_as!(
        Settings,
        "select name, second_factor, timezone, default_language, letterhead_office, letterhead_address, letterhead_city,
                letterhead_phone, letterhead_email, letterhead_signatory_name, letterhead_signatory_title,
                letterhead_signatory_title_en, version
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
                updated_at = $11, version = version + 1, second_factor = $13,
                letterhead_signatory_title_en = $14
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
        s.version,
        s.second_factor,
        s.letterhead_signatory_title_en
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

/// Adds a membership in the transaction's tenant (a trigger counts it on the account). Only the person
/// themself, holding an open invitation with this role and branch, may (the table's policy). Returns
/// false when the person is already a member.
pub async fn add_membership(
    conn: &mut PgConnection,
    user: UserId,
    role: Role,
    branch: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "insert into memberships (tenant_id, id, user_id, role, branch_id, created_at, updated_at)
         values (app_tenant_id(), $1, $2, $3, $4, $5, $5)
         on conflict (tenant_id, user_id) do nothing",
        Uuid::new_v4(),
        user.0,
        role.as_str(),
        branch,
        now
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A person as their tenant sees them: the membership, and of the account only what the tenant may
/// know. The account's own state (a pending password change, a second factor) is read only for an
/// account that belongs to this tenant alone; for a shared one it is None.
pub struct Member {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub branch_id: Option<Uuid>,
    pub branch_code: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// The last sign-in into this tenant (or switch to it).
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub joined_at: DateTime<Utc>,
    /// The account belongs to no other tenant: this tenant's admin may reset it.
    pub only_here: bool,
    pub must_change_password: Option<bool>,
    pub has_second_factor: Option<bool>,
    pub version: i32,
}

pub async fn members(conn: &mut PgConnection) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as!(
        Member,
        r#"select u.id as "user_id: UserId", u.name, u.email, m.role as "role: Role", m.branch_id, b.code as "branch_code?",
                  m.disabled_at, m.last_sign_in_at, m.created_at as joined_at,
                  u.membership_count = 1 as "only_here!",
                  case when u.membership_count = 1 then u.must_change_password end as must_change_password,
                  case when u.membership_count = 1 then u.totp_enabled_at is not null end as has_second_factor,
                  m.version
             from memberships m join users u on u.id = m.user_id
             left join branch_offices b on b.tenant_id = m.tenant_id and b.id = m.branch_id
            where m.tenant_id = app_tenant_id()
            order by m.disabled_at is not null, u.name"#
    )
    .fetch_all(conn)
    .await
}

pub async fn member(conn: &mut PgConnection, user: UserId) -> sqlx::Result<Option<Member>> {
    sqlx::query_as!(
        Member,
        r#"select u.id as "user_id: UserId", u.name, u.email, m.role as "role: Role", m.branch_id, b.code as "branch_code?",
                  m.disabled_at, m.last_sign_in_at, m.created_at as joined_at,
                  u.membership_count = 1 as "only_here!",
                  case when u.membership_count = 1 then u.must_change_password end as must_change_password,
                  case when u.membership_count = 1 then u.totp_enabled_at is not null end as has_second_factor,
                  m.version
             from memberships m join users u on u.id = m.user_id
             left join branch_offices b on b.tenant_id = m.tenant_id and b.id = m.branch_id
            where m.tenant_id = app_tenant_id() and m.user_id = $1"#,
        user.0
    )
    .fetch_optional(conn)
    .await
}

/// Changes a member's role and branch office if the membership is still at `version`; false when
/// stale.
pub async fn set_role(
    conn: &mut PgConnection,
    user: UserId,
    role: Role,
    branch: Option<Uuid>,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update memberships set role = $2, branch_id = $5, updated_at = $3, version = version + 1
          where tenant_id = app_tenant_id() and user_id = $1 and version = $4",
        user.0,
        role.as_str(),
        now,
        version,
        branch
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

/// People who can hold a portfolio or a follow-up: the enabled RMs, supervisors and admins of the
/// tenant, RMs first.
pub struct Assignee {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
}

pub async fn assignees(conn: &mut PgConnection) -> sqlx::Result<Vec<Assignee>> {
    sqlx::query_as!(
        Assignee,
        r#"select u.id, u.name, m.role as "role: Role" from memberships m join users u on u.id = m.user_id
          where m.tenant_id = app_tenant_id() and m.disabled_at is null
            and m.role in ('rm', 'supervisor', 'admin')
          order by m.role <> 'rm', u.name"#
    )
    .fetch_all(conn)
    .await
}

/// Is this person an enabled member who can hold a portfolio (an RM, a supervisor or an admin)?
///
/// The answer holds until the caller's transaction ends: the membership is share-locked, so a person
/// being disabled (whose portfolio moves under the membership's lock, `lock_members`) is either
/// disabled first, and refused here, or waits until the employer given to them is saved, and then
/// moves with the rest of their portfolio.
pub async fn is_assignable(conn: &mut PgConnection, user: Uuid) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!(
        r#"select 1 as "found!" from memberships where tenant_id = app_tenant_id() and user_id = $1
                  and disabled_at is null and role in ('rm', 'supervisor', 'admin')
             for share"#,
        user
    )
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// A membership as it stands under its lock.
pub struct LockedMember {
    pub user_id: Uuid,
    pub role: Role,
    pub disabled_at: Option<DateTime<Utc>>,
    pub version: i32,
}

/// Locks the memberships of `users` (a person being disabled and who takes over their portfolio), and
/// those of the tenant's enabled admins, until the transaction ends; all in one order, so two admins
/// moving portfolios between the same people wait for each other instead of deadlocking, the second
/// sees what the first did, and two admins cannot disable each other (the last admin) at once.
pub async fn lock_members(
    conn: &mut PgConnection,
    users: &[Uuid],
) -> sqlx::Result<Vec<LockedMember>> {
    sqlx::query_as!(
        LockedMember,
        r#"select user_id, role as "role: Role", disabled_at, version from memberships
            where tenant_id = app_tenant_id()
              and (user_id = any($1) or (role = 'admin' and disabled_at is null))
            order by user_id
              for no key update"#,
        users
    )
    .fetch_all(conn)
    .await
}

/// Is `user` an enabled member of the tenant (anyone may be given a follow-up)? Like
/// `is_assignable`, the answer holds until the transaction ends: the membership is share-locked, so a
/// person being disabled either is disabled first, and refused here, or waits until the follow-up
/// given to them is saved, and then hands it over with the rest (`lock_members`).
pub async fn lock_enabled(conn: &mut PgConnection, user: Uuid) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!(
        r#"select 1 as "found!" from memberships where tenant_id = app_tenant_id() and user_id = $1
                  and disabled_at is null
             for share"#,
        user
    )
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// A person of the tenant, by name.
pub struct PersonName {
    pub user_id: Uuid,
    pub name: String,
}

/// Which of `users` are enabled members of the tenant, with their names (a meeting's staff, a
/// follow-up's assignee).
pub async fn enabled_people(
    conn: &mut PgConnection,
    users: &[Uuid],
) -> sqlx::Result<Vec<PersonName>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as!(
        PersonName,
        "select m.user_id, u.name from memberships m join users u on u.id = m.user_id
          where m.tenant_id = app_tenant_id() and m.user_id = any($1) and m.disabled_at is null",
        users
    )
    .fetch_all(conn)
    .await
}

/// The names of `users` the tenant can see, enabled or not: the people a list names who are not among
/// the cached assignees (`web::pickers`), such as a disabled person still holding a portfolio.
pub async fn names(conn: &mut PgConnection, users: &[Uuid]) -> sqlx::Result<Vec<PersonName>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as!(
        PersonName,
        r#"select id as "user_id!", name from users where id = any($1)"#,
        users
    )
    .fetch_all(conn)
    .await
}

/// Every tenant's id and zone, for background work that visits each tenant in turn (through the
/// security-definer function `tenants_for_background`, migrations/0009_contributions.sql: the
/// runtime role sees no other tenant row). A zone this build does not know counts as Jakarta's.
pub async fn for_background(
    conn: &mut PgConnection,
) -> sqlx::Result<Vec<(TenantId, chrono_tz::Tz)>> {
    let rows = sqlx::query!(
        r#"select id as "id!: TenantId", timezone as "timezone!" from tenants_for_background()"#
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let tz = r.timezone.parse().unwrap_or(chrono_tz::Asia::Jakarta);
            (r.id, tz)
        })
        .collect())
}
