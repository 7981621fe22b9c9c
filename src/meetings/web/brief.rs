//! The meeting brief: one page an RM opens on a phone or prints on A4 before meeting a company's
//! decision makers (docs/domain.md, "The meeting brief").

use crate::contributions::repo as contribution_repo;
use crate::contributions::views::{self as contribution_views, Section};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::employers::domain::{Ownership, Segment, Stage, Status as EmployerStatus, npp_text};
use crate::employers::repo as employer_repo;
use crate::error::{AppError, AppResult};
use crate::follow_ups::repo as follow_up_repo;
use crate::follow_ups::views::FollowUpView;
use crate::key_persons::domain::{KpRole, Level};
use crate::key_persons::repo as kp_repo;
use crate::meetings::repo::{self, Pick};
use crate::meetings::views::MeetingView;
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, render};

/// How many past meetings' commitments the brief recalls.
const RECALLED: i64 = 3;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BriefQuery {
    /// The planned meeting the brief is for; the employer's next one when absent.
    meeting: Option<String>,
}

/// A current key person, as the brief lists them.
pub struct PersonLine {
    pub id: Uuid,
    pub name: String,
    pub title: String,
    pub level: Level,
    pub influence: i16,
    pub roles: Vec<KpRole>,
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
    status: EmployerStatus,
    segment: Segment,
    ownership: Ownership,
    stage: Stage,
    /// Why the engagement is paused or was rejected, when it is.
    stage_reason: String,
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
    /// The contributions section's figures; the brief lists the months in arrears only.
    contributions: Section,
    /// Letters still in progress (not resolved, escalated or cancelled).
    letters: Vec<crate::letters::views::LetterItem>,
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
    let people = kp_repo::for_employer(&mut tx, employer).await?;
    let upcoming = match q.meeting.as_deref().map(str::parse::<Uuid>) {
        Some(Ok(id)) => match repo::find(&mut tx, id).await? {
            Some(m) if m.employer_id == employer => Some(m),
            _ => return Err(AppError::NotFound),
        },
        Some(Err(_)) => return Err(AppError::NotFound),
        None => repo::for_employer(&mut tx, employer, Pick::Planned(1), &people)
            .await?
            .pop(),
    };
    let held = repo::for_employer(&mut tx, employer, Pick::LastHeld(RECALLED), &people).await?;
    let mut ids: Vec<Uuid> = held.iter().map(|m| m.id).collect();
    ids.extend(upcoming.iter().map(|m| m.id));
    let promised = follow_up_repo::for_meetings(&mut tx, &ids).await?;
    let open = follow_up_repo::for_employer(&mut tx, employer, 0).await?;
    let window = Some(contribution_views::window(today));
    let (months, totals) = contribution_repo::figures(&mut tx, employer, window, today).await?;
    let mut letters = crate::letters::repo::list::for_employer(&mut tx, employer, 20).await?;
    letters.retain(|r| !r.state.is_final());
    tx.commit().await?;

    let title = format!("{} — {}", ctx.lang.t("brief.title"), e.fields.name);
    let l = ctx.layout_titled(title);
    let upcoming = upcoming.map(|m| MeetingView::of(&l, &m));
    let recalled = MeetingView::all(&l, &held)
        .into_iter()
        .map(|v| {
            let mine: Vec<_> = promised
                .iter()
                .filter(|f| f.meeting_id == Some(v.id))
                .cloned()
                .collect();
            Recalled {
                follow_ups: FollowUpView::all(&l, ctx.who(), &mine, today),
                meeting: v,
            }
        })
        .collect();
    let people = people
        .into_iter()
        .filter(|p| p.left_on.is_none() && p.archived_at.is_none() && p.erased_at.is_none())
        .map(|p| {
            let f = p.fields;
            PersonLine {
                id: p.id,
                level: f.level,
                influence: f.influence,
                roles: f.roles,
                primary: f.is_primary,
                phone: f.phone.unwrap_or_default(),
                email: f.email.unwrap_or_default(),
                name: f.full_name,
                title: f.position_title,
            }
        })
        .collect();
    render(&BriefPage {
        open_follow_ups: FollowUpView::all(&l, ctx.who(), &open, today),
        contributions: Section::new(ctx.lang, &months, &totals, today),
        letters: crate::letters::views::LetterItem::all(&l, &letters, now, today),
        printed: l.datetime(&now),
        employer_id: employer,
        npp: npp_text(e.fields.npp.as_deref(), &e.fields.division_code),
        status: e.fields.status,
        segment: e.fields.segment,
        ownership: e.fields.ownership,
        stage: e.fields.stage,
        stage_reason: e.fields.stage_reason.clone(),
        country: e.fields.country.unwrap_or_default(),
        rm: e.rm_name.unwrap_or_default(),
        phone: e.fields.phone.unwrap_or_default(),
        address: [e.fields.address, e.fields.city]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        briefing: e.regulation_briefing_on.map(|d| l.date(&d)),
        approach_notes: e.fields.approach_notes,
        name: e.fields.name,
        upcoming,
        people,
        recalled,
        l,
    })
}
