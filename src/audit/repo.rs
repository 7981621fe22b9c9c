//! SQL for the audit trail. Inserts go to the tenant of the surrounding transaction
//! (`app_tenant_id()`), in the same transaction as the change they describe.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::{Action, Actor, Entity, Event};
use crate::auth::domain::UserId;

pub async fn record(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    event: Event,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"insert into audit_events
             (tenant_id, id, occurred_at, actor_id, actor_label, action, entity_type, entity_id, changes, ip,
              request_id, caller_request_id, employer_id, related_employer_id)
           values (app_tenant_id(), $1, $2, $3, $4, $5, $6, $7, $8, $9::text::inet, $10, $11, $12, $13)"#,
        Uuid::new_v4(),
        at,
        actor.user.map(|u| u.0),
        actor.label,
        event.action.as_str(),
        event.entity.as_str(),
        event.entity_id,
        event.changes.into_value(),
        actor.ip.map(|ip| ip.to_string()),
        actor.request_id,
        actor.caller_request_id,
        event.employer_id,
        event.related_employer_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Default)]
pub struct Filter {
    pub actor: Option<UserId>,
    pub action: Option<Action>,
    pub entity: Option<Entity>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

pub struct Row {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    pub changes: Value,
    pub ip: Option<String>,
    pub request_id: Option<Uuid>,
}

/// One page of events, newest first. Asks for one row more than `limit` so the caller knows whether
/// a next page exists.
pub async fn list(
    conn: &mut PgConnection,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as!(
        Row,
        r#"select a.id, a.occurred_at,
                  coalesce(u.name, nullif(a.actor_label, ''), '—') as "actor!",
                  a.action, a.entity_type, a.entity_id, a.changes,
                  host(a.ip) as ip, a.request_id
             from audit_events a
             left join users u on u.id = a.actor_id
            where ($1::uuid is null or a.actor_id = $1)
              and ($2::text is null or a.action = $2)
              and ($3::text is null or a.entity_type = $3)
              and ($4::timestamptz is null or a.occurred_at >= $4)
              and ($5::timestamptz is null or a.occurred_at < $5)
            order by a.occurred_at desc, a.id desc
            limit $6 offset $7"#,
        f.actor.map(|u| u.0),
        f.action.map(Action::as_str),
        f.entity.map(Entity::as_str),
        f.from,
        f.until,
        limit + 1,
        offset
    )
    .fetch_all(conn)
    .await
}

/// The events after `after` (the last one of the previous chunk) in the log's order, at most `limit`:
/// an export reads the filtered log chunk by chunk, each chunk one indexed range read however far it
/// is from the newest event.
pub async fn chunk(
    conn: &mut PgConnection,
    f: &Filter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as!(
        Row,
        r#"select a.id, a.occurred_at,
                  coalesce(u.name, nullif(a.actor_label, ''), '—') as "actor!",
                  a.action, a.entity_type, a.entity_id, a.changes,
                  host(a.ip) as ip, a.request_id
             from audit_events a
             left join users u on u.id = a.actor_id
            where ($1::uuid is null or a.actor_id = $1)
              and ($2::text is null or a.action = $2)
              and ($3::text is null or a.entity_type = $3)
              and ($4::timestamptz is null or a.occurred_at >= $4)
              and ($5::timestamptz is null or a.occurred_at < $5)
              and ($6::timestamptz is null or (a.occurred_at, a.id) < ($6, $7::uuid))
            order by a.occurred_at desc, a.id desc
            limit $8"#,
        f.actor.map(|u| u.0),
        f.action.map(Action::as_str),
        f.entity.map(Entity::as_str),
        f.from,
        f.until,
        after.map(|(at, _)| at),
        after.map(|(_, id)| id),
        limit
    )
    .fetch_all(conn)
    .await
}

/// The ids of the records some events are about, by kind, to be named in one read.
#[derive(Default)]
pub struct RecordIds {
    pub employers: Vec<Uuid>,
    pub key_persons: Vec<Uuid>,
    pub meetings: Vec<Uuid>,
    pub follow_ups: Vec<Uuid>,
    pub links: Vec<Uuid>,
    pub branches: Vec<Uuid>,
    pub users: Vec<Uuid>,
    pub invitations: Vec<Uuid>,
    pub tenants: Vec<Uuid>,
    pub letters: Vec<Uuid>,
    pub imports: Vec<Uuid>,
}

/// A record as the log names it. Which columns hold what depends on the kind:
///
/// | kind | `title` | `code` | `employer` | `at` |
/// |---|---|---|---|---|
/// | employer | name | NPP (and division) | – | – |
/// | key person | full name, none once erased | – | its employer | – |
/// | meeting | kind | – | its employer | start |
/// | follow-up | title | – | its employer | – |
/// | supply-chain link | parent's name | – | member's name | – |
/// | branch office | name | code | – | – |
/// | user, invitation, tenant | name, email, name | – | – | – |
/// | letter | kind | number, none before approval | its employer | – |
/// | import | file name | – | – | upload |
pub struct RecordRow {
    pub kind: String,
    pub id: Uuid,
    pub title: Option<String>,
    pub code: Option<String>,
    pub employer: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub erased: bool,
}

/// Names the records of a page (or an export's chunk) of events: one statement for every kind, each
/// part a primary-key read per id. Records another tenant owns are not found (row-level security), nor
/// are ids of records that no longer exist.
pub async fn records(conn: &mut PgConnection, ids: &RecordIds) -> sqlx::Result<Vec<RecordRow>> {
    sqlx::query_as!(
        RecordRow,
        r#"select 'employer' as "kind!", e.id as "id!", e.name as "title?",
                  e.npp || case when e.division_code = '' then '' else '-' || e.division_code end as "code?",
                  null::text as "employer?", null::timestamptz as "at?", false as "erased!"
             from employers e where e.id = any($1)
           union all
           -- An erased person is named by nobody: the name column holds a placeholder, and is not read.
           select 'key_person', k.id, case when k.erased_at is null then k.full_name end, null, e.name, null,
                  k.erased_at is not null
             from key_persons k join employers e on e.tenant_id = k.tenant_id and e.id = k.employer_id
            where k.id = any($2)
           union all
           select 'meeting', m.id, m.kind, null, e.name, m.starts_at, false
             from meetings m join employers e on e.tenant_id = m.tenant_id and e.id = m.employer_id
            where m.id = any($3)
           union all
           select 'follow_up', f.id, f.title, null, e.name, null, false
             from follow_ups f join employers e on e.tenant_id = f.tenant_id and e.id = f.employer_id
            where f.id = any($4)
           union all
           select 'supply_chain_link', l.id, p.name, null, c.name, null, false
             from supply_chain_links l
             join employers p on p.tenant_id = l.tenant_id and p.id = l.parent_id
             join employers c on c.tenant_id = l.tenant_id and c.id = l.member_id
            where l.id = any($5)
           union all
           select 'branch_office', b.id, b.name, b.code, null, null, false
             from branch_offices b where b.id = any($6)
           union all
           select 'user', u.id, u.name, null, null, null, false from users u where u.id = any($7)
           union all
           select 'invitation', i.id, i.email, null, null, null, false from invitations i where i.id = any($8)
           union all
           select 'tenant', t.id, t.name, null, null, null, false from tenants t where t.id = any($9)
           union all
           select 'letter', l.id, l.kind, l.number, e.name, null, false
             from letters l join employers e on e.tenant_id = l.tenant_id and e.id = l.employer_id
            where l.id = any($10)
           union all
           select 'import', i.id, i.file_name, null, null, i.created_at, false
             from imports i where i.id = any($11)"#,
        &ids.employers,
        &ids.key_persons,
        &ids.meetings,
        &ids.follow_ups,
        &ids.links,
        &ids.branches,
        &ids.users,
        &ids.invitations,
        &ids.tenants,
        &ids.letters,
        &ids.imports,
    )
    .fetch_all(conn)
    .await
}

/// Records the same event in several tenants (a failed sign-in of a person who belongs to each), inside
/// one transaction that moves its tenant setting from one to the next.
pub async fn record_in_tenants(
    conn: &mut PgConnection,
    tenants: &[crate::tenancy::domain::TenantId],
    at: DateTime<Utc>,
    actor: &Actor,
    make: impl Fn() -> Event,
) -> sqlx::Result<()> {
    for tenant in tenants {
        crate::db::set_local(conn, "app.tenant_id", &tenant.to_string()).await?;
        record(conn, at, actor, make()).await?;
    }
    crate::db::set_local(conn, "app.tenant_id", "").await
}
