//! Contribution operations: saving a month (with its due date from the working-day calendar, its
//! audit event and the employer's arrears summary), recomputing due dates when the holidays change,
//! and the daily refresh that counts periods whose due date has just passed.

use std::time::Duration;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::domain::{ContributionFields, Period};
use super::form::Entered;
use super::repo;
use crate::audit::{self, Action, Actor, Changes, Entity, Event};
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::working_days;

/// What the history records of a month: the month and its figures.
#[derive(Serialize)]
struct Recorded<'a> {
    period: String,
    #[serde(flatten)]
    fields: &'a ContributionFields,
}

/// The due date of `period` on the tenant's calendar.
pub async fn due_on(conn: &mut PgConnection, period: Period) -> AppResult<NaiveDate> {
    let fifteenth = period.plus_months(1).first_day() + Days::new(14);
    let calendar = working_days::repo::load(conn, fifteenth, fifteenth + Days::new(60)).await?;
    Ok(period.due_on(&calendar))
}

/// Enters a month (`version` 0) or corrects it (`version` as shown); 409 when someone entered or
/// changed the month meanwhile. The caller has checked the permission and the employer.
pub async fn save(
    conn: &mut PgConnection,
    actor: &Actor,
    employer: Uuid,
    entered: &Entered,
    version: i32,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let period = entered.period;
    let new = Recorded {
        period: period.code(),
        fields: &entered.fields,
    };
    let changes = if version == 0 {
        let due = due_on(&mut *conn, period).await?;
        if !repo::insert(&mut *conn, employer, period, &entered.fields, due, now).await? {
            return Err(AppError::Conflict("contribution.already_entered"));
        }
        Event::new(
            Action::ContributionRecorded,
            Entity::Contribution,
            Some(employer),
        )
        .with(Changes::created_with(&new))
    } else {
        let old = repo::find(&mut *conn, employer, period)
            .await?
            .ok_or(AppError::Conflict("error.stale_edit"))?;
        if !repo::update(&mut *conn, employer, period, &entered.fields, version, now).await? {
            return Err(AppError::Conflict("error.stale_edit"));
        }
        let old = Recorded {
            period: period.code(),
            fields: &old.fields,
        };
        Event::new(
            Action::ContributionCorrected,
            Entity::Contribution,
            Some(employer),
        )
        .with(
            // The month itself does not change; it is named so the history says which one did.
            Changes::new()
                .created("period", &new.period)
                .and(Changes::between(&old, &new)),
        )
    };
    audit::repo::record(&mut *conn, now, actor, changes.of_employer(employer)).await?;
    crate::employers::service::refresh_arrears(conn, Some(employer), today).await
}

/// Rewrites every stored due date of the tenant from its calendar as it is now (after a holiday was
/// added or removed), then the arrears summary. Set-based: one update over the periods whose due
/// date moved.
pub async fn recompute_due_dates(conn: &mut PgConnection, today: NaiveDate) -> AppResult<()> {
    if let Some((first, last)) = repo::period_range(&mut *conn).await? {
        let (first, last) = (Period::containing(first), Period::containing(last));
        let from = first.plus_months(1).first_day();
        let calendar =
            working_days::repo::load(&mut *conn, from, last.plus_months(3).first_day()).await?;
        let mut periods = Vec::new();
        let mut dues = Vec::new();
        let mut p = first;
        while p <= last {
            periods.push(p.first_day());
            dues.push(p.due_on(&calendar));
            p = p.plus_months(1);
        }
        repo::set_due_dates(&mut *conn, &periods, &dues).await?;
    }
    crate::employers::service::refresh_arrears(conn, None, today).await
}

/// Brings the tenant's arrears summary up to `today` once a day: the first caller of the day does
/// it, under the row lock of its refresh mark, and every later caller finds it done.
pub async fn refresh_if_due(conn: &mut PgConnection, today: NaiveDate) -> AppResult<bool> {
    if !repo::mark_refreshed(&mut *conn, today).await? {
        return Ok(false);
    }
    crate::employers::service::refresh_arrears(conn, None, today).await?;
    Ok(true)
}

/// How often the server looks whether a tenant's day has turned.
const REFRESH_EVERY: Duration = Duration::from_secs(15 * 60);

/// Runs `refresh_if_due` for every tenant now and then, for as long as the server runs. A failure is
/// logged and retried at the next round; several servers on one database share the work through the
/// refresh mark.
pub fn spawn_daily_refresh(pool: PgPool, clock: Clock) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = refresh_all(&pool, &clock).await {
                tracing::warn!(error = %e, "the arrears refresh failed; it runs again later");
            }
            tokio::time::sleep(REFRESH_EVERY).await;
        }
    });
}

/// One round of the daily refresh: every tenant, each in its own transaction.
pub async fn refresh_all(pool: &PgPool, clock: &Clock) -> AppResult<()> {
    let tenants = {
        let mut conn = pool.acquire().await?;
        crate::tenancy::repo::for_background(&mut conn).await?
    };
    for (tenant, tz) in tenants {
        let today = clock.now().with_timezone(&tz).date_naive();
        let mut tx = crate::db::tenant_tx(pool, tenant, None).await?;
        if refresh_if_due(&mut tx, today).await? {
            tracing::info!(tenant = %tenant.0, %today, "arrears brought up to date");
        }
        tx.commit().await?;
    }
    Ok(())
}
