//! Admin pages for the tenant: overview, users and memberships, settings.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::domain::{Permission, Role, TimeZone};
use super::{Added, NewPerson, add_person, repo};
use crate::audit::{self, Changes, Event};
use crate::auth::domain::{self as auth_domain, Email, UserId};
use crate::auth::repo as auth_repo;
use crate::error::{AppError, AppResult};
use crate::web::extract::Ctx;
use crate::web::forms::{FieldErrors, optional_text, required_text};
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::{AppState, redirect_with_flash, render, render_status};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_home))
        .route("/admin/users", get(users_index).post(users_create))
        .route("/admin/users/new", get(users_new))
        .route("/admin/users/{id}", get(users_show))
        .route("/admin/users/{id}/role", post(users_set_role))
        .route("/admin/users/{id}/disable", post(users_disable))
        .route("/admin/users/{id}/enable", post(users_enable))
        .route(
            "/admin/users/{id}/reset-password",
            post(users_reset_password),
        )
        .route("/admin/settings", get(settings_edit).post(settings_update))
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct AdminHome {
    l: Layout,
}

async fn admin_home(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::OpenAdmin)?;
    render(&AdminHome {
        l: ctx.layout("admin.title"),
    })
}

// Users -----------------------------------------------------------------------------------------

struct MemberRow {
    id: Uuid,
    name: String,
    email: String,
    role_label: &'static str,
    disabled: bool,
    must_change_password: bool,
    last_sign_in: String,
}

#[derive(Template)]
#[template(path = "admin/users/index.html")]
struct UsersIndex {
    l: Layout,
    members: Vec<MemberRow>,
}

async fn users_index(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let mut tx = ctx.tx(&state).await?;
    let members = repo::members(&mut tx).await?;
    tx.commit().await?;
    let members = members
        .into_iter()
        .map(|m| MemberRow {
            id: m.user_id.0,
            role_label: ctx.lang.t(auth_repo::role_of(&m.role).label_key()),
            disabled: m.disabled_at.is_some(),
            must_change_password: m.must_change_password,
            last_sign_in: m
                .last_sign_in_at
                .map(|t| ctx.datetime(t))
                .unwrap_or_else(|| "—".into()),
            name: m.name,
            email: m.email,
        })
        .collect();
    render(&UsersIndex {
        l: ctx.layout("admin.users"),
        members,
    })
}

