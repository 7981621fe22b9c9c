//! Key-person pages: add, edit, "left the company", archive and restore; for admins, the personal-data
//! export and erasure (UU PDP).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::Form;
use chrono::{DateTime, NaiveDateTime, TimeZone as _, Utc};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::domain::{ERASED, Influence, KpRole, LegalBasis, Level};
use super::repo::{self, Departure, KeyPersonFields, KeyPersonRow, MoveCandidate, SaveOutcome};
use crate::audit::{self, Changes, Event};
use crate::auth::domain::Email;
use crate::employers::domain::{PhoneNumber, optional_date};
use crate::employers::repo as employer_repo;
use crate::employers::web::Choice;
use crate::employers::{may_edit, require_editable};
use crate::error::{AppError, AppResult};
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::forms::{ConfirmForm, FieldErrors, VersionForm, optional_text, required_text};
use crate::web::layout::Layout;
use crate::web::stale::StaleEdit;
use crate::web::{AppState, download, redirect_with_flash, render, render_status, see_other};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/employers/{id}/key-persons", post(create))
        .route("/employers/{id}/key-persons/new", get(new))
        .route("/key-persons/{id}", get(show).post(update))
        .route("/key-persons/{id}/edit", get(edit))
        .route("/key-persons/{id}/left", get(left_form).post(mark_left))
        .route("/key-persons/{id}/archive", post(archive))
        .route("/key-persons/{id}/restore", post(restore))
        .route("/key-persons/{id}/export.json", get(export))
        .route("/key-persons/{id}/erase", post(erase))
}

#[derive(Deserialize, Default)]
struct PersonForm {
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    position_title: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    influence: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    is_primary: String,
    #[serde(default)]
    reports_to_id: String,
    #[serde(default)]
    active_since: String,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    consent_at: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    version: i32,
}

/// A local date and time from `<input type="datetime-local">`, in the tenant's zone.
fn local_datetime(raw: &str, tz: chrono_tz::Tz) -> Result<Option<DateTime<Utc>>, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| "error.datetime_invalid")?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| Some(t.with_timezone(&Utc)))
        .ok_or("error.datetime_invalid")
}

impl PersonForm {
    fn parse(
        &self,
        errors: &mut FieldErrors,
        tz: chrono_tz::Tz,
        now: DateTime<Utc>,
    ) -> Option<KeyPersonFields> {
        let full_name = errors.check("full_name", required_text(&self.full_name, 200));
        let position = errors.check("position_title", optional_text(&self.position_title, 200));
        let level = errors.check("level", Level::parse(&self.level));
        let department = errors.check("department", optional_text(&self.department, 200));
        let email = errors.check(
            "email",
            if self.email.trim().is_empty() {
                Ok(None)
            } else {
                Email::parse(&self.email).map(Some)
            },
        );
        let phone = errors.check(
            "phone",
            if self.phone.trim().is_empty() {
                Ok(None)
            } else {
                PhoneNumber::parse(&self.phone).map(Some)
            },
        );
        let influence = errors.check("influence", Influence::parse(&self.influence));
        let roles = errors.check(
            "roles",
            self.roles
                .iter()
                .map(|r| KpRole::parse(r))
                .collect::<Result<Vec<_>, _>>(),
        );
        let reports_to = errors.check(
            "reports_to_id",
            if self.reports_to_id.trim().is_empty() {
                Ok(None)
            } else {
                self.reports_to_id
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| "key_person.reports_to_invalid")
            },
        );
        let active_since = errors.check("active_since", optional_date(&self.active_since));
        let basis = errors.check("legal_basis", LegalBasis::parse(&self.legal_basis));
        let consent = errors.check("consent_at", local_datetime(&self.consent_at, tz));
        let source = errors.check("source", optional_text(&self.source, 300));
        let consent_at = match (basis, consent) {
            (Some(LegalBasis::Consent), Some(None)) => {
                errors.add("consent_at", "key_person.consent_required");
                None
            }
            (Some(LegalBasis::Consent), Some(Some(at))) if at > now => {
                errors.add("consent_at", "key_person.consent_future");
                None
            }
            (Some(LegalBasis::Consent), Some(at)) => Some(at),
            // Consent time means nothing under another basis.
            (Some(_), Some(_)) => Some(None),
            _ => None,
        };
        let mut roles: Vec<String> = roles?.into_iter().map(|r| r.as_str().to_owned()).collect();
        roles.sort();
        roles.dedup();
        Some(KeyPersonFields {
            full_name: full_name?,
            position_title: position?,
            level: level?.as_str().to_owned(),
            department: department?,
            email: email?.map(|e| e.as_str().to_owned()),
            phone: phone?.map(|p| p.as_str().to_owned()),
            influence: influence?.get(),
            roles,
            is_primary: self.is_primary == "1",
            reports_to_id: reports_to?,
            active_since: active_since?,
            legal_basis: basis?.as_str().to_owned(),
            consent_at: consent_at?,
            source: source?,
        })
    }
}

