//! Meeting pages: pick an employer, plan or log a meeting (with a new key person and a follow-up in
//! the same form), the meeting page, complete, cancel, edit, archive and restore.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::Form;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::domain::{
    self, Channel, Duration, Kind, Month, Sentiment, Status, Topic, check_start, local_input,
    parse_local,
};
use super::repo::{self, Candidate, MeetingFields, MeetingRow, Member};
use crate::audit::{self, Changes, Event};
use crate::employers::domain::{SearchTerm, optional_date};
use crate::employers::repo::{self as employer_repo, ListFilter, ListRow, Sort};
use crate::employers::web::Choice;
use crate::error::{AppError, AppResult};
use crate::follow_ups::repo::{self as follow_up_repo, FollowUpFields};
use crate::key_persons::domain::Level;
use crate::key_persons::repo::{self as kp_repo, KeyPersonFields};
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::forms::{
    FieldErrors, VersionForm, multiline_text, optional_text, required_multiline, required_text,
};
use crate::web::layout::Layout;
use crate::web::stale::StaleEdit;
use crate::web::{AppState, LocalPath, redirect_with_flash, render, render_status};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings", post(create))
        .route("/meetings/new", get(new))
        .route("/meetings/{id}", get(show).post(update))
        .route("/meetings/{id}/edit", get(edit))
        .route("/meetings/{id}/complete", get(complete))
        .route("/meetings/{id}/cancel", post(cancel))
        .route("/meetings/{id}/archive", post(archive))
        .route("/meetings/{id}/restore", post(restore))
        .route("/employers/{id}/brief", get(super::brief::brief))
}

/// May this person change a meeting logged by `logged_by`? Supervisors and admins any; RMs the
/// meetings they logged (SPEC §2).
pub fn may_change(ctx: &Ctx, logged_by: Uuid) -> bool {
    ctx.role.can(Permission::EditAnyRecord)
        || (ctx.role.can(Permission::LogMeetings) && logged_by == ctx.user_id.0)
}

/// May this person log or plan a meeting with an employer assigned to `rm`?
pub fn may_log_for(ctx: &Ctx, rm: Option<Uuid>) -> bool {
    ctx.role.can(Permission::LogMeetings) && crate::employers::may_edit(ctx, rm)
}

// The form ----------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(crate) struct MeetingForm {
    #[serde(default)]
    employer_id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    duration: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    attendees: Vec<String>,
    #[serde(default)]
    staff: Vec<String>,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    outcomes: String,
    #[serde(default)]
    commitments: String,
    #[serde(default)]
    sentiment: String,
    /// A key person to add to the employer and to this meeting's attendees, in the same save.
    #[serde(default)]
    new_person_name: String,
    #[serde(default)]
    new_person_title: String,
    #[serde(default)]
    new_person_level: String,
    /// A follow-up to create from this meeting's commitments.
    #[serde(default)]
    follow_up_title: String,
    #[serde(default)]
    follow_up_assignee: String,
    #[serde(default)]
    follow_up_due_on: String,
    #[serde(default)]
    back: String,
    #[serde(default)]
    version: i32,
}

/// A key person typed into the meeting form.
struct NewPerson {
    full_name: String,
    position_title: String,
    level: Level,
}

/// Everything a valid form asks for.
struct Parsed {
    fields: MeetingFields,
    new_person: Option<NewPerson>,
    follow_up: Option<FollowUpFields>,
}

fn uuids(raw: &[String]) -> Result<Vec<Uuid>, &'static str> {
    let mut ids = raw
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<Uuid>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "meeting.attendee_invalid")?;
    ids.sort();
    ids.dedup();
    Ok(ids)
}

