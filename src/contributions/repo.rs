//! SQL for contribution periods and the figures derived from them. Every figure is computed here, in
//! SQL, over the periods as stored: arrears, late periods, the late-fine estimate (with the SQL
//! function `started_months`, migrations/0009_contributions.sql).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::{ContributionFields, Period};

/// One stored period.
pub struct PeriodRow {
    pub period: Period,
    pub fields: ContributionFields,
    pub due_on: NaiveDate,
    pub version: i32,
}

pub async fn find(
    conn: &mut PgConnection,
    employer: Uuid,
    period: Period,
) -> sqlx::Result<Option<PeriodRow>> {
    let r = sqlx::query!(
        r#"select period, workers_reported, wages_reported, amount_due, amount_paid, paid_on, due_on, version
             from contribution_periods
            where employer_id = $1 and period = $2"#,
        employer,
        period.first_day()
    )
    .fetch_optional(conn)
    .await?;
    Ok(r.map(|r| PeriodRow {
        period: Period::containing(r.period),
        fields: ContributionFields {
            workers_reported: r.workers_reported,
            wages_reported: r.wages_reported,
            amount_due: r.amount_due,
            amount_paid: r.amount_paid,
            paid_on: r.paid_on,
        },
        due_on: r.due_on,
        version: r.version,
    }))
}

