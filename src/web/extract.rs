//! Extractors: what a handler knows about the request before it does anything.
//!
//! * `RequestMeta` — language choice, client address, request id, flash message, session cookie.
//! * `Ctx` — a signed-in user working in their active tenant. The tenant always comes from the
//!   session, never from a form or a URL.
//! * `SignedIn` — like `Ctx`, but also for a user who must still change a one-time password or set up
//!   the second factor their tenant asks for.
//! * `Account` — a signed-in person, whether or not they belong to any tenant yet (accepting an
//!   invitation).
//! * `PendingSignIn` — a session that has given its password and still owes its second factor.
//! * `Htmx` — whether htmx asked for a fragment of the page rather than the whole page.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use chrono_tz::Tz;

use crate::audit::Actor;
use crate::auth::domain::{UserId, token_hash};
use crate::auth::repo::{self, MemberContext, MembershipChoice, SessionRow};
use crate::db::{self, Tx};
use crate::error::{AppError, AppResult};
use crate::tenancy::domain::{Permission, Role, SecondFactorRule, TenantId, Who};
use crate::web::AppState;
use crate::web::cookies::{self, Jar};
use crate::web::forms::Submitted;
use crate::web::i18n::Lang;
use crate::web::layout::{Flash, Layout, TenantChoice};

/// Whether htmx asked for a fragment (search-as-you-type swaps only the results). A history restore
/// (the back button after htmx changed the URL) asks for the whole page, as a plain request does.
#[derive(Clone, Copy, Debug)]
pub struct Htmx {
    /// htmx made the request (a redirect must then be told to htmx, not followed inside a fragment).
    pub request: bool,
    /// htmx wants a fragment.
    pub partial: bool,
}

impl Htmx {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let request = headers.contains_key("hx-request");
        Htmx {
            request,
            partial: request && !headers.contains_key("hx-history-restore-request"),
        }
    }

    /// Marks a page that answers both ways, so a cache never serves the fragment for the page.
    pub fn vary(self, response: AppResult<Response>) -> AppResult<Response> {
        let mut response = response?;
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("HX-Request"));
        Ok(response)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Htmx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Htmx::from_headers(&parts.headers))
    }
}

/// Gives the browser the session's secret for the session's whole life.
pub fn set_session_cookie(response: &mut Response, config: &crate::config::Config, token: &str) {
    let max_age = config.session_absolute_timeout.num_seconds();
    cookies::set(
        response,
        config.secure_cookies,
        Jar::Session,
        token,
        max_age,
    );
}

pub fn clear_session_cookie(response: &mut Response, config: &crate::config::Config) {
    cookies::clear(response, config.secure_cookies, Jar::Session);
}

pub struct RequestMeta {
    pub lang_choice: Option<Lang>,
    pub accept_lang: Option<Lang>,
    pub ip: Option<IpAddr>,
    /// Made by the server for this request (`layers::request_ids`).
    pub request_id: Option<uuid::Uuid>,
    /// The caller's own id for the request, when it sent a well-formed one.
    pub caller_request_id: Option<uuid::Uuid>,
    pub path: String,
    /// Where "this page" is for a link back to it (the language switch): the path for a GET; for a
    /// page that answers a POST (a form with its messages, a secret shown once), the page the form was
    /// on, which a GET can reach again.
    pub here: String,
    pub flash: Option<Flash>,
    pub session_token: Option<String>,
    pub user_agent: String,
}

