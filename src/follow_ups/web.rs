//! Follow-up pages: the list (mine or the team's, due this week, overdue, done), add, edit, mark done
//! and reopen.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::Form;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::domain::{Scope, Window, due_state, window_bounds};
use super::repo::{self, FollowUpFields, FollowUpRow, ListFilter};
use crate::audit::{self, Changes, Event};
use crate::employers::domain::optional_date;
use crate::employers::repo as employer_repo;
use crate::employers::web::Choice;
use crate::error::{AppError, AppResult};
use crate::meetings::repo as meeting_repo;
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::forms::{FieldErrors, multiline_text, required_text};
use crate::web::layout::Layout;
use crate::web::stale::StaleEdit;
use crate::web::{AppState, LocalPath, redirect_with_flash, render, render_status};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/follow-ups", get(list))
        .route("/employers/{id}/follow-ups", post(create))
        .route("/employers/{id}/follow-ups/new", get(new))
        .route("/follow-ups/{id}", post(update))
        .route("/follow-ups/{id}/edit", get(edit))
        .route("/follow-ups/{id}/done", post(mark_done))
        .route("/follow-ups/{id}/reopen", post(reopen))
}

/// May this person change a follow-up: whoever may change its employer, and its assignee.
pub fn may_change(ctx: &Ctx, f: &FollowUpRow) -> bool {
    ctx.role.can(Permission::LogMeetings)
        && (crate::employers::may_edit(ctx, f.employer_rm) || f.assignee_id == ctx.user_id.0)
}

/// A follow-up as lists show it.
pub struct FollowUpView {
    pub id: Uuid,
    pub employer_id: Uuid,
    pub employer_name: String,
    pub meeting_id: Option<Uuid>,
    pub title: String,
    pub assignee: String,
    pub due: String,
    pub due_key: &'static str,
    pub due_badge: &'static str,
    pub notes: String,
    pub done: Option<String>,
    pub version: i32,
    pub can_change: bool,
}

pub fn views(l: &Layout, ctx: &Ctx, rows: &[FollowUpRow], today: NaiveDate) -> Vec<FollowUpView> {
    rows.iter()
        .map(|f| {
            let due = due_state(f.due_on, f.done_at.is_some(), today);
            FollowUpView {
                id: f.id,
                employer_id: f.employer_id,
                employer_name: f.employer_name.clone(),
                meeting_id: f.meeting_id,
                title: f.title.clone(),
                assignee: f.assignee_name.clone(),
                due: l.date(&f.due_on),
                due_key: due.label_key(),
                due_badge: due.badge(),
                notes: f.notes.clone(),
                done: f.done_at.map(|at| {
                    format!(
                        "{} · {}",
                        l.day_of(&at),
                        f.done_by_name.clone().unwrap_or_default()
                    )
                }),
                version: f.version,
                can_change: may_change(ctx, f),
            }
        })
        .collect()
}

/// Records a new follow-up in its employer's history.
pub async fn record_created(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    id: Uuid,
    employer: Uuid,
    f: &FollowUpFields,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let assignee = assignee_name(&mut *conn, f.assignee_id).await?;
    let mut changes = Changes::new()
        .created("title", &f.title)
        .created("assignee", assignee)
        .created("due_on", f.due_on);
    if !f.notes.is_empty() {
        changes = changes.created("notes", &f.notes);
    }
    audit::repo::record(
        conn,
        now,
        &ctx.actor(),
        Event::new("follow_up.created", "follow_up", Some(id))
            .with(changes)
            .of_employer(employer),
    )
    .await?;
    Ok(())
}

async fn assignee_name(conn: &mut sqlx::PgConnection, user: Uuid) -> AppResult<String> {
    Ok(
        crate::tenancy::repo::member(conn, crate::auth::domain::UserId(user))
            .await?
            .map(|m| m.name)
            .unwrap_or_default(),
    )
}

// The list ----------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    when: Option<String>,
    #[serde(default)]
    person: Option<String>,
    #[serde(default)]
    page: Option<i64>,
}

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "follow_ups/index.html")]
struct ListPage {
    l: Layout,
    scope: &'static str,
    when: &'static str,
    person: String,
    scopes: Vec<Choice>,
    windows: Vec<Choice>,
    people: Vec<Choice>,
    rows: Vec<FollowUpView>,
    page: i64,
    more: bool,
}

