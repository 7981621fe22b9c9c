//! "My month": an RM's portfolio against the monthly BOD-1 cadence, their planned meetings and the
//! follow-ups due.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::employers::domain::Status;
use crate::employers::domain::npp_text;
use crate::error::{AppError, AppResult};
use crate::follow_ups::repo as follow_up_repo;
use crate::follow_ups::views::FollowUpView;
use crate::home::repo::{self as month_repo, Show};
use crate::letters::repo::list as letter_repo;
use crate::letters::views::LetterItem;
use crate::meetings::domain::{Kind, Month};
use crate::tenancy::domain::{Permission, Role};
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, Choice, render};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MonthQuery {
    rm: Option<String>,
    /// `2026-11`; the current month when absent or unreadable.
    month: Option<String>,
    show: Option<String>,
    page: Option<i64>,
}

/// One employer line of "My month".
struct PortfolioLine {
    id: Uuid,
    name: String,
    npp: String,
    met: bool,
    last_met: Option<String>,
    next_planned: Option<String>,
    next_overdue: bool,
    open_follow_ups: i64,
    overdue_follow_ups: i64,
    arrears_total: rust_decimal::Decimal,
    arrears_months: i16,
}

/// A prospect or inactive employer, listed apart from the cadence.
struct OtherLine {
    id: Uuid,
    name: String,
    npp: String,
    status: Status,
    last_met: Option<String>,
}

struct PlannedLine {
    id: Uuid,
    employer_id: Uuid,
    employer_name: String,
    when: String,
    kind: Kind,
    passed: bool,
}

#[derive(Template)]
#[template(path = "home/my_month.html")]
struct MyMonthPage {
    l: Layout,
    /// `?rm=` when somebody opens another RM's month.
    rm: Option<Uuid>,
    /// Whose month it is.
    rm_id: Uuid,
    rms: Vec<Choice>,
    can_log: bool,
    month_label: String,
    /// The month shown is the current one: today's work leads the page.
    is_current: bool,
    /// `?month=` of the month shown when it is not the current one.
    month: Option<String>,
    previous_month: (String, String),
    next_month: Option<(String, String)>,
    others: Vec<OtherLine>,
    others_more: bool,
    planned_more: usize,
    total: i64,
    met: i64,
    percent: i64,
    show: Show,
    lines: Vec<PortfolioLine>,
    page: i64,
    more: bool,
    planned: Vec<PlannedLine>,
    follow_ups: Vec<FollowUpView>,
    overdue_follow_ups: usize,
    letters: Vec<LetterItem>,
}

impl MyMonthPage {
    fn href(&self, show: &str, page: impl std::borrow::Borrow<i64>) -> String {
        let page = *page.borrow();
        let mut s = format!("/my-month?show={show}");
        if let Some(rm) = self.rm {
            s.push_str(&format!("&rm={rm}"));
        }
        if let Some(month) = &self.month {
            s.push_str(&format!("&month={month}"));
        }
        if page > 1 {
            s.push_str(&format!("&page={page}"));
        }
        s
    }

    /// Another month of the same RM.
    fn month_href(&self, month: &str) -> String {
        match self.rm {
            Some(rm) => format!("/my-month?month={month}&rm={rm}"),
            None => format!("/my-month?month={month}"),
        }
    }

    /// The RM's whole portfolio in the employer list.
    fn others_href(&self) -> String {
        format!("/employers?rm={}", self.rm_id)
    }
}

const MONTH_PAGE: i64 = 25;
/// Planned meetings listed above the portfolio; the rest are counted, so a busy fortnight does not
/// push the portfolio off the first screens of a phone.
const PLANNED_SHOWN: usize = 8;
const OTHERS_SHOWN: i64 = 20;
const PLANNED_DAYS: i64 = 14;

