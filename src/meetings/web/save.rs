//! Saving the meeting form: a new meeting, or an edit (completing a planned one is an edit that makes
//! it held). The form's new key person and follow-up are saved in the same transaction, through
//! their own modules; the employer's cadence marks are recounted before the commit.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::changeable;
use super::form::{FormPage, Mode, Of};
use crate::audit::{self, Action, Changes, Entity, Event};
use crate::employers::repo as employer_repo;
use crate::employers::service as employer_service;
use crate::error::{AppError, AppResult};
use crate::follow_ups::domain::FollowUpFields;
use crate::follow_ups::service as follow_up_service;
use crate::key_persons::domain::KeyPersonFields;
use crate::key_persons::service as key_person_service;
use crate::meetings::domain::{self, MeetingFields, Recorded, Status};
use crate::meetings::form::{MeetingForm, MeetingInput, NewPerson};
use crate::meetings::policy;
use crate::meetings::repo::{self, Attendable};
use crate::tenancy::domain::Permission;
use crate::tenancy::repo::{self as tenancy_repo, PersonName};
use crate::web::extract::Ctx;
use crate::web::forms::FieldErrors;
use crate::web::stale::StaleEdit;
use crate::web::{AppState, Form, LocalPath, redirect_with_flash, render_status};

/// Checks the people the form names against the employer and the tenant: `attendees` are the ones
/// the employer allows, of those the form asked for. Returns the agency's attendees with their names.
async fn check_people(
    conn: &mut sqlx::PgConnection,
    attendees: &[Attendable],
    input: &MeetingInput,
    errors: &mut FieldErrors,
) -> AppResult<Vec<PersonName>> {
    if attendees.len() != input.fields.attendees.len() {
        // Another employer's or tenant's person, or one archived meanwhile.
        errors.add("attendees", "meeting.attendee_invalid");
    }
    let staff = tenancy_repo::enabled_people(&mut *conn, &input.fields.staff).await?;
    if staff.len() != input.fields.staff.len() {
        errors.add("staff", "meeting.staff_invalid");
    }
    if let Some(f) = &input.follow_up
        && tenancy_repo::enabled_people(&mut *conn, &[f.assignee_id])
            .await?
            .is_empty()
    {
        errors.add("follow_up_assignee", "follow_up.assignee_invalid");
    }
    Ok(staff)
}

/// Adds the form's new key person to the employer (through the key-person module, audited there) and
/// returns them as an attendee.
async fn add_new_person(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    employer: Uuid,
    person: &NewPerson,
    now: DateTime<Utc>,
) -> AppResult<Attendable> {
    let id = Uuid::new_v4();
    let fields = KeyPersonFields::met_at_meeting(
        person.full_name.clone(),
        person.position_title.clone(),
        person.level,
        ctx.lang.t("meeting.new_person_source").to_owned(),
    );
    key_person_service::create(conn, &ctx.actor(), employer, id, &fields, now).await?;
    Ok(Attendable {
        id,
        level: fields.level,
        full_name: fields.full_name,
    })
}

/// The meeting as its history records it, with these attendees and staff.
fn recorded<'a>(
    fields: &'a MeetingFields,
    ctx: &Ctx,
    attendees: &[Attendable],
    staff: &[PersonName],
) -> Recorded<'a> {
    Recorded::new(
        fields,
        ctx.tenant.tz,
        attendees.iter().map(|p| p.full_name.clone()).collect(),
        staff.iter().map(|s| s.name.clone()).collect(),
    )
}

