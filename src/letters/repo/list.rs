//! SQL for lists of letters: the pipeline's counts and columns, one state's list, the approval queue,
//! an employer's letters, an escalation chain, what waits on a person, and the cycle times.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::letters::domain::{Kind, Reason, State};

/// A letter as lists show it.
pub struct ListRow {
    pub id: Uuid,
    pub employer_id: Uuid,
    pub employer_name: String,
    pub kind: Kind,
    pub reason: Reason,
    pub state: State,
    pub number: Option<String>,
    pub drafted_by: Uuid,
    pub drafter_name: String,
    pub state_since: DateTime<Utc>,
    pub response_due_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

/// The letters before and after `id` in its escalation chain, oldest first, itself included.
pub async fn chain(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Vec<ListRow>> {
    sqlx::query_as!(
        ListRow,
        r#"with recursive earlier(id, depth) as (
               select previous_id, 1 from letters where id = $1 and previous_id is not null
               union all
               select l.previous_id, e.depth + 1 from letters l join earlier e on l.id = e.id
                where l.previous_id is not null and e.depth < 20),
           later(id, depth) as (
               select id, 1 from letters where previous_id = $1
               union all
               select l.id, la.depth + 1 from letters l join later la on l.previous_id = la.id where la.depth < 20),
           members(id) as (select id from earlier union select $1 union select id from later)
           select l.id, l.employer_id, e.name as employer_name, l.kind as "kind: Kind",
                  l.reason as "reason: Reason", l.state as "state: State", l.number, l.drafted_by, d.name as drafter_name,
                  l.state_since, l.response_due_on, l.created_at
             from members m
             join letters l on l.id = m.id
             join employers e on e.tenant_id = l.tenant_id and e.id = l.employer_id
             join users d on d.id = l.drafted_by
            order by l.created_at, l.id"#,
        id
    )
    .fetch_all(conn)
    .await
}

/// An employer's letters, newest first.
pub async fn for_employer(
    conn: &mut PgConnection,
    employer: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<ListRow>> {
    sqlx::query_as!(
        ListRow,
        r#"select l.id, l.employer_id, e.name as employer_name, l.kind as "kind: Kind",
                  l.reason as "reason: Reason", l.state as "state: State", l.number, l.drafted_by, d.name as drafter_name,
                  l.state_since, l.response_due_on, l.created_at
             from letters l
             join employers e on e.tenant_id = l.tenant_id and e.id = l.employer_id
             join users d on d.id = l.drafted_by
            where l.employer_id = $1
            order by l.created_at desc, l.id
            limit $2"#,
        employer,
        limit
    )
    .fetch_all(conn)
    .await
}

/// The pipeline's filters; all optional.
#[derive(Default, Clone)]
pub struct Filter {
    pub kind: Option<Kind>,
    pub reason: Option<Reason>,
    pub rm: Option<Uuid>,
    pub branch: Option<Uuid>,
    /// Only letters out past their response date (as of `today`).
    pub overdue: bool,
    pub today: Option<NaiveDate>,
}

impl Filter {
    /// No filter chosen: the pipeline as it opens.
    pub fn is_empty(&self) -> bool {
        self.kind.is_none()
            && self.reason.is_none()
            && self.rm.is_none()
            && self.branch.is_none()
            && !self.overdue
    }
}

/// How many open letters are in each open state, with the filters.
pub async fn open_counts(conn: &mut PgConnection, f: &Filter) -> sqlx::Result<Vec<(State, i64)>> {
    if f.is_empty() {
        // The pipeline as it opens: one index-only pass over the open letters, planned once.
        let rows = sqlx::query!(
            r#"select state as "state: State", count(*) as "n!"
                 from letters
                where state not in ('resolved', 'escalated', 'cancelled')
                group by state"#
        )
        .fetch_all(conn)
        .await?;
        return Ok(rows.into_iter().map(|r| (r.state, r.n)).collect());
    }
    // Optional filters read best with a plan made for the values at hand.
    crate::db::set_local(&mut *conn, "plan_cache_mode", "force_custom_plan").await?;
    let rows = if f.rm.is_none() && f.branch.is_none() {
        sqlx::query!(
            r#"select state as "state: State", count(*) as "n!"
                 from letters
                where state not in ('resolved', 'escalated', 'cancelled')
                  and ($1::text is null or kind = $1) and ($2::text is null or reason = $2)
                  and (not $3 or (state in ('sent', 'acknowledged') and response_due_on < $4))
                group by state"#,
            f.kind.map(Kind::as_str),
            f.reason.map(Reason::as_str),
            f.overdue,
            f.today
        )
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| (r.state, r.n))
        .collect()
    } else {
        sqlx::query!(
            r#"select l.state as "state: State", count(*) as "n!"
                 from letters l
                 join employers e on e.tenant_id = l.tenant_id and e.id = l.employer_id
                where l.state not in ('resolved', 'escalated', 'cancelled')
                  and ($1::text is null or l.kind = $1) and ($2::text is null or l.reason = $2)
                  and (not $3 or (l.state in ('sent', 'acknowledged') and l.response_due_on < $4))
                  and ($5::uuid is null or e.rm_id = $5) and ($6::uuid is null or e.branch_id = $6)
                group by l.state"#,
            f.kind.map(Kind::as_str),
            f.reason.map(Reason::as_str),
            f.overdue,
            f.today,
            f.rm,
            f.branch
        )
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| (r.state, r.n))
        .collect()
    };
    Ok(rows)
}

