//! SQL for the tenant's holidays.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use super::domain::WorkingDays;

pub struct Holiday {
    pub day: NaiveDate,
    pub name: String,
}

/// The calendar for dates in `from..=to`: holidays outside the window are not read, so ask for a
/// window that covers every date the caller will look at (a deadline's whole span).
pub async fn load(
    conn: &mut PgConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<WorkingDays> {
    let days = sqlx::query_scalar!(
        "select day from holidays where day between $1 and $2",
        from,
        to
    )
    .fetch_all(conn)
    .await?;
    Ok(WorkingDays::new(days))
}

/// The holidays of one year, in date order.
pub async fn of_year(conn: &mut PgConnection, year: i32) -> sqlx::Result<Vec<Holiday>> {
    sqlx::query_as!(
        Holiday,
        "select day, name from holidays
          where day >= make_date($1, 1, 1) and day < make_date($1 + 1, 1, 1)
          order by day",
        year
    )
    .fetch_all(conn)
    .await
}

/// The years that hold holidays, newest first.
pub async fn years(conn: &mut PgConnection) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar!(
        r#"select distinct extract(year from day)::int as "year!" from holidays order by 1 desc"#
    )
    .fetch_all(conn)
    .await
}

/// Adds holidays, keeping the existing name of a day already listed; returns the days added.
pub async fn insert_many(
    conn: &mut PgConnection,
    days: &[NaiveDate],
    names: &[String],
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<NaiveDate>> {
    sqlx::query_scalar!(
        "insert into holidays (tenant_id, day, name, created_at)
         select app_tenant_id(), d.day, d.name, $3
           from unnest($1::date[], $2::text[]) as d(day, name)
         on conflict (tenant_id, day) do nothing
         returning day",
        days,
        names,
        now
    )
    .fetch_all(conn)
    .await
}

/// Removes a holiday; its name when there was one.
pub async fn delete(conn: &mut PgConnection, day: NaiveDate) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("delete from holidays where day = $1 returning name", day)
        .fetch_optional(conn)
        .await
}

/// Serialises changes to the tenant's calendar (an import racing a removal), so due dates are
/// recomputed from one settled set of holidays.
pub async fn lock_calendar(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('holidays:' || app_tenant_id()::text, 0))"
    )
    .execute(conn)
    .await?;
    Ok(())
}