impl MeetingForm {
    /// Converts every field and reports every problem at once. `allowed` lists the statuses this form
    /// may save (new: planned or held; completing: held; editing: the current one, or held for a
    /// planned meeting).
    fn parse(
        &self,
        errors: &mut FieldErrors,
        allowed: &[Status],
        now: DateTime<Utc>,
        tz: chrono_tz::Tz,
    ) -> Option<Parsed> {
        let status = errors.check(
            "status",
            Status::parse(&self.status).and_then(|s| {
                if allowed.contains(&s) {
                    Ok(s)
                } else {
                    Err("meeting.status_invalid")
                }
            }),
        );
        let starts_at = errors.check("starts_at", parse_local(&self.starts_at, tz));
        if let (Some(s), Some(at)) = (status, starts_at) {
            errors.check("starts_at", check_start(s, at, now, tz));
        }
        let duration = errors.check("duration", Duration::parse(&self.duration));
        let kind = errors.check("kind", Kind::parse(&self.kind));
        let channel = errors.check("channel", Channel::parse(&self.channel));
        let location = errors.check("location", optional_text(&self.location, 300));
        let topics = errors.check(
            "topics",
            self.topics
                .iter()
                .map(|t| Topic::parse(t).map(|t| t.as_str().to_owned()))
                .collect::<Result<Vec<_>, _>>(),
        );
        let held = status == Some(Status::Held);
        let summary = errors.check(
            "summary",
            if held {
                required_multiline(&self.summary, 5000).map_err(|e| {
                    if e == "error.required" {
                        "meeting.summary_required"
                    } else {
                        e
                    }
                })
            } else {
                multiline_text(&self.summary, 5000)
            },
        );
        let outcomes = errors.check("outcomes", multiline_text(&self.outcomes, 5000));
        let commitments = errors.check("commitments", multiline_text(&self.commitments, 5000));
        let sentiment = errors.check(
            "sentiment",
            if self.sentiment.trim().is_empty() {
                Ok(None)
            } else {
                Sentiment::parse(&self.sentiment).map(|s| Some(s.as_str().to_owned()))
            },
        );
        let attendees = errors.check("attendees", uuids(&self.attendees));
        let staff = errors.check("staff", uuids(&self.staff));
        let new_person = self.new_person(errors);
        if held
            && attendees.as_ref().is_some_and(Vec::is_empty)
            && self.new_person_name.trim().is_empty()
        {
            errors.add("attendees", "meeting.attendee_required");
        }
        let follow_up = self.follow_up(errors, now.with_timezone(&tz).date_naive());
        let mut topics = topics?;
        topics.sort();
        topics.dedup();
        Some(Parsed {
            fields: MeetingFields {
                status: status?.as_str().to_owned(),
                starts_at: starts_at?,
                duration_minutes: duration?.minutes(),
                kind: kind?.as_str().to_owned(),
                channel: channel?.as_str().to_owned(),
                location: location?,
                topics,
                summary: summary?,
                outcomes: outcomes?,
                commitments: commitments?,
                sentiment: sentiment?,
                attendees: attendees?,
                staff: staff?,
            },
            new_person: new_person?,
            follow_up: follow_up?,
        })
    }

    /// The inline key person, when a name was typed. `Some(None)`: none asked for.
    fn new_person(&self, errors: &mut FieldErrors) -> Option<Option<NewPerson>> {
        if self.new_person_name.trim().is_empty() {
            return Some(None);
        }
        let name = errors.check("new_person_name", required_text(&self.new_person_name, 200));
        let title = errors.check(
            "new_person_title",
            optional_text(&self.new_person_title, 200),
        );
        let level = errors.check("new_person_level", Level::parse(&self.new_person_level));
        Some(Some(NewPerson {
            full_name: name?,
            position_title: title?,
            level: level?,
        }))
    }

    /// The follow-up, when a title was typed. `Some(None)`: none asked for.
    fn follow_up(
        &self,
        errors: &mut FieldErrors,
        today: NaiveDate,
    ) -> Option<Option<FollowUpFields>> {
        if self.follow_up_title.trim().is_empty() {
            return Some(None);
        }
        let title = errors.check("follow_up_title", required_text(&self.follow_up_title, 300));
        let assignee = errors.check(
            "follow_up_assignee",
            self.follow_up_assignee
                .trim()
                .parse::<Uuid>()
                .map_err(|_| "follow_up.assignee_invalid"),
        );
        let due = errors.check(
            "follow_up_due_on",
            match optional_date(&self.follow_up_due_on) {
                Ok(Some(d)) if d < today => Err("follow_up.due_in_past"),
                Ok(Some(d)) => Ok(d),
                Ok(None) => Err("error.required"),
                Err(e) => Err(e),
            },
        );
        Some(Some(FollowUpFields {
            title: title?,
            assignee_id: assignee?,
            due_on: due?,
            notes: String::new(),
        }))
    }
}

fn form_of(m: &MeetingRow, tz: chrono_tz::Tz) -> MeetingForm {
    MeetingForm {
        employer_id: m.employer_id.to_string(),
        status: m.status.clone(),
        starts_at: local_input(m.starts_at, tz),
        duration: m.duration_minutes.to_string(),
        kind: m.kind.clone(),
        channel: m.channel.clone(),
        location: m.location.clone(),
        topics: m.topics.clone(),
        attendees: m.attendees.iter().map(|a| a.id.to_string()).collect(),
        staff: m.staff.iter().map(|s| s.id.to_string()).collect(),
        summary: m.summary.clone(),
        outcomes: m.outcomes.clone(),
        commitments: m.commitments.clone(),
        sentiment: m.sentiment.clone().unwrap_or_default(),
        version: m.version,
        ..MeetingForm::default()
    }
}

/// What the form page is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    New,
    Complete,
    Edit,
}

#[derive(Template)]
#[template(path = "meetings/form.html")]
struct FormPage {
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
    people: Vec<Choice>,
    staff: Vec<Choice>,
    kinds: Vec<Choice>,
    channels: Vec<Choice>,
    topics: Vec<Choice>,
    sentiments: Vec<Choice>,
    levels: Vec<Choice>,
    assignees: Vec<Choice>,
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
}