impl RequestMeta {
    pub fn from_parts(parts: &Parts, secure_cookies: bool) -> Self {
        let cookie = |jar: Jar| cookies::read(&parts.headers, jar.name(secure_cookies));
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        RequestMeta {
            lang_choice: cookie(Jar::Language).and_then(|v| Lang::parse(&v)),
            accept_lang: header("accept-language").and_then(|v| Lang::negotiate(&v)),
            ip: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
            request_id: header("x-request-id").and_then(|v| uuid::Uuid::try_parse(&v).ok()),
            caller_request_id: header(crate::web::layers::CALLER_REQUEST_ID)
                .and_then(|v| uuid::Uuid::try_parse(&v).ok()),
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into()),
            here: if parts.method == axum::http::Method::GET {
                parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| "/".into())
            } else {
                header("referer")
                    .and_then(|r| referer_path(&r))
                    .unwrap_or_else(|| "/".into())
            },
            flash: cookie(Jar::Flash).and_then(|v| parse_flash(&v)),
            session_token: cookie(Jar::Session).filter(|t| t.len() == 64),
            user_agent: header("user-agent").unwrap_or_default(),
        }
    }

    /// The user's choice, then the browser's, then the tenant's default.
    pub fn lang(&self, tenant_default: Lang) -> Lang {
        self.lang_choice
            .or(self.accept_lang)
            .unwrap_or(tenant_default)
    }

    /// Who acts in this request when that is not a signed-in context's user (signing in, joining by
    /// invitation): `label` names them in the audit trail.
    pub fn actor(&self, user: Option<UserId>, label: &str) -> Actor {
        Actor {
            user,
            label: label.to_owned(),
            ip: self.ip,
            request_id: self.request_id,
            caller_request_id: self.caller_request_id,
        }
    }

    pub fn ip_string(&self) -> Option<String> {
        self.ip.map(|ip| ip.to_string())
    }

    /// A layout for pages seen before signing in (sign-in, errors).
    pub fn anonymous_layout(&self, title_key: &str) -> Layout {
        let lang = self.lang(Lang::Id);
        Layout {
            lang,
            title: lang.t(title_key).to_owned(),
            here: self.here.clone(),
            user_name: None,
            tenant_name: None,
            role: None,
            tenants: Vec::new(),
            nav: Vec::new(),
            flash: self.flash.as_ref().map(|f| Flash {
                success: f.success,
                message: f.message,
            }),
            tz: chrono_tz::Asia::Jakarta,
        }
    }
}

/// The path (with query) of a `Referer`, when it is a local path.
fn referer_path(referer: &str) -> Option<String> {
    let rest = referer.split_once("://").map_or(referer, |(_, r)| r);
    let path = &rest[rest.find('/')?..];
    crate::web::LocalPath::parse(path).map(|p| p.to_string())
}

/// A flash cookie holds a kind and a catalog key, never free text, so it cannot carry markup.
fn parse_flash(raw: &str) -> Option<Flash> {
    let (kind, key) = raw.split_once(':')?;
    let key = crate::web::i18n::known_key(key)?;
    Some(Flash {
        success: kind == "s",
        message: key,
    })
}

impl<S: Send + Sync> FromRequestParts<S> for RequestMeta
where
    AppState: axum::extract::FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = <AppState as axum::extract::FromRef<S>>::from_ref(state);
        Ok(RequestMeta::from_parts(parts, app.config.secure_cookies))
    }
}

pub struct ActiveTenant {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub tz: Tz,
    pub default_lang: Lang,
}

pub struct Ctx {
    pub user_id: UserId,
    pub user_name: String,
    pub email: String,
    pub must_change_password: bool,
    pub has_second_factor: bool,
    /// What the active tenant asks of this person: a second factor at sign-in, or not.
    pub second_factor_required: bool,
    pub role: Role,
    pub tenant: ActiveTenant,
    pub memberships: Vec<MembershipChoice>,
    pub lang: Lang,
    pub meta: RequestMeta,
    pub session_hash: Vec<u8>,
}

impl Ctx {
    /// Who is asking, for the permission rules in each domain's `policy.rs`.
    pub fn who(&self) -> Who {
        Who {
            role: self.role,
            user: self.user_id,
        }
    }

    /// A form as sent now, in the tenant's zone.
    pub fn submitted<'a, F>(
        &self,
        form: &'a F,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Submitted<'a, F> {
        Submitted {
            form,
            now,
            tz: self.tenant.tz,
        }
    }