/// How many letters reached each final state since `since` (this month), with the filters.
pub async fn closed_counts(
    conn: &mut PgConnection,
    f: &Filter,
    since: DateTime<Utc>,
) -> sqlx::Result<Vec<(State, i64)>> {
    if f.overdue {
        return Ok(Vec::new());
    }
    if !f.is_empty() {
        crate::db::set_local(&mut *conn, "plan_cache_mode", "force_custom_plan").await?;
    }
    let rows = if f.rm.is_none() && f.branch.is_none() {
        sqlx::query!(
            r#"select state as "state: State", count(*) as "n!"
                 from letters
                where closed_at >= $1
                  and ($2::text is null or kind = $2) and ($3::text is null or reason = $3)
                group by state"#,
            since,
            f.kind.map(Kind::as_str),
            f.reason.map(Reason::as_str)
        )
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| (r.state, r.n))
        .collect()
    } else {
        sqlx::query!(
            r#"select l.state as "state: State", count(*) as "n!"
                 from letters l
                 join employers e on e.tenant_id = l.tenant_id and e.id = l.employer_id
                where l.closed_at >= $1
                  and ($2::text is null or l.kind = $2) and ($3::text is null or l.reason = $3)
                  and ($4::uuid is null or e.rm_id = $4) and ($5::uuid is null or e.branch_id = $5)
                group by l.state"#,
            since,
            f.kind.map(Kind::as_str),
            f.reason.map(Reason::as_str),
            f.rm,
            f.branch
        )
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| (r.state, r.n))
        .collect()
    };
    Ok(rows)
}

