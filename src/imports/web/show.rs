//! One import's page: the mapping of its columns over a preview of the first rows, the progress of a
//! run, the validation report and the commit's result.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::imports::kind;
use crate::imports::repo::{self, ImportRow, ProblemRow};
use crate::imports::report;
use crate::imports::validate::{self, Mapping};
use crate::jobs;
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::{AppState, Htmx, render_status, see_other};

/// Problems listed on the page; the CSV has them all.
const PROBLEMS_SHOWN: i64 = 200;

/// The catalog key of an import's state and the badge class it shows with.
pub fn state_label(r: &ImportRow) -> (&'static str, &'static str) {
    match r.state.as_str() {
        "refused" => ("import.state.refused", "badge-warn"),
        "mapping" => ("import.state.mapping", "badge-muted"),
        "validating" => ("import.state.validating", "badge-muted"),
        "validated" if r.blocked => ("import.state.blocked", "badge-warn"),
        "validated" => ("import.state.validated", "badge-muted"),
        "committing" => ("import.state.committing", "badge-muted"),
        "committed" => ("import.state.committed", "badge-ok"),
        "discarded" => ("import.state.discarded", "badge-muted"),
        _ => ("import.state.failed", "badge-warn"),
    }
}

pub struct HeaderOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct MapColumn {
    pub field: &'static str,
    pub label: &'static str,
    pub required: bool,
    pub options: Vec<HeaderOption>,
}

pub struct ChangeView {
    pub record: String,
    pub field: String,
    pub before: String,
    pub after: String,
}

/// The changes a run lists, each value in words as the audit log shows it (a segment by its label,
/// an NPWP punctuated, a count with its separators).
fn change_views(lang: Lang, tz: chrono_tz::Tz, changes: &Value) -> Vec<ChangeView> {
    let Some(list) = changes.as_array() else {
        return Vec::new();
    };
    let words = crate::audit::views::Words::new(lang, Some(tz));
    let null = Value::Null;
    list.iter()
        .map(|c| {
            let field = c.get("field").and_then(Value::as_str).unwrap_or_default();
            let before = c.get("before").unwrap_or(&null);
            let after = c.get("after").unwrap_or(&null);
            let entity = c
                .get("entity")
                .and_then(Value::as_str)
                .and_then(|e| crate::audit::Entity::parse(e).ok());
            ChangeView {
                record: c
                    .get("record")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                field: crate::audit::domain::field_label_key_of(entity, field)
                    .map(|k| lang.t(k).to_owned())
                    .unwrap_or_else(|| field.to_owned()),
                before: words.value(entity, field, before),
                // An empty cell in a column the file has empties the field: said, not a bare dash.
                after: if is_empty(after) && !is_empty(before) {
                    lang.t("import.change.cleared").to_owned()
                } else {
                    words.value(entity, field, after)
                },
            }
        })
        .collect()
}

/// A recorded value that holds nothing: none, an empty text or an empty list.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

pub struct ProblemView {
    pub row: String,
    pub column: String,
    pub value: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "imports/show.html")]
struct ShowPage {
    l: Layout,
    r: ImportRow,
    kind_label: &'static str,
    state_label: &'static str,
    state_class: &'static str,
    refusal: String,
    columns: Vec<MapColumn>,
    /// The file's columns no field takes, comma-separated (empty when every column is used).
    unused: String,
    headers: Vec<String>,
    preview: Vec<Vec<String>>,
    sheets: Vec<(String, bool)>,
    error: Option<String>,
    run: Running,
    problems: Vec<ProblemView>,
    /// The rejected rows can be downloaded to correct (`downloads::rejected`).
    rows_rejected: bool,
    changes: Vec<ChangeView>,
    /// The changes list stops at `repo::MAX_CHANGES_KEPT` fields.
    changes_cut: bool,
    /// The value columns' headings: now and from the file before a commit, before and after it.
    change_labels: (&'static str, &'static str),
    uploaded: String,
}

#[derive(Template)]
#[template(path = "imports/_progress.html")]
struct ProgressPart {
    l: Layout,
    r: ImportRow,
    run: Running,
}

