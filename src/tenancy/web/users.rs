//! The tenant's people: the list with open invitations, one person's membership (role, branch office,
//! access), and — for an account that belongs to this tenant alone — a password reset and clearing a
//! lost second factor. Of a person who also belongs to another tenant, the admin sees and changes only
//! the membership.

use crate::web::Form;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::audit::{self, Action, Changes, Entity, Event};
use crate::auth::domain::{self as auth_domain, UserId};
use crate::auth::repo as auth_repo;
use crate::employers::repo as employer_repo;
use crate::employers::service as employer_service;
use crate::error::{AppError, AppResult};
use crate::follow_ups::repo as follow_up_repo;
use crate::follow_ups::service as follow_up_service;
use crate::invitations::domain::Status;
use crate::invitations::repo as invitation_repo;
use crate::tenancy::domain::{Permission, Role};
use crate::tenancy::repo;
use crate::web::extract::Ctx;
use crate::web::forms::{Choice, ConfirmForm, FieldErrors, VersionForm};
use crate::web::layout::Layout;
use crate::web::{AppState, redirect_with_flash, render, render_status, see_other};

struct MemberRow {
    id: Uuid,
    name: String,
    email: String,
    role_label: &'static str,
    branch: String,
    disabled: bool,
    must_change_password: bool,
    last_sign_in: String,
}

struct InvitationRow {
    id: Uuid,
    email: String,
    role_label: &'static str,
    branch: String,
    invited_by: String,
    status_key: &'static str,
    open: bool,
    /// When it expires (open) or ended (accepted, revoked, expired).
    when: String,
}

#[derive(Template)]
#[template(path = "admin/users/index.html")]
struct UsersIndex {
    l: Layout,
    members: Vec<MemberRow>,
    invitations: Vec<InvitationRow>,
}

pub(super) async fn index(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let members = repo::members(&mut tx).await?;
    let invitations = invitation_repo::list(&mut tx, now).await?;
    tx.commit().await?;
    let members = members
        .into_iter()
        .map(|m| MemberRow {
            id: m.user_id.0,
            role_label: ctx.lang.t(m.role.label_key()),
            branch: m.branch_code.unwrap_or_default(),
            disabled: m.disabled_at.is_some(),
            must_change_password: m.must_change_password == Some(true),
            last_sign_in: m
                .last_sign_in_at
                .map(|t| ctx.datetime(t))
                .unwrap_or_else(|| "—".into()),
            name: m.name,
            email: m.email,
        })
        .collect();
    let invitations = invitations
        .into_iter()
        .map(|i| {
            let status = Status::of(i.accepted_at, i.revoked_at, i.expires_at, now);
            let when = i.accepted_at.or(i.revoked_at).unwrap_or(i.expires_at);
            InvitationRow {
                id: i.id,
                role_label: ctx.lang.t(i.role.label_key()),
                branch: i.branch_code.unwrap_or_default(),
                invited_by: i.invited_by.unwrap_or_else(|| "—".into()),
                status_key: status.label_key(),
                open: status == Status::Open,
                when: ctx.datetime(when),
                email: i.email,
            }
        })
        .collect();
    render(&UsersIndex {
        l: ctx.layout("admin.users"),
        members,
        invitations,
    })
}

/// The old address of "add a person": people come in by invitation now.
pub(super) async fn invite(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    Ok(see_other("/admin/invitations/new"))
}

pub(super) async fn back_to_person(Path(id): Path<Uuid>) -> Response {
    see_other(&format!("/admin/users/{id}"))
}

#[derive(Template)]
#[template(path = "admin/users/show.html")]
struct UsersShow {
    l: Layout,
    id: Uuid,
    name: String,
    email: String,
    role_label: &'static str,
    roles: Vec<Choice>,
    branches: Vec<Choice>,
    branch: String,
    disabled: bool,
    is_self: bool,
    /// The account belongs to this tenant alone: its password and second factor are ours to reset.
    only_here: bool,
    must_change_password: bool,
    has_second_factor: bool,
    last_sign_in: String,
    joined: String,
    version: i32,
    errors: FieldErrors,
}