impl ListPage {
    fn href(&self, scope: &str, when: &str, page: impl std::borrow::Borrow<i64>) -> String {
        let page = *page.borrow();
        let mut s = format!("/follow-ups?scope={scope}&when={when}");
        if !self.person.is_empty() {
            s.push_str("&person=");
            s.push_str(&self.person);
        }
        if page > 1 {
            s.push_str(&format!("&page={page}"));
        }
        s
    }
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let today = ctx.today(state.clock.now());
    let team_allowed =
        ctx.role.can(Permission::EditAnyRecord) || ctx.role == crate::tenancy::domain::Role::Viewer;
    let scope = q
        .scope
        .as_deref()
        .and_then(|s| Scope::parse(s).ok())
        .filter(|s| *s == Scope::Mine || team_allowed)
        .unwrap_or(if ctx.role.can(Permission::LogMeetings) {
            Scope::Mine
        } else {
            Scope::Team
        });
    let when = q
        .when
        .as_deref()
        .and_then(|w| Window::parse(w).ok())
        .unwrap_or(Window::Open);
    let person = q
        .person
        .as_deref()
        .and_then(|p| p.trim().parse::<Uuid>().ok())
        .filter(|_| scope == Scope::Team);
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let (due_until, done) = window_bounds(when, today);
    let filter = ListFilter {
        assignee: match scope {
            Scope::Mine => Some(ctx.user_id.0),
            Scope::Team => person,
        },
        due_until,
        done,
    };
    let mut tx = ctx.tx(&state).await?;
    let mut rows = repo::list(&mut tx, &filter, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE).await?;
    let lists = state.directory.lists(&mut tx, ctx.tenant.id).await?;
    tx.commit().await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let l = ctx.layout("nav.follow_ups");
    let pick = |all: &[(&'static str, &'static str)], chosen: &str| -> Vec<Choice> {
        all.iter()
            .map(|(code, key)| Choice {
                value: (*code).into(),
                label: l.t(key).into(),
                selected: *code == chosen,
            })
            .collect()
    };
    let scopes: Vec<_> = Scope::ALL
        .iter()
        .filter(|s| **s == Scope::Mine || team_allowed)
        .map(|s| (s.as_str(), s.label_key()))
        .collect();
    let windows: Vec<_> = Window::ALL
        .iter()
        .map(|w| (w.as_str(), w.label_key()))
        .collect();
    let person_text = person.map(|p| p.to_string()).unwrap_or_default();
    render(&ListPage {
        scopes: pick(&scopes, scope.as_str()),
        windows: pick(&windows, when.as_str()),
        people: lists
            .people
            .iter()
            .map(|u| Choice {
                value: u.id.to_string(),
                label: u.name.clone(),
                selected: person_text == u.id.to_string(),
            })
            .collect(),
        rows: views(&l, &ctx, &rows, today),
        l,
        scope: scope.as_str(),
        when: when.as_str(),
        person: person_text,
        page,
        more,
    })
}

// Add and edit ------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct FollowUpForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    meeting: String,
    #[serde(default)]
    version: i32,
}

impl FollowUpForm {
    fn parse(&self, errors: &mut FieldErrors) -> Option<FollowUpFields> {
        let title = errors.check("title", required_text(&self.title, 300));
        let assignee = errors.check(
            "assignee",
            self.assignee
                .trim()
                .parse::<Uuid>()
                .map_err(|_| "follow_up.assignee_invalid"),
        );
        let due = errors.check(
            "due_on",
            optional_date(&self.due_on).and_then(|d| d.ok_or("error.required")),
        );
        let notes = errors.check("notes", multiline_text(&self.notes, 5000));
        Some(FollowUpFields {
            title: title?,
            assignee_id: assignee?,
            due_on: due?,
            notes: notes?,
        })
    }
}