fn form_of(p: &KeyPersonRow, tz: chrono_tz::Tz) -> PersonForm {
    PersonForm {
        full_name: p.full_name.clone(),
        position_title: p.position_title.clone(),
        level: p.level.clone(),
        department: p.department.clone(),
        email: p.email.clone().unwrap_or_default(),
        phone: p.phone.clone().unwrap_or_default(),
        influence: p.influence.to_string(),
        roles: p.roles.clone(),
        is_primary: if p.is_primary {
            "1".into()
        } else {
            String::new()
        },
        reports_to_id: p.reports_to_id.map(|u| u.to_string()).unwrap_or_default(),
        active_since: p.active_since.map(|d| d.to_string()).unwrap_or_default(),
        legal_basis: p.legal_basis.clone(),
        consent_at: p
            .consent_at
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default(),
        source: p.source.clone(),
        version: p.version,
    }
}

#[derive(Template)]
#[template(path = "key_persons/form.html")]
struct FormPage {
    l: Layout,
    employer_id: Uuid,
    employer_name: String,
    /// None for a new person.
    id: Option<Uuid>,
    f: PersonForm,
    errors: FieldErrors,
    stale: Option<StaleEdit>,
    levels: Vec<Choice>,
    roles: Vec<Choice>,
    bases: Vec<Choice>,
    managers: Vec<Choice>,
}

impl FormPage {
    #[allow(clippy::too_many_arguments)]
    async fn build(
        conn: &mut sqlx::PgConnection,
        l: Layout,
        employer_id: Uuid,
        employer_name: String,
        id: Option<Uuid>,
        f: PersonForm,
        errors: FieldErrors,
        stale: Option<StaleEdit>,
    ) -> AppResult<FormPage> {
        let people = repo::for_employer(conn, employer_id).await?;
        let pick = |all: &[(&'static str, &'static str)],
                    selected: &dyn Fn(&str) -> bool|
         -> Vec<Choice> {
            all.iter()
                .map(|(code, key)| Choice {
                    value: (*code).into(),
                    label: l.t(key).into(),
                    selected: selected(code),
                })
                .collect()
        };
        let levels: Vec<_> = Level::ALL
            .iter()
            .map(|v| (v.as_str(), v.label_key()))
            .collect();
        let roles: Vec<_> = KpRole::ALL
            .iter()
            .map(|v| (v.as_str(), v.label_key()))
            .collect();
        let bases: Vec<_> = LegalBasis::ALL
            .iter()
            .map(|v| (v.as_str(), v.label_key()))
            .collect();
        Ok(FormPage {
            levels: pick(&levels, &|c| c == f.level),
            roles: pick(&roles, &|c| f.roles.iter().any(|r| r == c)),
            bases: pick(&bases, &|c| c == f.legal_basis),
            managers: people
                .iter()
                .filter(|p| Some(p.id) != id && p.left_on.is_none() && p.archived_at.is_none())
                .map(|p| Choice {
                    value: p.id.to_string(),
                    label: if p.position_title.is_empty() {
                        p.full_name.clone()
                    } else {
                        format!("{} — {}", p.full_name, p.position_title)
                    },
                    selected: p.id.to_string() == f.reports_to_id,
                })
                .collect(),
            l,
            employer_id,
            employer_name,
            id,
            f,
            errors,
            stale,
        })
    }
}

