//! SQL for invitations. Reading one by its secret needs `app.invitation` set to the secret's hash
//! (`db::invitation_tx`); everything else runs in the invitation's tenant.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::auth::domain::UserId;
use crate::tenancy::domain::{Role, TenantId};

pub struct NewRow<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub role: Role,
    pub branch: Option<Uuid>,
    pub token_hash: &'a [u8],
    pub invited_by: Option<UserId>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(
    conn: &mut PgConnection,
    r: &NewRow<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into invitations (tenant_id, id, email, role, branch_id, token_hash, invited_by, created_at,
                                  expires_at)
         values (app_tenant_id(), $1, $2, $3, $4, $5, $6, $7, $8)",
        r.id,
        r.email,
        r.role.as_str(),
        r.branch,
        r.token_hash,
        r.invited_by.map(|u| u.0),
        now,
        r.expires_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Revokes the email's open invitation in this tenant, if any (a new one replaces it).
pub async fn revoke_open_for_email(
    conn: &mut PgConnection,
    email: &str,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "update invitations set revoked_at = $3, revoked_by = $2
          where tenant_id = app_tenant_id() and email = $1 and accepted_at is null and revoked_at is null
         returning id",
        email,
        by.map(|u| u.0),
        now
    )
    .fetch_optional(conn)
    .await
}

/// Revokes an open invitation; false when it is not open (accepted or revoked meanwhile) or unknown.
pub async fn revoke(
    conn: &mut PgConnection,
    id: Uuid,
    by: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "update invitations set revoked_at = $3, revoked_by = $2
          where tenant_id = app_tenant_id() and id = $1 and accepted_at is null and revoked_at is null
         returning email",
        id,
        by.0,
        now
    )
    .fetch_optional(conn)
    .await
}

/// How many invitations the tenant made since `since`.
pub async fn created_since(conn: &mut PgConnection, since: DateTime<Utc>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from invitations where tenant_id = app_tenant_id() and created_at >= $1"#,
        since
    )
    .fetch_one(conn)
    .await
}

/// Whether the tenant has an invitation with this id, in whatever state.
pub async fn exists(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from invitations where tenant_id = app_tenant_id() and id = $1) as "found!""#,
        id
    )
    .fetch_one(conn)
    .await
}

pub struct ListRow {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub branch_code: Option<String>,
    pub invited_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The tenant's invitations that did not end in a membership: open ones first, then the 20 most
/// recently revoked in the last 30 days. (An accepted one is its person in the list of members.)
pub async fn list(conn: &mut PgConnection, now: DateTime<Utc>) -> sqlx::Result<Vec<ListRow>> {
    sqlx::query_as!(
        ListRow,
        r#"select i.id as "id!", i.email as "email!", i.role as "role!: Role", b.code as "branch_code?",
                  u.name as "invited_by?", i.created_at as "created_at!", i.expires_at as "expires_at!",
                  i.accepted_at, i.revoked_at
             from (select * from invitations
                    where tenant_id = app_tenant_id() and accepted_at is null and revoked_at is null
                   union all
                   (select * from invitations
                     where tenant_id = app_tenant_id() and accepted_at is null and revoked_at > $1
                     order by revoked_at desc limit 20)) i
             left join branch_offices b on b.tenant_id = i.tenant_id and b.id = i.branch_id
             left join users u on u.id = i.invited_by
            order by (i.accepted_at is null and i.revoked_at is null) desc, i.created_at desc"#,
        now - chrono::Duration::days(30)
    )
    .fetch_all(conn)
    .await
}

/// An invitation as the link's holder sees it.
pub struct Invitation {
    pub tenant_id: TenantId,
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub branch_id: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The invitation with this secret's hash. Needs `app.invitation` set to the same hash.
pub async fn by_hash(conn: &mut PgConnection, hash: &[u8]) -> sqlx::Result<Option<Invitation>> {
    sqlx::query_as!(
        Invitation,
        r#"select tenant_id as "tenant_id: TenantId", id, email, role as "role: Role", branch_id, expires_at, accepted_at,
                  revoked_at
             from invitations where token_hash = $1"#,
        hash
    )
    .fetch_optional(conn)
    .await
}

/// The same, locked until the end of the transaction: two acceptances of one link run one after the
/// other, and the second finds it accepted.
pub async fn lock_by_hash(
    conn: &mut PgConnection,
    hash: &[u8],
) -> sqlx::Result<Option<Invitation>> {
    sqlx::query_as!(
        Invitation,
        r#"select tenant_id as "tenant_id: TenantId", id, email, role as "role: Role", branch_id, expires_at, accepted_at,
                  revoked_at
             from invitations where token_hash = $1
              for update"#,
        hash
    )
    .fetch_optional(conn)
    .await
}

/// What the invitation page names: the unit, who invited, the branch office.
pub struct Names {
    pub tenant_name: String,
    pub timezone: String,
    pub invited_by: Option<String>,
    pub branch_name: Option<String>,
}

/// Needs the invitation's tenant as the transaction's tenant.
pub async fn names(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Names> {
    sqlx::query_as!(
        Names,
        r#"select t.name as tenant_name, t.timezone, u.name as "invited_by?", b.name as "branch_name?"
             from invitations i
             join tenants t on t.id = i.tenant_id
             left join users u on u.id = i.invited_by
             left join branch_offices b on b.tenant_id = i.tenant_id and b.id = i.branch_id
            where i.tenant_id = app_tenant_id() and i.id = $1"#,
        id
    )
    .fetch_one(conn)
    .await
}

pub async fn mark_accepted(
    conn: &mut PgConnection,
    id: Uuid,
    by: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update invitations set accepted_at = $3, accepted_by = $2
          where tenant_id = app_tenant_id() and id = $1",
        id,
        by.0,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether someone with this email is already a member of the tenant (enabled or not). Only the
/// tenant's own people are visible, so this tells nothing about accounts elsewhere.
pub async fn is_member(conn: &mut PgConnection, email: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from memberships m join users u on u.id = m.user_id
                           where m.tenant_id = app_tenant_id() and u.email = $1) as "member!""#,
        email
    )
    .fetch_one(conn)
    .await
}