#[derive(Template)]
#[template(path = "follow_ups/form.html")]
struct FormPage {
    l: Layout,
    id: Option<Uuid>,
    employer_id: Uuid,
    employer_name: String,
    f: FollowUpForm,
    errors: FieldErrors,
    stale: Option<StaleEdit>,
    assignees: Vec<Choice>,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    id: Option<Uuid>,
    employer_id: Uuid,
    employer_name: String,
    f: FollowUpForm,
    errors: FieldErrors,
    stale: Option<StaleEdit>,
) -> AppResult<FormPage> {
    let lists = state.directory.lists(conn, ctx.tenant.id).await?;
    Ok(FormPage {
        assignees: lists
            .people
            .iter()
            .map(|u| Choice {
                value: u.id.to_string(),
                label: u.name.clone(),
                selected: f.assignee.trim() == u.id.to_string(),
            })
            .collect(),
        l: ctx.layout(if id.is_some() {
            "follow_up.edit"
        } else {
            "follow_up.new"
        }),
        id,
        employer_id,
        employer_name,
        f,
        errors,
        stale,
    })
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    meeting: Option<String>,
}

async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(employer): Path<Uuid>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::LogMeetings)?;
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let e = employer_repo::find(&mut tx, employer)
        .await?
        .ok_or(AppError::NotFound)?;
    if !crate::employers::may_edit(&ctx, e.rm_id) {
        return Err(AppError::Forbidden);
    }
    let f = FollowUpForm {
        assignee: ctx.user_id.0.to_string(),
        due_on: (ctx.today(now) + chrono::Days::new(7)).to_string(),
        meeting: q.meeting.unwrap_or_default(),
        ..FollowUpForm::default()
    };
    let page = form_page(
        &state,
        &mut tx,
        &ctx,
        None,
        employer,
        e.name,
        f,
        FieldErrors::default(),
        None,
    )
    .await?;
    tx.commit().await?;
    render(&page)
}

