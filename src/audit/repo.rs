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
