//! Operations on sessions and sign-in records that other modules call too (accepting an invitation
//! signs the new person in). They write this module's tables and audit what they do.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::domain::{self, UserId};
use super::repo::{self, MembershipChoice, NewSession};
use crate::audit::{self, Action, Actor, Changes, Entity, Event};
use crate::db;
use crate::tenancy::domain::TenantId;

/// Where a person's sign-in lands: the tenant they last worked in, else the first by name.
pub fn landing(
    memberships: &[MembershipChoice],
    last_tenant: Option<TenantId>,
) -> Option<&MembershipChoice> {
    memberships
        .iter()
        .find(|m| Some(m.tenant_id) == last_tenant)
        .or(memberships.first())
}

/// Who is signing in, and from where.
pub struct SessionStart<'a> {
    pub user: UserId,
    /// None only for a person without a tenant yet, who signs in to accept an invitation.
    pub tenant: Option<TenantId>,
    /// The password was right; the account's second factor is still to be answered.
    pub awaiting_second_factor: bool,
    /// The session the browser came with, ended here: a new id at every sign-in, so a planted
    /// cookie is worthless.
    pub replaces: Option<&'a [u8]>,
    pub ip: Option<&'a str>,
    pub user_agent: &'a str,
}

pub struct Started {
    /// The cookie's secret; only its hash is stored.
    pub token: String,
    pub must_change_password: bool,
}

/// Opens a session in a transaction of its own. A complete sign-in into a tenant is noted on the
/// membership and audited there.
pub async fn start_session(
    pool: &PgPool,
    start: SessionStart<'_>,
    now: DateTime<Utc>,
    actor: &Actor,
) -> sqlx::Result<Started> {
    let mut tx = match start.tenant {
        Some(t) => db::tenant_tx(pool, t, Some(start.user)).await?,
        None => db::user_tx(pool, start.user).await?,
    };
    let started = start_session_in(&mut tx, start, now, actor).await?;
    tx.commit().await?;
    Ok(started)
}

/// The same inside the caller's transaction (in `start.tenant`, acting as `start.user`), for a
/// sign-in that is part of a larger change: joining by invitation commits the account, the membership
/// and the session together, so nothing can fail after that commit.
pub async fn start_session_in(
    conn: &mut sqlx::PgConnection,
    start: SessionStart<'_>,
    now: DateTime<Utc>,
    actor: &Actor,
) -> sqlx::Result<Started> {
    let token = domain::random_token();
    let hash = domain::token_hash(&token);
    if let Some(old) = start.replaces {
        repo::delete_session(conn, old).await?;
    }
    let session = NewSession {
        token_hash: &hash,
        user: start.user,
        tenant: start.tenant,
        awaiting_second_factor: start.awaiting_second_factor,
        ip: start.ip,
        user_agent: start.user_agent,
    };
    repo::create_session(conn, &session, now).await?;
    let mut must_change_password = false;
    if !start.awaiting_second_factor && start.tenant.is_some() {
        must_change_password = repo::record_sign_in(conn, start.user, now).await?;
        let event = Event::new(Action::AuthSignIn, Entity::User, Some(start.user.0));
        audit::repo::record(conn, now, actor, event).await?;
    }
    Ok(Started {
        token,
        must_change_password,
    })
}

/// Makes `tenant` the session's active tenant, where the person starts next time too: they just joined
/// it. Runs in the tenant's transaction.
pub async fn enter_tenant(
    conn: &mut sqlx::PgConnection,
    session_hash: &[u8],
    user: UserId,
    tenant: TenantId,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    repo::set_session_tenant(conn, session_hash, tenant).await?;
    repo::remember_tenant(conn, user, tenant).await?;
    repo::record_tenant_visit(conn, user, now).await
}

/// Audits a failed sign-in step (`auth.sign_in_failed`, `auth.second_factor_failed`) of a known
/// account, and the lock it caused, in the one tenant the sign-in would have opened. The person's
/// other tenants are not told: a tenant's admin sees sign-ins into their own tenant only.
pub async fn record_failure(
    pool: &PgPool,
    user: UserId,
    last_tenant: Option<TenantId>,
    action: Action,
    locked_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    actor: &Actor,
) -> sqlx::Result<()> {
    let mut tx = db::user_tx(pool, user).await?;
    let memberships = repo::enabled_memberships(&mut tx, user).await?;
    let Some(tenant) = landing(&memberships, last_tenant).map(|m| m.tenant_id) else {
        return tx.commit().await;
    };
    db::set_local(&mut tx, "app.tenant_id", &tenant.to_string()).await?;
    audit::repo::record(
        &mut tx,
        now,
        actor,
        Event::new(action, Entity::User, Some(user.0)),
    )
    .await?;
    if let Some(until) = locked_until {
        let changes = Changes::new().created("locked_until", until.to_rfc3339());
        let event = Event::new(Action::AuthLocked, Entity::User, Some(user.0)).with(changes);
        audit::repo::record(&mut tx, now, actor, event).await?;
    }
    tx.commit().await
}
