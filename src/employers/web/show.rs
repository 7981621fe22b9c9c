//! The employer page: profile, key persons, the meetings timeline, follow-ups, supply chain and the
//! employer's history — composed from the modules that own each part.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::audit::domain::{Action, Entity, FieldChange};
use crate::audit::views::{Words, label};
use crate::contributions::repo as contribution_repo;
use crate::contributions::views::{self as contribution_views, Section};
use crate::employers::domain::{Npwp, npp_text};
use crate::employers::policy;
use crate::employers::repo::{self, Employer};
use crate::error::{AppError, AppResult};
use crate::follow_ups::repo as follow_up_repo;
use crate::follow_ups::views::FollowUpView;
use crate::key_persons::domain::has_decision_level_contact;
use crate::key_persons::repo::{self as kp_repo, KeyPersonRow};
use crate::letters::repo::list as letter_repo;
use crate::letters::views::LetterItem;
use crate::meetings::domain::{Month, met_in};
use crate::meetings::repo::{self as meeting_repo, Pick};
use crate::meetings::views::MeetingView;
use crate::supply_chain::domain::Coverage;
use crate::supply_chain::repo::{self as link_repo, LinkRow};
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, render};

/// One event of the employer's history, as the page shows it.
pub struct HistoryItem {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub changes: Vec<FieldChange>,
}

#[derive(Template)]
#[template(path = "employers/show.html")]
struct ShowPage {
    l: Layout,
    e: Employer,
    npp: String,
    npwp: String,
    stage_since: String,
    days_in_stage: i64,
    revisit: Option<String>,
    briefing: Option<String>,
    website_href: Option<String>,
    current: Vec<KeyPersonRow>,
    former: Vec<KeyPersonRow>,
    no_decision_contact: bool,
    parents: Vec<LinkRow>,
    members: Vec<LinkRow>,
    coverage: Option<Coverage>,
    history: Vec<HistoryItem>,
    show_history: bool,
    can_edit: bool,
    can_restore: bool,
    can_manage_data: bool,
    can_log: bool,
    meetings: Vec<MeetingView>,
    meeting_page: i64,
    more_meetings: bool,
    met_this_month: bool,
    last_bod1: Option<String>,
    follow_ups: Vec<FollowUpView>,
    contributions: Section,
    can_record: bool,
    letters: Vec<LetterItem>,
    can_draft_letter: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    /// The page of the meetings timeline.
    meetings_page: Option<i64>,
}

/// Meetings on one page of the employer's timeline.
const TIMELINE_PAGE: i64 = 10;
/// Done follow-ups the employer page shows after the open ones.
const DONE_FOLLOW_UPS: i64 = 10;
/// Letters the employer page shows, newest first (the pipeline lists them all).
const EMPLOYER_LETTERS: i64 = 20;
/// Events of the employer's history the page shows.
const HISTORY_LENGTH: i64 = 200;

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let now = state.clock.now();
    let today = ctx.today(now);
    let meeting_page = q.meetings_page.unwrap_or(1).clamp(1, 10_000);
    let mut tx = ctx.tx(&state).await?;
    let e = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let rm = e.fields.rm_id;
    let people = kp_repo::for_employer(&mut tx, id).await?;
    // One more than a page says whether there are older meetings, without counting them.
    let timeline = Pick::Timeline {
        limit: TIMELINE_PAGE + 1,
        offset: (meeting_page - 1) * TIMELINE_PAGE,
    };
    let mut meetings = meeting_repo::for_employer(&mut tx, id, timeline, &people).await?;
    let more_meetings = meetings.len() as i64 > TIMELINE_PAGE;
    meetings.truncate(TIMELINE_PAGE as usize);
    let follow_ups = follow_up_repo::for_employer(&mut tx, id, DONE_FOLLOW_UPS).await?;
    let (parents, members) = link_repo::both_sides(&mut tx, id).await?;
    let window = Some(contribution_views::window(today));
    let (months, totals) = contribution_repo::figures(&mut tx, id, window, today).await?;
    let letters = letter_repo::for_employer(&mut tx, id, EMPLOYER_LETTERS).await?;
    let show_history = policy::may_read_history(ctx.who(), rm);
    let history = if show_history {
        repo::history(&mut tx, id, HISTORY_LENGTH).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;

    let (former, current): (Vec<_>, Vec<_>) = people
        .into_iter()
        .filter(|p| p.archived_at.is_none())
        .partition(|p| p.left_on.is_some());
    let no_decision_contact = !has_decision_level_contact(current.iter().map(|p| p.fields.level));
    let coverage = (!members.is_empty()).then(|| Coverage {
        covered: members.iter().filter(|m| m.covered()).count() as i64,
        members: members.len() as i64,
    });
    let history = history
        .into_iter()
        .map(|h| HistoryItem {
            at: ctx.datetime(h.occurred_at),
            actor: h.actor,
            action: label(
                ctx.lang,
                Action::parse(&h.action).ok().map(Action::label_key),
                h.action,
            ),
            changes: Words::new(ctx.lang, Some(ctx.tenant.tz))
                .changes(Entity::parse(&h.entity_type).ok(), &h.changes),
        })
        .collect();
    let open = e.archived_at.is_none();
    let l = ctx.layout_titled(e.fields.name.clone());
    let month = Month::containing(now, ctx.tenant.tz);
    render(&ShowPage {
        meetings: MeetingView::all(&l, &meetings),
        more_meetings,
        meeting_page,
        met_this_month: met_in(&month, e.last_bod1_meeting_at),
        last_bod1: e.last_bod1_meeting_at.map(|at| l.day_of(&at)),
        follow_ups: FollowUpView::all(&l, ctx.who(), &follow_ups, today),
        contributions: Section::new(ctx.lang, &months, &totals, today),
        can_record: crate::contributions::policy::may_record(ctx.who()) && open,
        letters: LetterItem::all(&l, &letters, now, today),
        can_draft_letter: crate::letters::policy::may_draft(ctx.who(), rm) && open,
        can_log: crate::meetings::policy::may_log_for(ctx.who(), rm) && open,
        l,
        npp: npp_text(e.fields.npp.as_deref(), &e.fields.division_code),
        npwp: e
            .fields
            .npwp
            .as_deref()
            .map(Npwp::display)
            .unwrap_or_default(),
        stage_since: ctx.lang.date(e.stage_entered_on),
        days_in_stage: (today - e.stage_entered_on).num_days().max(0),
        revisit: e.fields.revisit_on.map(|d| ctx.lang.date(d)),
        briefing: e.regulation_briefing_on.map(|d| ctx.lang.date(d)),
        website_href: website_href(&e.fields.website),
        current,
        former,
        no_decision_contact,
        parents,
        members,
        coverage,
        history,
        show_history,
        can_edit: policy::may_edit(ctx.who(), rm) && open,
        can_restore: policy::may_archive(ctx.who(), rm, false),
        can_manage_data: ctx.role.can(Permission::ManagePersonalData),
        e,
    })
}

/// A link for the typed website; a bare domain gets https://, and anything else is not a link.
fn website_href(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.is_empty() || s.contains(char::is_whitespace) {
        return None;
    }
    if s.starts_with("https://") || s.starts_with("http://") {
        Some(s.to_owned())
    } else {
        Some(format!("https://{s}"))
    }
}
