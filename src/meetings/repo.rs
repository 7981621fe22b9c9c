//! SQL for meetings and their attendees. The cadence marks meetings keep on their employer are the
//! employer's (`employers::service::refresh_cadence`).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::domain::{Channel, Kind, MeetingFields, Sentiment, Status, Topic};
use crate::key_persons::domain::Level;
use crate::key_persons::repo::KeyPersonRow;
use crate::text_enum::codes;

/// An attendee from the employer, with the level they had at the meeting.
#[derive(Debug, serde::Deserialize)]
pub struct Attendee {
    pub id: Uuid,
    pub name: String,
    pub title: String,
    pub level: Level,
}

/// An attendee from the agency.
#[derive(Debug, serde::Deserialize)]
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
    /// What the form sets; its attendee lists hold the ids of `attendees` and `staff`.
    pub fields: MeetingFields,
    pub attendees: Vec<Attendee>,
    pub staff: Vec<StaffMember>,
    pub cancel_reason: String,
    pub decision_level: bool,
    pub logged_by: Uuid,
    pub logged_by_name: String,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i32,
}

/// Builds a row from a query's record (the queries select the same columns), with the attendees and
/// staff it read as JSON or, in the second form, given.
macro_rules! meeting_row {
    ($r:expr) => {{
        let r = $r;
        let attendees: Vec<Attendee> = r.attendees.0;
        let staff: Vec<StaffMember> = r.staff.0;
        meeting_row!(r, attendees, staff)
    }};
    ($r:ident, $attendees:ident, $staff:ident) => {{
        MeetingRow {
            id: $r.id,
            employer_id: $r.employer_id,
            employer_name: $r.employer_name,
            employer_rm: $r.employer_rm,
            fields: MeetingFields {
                status: $r.status,
                starts_at: $r.starts_at,
                duration_minutes: $r.duration_minutes,
                kind: $r.kind,
                channel: $r.channel,
                location: $r.location,
                topics: $r.topics,
                summary: $r.summary,
                outcomes: $r.outcomes,
                commitments: $r.commitments,
                sentiment: $r.sentiment,
                attendees: $attendees.iter().map(|a| a.id).collect(),
                staff: $staff.iter().map(|s| s.id).collect(),
            },
            attendees: $attendees,
            staff: $staff,
            cancel_reason: $r.cancel_reason,
            decision_level: $r.decision_level,
            logged_by: $r.logged_by,
            logged_by_name: $r.logged_by_name,
            archived_at: $r.archived_at,
            version: $r.version,
        }
    }};
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<MeetingRow>> {
    let row = sqlx::query!(
        r#"select m.id, m.employer_id, e.name as employer_name, e.rm_id as employer_rm,
                  m.status as "status: Status", m.starts_at, m.duration_minutes, m.kind as "kind: Kind",
                  m.channel as "channel: Channel", m.location, m.topics as "topics: Vec<Topic>", m.summary,
                  m.outcomes, m.commitments, m.sentiment as "sentiment: Sentiment", m.cancel_reason,
                  m.decision_level, m.logged_by,
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
    .await?;
    Ok(row.map(|r| meeting_row!(r)))
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

/// An employer's meetings as `pick` chooses them, their attendees named from `people`, the
/// employer's key persons as the page read them (`key_persons::repo::for_employer`). Attendees are
/// always the employer's own (`attendable`), so the query reads only who attended at what level: a
/// `key_persons` lookup and a JSON object per attendee cost a page of the timeline more than the
/// meetings themselves (measured at the large data set: 0.25 ms of PostgreSQL CPU against 0.13 ms).
/// An attendee missing from `people` is listed without a name.
pub async fn for_employer(
    conn: &mut PgConnection,
    employer: Uuid,
    pick: Pick,
    people: &[KeyPersonRow],
) -> sqlx::Result<Vec<MeetingRow>> {
    let (status, soonest_first, limit, offset) = match pick {
        Pick::Timeline { limit, offset } => (None, false, limit, offset),
        Pick::LastHeld(limit) => (Some(Status::Held), false, limit, 0),
        Pick::Planned(limit) => (Some(Status::Planned), true, limit, 0),
    };
    let status = status.map(Status::as_str);
    let rows = sqlx::query!(
        r#"select m.id as "id!", m.employer_id as "employer_id!", m.employer_name as "employer_name!",
                  m.employer_rm, m.status as "status!: Status", m.starts_at as "starts_at!",
                  m.duration_minutes as "duration_minutes!", m.kind as "kind!: Kind",
                  m.channel as "channel!: Channel", m.location as "location!",
                  m.topics as "topics!: Vec<Topic>", m.summary as "summary!", m.outcomes as "outcomes!",
                  m.commitments as "commitments!", m.sentiment as "sentiment: Sentiment",
                  m.cancel_reason as "cancel_reason!", m.decision_level as "decision_level!",
                  m.logged_by as "logged_by!", '' as "logged_by_name!",
                  coalesce(a.ids, '{}') as "attendee_ids!: Vec<Uuid>",
                  coalesce(a.levels, '{}') as "attendee_levels!: Vec<Level>",
                  m.archived_at, m.version as "version!"
             from (select m.*, e.name as employer_name, e.rm_id as employer_rm
                     from meetings m
                     join employers e on e.tenant_id = m.tenant_id and e.id = m.employer_id
                    where m.employer_id = $1 and m.archived_at is null and ($2::text is null or m.status = $2)
                    order by case when $3 then m.starts_at end, m.starts_at desc, m.id
                    limit $4 offset $5) m
             -- After the page is cut, so an employer with years of meetings reads the attendees of ten.
             left join lateral (
                 select array_agg(a.key_person_id) as ids, array_agg(a.level) as levels
                   from meeting_attendees a
                  where a.tenant_id = m.tenant_id and a.meeting_id = m.id) a on true
            order by case when $3 then m.starts_at end, m.starts_at desc, m.id"#,
        employer,
        status,
        soonest_first,
        limit,
        offset
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut attendees: Vec<Attendee> = r
                .attendee_ids
                .iter()
                .zip(&r.attendee_levels)
                .map(|(&id, &level)| {
                    let person = people.iter().find(|p| p.id == id);
                    Attendee {
                        id,
                        name: person
                            .map(|p| p.fields.full_name.clone())
                            .unwrap_or_default(),
                        title: person
                            .map(|p| p.fields.position_title.clone())
                            .unwrap_or_default(),
                        level,
                    }
                })
                .collect();
            // Most senior first, then by name: the order the other meeting queries give.
            attendees.sort_by(|a, b| {
                (Level::ALL.iter().position(|&l| l == a.level), &a.name)
                    .cmp(&(Level::ALL.iter().position(|&l| l == b.level), &b.name))
            });
            let staff: Vec<StaffMember> = Vec::new();
            meeting_row!(r, attendees, staff)
        })
        .collect())
}

/// A key person a meeting may list: the employer's own, not archived and not erased.
#[derive(Debug, serde::Deserialize)]
pub struct Attendable {
    pub id: Uuid,
    pub level: Level,
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
) -> sqlx::Result<Vec<Attendable>> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as!(
        Attendable,
        r#"select id, level as "level: Level", full_name from key_persons
          where employer_id = $1 and id = any($2)
            and ((archived_at is null and erased_at is null) or id = any($3))"#,
        employer,
        people,
        already
    )
    .fetch_all(conn)
    .await
}