fn choices<T: Copy>(
    l: &Layout,
    all: &[T],
    code: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
    selected: &dyn Fn(&str) -> bool,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code(*v).into(),
            label: l.t(key(*v)).into(),
            selected: selected(code(*v)),
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    mode: Mode,
    id: Option<Uuid>,
    employer_id: Uuid,
    employer_name: String,
    f: MeetingForm,
    errors: FieldErrors,
    stale: Option<StaleEdit>,
) -> AppResult<FormPage> {
    let l = ctx.layout(match mode {
        Mode::New => "meeting.new",
        Mode::Complete => "meeting.complete",
        Mode::Edit => "meeting.edit",
    });
    let people = kp_repo::for_employer(&mut *conn, employer_id).await?;
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
            label: person_label(&l, &p.full_name, &p.position_title, &p.level),
            selected: picked(&f.attendees, p.id),
        })
        .collect();
    let staff = lists
        .people
        .iter()
        .map(|u| Choice {
            value: u.id.to_string(),
            label: u.name.clone(),
            selected: picked(&f.staff, u.id),
        })
        .collect();
    let assignees = lists
        .people
        .iter()
        .map(|u| Choice {
            value: u.id.to_string(),
            label: u.name.clone(),
            selected: f.follow_up_assignee.trim() == u.id.to_string(),
        })
        .collect();
    Ok(FormPage {
        kinds: choices(&l, Kind::ALL, Kind::as_str, Kind::label_key, &|c| {
            c == f.kind
        }),
        channels: choices(
            &l,
            Channel::ALL,
            Channel::as_str,
            Channel::label_key,
            &|c| c == f.channel,
        ),
        topics: choices(&l, Topic::ALL, Topic::as_str, Topic::label_key, &|c| {
            f.topics.iter().any(|t| t == c)
        }),
        sentiments: choices(
            &l,
            Sentiment::ALL,
            Sentiment::as_str,
            Sentiment::label_key,
            &|c| c == f.sentiment,
        ),
        levels: choices(&l, Level::ALL, Level::as_str, Level::label_key, &|c| {
            c == f.new_person_level
        }),
        choose_status: mode == Mode::New,
        people,
        staff,
        assignees,
        l,
        mode,
        id,
        employer_id,
        employer_name,
        f,
        errors,
        stale,
    })
}

/// "Budi Santoso — GM HC · BOD-1".
fn person_label(l: &Layout, name: &str, title: &str, level: &str) -> String {
    let level = l.t(Level::from_db(level).label_key());
    if title.is_empty() {
        format!("{name} · {level}")
    } else {
        format!("{name} — {title} · {level}")
    }
}

// Picking the employer ------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    employer: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    back: Option<String>,
}

/// An employer offered for a new meeting, with a hint to tell it apart.
pub struct PickRow {
    pub id: Uuid,
    pub name: String,
    pub hint: String,
}

#[derive(Template)]
#[template(path = "meetings/pick.html")]
struct PickPage {
    l: Layout,
    q: String,
    status: String,
    back: String,
    employers: Vec<PickRow>,
    /// Whether the list is the RM's own portfolio still to meet (no search typed).
    suggested: bool,
}

#[derive(Template)]
#[template(path = "meetings/_choices.html")]
struct PickPartial {
    l: Layout,
    status: String,
    back: String,
    employers: Vec<PickRow>,
    q: String,
    suggested: bool,
}

const PICK_LIMIT: i64 = 20;

/// Step one when no employer was given: search by name, NPP or NPWP, as you type. An RM sees only
/// the portfolio they may log meetings for, and before typing, the employers still to meet.
async fn pick_employer(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    query: NewQuery,
    status: Status,
) -> AppResult<Response> {
    let q = optional_text(query.q.as_deref().unwrap_or(""), 200).unwrap_or_default();
    let own_only = !ctx.role.can(Permission::EditAnyRecord);
    let mut filter = ListFilter {
        rm_id: own_only.then_some(ctx.user_id.0),
        ..ListFilter::default()
    };
    let searching = match SearchTerm::parse(&q) {
        SearchTerm::Npp(n) => {
            filter.npp = Some(n);
            true
        }
        SearchTerm::Npwp(n) => {
            filter.npwp = Some(n);
            true
        }
        SearchTerm::Name(w) => {
            filter.words = w;
            true
        }
        SearchTerm::Nothing => false,
    };
    let now = state.clock.now();
    let l = ctx.layout("meeting.pick_employer");
    let mut tx = ctx.tx(state).await?;
    let (employers, suggested) = if searching {
        let rows = employer_repo::list(&mut tx, &filter, Sort::Name, PICK_LIMIT, 0).await?;
        (rows.into_iter().map(|r| listed(&r)).collect(), false)
    } else if own_only {
        let month = Month::containing(now, ctx.tenant.tz);
        let rows = crate::home::repo::still_to_meet(
            &mut tx,
            ctx.user_id.0,
            &month,
            ctx.today(now),
            PICK_LIMIT,
        )
        .await?;
        let rows = rows
            .into_iter()
            .map(|r| PickRow {
                id: r.id,
                hint: match r.last_bod1_meeting_at {
                    Some(at) => l.tf("month.last_met_on", &[("date", l.day_of(&at).as_str())]),
                    None => l.t("month.never_met").to_owned(),
                },
                name: r.name,
            })
            .collect();
        (rows, true)
    } else {
        (Vec::new(), false)
    };
    tx.commit().await?;
    let back = safe_back(query.back.as_deref());
    let status = status.as_str().to_owned();
    if headers.contains_key("hx-request") {
        return render(&PickPartial {
            l,
            status,
            back,
            employers,
            q,
            suggested,
        });
    }
    render(&PickPage {
        l,
        q,
        status,
        back,
        employers,
        suggested,
    })
}

