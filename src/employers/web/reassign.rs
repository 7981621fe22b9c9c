//! Moving the employers a supervisor ticked on the list to another RM and/or branch office.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::audit::{self, Action, Changes, Entity, Event};
use crate::branches::repo as branch_repo;
use crate::employers::service::AssignmentNames;
use crate::employers::{policy, repo};
use crate::error::{AppError, AppResult};
use crate::tenancy::repo as tenancy_repo;
use crate::web::extract::Ctx;
use crate::web::{AppState, Form, LocalPath, redirect_with_flash};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReassignForm {
    ids: Vec<String>,
    rm_id: String,
    branch_id: String,
    back: String,
}

/// All the ticked employers move, or none: an id that is not an open employer of this tenant
/// (archived meanwhile, or another tenant's) refuses the whole move rather than reporting a move that
/// did not happen. Each moved employer's history records its old and new assignment.
pub async fn reassign(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<ReassignForm>,
) -> AppResult<Response> {
    if !policy::may_assign(ctx.who()) {
        return Err(AppError::Forbidden);
    }
    // Back to the list as it was filtered.
    let back = LocalPath::within(&form.back, "/employers").to_string();
    let refuse = |key| Ok(redirect_with_flash(&back, false, key));
    let mut ids: Vec<Uuid> = form.ids.iter().filter_map(|s| s.parse().ok()).collect();
    if ids.is_empty() || ids.len() != form.ids.len() {
        return refuse("employer.reassign_none");
    }
    ids.sort();
    ids.dedup();
    let rm: Option<Uuid> = form.rm_id.parse().ok();
    let branch: Option<Uuid> = form.branch_id.parse().ok();
    if rm.is_none() && branch.is_none() {
        return refuse("employer.reassign_no_target");
    }
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    if let Some(rm) = rm
        && !tenancy_repo::is_assignable(&mut tx, rm).await?
    {
        return refuse("employer.rm_invalid");
    }
    if let Some(b) = branch
        && !branch_repo::is_open(&mut tx, b).await?
    {
        return refuse("employer.branch_invalid");
    }
    if repo::count_open(&mut tx, &ids).await? != ids.len() as i64 {
        return refuse("employer.reassign_missing");
    }
    let moved = repo::reassign(&mut tx, &ids, rm, branch, now).await?;
    if moved.is_empty() {
        return Ok(redirect_with_flash(
            &back,
            true,
            "employer.reassign_unchanged",
        ));
    }
    let names = AssignmentNames::load(&mut tx).await?;
    for m in &moved {
        let mut changes = Changes::new();
        if rm.is_some() {
            changes = changes.field("rm", names.person(m.old_rm), names.person(rm));
        }
        if branch.is_some() {
            changes = changes.field("branch", names.branch(m.old_branch), names.branch(branch));
        }
        audit::repo::record(
            &mut tx,
            now,
            &ctx.actor(),
            Event::new(Action::EmployerReassigned, Entity::Employer, Some(m.id))
                .with(changes)
                .of_employer(m.id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(redirect_with_flash(&back, true, "employer.reassigned"))
}
