//! Tenants, the people in them (users and memberships) and the tenant's settings.

pub mod domain;
pub mod repo;
pub mod web;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::auth::domain::{Email, UserId};
use domain::Role;

pub enum Added {
    /// A new account was created with the given password hash.
    NewUser(UserId),
    /// The person already had an account (in another tenant) and now belongs to this one too.
    ExistingUser(UserId),
    AlreadyMember(UserId),
}

/// Puts a person into the transaction's tenant with a role: a new account when the email is unknown,
/// otherwise a membership for the existing account (whose password is left alone).
pub async fn add_person(
    conn: &mut PgConnection,
    email: &Email,
    name: &str,
    role: Role,
    password_hash: &str,
    must_change_password: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<Added> {
    if let Some(existing) = repo::user_id_by_email(conn, email.as_str()).await? {
        let added = repo::add_membership(conn, existing, role, now).await?;
        return Ok(if added {
            Added::ExistingUser(existing)
        } else {
            Added::AlreadyMember(existing)
        });
    }
    let id = UserId(uuid::Uuid::new_v4());
    repo::insert_user(
        conn,
        id,
        email.as_str(),
        name,
        password_hash,
        must_change_password,
        now,
    )
    .await?;
    repo::add_membership(conn, id, role, now).await?;
    Ok(Added::NewUser(id))
}