fn listed(r: &ListRow) -> PickRow {
    let npp = r
        .npp
        .as_deref()
        .map(|n| crate::employers::web::npp_text(Some(n), &r.division_code))
        .unwrap_or_default();
    PickRow {
        id: r.id,
        name: r.name.clone(),
        hint: [npp, r.city.clone()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
    }
}

// Handlers ------------------------------------------------------------------------------------------

async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(query): Query<NewQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::LogMeetings)?;
    let status = match query.status.as_deref() {
        Some("planned") => Status::Planned,
        _ => Status::Held,
    };
    let Some(employer) = query
        .employer
        .as_deref()
        .and_then(|s| s.trim().parse::<Uuid>().ok())
    else {
        return pick_employer(&state, &ctx, &headers, query, status).await;
    };
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let e = employer_repo::find(&mut tx, employer)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_log_for(&ctx, e.rm_id) {
        return Err(AppError::Forbidden);
    }
    let f = MeetingForm {
        employer_id: employer.to_string(),
        status: status.as_str().into(),
        starts_at: local_input(default_start(status, now, ctx.tenant.tz), ctx.tenant.tz),
        duration: "60".into(),
        kind: Kind::Coordination.as_str().into(),
        channel: Channel::InPerson.as_str().into(),
        staff: vec![ctx.user_id.0.to_string()],
        new_person_level: Level::BodMinusOne.as_str().into(),
        follow_up_assignee: ctx.user_id.0.to_string(),
        follow_up_due_on: (ctx.today(now) + chrono::Days::new(7)).to_string(),
        back: safe_back(query.back.as_deref()),
        ..MeetingForm::default()
    };
    let page = form_page(
        &state,
        &mut tx,
        &ctx,
        Mode::New,
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

/// Now, rounded down to the quarter hour, for a meeting being logged; 10:00 tomorrow (in the tenant's
/// zone) for one being planned.
fn default_start(status: Status, now: DateTime<Utc>, tz: chrono_tz::Tz) -> DateTime<Utc> {
    use chrono::Timelike;
    match status {
        Status::Planned => {
            let tomorrow = now.with_timezone(&tz).date_naive() + chrono::Days::new(1);
            domain::start_of_day(tomorrow, tz) + chrono::Duration::hours(10)
        }
        _ => {
            now - chrono::Duration::minutes(i64::from(now.minute() % 15))
                - chrono::Duration::seconds(i64::from(now.second()))
        }
    }
}

/// Where to go after saving, carried by the form: the page it was opened from, when that is one of
/// ours; otherwise nothing, and the meeting's own page.
fn safe_back(back: Option<&str>) -> String {
    back.and_then(LocalPath::parse)
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default()
}

/// Checks the people the form names against the employer and the tenant: `attendees` are the ones
/// the employer allows, of those the form asked for. Returns the agency's attendees with their names.
async fn check_people(
    conn: &mut sqlx::PgConnection,
    attendees: &[Candidate],
    p: &Parsed,
    errors: &mut FieldErrors,
) -> AppResult<Vec<Member>> {
    if attendees.len() != p.fields.attendees.len() {
        // Another employer's or tenant's person, or one archived meanwhile.
        errors.add("attendees", "meeting.attendee_invalid");
    }
    let staff = repo::enabled_members(&mut *conn, &p.fields.staff).await?;
    if staff.len() != p.fields.staff.len() {
        errors.add("staff", "meeting.staff_invalid");
    }
    if let Some(f) = &p.follow_up
        && repo::enabled_members(&mut *conn, &[f.assignee_id])
            .await?
            .is_empty()
    {
        errors.add("follow_up_assignee", "follow_up.assignee_invalid");
    }
    Ok(staff)
}

/// Adds the form's new key person to the employer (audited) and returns them as an attendee.
async fn add_new_person(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    employer: Uuid,
    person: &NewPerson,
    now: DateTime<Utc>,
) -> AppResult<Candidate> {
    let id = Uuid::new_v4();
    let fields = KeyPersonFields {
        full_name: person.full_name.clone(),
        position_title: person.position_title.clone(),
        level: person.level.as_str().to_owned(),
        department: String::new(),
        email: None,
        phone: None,
        influence: 3,
        roles: Vec::new(),
        is_primary: false,
        reports_to_id: None,
        active_since: None,
        legal_basis: "legitimate_interest".to_owned(),
        consent_at: None,
        source: ctx.lang.t("meeting.new_person_source").to_owned(),
    };
    kp_repo::insert(&mut *conn, id, employer, &fields, now).await?;
    audit::repo::record(
        conn,
        now,
        &ctx.actor(),
        Event::new("key_person.created", "key_person", Some(id))
            .with(
                Changes::new()
                    .created("full_name", &fields.full_name)
                    .created("position_title", &fields.position_title)
                    .created("level", &fields.level),
            )
            .of_employer(employer),
    )
    .await?;
    Ok(Candidate {
        id,
        level: fields.level,
        full_name: fields.full_name,
    })
}

/// The audited picture of a meeting, field by field.
fn recorded(
    f: &MeetingFields,
    attendees: &[String],
    staff: &[String],
    tz: chrono_tz::Tz,
) -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("meeting_status", json!(f.status)),
        (
            "starts_at",
            json!(local_input(f.starts_at, tz).replace('T', " ")),
        ),
        ("duration", json!(f.duration_minutes)),
        ("kind", json!(f.kind)),
        ("channel", json!(f.channel)),
        ("location", json!(f.location)),
        ("topics", json!(f.topics.join(", "))),
        ("attendees", json!(attendees.join(", "))),
        ("staff", json!(staff.join(", "))),
        ("summary", json!(f.summary)),
        ("outcomes", json!(f.outcomes)),
        ("commitments", json!(f.commitments)),
        ("sentiment", json!(f.sentiment)),
    ]
}