async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(employer): Path<Uuid>,
) -> AppResult<Response> {
    let mut tx = ctx.tx(&state).await?;
    require_editable(&mut tx, &ctx, employer).await?;
    let e = employer_repo::find(&mut tx, employer)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = PersonForm {
        level: Level::BodMinusOne.as_str().into(),
        influence: "3".into(),
        legal_basis: LegalBasis::LegitimateInterest.as_str().into(),
        ..PersonForm::default()
    };
    let page = FormPage::build(
        &mut tx,
        ctx.layout("key_person.new"),
        employer,
        e.name,
        None,
        f,
        FieldErrors::default(),
        None,
    )
    .await?;
    tx.commit().await?;
    render(&page)
}

/// Reports-to must name a current colleague at the same employer and must not close a loop.
async fn check_reports_to(
    conn: &mut sqlx::PgConnection,
    person: Uuid,
    employer: Uuid,
    fields: &KeyPersonFields,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    let Some(manager) = fields.reports_to_id else {
        return Ok(());
    };
    repo::lock_employer(&mut *conn, employer).await?;
    match repo::find(&mut *conn, manager).await? {
        Some(m) if m.employer_id == employer => {
            if repo::reports_to_would_cycle(conn, person, manager).await? {
                errors.add("reports_to_id", "key_person.reports_to_cycle");
            }
        }
        _ => errors.add("reports_to_id", "key_person.reports_to_invalid"),
    }
    Ok(())
}

fn recorded(
    f: &KeyPersonFields,
    manager: Option<String>,
) -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("full_name", json!(f.full_name)),
        ("position_title", json!(f.position_title)),
        ("level", json!(f.level)),
        ("department", json!(f.department)),
        ("email", json!(f.email)),
        ("phone", json!(f.phone)),
        ("influence", json!(f.influence)),
        ("roles", json!(f.roles.join(", "))),
        ("primary", json!(f.is_primary)),
        ("reports_to", json!(manager)),
        ("active_since", json!(f.active_since)),
        ("legal_basis", json!(f.legal_basis)),
        ("consent_at", json!(f.consent_at)),
        ("source", json!(f.source)),
    ]
}

fn fields_of(p: &KeyPersonRow) -> KeyPersonFields {
    KeyPersonFields {
        full_name: p.full_name.clone(),
        position_title: p.position_title.clone(),
        level: p.level.clone(),
        department: p.department.clone(),
        email: p.email.clone(),
        phone: p.phone.clone(),
        influence: p.influence,
        roles: p.roles.clone(),
        is_primary: p.is_primary,
        reports_to_id: p.reports_to_id,
        active_since: p.active_since,
        legal_basis: p.legal_basis.clone(),
        consent_at: p.consent_at,
        source: p.source.clone(),
    }
}

async fn manager_name(
    conn: &mut sqlx::PgConnection,
    id: Option<Uuid>,
) -> AppResult<Option<String>> {
    Ok(match id {
        Some(id) => repo::find(conn, id).await?.map(|m| m.full_name),
        None => None,
    })
}

/// Making someone primary takes the mark from whoever held it, in the same transaction and audited.
async fn move_primary(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    employer: Uuid,
    person: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if let Some(previous) = repo::clear_primary(&mut *conn, employer, person, now).await? {
        audit::repo::record(
            conn,
            now,
            &ctx.actor(),
            Event::new("key_person.updated", "key_person", Some(previous))
                .with(Changes::new().field("primary", true, false))
                .of_employer(employer),
        )
        .await?;
    }
    Ok(())
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(employer): Path<Uuid>,
    Form(form): Form<PersonForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    require_editable(&mut tx, &ctx, employer).await?;
    let e = employer_repo::find(&mut tx, employer)
        .await?
        .ok_or(AppError::NotFound)?;
    let id = Uuid::new_v4();
    let mut errors = FieldErrors::default();
    let fields = form.parse(&mut errors, ctx.tenant.tz, now);
    if let Some(f) = &fields {
        check_reports_to(&mut tx, id, employer, f, &mut errors).await?;
    }
    if let Some(f) = fields.as_ref().filter(|_| errors.is_empty()) {
        if f.is_primary {
            move_primary(&mut tx, &ctx, employer, id, now).await?;
        }
        if let SaveOutcome::PrimaryTaken = repo::insert(&mut tx, id, employer, f, now).await? {
            errors.add("is_primary", "key_person.primary_taken");
        }
    }
    let Some(fields) = fields.filter(|_| errors.is_empty()) else {
        // Nothing of a refused form is kept.
        tx.rollback().await?;
        let mut tx = ctx.tx(&state).await?;
        let page = FormPage::build(
            &mut tx,
            ctx.layout("key_person.new"),
            employer,
            e.name,
            None,
            form,
            errors,
            None,
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let manager = manager_name(&mut tx, fields.reports_to_id).await?;
    let changes = recorded(&fields, manager)
        .into_iter()
        .filter(|(_, v)| !(v.is_null() || v.as_str() == Some("") || v == &json!(false)))
        .fold(Changes::new(), |c, (k, v)| c.created(k, v));
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new("key_person.created", "key_person", Some(id))
            .with(changes)
            .of_employer(employer),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{employer}#key-persons"),
        true,
        "key_person.created",
    ))
}

