//! Adding and removing supply-chain links, from the parent's page or the member's.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;
use uuid::Uuid;

use super::domain::Relation;
use super::repo::{self, Candidate, NewLink};
use crate::audit::{self, Changes, Event};
use crate::employers::domain::{optional_date, search_words};
use crate::employers::repo as employer_repo;
use crate::employers::web::Choice;
use crate::employers::{may_edit, require_editable};
use crate::error::{AppError, AppResult};
use crate::web::extract::Ctx;
use crate::web::forms::{FieldErrors, multiline_text};
use crate::web::layout::Layout;
use crate::web::{AppState, redirect_with_flash, render, render_status};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/employers/{id}/links", post(create))
        .route("/employers/{id}/links/new", get(new))
        .route("/links/{id}/remove", post(remove))
}

/// Which side the employer whose page we came from is on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// This employer is the parent; the form picks a member.
    Parent,
    /// This employer is the member; the form picks a parent.
    Member,
}

impl Side {
    fn parse(raw: &str) -> Side {
        if raw == "member" {
            Side::Member
        } else {
            Side::Parent
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Side::Parent => "parent",
            Side::Member => "member",
        }
    }
}

#[derive(Deserialize, Default)]
struct LinkForm {
    #[serde(default)]
    side: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    other_id: String,
    #[serde(default)]
    relation: String,
    #[serde(default)]
    started_on: String,
    #[serde(default)]
    notes: String,
}

#[derive(Template)]
#[template(path = "supply_chain/form.html")]
struct FormPage {
    l: Layout,
    employer_id: Uuid,
    employer_name: String,
    side: &'static str,
    f: LinkForm,
    candidates: Vec<Candidate>,
    relations: Vec<Choice>,
    errors: FieldErrors,
}

async fn form_page(
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
    let relations = Relation::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str().into(),
            label: l.t(r.label_key()).into(),
            selected: r.as_str() == f.relation,
        })
        .collect();
    Ok(FormPage {
        l,
        employer_id,
        employer_name,
        side: Side::parse(&f.side).as_str(),
        f,
        candidates,
        relations,
        errors,
    })
}

async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Query(mut f): Query<LinkForm>,
) -> AppResult<Response> {
    let mut tx = ctx.tx(&state).await?;
    require_editable(&mut tx, &ctx, id).await?;
    let e = employer_repo::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if f.relation.is_empty() {
        f.relation = Relation::Vendor.as_str().into();
    }
    let page = form_page(&mut tx, &ctx, id, e.name, f, FieldErrors::default()).await?;
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
    require_editable(&mut tx, &ctx, id).await?;
    let e = employer_repo::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let relation = errors.check("relation", Relation::parse(&form.relation));
    let started_on = errors.check("started_on", optional_date(&form.started_on));
    let notes = errors.check("notes", multiline_text(&form.notes, 1000));
    let other: Option<Uuid> = form.other_id.trim().parse().ok();
    let other = match other {
        Some(o) if o != id && employer_repo::owner_of(&mut tx, o).await?.is_some() => Some(o),
        _ => {
            errors.add("other_id", "link.other_required");
            None
        }
    };
    let side = Side::parse(&form.side);
    if let (Some(other), Some(relation), Some(started_on), Some(notes)) =
        (other, relation, started_on, notes)
    {
        let (parent_id, member_id) = match side {
            Side::Parent => (id, other),
            Side::Member => (other, id),
        };
        if relation == Relation::Subsidiary {
            repo::lock_subsidiary_chains(&mut tx).await?;
            if repo::subsidiary_would_cycle(&mut tx, parent_id, member_id).await? {
                errors.add("relation", "link.cycle");
            }
        }
        if errors.is_empty() {
            let link = NewLink {
                parent_id,
                member_id,
                relation: relation.as_str().into(),
                started_on,
                notes,
            };
            let link_id = Uuid::new_v4();
            if repo::insert(&mut tx, link_id, &link, now).await? {
                let parent = employer_repo::find(&mut tx, parent_id)
                    .await?
                    .map(|e| e.name);
                let member = employer_repo::find(&mut tx, member_id)
                    .await?
                    .map(|e| e.name);
                let changes = Changes::new()
                    .created("parent", parent)
                    .created("member", member)
                    .created("relation", link.relation.as_str())
                    .created("started_on", link.started_on)
                    .created("notes", link.notes.as_str());
                audit::repo::record(
                    &mut tx,
                    now,
                    &ctx.actor(),
                    Event::new("link.added", "supply_chain_link", Some(link_id))
                        .with(changes)
                        .of_employer(parent_id)
                        .also_of_employer(member_id),
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
    let page = form_page(&mut tx, &ctx, id, e.name, form, errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[derive(Deserialize)]
struct RemoveForm {
    version: i32,
    #[serde(default)]
    from: String,
}

/// Either side's RM may remove a link (the link is part of both portfolios).
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
    if !may_edit(&ctx, parent_rm) && !may_edit(&ctx, member_rm) {
        return Err(AppError::Forbidden);
    }
    let back = match form.from.parse::<Uuid>() {
        Ok(e) if e == link.member_id => link.member_id,
        _ => link.parent_id,
    };
    if link.removed_at.is_some() {
        return Ok(redirect_with_flash(
            &format!("/employers/{back}#supply-chain"),
            true,
            "link.removed",
        ));
    }
    if !repo::remove(&mut tx, id, form.version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new("link.removed", "supply_chain_link", Some(id))
            .with(Changes::new().field("relation", Some(link.relation.as_str()), None))
            .of_employer(link.parent_id)
            .also_of_employer(link.member_id),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{back}#supply-chain"),
        true,
        "link.removed",
    ))
}