/// The attendees' and staff's names, sorted, for the audit trail.
fn names(people: &[Candidate], staff: &[Member]) -> (Vec<String>, Vec<String>) {
    let mut people: Vec<String> = people.iter().map(|p| p.full_name.clone()).collect();
    let mut staff: Vec<String> = staff.iter().map(|s| s.name.clone()).collect();
    people.sort();
    staff.sort();
    (people, staff)
}

/// Saves what the meeting decides about its employer and records a changed briefing date in the
/// employer's history.
async fn refresh_employer(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    employer: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let cadence = repo::refresh_cadence(&mut *conn, employer, ctx.tenant.tz.name()).await?;
    if cadence.briefing_before != cadence.briefing_after {
        audit::repo::record(
            conn,
            now,
            &ctx.actor(),
            Event::new("employer.updated", "employer", Some(employer))
                .with(Changes::new().field(
                    "regulation_briefing_on",
                    cadence.briefing_before,
                    cadence.briefing_after,
                ))
                .of_employer(employer),
        )
        .await?;
    }
    Ok(())
}

/// Creates the form's follow-up from the meeting (audited).
async fn add_follow_up(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    employer: Uuid,
    meeting: Uuid,
    f: &FollowUpFields,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let id = Uuid::new_v4();
    follow_up_repo::insert(
        &mut *conn,
        id,
        employer,
        Some(meeting),
        f,
        ctx.user_id.0,
        now,
    )
    .await?;
    crate::follow_ups::web::record_created(conn, ctx, id, employer, f, now).await
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<MeetingForm>,
) -> AppResult<Response> {
    ctx.require(Permission::LogMeetings)?;
    let now = state.clock.now();
    let back = LocalPath::parse(&form.back);
    let employer: Uuid = form
        .employer_id
        .trim()
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let parsed = form.parse(
        &mut errors,
        &[Status::Planned, Status::Held],
        now,
        ctx.tenant.tz,
    );
    let asked: &[Uuid] = parsed.as_ref().map_or(&[], |p| &p.fields.attendees);
    let mut tx = ctx.tx(&state).await?;
    let (rm, mut attendees) = repo::lock_employer_with_people(&mut tx, employer, asked)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_log_for(&ctx, rm) {
        return Err(AppError::Forbidden);
    }
    let mut staff = Vec::new();
    if let Some(p) = &parsed {
        staff = check_people(&mut tx, &attendees, p, &mut errors).await?;
    }
    let Some(p) = parsed.filter(|_| errors.is_empty()) else {
        // Nothing of a refused form is kept; the form comes back as it was typed.
        tx.rollback().await?;
        return refused(&state, &ctx, Mode::New, None, employer, form, errors).await;
    };
    let id = Uuid::new_v4();
    if let Some(person) = &p.new_person {
        attendees.push(add_new_person(&mut tx, &ctx, employer, person, now).await?);
    }
    let decision_level =
        domain::has_decision_level(attendees.iter().map(|a| Level::from_db(&a.level)));
    repo::insert(
        &mut tx,
        id,
        employer,
        &p.fields,
        &attendees,
        decision_level,
        ctx.user_id.0,
        now,
    )
    .await?;
    let (people, staff) = names(&attendees, &staff);
    let changes = recorded(&p.fields, &people, &staff, ctx.tenant.tz)
        .into_iter()
        .filter(|(_, v)| !(v.is_null() || v.as_str() == Some("")))
        .fold(Changes::new(), |c, (k, v)| c.created(k, v));
    let action = if p.fields.status == Status::Held.as_str() {
        "meeting.logged"
    } else {
        "meeting.planned"
    };
    let saved = Saved {
        id,
        employer,
        action,
        changes,
        // The catalog says "Meeting saved." / "Meeting planned." under the action's own name.
        flash: action,
    };
    finish(tx, &ctx, saved, p.follow_up.as_ref(), back, now).await
}

