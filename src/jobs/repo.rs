//! The jobs table: queueing, claiming, finishing, and the progress rows pages poll.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::auth::domain::UserId;
use crate::tenancy::domain::TenantId;

crate::text_enum!(JobKind, "job.kind_invalid", {
    ImportValidate = "import.validate" => "job.import_validate",
    ImportCommit = "import.commit" => "job.import_commit",
});

/// A claimed job, as its runner sees it.
#[derive(Clone, Debug)]
pub struct Job {
    pub tenant: TenantId,
    pub id: Uuid,
    pub kind: JobKind,
    pub subject: Option<Uuid>,
    pub created_by: Option<UserId>,
    /// Runs started so far, this one included.
    pub attempts: i32,
}

/// Queues a job in the transaction's tenant; it runs once that transaction commits.
pub async fn enqueue(
    conn: &mut PgConnection,
    kind: JobKind,
    subject: Option<Uuid>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query!(
        r#"with job as (
             insert into jobs (tenant_id, id, kind, subject_id, state, created_by, created_at)
             values (app_tenant_id(), $1, $2, $3, 'queued', $4, $5)
           )
           insert into job_progress (tenant_id, job_id, updated_at) values (app_tenant_id(), $1, $5)"#,
        id,
        kind.as_str(),
        subject,
        by.map(|u| u.0),
        now,
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// Queued jobs of every tenant, oldest first (ids only; see `jobs_waiting` in
/// migrations/0013_imports.sql).
pub async fn waiting(conn: &mut PgConnection, limit: i32) -> sqlx::Result<Vec<(TenantId, Uuid)>> {
    let rows = sqlx::query!(
        r#"select tenant_id as "tenant!: TenantId", id as "id!" from jobs_waiting($1)"#,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.tenant, r.id)).collect())
}

/// Counts a run about to start, unless another worker holds the job or it is no longer queued.
/// Committed on its own, before the run, so that runs which never finish are counted too.
pub async fn count_attempt(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        r#"update jobs set attempts = attempts + 1
            where id = (select id from jobs where id = $1 and state = 'queued' for update skip locked)
        returning attempts"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Takes back a counted run that stepped aside (`worker::BUSY`).
pub async fn uncount_attempt(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "update jobs set attempts = greatest(attempts - 1, 0) where id = $1 and state = 'queued'",
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the job's row lock for the run's transaction; None when another worker holds it or the job
/// is no longer queued (it finished meanwhile).
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Job>> {
    let row = sqlx::query!(
        r#"select tenant_id as "tenant: TenantId", kind as "kind: JobKind", subject_id,
                  created_by as "created_by: UserId", attempts
             from jobs where id = $1 and state = 'queued'
              for no key update skip locked"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Job {
        tenant: r.tenant,
        id,
        kind: r.kind,
        subject: r.subject_id,
        created_by: r.created_by,
        attempts: r.attempts,
    }))
}

/// Marks the job done (inside its run's transaction) or failed (after its last failed run).
pub async fn finish(
    conn: &mut PgConnection,
    id: Uuid,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"update jobs set state = case when $2::text is null then 'done' else 'failed' end,
                  error = coalesce($2, ''), finished_at = $3
            where id = $1"#,
        id,
        error,
        now,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records how far a run has come (its own small transaction; never the run's).
pub async fn set_progress(
    conn: &mut PgConnection,
    id: Uuid,
    done: i64,
    total: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update job_progress set done = $2, total = $3, updated_at = $4 where job_id = $1",
        id,
        done,
        total,
        now,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A job's state and progress, for a page to draw.
#[derive(Clone, Debug)]
pub struct Status {
    pub state: String,
    pub done: i64,
    pub total: i64,
    /// When the run last reported (it reached `done`); None before it started.
    pub since: Option<DateTime<Utc>>,
}

/// The newest job about `subject`, if any.
pub async fn latest_for(conn: &mut PgConnection, subject: Uuid) -> sqlx::Result<Option<Status>> {
    sqlx::query_as!(
        Status,
        r#"select j.state, coalesce(p.done, 0) as "done!", coalesce(p.total, 0) as "total!",
                  p.updated_at as "since?"
             from jobs j left join job_progress p on p.tenant_id = j.tenant_id and p.job_id = j.id
            where j.subject_id = $1
            order by j.created_at desc limit 1"#,
        subject
    )
    .fetch_optional(conn)
    .await
}