/// The form again, as typed, with the messages beside the fields (422). Nothing of it was kept.
async fn form_again(
    state: &AppState,
    ctx: &Ctx,
    mode: Mode,
    id: Option<Uuid>,
    employer: Uuid,
    form: MeetingForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let mut tx = ctx.tx(state).await?;
    let e = employer_repo::find(&mut tx, employer)
        .await?
        .ok_or(AppError::NotFound)?;
    let of = Of {
        mode,
        id,
        employer_id: employer,
        employer_name: e.fields.name,
    };
    let page = FormPage::build(state, &mut tx, ctx, of, form, errors, None).await?;
    tx.commit().await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<MeetingForm>,
) -> AppResult<Response> {
    ctx.require(Permission::LogMeetings)?;
    let now = state.clock.now();
    let employer: Uuid = form
        .employer_id
        .trim()
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let (input, mut errors) = FieldErrors::split(MeetingInput::try_from(ctx.submitted(&form, now)));
    let asked: &[Uuid] = input.as_ref().map_or(&[], |p| &p.fields.attendees);
    let mut tx = ctx.tx(&state).await?;
    let (rm, mut attendees) = repo::lock_employer_and_attendable(&mut tx, employer, asked)
        .await?
        .ok_or(AppError::NotFound)?;
    if !policy::may_log_for(ctx.who(), rm) {
        return Err(AppError::Forbidden);
    }
    let mut staff = Vec::new();
    if let Some(p) = &input {
        staff = check_people(&mut tx, &attendees, p, &mut errors).await?;
    }
    let Some(input) = input.filter(|_| errors.is_empty()) else {
        tx.rollback().await?;
        return form_again(&state, &ctx, Mode::New, None, employer, form, errors).await;
    };
    let id = Uuid::new_v4();
    if let Some(person) = &input.new_person {
        attendees.push(add_new_person(&mut tx, &ctx, employer, person, now).await?);
    }
    let decision_level = domain::has_decision_level(attendees.iter().map(|a| a.level));
    let fields = &input.fields;
    repo::insert(
        &mut tx,
        id,
        employer,
        fields,
        &attendees,
        decision_level,
        ctx.user_id.0,
        now,
    )
    .await?;
    let changes = Changes::created_with(&recorded(fields, &ctx, &attendees, &staff));
    let (action, flash) = if fields.status == Status::Held {
        (Action::MeetingLogged, "meeting.logged")
    } else {
        (Action::MeetingPlanned, "meeting.planned")
    };
    let saved = Saved {
        id,
        employer,
        action,
        changes,
        flash,
    };
    finish(tx, &ctx, saved, input.follow_up.as_ref(), &form.back, now).await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<MeetingForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let m = changeable(&mut tx, &ctx, id).await?;
    let employer = m.employer_id;
    employer_repo::lock_open(&mut tx, employer)
        .await?
        .ok_or(AppError::NotFound)?;
    let was = m.fields.status;
    let (mut input, mut errors) =
        FieldErrors::split(MeetingInput::try_from(ctx.submitted(&form, now)));
    if let Some(p) = &input
        && !was.may_become(p.fields.status)
    {
        errors.add("status", "meeting.status_invalid");
        input = None;
    }
    let mode = if was == Status::Planned && form.status == Status::Held.as_str() {
        Mode::Complete
    } else {
        Mode::Edit
    };
    let (mut attendees, mut staff) = (Vec::new(), Vec::new());
    if let Some(p) = &input {
        let asked = &p.fields.attendees;
        attendees = repo::attendable(&mut tx, employer, asked, &m.fields.attendees).await?;
        staff = check_people(&mut tx, &attendees, p, &mut errors).await?;
    }
    // People who stay on the list keep the level they had at the meeting.
    for a in &mut attendees {
        if let Some(before) = m.attendees.iter().find(|b| b.id == a.id) {
            a.level = before.level;
        }
    }
    let Some(input) = input.filter(|_| errors.is_empty()) else {
        tx.rollback().await?;
        return form_again(&state, &ctx, mode, Some(id), employer, form, errors).await;
    };
    if let Some(person) = &input.new_person {
        attendees.push(add_new_person(&mut tx, &ctx, employer, person, now).await?);
    }
    let fields = &input.fields;
    let decision_level = domain::has_decision_level(attendees.iter().map(|a| a.level));
    if !repo::update(&mut tx, id, fields, decision_level, form.version, now).await? {
        let yours = fields.clone();
        let (names, staff_names) = attendee_names(&attendees, &staff);
        tx.rollback().await?;
        return stale(&state, &ctx, id, mode, form, (yours, names, staff_names)).await;
    }
    repo::remove_attendees(&mut tx, id).await?;
    repo::add_attendees(&mut tx, id, employer, &attendees).await?;
    repo::add_staff(&mut tx, id, &fields.staff).await?;
    let before = Recorded::new(
        &m.fields,
        ctx.tenant.tz,
        m.attendees.iter().map(|a| a.name.clone()).collect(),
        m.staff.iter().map(|s| s.name.clone()).collect(),
    );
    let changes = Changes::between(&before, &recorded(fields, &ctx, &attendees, &staff));
    let (action, flash) = if mode == Mode::Complete {
        (Action::MeetingCompleted, "meeting.logged")
    } else {
        (Action::MeetingUpdated, "meeting.saved")
    };
    let saved = Saved {
        id,
        employer,
        action,
        changes,
        flash,
    };
    finish(tx, &ctx, saved, input.follow_up.as_ref(), &form.back, now).await
}

