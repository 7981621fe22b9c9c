//! Admin pages for branch offices: list, create, edit, archive and restore.

use crate::web::Form;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::BranchCode;
use super::repo::{self, Branch, BranchFields, UpdateOutcome};
use crate::audit::{self, Action, Archivable, Changes, Entity, Event};
use crate::error::{AppError, AppResult};
use crate::tenancy::domain::Permission;
use crate::web::archive::{self, Archiving};
use crate::web::extract::Ctx;
use crate::web::forms::{FieldErrors, multiline_text, optional_text, required_text};
use crate::web::layout::Layout;
use crate::web::stale::StaleEdit;
use crate::web::{AppState, redirect_with_flash, render, render_status};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/branches", get(index).post(create))
        .route("/admin/branches/new", get(new))
        .route("/admin/branches/{id}", get(edit).post(update))
        .merge(archive::routes::<Branches>("/admin/branches"))
}

#[derive(Template)]
#[template(path = "admin/branches/index.html")]
struct IndexPage {
    l: Layout,
    branches: Vec<Branch>,
}

async fn index(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::ManageBranches)?;
    let mut tx = ctx.tx(&state).await?;
    let branches = repo::list(&mut tx).await?;
    tx.commit().await?;
    render(&IndexPage {
        l: ctx.layout("branch.title"),
        branches,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BranchForm {
    code: String,
    name: String,
    region: String,
    address: String,
    version: i32,
}

impl BranchForm {
    fn parse(&self, errors: &mut FieldErrors) -> Option<BranchFields> {
        let code = errors.check("code", BranchCode::parse(&self.code));
        let name = errors.check("name", required_text(&self.name, 200));
        let region = errors.check("region", optional_text(&self.region, 200));
        let address = errors.check("address", multiline_text(&self.address, 500));
        Some(BranchFields {
            code: code?.as_str().to_owned(),
            name: name?,
            region: region?,
            address: address?,
        })
    }
}

#[derive(Template)]
#[template(path = "admin/branches/form.html")]
struct FormPage {
    l: Layout,
    /// None for a new branch.
    id: Option<Uuid>,
    f: BranchForm,
    archived: bool,
    errors: FieldErrors,
    stale: Option<StaleEdit>,
}

async fn new(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::ManageBranches)?;
    render(&FormPage {
        l: ctx.layout("branch.new"),
        id: None,
        f: BranchForm::default(),
        archived: false,
        errors: FieldErrors::default(),
        stale: None,
    })
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<BranchForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageBranches)?;
    let now = state.clock.now();
    let mut errors = FieldErrors::default();
    let fields = form.parse(&mut errors).filter(|_| errors.is_empty());
    let again = |errors: FieldErrors, form: BranchForm| {
        let page = FormPage {
            l: ctx.layout("branch.new"),
            id: None,
            f: form,
            archived: false,
            errors,
            stale: None,
        };
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let Some(fields) = fields else {
        return again(errors, form);
    };
    let id = Uuid::new_v4();
    let mut tx = ctx.tx(&state).await?;
    if !repo::insert(&mut tx, id, &fields, now).await? {
        errors.add("code", "branch.code_taken");
        return again(errors, form);
    }
    let changes = Changes::new()
        .created("code", &fields.code)
        .created("name", &fields.name)
        .created("region", &fields.region)
        .created("address", &fields.address);
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::BranchCreated, Entity::BranchOffice, Some(id)).with(changes),
    )
    .await?;
    tx.commit().await?;
    state.directory.forget(ctx.tenant.id);
    Ok(redirect_with_flash(
        "/admin/branches",
        true,
        "branch.created",
    ))
}

fn form_of(b: &Branch) -> BranchForm {
    BranchForm {
        code: b.code.clone(),
        name: b.name.clone(),
        region: b.region.clone(),
        address: b.address.clone(),
        version: b.version,
    }
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageBranches)?;
    let mut tx = ctx.tx(&state).await?;
    let b = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    render(&FormPage {
        l: ctx.layout_titled(b.name.clone()),
        id: Some(id),
        f: form_of(&b),
        archived: b.archived_at.is_some(),
        errors: FieldErrors::default(),
        stale: None,
    })
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<BranchForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageBranches)?;
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let old = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let fields = form.parse(&mut errors).filter(|_| errors.is_empty());
    let page = |f: BranchForm, errors: FieldErrors, stale: Option<StaleEdit>| FormPage {
        l: ctx.layout_titled(old.name.clone()),
        id: Some(id),
        f,
        archived: old.archived_at.is_some(),
        errors,
        stale,
    };
    let Some(fields) = fields else {
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(form, errors, None));
    };
    match repo::update(&mut tx, id, &fields, form.version, now).await? {
        UpdateOutcome::Saved => {}
        UpdateOutcome::CodeTaken => {
            errors.add("code", "branch.code_taken");
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(form, errors, None));
        }
        UpdateOutcome::Stale => {
            // Nothing of this edit is written: the form as typed, on top of the saved version.
            let current = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
            let stale = StaleEdit::new(ctx.lang, changes_between(&current, &fields));
            let form = BranchForm {
                version: current.version,
                ..form
            };
            return render_status(StatusCode::CONFLICT, &page(form, errors, Some(stale)));
        }
    }
    let changes = changes_between(&old, &fields);
    if !changes.is_empty() {
        audit::repo::record(
            &mut tx,
            now,
            &ctx.actor(),
            Event::new(Action::BranchUpdated, Entity::BranchOffice, Some(id)).with(changes),
        )
        .await?;
    }
    tx.commit().await?;
    state.directory.forget(ctx.tenant.id);
    Ok(redirect_with_flash("/admin/branches", true, "admin.saved"))
}

/// What an edit changes, field by field, as the audit trail records it.
fn changes_between(old: &Branch, new: &BranchFields) -> Changes {
    Changes::new()
        .field("code", &old.code, &new.code)
        .field("name", &old.name, &new.name)
        .field("region", &old.region, &new.region)
        .field("address", &old.address, &new.address)
}

/// Branch offices are archived and restored by admins.
pub struct Branches;

impl Archiving for Branches {
    const KIND: Archivable = Archivable::BranchOffice;

    async fn check(
        conn: &mut PgConnection,
        ctx: &Ctx,
        id: Uuid,
        _archive: bool,
    ) -> AppResult<Option<Uuid>> {
        ctx.require(Permission::ManageBranches)?;
        repo::find(conn, id).await?.ok_or(AppError::NotFound)?;
        Ok(None)
    }

    async fn set(
        conn: &mut PgConnection,
        id: Uuid,
        archived_at: Option<DateTime<Utc>>,
        version: i32,
        now: DateTime<Utc>,
    ) -> sqlx::Result<bool> {
        repo::set_archived(conn, id, archived_at, version, now).await
    }

    fn committed(state: &AppState, ctx: &Ctx) {
        state.directory.forget(ctx.tenant.id);
    }

    fn done(_: Uuid, _: Option<Uuid>, archived: bool) -> (String, &'static str) {
        let flash = if archived {
            "branch.archived"
        } else {
            "branch.restored"
        };
        ("/admin/branches".to_owned(), flash)
    }
}
