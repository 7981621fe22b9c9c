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

#[derive(PartialEq, Eq)]
pub enum Figures {
    Written,
    Checked,
    None,
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
    /// The figures were written (a commit's), or are what a commit would do (the last check's), or
    /// there are none yet.
    pub figures: Figures,
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
        figures: if r.state == "committed" {
            Figures::Written
        } else if r.validated_at.is_some() {
            Figures::Checked
        } else {
            Figures::None
        },
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

/// A file's name as the history shows it: no folders, no control or invisible characters, at most
/// 255 characters.
fn clean_file_name(raw: Option<&str>) -> String {
    let base = raw
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !crate::web::forms::is_refused_character(*c))
        .take(255)
        .collect();
    if clean.trim().is_empty() {
        "file".to_owned()
    } else {
        clean.trim().to_owned()
    }
}

/// What an upload form sent.
struct Upload {
    kind: &'static kind::Kind,
    sheet: String,
    file_name: String,
    bytes: Vec<u8>,
}

/// Reads the form: the kind first (a later one is ignored), an optional sheet, then exactly one
/// file, counted while it arrives and refused past the bound. No database work happens here.
async fn receive(
    multipart: &mut Multipart,
) -> Result<Upload, (&'static str, Option<ImportKind>, StatusCode)> {
    let broken = |e: axum::extract::multipart::MultipartError, kind: Option<ImportKind>| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ("import.file_too_large", kind, StatusCode::PAYLOAD_TOO_LARGE)
        } else {
            ("import.upload_broken", kind, StatusCode::BAD_REQUEST)
        }
    };
    let mut kind: Option<&'static kind::Kind> = None;
    let mut sheet = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let code = kind.map(|k| k.kind);
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(broken(e, code)),
        };
        match field.name() {
            Some("kind") if kind.is_none() && file.is_none() => {
                let text = field.text().await.map_err(|e| broken(e, code))?;
                kind = service::kind_of(text.trim());
            }
            Some("sheet") if file.is_none() => {
                let text = field.text().await.map_err(|e| broken(e, code))?;
                sheet = text
                    .trim()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
            }
            Some("file") => {
                if kind.is_none() {
                    return Err(("import.choose_kind", None, StatusCode::UNPROCESSABLE_ENTITY));
                }
                if file.is_some() {
                    return Err(("import.one_file", code, StatusCode::UNPROCESSABLE_ENTITY));
                }
                let name = clean_file_name(field.file_name());
                let mut bytes: Vec<u8> = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| broken(e, code))? {
                    if bytes.len() + chunk.len() > MAX_BYTES {
                        return Err(("import.file_too_large", code, StatusCode::PAYLOAD_TOO_LARGE));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    let Some(kind) = kind else {
        return Err(("import.choose_kind", None, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let Some((file_name, bytes)) = file else {
        return Err((
            "import.choose_file",
            Some(kind.kind),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    Ok(Upload {
        kind,
        sheet,
        file_name,
        bytes,
    })
}

/// Receives an upload, then stores the file in 1 MB pieces, reads it for the mapping page and
/// records the upload — in one transaction, so a broken upload leaves nothing.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    mut multipart: Multipart,
) -> AppResult<Response> {
    ctx.require(Permission::ImportFiles)?;
    let now = state.clock.now();
    let received = {
        let _permit = super::FILE_WORK
            .acquire()
            .await
            .map_err(|e| anyhow::anyhow!("the file-work permits are closed: {e}"))?;
        receive(&mut multipart).await
    };
    let Upload {
        kind: k,
        sheet,
        file_name,
        bytes,
    } = match received {
        Ok(u) => u,
        Err((key, kind, status)) => {
            let text = ctx.lang.tf(key, &[("max_mb", "50")]);
            return page(&state, &ctx, 1, kind, Some(text), status).await;
        }
    };
    let bytes = Arc::new(bytes);
    let choice = (!sheet.is_empty()).then(|| match sheet.parse::<usize>() {
        Ok(n) => SheetChoice::Index(n),
        Err(_) => SheetChoice::Name(sheet.clone()),
    });
    let read = service::read_file(bytes.clone(), choice).await;
    let id = Uuid::new_v4();
    let mut tx = ctx.tx(&state).await?;
    repo::create(&mut tx, id, k.kind, &file_name, Some(ctx.user_id), now).await?;
    for (seq, piece) in bytes.chunks(1 << 20).enumerate() {
        repo::add_chunk(&mut tx, id, seq as i32, piece).await?;
    }
    service::record_read(&mut tx, id, k, &bytes, read).await?;
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