/// What a saved form leaves to record.
struct Saved {
    id: Uuid,
    employer: Uuid,
    action: &'static str,
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
    back: Option<LocalPath>,
    now: DateTime<Utc>,
) -> AppResult<Response> {
    let Saved {
        id,
        employer,
        action,
        changes,
        flash,
    } = saved;
    if !changes.is_empty() {
        audit::repo::record(
            &mut tx,
            now,
            &ctx.actor(),
            Event::new(action, "meeting", Some(id))
                .with(changes)
                .of_employer(employer),
        )
        .await?;
    }
    if let Some(f) = follow_up {
        add_follow_up(&mut tx, ctx, employer, id, f, now).await?;
    }
    refresh_employer(&mut tx, ctx, employer, now).await?;
    tx.commit().await?;
    let to = back.map_or_else(|| format!("/meetings/{id}"), |b| b.to_string());
    Ok(redirect_with_flash(&to, true, flash))
}

/// The form again, as typed, with the messages beside the fields (422).
async fn refused(
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
    let page = form_page(
        state, &mut tx, ctx, mode, id, employer, e.name, form, errors, None,
    )
    .await?;
    tx.commit().await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// Loads a meeting this person may change, refusing archived and cancelled ones.
async fn changeable(conn: &mut sqlx::PgConnection, ctx: &Ctx, id: Uuid) -> AppResult<MeetingRow> {
    let m = repo::find(conn, id).await?.ok_or(AppError::NotFound)?;
    if !may_change(ctx, m.logged_by) {
        return Err(AppError::Forbidden);
    }
    if m.archived_at.is_some() || m.status == Status::Cancelled.as_str() {
        return Err(AppError::Conflict("meeting.not_changeable"));
    }
    Ok(m)
}

async fn edit_page(state: &AppState, ctx: &Ctx, id: Uuid, mode: Mode) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(state).await?;
    let m = changeable(&mut tx, ctx, id).await?;
    if mode == Mode::Complete && m.status != Status::Planned.as_str() {
        return Err(AppError::Conflict("meeting.not_planned"));
    }
    let mut f = form_of(&m, ctx.tenant.tz);
    f.new_person_level = Level::BodMinusOne.as_str().into();
    f.follow_up_assignee = ctx.user_id.0.to_string();
    f.follow_up_due_on = (ctx.today(now) + chrono::Days::new(7)).to_string();
    if mode == Mode::Complete {
        f.status = Status::Held.as_str().into();
        // A meeting completed later than planned keeps its planned start; one completed early
        // (it happened ahead of time) starts now.
        if m.starts_at > now {
            f.starts_at = local_input(now, ctx.tenant.tz);
        }
    }
    let page = form_page(
        state,
        &mut tx,
        ctx,
        mode,
        Some(id),
        m.employer_id,
        m.employer_name,
        f,
        FieldErrors::default(),
        None,
    )
    .await?;
    tx.commit().await?;
    render(&page)
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    edit_page(&state, &ctx, id, Mode::Edit).await
}

