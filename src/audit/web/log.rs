//! The audit log page: newest first, 50 events a page, each with its record named and its changes in
//! words.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use super::{AuditQuery, in_words, names};
use crate::audit::domain::{Action, Entity};
use crate::audit::repo;
use crate::audit::views::{EventView, Words};
use crate::error::AppResult;
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, Choice, render};

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    l: Layout,
    q: AuditQuery,
    actors: Vec<Choice>,
    actions: Vec<Choice>,
    entities: Vec<Choice>,
    events: Vec<EventView>,
    page: i64,
    has_next: bool,
    base_query: String,
    bad_dates: bool,
    /// Whether any filter is set (the filters then show unfolded).
    filtered: bool,
}

pub(super) async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadAuditLog)?;
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let tz = ctx.tenant.tz;
    let (filter, bad_dates) = q.filter(tz);
    let mut tx = ctx.tx(&state).await?;
    let mut rows = repo::list(&mut tx, &filter, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let names = names(&mut tx).await?;
    let words = Words::new(ctx.lang, Some(tz)).with_names(&names);
    let events = in_words(&mut tx, rows, &words, tz).await?;
    tx.commit().await?;
    let mut actors: Vec<Choice> = names
        .people
        .iter()
        .map(|(id, name)| Choice {
            selected: id.to_string() == q.actor,
            value: id.to_string(),
            label: name.clone(),
        })
        .collect();
    actors.sort_by(|a, b| a.label.cmp(&b.label));
    let l = ctx.layout("audit.title");
    let base_query = q.query_string();
    render(&AuditPage {
        actors,
        actions: Choice::of::<Action>(l.lang, &q.action),
        entities: Choice::of::<Entity>(l.lang, &q.entity),
        events,
        page,
        has_next,
        filtered: !base_query.is_empty(),
        base_query,
        bad_dates,
        l,
        q,
    })
}
