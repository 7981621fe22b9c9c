//! Adding and removing supply-chain links, from the parent's page or the member's.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::domain::{LinkFields, Recorded, Relation};
use super::form::{LinkForm, Side};
use super::policy;
use super::repo::{self, LinkCandidate};
use crate::audit::{self, Action, Changes, Entity, Event};
use crate::employers::domain::search_words;
use crate::employers::repo as employer_repo;
use crate::employers::service as employer_service;
use crate::error::{AppError, AppResult};
use crate::web::extract::Ctx;
use crate::web::forms::FieldErrors;
use crate::web::layout::Layout;
use crate::web::{AppState, Choice, Form, redirect_with_flash, render, render_status};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/employers/{id}/links", post(create))
        .route("/employers/{id}/links/new", get(new))
        .route("/links/{id}/remove", post(remove))
}

#[derive(Template)]
#[template(path = "supply_chain/form.html")]
struct FormPage {
    l: Layout,
    employer_id: Uuid,
    employer_name: String,
    side: Side,
    f: LinkForm,
    candidates: Vec<LinkCandidate>,
    relations: Vec<Choice>,
    errors: FieldErrors,
}

impl FormPage {
    /// The form with the employers matching its search.
    async fn build(
        conn: &mut sqlx::PgConnection,
        ctx: &Ctx,
        employer_id: Uuid,
        employer_name: String,
        f: LinkForm,
        errors: FieldErrors,
    ) -> AppResult<FormPage> {
        let words = search_words(&f.q);
        let candidates = if words.is_empty() {
            Vec::new()
        } else {
            repo::candidates(conn, &words, employer_id).await?
        };
        let l = ctx.layout("link.new");
        Ok(FormPage {
            relations: Choice::of::<Relation>(l.lang, &f.relation),
            l,
            employer_id,
            employer_name,
            side: Side::parse(&f.side),
            f,
            candidates,
            errors,
        })
    }
}

/// The name of an employer `ctx` may add links to.
async fn employer_name(conn: &mut sqlx::PgConnection, ctx: &Ctx, id: Uuid) -> AppResult<String> {
    let may = |rm| policy::may_add(ctx.who(), rm);
    Ok(employer_service::checked(conn, id, may).await?.fields.name)
}

async fn name_of(conn: &mut sqlx::PgConnection, employer: Uuid) -> AppResult<Option<String>> {
    Ok(employer_repo::find(conn, employer)
        .await?
        .map(|e| e.fields.name))
}

async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Query(mut f): Query<LinkForm>,
) -> AppResult<Response> {
    let mut tx = ctx.tx(&state).await?;
    let name = employer_name(&mut tx, &ctx, id).await?;
    if f.relation.is_empty() {
        f.relation = Relation::Vendor.as_str().into();
    }
    let page = FormPage::build(&mut tx, &ctx, id, name, f, FieldErrors::default()).await?;
    tx.commit().await?;
    render(&page)
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<LinkForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let name = employer_name(&mut tx, &ctx, id).await?;
    let (fields, mut errors) = FieldErrors::split(LinkFields::try_from(&form));
    let other: Option<Uuid> = form.other_id.trim().parse().ok();
    let other = match other {
        Some(o) if o != id && employer_repo::owner_of(&mut tx, o).await?.is_some() => Some(o),
        _ => {
            errors.add("other_id", "link.other_required");
            None
        }
    };
    if let (Some(other), Some(fields)) = (other, fields) {
        let (parent, member) = match Side::parse(&form.side) {
            Side::Parent => (id, other),
            Side::Member => (other, id),
        };
        if fields.relation == Relation::Subsidiary {
            repo::lock_subsidiary_chains(&mut tx).await?;
            if repo::subsidiary_would_cycle(&mut tx, parent, member).await? {
                errors.add("relation", "link.cycle");
            }
        }
        if errors.is_empty() {
            let link_id = Uuid::new_v4();
            if repo::insert(&mut tx, link_id, parent, member, &fields, now).await? {
                let recorded = Recorded {
                    fields: &fields,
                    parent: name_of(&mut tx, parent).await?,
                    member: name_of(&mut tx, member).await?,
                };
                audit::repo::record(
                    &mut tx,
                    now,
                    &ctx.actor(),
                    Event::new(Action::LinkAdded, Entity::SupplyChainLink, Some(link_id))
                        .with(Changes::created_with(&recorded))
                        .of_employer(parent)
                        .also_of_employer(member),
                )
                .await?;
                tx.commit().await?;
                return Ok(redirect_with_flash(
                    &format!("/employers/{id}#supply-chain"),
                    true,
                    "link.added",
                ));
            }
            errors.add("other_id", "link.exists");
        }
    }
    let page = FormPage::build(&mut tx, &ctx, id, name, form, errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[derive(Deserialize)]
struct RemoveForm {
    version: i32,
    /// The employer whose page the button was on, to return to.
    #[serde(default)]
    from: String,
}

async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<RemoveForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let link = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let parent_rm = employer_repo::owner_of(&mut tx, link.parent_id)
        .await?
        .flatten();
    let member_rm = employer_repo::owner_of(&mut tx, link.member_id)
        .await?
        .flatten();
    if !policy::may_remove(ctx.who(), parent_rm, member_rm) {
        return Err(AppError::Forbidden);
    }
    let back = match form.from.parse::<Uuid>() {
        Ok(e) if e == link.member_id => link.member_id,
        _ => link.parent_id,
    };
    let done = redirect_with_flash(
        &format!("/employers/{back}#supply-chain"),
        true,
        "link.removed",
    );
    if link.removed_at.is_some() {
        return Ok(done);
    }
    if !repo::remove(&mut tx, id, form.version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::LinkRemoved, Entity::SupplyChainLink, Some(id))
            .with(Changes::new().field("relation", Some(link.relation), None))
            .of_employer(link.parent_id)
            .also_of_employer(link.member_id),
    )
    .await?;
    tx.commit().await?;
    Ok(done)
}