/// "My month" (docs/domain.md, "My month"): the RM's portfolio against the monthly BOD-1 cadence, the planned
/// meetings of the next two weeks and the follow-ups due. Supervisors and admins open any RM's month
/// with `?rm=`.
pub async fn my_month(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ViewMyMonth)?;
    let now = state.clock.now();
    let today = ctx.today(now);
    let tz = ctx.tenant.tz;
    let current = Month::containing(now, tz);
    let month = q
        .month
        .as_deref()
        .and_then(|m| Month::parse(m, tz))
        .filter(|m| m.first_day <= current.first_day)
        .unwrap_or_else(|| Month::containing(now, tz));
    let is_current = month.first_day == current.first_day;
    let chosen = q.rm.as_deref().and_then(|r| r.trim().parse::<Uuid>().ok());
    if chosen.is_some_and(|r| r != ctx.user_id.0) {
        ctx.require(Permission::EditAnyRecord)?;
    }
    let rm = chosen.unwrap_or(ctx.user_id.0);
    let show = q
        .show
        .as_deref()
        .and_then(|s| Show::parse(s).ok())
        .unwrap_or(Show::ToMeet);
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let mut tx = ctx.tx(&state).await?;
    let lists = state.directory.lists(&mut tx, ctx.tenant.id).await?;
    // Another person's month exists only for someone who can hold a portfolio here.
    if rm != ctx.user_id.0 && !lists.people.iter().any(|p| p.id == rm) {
        return Err(AppError::NotFound);
    }
    let summary = month_repo::month_summary(
        &mut tx,
        rm,
        month.starts,
        month.ends,
        show,
        today,
        MONTH_PAGE + 1,
        (page - 1) * MONTH_PAGE,
    )
    .await?;
    let (total, met, mut rows) = (summary.total, summary.met, summary.rows);
    let mut others = month_repo::others(&mut tx, rm, OTHERS_SHOWN + 1).await?;
    // Today's work belongs to the current month; a month looked back on shows its cadence only.
    let (planned, due, letters) = if is_current {
        let until = now + chrono::Duration::days(PLANNED_DAYS);
        let planned = month_repo::planned_before(&mut tx, rm, until, 30).await?;
        // The same horizon as the planned meetings; overdue ones come first.
        let due = follow_up_repo::due_for(
            &mut tx,
            rm,
            today + chrono::Days::new(PLANNED_DAYS as u64),
            20,
        )
        .await?;
        let approver = rm == ctx.user_id.0 && ctx.role.can(Permission::ApproveLetters);
        let letters = letter_repo::waiting_on(&mut tx, rm, approver, today, 10).await?;
        (planned, due, letters)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    tx.commit().await?;
    let others_more = others.len() as i64 > OTHERS_SHOWN;
    others.truncate(OTHERS_SHOWN as usize);
    let more = rows.len() as i64 > MONTH_PAGE;
    rows.truncate(MONTH_PAGE as usize);
    let rm_name = (rm != ctx.user_id.0).then(|| {
        lists
            .people
            .iter()
            .find(|p| p.id == rm)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    });
    let l = match &rm_name {
        Some(name) => ctx.layout_titled(ctx.lang.tf("month.of", &[("name", name.as_str())])),
        None => ctx.layout("home.my_month"),
    };
    let lines = rows
        .into_iter()
        .map(|r| PortfolioLine {
            met: r.met,
            last_met: r.last_bod1_meeting_at.map(|at| l.day_of(&at)),
            next_planned: r.next_planned_meeting_at.map(|at| l.datetime(&at)),
            next_overdue: r.next_planned_meeting_at.is_some_and(|at| at < now),
            npp: npp_text(r.npp.as_deref(), &r.division_code),
            id: r.id,
            name: r.name,
            open_follow_ups: r.open_follow_ups,
            overdue_follow_ups: r.overdue_follow_ups,
            arrears_total: r.arrears_total,
            arrears_months: r.arrears_months,
        })
        .collect();
    let planned = planned
        .into_iter()
        .map(|p| PlannedLine {
            when: l.datetime(&p.starts_at),
            kind: p.kind,
            passed: p.starts_at < now,
            id: p.id,
            employer_id: p.employer_id,
            employer_name: p.employer_name,
        })
        .collect();
    let others = others
        .into_iter()
        .map(|o| OtherLine {
            last_met: o.last_bod1_meeting_at.map(|at| l.day_of(&at)),
            npp: npp_text(o.npp.as_deref(), &o.division_code),
            id: o.id,
            name: o.name,
            status: o.status,
        })
        .collect();
    let mut planned: Vec<PlannedLine> = planned;
    let planned_more = planned.len().saturating_sub(PLANNED_SHOWN);
    planned.truncate(PLANNED_SHOWN);
    let follow_ups = FollowUpView::all(&l, ctx.who(), &due, today);
    let overdue_follow_ups = follow_ups.iter().filter(|f| f.overdue).count();
    let letters = LetterItem::all(&l, &letters, now, today);
    let can_pick = ctx.role.can(Permission::EditAnyRecord);
    render(&MyMonthPage {
        rms: if can_pick {
            lists
                .people
                .iter()
                .filter(|p| p.role == Role::Rm)
                .map(|p| Choice {
                    value: p.id.to_string(),
                    label: p.name.clone(),
                    selected: p.id == rm,
                })
                .collect()
        } else {
            Vec::new()
        },
        month_label: ctx.lang.month_year(month.first_day),
        is_current,
        month: (!is_current).then(|| month.code()),
        previous_month: {
            let p = month.previous(tz);
            (p.code(), ctx.lang.month_year(p.first_day))
        },
        next_month: (!is_current).then(|| {
            let n = month.next(tz);
            (n.code(), ctx.lang.month_year(n.first_day))
        }),
        others,
        others_more,
        planned_more,
        percent: if total > 0 { met * 100 / total } else { 0 },
        can_log: rm == ctx.user_id.0 || can_pick,
        rm: chosen.filter(|r| *r != ctx.user_id.0),
        rm_id: rm,
        l,
        total,
        met,
        show,
        lines,
        page,
        more,
        planned,
        follow_ups,
        overdue_follow_ups,
        letters,
    })
}
