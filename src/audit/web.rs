//! The audit log page: filter by actor, action, entity and dates; paginated.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use chrono::{NaiveDate, TimeZone as _, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::domain::{Action, Entity, FieldChange};
use super::repo::{self, Filter};
use super::views::{field_changes, label};
use crate::auth::domain::UserId;
use crate::error::AppResult;
use crate::tenancy::domain::Permission;
use crate::tenancy::repo as tenancy_repo;
use crate::web::extract::Ctx;
use crate::web::layers::percent_encode;
use crate::web::layout::Layout;
use crate::web::{AppState, Choice, render};

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/audit", get(index))
}

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
struct AuditQuery {
    actor: String,
    action: String,
    entity: String,
    from: String,
    to: String,
    page: Option<i64>,
}

impl AuditQuery {
    /// The filters as a query string without the page, for the pagination links.
    fn query_string(&self) -> String {
        [
            ("actor", &self.actor),
            ("action", &self.action),
            ("entity", &self.entity),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

struct EventRow {
    at: String,
    actor: String,
    action: String,
    entity_type: String,
    href: Option<String>,
    changes: Vec<FieldChange>,
    ip: String,
    request_id: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    l: Layout,
    q: AuditQuery,
    actors: Vec<Choice>,
    actions: Vec<Choice>,
    entities: Vec<Choice>,
    events: Vec<EventRow>,
    page: i64,
    has_next: bool,
    base_query: String,
    bad_dates: bool,
}

async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadAuditLog)?;
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let tz = ctx.tenant.tz;
    // Dates are days in the tenant's zone; "to" includes the whole day.
    let day_start = |s: &str| -> Option<Option<chrono::DateTime<Utc>>> {
        if s.is_empty() {
            return Some(None);
        }
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .earliest()
            .map(|t| Some(t.with_timezone(&Utc)))
    };
    let from = day_start(&q.from);
    let until =
        q.to.parse::<NaiveDate>()
            .ok()
            .and_then(|d| d.succ_opt())
            .map(|d| d.to_string());
    let until = if q.to.is_empty() {
        Some(None)
    } else {
        until.as_deref().and_then(day_start)
    };
    let bad_dates = from.is_none() || until.is_none();
    let filter = Filter {
        actor: q.actor.parse::<Uuid>().ok().map(UserId),
        action: Action::parse(&q.action).ok(),
        entity: Entity::parse(&q.entity).ok(),
        from: from.flatten(),
        until: until.flatten(),
    };
    let mut tx = ctx.tx(&state).await?;
    let mut rows = repo::list(&mut tx, &filter, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let members = tenancy_repo::members(&mut tx).await?;
    tx.commit().await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let events = rows
        .into_iter()
        .map(|r| EventRow {
            at: ctx.datetime(r.occurred_at),
            // Work done from the command line has no person behind it in this tenant.
            actor: if r.actor == "cli" {
                ctx.lang.t("audit.actor_cli").to_owned()
            } else {
                r.actor
            },
            // Events recorded by another version may name what this one does not know: shown as
            // their codes.
            href: Entity::parse(&r.entity_type)
                .ok()
                .zip(r.entity_id)
                .and_then(|(entity, id)| entity.href(id)),
            action: label(
                ctx.lang,
                Action::parse(&r.action).ok().map(Action::label_key),
                r.action,
            ),
            entity_type: label(
                ctx.lang,
                Entity::parse(&r.entity_type).ok().map(Entity::label_key),
                r.entity_type,
            ),
            changes: field_changes(ctx.lang, &r.changes),
            ip: r.ip.unwrap_or_default(),
            request_id: r.request_id.map(|id| id.to_string()).unwrap_or_default(),
        })
        .collect();
    let actors = members
        .into_iter()
        .map(|m| Choice {
            selected: m.user_id.0.to_string() == q.actor,
            value: m.user_id.0.to_string(),
            label: m.name,
        })
        .collect();
    let l = ctx.layout("audit.title");
    render(&AuditPage {
        actors,
        actions: Choice::of::<Action>(l.lang, &q.action),
        entities: Choice::of::<Entity>(l.lang, &q.entity),
        events,
        page,
        has_next,
        base_query: q.query_string(),
        bad_dates,
        l,
        q,
    })
}
