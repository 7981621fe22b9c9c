//! The approval queue: submitted letters, oldest first, with who drafted them and how long they wait.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::letters::policy;
use crate::letters::repo::list as repo;
use crate::letters::views::LetterItem;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, render};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QueueQuery {
    page: Option<i64>,
}

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "letters/queue.html")]
struct QueuePage {
    l: Layout,
    rows: Vec<LetterItem>,
    me: uuid::Uuid,
    page: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    if !policy::may_see_queue(ctx.who()) {
        return Err(AppError::Forbidden);
    }
    let now = state.clock.now();
    let today = ctx.today(now);
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let mut tx = ctx.tx(&state).await?;
    let mut rows = repo::queue(&mut tx, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE).await?;
    tx.commit().await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let l = ctx.layout("letter.queue");
    render(&QueuePage {
        rows: LetterItem::all(&l, &rows, now, today),
        me: ctx.user_id.0,
        prev_href: (page > 1).then(|| format!("/letters/queue?page={}", page - 1)),
        next_href: more.then(|| format!("/letters/queue?page={}", page + 1)),
        page,
        l,
    })
}