/// A key person's address is on their employer's page.
async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let mut tx = ctx.tx(&state).await?;
    let p = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(see_other(&format!("/employers/{}#kp-{id}", p.employer_id)))
}

/// Loads a person the user may change, with their employer's name.
async fn editable(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    id: Uuid,
) -> AppResult<(KeyPersonRow, String)> {
    let p = repo::find(&mut *conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let e = employer_repo::find(conn, p.employer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_edit(ctx, e.rm_id) || p.erased_at.is_some() {
        return Err(AppError::Forbidden);
    }
    Ok((p, e.name))
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut tx = ctx.tx(&state).await?;
    let (p, employer_name) = editable(&mut tx, &ctx, id).await?;
    let f = form_of(&p, ctx.tenant.tz);
    let page = FormPage::build(
        &mut tx,
        ctx.layout_titled(p.full_name.clone()),
        p.employer_id,
        employer_name,
        Some(id),
        f,
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
    Form(form): Form<PersonForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let (old, employer_name) = editable(&mut tx, &ctx, id).await?;
    let employer = old.employer_id;
    let mut errors = FieldErrors::default();
    let fields = form.parse(&mut errors, ctx.tenant.tz, now);
    if let Some(f) = &fields {
        if f.is_primary && (old.left_on.is_some() || old.archived_at.is_some()) {
            errors.add("is_primary", "key_person.primary_must_be_current");
        }
        check_reports_to(&mut tx, id, employer, f, &mut errors).await?;
    }
    let mut outcome = None;
    if let Some(f) = fields.as_ref().filter(|_| errors.is_empty()) {
        if f.is_primary && !old.is_primary {
            move_primary(&mut tx, &ctx, employer, id, now).await?;
        }
        outcome = Some(repo::update(&mut tx, id, f, form.version, now).await?);
    }
    let title = old.full_name.clone();
    match outcome {
        Some(SaveOutcome::Saved) => {}
        Some(SaveOutcome::Stale) => {
            // Nothing of this edit is written: the form as typed, on top of the saved version,
            // with the fields where the two differ.
            tx.rollback().await?;
            let mut tx = ctx.tx(&state).await?;
            let current = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
            let yours = fields.as_ref().expect("a stale save had parsed fields");
            let differences = changes_between(&mut tx, &current, yours).await?;
            let f = PersonForm {
                version: current.version,
                ..form
            };
            let page = FormPage::build(
                &mut tx,
                ctx.layout_titled(title),
                employer,
                employer_name,
                Some(id),
                f,
                errors,
                Some(StaleEdit::new(ctx.lang, differences)),
            )
            .await?;
            return render_status(StatusCode::CONFLICT, &page);
        }
        other => {
            if matches!(other, Some(SaveOutcome::PrimaryTaken)) {
                errors.add("is_primary", "key_person.primary_taken");
            }
            tx.rollback().await?;
            let mut tx = ctx.tx(&state).await?;
            let page = FormPage::build(
                &mut tx,
                ctx.layout_titled(title),
                employer,
                employer_name,
                Some(id),
                form,
                errors,
                None,
            )
            .await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    }
    let fields = fields.expect("saved fields exist");
    let changes = changes_between(&mut tx, &old, &fields).await?;
    if !changes.is_empty() {
        audit::repo::record(
            &mut tx,
            now,
            &ctx.actor(),
            Event::new("key_person.updated", "key_person", Some(id))
                .with(changes)
                .of_employer(employer),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{employer}#kp-{id}"),
        true,
        "key_person.saved",
    ))
}

/// What an edit changes, field by field, as the audit trail records it (the manager by name).
async fn changes_between(
    conn: &mut sqlx::PgConnection,
    old: &KeyPersonRow,
    new: &KeyPersonFields,
) -> AppResult<Changes> {
    let new_manager = manager_name(conn, new.reports_to_id).await?;
    Ok(recorded(&fields_of(old), old.reports_to_name.clone())
        .into_iter()
        .zip(recorded(new, new_manager))
        .fold(Changes::new(), |c, ((k, o), (_, n))| c.field(k, o, n)))
}

// Left the company ------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct LeftForm {
    #[serde(default)]
    left_on: String,
    #[serde(default)]
    left_reason: String,
    #[serde(default)]
    moved_to_text: String,
    #[serde(default)]
    moved_to_id: String,
    #[serde(default)]
    version: i32,
}

#[derive(Template)]
#[template(path = "key_persons/left.html")]
struct LeftPage {
    l: Layout,
    p: KeyPersonRow,
    employer_name: String,
    f: LeftForm,
    errors: FieldErrors,
    candidates: Vec<MoveCandidate>,
    stale: Option<StaleEdit>,
}

async fn left_page(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    p: KeyPersonRow,
    employer_name: String,
    f: LeftForm,
    errors: FieldErrors,
    stale: Option<StaleEdit>,
) -> AppResult<LeftPage> {
    let tokens: Vec<String> = p
        .full_name
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let candidates = repo::same_name_elsewhere(conn, p.id, p.employer_id, &tokens).await?;
    Ok(LeftPage {
        l: ctx.layout_titled(p.full_name.clone()),
        p,
        employer_name,
        f,
        errors,
        candidates,
        stale,
    })
}

async fn left_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let today = ctx.today(state.clock.now());
    let mut tx = ctx.tx(&state).await?;
    let (p, employer_name) = editable(&mut tx, &ctx, id).await?;
    let f = LeftForm {
        left_on: today.to_string(),
        version: p.version,
        ..LeftForm::default()
    };
    let page = left_page(
        &mut tx,
        &ctx,
        p,
        employer_name,
        f,
        FieldErrors::default(),
        None,
    )
    .await?;
    tx.commit().await?;
    render(&page)
}

async fn mark_left(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<LeftForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let today = ctx.today(now);
    let mut tx = ctx.tx(&state).await?;
    let (p, employer_name) = editable(&mut tx, &ctx, id).await?;
    let mut errors = FieldErrors::default();
    let left_on = match optional_date(&form.left_on) {
        Ok(Some(d)) if d > today => {
            errors.add("left_on", "key_person.left_future");
            None
        }
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.add("left_on", "error.required");
            None
        }
        Err(key) => {
            errors.add("left_on", key);
            None
        }
    };
    let reason = errors.check("left_reason", optional_text(&form.left_reason, 500));
    let moved_text = errors.check("moved_to_text", optional_text(&form.moved_to_text, 300));
    let moved_id: Option<Uuid> = form.moved_to_id.trim().parse().ok();
    if let Some(other) = moved_id
        && !repo::is_elsewhere(&mut tx, other, p.employer_id).await?
    {
        errors.add("moved_to_id", "key_person.moved_to_invalid");
    }
    let (Some(left_on), Some(reason), Some(moved_text), true) =
        (left_on, reason, moved_text, errors.is_empty())
    else {
        let page = left_page(&mut tx, &ctx, p, employer_name, form, errors, None).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let departure = Departure {
        left_on,
        reason,
        moved_to_text: moved_text,
        moved_to_id: moved_id,
    };
    let moved_to_name = match moved_id {
        Some(m) => repo::find(&mut tx, m).await?.map(|k| k.full_name),
        None => None,
    };
    if !repo::mark_left(&mut tx, id, &departure, form.version, now).await? {
        // Someone saved first: the form as typed, on top of the saved version.
        let current = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let differences = departure_changes(&current, &departure, moved_to_name);
        let f = LeftForm {
            version: current.version,
            ..form
        };
        let stale = Some(StaleEdit::new(ctx.lang, differences));
        let page = left_page(&mut tx, &ctx, current, employer_name, f, errors, stale).await?;
        return render_status(StatusCode::CONFLICT, &page);
    }
    let changes = departure_changes(&p, &departure, moved_to_name);
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new("key_person.left", "key_person", Some(id))
            .with(changes)
            .of_employer(p.employer_id),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{}#former", p.employer_id),
        true,
        "key_person.left_saved",
    ))
}

