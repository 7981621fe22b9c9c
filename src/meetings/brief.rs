//! The meeting brief (SPEC §4 item 7): one page an RM opens on a phone or prints on A4 before meeting
//! a company's decision makers.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::repo::{self, Pick};
use super::web::{MeetingView, views};
use crate::employers::domain::{Ownership, Segment, Status as EmployerStatus};
use crate::employers::repo as employer_repo;
use crate::employers::web::npp_text;
use crate::error::{AppError, AppResult};
use crate::follow_ups::repo as follow_up_repo;
use crate::follow_ups::web::{FollowUpView, views as follow_up_views};
use crate::key_persons::domain::{KpRole, Level};
use crate::key_persons::repo as kp_repo;
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, render};

/// How many past meetings' commitments the brief recalls.
const RECALLED: i64 = 3;

#[derive(Deserialize, Default)]
pub struct BriefQuery {
    /// The planned meeting the brief is for; the employer's next one when absent.
    #[serde(default)]
    meeting: Option<String>,
}

pub struct PersonLine {
    pub name: String,
    pub title: String,
    pub level_key: &'static str,
    pub decision_level: bool,
    pub influence: i16,
    pub role_keys: Vec<&'static str>,
    pub primary: bool,
    pub phone: String,
    pub email: String,
}

/// A past meeting with the follow-ups that came from it.
pub struct Recalled {
    pub meeting: MeetingView,
    pub follow_ups: Vec<FollowUpView>,
}

#[derive(Template)]
#[template(path = "meetings/brief.html")]
struct BriefPage {
    l: Layout,
    employer_id: Uuid,
    name: String,
    npp: String,
    status_key: &'static str,
    segment_key: &'static str,
    ownership_key: &'static str,
    country: String,
    rm: String,
    phone: String,
    address: String,
    briefing: Option<String>,
    approach_notes: String,
    upcoming: Option<MeetingView>,
    people: Vec<PersonLine>,
    recalled: Vec<Recalled>,
    open_follow_ups: Vec<FollowUpView>,
    printed: String,
}

pub async fn brief(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(employer): Path<Uuid>,
    Query(q): Query<BriefQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let now = state.clock.now();
    let today = ctx.today(now);
    let mut tx = ctx.tx(&state).await?;
    let e = employer_repo::find(&mut tx, employer)
        .await?
        .ok_or(AppError::NotFound)?;
    let upcoming = match q.meeting.as_deref().map(str::parse::<Uuid>) {
        Some(Ok(id)) => match repo::find(&mut tx, id).await? {
            Some(m) if m.employer_id == employer => Some(m),
            _ => return Err(AppError::NotFound),
        },
        Some(Err(_)) => return Err(AppError::NotFound),
        None => repo::for_employer(&mut tx, employer, Pick::Planned(1))
            .await?
            .pop(),
    };
    let people = kp_repo::for_employer(&mut tx, employer).await?;
    let held = repo::for_employer(&mut tx, employer, Pick::LastHeld(RECALLED)).await?;
    let mut ids: Vec<Uuid> = held.iter().map(|m| m.id).collect();
    ids.extend(upcoming.iter().map(|m| m.id));
    let promised = follow_up_repo::for_meetings(&mut tx, &ids).await?;
    let open = follow_up_repo::for_employer(&mut tx, employer, 0).await?;
    tx.commit().await?;

    let l = ctx.layout_titled(format!("{} — {}", ctx.lang.t("brief.title"), e.name));
    let upcoming = upcoming.map(|m| {
        views(&l, std::slice::from_ref(&m))
            .pop()
            .expect("one view per meeting")
    });
    let recalled = views(&l, &held)
        .into_iter()
        .map(|v| {
            let mine: Vec<_> = promised
                .iter()
                .filter(|f| f.meeting_id == Some(v.id))
                .cloned()
                .collect();
            Recalled {
                follow_ups: follow_up_views(&l, &ctx, &mine, today),
                meeting: v,
            }
        })
        .collect();
    let people = people
        .into_iter()
        .filter(|p| p.left_on.is_none() && p.archived_at.is_none() && p.erased_at.is_none())
        .map(|p| {
            let level = Level::from_db(&p.level);
            PersonLine {
                level_key: level.label_key(),
                decision_level: level.is_decision_level(),
                influence: p.influence,
                role_keys: p
                    .roles
                    .iter()
                    .map(|r| KpRole::from_db(r).label_key())
                    .collect(),
                primary: p.is_primary,
                phone: p.phone.unwrap_or_default(),
                email: p.email.unwrap_or_default(),
                name: p.full_name,
                title: p.position_title,
            }
        })
        .collect();
    render(&BriefPage {
        open_follow_ups: follow_up_views(&l, &ctx, &open, today),
        printed: l.datetime(&now),
        employer_id: employer,
        npp: npp_text(e.npp.as_deref(), &e.division_code),
        status_key: EmployerStatus::from_db(&e.status).label_key(),
        segment_key: Segment::from_db(&e.segment).label_key(),
        ownership_key: Ownership::from_db(&e.ownership).label_key(),
        country: e.country.unwrap_or_default(),
        rm: e.rm_name.unwrap_or_default(),
        phone: e.phone.unwrap_or_default(),
        address: [e.address, e.city]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        briefing: e.regulation_briefing_on.map(|d| l.date(&d)),
        approach_notes: e.approach_notes,
        name: e.name,
        upcoming,
        people,
        recalled,
        l,
    })
}
