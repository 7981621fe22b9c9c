//! Employers and institutions (SPEC §3.2): the portfolio RMs look after.

pub mod domain;
pub mod export;
pub mod repo;
pub mod web;

use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;

/// May this person change an employer assigned to `rm` (and its key persons and links)? Supervisors
/// and admins may change any; RMs only their own portfolio (SPEC §2).
pub fn may_edit(ctx: &Ctx, rm: Option<Uuid>) -> bool {
    ctx.role.can(Permission::EditAnyRecord)
        || (ctx.role.can(Permission::EditOwnPortfolio) && rm == Some(ctx.user_id.0))
}

/// 404 when the employer is not in the active tenant, 403 when it is not this person's to change.
pub async fn require_editable(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    employer: Uuid,
) -> AppResult<()> {
    let rm = repo::owner_of(conn, employer)
        .await?
        .ok_or(AppError::NotFound)?;
    if may_edit(ctx, rm) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// May this person read the employer's history? Everyone who reads the audit log, and RMs for their
/// own portfolio.
pub fn may_read_history(ctx: &Ctx, rm: Option<Uuid>) -> bool {
    ctx.role.can(Permission::ReadAuditLog)
        || (ctx.role.can(Permission::ReadOwnAuditTrail) && rm == Some(ctx.user_id.0))
}
