//! SQL for meetings, their attendees and the cadence marks they keep on the employer.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

/// An attendee from the employer, with the level they had at the meeting.
#[derive(serde::Deserialize)]
pub struct Attendee {
    pub id: Uuid,
    pub name: String,
    pub title: String,
    pub level: String,
}

/// An attendee from the agency.
#[derive(serde::Deserialize)]
pub struct StaffMember {
    pub id: Uuid,
    pub name: String,
}

/// A meeting as its page, the timeline and the brief show it, with its attendees: read in the same
/// query, so a page of meetings is one round trip.
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
    pub attendees: Json<Vec<Attendee>>,
    pub staff: Json<Vec<StaffMember>>,
    pub archived_at: Option<DateTime<Utc>>,
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
                  u.name as logged_by_name,
                  (select coalesce(json_agg(json_build_object('id', k.id, 'name', k.full_name,
                                   'title', k.position_title, 'level', a.level)
                                   order by array_position(array['bod', 'bod_minus_one', 'manager', 'staff'], a.level),
                                            k.full_name), '[]')
                     from meeting_attendees a
                     join key_persons k on k.tenant_id = a.tenant_id and k.id = a.key_person_id
                    where a.tenant_id = m.tenant_id and a.meeting_id = m.id) as "attendees!: Json<Vec<Attendee>>",
                  (select coalesce(json_agg(json_build_object('id', s.user_id, 'name', su.name) order by su.name), '[]')
                     from meeting_staff s join users su on su.id = s.user_id
                    where s.tenant_id = m.tenant_id and s.meeting_id = m.id) as "staff!: Json<Vec<StaffMember>>",
                  m.archived_at, m.version
             from meetings m
             join employers e on e.tenant_id = m.tenant_id and e.id = m.employer_id
             join users u on u.id = m.logged_by
            where m.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Which of an employer's meetings to read. Lists show the meetings with their employer attendees;
/// who logged them and who attended from the agency are on each meeting's own page, so these rows
/// leave them empty and spare two lookups through the `users` policy per meeting.
pub enum Pick {
    /// The timeline: every unarchived meeting, newest first, a page at a time.
    Timeline { limit: i64, offset: i64 },
    /// The latest held meetings, newest first (the brief's commitments).
    LastHeld(i64),
    /// The planned meetings, soonest first (including ones whose time has passed and that wait to be
    /// completed or cancelled).
    Planned(i64),
}

pub async fn for_employer(
    conn: &mut PgConnection,
    employer: Uuid,
    pick: Pick,
) -> sqlx::Result<Vec<MeetingRow>> {
    let (status, soonest_first, limit, offset) = match pick {
        Pick::Timeline { limit, offset } => (None, false, limit, offset),
        Pick::LastHeld(limit) => (Some("held"), false, limit, 0),
        Pick::Planned(limit) => (Some("planned"), true, limit, 0),
    };
    sqlx::query_as!(
        MeetingRow,
        r#"select m.id, m.employer_id, e.name as employer_name, e.rm_id as employer_rm, m.status,
                  m.starts_at, m.duration_minutes, m.kind, m.channel, m.location, m.topics, m.summary,
                  m.outcomes, m.commitments, m.sentiment, m.cancel_reason, m.decision_level, m.logged_by,
                  '' as "logged_by_name!",
                  (select coalesce(json_agg(json_build_object('id', k.id, 'name', k.full_name,
                                   'title', k.position_title, 'level', a.level)
                                   order by array_position(array['bod', 'bod_minus_one', 'manager', 'staff'], a.level),
                                            k.full_name), '[]')
                     from meeting_attendees a
                     join key_persons k on k.tenant_id = a.tenant_id and k.id = a.key_person_id
                    where a.tenant_id = m.tenant_id and a.meeting_id = m.id) as "attendees!: Json<Vec<Attendee>>",
                  '[]'::json as "staff!: Json<Vec<StaffMember>>",
                  m.archived_at, m.version
             from meetings m
             join employers e on e.tenant_id = m.tenant_id and e.id = m.employer_id
            where m.employer_id = $1 and m.archived_at is null and ($2::text is null or m.status = $2)
            order by case when $3 then m.starts_at end, m.starts_at desc, m.id
            limit $4 offset $5"#,
        employer,
        status,
        soonest_first,
        limit,
        offset
    )
    .fetch_all(conn)
    .await
}

/// A key person a meeting may list: the employer's own, not archived and not erased.
#[derive(Debug, serde::Deserialize)]
pub struct Candidate {
    pub id: Uuid,
    pub level: String,
    pub full_name: String,
}

/// Which of `people` may attend a meeting of `employer`, with their current level: the employer's own
/// people who are not archived or erased, and anyone in `already` (the meeting's attendees so far, who
/// stay valid after they leave or are archived). Anyone missing from the answer belongs to another
/// employer or tenant.
pub async fn attendable(
    conn: &mut PgConnection,
    employer: Uuid,
    people: &[Uuid],
    already: &[Uuid],
) -> sqlx::Result<Vec<Candidate>> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as!(
        Candidate,
        "select id, level, full_name from key_persons
          where employer_id = $1 and id = any($2)
            and ((archived_at is null and erased_at is null) or id = any($3))",
        employer,
        people,
        already
    )
    .fetch_all(conn)
    .await
}

