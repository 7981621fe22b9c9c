//! Adding and editing an employer: the form, its messages beside the fields, and a stale edit shown
//! against what was saved meanwhile.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use uuid::Uuid;

use crate::audit::{self, Action, Changes, Entity, Event};
use crate::branches::repo as branch_repo;
use crate::employers::domain::{
    EmployerFields, InstitutionType, Ownership, Program, RiskBand, Scale, Segment, Stage, Status,
};
use crate::employers::form::EmployerForm;
use crate::employers::policy;
use crate::employers::repo::{self, Employer, SaveOutcome};
use crate::employers::service::AssignmentNames;
use crate::error::{AppError, AppResult};
use crate::tenancy::domain::Permission;
use crate::tenancy::repo as tenancy_repo;
use crate::web::extract::Ctx;
use crate::web::forms::FieldErrors;
use crate::web::layout::Layout;
use crate::web::stale::StaleEdit;
use crate::web::{AppState, Choice, Form, redirect_with_flash, render, render_status};

#[derive(Template)]
#[template(path = "employers/form.html")]
struct FormPage {
    l: Layout,
    /// None for a new employer.
    id: Option<Uuid>,
    f: EmployerForm,
    errors: FieldErrors,
    stale: Option<StaleEdit>,
    segments: Vec<Choice>,
    institution_types: Vec<Choice>,
    ownerships: Vec<Choice>,
    scales: Vec<Choice>,
    risk_bands: Vec<Choice>,
    programs: Vec<Choice>,
    statuses: Vec<Choice>,
    stages: Vec<Choice>,
    rms: Vec<Choice>,
    branches: Vec<Choice>,
    can_reassign: bool,
}

/// The page's title and the employer it edits (none for a new one).
struct Head {
    l: Layout,
    id: Option<Uuid>,
}

impl FormPage {
    /// The form as `f` holds it, with its options; the people and branch pickers come from the
    /// tenant's cached lists.
    async fn build(
        state: &AppState,
        conn: &mut sqlx::PgConnection,
        ctx: &Ctx,
        Head { l, id }: Head,
        f: EmployerForm,
        errors: FieldErrors,
        stale: Option<StaleEdit>,
    ) -> AppResult<FormPage> {
        let lists = state.directory.lists(conn, ctx.tenant.id).await?;
        Ok(FormPage {
            segments: Choice::of::<Segment>(l.lang, &f.segment),
            institution_types: Choice::of::<InstitutionType>(l.lang, &f.institution_type),
            ownerships: Choice::of::<Ownership>(l.lang, &f.ownership),
            scales: Choice::of::<Scale>(l.lang, &f.scale),
            risk_bands: Choice::of::<RiskBand>(l.lang, &f.risk_band),
            programs: Choice::of_many::<Program>(l.lang, &f.programs),
            statuses: Choice::of::<Status>(l.lang, &f.status),
            stages: Choice::of::<Stage>(l.lang, &f.stage),
            rms: lists.people_choices(|id| id.to_string() == f.rm_id.trim()),
            branches: lists.branch_choices(f.branch_id.trim().parse().ok()),
            can_reassign: policy::may_assign(ctx.who()),
            l,
            id,
            f,
            errors,
            stale,
        })
    }
}

pub async fn new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::CreateEmployers)?;
    let f = EmployerForm::new_for(ctx.user_id.0);
    let mut tx = ctx.tx(&state).await?;
    let head = Head {
        l: ctx.layout("employer.new"),
        id: None,
    };
    let page =
        FormPage::build(&state, &mut tx, &ctx, head, f, FieldErrors::default(), None).await?;
    tx.commit().await?;
    render(&page)
}

/// Checks the assignment against the tenant: the RM must be an enabled member who can hold a
/// portfolio, the branch an open one.
async fn check_assignment(
    conn: &mut sqlx::PgConnection,
    fields: &EmployerFields,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    if let Some(rm) = fields.rm_id
        && !tenancy_repo::is_assignable(&mut *conn, rm).await?
    {
        errors.add("rm_id", "employer.rm_invalid");
    }
    if let Some(b) = fields.branch_id
        && !branch_repo::is_open(conn, b).await?
    {
        errors.add("branch_id", "employer.branch_invalid");
    }
    Ok(())
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<EmployerForm>,
) -> AppResult<Response> {
    ctx.require(Permission::CreateEmployers)?;
    let now = state.clock.now();
    let (mut fields, mut errors) =
        FieldErrors::split(EmployerFields::try_from(ctx.submitted(&form, now)));
    if let Some(f) = fields.as_mut()
        && !policy::may_assign(ctx.who())
    {
        f.rm_id = Some(ctx.user_id.0);
    }
    let mut tx = ctx.tx(&state).await?;
    if let Some(f) = &fields {
        check_assignment(&mut tx, f, &mut errors).await?;
    }
    let id = Uuid::new_v4();
    let today = ctx.today(now);
    let saved = match fields.as_ref().filter(|_| errors.is_empty()) {
        Some(f) => match repo::insert(&mut tx, id, f, today, now).await? {
            SaveOutcome::Saved => true,
            SaveOutcome::NppTaken => {
                errors.add("npp", "employer.npp_taken");
                false
            }
            SaveOutcome::Stale => false,
        },
        None => false,
    };
    let Some(fields) = fields.filter(|_| saved) else {
        let head = Head {
            l: ctx.layout("employer.new"),
            id: None,
        };
        let page = FormPage::build(&state, &mut tx, &ctx, head, form, errors, None).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let names = AssignmentNames::load(&mut tx).await?;
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::EmployerCreated, Entity::Employer, Some(id))
            .with(Changes::created_with(&names.recorded(&fields)))
            .of_employer(id),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{id}"),
        true,
        "employer.created",
    ))
}

