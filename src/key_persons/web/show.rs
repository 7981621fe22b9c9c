//! A key person's page: who they are, how to reach them (call, WhatsApp, email — one tap on a phone),
//! whom they report to, and the meetings they attended.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use uuid::Uuid;

use crate::employers::repo as employer_repo;
use crate::error::{AppError, AppResult};
use crate::key_persons::policy;
use crate::key_persons::repo::{self, KeyPersonRow};
use crate::meetings::repo::{self as meeting_repo, AttendedRow};
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, render};

/// How many of the person's meetings the page lists.
const MEETINGS_SHOWN: i64 = 10;

#[derive(Template)]
#[template(path = "key_persons/show.html")]
struct ShowPage {
    l: Layout,
    p: KeyPersonRow,
    employer_name: String,
    meetings: Vec<AttendedRow>,
    can_edit: bool,
    can_manage_data: bool,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let mut tx = ctx.tx(&state).await?;
    let p = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let e = employer_repo::find(&mut tx, p.employer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let meetings = meeting_repo::attended_by(&mut tx, id, MEETINGS_SHOWN).await?;
    tx.commit().await?;
    let who = ctx.who();
    render(&ShowPage {
        l: ctx.layout_titled(p.fields.full_name.clone()),
        can_edit: p.left_on.is_none()
            && p.archived_at.is_none()
            && policy::may_change(who, e.fields.rm_id, p.erased_at.is_some()),
        can_manage_data: policy::may_manage_personal_data(who) && p.erased_at.is_none(),
        employer_name: e.fields.name,
        meetings,
        p,
    })
}
