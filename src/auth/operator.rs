//! An operator's powers over accounts, from the command line only: a tenant's admin may reset an
//! account that belongs to their tenant alone, an operator any account — also one that somebody
//! registered before its owner did. Audited in every tenant the account belongs to.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::domain::{Email, UserId};
use super::repo;
use crate::audit::{self, Action, Actor, Entity, Event};
use crate::db;
use crate::tenancy::repo as tenancy_repo;

/// The account with this email, acting as it (the row policies let an account change itself).
async fn account_tx(pool: &PgPool, email: &Email) -> sqlx::Result<Option<(db::Tx, UserId)>> {
    let mut tx = db::begin(pool).await?;
    let Some(user) = tenancy_repo::user_id_by_email(&mut tx, email.as_str()).await? else {
        return Ok(None);
    };
    db::set_local(&mut tx, "app.user_id", &user.to_string()).await?;
    Ok(Some((tx, user)))
}

async fn audit_everywhere(
    tx: &mut db::Tx,
    user: UserId,
    action: Action,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let tenants = repo::all_membership_tenants(tx, user).await?;
    audit::repo::record_in_tenants(tx, &tenants, now, &Actor::cli(), || {
        Event::new(action, Entity::User, Some(user.0))
    })
    .await
}

/// Sets a one-time password (already hashed) to be changed at the next sign-in, and ends every
/// session of the account. False when no account has the email.
pub async fn reset_password(
    pool: &PgPool,
    email: &Email,
    hash: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let Some((mut tx, user)) = account_tx(pool, email).await? else {
        return Ok(false);
    };
    repo::set_password(&mut tx, user, hash, true, now).await?;
    repo::delete_user_sessions(&mut tx, user, None).await?;
    audit_everywhere(&mut tx, user, Action::UserPasswordReset, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Removes the account's second factor and recovery codes, and ends its sessions.
pub async fn clear_second_factor(
    pool: &PgPool,
    email: &Email,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let Some((mut tx, user)) = account_tx(pool, email).await? else {
        return Ok(false);
    };
    repo::second_factor::clear_second_factor(&mut tx, user, now).await?;
    repo::delete_user_sessions(&mut tx, user, None).await?;
    audit_everywhere(&mut tx, user, Action::UserSecondFactorCleared, now).await?;
    tx.commit().await?;
    Ok(true)
}
