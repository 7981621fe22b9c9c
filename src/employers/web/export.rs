//! The filtered employer list as a CSV or XLSX download, audited.

use axum::extract::{Query, State};
use axum::response::Response;

use super::list::ListQuery;
use crate::audit::{self, Action, Changes, Entity, Event};
use crate::employers::export::{self, EXPORT_CAP};
use crate::employers::repo::list::{self as repo, ExportRow};
use crate::employers::repo::search;
use crate::error::{AppError, AppResult};
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::{AppState, download};

/// The rows of the list as filtered, at most `EXPORT_CAP`, and whether there were more. The export is
/// audited with its format, size and filters.
async fn export_rows(
    state: &AppState,
    ctx: &Ctx,
    q: &ListQuery,
    format: &str,
) -> AppResult<(Vec<ExportRow>, bool)> {
    ctx.require(Permission::ExportLists)?;
    let q = q.clone().for_viewer(ctx.who());
    let now = state.clock.now();
    let mut tx = ctx.tx(state).await?;
    let mut filter = q.filter();
    // The rows the list shows: for corrected words when a word as typed matches nothing.
    if !filter.words.is_empty() {
        let known = state.vocabulary.words(&mut tx, ctx.tenant.id).await?;
        if let search::Checked::Unmatched(Some(c)) =
            search::check_words(&mut tx, &known, &filter.words, false).await?
        {
            filter.words = c.words;
        }
    }
    let mut rows = repo::export(&mut tx, &filter, q.sort(), EXPORT_CAP + 1).await?;
    let truncated = rows.len() as i64 > EXPORT_CAP;
    rows.truncate(EXPORT_CAP as usize);
    let changes = Changes::new()
        .created("format", format)
        .created("rows", rows.len())
        .created("filters", q.filters_only());
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::EmployerExported, Entity::EmployerList, None).with(changes),
    )
    .await?;
    tx.commit().await?;
    Ok((rows, truncated))
}

pub async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let (rows, truncated) = export_rows(&state, &ctx, &q, "csv").await?;
    let table = export::table(ctx.lang, ctx.tenant.tz, &rows, truncated);
    let body = export::csv(&table).map_err(|e| AppError::Internal(e.context("CSV export")))?;
    let stamp = state.clock.now().format("%Y%m%d");
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("employers-{stamp}.csv"),
        body,
    ))
}

pub async fn xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let (rows, truncated) = export_rows(&state, &ctx, &q, "xlsx").await?;
    let table = export::table(ctx.lang, ctx.tenant.tz, &rows, truncated);
    let body = tokio::task::spawn_blocking(move || export::xlsx(&table))
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("XLSX export task")))?
        .map_err(|e| AppError::Internal(e.context("XLSX export")))?;
    let stamp = state.clock.now().format("%Y%m%d");
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("employers-{stamp}.xlsx"),
        body,
    ))
}
