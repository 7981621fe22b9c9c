//! SQL for follow-ups.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::FollowUpFields;

/// A follow-up as lists and its form show it.
#[derive(Clone)]
pub struct FollowUpRow {
    pub id: Uuid,
    pub employer_id: Uuid,
    pub employer_name: String,
    pub employer_rm: Option<Uuid>,
    pub meeting_id: Option<Uuid>,
    pub fields: FollowUpFields,
    pub assignee_name: String,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by_name: Option<String>,
    pub version: i32,
}

/// Builds a row from a query's record; every query selects the same columns.
macro_rules! follow_up_row {
    ($r:expr) => {{
        let r = $r;
        FollowUpRow {
            id: r.id,
            employer_id: r.employer_id,
            employer_name: r.employer_name,
            employer_rm: r.employer_rm,
            meeting_id: r.meeting_id,
            fields: FollowUpFields {
                title: r.title,
                assignee_id: r.assignee_id,
                due_on: r.due_on,
                notes: r.notes,
            },
            assignee_name: r.assignee_name,
            done_at: r.done_at,
            done_by_name: r.done_by_name,
            version: r.version,
        }
    }};
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<FollowUpRow>> {
    sqlx::query!(
        r#"select f.id, f.employer_id, e.name as employer_name, e.rm_id as employer_rm, f.meeting_id,
                  f.title, f.assignee_id, a.name as assignee_name, f.due_on, f.notes, f.done_at,
                  d.name as "done_by_name?", f.version
             from follow_ups f
             join employers e on e.tenant_id = f.tenant_id and e.id = f.employer_id
             join users a on a.id = f.assignee_id
             left join users d on d.id = f.done_by
            where f.id = $1 and f.archived_at is null"#,
        id
    )
    .fetch_optional(conn)
    .await
    .map(|r| r.map(|r| follow_up_row!(r)))
}

/// An employer's follow-ups: every open one (soonest due first), then the latest done ones. One scan
/// of the employer's follow-ups, numbering the done ones newest first, so that each person is looked up
/// once.
pub async fn for_employer(
    conn: &mut PgConnection,
    employer: Uuid,
    done_limit: i64,
) -> sqlx::Result<Vec<FollowUpRow>> {
    sqlx::query!(
        r#"select f.id as "id!", f.employer_id as "employer_id!", e.name as "employer_name!",
                  e.rm_id as employer_rm, f.meeting_id, f.title as "title!", f.assignee_id as "assignee_id!",
                  a.name as "assignee_name!", f.due_on as "due_on!", f.notes as "notes!", f.done_at,
                  d.name as "done_by_name?", f.version as "version!"
             from (select f.*, row_number() over (partition by f.done_at is null
                                                  order by f.done_at desc, f.id) as nth
                     from follow_ups f
                    where f.employer_id = $1 and f.archived_at is null) f
             join employers e on e.tenant_id = f.tenant_id and e.id = f.employer_id
             join users a on a.id = f.assignee_id
             left join users d on d.id = f.done_by
            where f.done_at is null or f.nth <= $2
            order by f.done_at is not null, case when f.done_at is null then f.due_on end,
                     f.done_at desc, f.id"#,
        employer,
        done_limit
    )
    .fetch_all(conn)
    .await
    .map(|rows| rows.into_iter().map(|r| follow_up_row!(r)).collect())
}

/// The follow-ups that came from these meetings (the brief shows whether promises were kept).
pub async fn for_meetings(
    conn: &mut PgConnection,
    meetings: &[Uuid],
) -> sqlx::Result<Vec<FollowUpRow>> {
    sqlx::query!(
        r#"select f.id, f.employer_id, e.name as employer_name, e.rm_id as employer_rm, f.meeting_id,
                  f.title, f.assignee_id, a.name as assignee_name, f.due_on, f.notes, f.done_at,
                  d.name as "done_by_name?", f.version
             from follow_ups f
             join employers e on e.tenant_id = f.tenant_id and e.id = f.employer_id
             join users a on a.id = f.assignee_id
             left join users d on d.id = f.done_by
            where f.meeting_id = any($1) and f.archived_at is null
            order by f.due_on, f.id"#,
        meetings
    )
    .fetch_all(conn)
    .await
    .map(|rows| rows.into_iter().map(|r| follow_up_row!(r)).collect())
}

/// The follow-up list's filter: whose, and which due window (see `domain::window_bounds`).
pub struct ListFilter {
    pub assignee: Option<Uuid>,
    pub due_until: Option<NaiveDate>,
    pub done: bool,
}

/// A page of the follow-up list. Open ones soonest due first; done ones latest done first.
pub async fn list(
    conn: &mut PgConnection,
    f: &ListFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<FollowUpRow>> {
    // The optional filters read best with a plan made for the values at hand, not a generic one.
    crate::db::set_local(&mut *conn, "plan_cache_mode", "force_custom_plan").await?;
    if f.done {
        sqlx::query!(
            r#"select f.id, f.employer_id, e.name as employer_name, e.rm_id as employer_rm, f.meeting_id,
                      f.title, f.assignee_id, a.name as assignee_name, f.due_on, f.notes, f.done_at,
                      d.name as "done_by_name?", f.version
                 from follow_ups f
                 join employers e on e.tenant_id = f.tenant_id and e.id = f.employer_id
                 join users a on a.id = f.assignee_id
                 left join users d on d.id = f.done_by
                where f.archived_at is null and f.done_at is not null
                  and ($1::uuid is null or f.assignee_id = $1)
                order by f.done_at desc, f.id
                limit $2 offset $3"#,
            f.assignee,
            limit,
            offset
        )
        .fetch_all(conn)
        .await
        .map(|rows| rows.into_iter().map(|r| follow_up_row!(r)).collect())
    } else {
        sqlx::query!(
            r#"select f.id, f.employer_id, e.name as employer_name, e.rm_id as employer_rm, f.meeting_id,
                      f.title, f.assignee_id, a.name as assignee_name, f.due_on, f.notes, f.done_at,
                      d.name as "done_by_name?", f.version
                 from follow_ups f
                 join employers e on e.tenant_id = f.tenant_id and e.id = f.employer_id
                 join users a on a.id = f.assignee_id
                 left join users d on d.id = f.done_by
                where f.archived_at is null and f.done_at is null
                  and ($1::uuid is null or f.assignee_id = $1)
                  and ($2::date is null or f.due_on <= $2)
                order by f.due_on, f.id
                limit $3 offset $4"#,
            f.assignee,
            f.due_until,
            limit,
            offset
        )
        .fetch_all(conn)
        .await
        .map(|rows| rows.into_iter().map(|r| follow_up_row!(r)).collect())
    }
}

/// The assignee's open follow-ups due by `until` (overdue ones included), soonest first: "My month".
pub async fn due_for(
    conn: &mut PgConnection,
    assignee: Uuid,
    until: NaiveDate,
    limit: i64,
) -> sqlx::Result<Vec<FollowUpRow>> {
    sqlx::query!(
        r#"select f.id, f.employer_id, e.name as employer_name, e.rm_id as employer_rm, f.meeting_id,
                  f.title, f.assignee_id, a.name as assignee_name, f.due_on, f.notes, f.done_at,
                  null::text as "done_by_name?", f.version
             from follow_ups f
             join employers e on e.tenant_id = f.tenant_id and e.id = f.employer_id
             join users a on a.id = f.assignee_id
            where f.assignee_id = $1 and f.done_at is null and f.archived_at is null and f.due_on <= $2
            order by f.due_on, f.id
            limit $3"#,
        assignee,
        until,
        limit
    )
    .fetch_all(conn)
    .await
    .map(|rows| rows.into_iter().map(|r| follow_up_row!(r)).collect())
}

pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    employer: Uuid,
    meeting: Option<Uuid>,
    f: &FollowUpFields,
    created_by: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into follow_ups (tenant_id, id, employer_id, meeting_id, title, assignee_id, due_on, notes,
                created_by, created_at, updated_at)
         values (app_tenant_id(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        id,
        employer,
        meeting,
        f.title,
        f.assignee_id,
        f.due_on,
        f.notes,
        created_by,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Saves an edit made on `version`; false when someone else saved first.
pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    f: &FollowUpFields,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update follow_ups set title = $2, assignee_id = $3, due_on = $4, notes = $5, updated_at = $6,
                version = version + 1
          where id = $1 and version = $7 and archived_at is null",
        id,
        f.title,
        f.assignee_id,
        f.due_on,
        f.notes,
        now,
        version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks done (with who and when) or open again; false when it changed since `version`.
pub async fn set_done(
    conn: &mut PgConnection,
    id: Uuid,
    by: Option<Uuid>,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update follow_ups
            set done_at = case when $2::uuid is null then null else $3::timestamptz end, done_by = $2,
                updated_at = $3, version = version + 1
          where id = $1 and version = $4 and archived_at is null and (done_at is null) = ($2::uuid is not null)",
        id,
        by,
        now,
        version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many open follow-ups are assigned to `user`.
pub async fn open_assigned_count(conn: &mut PgConnection, user: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from follow_ups
            where assignee_id = $1 and done_at is null and archived_at is null"#,
        user
    )
    .fetch_one(conn)
    .await
}

/// A follow-up given to someone else, and its employer.
pub struct Moved {
    pub id: Uuid,
    pub employer_id: Uuid,
}

/// Gives every open follow-up of `from` to `to` in one statement; returns the moved ones.
pub async fn move_open(
    conn: &mut PgConnection,
    from: Uuid,
    to: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Moved>> {
    sqlx::query_as!(
        Moved,
        "update follow_ups set assignee_id = $2, updated_at = $3, version = version + 1
          where assignee_id = $1 and done_at is null and archived_at is null
         returning id, employer_id",
        from,
        to,
        now
    )
    .fetch_all(conn)
    .await
}
