//! SQL for branch offices.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub struct Branch {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub region: String,
    pub address: String,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i32,
}

pub struct BranchFields {
    pub code: String,
    pub name: String,
    pub region: String,
    pub address: String,
}

pub async fn list(conn: &mut PgConnection) -> sqlx::Result<Vec<Branch>> {
    sqlx::query_as!(
        Branch,
        "select id, code, name, region, address, archived_at, version from branch_offices
          order by archived_at is not null, code"
    )
    .fetch_all(conn)
    .await
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Branch>> {
    sqlx::query_as!(
        Branch,
        "select id, code, name, region, address, archived_at, version from branch_offices where id = $1",
        id
    )
    .fetch_optional(conn)
    .await
}

/// Inserts a branch; `Ok(false)` when the code is taken in this tenant.
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    f: &BranchFields,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "insert into branch_offices (tenant_id, id, code, name, region, address, created_at, updated_at)
         values (app_tenant_id(), $1, $2, $3, $4, $5, $6, $6)
         on conflict (tenant_id, code) do nothing",
        id,
        f.code,
        f.name,
        f.region,
        f.address,
        now
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub enum UpdateOutcome {
    Saved,
    Stale,
    CodeTaken,
}

pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    f: &BranchFields,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<UpdateOutcome> {
    let done = sqlx::query!(
        "update branch_offices set code = $2, name = $3, region = $4, address = $5, updated_at = $6,
                version = version + 1
          where id = $1 and version = $7",
        id,
        f.code,
        f.name,
        f.region,
        f.address,
        now,
        version
    )
    .execute(conn)
    .await;
    match done {
        Ok(d) if d.rows_affected() == 1 => Ok(UpdateOutcome::Saved),
        Ok(_) => Ok(UpdateOutcome::Stale),
        Err(e) if crate::db::is_unique_violation(&e) => Ok(UpdateOutcome::CodeTaken),
        Err(e) => Err(e),
    }
}

/// Archives (`Some`) or restores (`None`); false when stale.
pub async fn set_archived(
    conn: &mut PgConnection,
    id: Uuid,
    archived_at: Option<DateTime<Utc>>,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update branch_offices set archived_at = $2, updated_at = $3, version = version + 1
          where id = $1 and version = $4",
        id,
        archived_at,
        now,
        version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An open branch office, as pickers offer it.
pub struct OpenBranch {
    pub id: Uuid,
    pub code: String,
    pub name: String,
}

pub async fn open_branches(conn: &mut PgConnection) -> sqlx::Result<Vec<OpenBranch>> {
    sqlx::query_as!(
        OpenBranch,
        "select id, code, name from branch_offices where archived_at is null order by code"
    )
    .fetch_all(conn)
    .await
}

/// The codes of `branches`, closed ones too: the offices a list names that are not among the cached
/// open ones (`web::pickers`).
pub async fn codes(
    conn: &mut PgConnection,
    branches: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, String)>> {
    if branches.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query!(
        "select id, code from branch_offices where id = any($1)",
        branches
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.code)).collect())
}

/// Is this an open branch office of the tenant?
pub async fn is_open(conn: &mut PgConnection, branch: Uuid) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!(
        r#"select exists (select 1 from branch_offices where id = $1 and archived_at is null) as "found!""#,
        branch
    )
    .fetch_one(conn)
    .await?;
    Ok(found)
}
