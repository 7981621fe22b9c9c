//! SQL for "My month": an RM's portfolio against the monthly BOD-1 cadence, read from the marks the
//! meetings keep on each employer (`employers_cadence_idx`, `employers_next_planned_idx`).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::meetings::domain::Kind;
use crate::text_enum;

/// One employer of the portfolio.
pub struct MonthRow {
    pub id: Uuid,
    pub name: String,
    pub npp: Option<String>,
    pub division_code: String,
    pub last_bod1_meeting_at: Option<DateTime<Utc>>,
    pub next_planned_meeting_at: Option<DateTime<Utc>>,
    pub open_follow_ups: i64,
    pub overdue_follow_ups: i64,
}

text_enum!(
    /// Which part of the portfolio a page shows.
    Show, "month.show_invalid", {
    ToMeet = "to_meet" => "month.show_to_meet",
    Met = "met" => "month.show_met",
    All = "all" => "month.show_all",
});

/// The month's headline and a page of the portfolio, in one round trip.
pub struct MonthSummary {
    /// Employers the RM looks after (not archived, not closed).
    pub total: i64,
    /// Of those, met at BOD-1 level in the month.
    pub met: i64,
    pub rows: Vec<MonthRow>,
}

/// The headline counts over the month `[month_starts, month_ends)` and a page of the portfolio:
/// never met and longest ago first, so the ones still to meet this month lead. Open and overdue
/// follow-ups counted on `today`.
#[allow(clippy::too_many_arguments)]
pub async fn month_summary(
    conn: &mut PgConnection,
    rm: Uuid,
    month_starts: DateTime<Utc>,
    month_ends: DateTime<Utc>,
    show: Show,
    today: NaiveDate,
    limit: i64,
    offset: i64,
) -> sqlx::Result<MonthSummary> {
    let rows = sqlx::query!(
        r#"with head as (
             select count(*) as total,
                    count(*) filter (where last_bod1_meeting_at >= $2 and last_bod1_meeting_at < $3) as met
               from employers
              where rm_id = $1 and archived_at is null and status <> 'closed')
           select head.total as "total!", head.met as "met!", p.id as "id?", p.name as "name?", p.npp,
                  p.division_code as "division_code?", p.last_bod1_meeting_at, p.next_planned_meeting_at,
                  p.open as "open?", p.overdue as "overdue?"
             from head
             left join lateral (
                  select e.id, e.name, e.npp, e.division_code, e.last_bod1_meeting_at, e.next_planned_meeting_at,
                         fu.open, fu.overdue
                    from employers e
                   cross join lateral (
                         select count(*) as open, count(*) filter (where f.due_on < $5) as overdue
                           from follow_ups f
                          where f.tenant_id = e.tenant_id and f.employer_id = e.id
                            and f.done_at is null and f.archived_at is null) fu
                   where e.rm_id = $1 and e.archived_at is null and e.status <> 'closed'
                     and ($4 = 'all'
                          or ($4 = 'to_meet') = (e.last_bod1_meeting_at is null or e.last_bod1_meeting_at < $2))
                   order by e.last_bod1_meeting_at nulls first, e.name, e.id
                   limit $6 offset $7) p on true"#,
        rm,
        month_starts,
        month_ends,
        show.as_str(),
        today,
        limit,
        offset
    )
    .fetch_all(conn)
    .await?;
    let (total, met) = rows.first().map_or((0, 0), |r| (r.total, r.met));
    let rows = rows
        .into_iter()
        .filter_map(|r| {
            Some(MonthRow {
                id: r.id?,
                name: r.name?,
                npp: r.npp,
                division_code: r.division_code?,
                last_bod1_meeting_at: r.last_bod1_meeting_at,
                next_planned_meeting_at: r.next_planned_meeting_at,
                open_follow_ups: r.open?,
                overdue_follow_ups: r.overdue?,
            })
        })
        .collect();
    Ok(MonthSummary { total, met, rows })
}

/// The first employers the RM still has to meet this month (the meeting form's suggestions).
pub async fn still_to_meet(
    conn: &mut PgConnection,
    rm: Uuid,
    month: &crate::meetings::domain::Month,
    today: NaiveDate,
    limit: i64,
) -> sqlx::Result<Vec<MonthRow>> {
    let page = month_summary(
        conn,
        rm,
        month.starts,
        month.ends,
        Show::ToMeet,
        today,
        limit,
        0,
    )
    .await?;
    Ok(page.rows)
}

pub struct PlannedRow {
    pub id: Uuid,
    pub employer_id: Uuid,
    pub employer_name: String,
    pub starts_at: DateTime<Utc>,
    pub kind: Kind,
    pub channel: String,
    pub location: String,
    pub version: i32,
}

/// Planned meetings with the RM's employers before `until`, soonest first, including ones whose time
/// has passed and that wait to be completed or cancelled. The employers with the `limit` soonest next
/// planned meetings hold the `limit` soonest meetings (each employer's meetings start no earlier than
/// its next one), so only those are read, in the order of `employers_next_planned_idx`.
pub async fn planned_before(
    conn: &mut PgConnection,
    rm: Uuid,
    until: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<PlannedRow>> {
    sqlx::query_as!(
        PlannedRow,
        r#"with soonest as (
             select e.tenant_id, e.id, e.name
               from employers e
              where e.rm_id = $1 and e.archived_at is null and e.status <> 'closed'
                and e.next_planned_meeting_at < $2
              order by e.next_planned_meeting_at
              limit $3)
           select m.id, m.employer_id, s.name as employer_name, m.starts_at, m.kind as "kind: Kind",
                  m.channel, m.location, m.version
             from soonest s
             join meetings m on m.tenant_id = s.tenant_id and m.employer_id = s.id
            where m.status = 'planned' and m.archived_at is null and m.starts_at < $2
            order by m.starts_at, m.id
            limit $3"#,
        rm,
        until,
        limit
    )
    .fetch_all(conn)
    .await
}