pub(super) async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let mut tx = ctx.tx(&state).await?;
    let m = repo::member(&mut tx, UserId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let lists = state.directory.lists(&mut tx, ctx.tenant.id).await?;
    tx.commit().await?;
    let role = m.role;
    let branches = lists.branch_choices(m.branch_id);
    render(&UsersShow {
        l: ctx.layout_titled(m.name.clone()),
        id,
        role_label: ctx.lang.t(role.label_key()),
        roles: Choice::all(ctx.lang, |r: Role| r == role),
        branches,
        branch: m.branch_code.unwrap_or_else(|| "—".into()),
        disabled: m.disabled_at.is_some(),
        is_self: m.user_id == ctx.user_id,
        only_here: m.only_here,
        must_change_password: m.must_change_password == Some(true),
        has_second_factor: m.has_second_factor == Some(true),
        last_sign_in: m
            .last_sign_in_at
            .map(|t| ctx.datetime(t))
            .unwrap_or_else(|| "—".into()),
        joined: ctx.datetime(m.joined_at),
        version: m.version,
        errors: FieldErrors::default(),
        name: m.name,
        email: m.email,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RoleForm {
    role: String,
    branch_id: String,
    version: i32,
}

pub(super) async fn set_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let role: Role = form
        .role
        .parse()
        .map_err(|_| AppError::BadRequest("error.role_invalid"))?;
    let branch: Option<Uuid> = match form.branch_id.trim() {
        "" => None,
        raw => Some(
            raw.parse()
                .map_err(|_| AppError::BadRequest("error.branch_invalid"))?,
        ),
    };
    let user = UserId(id);
    let back = format!("/admin/users/{id}");
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let m = repo::member(&mut tx, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let old = m.role;
    if old == role && m.branch_id == branch {
        return Ok(redirect_with_flash(&back, true, "admin.saved"));
    }
    let mut new_branch_code = None;
    if let Some(b) = branch {
        match crate::branches::repo::find(&mut tx, b).await? {
            Some(found) if found.archived_at.is_none() || Some(b) == m.branch_id => {
                new_branch_code = Some(found.code);
            }
            _ => return Ok(redirect_with_flash(&back, false, "error.branch_invalid")),
        }
    }
    if old == Role::Admin && role != Role::Admin {
        // Under the same locks as disabling (`repo::lock_members`): two admins demoting each other at
        // once go one after the other, and the second finds no other admin.
        let locked = repo::lock_members(&mut tx, &[user.0]).await?;
        let other_admins = locked
            .iter()
            .filter(|l| l.user_id != user.0 && l.role == Role::Admin && l.disabled_at.is_none())
            .count();
        if other_admins == 0 {
            return Ok(redirect_with_flash(&back, false, "admin.last_admin"));
        }
    }
    if !repo::set_role(&mut tx, user, role, branch, form.version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    let changes = Changes::new()
        .field("role", old.as_str(), role.as_str())
        .field(
            "branch",
            m.branch_code.as_deref(),
            new_branch_code.as_deref(),
        );
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::UserRoleChanged, Entity::Membership, Some(id)).with(changes),
    )
    .await?;
    tx.commit().await?;
    state.directory.forget(ctx.tenant.id);
    Ok(redirect_with_flash(&back, true, "admin.saved"))
}

/// Disabling asks first, on a page of its own (no script needed): what the person holds — the open
/// employers whose RM they are and their open follow-ups — and who takes it over, or that nobody does
/// for now (docs/domain.md, "Disabling a person").
#[derive(Template)]
#[template(path = "admin/users/disable.html")]
struct DisablePage {
    l: Layout,
    id: Uuid,
    name: String,
    version: i32,
    employers: i64,
    follow_ups: i64,
    successors: Vec<Choice>,
    /// Why the form came back, above it.
    message: Option<&'static str>,
    errors: FieldErrors,
}

/// `successor`, the choice that leaves the portfolio without an RM.
const NOBODY: &str = "nobody";

impl DisablePage {
    /// The page for `m` as the database holds them now, with `sent` chosen.
    async fn build(
        state: &AppState,
        tx: &mut sqlx::PgConnection,
        ctx: &Ctx,
        m: &repo::Member,
        sent: &str,
        message: Option<&'static str>,
    ) -> AppResult<DisablePage> {
        let id = m.user_id.0;
        let employers = employer_repo::portfolio_size(&mut *tx, id).await?;
        let follow_ups = follow_up_repo::open_assigned_count(&mut *tx, id).await?;
        let lists = state.directory.lists(tx, ctx.tenant.id).await?;
        let people = lists.people.iter().filter(|p| p.id != id).map(|p| Choice {
            value: p.id.to_string(),
            label: p.name.clone(),
            selected: p.id.to_string() == sent,
        });
        let nobody = Choice {
            value: NOBODY.to_owned(),
            label: ctx.lang.t("admin.successor_nobody").to_owned(),
            selected: sent == NOBODY,
        };
        let mut errors = FieldErrors::default();
        if let Some(key @ ("admin.successor_needed" | "admin.successor_invalid")) = message {
            errors.add("successor", key);
        }
        Ok(DisablePage {
            l: ctx.layout_titled(m.name.clone()),
            id,
            name: m.name.clone(),
            version: m.version,
            employers,
            follow_ups,
            successors: std::iter::once(nobody).chain(people).collect(),
            message,
            errors,
        })
    }
}

pub(super) async fn confirm_disable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let back = format!("/admin/users/{id}");
    if UserId(id) == ctx.user_id {
        return Ok(redirect_with_flash(
            &back,
            false,
            "admin.cannot_disable_self",
        ));
    }
    let mut tx = ctx.tx(&state).await?;
    let m = repo::member(&mut tx, UserId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    if m.disabled_at.is_some() {
        return Ok(see_other(&back));
    }
    let page = DisablePage::build(&state, &mut tx, &ctx, &m, "", None).await?;
    tx.commit().await?;
    render(&page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DisableForm {
    confirm: String,
    version: i32,
    /// Who takes over the portfolio: a person's id, `NOBODY`, or nothing chosen.
    successor: String,
}

/// Disables a membership and, in the same transaction, moves the person's portfolio: all of it to the
/// chosen successor, or — chosen explicitly — their employers to nobody. A person who holds something
/// is not disabled until the admin chooses. The person's and the successor's memberships are locked
/// first (`repo::lock_members`): two admins moving portfolios between the same people go one after
/// the other, and the second sees the first's result (a successor disabled meanwhile is refused; the
/// portfolio that moved to the person being disabled moves on with the rest).
pub(super) async fn disable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<DisableForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let user = UserId(id);
    let back = format!("/admin/users/{id}");
    if user == ctx.user_id {
        return Ok(redirect_with_flash(
            &back,
            false,
            "admin.cannot_disable_self",
        ));
    }
    let successor: Result<Option<Uuid>, ()> = match form.successor.trim() {
        "" | NOBODY => Ok(None),
        raw => raw.parse().map(Some).map_err(|_| ()),
    };
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let m = repo::member(&mut tx, user)
        .await?
        .ok_or(AppError::NotFound)?;
    if m.disabled_at.is_some() {
        return Ok(redirect_with_flash(&back, true, "admin.user_disabled"));
    }
    if form.confirm != "yes" {
        return Ok(redirect_with_flash(
            &format!("{back}/disable"),
            false,
            "admin.confirm_needed",
        ));
    }
    let mut locking = vec![id];
    locking.extend(successor.ok().flatten().filter(|s| *s != id));
    let locked = repo::lock_members(&mut tx, &locking).await?;
    let refuse = async |tx: &mut sqlx::PgConnection, status, key| -> AppResult<Response> {
        let m = repo::member(&mut *tx, user)
            .await?
            .ok_or(AppError::NotFound)?;
        let page = DisablePage::build(&state, tx, &ctx, &m, &form.successor, Some(key)).await?;
        render_status(status, &page)
    };
    let me = locked
        .iter()
        .find(|l| l.user_id == id)
        .ok_or(AppError::NotFound)?;
    if me.disabled_at.is_some() {
        return Ok(redirect_with_flash(&back, true, "admin.user_disabled"));
    }
    if me.version != form.version {
        return refuse(&mut tx, StatusCode::CONFLICT, "admin.disable_stale").await;
    }
    // The enabled admins are among the locked rows, so two admins cannot disable each other at once.
    let other_admins = locked
        .iter()
        .filter(|l| l.user_id != id && l.role == Role::Admin && l.disabled_at.is_none())
        .count();
    if me.role == Role::Admin && other_admins == 0 {
        return Ok(redirect_with_flash(&back, false, "admin.last_admin"));
    }
    let employers = employer_repo::portfolio_size(&mut tx, id).await?;
    let follow_ups = follow_up_repo::open_assigned_count(&mut tx, id).await?;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let to = match successor {
        Err(()) => return refuse(&mut tx, unprocessable, "admin.successor_invalid").await,
        Ok(None) if form.successor.trim().is_empty() && employers + follow_ups > 0 => {
            return refuse(&mut tx, unprocessable, "admin.successor_needed").await;
        }
        Ok(None) => None,
        Ok(Some(to)) => {
            let can_hold = locked.iter().any(|l| {
                l.user_id == to
                    && to != id
                    && l.disabled_at.is_none()
                    && matches!(l.role, Role::Rm | Role::Supervisor | Role::Admin)
            });
            match repo::member(&mut tx, UserId(to)).await? {
                Some(s) if can_hold => Some((to, s.name)),
                _ => return refuse(&mut tx, unprocessable, "admin.successor_invalid").await,
            }
        }
    };
    if !repo::set_disabled(&mut tx, user, Some(now), form.version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    // A disabled person is signed out of this tenant at once, not at their next sign-in.
    auth_repo::delete_user_tenant_sessions(&mut tx, user, ctx.tenant.id).await?;
    let actor = ctx.actor();
    let mut changes = Changes::new().field("status", "active", "disabled");
    let flash = match &to {
        Some((to, to_name)) => {
            let Some(moved) =
                employer_service::move_portfolio(&mut tx, &actor, id, Some(*to), now).await?
            else {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "a locked successor was refused"
                )));
            };
            let moved_follow_ups =
                follow_up_service::move_open(&mut tx, &actor, (id, &m.name), (*to, to_name), now)
                    .await?;
            changes = changes.created("portfolio_to", to_name);
            if moved > 0 {
                changes = changes.created("employers_moved", moved);
            }
            if moved_follow_ups > 0 {
                changes = changes.created("follow_ups_moved", moved_follow_ups);
            }
            "admin.user_disabled_moved"
        }
        None if employers > 0 => {
            let moved = employer_service::move_portfolio(&mut tx, &actor, id, None, now)
                .await?
                .unwrap_or(0);
            changes = changes.created("employers_unassigned", moved);
            "admin.user_disabled_unassigned"
        }
        None => "admin.user_disabled",
    };
    audit::repo::record(
        &mut tx,
        now,
        &actor,
        Event::new(Action::UserDisabled, Entity::Membership, Some(id)).with(changes),
    )
    .await?;
    tx.commit().await?;
    state.directory.forget(ctx.tenant.id);
    Ok(redirect_with_flash(&back, true, flash))
}

pub(super) async fn enable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let user = UserId(id);
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    repo::member(&mut tx, user)
        .await?
        .ok_or(AppError::NotFound)?;
    if !repo::set_disabled(&mut tx, user, None, form.version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    let changes = Changes::new().field("status", "disabled", "active");
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::UserEnabled, Entity::Membership, Some(id)).with(changes),
    )
    .await?;
    tx.commit().await?;
    state.directory.forget(ctx.tenant.id);
    Ok(redirect_with_flash(
        &format!("/admin/users/{id}"),
        true,
        "admin.user_enabled",
    ))
}