/// `employers::repo::lock_open` and `attendable` (for a new meeting) in one round trip, on the
/// meeting form's busiest path: the employer's RM and which of `people` may attend, or `None` when
/// there is no open employer of that id in the tenant.
pub async fn lock_employer_and_attendable(
    conn: &mut PgConnection,
    employer: Uuid,
    people: &[Uuid],
) -> sqlx::Result<Option<(Option<Uuid>, Vec<Attendable>)>> {
    let row = sqlx::query!(
        r#"select e.rm_id,
                  (select coalesce(json_agg(json_build_object('id', k.id, 'level', k.level, 'full_name', k.full_name)), '[]')
                     from key_persons k
                    where k.tenant_id = e.tenant_id and k.employer_id = e.id and k.id = any($2)
                      and k.archived_at is null and k.erased_at is null) as "people!: Json<Vec<Attendable>>"
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
    attendees: &[Attendable],
    decision_level: bool,
    logged_by: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let people: Vec<Uuid> = attendees.iter().map(|p| p.id).collect();
    let levels = attendees.iter().map(|p| p.level).collect::<Vec<_>>();
    let levels = codes(&levels);
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
        f.status.as_str(),
        f.starts_at,
        f.duration_minutes,
        f.kind.as_str(),
        f.channel.as_str(),
        f.location,
        &codes(&f.topics),
        f.summary,
        f.outcomes,
        f.commitments,
        f.sentiment.map(Sentiment::as_str),
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
        f.status.as_str(),
        f.starts_at,
        f.duration_minutes,
        f.kind.as_str(),
        f.channel.as_str(),
        f.location,
        &codes(&f.topics),
        f.summary,
        f.outcomes,
        f.commitments,
        f.sentiment.map(Sentiment::as_str),
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
    people: &[Attendable],
) -> sqlx::Result<()> {
    if people.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let levels = codes(&people.iter().map(|p| p.level).collect::<Vec<_>>());
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

/// A meeting a key person attended, for their page.
pub struct AttendedRow {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub kind: Kind,
    pub status: Status,
    pub decision_level: bool,
}

/// The meetings `key_person` attended, latest first (`meeting_attendees_person_idx`).
pub async fn attended_by(
    conn: &mut PgConnection,
    key_person: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<AttendedRow>> {
    sqlx::query_as!(
        AttendedRow,
        r#"select m.id, m.starts_at, m.kind as "kind: Kind", m.status as "status: Status", m.decision_level
             from meeting_attendees a
             join meetings m on m.tenant_id = a.tenant_id and m.id = a.meeting_id
            where a.key_person_id = $1 and m.archived_at is null
            order by m.starts_at desc, m.id
            limit $2"#,
        key_person,
        limit
    )
    .fetch_all(conn)
    .await
}
