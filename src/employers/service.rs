//! Employer operations that span a request or another module: the portfolio check other modules make
//! before changing something of an employer, the names the history records, and the cadence marks a
//! meeting decides (written here, with their audit event, whoever saves the meeting).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::{EmployerFields, Recorded};
use super::repo::{self, Employer};
use crate::audit::{self, Action, Actor, Changes, Entity, Event};
use crate::error::{AppError, AppResult};

/// The employer, when `may` allows it given its RM — the check every page makes before changing
/// something of an employer (its key persons, links, meetings, follow-ups): 404 when it is not in the
/// tenant, 403 when `may` refuses.
pub async fn checked(
    conn: &mut PgConnection,
    employer: Uuid,
    may: impl FnOnce(Option<Uuid>) -> bool,
) -> AppResult<Employer> {
    let e = repo::find(conn, employer)
        .await?
        .ok_or(AppError::NotFound)?;
    if may(e.fields.rm_id) {
        Ok(e)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Names of the tenant's people and branch offices (by code), so the history says "Dewi Lestari",
/// not an id. Disabled people and archived offices keep their names.
pub struct AssignmentNames {
    people: HashMap<Uuid, String>,
    branches: HashMap<Uuid, String>,
}

impl AssignmentNames {
    pub async fn load(conn: &mut PgConnection) -> AppResult<AssignmentNames> {
        let people = crate::tenancy::repo::members(&mut *conn)
            .await?
            .into_iter()
            .map(|m| (m.user_id.0, m.name))
            .collect();
        let branches = crate::branches::repo::list(conn)
            .await?
            .into_iter()
            .map(|b| (b.id, b.code))
            .collect();
        Ok(AssignmentNames { people, branches })
    }

    pub fn person(&self, id: Option<Uuid>) -> Option<String> {
        id.map(|i| {
            self.people
                .get(&i)
                .cloned()
                .unwrap_or_else(|| i.to_string())
        })
    }

    pub fn branch(&self, id: Option<Uuid>) -> Option<String> {
        id.map(|i| {
            self.branches
                .get(&i)
                .cloned()
                .unwrap_or_else(|| i.to_string())
        })
    }

    /// The fields as the history records them.
    pub fn recorded<'a>(&self, fields: &'a EmployerFields) -> Recorded<'a> {
        Recorded {
            fields,
            rm: self.person(fields.rm_id),
            branch: self.branch(fields.branch_id),
        }
    }
}

/// Moves the whole open portfolio of `from` to `to` (an RM, supervisor or admin of the tenant), or to
/// nobody, recording each moved employer's old and new RM in its history; returns how many moved.
/// `to` must be assignable (`tenancy::repo::is_assignable`, checked here too): None when it is not,
/// and nothing moved.
pub async fn move_portfolio(
    conn: &mut PgConnection,
    actor: &Actor,
    from: Uuid,
    to: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Option<usize>> {
    if let Some(to) = to
        && !crate::tenancy::repo::is_assignable(&mut *conn, to).await?
    {
        return Ok(None);
    }
    let moved = repo::move_portfolio(&mut *conn, from, to, now).await?;
    if moved.is_empty() {
        return Ok(Some(0));
    }
    let names = AssignmentNames::load(&mut *conn).await?;
    for id in &moved {
        let changes = Changes::new().field("rm", names.person(Some(from)), names.person(to));
        audit::repo::record(
            &mut *conn,
            now,
            actor,
            Event::new(Action::EmployerReassigned, Entity::Employer, Some(*id))
                .with(changes)
                .of_employer(*id),
        )
        .await?;
    }
    Ok(Some(moved.len()))
}

/// Recomputes the marks the employer's meetings decide (its latest BOD-1 meeting, its next planned
/// one, its regulation-briefing day) after a meeting was saved, cancelled, archived or restored, and
/// records a changed briefing day in the employer's history. Call it with the employer locked
/// (`repo::lock_open`).
pub async fn refresh_cadence(
    conn: &mut PgConnection,
    actor: &Actor,
    employer: Uuid,
    tz: Tz,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let cadence = repo::refresh_cadence(&mut *conn, employer, tz.name()).await?;
    if cadence.briefing_before != cadence.briefing_after {
        let changes = Changes::new().field(
            "regulation_briefing_on",
            cadence.briefing_before,
            cadence.briefing_after,
        );
        audit::repo::record(
            conn,
            now,
            actor,
            Event::new(Action::EmployerUpdated, Entity::Employer, Some(employer))
                .with(changes)
                .of_employer(employer),
        )
        .await?;
    }
    Ok(())
}

/// Brings the arrears summary the list shows up to date: of one employer after its contributions
/// changed, or of the whole tenant (`None`) when due dates moved or passed. Derived from the
/// contribution periods, so no audit event of its own: the change that caused it has one.
pub async fn refresh_arrears(
    conn: &mut PgConnection,
    employer: Option<Uuid>,
    today: chrono::NaiveDate,
) -> AppResult<()> {
    match employer {
        Some(id) => repo::refresh_arrears_of(conn, id, today).await?,
        None => {
            repo::refresh_arrears_all(conn, today).await?;
        }
    }
    Ok(())
}