/// An open employer `ctx` may edit (404 for another tenant's, 403 for one not theirs or archived).
async fn editable(conn: &mut sqlx::PgConnection, ctx: &Ctx, id: Uuid) -> AppResult<Employer> {
    let e = repo::find(conn, id).await?.ok_or(AppError::NotFound)?;
    if !policy::may_edit(ctx.who(), e.fields.rm_id) || e.archived_at.is_some() {
        return Err(AppError::Forbidden);
    }
    Ok(e)
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut tx = ctx.tx(&state).await?;
    let e = editable(&mut tx, &ctx, id).await?;
    let head = Head {
        l: ctx.layout_titled(e.fields.name.clone()),
        id: Some(id),
    };
    let f = EmployerForm::from(&e);
    let page =
        FormPage::build(&state, &mut tx, &ctx, head, f, FieldErrors::default(), None).await?;
    tx.commit().await?;
    render(&page)
}

/// What an edit changes, as the history records it.
fn changes_between(old: &EmployerFields, new: &EmployerFields, names: &AssignmentNames) -> Changes {
    Changes::between(&names.recorded(old), &names.recorded(new))
}

/// A new stage also moves the stage's entry date to today.
fn stage_entry(old: &Employer, new: &EmployerFields, today: NaiveDate) -> Changes {
    Changes::new().field(
        "stage_entered_on",
        old.stage_entered_on,
        if new.stage == old.fields.stage {
            old.stage_entered_on
        } else {
            today
        },
    )
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<EmployerForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let today = ctx.today(now);
    let mut tx = ctx.tx(&state).await?;
    let old = editable(&mut tx, &ctx, id).await?;
    let (mut fields, mut errors) =
        FieldErrors::split(EmployerFields::try_from(ctx.submitted(&form, now)));
    if let Some(f) = fields.as_mut()
        && !policy::may_assign(ctx.who())
    {
        f.rm_id = old.fields.rm_id;
        f.branch_id = old.fields.branch_id;
    }
    if let Some(f) = &fields
        && (f.rm_id != old.fields.rm_id || f.branch_id != old.fields.branch_id)
    {
        check_assignment(&mut tx, f, &mut errors).await?;
    }
    let outcome = match fields.as_ref().filter(|_| errors.is_empty()) {
        Some(f) => Some(repo::update(&mut tx, id, f, form.version, today, now).await?),
        None => None,
    };
    let head = Head {
        l: ctx.layout_titled(old.fields.name.clone()),
        id: Some(id),
    };
    let fields = match (outcome, fields) {
        (Some(SaveOutcome::Saved), Some(fields)) => fields,
        (Some(SaveOutcome::Stale), Some(yours)) => {
            // Someone saved first: nothing of this edit is written. The form comes back as typed, on
            // top of the saved version, with the fields where the two differ.
            let current = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
            let names = AssignmentNames::load(&mut tx).await?;
            let differences = changes_between(&current.fields, &yours, &names);
            let stale = StaleEdit::new(ctx.lang, differences);
            let form = EmployerForm {
                version: current.version,
                ..form
            };
            let page =
                FormPage::build(&state, &mut tx, &ctx, head, form, errors, Some(stale)).await?;
            return render_status(StatusCode::CONFLICT, &page);
        }
        (outcome, _) => {
            if matches!(outcome, Some(SaveOutcome::NppTaken)) {
                errors.add("npp", "employer.npp_taken");
            }
            let page = FormPage::build(&state, &mut tx, &ctx, head, form, errors, None).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let names = AssignmentNames::load(&mut tx).await?;
    let changes =
        changes_between(&old.fields, &fields, &names).and(stage_entry(&old, &fields, today));
    if !changes.is_empty() {
        audit::repo::record(
            &mut tx,
            now,
            &ctx.actor(),
            Event::new(Action::EmployerUpdated, Entity::Employer, Some(id))
                .with(changes)
                .of_employer(id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{id}"),
        true,
        "employer.saved",
    ))
}
