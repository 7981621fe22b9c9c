//! SQL for calendar feeds: the secret's hash per user, and what the feed lists.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::meetings::domain::Kind;

/// Stores a new secret for the user in the transaction's tenant, replacing (and so killing) the old one.
pub async fn replace_secret(
    conn: &mut PgConnection,
    user: Uuid,
    secret_hash: &[u8],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into calendar_feeds (tenant_id, user_id, secret_hash, created_at)
         values (app_tenant_id(), $1, $2, $3)
         on conflict (tenant_id, user_id) do update set secret_hash = excluded.secret_hash,
                created_at = excluded.created_at",
        user,
        secret_hash,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// When the user's current secret was made, if they have one.
pub async fn created_at(
    conn: &mut PgConnection,
    user: Uuid,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar!(
        "select created_at from calendar_feeds where user_id = $1",
        user
    )
    .fetch_optional(conn)
    .await
}

/// The enabled member whose feed has this secret in the transaction's tenant, if any.
pub async fn owner_of(conn: &mut PgConnection, secret_hash: &[u8]) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "select f.user_id from calendar_feeds f
           join memberships m on m.tenant_id = f.tenant_id and m.user_id = f.user_id
          where f.secret_hash = $1 and m.disabled_at is null",
        secret_hash
    )
    .fetch_optional(conn)
    .await
}

pub struct PlannedMeeting {
    pub id: Uuid,
    pub employer_id: Uuid,
    pub employer_name: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i16,
    pub kind: Kind,
    pub location: String,
    /// The employer's people expected at the meeting, "name, title" each.
    pub attendees: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

/// Planned meetings the user logged or attends for the agency, from `since` on, soonest first.
pub async fn planned_meetings(
    conn: &mut PgConnection,
    user: Uuid,
    since: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<PlannedMeeting>> {
    sqlx::query_as!(
        PlannedMeeting,
        r#"select m.id, m.employer_id, e.name as employer_name, m.starts_at, m.duration_minutes,
                  m.kind as "kind: Kind", m.location,
                  array(select concat_ws(', ', k.full_name, nullif(k.position_title, ''))
                          from meeting_attendees a
                          join key_persons k on k.tenant_id = a.tenant_id and k.id = a.key_person_id
                         where a.tenant_id = m.tenant_id and a.meeting_id = m.id
                         order by k.full_name) as "attendees!",
                  m.updated_at
             from meetings m
             join employers e on e.tenant_id = m.tenant_id and e.id = m.employer_id
            where m.status = 'planned' and m.archived_at is null and m.starts_at >= $2
              and (m.logged_by = $1
                   or exists (select 1 from meeting_staff s
                               where s.tenant_id = m.tenant_id and s.meeting_id = m.id and s.user_id = $1))
            order by m.starts_at
            limit $3"#,
        user,
        since,
        limit
    )
    .fetch_all(conn)
    .await
}

pub struct OpenFollowUp {
    pub id: Uuid,
    pub employer_id: Uuid,
    pub employer_name: String,
    pub title: String,
    pub notes: String,
    pub due_on: NaiveDate,
    /// The meeting the follow-up came from, and when it started.
    pub meeting_id: Option<Uuid>,
    pub meeting_starts_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// The user's open follow-ups, soonest due first.
pub async fn open_follow_ups(
    conn: &mut PgConnection,
    user: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<OpenFollowUp>> {
    sqlx::query_as!(
        OpenFollowUp,
        r#"select f.id, f.employer_id, e.name as employer_name, f.title, f.notes, f.due_on,
                  f.meeting_id, m.starts_at as "meeting_starts_at?", f.updated_at
             from follow_ups f
             join employers e on e.tenant_id = f.tenant_id and e.id = f.employer_id
             left join meetings m on m.tenant_id = f.tenant_id and m.id = f.meeting_id
            where f.assignee_id = $1 and f.done_at is null and f.archived_at is null
            order by f.due_on
            limit $2"#,
        user,
        limit
    )
    .fetch_all(conn)
    .await
}