/// What recording a departure changes on the person, as the audit trail records it.
fn departure_changes(p: &KeyPersonRow, d: &Departure, moved_to_name: Option<String>) -> Changes {
    Changes::new()
        .field("left_on", json!(p.left_on), json!(d.left_on))
        .field("left_reason", p.left_reason.as_str(), d.reason.as_str())
        .field(
            "moved_to",
            json!(p.moved_to_text),
            json!(moved_to_name.unwrap_or(d.moved_to_text.clone())),
        )
        .field("primary", p.is_primary, false)
}

// Archive, restore ------------------------------------------------------------------------------------

async fn archive(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    set_archived(state, ctx, id, form.version, true).await
}

async fn restore(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    set_archived(state, ctx, id, form.version, false).await
}

async fn set_archived(
    state: AppState,
    ctx: Ctx,
    id: Uuid,
    version: i32,
    archive: bool,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let (p, _) = editable(&mut tx, &ctx, id).await?;
    if !archive && !ctx.role.can(Permission::EditAnyRecord) {
        return Err(AppError::Forbidden);
    }
    if !repo::set_archived(&mut tx, id, archive.then_some(now), version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    let (action, old, new, flash) = if archive {
        (
            "key_person.archived",
            "active",
            "archived",
            "key_person.archived",
        )
    } else {
        (
            "key_person.restored",
            "archived",
            "active",
            "key_person.restored",
        )
    };
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(action, "key_person", Some(id))
            .with(Changes::new().field("archived", old, new))
            .of_employer(p.employer_id),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{}#key-persons", p.employer_id),
        true,
        flash,
    ))
}

