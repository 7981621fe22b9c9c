//! SQL for "My month": an RM's portfolio against the monthly BOD-1 cadence, read from the marks the
//! meetings keep on each employer (`employers_cadence_idx`, `employers_next_planned_idx`).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::employers::domain::Status;
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
    /// Met at BOD-1 level in the month asked for.
    pub met: bool,
    pub open_follow_ups: i64,
    pub overdue_follow_ups: i64,
    /// The employer's arrears summary (`contributions`), as of its last refresh.
    pub arrears_total: rust_decimal::Decimal,
    pub arrears_months: i16,
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
    /// Active employers the RM looks after (not archived): the definition of "met X of Y" that the
    /// dashboard uses too (docs/domain.md, "My month").
    pub total: i64,
    /// Of those, met at BOD-1 level in the month.
    pub met: i64,
    pub rows: Vec<MonthRow>,
}

/// The headline counts over the month `[month_starts, month_ends)` and a page of the RM's active
/// employers: never met and longest ago first, so the ones still to meet lead. Open and overdue
/// follow-ups counted on `today`.
///
/// An employer was met in the month when its latest BOD-1 meeting falls in it (the mark kept on the
/// employer, which answers the current month from the index alone) or, for a past month, when a later
/// meeting replaced the mark and a held BOD-1 meeting of that month exists (one probe of
/// `meetings_employer_idx`, only for those employers).
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
        r#"with port as materialized (
             select e.tenant_id, e.id, e.name, e.npp, e.division_code, e.last_bod1_meeting_at,
                    e.next_planned_meeting_at, e.arrears_total, e.arrears_months,
                    coalesce(e.last_bod1_meeting_at >= $2 and e.last_bod1_meeting_at < $3, false)
                    or (e.last_bod1_meeting_at >= $3
                        and exists (select 1 from meetings m
                                     where m.tenant_id = e.tenant_id and m.employer_id = e.id
                                       and m.starts_at >= $2 and m.starts_at < $3
                                       and m.status = 'held' and m.decision_level and m.archived_at is null)) as met
               from employers e
              where e.rm_id = $1 and e.archived_at is null and e.status = 'active'),
           head as (select count(*) as total, count(*) filter (where met) as met from port)
           select head.total as "total!", head.met as "met!", p.id as "id?", p.name as "name?", p.npp,
                  p.division_code as "division_code?", p.last_bod1_meeting_at, p.next_planned_meeting_at,
                  p.met as "met_in_month?", p.open as "open?", p.overdue as "overdue?",
                  p.arrears_total as "arrears_total?", p.arrears_months as "arrears_months?"
             from head
             left join lateral (
                  -- The page first, then the follow-up counts of its employers only.
                  select p.*, fu.open, fu.overdue
                    from (select * from port p
                           where $4 = 'all' or ($4 = 'met') = p.met
                           order by p.met, p.last_bod1_meeting_at nulls first, p.name, p.id
                           limit $6 offset $7) p
                   cross join lateral (
                         select count(*) as open, count(*) filter (where f.due_on < $5) as overdue
                           from follow_ups f
                          where f.tenant_id = p.tenant_id and f.employer_id = p.id
                            and f.done_at is null and f.archived_at is null) fu) p on true
            order by p.met, p.last_bod1_meeting_at nulls first, p.name, p.id"#,
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
                met: r.met_in_month?,
                open_follow_ups: r.open?,
                overdue_follow_ups: r.overdue?,
                arrears_total: r.arrears_total?,
                arrears_months: r.arrears_months?,
            })
        })
        .collect();
    Ok(MonthSummary { total, met, rows })
}

/// An employer of the RM's that does not count toward the month (a prospect or an inactive one).
pub struct OtherRow {
    pub id: Uuid,
    pub name: String,
    pub npp: Option<String>,
    pub division_code: String,
    pub status: Status,
    pub last_bod1_meeting_at: Option<DateTime<Utc>>,
}

/// The RM's prospects and inactive employers, listed apart from the cadence: prospects first.
pub async fn others(conn: &mut PgConnection, rm: Uuid, limit: i64) -> sqlx::Result<Vec<OtherRow>> {
    sqlx::query_as!(
        OtherRow,
        r#"select e.id, e.name, e.npp, e.division_code, e.status as "status: Status",
                  e.last_bod1_meeting_at
             from employers e
            where e.rm_id = $1 and e.archived_at is null and e.status in ('prospect', 'inactive')
            order by e.status desc, e.name, e.id
            limit $2"#,
        rm,
        limit
    )
    .fetch_all(conn)
    .await
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

/// One RM's month, for the supervisor's overview.
pub struct TeamLine {
    /// None for the employers nobody is assigned to.
    pub rm_id: Option<Uuid>,
    pub rm_name: Option<String>,
    pub active: i64,
    pub met: i64,
    pub never_met: i64,
    pub overdue_follow_ups: i64,
}

/// Every RM's month in one pass over the unit's active employers, with the follow-ups overdue on
/// `today` per assignee: the same "met X of Y" as "My month", least covered first.
pub async fn team_month(
    conn: &mut PgConnection,
    month_starts: DateTime<Utc>,
    month_ends: DateTime<Utc>,
    today: NaiveDate,
) -> sqlx::Result<Vec<TeamLine>> {
    sqlx::query_as!(
        TeamLine,
        r#"with cadence as (
             select e.rm_id, count(*) as active,
                    count(*) filter (where e.last_bod1_meeting_at >= $1 and e.last_bod1_meeting_at < $2) as met,
                    count(*) filter (where e.last_bod1_meeting_at is null) as never_met
               from employers e
              where e.archived_at is null and e.status = 'active'
              group by e.rm_id),
           overdue as (
             select f.assignee_id, count(*) as n
               from follow_ups f
              where f.done_at is null and f.archived_at is null and f.due_on < $3
              group by f.assignee_id)
           select c.rm_id, u.name as "rm_name?", c.active as "active!", c.met as "met!",
                  c.never_met as "never_met!", coalesce(o.n, 0) as "overdue_follow_ups!"
             from cadence c
             left join users u on u.id = c.rm_id
             left join overdue o on o.assignee_id = c.rm_id
            order by c.rm_id is null desc, c.met::float8 / greatest(c.active, 1), u.name"#,
        month_starts,
        month_ends,
        today
    )
    .fetch_all(conn)
    .await
}
