//! SQL for meetings, their attendees and the cadence marks they keep on the employer.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// A meeting as its page, the timeline and the brief show it.
pub struct MeetingRow {
    pub id: Uuid,
    pub employer_id: Uuid,
    pub employer_name: String,
    pub employer_rm: Option<Uuid>,
    pub status: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i16,
    pub kind: String,
    pub channel: String,
    pub location: String,
    pub topics: Vec<String>,
    pub summary: String,
    pub outcomes: String,
    pub commitments: String,
    pub sentiment: Option<String>,
    pub cancel_reason: String,
    pub decision_level: bool,
    pub logged_by: Uuid,
    pub logged_by_name: String,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// What a form saves. The attendee lists are already checked against the employer and the tenant.
pub struct MeetingFields {
    pub status: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i16,
    pub kind: String,
    pub channel: String,
    pub location: String,
    pub topics: Vec<String>,
    pub summary: String,
    pub outcomes: String,
    pub commitments: String,
    pub sentiment: Option<String>,
    pub attendees: Vec<Uuid>,
    pub staff: Vec<Uuid>,
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<MeetingRow>> {
    sqlx::query_as!(
        MeetingRow,
        r#"select m.id, m.employer_id, e.name as employer_name, e.rm_id as employer_rm, m.status,
                  m.starts_at, m.duration_minutes, m.kind, m.channel, m.location, m.topics, m.summary,
                  m.outcomes, m.commitments, m.sentiment, m.cancel_reason, m.decision_level, m.logged_by,
                  u.name as logged_by_name, m.archived_at, m.created_at, m.updated_at, m.version
             from meetings m
             join employers e on e.tenant_id = m.tenant_id and e.id = m.employer_id
             join users u on u.id = m.logged_by
            where m.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// An employer's meetings, newest first, a page at a time; archived ones only when asked for.
pub async fn timeline(
    conn: &mut PgConnection,
    employer: Uuid,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<MeetingRow>> {
    sqlx::query_as!(
        MeetingRow,
        r#"select m.id, m.employer_id, e.name as employer_name, e.rm_id as employer_rm, m.status,
                  m.starts_at, m.duration_minutes, m.kind, m.channel, m.location, m.topics, m.summary,
                  m.outcomes, m.commitments, m.sentiment, m.cancel_reason, m.decision_level, m.logged_by,
                  u.name as logged_by_name, m.archived_at, m.created_at, m.updated_at, m.version
             from meetings m
             join employers e on e.tenant_id = m.tenant_id and e.id = m.employer_id
             join users u on u.id = m.logged_by
            where m.employer_id = $1 and m.archived_at is null
            order by m.starts_at desc, m.id
            limit $2 offset $3"#,
        employer,
        limit,
        offset
    )
    .fetch_all(conn)
    .await
}

/// How many unarchived meetings an employer has, for the timeline's pages.
pub async fn count_for_employer(conn: &mut PgConnection, employer: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from meetings where employer_id = $1 and archived_at is null"#,
        employer
    )
    .fetch_one(conn)
    .await
}

/// The last `limit` held meetings of an employer, newest first (the brief's commitments).
pub async fn last_held(
    conn: &mut PgConnection,
    employer: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<MeetingRow>> {
    sqlx::query_as!(
        MeetingRow,
        r#"select m.id, m.employer_id, e.name as employer_name, e.rm_id as employer_rm, m.status,
                  m.starts_at, m.duration_minutes, m.kind, m.channel, m.location, m.topics, m.summary,
                  m.outcomes, m.commitments, m.sentiment, m.cancel_reason, m.decision_level, m.logged_by,
                  u.name as logged_by_name, m.archived_at, m.created_at, m.updated_at, m.version
             from meetings m
             join employers e on e.tenant_id = m.tenant_id and e.id = m.employer_id
             join users u on u.id = m.logged_by
            where m.employer_id = $1 and m.archived_at is null and m.status = 'held'
            order by m.starts_at desc, m.id
            limit $2"#,
        employer,
        limit
    )
    .fetch_all(conn)
    .await
}

/// The employer's next planned meetings, soonest first (including ones whose time has passed and
/// that still wait to be completed or cancelled).
pub async fn planned_for_employer(
    conn: &mut PgConnection,
    employer: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<MeetingRow>> {
    sqlx::query_as!(
        MeetingRow,
        r#"select m.id, m.employer_id, e.name as employer_name, e.rm_id as employer_rm, m.status,
                  m.starts_at, m.duration_minutes, m.kind, m.channel, m.location, m.topics, m.summary,
                  m.outcomes, m.commitments, m.sentiment, m.cancel_reason, m.decision_level, m.logged_by,
                  u.name as logged_by_name, m.archived_at, m.created_at, m.updated_at, m.version
             from meetings m
             join employers e on e.tenant_id = m.tenant_id and e.id = m.employer_id
             join users u on u.id = m.logged_by
            where m.employer_id = $1 and m.status = 'planned' and m.archived_at is null
            order by m.starts_at, m.id
            limit $2"#,
        employer,
        limit
    )
    .fetch_all(conn)
    .await
}

pub struct AttendeeRow {
    pub meeting_id: Uuid,
    pub key_person_id: Uuid,
    pub full_name: String,
    pub position_title: String,
    /// The level at the time of the meeting.
    pub level: String,
}

pub async fn attendees_of(
    conn: &mut PgConnection,
    meetings: &[Uuid],
) -> sqlx::Result<Vec<AttendeeRow>> {
    sqlx::query_as!(
        AttendeeRow,
        r#"select a.meeting_id, a.key_person_id, k.full_name, k.position_title, a.level
             from meeting_attendees a
             join key_persons k on k.tenant_id = a.tenant_id and k.id = a.key_person_id
            where a.meeting_id = any($1)
            order by array_position(array['bod', 'bod_minus_one', 'manager', 'staff'], a.level), k.full_name"#,
        meetings
    )
    .fetch_all(conn)
    .await
}

pub struct StaffRow {
    pub meeting_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
}

pub async fn staff_of(conn: &mut PgConnection, meetings: &[Uuid]) -> sqlx::Result<Vec<StaffRow>> {
    sqlx::query_as!(
        StaffRow,
        r#"select s.meeting_id, s.user_id, u.name
             from meeting_staff s join users u on u.id = s.user_id
            where s.meeting_id = any($1)
            order by u.name"#,
        meetings
    )
    .fetch_all(conn)
    .await
}

/// A key person a meeting may list: the employer's own, not archived and not erased.
pub struct Candidate {
    pub id: Uuid,
    pub level: String,
}

/// Which of `people` may attend a meeting of `employer`, with their current level. Anyone missing from
/// the answer belongs to another employer or tenant, or is archived.
pub async fn attendable(
    conn: &mut PgConnection,
    employer: Uuid,
    people: &[Uuid],
) -> sqlx::Result<Vec<Candidate>> {
    sqlx::query_as!(
        Candidate,
        "select id, level from key_persons
          where employer_id = $1 and id = any($2) and archived_at is null and erased_at is null",
        employer,
        people
    )
    .fetch_all(conn)
    .await
}

/// Which of `users` are enabled members of the tenant.
pub async fn enabled_members(conn: &mut PgConnection, users: &[Uuid]) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "select user_id from memberships
          where tenant_id = app_tenant_id() and user_id = any($1) and disabled_at is null",
        users
    )
    .fetch_all(conn)
    .await
}

/// Locks the employer's row for the rest of the transaction and returns its RM, or `None` when the
/// employer is not in the tenant. Two meetings saved at once for one employer then recompute its
/// cadence marks one after the other, each seeing the other's meeting.
pub async fn lock_employer(
    conn: &mut PgConnection,
    employer: Uuid,
) -> sqlx::Result<Option<Option<Uuid>>> {
    sqlx::query_scalar!(
        "select rm_id from employers where id = $1 and archived_at is null for no key update",
        employer
    )
    .fetch_optional(conn)
    .await
}

pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    employer: Uuid,
    f: &MeetingFields,
    decision_level: bool,
    logged_by: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into meetings (tenant_id, id, employer_id, status, starts_at, duration_minutes, kind, channel,
                location, topics, summary, outcomes, commitments, sentiment, decision_level, logged_by,
                created_at, updated_at)
         values (app_tenant_id(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)",
        id,
        employer,
        f.status,
        f.starts_at,
        f.duration_minutes,
        f.kind,
        f.channel,
        f.location,
        &f.topics,
        f.summary,
        f.outcomes,
        f.commitments,
        f.sentiment,
        decision_level,
        logged_by,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Saves an edit made on `version`; false when someone else saved first.
pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    f: &MeetingFields,
    decision_level: bool,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update meetings
            set status = $2, starts_at = $3, duration_minutes = $4, kind = $5, channel = $6, location = $7,
                topics = $8, summary = $9, outcomes = $10, commitments = $11, sentiment = $12,
                decision_level = $13, updated_at = $14, version = version + 1
          where id = $1 and version = $15 and archived_at is null",
        id,
        f.status,
        f.starts_at,
        f.duration_minutes,
        f.kind,
        f.channel,
        f.location,
        &f.topics,
        f.summary,
        f.outcomes,
        f.commitments,
        f.sentiment,
        decision_level,
        now,
        version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the meeting's attendees from the employer, each with their level now.
pub async fn replace_attendees(
    conn: &mut PgConnection,
    meeting: Uuid,
    employer: Uuid,
    people: &[Candidate],
) -> sqlx::Result<()> {
    sqlx::query!(
        "delete from meeting_attendees where meeting_id = $1",
        meeting
    )
    .execute(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let levels: Vec<String> = people.iter().map(|p| p.level.clone()).collect();
    sqlx::query!(
        "insert into meeting_attendees (tenant_id, meeting_id, employer_id, key_person_id, level)
         select app_tenant_id(), $1, $2, p, l from unnest($3::uuid[], $4::text[]) as x(p, l)",
        meeting,
        employer,
        &ids,
        &levels
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn replace_staff(
    conn: &mut PgConnection,
    meeting: Uuid,
    users: &[Uuid],
) -> sqlx::Result<()> {
    sqlx::query!("delete from meeting_staff where meeting_id = $1", meeting)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "insert into meeting_staff (tenant_id, meeting_id, user_id)
         select app_tenant_id(), $1, u from unnest($2::uuid[]) as u",
        meeting,
        users
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Cancels a planned meeting seen at `version`; false when it changed or is no longer planned.
pub async fn cancel(
    conn: &mut PgConnection,
    id: Uuid,
    reason: &str,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update meetings set status = 'cancelled', cancel_reason = $2, updated_at = $3, version = version + 1
          where id = $1 and version = $4 and status = 'planned' and archived_at is null",
        id,
        reason,
        now,
        version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Archives or restores a meeting seen at `version`; false when it changed meanwhile.
pub async fn set_archived(
    conn: &mut PgConnection,
    id: Uuid,
    archived: bool,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update meetings
            set archived_at = case when $2 then $3::timestamptz end, updated_at = $3, version = version + 1
          where id = $1 and version = $4 and (archived_at is null) = $2",
        id,
        archived,
        now,
        version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The regulation-briefing date before and after a cadence refresh, for the employer's history.
pub struct Cadence {
    pub briefing_before: Option<NaiveDate>,
    pub briefing_after: Option<NaiveDate>,
}

/// Recomputes what the employer's meetings decide about it: the start of its latest held BOD-1
/// meeting, its next planned meeting, and the day of its latest held regulation-education meeting in
/// the tenant's zone `tz` (kept as it was when no such meeting remains, so a date recorded before
/// meetings were logged is not lost). Call it with the employer locked (`lock_employer`).
pub async fn refresh_cadence(
    conn: &mut PgConnection,
    employer: Uuid,
    tz: &str,
) -> sqlx::Result<Cadence> {
    let row = sqlx::query!(
        r#"with before as (select regulation_briefing_on from employers where id = $1)
           update employers e
              set last_bod1_meeting_at = (
                      select max(starts_at) from meetings
                       where employer_id = $1 and status = 'held' and decision_level and archived_at is null),
                  next_planned_meeting_at = (
                      select min(starts_at) from meetings
                       where employer_id = $1 and status = 'planned' and archived_at is null),
                  regulation_briefing_on = coalesce((
                      select max((starts_at at time zone $2)::date) from meetings
                       where employer_id = $1 and status = 'held' and archived_at is null
                         and 'regulation_education' = any(topics)), e.regulation_briefing_on)
             from before
            where e.id = $1
        returning before.regulation_briefing_on as briefing_before, e.regulation_briefing_on as briefing_after"#,
        employer,
        tz
    )
    .fetch_one(conn)
    .await?;
    Ok(Cadence {
        briefing_before: row.briefing_before,
        briefing_after: row.briefing_after,
    })
}
