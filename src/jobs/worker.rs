//! The worker: finds queued jobs, claims each inside its tenant's transaction and hands it to the
//! runner that knows its kind. Every server runs one; they share the queue through row locks.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use sqlx::{PgConnection, PgPool};
use tokio::sync::Notify;

use super::repo::{self, Job};
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::tenancy::domain::TenantId;

/// What a runner answers (as `AppError::Conflict(BUSY)`) when its job cannot run now because another
/// job it must not overlap is running: the job stays queued, the run is not counted, and the worker
/// turns to other jobs.
pub const BUSY: &str = "job.busy";

/// Worker loops per server: a long job of one tenant leaves the other loop to the rest.
const WORKERS: usize = 2;

/// Runs after a failed run this many times are given up (marked failed).
pub const MAX_ATTEMPTS: i32 = 3;

/// How often an idle worker looks for work queued by another server. Work queued by this one wakes
/// it at once (`Wake`).
const POLL_EVERY: Duration = Duration::from_secs(2);

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What runs jobs of each kind. `run` works in the job's transaction (`conn`), which commits with the
/// job marked done when it returns `Ok`; `failed` records, in a fresh transaction, that the job was
/// given up.
pub trait Runner: Send + Sync + 'static {
    fn run<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        job: &'a Job,
        progress: &'a Progress,
    ) -> BoxFuture<'a, AppResult<()>>;

    fn failed<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        job: &'a Job,
    ) -> BoxFuture<'a, AppResult<()>>;
}

/// Wakes this server's worker when a job was queued here.
#[derive(Clone, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    pub fn notify(&self) {
        self.0.notify_one();
    }
}

/// Writes a run's progress from its own connection. A run reports at its steps (a handful of times),
/// never per row: each report is written, so a page polling it always sees the step the run is at.
pub struct Progress {
    pool: PgPool,
    clock: Clock,
    tenant: TenantId,
    job: uuid::Uuid,
}

impl Progress {
    pub fn new(pool: PgPool, clock: Clock, tenant: TenantId, job: uuid::Uuid) -> Self {
        Progress {
            pool,
            clock,
            tenant,
            job,
        }
    }

    /// Records `done` of `total`, and the time as the moment the run reached it. A failure to record
    /// is logged, never the run's failure.
    pub async fn set(&self, done: usize, total: usize) {
        let write = async {
            let mut tx = crate::db::tenant_tx(&self.pool, self.tenant, None).await?;
            repo::set_progress(
                &mut tx,
                self.job,
                done as i64,
                total as i64,
                self.clock.now(),
            )
            .await?;
            tx.commit().await
        };
        if let Err(e) = write.await {
            tracing::warn!(error = %e, job = %self.job, "a job's progress could not be recorded");
        }
    }
}

/// Runs every job queued now (across tenants), one after another; returns how many ran to the end.
pub async fn run_pending(pool: &PgPool, clock: &Clock, runner: &dyn Runner) -> AppResult<usize> {
    let waiting = {
        let mut conn = pool.acquire().await?;
        repo::waiting(&mut conn, 100).await?
    };
    let mut ran = 0;
    for (tenant, id) in waiting {
        if run_one(pool, clock, runner, tenant, id).await? {
            ran += 1;
        }
    }
    Ok(ran)
}

/// Claims and runs one job; false when another worker had it or it was no longer queued.
async fn run_one(
    pool: &PgPool,
    clock: &Clock,
    runner: &dyn Runner,
    tenant: TenantId,
    id: uuid::Uuid,
) -> AppResult<bool> {
    let attempts = {
        let mut tx = crate::db::tenant_tx(pool, tenant, None).await?;
        let attempts = repo::count_attempt(&mut tx, id).await?;
        tx.commit().await?;
        attempts
    };
    let Some(attempts) = attempts else {
        return Ok(false);
    };
    let mut tx = crate::db::tenant_tx(pool, tenant, None).await?;
    let Some(job) = repo::lock(&mut tx, id).await? else {
        // Another worker took it between the count and the lock: the count was not this run's.
        drop(tx);
        let mut tx = crate::db::tenant_tx(pool, tenant, None).await?;
        repo::uncount_attempt(&mut tx, id).await?;
        tx.commit().await?;
        return Ok(false);
    };
    if attempts > MAX_ATTEMPTS {
        give_up(&mut tx, runner, &job, clock).await?;
        tx.commit().await?;
        return Ok(false);
    }
    if let Some(user) = job.created_by {
        crate::db::set_local(&mut tx, "app.user_id", &user.to_string()).await?;
    }
    let progress = Progress::new(pool.clone(), clock.clone(), tenant, id);
    match runner.run(&mut tx, &job, &progress).await {
        Ok(()) => {
            repo::finish(&mut tx, id, None, clock.now()).await?;
            tx.commit().await?;
            Ok(true)
        }
        Err(AppError::Conflict(BUSY)) => {
            drop(tx);
            let mut tx = crate::db::tenant_tx(pool, tenant, None).await?;
            repo::uncount_attempt(&mut tx, id).await?;
            tx.commit().await?;
            Ok(false)
        }
        Err(e) => {
            drop(tx);
            tracing::error!(error = ?e, job = %id, kind = %job.kind, attempts, "a job failed; it is retried");
            if attempts >= MAX_ATTEMPTS {
                let mut tx = crate::db::tenant_tx(pool, tenant, job.created_by).await?;
                if repo::lock(&mut tx, id).await?.is_some() {
                    give_up(&mut tx, runner, &job, clock).await?;
                }
                tx.commit().await?;
            }
            Ok(false)
        }
    }
}

async fn give_up(
    conn: &mut PgConnection,
    runner: &dyn Runner,
    job: &Job,
    clock: &Clock,
) -> AppResult<()> {
    tracing::error!(job = %job.id, kind = %job.kind, "a job was given up after {MAX_ATTEMPTS} runs");
    runner.failed(&mut *conn, job).await?;
    repo::finish(conn, job.id, Some("job.gave_up"), clock.now()).await?;
    Ok(())
}

/// Runs queued jobs for as long as the server runs: whenever this server queues one, and every few
/// seconds for jobs queued elsewhere (or left by a server that stopped mid-run).
pub fn spawn_worker(pool: PgPool, clock: Clock, runner: Arc<dyn Runner>, wake: Wake) {
    for _ in 0..WORKERS {
        let (pool, clock, runner, wake) =
            (pool.clone(), clock.clone(), runner.clone(), wake.clone());
        tokio::spawn(async move {
            loop {
                match run_pending(&pool, &clock, runner.as_ref()).await {
                    Ok(ran) if ran > 0 => continue,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "looking for jobs failed; trying again later")
                    }
                }
                let _ = tokio::time::timeout(POLL_EVERY, wake.0.notified()).await;
            }
        });
    }
}