/// Adds a period; false when the employer already has one for that month (someone else entered it
/// first).
pub async fn insert(
    conn: &mut PgConnection,
    employer: Uuid,
    period: Period,
    f: &ContributionFields,
    due_on: NaiveDate,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"insert into contribution_periods
               (tenant_id, employer_id, period, workers_reported, wages_reported, amount_due, amount_paid,
                paid_on, due_on, created_at, updated_at)
           values (app_tenant_id(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
           on conflict (tenant_id, employer_id, period) do nothing"#,
        employer,
        period.first_day(),
        f.workers_reported,
        f.wages_reported,
        f.amount_due,
        f.amount_paid,
        f.paid_on,
        due_on,
        now
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Corrects a period; false when `version` is not the stored one (a stale edit).
pub async fn update(
    conn: &mut PgConnection,
    employer: Uuid,
    period: Period,
    f: &ContributionFields,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"update contribution_periods
              set workers_reported = $3, wages_reported = $4, amount_due = $5, amount_paid = $6,
                  paid_on = $7, updated_at = $8, version = version + 1
            where employer_id = $1 and period = $2 and version = $9"#,
        employer,
        period.first_day(),
        f.workers_reported,
        f.wages_reported,
        f.amount_due,
        f.amount_paid,
        f.paid_on,
        now,
        version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One month of an employer's contribution table, with its derived figures as of `today`. A month
/// with nothing reported has no figures (`reported` false).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MonthFigures {
    pub period: NaiveDate,
    pub reported: bool,
    pub workers_reported: Option<i32>,
    pub wages_reported: Option<Decimal>,
    pub amount_due: Option<Decimal>,
    pub amount_paid: Option<Decimal>,
    pub paid_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    /// Past its due date as of the day the figures were computed.
    pub past_due: bool,
    /// Due − paid, when positive and past due.
    pub arrears: Decimal,
    /// Paid, in part or whole, after the due date.
    pub late: bool,
    /// Started months of delay: of the late payment, or of the arrears until today.
    pub months_late: i32,
    pub fine_estimate: Decimal,
}

/// An employer's figures over all its periods, as of a day.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Totals {
    pub arrears: Decimal,
    pub months_in_arrears: i64,
    pub late_periods: i64,
    pub fine_estimate: Decimal,
    pub latest_period: Option<NaiveDate>,
    pub workers_now: Option<i32>,
    pub workers_three_months_before: Option<i32>,
}

/// An employer's totals as of `today`.
pub async fn totals(
    conn: &mut PgConnection,
    employer: Uuid,
    today: NaiveDate,
) -> sqlx::Result<Totals> {
    Ok(figures(conn, employer, None, today).await?.1)
}

/// An employer's totals and the months `from..=to` of `window`, oldest first, each with its figures
/// as of `today`; in one statement, as the employer page and the brief show both (a round trip costs
/// about what either half of the query does). A month with nothing reported has no figures
/// (`reported` false). The totals read only the employer's unpaid and late periods and its latest.
pub async fn figures(
    conn: &mut PgConnection,
    employer: Uuid,
    window: Option<(Period, Period)>,
    today: NaiveDate,
) -> sqlx::Result<(Vec<MonthFigures>, Totals)> {
    // No window: a series that ends before it starts, so only the totals' row comes back.
    let (from, to) = match window {
        Some((from, to)) => (from.first_day(), to.first_day()),
        None => (today, today - chrono::Days::new(1)),
    };
    let rows = sqlx::query!(
        r#"with unpaid as (
               select coalesce(sum(amount_due - amount_paid), 0) as arrears, count(*) as months,
                      coalesce(round(sum(0.02 * (amount_due - amount_paid) * started_months(due_on, $4))), 0)
                          as fine
                 from contribution_periods
                where employer_id = $1 and amount_paid < amount_due and due_on < $4),
           late as (
               select count(*) as periods,
                      coalesce(round(sum(0.02 * least(amount_paid, amount_due)
                                         * started_months(due_on, paid_on))), 0) as fine
                 from contribution_periods
                where employer_id = $1 and paid_on > due_on),
           latest as (
               select period, workers_reported from contribution_periods
                where employer_id = $1 order by period desc limit 1),
           -- Materialized, or the lookup of three months before runs once per month of the window.
           totals as materialized (
               select u.arrears, u.months, l.periods as late, u.fine + l.fine as fine,
                      latest.period as latest, latest.workers_reported as workers_now,
                      (select c.workers_reported from contribution_periods c
                        where c.employer_id = $1 and c.period = latest.period - interval '3 months')
                          as workers_before
                 from unpaid u cross join late l left join latest on true),
           months as (
               select m.period::date as period, c.period is not null as reported,
                      c.workers_reported, c.wages_reported, c.amount_due, c.amount_paid, c.paid_on, c.due_on,
                      coalesce(c.due_on < $4, false) as past_due,
                      coalesce(case when c.due_on < $4 then greatest(c.amount_due - c.amount_paid, 0) end, 0)
                          as arrears,
                      coalesce(c.paid_on > c.due_on, false) as late,
                      coalesce(case when c.due_on >= $4 then 0
                                    when c.amount_paid < c.amount_due then started_months(c.due_on, $4)
                                    else started_months(c.due_on, coalesce(c.paid_on, $4)) end, 0) as months_late,
                      coalesce(round(0.02 * (
                          case when c.paid_on > c.due_on
                               then least(c.amount_paid, c.amount_due) * started_months(c.due_on, c.paid_on)
                               else 0 end
                        + case when c.due_on < $4
                               then greatest(c.amount_due - c.amount_paid, 0) * started_months(c.due_on, $4)
                               else 0 end), 0), 0) as fine_estimate
                 from generate_series($2::date, $3::date, interval '1 month') as m(period)
                 left join contribution_periods c on c.employer_id = $1 and c.period = m.period::date)
           select t.arrears as "total_arrears!", t.months as "total_months!", t.late as "total_late!",
                  t.fine as "total_fine!", t.latest as "latest?", t.workers_now as "workers_now?",
                  t.workers_before as "workers_before?",
                  m.period as "period?", coalesce(m.reported, false) as "reported!",
                  m.workers_reported as "workers_reported?", m.wages_reported as "wages_reported?",
                  m.amount_due as "amount_due?", m.amount_paid as "amount_paid?", m.paid_on as "paid_on?",
                  m.due_on as "due_on?", coalesce(m.past_due, false) as "past_due!",
                  coalesce(m.arrears, 0) as "arrears!", coalesce(m.late, false) as "late!",
                  coalesce(m.months_late, 0) as "months_late!", coalesce(m.fine_estimate, 0) as "fine_estimate!"
             from totals t left join months m on true
            order by m.period"#,
        employer,
        from,
        to,
        today
    )
    .fetch_all(conn)
    .await?;
    let totals = rows
        .first()
        .map(|r| Totals {
            arrears: r.total_arrears,
            months_in_arrears: r.total_months,
            late_periods: r.total_late,
            fine_estimate: r.total_fine,
            latest_period: r.latest,
            workers_now: r.workers_now,
            workers_three_months_before: r.workers_before,
        })
        .unwrap_or_default();
    let months = rows
        .into_iter()
        .filter_map(|r| {
            Some(MonthFigures {
                period: r.period?,
                reported: r.reported,
                workers_reported: r.workers_reported,
                wages_reported: r.wages_reported,
                amount_due: r.amount_due,
                amount_paid: r.amount_paid,
                paid_on: r.paid_on,
                due_on: r.due_on,
                past_due: r.past_due,
                arrears: r.arrears,
                late: r.late,
                months_late: r.months_late,
                fine_estimate: r.fine_estimate,
            })
        })
        .collect();
    Ok((months, totals))
}

/// The first and last period the tenant has, for recomputing due dates.
pub async fn period_range(conn: &mut PgConnection) -> sqlx::Result<Option<(NaiveDate, NaiveDate)>> {
    let r = sqlx::query!(
        r#"select min(period) as "first?", max(period) as "last?" from contribution_periods"#
    )
    .fetch_one(conn)
    .await?;
    Ok(r.first.zip(r.last))
}

/// Rewrites the stored due dates of these periods (for the whole tenant) where they differ; returns
/// how many periods changed.
pub async fn set_due_dates(
    conn: &mut PgConnection,
    periods: &[NaiveDate],
    dues: &[NaiveDate],
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"update contribution_periods c set due_on = d.due_on
             from unnest($1::date[], $2::date[]) as d(period, due_on)
            where c.period = d.period and c.due_on <> d.due_on"#,
        periods,
        dues
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Marks the tenant's arrears summary as brought up to `today`; false when it already was (another
/// server or an earlier round did it). The row lock holds concurrent callers until this one commits.
pub async fn mark_refreshed(conn: &mut PgConnection, today: NaiveDate) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "insert into arrears_refreshes (tenant_id, as_of) values (app_tenant_id(), $1)
         on conflict (tenant_id) do update set as_of = excluded.as_of
          where arrears_refreshes.as_of < excluded.as_of",
        today
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One month an employer has not paid in full past its due date.
pub struct Unpaid {
    pub period: NaiveDate,
    pub due_on: NaiveDate,
    pub amount_due: Decimal,
    pub amount_paid: Decimal,
}

/// The employer's unpaid past-due months as of `today`, oldest first (what a compliance letter
/// states).
pub async fn unpaid(
    conn: &mut PgConnection,
    employer: Uuid,
    today: NaiveDate,
) -> sqlx::Result<Vec<Unpaid>> {
    sqlx::query_as!(
        Unpaid,
        "select period, due_on, amount_due, amount_paid from contribution_periods
          where employer_id = $1 and amount_paid < amount_due and due_on < $2
          order by period",
        employer,
        today
    )
    .fetch_all(conn)
    .await
}