    /// Begins a transaction in the active tenant, acting as this user.
    pub async fn tx(&self, state: &AppState) -> AppResult<Tx> {
        Ok(db::tenant_tx(&state.db, self.tenant.id, Some(self.user_id)).await?)
    }

    pub fn require(&self, permission: Permission) -> AppResult<()> {
        if self.role.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user: Some(self.user_id),
            label: self.email.clone(),
            ip: self.meta.ip,
            request_id: self.meta.request_id,
            caller_request_id: self.meta.caller_request_id,
        }
    }

    pub fn layout(&self, title_key: &str) -> Layout {
        self.layout_titled(self.lang.t(title_key).to_owned())
    }

    pub fn layout_titled(&self, title: String) -> Layout {
        let path = self.meta.path.split('?').next().unwrap_or("/");
        Layout {
            lang: self.lang,
            title,
            here: self.meta.here.clone(),
            user_name: Some(self.user_name.clone()),
            tenant_name: Some(self.tenant.name.clone()),
            role: Some(self.role),
            tenants: self
                .memberships
                .iter()
                .map(|m| TenantChoice {
                    id: m.tenant_id,
                    name: m.tenant_name.clone(),
                    active: m.tenant_id == self.tenant.id,
                })
                .collect(),
            nav: if self.must_change_password
                || (self.second_factor_required && !self.has_second_factor)
            {
                Vec::new()
            } else {
                Layout::nav_for(self.role, self.lang, path)
            },
            flash: self.meta.flash.as_ref().map(|f| Flash {
                success: f.success,
                message: f.message,
            }),
            tz: self.tenant.tz,
        }
    }

    /// Today in the tenant's zone: stage dates, "left on" and revisit dates are days there.
    pub fn today(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        now.with_timezone(&self.tenant.tz).date_naive()
    }

    pub fn datetime(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        self.lang.datetime(at, self.tenant.tz)
    }
}

/// A session as stored, whatever state it is in, with the person's enabled memberships.
struct LoadedSession {
    meta: RequestMeta,
    hash: Vec<u8>,
    row: SessionRow,
    contexts: Vec<MemberContext>,
}

/// How long a session may wait for its second factor after the password.
const SECOND_FACTOR_WINDOW: chrono::Duration = chrono::Duration::minutes(10);

/// Reads the session behind the cookie, or says why there is none. An expired session is ended.
async fn load_session(parts: &Parts, state: &AppState) -> AppResult<LoadedSession> {
    let meta = RequestMeta::from_parts(parts, state.config.secure_cookies);
    let token = meta
        .session_token
        .clone()
        .ok_or(AppError::Unauthenticated)?;
    let hash = token_hash(&token);
    let now = state.clock.now();
    // Reading needs no transaction (one round trip); the rare writes below are single statements
    // on `sessions`, which has no row-level policy.
    let Some((row, contexts)) = repo::session_with_contexts(&state.db, &hash).await? else {
        return Err(AppError::Unauthenticated);
    };
    let idle = now - row.last_seen_at > state.config.session_idle_timeout;
    let too_old = now - row.created_at > state.config.session_absolute_timeout;
    let unanswered = row.awaiting_second_factor && now - row.created_at > SECOND_FACTOR_WINDOW;
    if idle || too_old || unanswered {
        repo::delete_session(&mut *state.db.acquire().await?, &hash).await?;
        return Err(AppError::SessionExpired);
    }
    Ok(LoadedSession {
        meta,
        hash,
        row,
        contexts,
    })
}

