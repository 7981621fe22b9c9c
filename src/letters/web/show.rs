//! A letter: its state and deadline, the steps this user may take now, its wording, its history with
//! the time spent in each state, and the chain of earlier and later letters.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use uuid::Uuid;

use super::readable;
use crate::error::AppResult;
use crate::letters::domain::{Kind, State as LetterState, Step, overdue};
use crate::letters::repo::{self, LetterRow};
use crate::letters::views::{LetterItem, Written, duration};
use crate::letters::{policy, service};
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, render};

/// A button on the letter page, with what its form asks for.
pub struct StepButton {
    pub step: &'static str,
    pub label: &'static str,
    pub primary: bool,
    pub needs_note: bool,
    /// Send and acknowledge ask for the day (today by default).
    pub needs_day: bool,
    /// Approving a second warning with no sent first one asks the approver's reason.
    pub needs_override: bool,
    pub danger: bool,
}

pub struct HistoryItem {
    pub at: String,
    pub from: Option<&'static str>,
    pub to: &'static str,
    pub actor: String,
    pub note: String,
    pub stayed: String,
}

#[derive(Template)]
#[template(path = "letters/show.html")]
struct ShowPage {
    l: Layout,
    r: LetterRow,
    kind: &'static str,
    reason: &'static str,
    state: &'static str,
    written: Vec<Written>,
    steps: Vec<StepButton>,
    can_edit: bool,
    overdue: bool,
    next_kind: Option<String>,
    history: Vec<HistoryItem>,
    chain: Vec<LetterItem>,
    today: String,
    sent_on: String,
    response_due: String,
    acknowledged_on: String,
    created: String,
    in_state_for: String,
    /// Why a returned letter came back: the approver's note.
    returned_note: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let today = ctx.today(now);
    let mut tx = ctx.tx(&state).await?;
    let r = readable(&mut tx, &ctx, id).await?;
    let events = repo::events(&mut tx, id, now).await?;
    let chain = repo::list::chain(&mut tx, id).await?;
    let approve_needs_override = r.state == LetterState::Submitted
        && r.kind == Kind::Warning2
        && r.override_note.is_empty()
        && r.previous_id.is_none()
        && service::needs_override(&mut tx, r.employer_id, r.kind, r.reason).await?;
    tx.commit().await?;
    let who = ctx.who();
    let is_overdue = overdue(r.state, r.response_due_on, today);
    let l = ctx.layout_titled(format!(
        "{} — {}",
        ctx.lang.t(r.kind.label_key()),
        r.employer_name
    ));
    let steps = Step::ALL
        .iter()
        .filter(|s| s.from(r.state).is_ok())
        .filter(|s| policy::may_take(who, **s, r.state, r.drafted_by, r.employer_rm))
        .filter(|s| **s != Step::Escalate || r.kind.next().is_some())
        .map(|s| StepButton {
            step: s.as_str(),
            label: l.t(s.label_key()),
            // Past the deadline, escalating is the way forward.
            primary: s.primary() || (*s == Step::Escalate && is_overdue),
            needs_note: s.needs_note(),
            needs_day: matches!(s, Step::Send | Step::Acknowledge),
            needs_override: *s == Step::Approve && approve_needs_override,
            danger: *s == Step::Cancel,
        })
        .collect();
    let history = events
        .iter()
        .map(|e| HistoryItem {
            at: l.datetime(&e.at),
            from: e.from_state.map(|s| l.t(s.label_key())),
            to: l.t(e.to_state.label_key()),
            actor: e.actor.clone(),
            note: e.note.clone(),
            stayed: if e.to_state.is_final() {
                String::new()
            } else {
                duration(&l, e.stayed_secs)
            },
        })
        .collect();
    render(&ShowPage {
        kind: l.t(r.kind.label_key()),
        reason: l.t(r.reason.label_key()),
        state: l.t(r.state.label_key()),
        written: Written::all(&r),
        steps,
        can_edit: r.state == LetterState::Draft && policy::may_draft(who, r.employer_rm),
        overdue: is_overdue,
        next_kind: r.kind.next().map(|k| l.t(k.label_key()).to_owned()),
        history,
        chain: if chain.len() > 1 {
            LetterItem::all(&l, &chain, now, today)
        } else {
            Vec::new()
        },
        today: today.to_string(),
        sent_on: r.sent_on.map(|d| l.date(&d)).unwrap_or_default(),
        response_due: r.response_due_on.map(|d| l.date(&d)).unwrap_or_default(),
        acknowledged_on: r.acknowledged_on.map(|d| l.date(&d)).unwrap_or_default(),
        created: l.day_of(&r.created_at),
        in_state_for: duration(&l, (now - r.state_since).num_seconds()),
        returned_note: (r.state == LetterState::Returned)
            .then(|| {
                events
                    .iter()
                    .rev()
                    .find(|e| e.to_state == LetterState::Returned)
                    .map(|e| format!("{} — {}", e.note, e.actor))
            })
            .flatten(),
        l,
        r,
    })
}
