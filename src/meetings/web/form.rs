//! The meeting form: plan or log a new meeting, complete a planned one, or edit one. Saving is in
//! `save`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use uuid::Uuid;

use super::changeable;
use super::pick::{NewQuery, pick_employer};
use crate::employers::service as employer_service;
use crate::error::{AppError, AppResult};
use crate::key_persons::domain::Level;
use crate::key_persons::repo as kp_repo;
use crate::meetings::domain::{Channel, Kind, Sentiment, Status, Topic, local_input};
use crate::meetings::form::MeetingForm;
use crate::meetings::policy;
use crate::meetings::repo::{self, Pick};
use crate::meetings::views::person_label;
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::forms::FieldErrors;
use crate::web::layout::Layout;
use crate::web::stale::StaleEdit;
use crate::web::{AppState, Choice, Htmx, LocalPath, render};

/// What the form page is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    New,
    Complete,
    Edit,
}

#[derive(Template)]
#[template(path = "meetings/form.html")]
pub struct FormPage {
    l: Layout,
    mode: Mode,
    /// None for a new meeting.
    id: Option<Uuid>,
    employer_id: Uuid,
    employer_name: String,
    f: MeetingForm,
    errors: FieldErrors,
    stale: Option<StaleEdit>,
    /// Whether the status may still be chosen (a new meeting: plan or log).
    choose_status: bool,
    /// The employer's planned meetings (id, local start), offered before logging a new one: recording
    /// a plan's outcome keeps plans from piling up beside duplicates.
    planned: Vec<(Uuid, String)>,
    people: Vec<Choice>,
    staff: Vec<Choice>,
    kinds: Vec<Choice>,
    channels: Vec<Choice>,
    /// `Kind::channels_json`, for the script that keeps the channel consistent with the kind.
    kind_channels: String,
    topics: Vec<Choice>,
    sentiments: Vec<Choice>,
    levels: Vec<Choice>,
    assignees: Vec<Choice>,
}

/// The meeting a form is for.
pub struct Of {
    pub mode: Mode,
    /// None for a new meeting.
    pub id: Option<Uuid>,
    pub employer_id: Uuid,
    pub employer_name: String,
}

impl FormPage {
    fn held(&self) -> bool {
        self.f.status == Status::Held.as_str()
    }

    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/meetings/{id}"),
            None => "/meetings".to_owned(),
        }
    }

    fn opens_details(&self) -> bool {
        !self.f.location.is_empty()
            || !self.f.outcomes.is_empty()
            || self.errors.get("location").is_some()
            || self.errors.get("outcomes").is_some()
            || self.errors.get("staff").is_some()
    }

    /// The form with its options: the employer's current people (and anyone the form names, who may
    /// have left since), the tenant's people for staff and the follow-up.
    pub async fn build(
        state: &AppState,
        conn: &mut sqlx::PgConnection,
        ctx: &Ctx,
        of: Of,
        f: MeetingForm,
        errors: FieldErrors,
        stale: Option<StaleEdit>,
    ) -> AppResult<FormPage> {
        let l = ctx.layout(match of.mode {
            Mode::New if f.status == Status::Planned.as_str() => "meeting.plan",
            Mode::New => "meeting.new",
            Mode::Complete => "meeting.complete",
            Mode::Edit => "meeting.edit",
        });
        let people = kp_repo::for_employer(&mut *conn, of.employer_id).await?;
        let lists = state.directory.lists(conn, ctx.tenant.id).await?;
        let picked = |list: &[String], id: Uuid| list.iter().any(|s| s.trim() == id.to_string());
        let people = people
            .iter()
            .filter(|p| {
                p.archived_at.is_none()
                    && p.erased_at.is_none()
                    && (p.left_on.is_none() || picked(&f.attendees, p.id))
            })
            .map(|p| Choice {
                value: p.id.to_string(),
                label: person_label(
                    &l,
                    &p.fields.full_name,
                    &p.fields.position_title,
                    p.fields.level,
                ),
                selected: picked(&f.attendees, p.id),
            })
            .collect();
        Ok(FormPage {
            kinds: Choice::of::<Kind>(l.lang, &f.kind),
            channels: Choice::of::<Channel>(l.lang, &f.channel),
            kind_channels: Kind::channels_json(),
            topics: Choice::of_many::<Topic>(l.lang, &f.topics),
            sentiments: Choice::of::<Sentiment>(l.lang, &f.sentiment),
            levels: Choice::of::<Level>(l.lang, &f.new_person_level),
            staff: lists.people_choices(|id| picked(&f.staff, id)),
            assignees: lists.people_choices(|id| f.follow_up_assignee.trim() == id.to_string()),
            choose_status: of.mode == Mode::New,
            planned: Vec::new(),
            people,
            l,
            mode: of.mode,
            id: of.id,
            employer_id: of.employer_id,
            employer_name: of.employer_name,
            f,
            errors,
            stale,
        })
    }
}