/// A member of the tenant, by name.
pub struct Member {
    pub user_id: Uuid,
    pub name: String,
}

/// Which of `users` are enabled members of the tenant, with their names.
pub async fn enabled_members(conn: &mut PgConnection, users: &[Uuid]) -> sqlx::Result<Vec<Member>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as!(
        Member,
        "select m.user_id, u.name from memberships m join users u on u.id = m.user_id
          where m.tenant_id = app_tenant_id() and m.user_id = any($1) and m.disabled_at is null",
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

/// `lock_employer` and `attendable` (for a new meeting) in one round trip: the employer's RM and which
/// of `people` may attend, or `None` when the employer is not in the tenant.
pub async fn lock_employer_with_people(
    conn: &mut PgConnection,
    employer: Uuid,
    people: &[Uuid],
) -> sqlx::Result<Option<(Option<Uuid>, Vec<Candidate>)>> {
    let row = sqlx::query!(
        r#"select e.rm_id,
                  (select coalesce(json_agg(json_build_object('id', k.id, 'level', k.level, 'full_name', k.full_name)), '[]')
                     from key_persons k
                    where k.tenant_id = e.tenant_id and k.employer_id = e.id and k.id = any($2)
                      and k.archived_at is null and k.erased_at is null) as "people!: Json<Vec<Candidate>>"
             from employers e
            where e.id = $1 and e.archived_at is null
              for no key update of e"#,
        employer,
        people
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.rm_id, r.people.0)))
}

/// Saves a new meeting with its attendees from the employer and the agency, in one statement.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    employer: Uuid,
    f: &MeetingFields,
    attendees: &[Candidate],
    decision_level: bool,
    logged_by: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let people: Vec<Uuid> = attendees.iter().map(|p| p.id).collect();
    let levels: Vec<String> = attendees.iter().map(|p| p.level.clone()).collect();
    sqlx::query!(
        "with meeting as (
           insert into meetings (tenant_id, id, employer_id, status, starts_at, duration_minutes, kind, channel,
                  location, topics, summary, outcomes, commitments, sentiment, decision_level, logged_by,
                  created_at, updated_at)
           values (app_tenant_id(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)),
         people as (
           insert into meeting_attendees (tenant_id, meeting_id, employer_id, key_person_id, level)
           select app_tenant_id(), $1, $2, p, l from unnest($17::uuid[], $18::text[]) as x(p, l))
         insert into meeting_staff (tenant_id, meeting_id, user_id)
         select app_tenant_id(), $1, u from unnest($19::uuid[]) as u",
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
        now,
        &people,
        &levels,
        &f.staff
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

/// Adds attendees from the employer, each with their level as the caller decided it.
pub async fn add_attendees(
    conn: &mut PgConnection,
    meeting: Uuid,
    employer: Uuid,
    people: &[Candidate],
) -> sqlx::Result<()> {
    if people.is_empty() {
        return Ok(());
    }
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

pub async fn add_staff(conn: &mut PgConnection, meeting: Uuid, users: &[Uuid]) -> sqlx::Result<()> {
    if users.is_empty() {
        return Ok(());
    }
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

/// Removes every attendee, from the employer and from the agency, before an edit adds them again.
pub async fn remove_attendees(conn: &mut PgConnection, meeting: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "with people as (delete from meeting_attendees where meeting_id = $1)
         delete from meeting_staff where meeting_id = $1",
        meeting
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
    // The update is skipped when nothing changes (another meeting in a month already met, say): it
    // touches indexed columns, so every real update writes all of the employer's index entries.
    let row = sqlx::query!(
        r#"with fresh as (
             select (select max(starts_at) from meetings
                      where employer_id = $1 and status = 'held' and decision_level and archived_at is null) as last_bod1,
                    (select min(starts_at) from meetings
                      where employer_id = $1 and status = 'planned' and archived_at is null) as next_planned,
                    (select max((starts_at at time zone $2)::date) from meetings
                      where employer_id = $1 and status = 'held' and archived_at is null
                        and 'regulation_education' = any(topics)) as briefing),
           current as (
             select last_bod1_meeting_at, next_planned_meeting_at, regulation_briefing_on
               from employers where id = $1),
           changed as (
             update employers e
                set last_bod1_meeting_at = f.last_bod1, next_planned_meeting_at = f.next_planned,
                    regulation_briefing_on = coalesce(f.briefing, e.regulation_briefing_on)
               from fresh f
              where e.id = $1
                and (e.last_bod1_meeting_at, e.next_planned_meeting_at, e.regulation_briefing_on)
                    is distinct from (f.last_bod1, f.next_planned, coalesce(f.briefing, e.regulation_briefing_on))
          returning e.regulation_briefing_on)
           select c.regulation_briefing_on as briefing_before,
                  coalesce((select regulation_briefing_on from changed), c.regulation_briefing_on) as briefing_after
             from current c"#,
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