/// Loads the signed-in context from the session cookie, or says why there is none.
async fn load_ctx(parts: &Parts, state: &AppState, enforce_account_setup: bool) -> AppResult<Ctx> {
    let LoadedSession {
        meta,
        hash,
        row: session,
        contexts,
    } = load_session(parts, state).await?;
    // A session that still owes its second factor is not signed in anywhere but that question.
    if session.awaiting_second_factor {
        return Err(AppError::Unauthenticated);
    }
    let now = state.clock.now();
    // The active tenant must still be an enabled membership; otherwise fall back to another one.
    let active = session
        .tenant_id
        .and_then(|t| contexts.iter().position(|c| c.tenant_id == t));
    let active = match active {
        Some(i) => i,
        None if contexts.is_empty() => {
            repo::delete_session(&mut *state.db.acquire().await?, &hash).await?;
            return Err(AppError::NoMembership);
        }
        None => {
            let first = contexts[0].tenant_id;
            repo::set_session_tenant(&mut *state.db.acquire().await?, &hash, first).await?;
            0
        }
    };
    // Writing on every request would cost a row update per page view; a minute's precision is
    // plenty for an idle timeout measured in hours.
    if now - session.last_seen_at > chrono::Duration::minutes(1) {
        repo::touch_session(&mut *state.db.acquire().await?, &hash, now).await?;
    }

    let memberships = contexts
        .iter()
        .map(|c| MembershipChoice {
            tenant_id: c.tenant_id,
            tenant_name: c.tenant_name.clone(),
            role: c.role,
        })
        .collect();
    let row = contexts
        .into_iter()
        .nth(active)
        .expect("the index came from this list");
    let role = row.role;
    let second_factor_required = SecondFactorRule::from_stored(&row.second_factor).requires(role);
    if enforce_account_setup && session.must_change_password {
        return Err(AppError::MustChangePassword);
    }
    if enforce_account_setup && second_factor_required && !session.has_second_factor {
        return Err(AppError::SecondFactorRequired);
    }
    let default_lang = Lang::parse(&row.default_language).unwrap_or(Lang::Id);
    Ok(Ctx {
        user_id: session.user_id,
        user_name: session.user_name,
        email: session.email,
        must_change_password: session.must_change_password,
        has_second_factor: session.has_second_factor,
        second_factor_required,
        role,
        tenant: ActiveTenant {
            id: row.tenant_id,
            slug: row.tenant_slug,
            name: row.tenant_name,
            tz: row.timezone.parse().unwrap_or(chrono_tz::Asia::Jakarta),
            default_lang,
        },
        memberships,
        lang: meta.lang(default_lang),
        meta,
        session_hash: hash,
    })
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        load_ctx(parts, state, true).await
    }
}

/// A signed-in user who may still have to replace a one-time password (the password page itself).
pub struct SignedIn(pub Ctx);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        load_ctx(parts, state, false).await.map(SignedIn)
    }
}

/// A signed-in person, with or without a tenant: who opens an invitation while signed in.
pub struct Account {
    pub user_id: UserId,
    pub user_name: String,
    pub email: String,
    pub lang: Lang,
    pub meta: RequestMeta,
    pub session_hash: Vec<u8>,
}

impl FromRequestParts<AppState> for Account {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let s = load_session(parts, state).await?;
        if s.row.awaiting_second_factor {
            return Err(AppError::Unauthenticated);
        }
        let default_lang = s
            .contexts
            .iter()
            .find(|c| Some(c.tenant_id) == s.row.tenant_id)
            .and_then(|c| Lang::parse(&c.default_language))
            .unwrap_or(Lang::Id);
        Ok(Account {
            user_id: s.row.user_id,
            user_name: s.row.user_name,
            email: s.row.email,
            lang: s.meta.lang(default_lang),
            meta: s.meta,
            session_hash: s.hash,
        })
    }
}

/// A session that has given the right password and now owes the account's second factor.
pub struct PendingSignIn {
    pub user_id: UserId,
    pub email: String,
    pub tenant: Option<TenantId>,
    pub meta: RequestMeta,
    pub session_hash: Vec<u8>,
}

impl FromRequestParts<AppState> for PendingSignIn {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let s = load_session(parts, state).await?;
        if !s.row.awaiting_second_factor {
            return Err(AppError::Unauthenticated);
        }
        Ok(PendingSignIn {
            user_id: s.row.user_id,
            email: s.row.email,
            tenant: s.row.tenant_id,
            meta: s.meta,
            session_hash: s.hash,
        })
    }
}
