//! Downloads: a kind's template (CSV or XLSX, its headers), an import's problems as CSV, and its
//! rejected rows as a workbook to correct and import again.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use uuid::Uuid;

use super::show::message;
use crate::error::{AppError, AppResult};
use crate::imports::kind::{self, ImportKind};
use crate::imports::templates::Rejected;
use crate::imports::{repo, service};
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::{AppState, download};

/// `employers.csv` or `employers.xlsx`: the kind's columns, headed by their first synonym (Indonesian).
pub async fn template(ctx: Ctx, Path(file): Path<String>) -> AppResult<Response> {
    ctx.require(Permission::ImportFiles)?;
    let (name, ext) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    let kind = ImportKind::parse(name)
        .map(kind::of)
        .map_err(|_| AppError::NotFound)?;
    let headers: Vec<&str> = kind.columns.iter().map(|c| c.headers[0]).collect();
    match ext {
        "csv" => {
            let mut w = csv::WriterBuilder::new()
                .delimiter(b';')
                .from_writer(Vec::new());
            w.write_record(&headers).map_err(anyhow::Error::from)?;
            let body = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(download(
                "text/csv; charset=utf-8",
                &format!("relasi-{name}.csv"),
                body,
            ))
        }
        "xlsx" => {
            let body = crate::imports::templates::xlsx(&headers)?;
            Ok(download(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("relasi-{name}.xlsx"),
                body,
            ))
        }
        _ => Err(AppError::NotFound),
    }
}

/// Every problem of the import's last run, as CSV (semicolons, for Indonesian Excel).
pub async fn problems(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ImportFiles)?;
    let mut tx = ctx.tx(&state).await?;
    let r = checked(&mut tx, id).await?;
    let rows = repo::problems(&mut tx, id, None, 0).await?;
    tx.commit().await?;
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let l = ctx.lang;
    w.write_record([
        l.t("import.problem.row"),
        l.t("import.problem.column"),
        l.t("import.problem.value"),
        l.t("import.problem.message"),
    ])
    .map_err(anyhow::Error::from)?;
    for p in &rows {
        let value = crate::employers::domain::neutralise_cell(&p.value);
        let column_name = crate::imports::report::column_name(l, &p.column_name);
        let column = crate::employers::domain::neutralise_cell(&column_name);
        w.write_record([
            p.row_number.to_string().as_str(),
            &column,
            &value,
            &message(l, r.kind, p),
        ])
        .map_err(anyhow::Error::from)?;
    }
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?);
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("{}-problems.csv", stem(&r.file_name)),
        body,
    ))
}

/// An import whose last check's problems are its report: checked or committed. Before a check, and
/// while a new mapping or sheet waits for one, the stored problems are an earlier run's; a discarded
/// import has none.
async fn checked(tx: &mut sqlx::PgConnection, id: Uuid) -> AppResult<repo::ImportRow> {
    match repo::find(tx, id).await? {
        Some(r) if matches!(r.state.as_str(), "validated" | "committed") => Ok(r),
        _ => Err(AppError::NotFound),
    }
}

/// A download's name from the uploaded file's: its letters and digits, at most 80.
fn stem(file_name: &str) -> String {
    file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect()
}

/// The rows the last check rejected, read again from the stored file, as a workbook to correct and
/// import again: the file's header and cells, then each row's number in the file and its problems
/// (`templates::rejected_xlsx`). There is none before a check, once the file is gone (discarded), or
/// when no row was rejected.
pub async fn rejected(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ImportFiles)?;
    // Reading the file again and writing the workbook take a second or more for 100,000 rows: they
    // share the upload slots, so that a few of them at once cannot take the server's cores.
    let _permit = super::FILE_WORK
        .acquire()
        .await
        .map_err(|e| anyhow::anyhow!("the file-work permits are closed: {e}"))?;
    let mut tx = ctx.tx(&state).await?;
    let r = checked(&mut tx, id).await?;
    let problems = repo::problems(&mut tx, id, None, 0).await?;
    let bytes = if r.rejected > 0 && !problems.is_empty() {
        repo::file(&mut tx, id).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    if bytes.is_empty() {
        return Err(AppError::NotFound);
    }
    let table = service::read_file(Arc::new(bytes), service::sheet_choice(&r))
        .await
        .map_err(|_| AppError::NotFound)?;
    let l = ctx.lang;
    // A file refused whole (a loop of subsidiaries) rejected every row: each comes with that reason.
    let whole: Vec<String> = problems
        .iter()
        .filter(|p| p.row_number == 0)
        .map(|p| message(l, r.kind, p))
        .collect();
    let mut by_row: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for p in problems.iter().filter(|p| p.row_number > 0) {
        let column = crate::imports::report::column_name(l, &p.column_name);
        let said = message(l, r.kind, p);
        by_row
            .entry(p.row_number as u32)
            .or_default()
            .push(if column.is_empty() {
                said
            } else {
                format!("{column}: {said}")
            });
    }
    // Up to 100,000 rows to write: off the request threads, as the reading was.
    let body = tokio::task::spawn_blocking(move || {
        let rows: Vec<Rejected<'_>> = table
            .rows
            .iter()
            .filter_map(|row| {
                let own = by_row.get(&row.number);
                if own.is_none() && whole.is_empty() {
                    return None;
                }
                let said: Vec<&str> = own
                    .into_iter()
                    .flatten()
                    .chain(&whole)
                    .map(String::as_str)
                    .collect();
                Some(Rejected {
                    number: row.number,
                    cells: &row.cells,
                    problems: said.join(" · "),
                })
            })
            .collect();
        crate::imports::templates::rejected_xlsx(
            &table.headers,
            &rows,
            l.t("import.original_row"),
            l.t("import.problem.message"),
        )
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("writing the rejected rows: {e}")))??;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{}-rejected.xlsx", stem(&r.file_name)),
        body,
    ))
}