/// Where a running check or commit is, as its progress bar shows it.
#[derive(Clone, Copy, Default)]
pub struct Running {
    pub percent: i64,
    /// The step: its number, how many there are, its label (`report::step_at`).
    pub step: (usize, usize, &'static str),
    /// Seconds since the run reached that step: a long write is seen to go on, not to hang.
    pub seconds: i64,
}

/// The problem's message in the reader's language.
pub fn message(lang: Lang, kind: kind::ImportKind, p: &ProblemRow) -> String {
    report::problem_message(lang, kind::of(kind), &p.message, &p.message_arg)
}

/// The refusal's message in the reader's language.
pub fn refusal_message(lang: Lang, r: &ImportRow) -> String {
    lang.tf(
        &r.refusal,
        &[
            ("value", r.refusal_arg.as_str()),
            ("max_rows", "1.000.000"),
            ("max_mb", "50"),
        ],
    )
}

pub(super) fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn load(state: &AppState, ctx: &Ctx, id: Uuid) -> AppResult<(ImportRow, Running)> {
    let mut tx = ctx.tx(state).await?;
    let r = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let job = jobs::repo::latest_for(&mut tx, id).await?;
    tx.commit().await?;
    let percent = job
        .as_ref()
        .filter(|j| j.total > 0)
        .map(|j| (j.done * 100 / j.total).clamp(0, 100))
        .unwrap_or(0);
    let seconds = job
        .and_then(|j| j.since)
        .map(|t| (state.clock.now() - t).num_seconds().max(0))
        .unwrap_or(0);
    let run = Running {
        percent,
        step: report::step_at(percent, r.state == "validating"),
        seconds,
    };
    Ok((r, run))
}

/// The import's page again, with what stops the request (nothing was changed) at its top.
pub(super) async fn unprocessable(
    state: &AppState,
    ctx: &Ctx,
    r: ImportRow,
    mapping: Option<Mapping>,
    error: String,
) -> AppResult<Response> {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    render_page(
        state,
        ctx,
        r,
        Running::default(),
        mapping,
        Some(error),
        status,
    )
    .await
}

pub(super) async fn render_page(
    state: &AppState,
    ctx: &Ctx,
    r: ImportRow,
    run: Running,
    mapping: Option<Mapping>,
    error: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let kind = kind::of(r.kind);
    let headers = strings(&r.headers);
    let mapping = mapping.unwrap_or_else(|| validate::mapping_of(kind, &r.mapping, headers.len()));
    let columns = kind
        .columns
        .iter()
        .zip(&mapping)
        .map(|(c, m)| {
            let mut options = vec![HeaderOption {
                value: String::new(),
                label: ctx.lang.t("import.not_in_file").to_owned(),
                selected: m.is_none(),
            }];
            options.extend(headers.iter().enumerate().map(|(i, h)| HeaderOption {
                value: i.to_string(),
                label: if h.is_empty() {
                    ctx.lang
                        .tf("import.column_n", &[("n", &(i + 1).to_string())])
                } else {
                    h.clone()
                },
                selected: *m == Some(i),
            }));
            MapColumn {
                field: c.field,
                label: c.label,
                required: c.required,
                options,
            }
        })
        .collect();
    // The file's columns no field takes: their values are not imported, which the admin should see
    // before checking (a column named differently from every field the kind knows, say).
    let unused = headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !h.trim().is_empty() && !mapping.contains(&Some(*i)))
        .map(|(_, h)| h.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let preview = r
        .preview
        .as_array()
        .map(|rows| rows.iter().map(strings).collect())
        .unwrap_or_default();
    let sheets = strings(&r.sheets)
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let chosen = if r.sheet.is_empty() {
                i == 0
            } else {
                s.eq_ignore_ascii_case(&r.sheet)
            };
            (s, chosen)
        })
        .collect();
    let mut rows_rejected = false;
    let problems = if matches!(r.state.as_str(), "validated" | "committed") {
        let mut tx = ctx.tx(state).await?;
        let rows = repo::problems(&mut tx, r.id, Some(PROBLEMS_SHOWN), 0).await?;
        tx.commit().await?;
        // Rows of the file to download and correct (`downloads::rejected`).
        rows_rejected = r.rejected > 0 && !rows.is_empty();
        rows.iter()
            .map(|p| ProblemView {
                row: if p.row_number == 0 {
                    ctx.lang.t("import.whole_file").to_owned()
                } else {
                    ctx.lang.integer(p.row_number as i64)
                },
                column: report::column_name(ctx.lang, &p.column_name),
                value: p.value.clone(),
                message: message(ctx.lang, r.kind, p),
            })
            .collect()
    } else {
        Vec::new()
    };
    let (state_label, state_class) = state_label(&r);
    render_status(
        status,
        &ShowPage {
            l: ctx.layout_titled(format!("{} · {}", ctx.lang.t("import.title"), r.file_name)),
            kind_label: r.kind.label_key(),
            state_label,
            state_class,
            refusal: refusal_message(ctx.lang, &r),
            columns,
            unused,
            headers,
            preview,
            sheets,
            error,
            run,
            problems,
            rows_rejected,
            changes: change_views(ctx.lang, ctx.tenant.tz, &r.changes),
            changes_cut: r.changes.as_array().map_or(0, Vec::len) as i64 >= repo::MAX_CHANGES_KEPT,
            change_labels: if r.state == "committed" {
                ("import.change.was", "import.change.became")
            } else {
                ("import.change.before", "import.change.after")
            },
            uploaded: ctx.lang.datetime(r.created_at, ctx.tenant.tz),
            r,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ImportFiles)?;
    let (r, run) = load(&state, &ctx, id).await?;
    render_page(&state, &ctx, r, run, None, None, StatusCode::OK).await
}

/// The progress bar alone, for htmx to poll; once the run is over, htmx is told to reload the page.
pub async fn progress(
    State(state): State<AppState>,
    ctx: Ctx,
    htmx: Htmx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ImportFiles)?;
    let (r, run) = load(&state, &ctx, id).await?;
    let running = matches!(r.state.as_str(), "validating" | "committing");
    if !running && htmx.request {
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("/admin/imports/{id}")) {
            response.headers_mut().insert("hx-redirect", v);
        }
        return Ok(response);
    }
    if !running {
        return Ok(see_other(&format!("/admin/imports/{id}")));
    }
    render_status(
        StatusCode::OK,
        &ProgressPart {
            l: ctx.layout("import.title"),
            r,
            run,
        },
    )
}