/// Letters in `state` with the filters: open ones longest waiting first, final ones latest first.
pub async fn in_state(
    conn: &mut PgConnection,
    state: State,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ListRow>> {
    if !f.is_empty() {
        crate::db::set_local(&mut *conn, "plan_cache_mode", "force_custom_plan").await?;
    }
    if state.is_final() {
        sqlx::query_as!(
            ListRow,
            r#"select l.id, l.employer_id, e.name as employer_name, l.kind as "kind: Kind",
                      l.reason as "reason: Reason", l.state as "state: State", l.number, l.drafted_by,
                      d.name as drafter_name, l.state_since, l.response_due_on, l.created_at
                 from letters l
                 join employers e on e.tenant_id = l.tenant_id and e.id = l.employer_id
                 join users d on d.id = l.drafted_by
                where l.state = $1
                  and ($2::text is null or l.kind = $2) and ($3::text is null or l.reason = $3)
                  and ($4::uuid is null or e.rm_id = $4) and ($5::uuid is null or e.branch_id = $5)
                order by l.state_since desc, l.id desc
                limit $6 offset $7"#,
            state.as_str(),
            f.kind.map(Kind::as_str),
            f.reason.map(Reason::as_str),
            f.rm,
            f.branch,
            limit,
            offset
        )
        .fetch_all(conn)
        .await
    } else {
        sqlx::query_as!(
            ListRow,
            r#"select l.id, l.employer_id, e.name as employer_name, l.kind as "kind: Kind",
                      l.reason as "reason: Reason", l.state as "state: State", l.number, l.drafted_by,
                      d.name as drafter_name, l.state_since, l.response_due_on, l.created_at
                 from letters l
                 join employers e on e.tenant_id = l.tenant_id and e.id = l.employer_id
                 join users d on d.id = l.drafted_by
                where l.state = $1
                  and ($2::text is null or l.kind = $2) and ($3::text is null or l.reason = $3)
                  and (not $4 or (l.state in ('sent', 'acknowledged') and l.response_due_on < $5))
                  and ($6::uuid is null or e.rm_id = $6) and ($7::uuid is null or e.branch_id = $7)
                order by l.state_since, l.id
                limit $8 offset $9"#,
            state.as_str(),
            f.kind.map(Kind::as_str),
            f.reason.map(Reason::as_str),
            f.overdue,
            f.today,
            f.rm,
            f.branch,
            limit,
            offset
        )
        .fetch_all(conn)
        .await
    }
}

/// The oldest `per_state` letters of every open state, for the pipeline's columns.
pub async fn oldest_open(
    conn: &mut PgConnection,
    f: &Filter,
    per_state: i64,
) -> sqlx::Result<Vec<ListRow>> {
    if f.is_empty() {
        // Ten index entries per state, planned once.
        return sqlx::query_as!(
            ListRow,
            r#"select l.id as "id!", l.employer_id as "employer_id!", e.name as "employer_name!",
                      l.kind as "kind!: Kind", l.reason as "reason!: Reason", l.state as "state!: State",
                      l.number, l.drafted_by as "drafted_by!", d.name as "drafter_name!",
                      l.state_since as "state_since!", l.response_due_on, l.created_at as "created_at!"
                 from unnest(array['draft', 'submitted', 'returned', 'approved', 'sent', 'acknowledged']) as s(state)
                 cross join lateral (
                     select l.* from letters l where l.state = s.state order by l.state_since, l.id limit $1) l
                 join employers e on e.tenant_id = l.tenant_id and e.id = l.employer_id
                 join users d on d.id = l.drafted_by
                order by s.state, l.state_since, l.id"#,
            per_state
        )
        .fetch_all(conn)
        .await;
    }
    crate::db::set_local(&mut *conn, "plan_cache_mode", "force_custom_plan").await?;
    sqlx::query_as!(
        ListRow,
        r#"select l.id as "id!", l.employer_id as "employer_id!", e.name as "employer_name!",
                  l.kind as "kind!: Kind", l.reason as "reason!: Reason", l.state as "state!: State",
                  l.number, l.drafted_by as "drafted_by!", d.name as "drafter_name!", l.state_since as "state_since!", l.response_due_on,
                  l.created_at as "created_at!"
             from unnest(array['draft', 'submitted', 'returned', 'approved', 'sent', 'acknowledged']) as s(state)
             cross join lateral (
                 select l.* from letters l
                   join employers e on e.tenant_id = l.tenant_id and e.id = l.employer_id
                  where l.state = s.state
                    and ($1::text is null or l.kind = $1) and ($2::text is null or l.reason = $2)
                    and (not $3 or (l.state in ('sent', 'acknowledged') and l.response_due_on < $4))
                    and ($5::uuid is null or e.rm_id = $5) and ($6::uuid is null or e.branch_id = $6)
                  order by l.state_since, l.id
                  limit $7) l
             join employers e on e.tenant_id = l.tenant_id and e.id = l.employer_id
             join users d on d.id = l.drafted_by
            order by s.state, l.state_since, l.id"#,
        f.kind.map(Kind::as_str),
        f.reason.map(Reason::as_str),
        f.overdue,
        f.today,
        f.rm,
        f.branch,
        per_state
    )
    .fetch_all(conn)
    .await
}

/// The approval queue: submitted letters, oldest first.
pub async fn queue(conn: &mut PgConnection, limit: i64, offset: i64) -> sqlx::Result<Vec<ListRow>> {
    sqlx::query_as!(
        ListRow,
        r#"select l.id, l.employer_id, e.name as employer_name, l.kind as "kind: Kind",
                  l.reason as "reason: Reason", l.state as "state: State", l.number, l.drafted_by, d.name as drafter_name,
                  l.state_since, l.response_due_on, l.created_at
             from letters l
             join employers e on e.tenant_id = l.tenant_id and e.id = l.employer_id
             join users d on d.id = l.drafted_by
            where l.state = 'submitted'
            order by l.state_since, l.id
            limit $1 offset $2"#,
        limit,
        offset
    )
    .fetch_all(conn)
    .await
}

/// Open letters that wait on `user`: their own drafts and returned letters, approved letters to send,
/// their sent letters past the response date (to escalate or resolve), and (for approvers) submitted
/// letters they did not draft. Oldest first. Each part reads its own index range.
pub async fn waiting_on(
    conn: &mut PgConnection,
    user: Uuid,
    approver: bool,
    today: NaiveDate,
    limit: i64,
) -> sqlx::Result<Vec<ListRow>> {
    sqlx::query_as!(
        ListRow,
        r#"select l.id, l.employer_id, e.name as employer_name, l.kind as "kind: Kind",
                  l.reason as "reason: Reason", l.state as "state: State", l.number, l.drafted_by,
                  d.name as drafter_name, l.state_since, l.response_due_on, l.created_at
             from ((select o.id from letters o
                     where o.drafted_by = $1 and o.state not in ('resolved', 'escalated', 'cancelled', 'submitted')
                       and (o.state not in ('sent', 'acknowledged') or o.response_due_on < $3)
                     order by o.state_since limit $4)
                   union all
                   (select o.id from letters o
                     where $2 and o.state = 'submitted' and o.drafted_by <> $1
                     order by o.state_since limit $4)) w
             join letters l on l.id = w.id
             join employers e on e.tenant_id = l.tenant_id and e.id = l.employer_id
             join users d on d.id = l.drafted_by
            order by l.state_since, l.id
            limit $4"#,
        user,
        approver,
        today,
        limit
    )
    .fetch_all(conn)
    .await
}

/// Median and 90th percentile of one cycle, in days, over the letters of one kind in one month.
#[derive(Clone, Debug)]
pub struct CycleRow {
    /// `draft_to_sent` or `sent_to_resolved`.
    pub cycle: String,
    pub kind: Kind,
    /// 0: this month, 1: last month.
    pub month: i32,
    pub letters: i64,
    pub median_days: f64,
    pub p90_days: f64,
}

/// Cycle times of the letters sent (draft → sent) and resolved (sent → resolved) since `last_month`,
/// split at `this_month`.
pub async fn cycle_times(
    conn: &mut PgConnection,
    last_month: DateTime<Utc>,
    this_month: DateTime<Utc>,
) -> sqlx::Result<Vec<CycleRow>> {
    sqlx::query_as!(
        CycleRow,
        r#"with spans as (
               select 'draft_to_sent' as cycle, kind, sent_at as at, extract(epoch from sent_at - created_at) as secs
                 from letters where sent_at >= $1
               union all
               select 'sent_to_resolved', kind, closed_at, extract(epoch from closed_at - sent_at)
                 from letters where state = 'resolved' and closed_at >= $1 and sent_at is not null)
           select cycle as "cycle!", kind as "kind!: Kind", (case when at >= $2 then 0 else 1 end)::int as "month!",
                  count(*) as "letters!",
                  (percentile_cont(0.5) within group (order by secs) / 86400)::float8 as "median_days!",
                  (percentile_cont(0.9) within group (order by secs) / 86400)::float8 as "p90_days!"
             from spans
            group by 1, 2, 3
            order by 1, 2, 3"#,
        last_month,
        this_month
    )
    .fetch_all(conn)
    .await
}