/// The meeting a new follow-up comes from must be one of the same employer.
async fn meeting_of(
    conn: &mut sqlx::PgConnection,
    employer: Uuid,
    raw: &str,
) -> AppResult<Option<Uuid>> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let id: Uuid = raw.trim().parse().map_err(|_| AppError::NotFound)?;
    match meeting_repo::find(conn, id).await? {
        Some(m) if m.employer_id == employer => Ok(Some(id)),
        _ => Err(AppError::NotFound),
    }
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(employer): Path<Uuid>,
    Form(form): Form<FollowUpForm>,
) -> AppResult<Response> {
    ctx.require(Permission::LogMeetings)?;
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let e = employer_repo::find(&mut tx, employer)
        .await?
        .ok_or(AppError::NotFound)?;
    if !crate::employers::may_edit(&ctx, e.rm_id) {
        return Err(AppError::Forbidden);
    }
    let meeting = meeting_of(&mut tx, employer, &form.meeting).await?;
    let mut errors = FieldErrors::default();
    let fields = form.parse(&mut errors);
    if let Some(f) = &fields
        && meeting_repo::enabled_members(&mut tx, &[f.assignee_id])
            .await?
            .is_empty()
    {
        errors.add("assignee", "follow_up.assignee_invalid");
    }
    let Some(fields) = fields.filter(|_| errors.is_empty()) else {
        tx.rollback().await?;
        let mut tx = ctx.tx(&state).await?;
        let page = form_page(
            &state, &mut tx, &ctx, None, employer, e.name, form, errors, None,
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let id = Uuid::new_v4();
    repo::insert(&mut tx, id, employer, meeting, &fields, ctx.user_id.0, now).await?;
    record_created(&mut tx, &ctx, id, employer, &fields, now).await?;
    tx.commit().await?;
    let to = match meeting {
        Some(m) => format!("/meetings/{m}"),
        None => format!("/employers/{employer}#follow-ups"),
    };
    Ok(redirect_with_flash(&to, true, "follow_up.created"))
}

async fn changeable(conn: &mut sqlx::PgConnection, ctx: &Ctx, id: Uuid) -> AppResult<FollowUpRow> {
    let f = repo::find(conn, id).await?.ok_or(AppError::NotFound)?;
    if !may_change(ctx, &f) {
        return Err(AppError::Forbidden);
    }
    Ok(f)
}

/// What an edit changes, field by field, as the audit trail records it (people by name).
async fn changes_between(
    conn: &mut sqlx::PgConnection,
    old: &FollowUpRow,
    new: &FollowUpFields,
) -> AppResult<Changes> {
    let new_assignee = assignee_name(conn, new.assignee_id).await?;
    Ok(Changes::new()
        .field("title", old.title.as_str(), new.title.as_str())
        .field(
            "assignee",
            old.assignee_name.as_str(),
            new_assignee.as_str(),
        )
        .field("due_on", old.due_on, new.due_on)
        .field("notes", old.notes.as_str(), new.notes.as_str()))
}

fn form_of(f: &FollowUpRow) -> FollowUpForm {
    FollowUpForm {
        title: f.title.clone(),
        assignee: f.assignee_id.to_string(),
        due_on: f.due_on.to_string(),
        notes: f.notes.clone(),
        meeting: f.meeting_id.map(|m| m.to_string()).unwrap_or_default(),
        version: f.version,
    }
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut tx = ctx.tx(&state).await?;
    let f = changeable(&mut tx, &ctx, id).await?;
    let page = form_page(
        &state,
        &mut tx,
        &ctx,
        Some(id),
        f.employer_id,
        f.employer_name.clone(),
        form_of(&f),
        FieldErrors::default(),
        None,
    )
    .await?;
    tx.commit().await?;
    render(&page)
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<FollowUpForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let old = changeable(&mut tx, &ctx, id).await?;
    let mut errors = FieldErrors::default();
    let fields = form.parse(&mut errors);
    if let Some(f) = &fields
        && f.assignee_id != old.assignee_id
        && meeting_repo::enabled_members(&mut tx, &[f.assignee_id])
            .await?
            .is_empty()
    {
        errors.add("assignee", "follow_up.assignee_invalid");
    }
    let saved = match fields.as_ref().filter(|_| errors.is_empty()) {
        Some(f) => Some(repo::update(&mut tx, id, f, form.version, now).await?),
        None => None,
    };
    match saved {
        Some(true) => {}
        stale_or_invalid => {
            tx.rollback().await?;
            let mut tx = ctx.tx(&state).await?;
            // Someone saved first: the form as typed, on top of the saved version, with the fields
            // where the two differ. Nothing of this edit is written.
            let (form, stale) = match (stale_or_invalid, &fields) {
                (Some(false), Some(yours)) => {
                    let current = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
                    let differences = changes_between(&mut tx, &current, yours).await?;
                    let form = FollowUpForm {
                        version: current.version,
                        ..form
                    };
                    (form, Some(StaleEdit::new(ctx.lang, differences)))
                }
                _ => (form, None),
            };
            let status = if stale.is_some() {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let page = form_page(
                &state,
                &mut tx,
                &ctx,
                Some(id),
                old.employer_id,
                old.employer_name,
                form,
                errors,
                stale,
            )
            .await?;
            return render_status(status, &page);
        }
    }
    let f = fields.expect("saved fields exist");
    let changes = changes_between(&mut tx, &old, &f).await?;
    if !changes.is_empty() {
        audit::repo::record(
            &mut tx,
            now,
            &ctx.actor(),
            Event::new("follow_up.updated", "follow_up", Some(id))
                .with(changes)
                .of_employer(old.employer_id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{}#follow-ups", old.employer_id),
        true,
        "follow_up.saved",
    ))
}

#[derive(Deserialize)]
struct DoneForm {
    version: i32,
    #[serde(default)]
    back: String,
}

async fn mark_done(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<DoneForm>,
) -> AppResult<Response> {
    set_done(&state, &ctx, id, true, form).await
}

async fn reopen(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<DoneForm>,
) -> AppResult<Response> {
    set_done(&state, &ctx, id, false, form).await
}

async fn set_done(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    done: bool,
    form: DoneForm,
) -> AppResult<Response> {
    let now = state.clock.now();
    let back = LocalPath::parse(&form.back);
    let mut tx = ctx.tx(state).await?;
    let f = changeable(&mut tx, ctx, id).await?;
    let by = done.then_some(ctx.user_id.0);
    if !repo::set_done(&mut tx, id, by, form.version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    let action = if done {
        "follow_up.done"
    } else {
        "follow_up.reopened"
    };
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(action, "follow_up", Some(id))
            .with(Changes::new().field("done", !done, done))
            .of_employer(f.employer_id),
    )
    .await?;
    tx.commit().await?;
    let to = back.map_or_else(
        || format!("/employers/{}#follow-ups", f.employer_id),
        |b| b.to_string(),
    );
    let flash = if done {
        "follow_up.marked_done"
    } else {
        "follow_up.reopened"
    };
    Ok(redirect_with_flash(&to, true, flash))
}