struct RoleOption {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

fn role_options(lang: Lang, selected: &str) -> Vec<RoleOption> {
    Role::ALL
        .iter()
        .map(|r| RoleOption {
            value: r.as_str(),
            label: lang.t(r.label_key()),
            selected: r.as_str() == selected,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/users/new.html")]
struct UsersNew {
    l: Layout,
    email: String,
    name: String,
    roles: Vec<RoleOption>,
    errors: FieldErrors,
}

async fn users_new(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    render(&UsersNew {
        roles: role_options(ctx.lang, "rm"),
        l: ctx.layout("admin.users_new"),
        email: String::new(),
        name: String::new(),
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct NewUserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
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

async fn users_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<NewUserForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let now = state.clock.now();
    let mut errors = FieldErrors::default();
    let email = errors.check("email", Email::parse(&form.email));
    let name = errors.check("name", required_text(&form.name, 200));
    let role = errors.check("role", form.role.parse::<Role>());
    let (Some(email), Some(name), Some(role)) = (email, name, role) else {
        return users_new_again(&ctx, form, errors);
    };
    let password = auth_domain::one_time_password();
    let hash = crate::auth::hash_password(&password).await?;
    let mut tx = ctx.tx(&state).await?;
    let person = NewPerson {
        email: &email,
        name: &name,
        role,
        password_hash: &hash,
        must_change_password: true,
    };
    let user = match add_person(&mut tx, person, &ctx.actor(), now).await? {
        Added::AlreadyMember(_) => {
            tx.rollback().await?;
            errors.add("email", "admin.already_member");
            return users_new_again(&ctx, form, errors);
        }
        Added::ExistingUser(id) => {
            tx.commit().await?;
            state.directory.forget(ctx.tenant.id);
            let to = format!("/admin/users/{}", id.0);
            return Ok(redirect_with_flash(&to, true, "admin.existing_user_added"));
        }
        Added::NewUser(id) => id,
    };
    tx.commit().await?;
    state.directory.forget(ctx.tenant.id);
    // The one-time password is shown once, on this response, and stored nowhere in clear.
    render(&OneTimePasswordPage {
        l: ctx.layout("admin.one_time_password"),
        user_id: user.0,
        name,
        email: email.as_str().to_owned(),
        password,
    })
}

fn users_new_again(ctx: &Ctx, form: NewUserForm, errors: FieldErrors) -> AppResult<Response> {
    let page = UsersNew {
        roles: role_options(ctx.lang, &form.role),
        l: ctx.layout("admin.users_new"),
        email: form.email,
        name: form.name,
        errors,
    };
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[derive(Template)]
#[template(path = "admin/users/show.html")]
struct UsersShow {
    l: Layout,
    id: Uuid,
    name: String,
    email: String,
    role_label: &'static str,
    roles: Vec<RoleOption>,
    disabled: bool,
    is_self: bool,
    can_reset: bool,
    must_change_password: bool,
    last_sign_in: String,
    version: i32,
}

async fn users_show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let mut tx = ctx.tx(&state).await?;
    let m = repo::member(&mut tx, UserId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let role = auth_repo::role_of(&m.role);
    render(&UsersShow {
        l: ctx.layout_titled(m.name.clone()),
        id,
        role_label: ctx.lang.t(role.label_key()),
        roles: role_options(ctx.lang, role.as_str()),
        disabled: m.disabled_at.is_some(),
        is_self: m.user_id == ctx.user_id,
        can_reset: m.membership_count <= 1 && m.user_id != ctx.user_id,
        must_change_password: m.must_change_password,
        last_sign_in: m
            .last_sign_in_at
            .map(|t| ctx.datetime(t))
            .unwrap_or_else(|| "—".into()),
        version: m.version,
        name: m.name,
        email: m.email,
    })
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
    version: i32,
}

async fn users_set_role(
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
    let user = UserId(id);
    let back = format!("/admin/users/{id}");
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let m = repo::member(&mut tx, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let old = auth_repo::role_of(&m.role);
    if old == role {
        return Ok(redirect_with_flash(&back, true, "admin.saved"));
    }
    if old == Role::Admin && repo::other_enabled_admins(&mut tx, user).await? == 0 {
        return Ok(redirect_with_flash(&back, false, "admin.last_admin"));
    }
    if !repo::set_role(&mut tx, user, role, form.version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    let changes = Changes::new().field("role", old.as_str(), role.as_str());
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new("user.role_changed", "membership", Some(id)).with(changes),
    )
    .await?;
    tx.commit().await?;
    state.directory.forget(ctx.tenant.id);
    Ok(redirect_with_flash(&back, true, "admin.saved"))
}

#[derive(Deserialize)]
struct VersionForm {
    version: i32,
}

async fn users_disable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<VersionForm>,
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
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let m = repo::member(&mut tx, user)
        .await?
        .ok_or(AppError::NotFound)?;
    if m.role == "admin" && repo::other_enabled_admins(&mut tx, user).await? == 0 {
        return Ok(redirect_with_flash(&back, false, "admin.last_admin"));
    }
    if !repo::set_disabled(&mut tx, user, Some(now), form.version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    // A disabled person is signed out of this tenant at once, not at their next sign-in.
    auth_repo::delete_user_tenant_sessions(&mut tx, user, ctx.tenant.id).await?;
    let changes = Changes::new().field("status", "active", "disabled");
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new("user.disabled", "membership", Some(id)).with(changes),
    )
    .await?;
    tx.commit().await?;
    state.directory.forget(ctx.tenant.id);
    Ok(redirect_with_flash(&back, true, "admin.user_disabled"))
}

async fn users_enable(
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
        Event::new("user.enabled", "membership", Some(id)).with(changes),
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

async fn users_reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageUsers)?;
    let user = UserId(id);
    let back = format!("/admin/users/{id}");
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let m = repo::member(&mut tx, user)
        .await?
        .ok_or(AppError::NotFound)?;
    if user == ctx.user_id {
        return Ok(redirect_with_flash(&back, false, "admin.reset_self"));
    }
    // The account is shared with other tenants, whose admins did not ask for this.
    if m.membership_count > 1 {
        return Ok(redirect_with_flash(
            &back,
            false,
            "admin.reset_shared_account",
        ));
    }
    let password = auth_domain::one_time_password();
    let hash = crate::auth::hash_password(&password).await?;
    auth_repo::set_password(&mut tx, user, &hash, true, now).await?;
    auth_repo::delete_user_sessions(&mut tx, user, None).await?;
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new("user.password_reset", "user", Some(id)),
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

// Settings --------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    l: Layout,
    s: repo::Settings,
    zones: Vec<&'static str>,
    errors: FieldErrors,
    stale: bool,
}

/// Zones offered first: Indonesia's three; any IANA zone typed is accepted.
const ZONES: [&str; 3] = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"];

async fn settings_edit(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::ManageSettings)?;
    let mut tx = ctx.tx(&state).await?;
    let s = repo::settings(&mut tx).await?;
    tx.commit().await?;
    render(&SettingsPage {
        l: ctx.layout("admin.settings"),
        s,
        zones: ZONES.to_vec(),
        errors: FieldErrors::default(),
        stale: false,
    })
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    default_language: String,
    #[serde(default)]
    letterhead_office: String,
    #[serde(default)]
    letterhead_address: String,
    #[serde(default)]
    letterhead_city: String,
    #[serde(default)]
    letterhead_phone: String,
    #[serde(default)]
    letterhead_email: String,
    #[serde(default)]
    letterhead_signatory_name: String,
    #[serde(default)]
    letterhead_signatory_title: String,
    version: i32,
}

impl SettingsForm {
    fn parse(&self, errors: &mut FieldErrors) -> Option<repo::Settings> {
        let name = errors.check("name", required_text(&self.name, 200));
        let timezone = errors.check("timezone", TimeZone::parse(&self.timezone));
        let language = errors.check(
            "default_language",
            Lang::parse(&self.default_language).ok_or("error.language_invalid"),
        );
        let mut text = |field: &'static str, raw: &str, max: usize| {
            errors.check(field, optional_text(raw, max))
        };
        let office = text("letterhead_office", &self.letterhead_office, 200);
        let address = text("letterhead_address", &self.letterhead_address, 500);
        let city = text("letterhead_city", &self.letterhead_city, 100);
        let phone = text("letterhead_phone", &self.letterhead_phone, 50);
        let email = text("letterhead_email", &self.letterhead_email, 254);
        let signatory = text(
            "letterhead_signatory_name",
            &self.letterhead_signatory_name,
            200,
        );
        let title = text(
            "letterhead_signatory_title",
            &self.letterhead_signatory_title,
            200,
        );
        let email = match email {
            Some(e) if !e.is_empty() => errors.check(
                "letterhead_email",
                Email::parse(&e).map(|e| e.as_str().to_owned()),
            ),
            other => other,
        };
        Some(repo::Settings {
            name: name?,
            timezone: timezone?.name().to_owned(),
            default_language: language?.code().to_owned(),
            letterhead_office: office?,
            letterhead_address: address?,
            letterhead_city: city?,
            letterhead_phone: phone?,
            letterhead_email: email?,
            letterhead_signatory_name: signatory?,
            letterhead_signatory_title: title?,
            version: self.version,
        })
    }

    /// What the admin typed, to show again beside the messages.
    fn as_typed(&self) -> repo::Settings {
        repo::Settings {
            name: self.name.clone(),
            timezone: self.timezone.clone(),
            default_language: self.default_language.clone(),
            letterhead_office: self.letterhead_office.clone(),
            letterhead_address: self.letterhead_address.clone(),
            letterhead_city: self.letterhead_city.clone(),
            letterhead_phone: self.letterhead_phone.clone(),
            letterhead_email: self.letterhead_email.clone(),
            letterhead_signatory_name: self.letterhead_signatory_name.clone(),
            letterhead_signatory_title: self.letterhead_signatory_title.clone(),
            version: self.version,
        }
    }
}

fn settings_changes(old: &repo::Settings, new: &repo::Settings) -> Changes {
    Changes::new()
        .field("name", &old.name, &new.name)
        .field("timezone", &old.timezone, &new.timezone)
        .field(
            "default_language",
            &old.default_language,
            &new.default_language,
        )
        .field(
            "letterhead_office",
            &old.letterhead_office,
            &new.letterhead_office,
        )
        .field(
            "letterhead_address",
            &old.letterhead_address,
            &new.letterhead_address,
        )
        .field(
            "letterhead_city",
            &old.letterhead_city,
            &new.letterhead_city,
        )
        .field(
            "letterhead_phone",
            &old.letterhead_phone,
            &new.letterhead_phone,
        )
        .field(
            "letterhead_email",
            &old.letterhead_email,
            &new.letterhead_email,
        )
        .field(
            "letterhead_signatory_name",
            &old.letterhead_signatory_name,
            &new.letterhead_signatory_name,
        )
        .field(
            "letterhead_signatory_title",
            &old.letterhead_signatory_title,
            &new.letterhead_signatory_title,
        )
}

async fn settings_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageSettings)?;
    let now = state.clock.now();
    let mut errors = FieldErrors::default();
    let Some(new) = form.parse(&mut errors).filter(|_| errors.is_empty()) else {
        let page = SettingsPage {
            l: ctx.layout("admin.settings"),
            s: form.as_typed(),
            zones: ZONES.to_vec(),
            errors,
            stale: false,
        };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let mut tx = ctx.tx(&state).await?;
    let old = repo::settings(&mut tx).await?;
    if old.version != new.version || !repo::update_settings(&mut tx, &new, now).await? {
        // Someone saved in between: show their version, and nothing of ours is written.
        tx.rollback().await?;
        let mut tx = ctx.tx(&state).await?;
        let current = repo::settings(&mut tx).await?;
        tx.commit().await?;
        let page = SettingsPage {
            l: ctx.layout("admin.settings"),
            s: current,
            zones: ZONES.to_vec(),
            errors,
            stale: true,
        };
        return render_status(StatusCode::CONFLICT, &page);
    }
    let changes = settings_changes(&old, &new);
    if !changes.is_empty() {
        audit::repo::record(
            &mut tx,
            now,
            &ctx.actor(),
            Event::new("tenant.updated", "tenant", Some(ctx.tenant.id.0)).with(changes),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(redirect_with_flash("/admin/settings", true, "admin.saved"))
}
