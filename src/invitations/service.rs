//! Inviting, joining and — for operators and demo data — adding a person directly. Every membership
//! comes into being through an invitation held by the person who joins: the schema's policies refuse
//! any other way (migrations/0004_accounts.sql).

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::{InvitationSecret, NewInvitation};
use super::repo::{self, Invitation, NewRow};
use crate::audit::{self, Action, Actor, Changes, Entity, Event};
use crate::auth::domain::{Email, UserId};
use crate::db;
use crate::tenancy::domain::Role;
use crate::tenancy::repo as tenancy_repo;

/// A new invitation and the secret of its link, which exists only here and in the link.
pub struct Invited {
    pub id: Uuid,
    pub secret: InvitationSecret,
    pub expires_at: DateTime<Utc>,
}

/// Invites an email into the transaction's tenant, replacing an earlier open invitation for it.
/// Refused (with a message key) when the email is already one of the tenant's people or the branch
/// office is not an open one of the tenant. Nothing depends on whether an account exists elsewhere.
pub async fn invite(
    conn: &mut PgConnection,
    new: &NewInvitation,
    actor: &Actor,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<Invited, (&'static str, &'static str)>> {
    let email = new.email.as_str();
    if repo::is_member(conn, email).await? {
        return Ok(Err(("email", "invitation.already_member")));
    }
    let mut branch_code = None;
    if let Some(b) = new.branch {
        match crate::branches::repo::find(conn, b).await? {
            Some(branch) if branch.archived_at.is_none() => branch_code = Some(branch.code),
            _ => return Ok(Err(("branch_id", "error.branch_invalid"))),
        }
    }
    if let Some(old) = repo::revoke_open_for_email(conn, email, actor.user, now).await? {
        let event = Event::new(Action::InvitationRevoked, Entity::Invitation, Some(old))
            .with(Changes::new().created("email", email));
        audit::repo::record(conn, now, actor, event).await?;
    }
    let secret = InvitationSecret::generate();
    let id = Uuid::new_v4();
    let expires_at = now + Duration::days(new.days);
    let row = NewRow {
        id,
        email,
        role: new.role,
        branch: new.branch,
        token_hash: &secret.hash(),
        invited_by: actor.user,
        expires_at,
    };
    repo::insert(conn, &row, now).await?;
    let changes = Changes::new()
        .created("email", email)
        .created("role", new.role.as_str())
        .created("branch", branch_code)
        .created("expires_at", expires_at.to_rfc3339());
    audit::repo::record(
        conn,
        now,
        actor,
        Event::new(Action::InvitationCreated, Entity::Invitation, Some(id)).with(changes),
    )
    .await?;
    Ok(Ok(Invited {
        id,
        secret,
        expires_at,
    }))
}

/// An account about to be made for an invitation's email.
pub struct NewAccount<'a> {
    pub id: UserId,
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    /// True for a one-time password an operator handed out.
    pub must_change_password: bool,
}

/// Makes the account an invitation is for: the person holding the link chose a name and password.
/// The caller has locked the open invitation in its tenant's transaction. A unique violation on the
/// email means an account exists after all (made meanwhile); the caller says so, and nothing is
/// audited.
pub async fn create_account(
    conn: &mut PgConnection,
    secret_hash_hex: &str,
    account: &NewAccount<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    db::set_local(conn, "app.invitation", secret_hash_hex).await?;
    db::set_local(conn, "app.user_id", &account.id.to_string()).await?;
    tenancy_repo::insert_user(
        conn,
        account.id,
        account.email,
        account.name,
        account.password_hash,
        account.must_change_password,
        now,
    )
    .await?;
    let changes = Changes::new()
        .created("email", account.email)
        .created("name", account.name);
    let event = Event::new(Action::UserCreated, Entity::User, Some(account.id.0)).with(changes);
    audit::repo::record(conn, now, actor, event).await
}

/// The person `user` joins the invitation's tenant with its role and branch office; the invitation is
/// used up. The caller has locked the open invitation, checked that it is the person's (their email)
/// and runs in its tenant; `user` is the transaction's acting user. Returns false when the person
/// already was a member (the invitation is used up all the same).
pub async fn join(
    conn: &mut PgConnection,
    invitation: &Invitation,
    secret_hash_hex: &str,
    user: UserId,
    actor: &Actor,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let role = invitation.role;
    db::set_local(conn, "app.invitation", secret_hash_hex).await?;
    db::set_local(conn, "app.user_id", &user.to_string()).await?;
    // A tenant's reset of this person checks under the same lock that they belong to it alone.
    crate::auth::repo::lock_account(conn, user).await?;
    let joined = tenancy_repo::add_membership(conn, user, role, invitation.branch_id, now).await?;
    repo::mark_accepted(conn, invitation.id, user, now).await?;
    db::set_local(conn, "app.invitation", "").await?;
    let event = Event::new(
        Action::InvitationAccepted,
        Entity::Invitation,
        Some(invitation.id),
    )
    .with(Changes::new().created("email", invitation.email.as_str()));
    audit::repo::record(conn, now, actor, event).await?;
    if joined {
        let changes = Changes::new()
            .created("email", invitation.email.as_str())
            .created("role", role.as_str());
        let event = Event::new(Action::UserAdded, Entity::User, Some(user.0)).with(changes);
        audit::repo::record(conn, now, actor, event).await?;
    }
    Ok(joined)
}

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

/// An operator's way in (the command line, demo and benchmark data): puts a person into the
/// transaction's tenant at once — a new account when the email is unknown, otherwise a membership for
/// the existing account, whose password is left alone. It goes through an invitation accepted on the
/// spot, the only way the schema allows, and is audited as such.
pub async fn add_person(
    conn: &mut PgConnection,
    person: NewPerson<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> anyhow::Result<Added> {
    let email = person.email.as_str();
    let existing = tenancy_repo::user_id_by_email(conn, email).await?;
    if let Some(id) = existing
        && repo::is_member(conn, email).await?
    {
        return Ok(Added::AlreadyMember(id));
    }
    let new = NewInvitation {
        email: person.email.clone(),
        role: person.role,
        branch: None,
        days: 1,
    };
    let invited = match invite(conn, &new, actor, now).await? {
        Ok(i) => i,
        Err((_, key)) => anyhow::bail!("{email} could not be invited: {key}"),
    };
    let hash_hex = invited.secret.hash_hex();
    let added = match existing {
        Some(id) => Added::ExistingUser(id),
        None => {
            let id = UserId(Uuid::new_v4());
            let account = NewAccount {
                id,
                email,
                name: person.name,
                password_hash: person.password_hash,
                must_change_password: person.must_change_password,
            };
            create_account(conn, &hash_hex, &account, actor, now).await?;
            Added::NewUser(id)
        }
    };
    let user = match added {
        Added::NewUser(id) | Added::ExistingUser(id) | Added::AlreadyMember(id) => id,
    };
    let invitation = repo::lock_by_hash(conn, &invited.secret.hash())
        .await?
        .expect("the invitation was made in this transaction");
    join(conn, &invitation, &hash_hex, user, actor, now).await?;
    // The acting user of an operator's transaction is nobody.
    db::set_local(conn, "app.user_id", "").await?;
    Ok(added)
}