/// `/meetings/new`: the form for the employer given, or the employer picker.
pub async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    htmx: Htmx,
    Query(query): Query<NewQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::LogMeetings)?;
    // A new meeting is logged as held unless it is being planned.
    let status = match query.status.as_deref().map(Status::parse) {
        Some(Ok(Status::Planned)) => Status::Planned,
        _ => Status::Held,
    };
    let Some(employer) = query
        .employer
        .as_deref()
        .and_then(|s| s.trim().parse::<Uuid>().ok())
    else {
        return pick_employer(&state, &ctx, htmx, query, status).await;
    };
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let may = |rm| policy::may_log_for(ctx.who(), rm);
    let e = employer_service::checked(&mut tx, employer, may).await?;
    let f = MeetingForm {
        // Where to go after saving: the page the form was opened from, else the meeting's own.
        back: LocalPath::carried(query.back.as_deref()),
        ..MeetingForm::new_for(employer, status, ctx.user_id.0, now, ctx.tenant.tz)
    };
    let of = Of {
        mode: Mode::New,
        id: None,
        employer_id: employer,
        employer_name: e.fields.name,
    };
    let mut page =
        FormPage::build(&state, &mut tx, &ctx, of, f, FieldErrors::default(), None).await?;
    if status == Status::Held {
        // Only when and which: the offer to record a plan's outcome names no attendees.
        let planned = repo::for_employer(&mut tx, employer, Pick::Planned(3), &[]).await?;
        page.planned = planned
            .iter()
            .map(|m| (m.id, page.l.datetime(&m.fields.starts_at)))
            .collect();
    }
    tx.commit().await?;
    render(&page)
}

async fn edit_page(state: &AppState, ctx: &Ctx, id: Uuid, mode: Mode) -> AppResult<Response> {
    let now = state.clock.now();
    let tz = ctx.tenant.tz;
    let mut tx = ctx.tx(state).await?;
    let m = changeable(&mut tx, ctx, id).await?;
    if mode == Mode::Complete && m.fields.status != Status::Planned {
        return Err(AppError::Conflict("meeting.not_planned"));
    }
    let mut f = MeetingForm::of(&m, tz).with_extras_for(ctx.user_id.0, now, tz);
    if mode == Mode::Complete {
        f.status = Status::Held.as_str().into();
        // A meeting completed later than planned keeps its planned start; one completed early
        // (it happened ahead of time) starts now.
        if m.fields.starts_at > now {
            f.starts_at = local_input(now, tz);
        }
    }
    let of = Of {
        mode,
        id: Some(id),
        employer_id: m.employer_id,
        employer_name: m.employer_name,
    };
    let page = FormPage::build(state, &mut tx, ctx, of, f, FieldErrors::default(), None).await?;
    tx.commit().await?;
    render(&page)
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    edit_page(&state, &ctx, id, Mode::Edit).await
}

pub async fn complete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    edit_page(&state, &ctx, id, Mode::Complete).await
}