async fn complete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    edit_page(&state, &ctx, id, Mode::Complete).await
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<MeetingForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let back = LocalPath::parse(&form.back);
    let mut tx = ctx.tx(&state).await?;
    let m = changeable(&mut tx, &ctx, id).await?;
    let employer = m.employer_id;
    repo::lock_employer(&mut tx, employer)
        .await?
        .ok_or(AppError::NotFound)?;
    let was_planned = m.status == Status::Planned.as_str();
    let allowed: &[Status] = if was_planned {
        &[Status::Planned, Status::Held]
    } else {
        &[Status::Held]
    };
    let mode = if was_planned && form.status == Status::Held.as_str() {
        Mode::Complete
    } else {
        Mode::Edit
    };
    let mut errors = FieldErrors::default();
    let parsed = form.parse(&mut errors, allowed, now, ctx.tenant.tz);
    let previous = &m.attendees;
    let already: Vec<Uuid> = previous.iter().map(|a| a.id).collect();
    let (mut attendees, mut staff) = (Vec::new(), Vec::new());
    if let Some(p) = &parsed {
        attendees = repo::attendable(&mut tx, employer, &p.fields.attendees, &already).await?;
        staff = check_people(&mut tx, &attendees, p, &mut errors).await?;
    }
    // People who stay on the list keep the level they had at the meeting.
    for a in &mut attendees {
        if let Some(before) = previous.iter().find(|b| b.id == a.id) {
            a.level.clone_from(&before.level);
        }
    }
    let Some(p) = parsed.filter(|_| errors.is_empty()) else {
        tx.rollback().await?;
        return refused(&state, &ctx, mode, Some(id), employer, form, errors).await;
    };
    let mut old_people: Vec<String> = previous.iter().map(|a| a.name.clone()).collect();
    old_people.sort();
    let mut old_staff: Vec<String> = m.staff.iter().map(|s| s.name.clone()).collect();
    old_staff.sort();
    let old_fields = fields_of(&m);
    if let Some(person) = &p.new_person {
        attendees.push(add_new_person(&mut tx, &ctx, employer, person, now).await?);
    }
    let decision_level =
        domain::has_decision_level(attendees.iter().map(|a| Level::from_db(&a.level)));
    if !repo::update(&mut tx, id, &p.fields, decision_level, form.version, now).await? {
        let (people, staff) = names(&attendees, &staff);
        let yours = recorded(&p.fields, &people, &staff, ctx.tenant.tz);
        tx.rollback().await?;
        return stale(&state, &ctx, id, mode, form, yours).await;
    }
    repo::remove_attendees(&mut tx, id).await?;
    repo::add_attendees(&mut tx, id, employer, &attendees).await?;
    repo::add_staff(&mut tx, id, &p.fields.staff).await?;
    let (people, staff) = names(&attendees, &staff);
    let changes = recorded(&old_fields, &old_people, &old_staff, ctx.tenant.tz)
        .into_iter()
        .zip(recorded(&p.fields, &people, &staff, ctx.tenant.tz))
        .fold(Changes::new(), |c, ((k, o), (_, n))| c.field(k, o, n));
    let action = if mode == Mode::Complete {
        "meeting.completed"
    } else {
        "meeting.updated"
    };
    let flash = if mode == Mode::Complete {
        "meeting.logged"
    } else {
        "meeting.saved"
    };
    let saved = Saved {
        id,
        employer,
        action,
        changes,
        flash,
    };
    finish(tx, &ctx, saved, p.follow_up.as_ref(), back, now).await
}

fn fields_of(m: &MeetingRow) -> MeetingFields {
    MeetingFields {
        status: m.status.clone(),
        starts_at: m.starts_at,
        duration_minutes: m.duration_minutes,
        kind: m.kind.clone(),
        channel: m.channel.clone(),
        location: m.location.clone(),
        topics: m.topics.clone(),
        summary: m.summary.clone(),
        outcomes: m.outcomes.clone(),
        commitments: m.commitments.clone(),
        sentiment: m.sentiment.clone(),
        attendees: Vec::new(),
        staff: Vec::new(),
    }
}