#[derive(Template)]
#[template(path = "admin/users/one_time_password.html")]
struct OneTimePasswordPage {
    l: Layout,
    user_id: Uuid,
    name: String,
    email: String,
    password: String,
}

/// A member whose account this tenant may reset: not the admin themself, and belonging to this tenant
/// alone (another tenant's admins did not ask for it). The database's policy says the same. The count
/// is read under the account's lock, which joining another tenant takes too: a join cannot slip in
/// between this check and the reset.
async fn resettable(
    tx: &mut sqlx::PgConnection,
    ctx: &Ctx,
    user: UserId,
) -> AppResult<Result<repo::Member, &'static str>> {
    let m = repo::member(tx, user).await?.ok_or(AppError::NotFound)?;
    if user == ctx.user_id {
        return Ok(Err("admin.reset_self"));
    }
    match auth_repo::lock_account(tx, user).await? {
        Some(1) => Ok(Ok(m)),
        _ => Ok(Err("admin.reset_shared_account")),
    }
}

pub(super) async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let user = UserId(id);
    let back = format!("/admin/users/{id}");
    let now = state.clock.now();
    let password = auth_domain::one_time_password();
    let hash = crate::auth::hash_password(&password).await?;
    let mut tx = ctx.tx(&state).await?;
    let m = match resettable(&mut tx, &ctx, user).await? {
        Ok(m) => m,
        Err(key) => return Ok(redirect_with_flash(&back, false, key)),
    };
    if !form.confirmed() {
        return Ok(redirect_with_flash(&back, false, "admin.confirm_needed"));
    }
    if !auth_repo::set_password(&mut tx, user, &hash, true, now).await? {
        tx.rollback().await?;
        return Ok(redirect_with_flash(
            &back,
            false,
            "admin.reset_shared_account",
        ));
    }
    auth_repo::delete_user_sessions(&mut tx, user, None).await?;
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::UserPasswordReset, Entity::User, Some(id)),
    )
    .await?;
    tx.commit().await?;
    render(&OneTimePasswordPage {
        l: ctx.layout("admin.one_time_password"),
        user_id: id,
        name: m.name,
        email: m.email,
        password,
    })
}

/// For a person who lost their phone and their recovery codes: they set up a new factor at their next
/// sign-in (when the tenant asks for one).
pub(super) async fn clear_second_factor(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let user = UserId(id);
    let back = format!("/admin/users/{id}");
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    if let Err(key) = resettable(&mut tx, &ctx, user).await? {
        return Ok(redirect_with_flash(&back, false, key));
    }
    if !form.confirmed() {
        return Ok(redirect_with_flash(&back, false, "admin.confirm_needed"));
    }
    if !auth_repo::second_factor::clear_second_factor(&mut tx, user, now).await? {
        tx.rollback().await?;
        return Ok(redirect_with_flash(
            &back,
            false,
            "admin.reset_shared_account",
        ));
    }
    auth_repo::delete_user_sessions(&mut tx, user, None).await?;
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(Action::UserSecondFactorCleared, Entity::User, Some(id)),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &back,
        true,
        "admin.second_factor_cleared",
    ))
}