/// The attendees' and staff's names, for the audit trail.
fn attendee_names(people: &[Attendable], staff: &[PersonName]) -> (Vec<String>, Vec<String>) {
    (
        people.iter().map(|p| p.full_name.clone()).collect(),
        staff.iter().map(|s| s.name.clone()).collect(),
    )
}

/// Someone else saved first (409): nothing of this edit is written. The form comes back as typed, on
/// top of the saved version, with the fields where the two differ (`yours`: this edit's fields and
/// people's names).
async fn stale(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    mode: Mode,
    form: MeetingForm,
    yours: (MeetingFields, Vec<String>, Vec<String>),
) -> AppResult<Response> {
    let mut tx = ctx.tx(state).await?;
    let m = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let tz = ctx.tenant.tz;
    let saved = Recorded::new(
        &m.fields,
        tz,
        m.attendees.iter().map(|a| a.name.clone()).collect(),
        m.staff.iter().map(|s| s.name.clone()).collect(),
    );
    let (fields, people, staff) = yours;
    let differences = Changes::between(&saved, &Recorded::new(&fields, tz, people, staff));
    let f = MeetingForm {
        version: m.version,
        ..form
    };
    let of = Of {
        mode: if m.fields.status == Status::Planned {
            mode
        } else {
            Mode::Edit
        },
        id: Some(id),
        employer_id: m.employer_id,
        employer_name: m.employer_name,
    };
    let stale = Some(StaleEdit::new(ctx.lang, differences));
    let page = FormPage::build(state, &mut tx, ctx, of, f, FieldErrors::default(), stale).await?;
    tx.commit().await?;
    render_status(StatusCode::CONFLICT, &page)
}

/// What a saved form leaves to record.
struct Saved {
    id: Uuid,
    employer: Uuid,
    action: Action,
    changes: Changes,
    flash: &'static str,
}

/// The common end of saving a meeting: its audit event (when something changed), the form's
/// follow-up, the employer's cadence marks, commit, and back to where the form was opened from.
async fn finish(
    mut tx: crate::db::Tx,
    ctx: &Ctx,
    saved: Saved,
    follow_up: Option<&FollowUpFields>,
    back: &str,
    now: DateTime<Utc>,
) -> AppResult<Response> {
    let Saved {
        id,
        employer,
        action,
        changes,
        flash,
    } = saved;
    let actor = ctx.actor();
    if !changes.is_empty() {
        audit::repo::record(
            &mut tx,
            now,
            &actor,
            Event::new(action, Entity::Meeting, Some(id))
                .with(changes)
                .of_employer(employer),
        )
        .await?;
    }
    if let Some(f) = follow_up {
        let me = ctx.user_id.0;
        follow_up_service::create(&mut tx, &actor, employer, Some(id), f, me, now).await?;
    }
    employer_service::refresh_cadence(&mut tx, &actor, employer, ctx.tenant.tz, now).await?;
    tx.commit().await?;
    let to = LocalPath::or(Some(back), &format!("/meetings/{id}"));
    Ok(redirect_with_flash(to.as_str(), true, flash))
}