/// Someone else saved first (409): nothing of this edit is written. The form comes back as typed, on
/// top of the saved version, with the fields where the two differ (`yours` as the audit trail would
/// have recorded this edit).
async fn stale(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    mode: Mode,
    form: MeetingForm,
    yours: Vec<(&'static str, serde_json::Value)>,
) -> AppResult<Response> {
    let mut tx = ctx.tx(state).await?;
    let m = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let mut people: Vec<String> = m.attendees.iter().map(|a| a.name.clone()).collect();
    people.sort();
    let mut staff: Vec<String> = m.staff.iter().map(|s| s.name.clone()).collect();
    staff.sort();
    let differences = recorded(&fields_of(&m), &people, &staff, ctx.tenant.tz)
        .into_iter()
        .zip(yours)
        .fold(Changes::new(), |c, ((k, saved), (_, yours))| {
            c.field(k, saved, yours)
        });
    let f = MeetingForm {
        version: m.version,
        ..form
    };
    let mode = if m.status == Status::Planned.as_str() {
        mode
    } else {
        Mode::Edit
    };
    let page = form_page(
        state,
        &mut tx,
        ctx,
        mode,
        Some(id),
        m.employer_id,
        m.employer_name,
        f,
        FieldErrors::default(),
        Some(StaleEdit::new(ctx.lang, differences)),
    )
    .await?;
    tx.commit().await?;
    render_status(StatusCode::CONFLICT, &page)
}

// The meeting page --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "meetings/show.html")]
struct ShowPage {
    l: Layout,
    m: MeetingRow,
    v: MeetingView,
    follow_ups: Vec<crate::follow_ups::web::FollowUpView>,
    can_change: bool,
    can_restore: bool,
    can_add_follow_up: bool,
}

/// A meeting's translated labels and attendee names, as the page, the timeline and the brief show
/// them.
pub struct MeetingView {
    pub id: Uuid,
    pub when: String,
    pub status_key: &'static str,
    pub status: String,
    pub kind_key: &'static str,
    pub channel_key: &'static str,
    pub topic_keys: Vec<&'static str>,
    pub sentiment_key: Option<&'static str>,
    pub bod1: bool,
    pub attendees: Vec<String>,
    pub staff: Vec<String>,
    pub summary: String,
    pub outcomes: String,
    pub commitments: String,
    pub location: String,
    pub duration: i16,
    pub cancel_reason: String,
    pub logged_by: String,
}

pub fn views(l: &Layout, meetings: &[MeetingRow]) -> Vec<MeetingView> {
    meetings
        .iter()
        .map(|m| MeetingView {
            id: m.id,
            when: l.datetime(&m.starts_at),
            status_key: Status::from_db(&m.status).label_key(),
            status: m.status.clone(),
            kind_key: Kind::from_db(&m.kind).label_key(),
            channel_key: Channel::from_db(&m.channel).label_key(),
            topic_keys: m
                .topics
                .iter()
                .map(|t| Topic::from_db(t).label_key())
                .collect(),
            sentiment_key: m
                .sentiment
                .as_deref()
                .and_then(|s| Sentiment::parse(s).ok())
                .map(Sentiment::label_key),
            bod1: domain::counts_as_bod1(Status::from_db(&m.status), m.decision_level),
            attendees: m
                .attendees
                .iter()
                .map(|a| person_label(l, &a.name, &a.title, &a.level))
                .collect(),
            staff: m.staff.iter().map(|s| s.name.clone()).collect(),
            summary: m.summary.clone(),
            outcomes: m.outcomes.clone(),
            commitments: m.commitments.clone(),
            location: m.location.clone(),
            duration: m.duration_minutes,
            cancel_reason: m.cancel_reason.clone(),
            logged_by: m.logged_by_name.clone(),
        })
        .collect()
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let today = ctx.today(state.clock.now());
    let mut tx = ctx.tx(&state).await?;
    let m = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let follow_ups = follow_up_repo::for_meetings(&mut tx, &[id]).await?;
    tx.commit().await?;
    let l = ctx.layout_titled(m.employer_name.clone());
    let v = views(&l, std::slice::from_ref(&m))
        .pop()
        .expect("one view per meeting");
    let follow_ups = crate::follow_ups::web::views(&l, &ctx, &follow_ups, today);
    render(&ShowPage {
        can_change: may_change(&ctx, m.logged_by)
            && m.archived_at.is_none()
            && m.status != Status::Cancelled.as_str(),
        can_restore: ctx.role.can(Permission::EditAnyRecord) && m.archived_at.is_some(),
        can_add_follow_up: may_log_for(&ctx, m.employer_rm) && m.archived_at.is_none(),
        l,
        v,
        follow_ups,
        m,
    })
}

#[derive(Deserialize)]
struct CancelForm {
    #[serde(default)]
    reason: String,
    version: i32,
}

async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<CancelForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let m = changeable(&mut tx, &ctx, id).await?;
    if m.status != Status::Planned.as_str() {
        return Err(AppError::Conflict("meeting.not_planned"));
    }
    let reason = optional_text(&form.reason, 500).map_err(AppError::BadRequest)?;
    repo::lock_employer(&mut tx, m.employer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !repo::cancel(&mut tx, id, &reason, form.version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new("meeting.cancelled", "meeting", Some(id))
            .with(
                Changes::new()
                    .field(
                        "meeting_status",
                        m.status.as_str(),
                        Status::Cancelled.as_str(),
                    )
                    .field("cancel_reason", "", reason.as_str()),
            )
            .of_employer(m.employer_id),
    )
    .await?;
    refresh_employer(&mut tx, &ctx, m.employer_id, now).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/meetings/{id}"),
        true,
        "meeting.cancelled",
    ))
}

async fn archive(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    set_archived(&state, &ctx, id, true, form.version).await
}

async fn restore(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    ctx.require(Permission::EditAnyRecord)?;
    set_archived(&state, &ctx, id, false, form.version).await
}

async fn set_archived(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    archived: bool,
    version: i32,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(state).await?;
    let m = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if !may_change(ctx, m.logged_by) {
        return Err(AppError::Forbidden);
    }
    repo::lock_employer(&mut tx, m.employer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !repo::set_archived(&mut tx, id, archived, version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    let action = if archived {
        "meeting.archived"
    } else {
        "meeting.restored"
    };
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(action, "meeting", Some(id))
            .with(Changes::new().field("archived", !archived, archived))
            .of_employer(m.employer_id),
    )
    .await?;
    refresh_employer(&mut tx, ctx, m.employer_id, now).await?;
    tx.commit().await?;
    let (to, flash) = if archived {
        (
            format!("/employers/{}#meetings", m.employer_id),
            "meeting.archived",
        )
    } else {
        (format!("/meetings/{id}"), "meeting.restored")
    };
    Ok(redirect_with_flash(&to, true, flash))
}
