//! Tenants, the people in them (users and memberships) and the tenant's settings.

pub mod directory;
pub mod domain;
pub mod repo;
pub mod web;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::audit::{self, Actor, Changes, Event};
use crate::auth::domain::{Email, UserId};
use domain::Role;

pub enum Added {
    /// A new account was created with the given password hash.
    NewUser(UserId),
    /// The person already had an account (in another tenant) and now belongs to this one too.
    ExistingUser(UserId),
    AlreadyMember(UserId),
}

pub struct NewPerson<'a> {
    pub email: &'a Email,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    /// True for a one-time password that must be replaced at the first sign-in.
    pub must_change_password: bool,
}

/// Puts a person into the transaction's tenant with a role — a new account when the email is unknown,
/// otherwise a membership for the existing account (whose password is left alone) — and audits it.
pub async fn add_person(
    conn: &mut PgConnection,
    person: NewPerson<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> sqlx::Result<Added> {
    let email = person.email.as_str();
    let added = match repo::user_id_by_email(conn, email).await? {
        Some(existing) if repo::add_membership(conn, existing, person.role, now).await? => {
            Added::ExistingUser(existing)
        }
        Some(existing) => return Ok(Added::AlreadyMember(existing)),
        None => {
            let id = UserId(uuid::Uuid::new_v4());
            let must_change = person.must_change_password;
            repo::insert_user(
                conn,
                id,
                email,
                person.name,
                person.password_hash,
                must_change,
                now,
            )
            .await?;
            repo::add_membership(conn, id, person.role, now).await?;
            Added::NewUser(id)
        }
    };
    let (action, user) = match added {
        Added::NewUser(id) => ("user.created", id),
        Added::ExistingUser(id) | Added::AlreadyMember(id) => ("user.added", id),
    };
    let changes = Changes::new()
        .created("email", email)
        .created("name", person.name)
        .created("role", person.role.as_str());
    audit::repo::record(
        conn,
        now,
        actor,
        Event::new(action, "user", Some(user.0)).with(changes),
    )
    .await?;
    Ok(added)
}
