//! The import page's first step: which sheet of a workbook to read, and which of its columns each
//! field takes. Confirming the columns queues the check of every row.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::show::{strings, unprocessable};
use crate::error::{AppError, AppResult};
use crate::imports::kind::{self, Kind};
use crate::imports::read::SheetChoice;
use crate::imports::validate::{self, Mapping};
use crate::imports::{repo, service};
use crate::jobs::JobKind;
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::{AppState, Form, see_other};

#[derive(Deserialize)]
pub struct SheetForm {
    #[serde(default)]
    sheet: String,
    #[serde(default)]
    version: i32,
}

/// Reads another sheet of the workbook; the mapping is suggested again from its headers.
pub async fn choose_sheet(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<SheetForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ImportFiles)?;
    let mut tx = ctx.tx(&state).await?;
    repo::lock(&mut tx, id).await?;
    let r = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if r.state != "mapping" || r.version != form.version {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    let sheet: String = form
        .sheet
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    if !strings(&r.sheets)
        .iter()
        .any(|s| s.eq_ignore_ascii_case(&sheet))
    {
        return Err(AppError::BadRequest("import.sheet_not_offered"));
    }
    let bytes = Arc::new(repo::file(&mut tx, id).await?);
    let read = service::read_file(bytes.clone(), Some(SheetChoice::Name(sheet.clone()))).await;
    // A sheet this kind cannot import leaves the import as it was, with a message.
    let kind = kind::of(r.kind);
    let read = match service::assess(kind, read) {
        Ok(table) => Ok(table),
        Err((key, arg)) => {
            tx.commit().await?;
            let error = ctx.lang.tf(key, &[("value", arg.as_str())]);
            return unprocessable(&state, &ctx, r, None, error).await;
        }
    };
    service::record_read(&mut tx, id, kind, &bytes, read).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/admin/imports/{id}")))
}

/// The mapping form: `m_<field>` = a header's position, or empty for a column the file does not have.
#[derive(Deserialize)]
pub struct MappingForm {
    #[serde(flatten)]
    fields: std::collections::HashMap<String, String>,
}

fn mapping_from(kind: &Kind, form: &MappingForm, headers: usize) -> Mapping {
    kind.columns
        .iter()
        .map(|c| {
            form.fields
                .get(&format!("m_{}", c.field))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .filter(|n| *n < headers)
        })
        .collect()
}

/// Confirms the mapping and queues the validation of every row.
pub async fn confirm_mapping(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<MappingForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ImportFiles)?;
    let now = state.clock.now();
    let version: i32 = form
        .fields
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut tx = ctx.tx(&state).await?;
    let r = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    // A form for an import that has moved on (committed, discarded, running) is stale, whatever
    // columns it names.
    if r.version != version || !matches!(r.state.as_str(), "mapping" | "validated" | "failed") {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    let kind = kind::of(r.kind);
    let headers = strings(&r.headers).len();
    let mapping = mapping_from(kind, &form, headers);
    let missing = validate::missing_columns(kind, &mapping);
    let mut used: Vec<usize> = mapping.iter().flatten().copied().collect();
    used.sort_unstable();
    let twice = used.windows(2).any(|w| w[0] == w[1]);
    if !missing.is_empty() || twice {
        tx.commit().await?;
        let error = if twice {
            ctx.lang.t("import.header_used_twice").to_owned()
        } else {
            let names: Vec<&str> = missing.iter().map(|k| ctx.lang.t(k)).collect();
            ctx.lang
                .tf("import.columns_missing", &[("columns", &names.join(", "))])
        };
        return unprocessable(&state, &ctx, r, Some(mapping), error).await;
    }
    super::advance(
        &mut tx,
        id,
        &["mapping", "validated", "failed"],
        "validating",
        version,
        now,
    )
    .await?;
    repo::set_mapping(
        &mut tx,
        id,
        &validate::mapping_json(kind, &mapping),
        &r.sheet,
        r.skip_invalid,
    )
    .await?;
    service::queue(&mut tx, id, JobKind::ImportValidate, Some(ctx.user_id), now).await?;
    tx.commit().await?;
    state.jobs.notify();
    Ok(see_other(&format!("/admin/imports/{id}")))
}