// Personal data (UU PDP) ------------------------------------------------------------------------------

/// Everything held about the person: the record and every change recorded about them.
async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ManagePersonalData)?;
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let p = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let e = employer_repo::find(&mut tx, p.employer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let events = repo::events_of(&mut tx, id).await?;
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new("key_person.exported", "key_person", Some(id)).of_employer(p.employer_id),
    )
    .await?;
    tx.commit().await?;
    let body = json!({
        "exported_at": now,
        "controller": ctx.tenant.name,
        "employer": { "id": e.id, "name": e.name, "npp": e.npp },
        "person": p,
        "history": events.iter().map(|ev| json!({
            "at": ev.occurred_at, "action": ev.action, "changes": ev.changes
        })).collect::<Vec<_>>(),
    });
    let text = serde_json::to_vec_pretty(&body)
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("personal data export")))?;
    Ok(download(
        "application/json",
        &format!("key-person-{id}.json"),
        text,
    ))
}

/// Erasing cannot be undone: it needs the ticked confirmation and the version the page showed, so a
/// stale page or a stray click erases nothing.
async fn erase(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ManagePersonalData)?;
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let p = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if p.erased_at.is_some() {
        return Ok(redirect_with_flash(
            &format!("/employers/{}#kp-{id}", p.employer_id),
            true,
            "key_person.erased",
        ));
    }
    if !form.confirmed() {
        return Ok(redirect_with_flash(
            &format!("/employers/{}#personal-data", p.employer_id),
            false,
            "admin.confirm_needed",
        ));
    }
    if p.version != form.version {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    repo::erase(&mut tx, id, ERASED, now).await?;
    // The event says what was erased, never the erased values.
    let changes = Changes::new().created("erased_fields", "full_name, email, phone");
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new("key_person.erased", "key_person", Some(id))
            .with(changes)
            .of_employer(p.employer_id),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{}#kp-{id}", p.employer_id),
        true,
        "key_person.erased",
    ))
}
