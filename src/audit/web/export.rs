//! The filtered audit log as an XLSX download: the same events as the page, in the same words, read
//! chunk by chunk and at most `EXPORT_CAP` of them. The export is itself recorded, with its filters.

use axum::extract::{Query, State};
use axum::response::Response;

use super::{AuditQuery, in_words, names};
use crate::audit::export::{EXPORT_CAP, Sheet};
use crate::audit::views::Words;
use crate::audit::{self, Action, Changes, Entity, Event};
use crate::error::{AppError, AppResult};
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::{AppState, download};

/// Events read (and named) per statement.
const CHUNK: i64 = 2_000;

fn failed(what: &'static str) -> impl Fn(anyhow::Error) -> AppError {
    move |e| AppError::Internal(e.context(what))
}

fn task_failed(e: tokio::task::JoinError) -> AppError {
    AppError::Internal(anyhow::Error::new(e).context("XLSX export task"))
}

pub(super) async fn xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadAuditLog)?;
    let tz = ctx.tenant.tz;
    let (filter, _) = q.filter(tz);
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let names = names(&mut tx).await?;
    let words = Words::new(ctx.lang, Some(tz)).with_names(&names);
    let mut sheet = Sheet::new(ctx.lang).map_err(failed("XLSX export"))?;
    let mut after = None;
    let mut truncated = false;
    loop {
        let mut rows = audit::repo::chunk(&mut tx, &filter, after, CHUNK).await?;
        let Some(last) = rows.last() else { break };
        after = Some((last.occurred_at, last.id));
        let full = rows.len() as i64 == CHUNK;
        let room = (EXPORT_CAP - i64::from(sheet.rows())) as usize;
        if rows.len() > room {
            truncated = true;
            rows.truncate(room);
        }
        let events = in_words(&mut tx, rows, &words, tz).await?;
        // Filling cells is CPU work: off the request threads, a chunk at a time.
        sheet = tokio::task::spawn_blocking(move || sheet.append(&events).map(|()| sheet))
            .await
            .map_err(task_failed)?
            .map_err(failed("XLSX export"))?;
        if truncated || !full {
            break;
        }
    }
    let rows = sheet.rows();
    let note = truncated.then(|| {
        ctx.lang
            .tf("export.truncated", &[("n", &ctx.lang.integer(EXPORT_CAP))])
    });
    let body = tokio::task::spawn_blocking(move || sheet.finish(note))
        .await
        .map_err(task_failed)?
        .map_err(failed("XLSX export"))?;
    let changes = Changes::new()
        .created("format", "xlsx")
        .created("rows", rows)
        .created("filters", q.query_string());
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::AuditExported, Entity::AuditLog, None).with(changes),
    )
    .await?;
    tx.commit().await?;
    let stamp = now.with_timezone(&tz).format("%Y%m%d");
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("audit-{stamp}.xlsx"),
        body,
    ))
}
