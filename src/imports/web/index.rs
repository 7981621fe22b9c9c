//! The imports page: the upload form, the templates per kind, and the history of every import.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::show::state_label;
use crate::audit::{self, Action, Changes, Entity, Event};
use crate::error::AppResult;
use crate::imports::kind::{self, ImportKind};
use crate::imports::read::{MAX_BYTES, SheetChoice};
use crate::imports::repo::{self, ImportRow};
use crate::imports::service;
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, render_status, see_other};

/// Imports listed per page of the history.
const PAGE: i64 = 50;

pub struct KindOption {
    pub code: &'static str,
    pub label: &'static str,
    pub chosen: bool,
}

pub struct HistoryRow {
    pub id: Uuid,
    pub file_name: String,
    pub kind: &'static str,
    pub by: String,
    pub at: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub rows: i32,
    pub inserted: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub rejected: i32,
}

#[derive(Template)]
#[template(path = "imports/index.html")]
struct IndexPage {
    l: Layout,
    kinds: Vec<KindOption>,
    history: Vec<HistoryRow>,
    error: Option<String>,
    page: i64,
    has_next: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IndexQuery {
    page: Option<i64>,
}

fn history_row(ctx: &Ctx, r: ImportRow) -> HistoryRow {
    let (state, state_class) = state_label(&r);
    HistoryRow {
        id: r.id,
        file_name: r.file_name,
        kind: ctx.lang.t(r.kind.label_key()),
        by: r.created_by.unwrap_or_else(|| "cli".into()),
        at: ctx.lang.datetime(r.created_at, ctx.tenant.tz),
        state: ctx.lang.t(state),
        state_class,
        rows: r.row_count,
        inserted: r.inserted,
        updated: r.updated,
        unchanged: r.unchanged,
        rejected: r.rejected,
    }
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    page: i64,
    chosen: Option<ImportKind>,
    error: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let page = page.clamp(1, 10_000);
    let mut tx = ctx.tx(state).await?;
    let mut rows = repo::list(&mut tx, PAGE, (page - 1) * PAGE).await?;
    tx.commit().await?;
    let has_next = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    render_status(
        status,
        &IndexPage {
            l: ctx.layout("import.title"),
            kinds: kind::all()
                .iter()
                .map(|k| KindOption {
                    code: k.kind.as_str(),
                    label: k.kind.label_key(),
                    chosen: Some(k.kind) == chosen,
                })
                .collect(),
            history: rows.into_iter().map(|r| history_row(ctx, r)).collect(),
            error,
            page,
            has_next,
        },
    )
}

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<IndexQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ImportFiles)?;
    page(
        &state,
        &ctx,
        q.page.unwrap_or(1),
        None,
        None,
        StatusCode::OK,
    )
    .await
}

/// A file's name as the history shows it: no folders, no control characters, at most 255 characters.
fn clean_file_name(raw: Option<&str>) -> String {
    let base = raw
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(255).collect();
    if clean.trim().is_empty() {
        "file".to_owned()
    } else {
        clean.trim().to_owned()
    }
}

/// Receives an upload: the chosen kind first, then the file, stored in pieces as it arrives (the
/// bound is checked while reading), then read for the mapping page — all in one transaction, so a
/// broken upload leaves nothing.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    mut multipart: Multipart,
) -> AppResult<Response> {
    ctx.require(Permission::ImportFiles)?;
    let now = state.clock.now();
    let refuse = async |key: &'static str, kind: Option<ImportKind>, status: StatusCode| {
        page(
            &state,
            &ctx,
            1,
            kind,
            Some(ctx.lang.t(key).to_owned()),
            status,
        )
        .await
    };
    let mut kind: Option<&'static kind::Kind> = None;
    let mut sheet = String::new();
    let mut tx = ctx.tx(&state).await?;
    let id = Uuid::new_v4();
    let mut bytes: Vec<u8> = Vec::new();
    let mut file_name = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return refuse(
                    "import.file_too_large",
                    kind.map(|k| k.kind),
                    StatusCode::PAYLOAD_TOO_LARGE,
                )
                .await;
            }
            Err(_) => {
                return refuse(
                    "import.upload_broken",
                    kind.map(|k| k.kind),
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
        };
        match field.name() {
            Some("kind") => {
                let text = field.text().await.unwrap_or_default();
                kind = service::kind_of(text.trim());
            }
            Some("sheet") => {
                let text = field.text().await.unwrap_or_default();
                sheet = text
                    .trim()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
            }
            Some("file") => {
                let Some(k) = kind else {
                    return refuse("import.choose_kind", None, StatusCode::UNPROCESSABLE_ENTITY)
                        .await;
                };
                let name = clean_file_name(field.file_name());
                repo::create(&mut tx, id, k.kind, &name, Some(ctx.user_id), now).await?;
                let mut field = field;
                let mut seq = 0;
                let mut pending: Vec<u8> = Vec::new();
                loop {
                    let chunk = match field.chunk().await {
                        Ok(Some(c)) => c,
                        Ok(None) => break,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            return refuse(
                                "import.file_too_large",
                                Some(k.kind),
                                StatusCode::PAYLOAD_TOO_LARGE,
                            )
                            .await;
                        }
                        Err(_) => {
                            return refuse(
                                "import.upload_broken",
                                Some(k.kind),
                                StatusCode::BAD_REQUEST,
                            )
                            .await;
                        }
                    };
                    if bytes.len() + chunk.len() > MAX_BYTES {
                        return refuse(
                            "import.file_too_large",
                            Some(k.kind),
                            StatusCode::PAYLOAD_TOO_LARGE,
                        )
                        .await;
                    }
                    bytes.extend_from_slice(&chunk);
                    pending.extend_from_slice(&chunk);
                    if pending.len() >= 1 << 20 {
                        repo::add_chunk(&mut tx, id, seq, &pending).await?;
                        seq += 1;
                        pending.clear();
                    }
                }
                if !pending.is_empty() {
                    repo::add_chunk(&mut tx, id, seq, &pending).await?;
                }
                file_name = Some(name);
            }
            _ => {}
        }
    }
    let Some(k) = kind else {
        return refuse("import.choose_kind", None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let Some(file_name) = file_name else {
        return refuse(
            "import.choose_file",
            Some(k.kind),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let bytes = Arc::new(bytes);
    let choice = (!sheet.is_empty()).then(|| match sheet.parse::<usize>() {
        Ok(n) => SheetChoice::Index(n),
        Err(_) => SheetChoice::Name(sheet.clone()),
    });
    let read = service::read_file(bytes.clone(), choice).await;
    service::record_read(&mut tx, id, k, &bytes, &sheet, read).await?;
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::ImportUploaded, Entity::Import, Some(id)).with(
            Changes::new()
                .created("kind", k.kind.as_str())
                .created("file", &file_name)
                .created("size", bytes.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/admin/imports/{id}")))
}
