//! Home pages per role ("My month", the dashboard) and the search page.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use uuid::Uuid;

use super::repo::{self as month_repo, Show};
use crate::employers::domain::SearchTerm;
use crate::employers::repo::{self as employer_repo, ListFilter, ListRow, Sort};
use crate::employers::web::{Choice, npp_text};
use crate::error::AppResult;
use crate::follow_ups::repo as follow_up_repo;
use crate::follow_ups::web::{FollowUpView, views as follow_up_views};
use crate::key_persons::repo::{self as kp_repo, Found};
use crate::meetings::domain::{Kind, Month, met_in};
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::forms::optional_text;
use crate::web::layout::Layout;
use crate::web::{AppState, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/my-month", get(my_month))
        .route("/dashboard", get(dashboard))
        .route("/search", get(search))
}

#[derive(Template)]
#[template(path = "home/placeholder.html")]
struct Placeholder {
    l: Layout,
    intro: &'static str,
    upcoming: &'static str,
}

#[derive(Deserialize, Default)]
struct MonthQuery {
    #[serde(default)]
    rm: Option<String>,
    #[serde(default)]
    show: Option<String>,
    #[serde(default)]
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
}

struct PlannedLine {
    id: Uuid,
    employer_id: Uuid,
    employer_name: String,
    when: String,
    kind_key: &'static str,
    passed: bool,
}

#[derive(Template)]
#[template(path = "home/my_month.html")]
struct MonthPage {
    l: Layout,
    rm: Option<Uuid>,
    rms: Vec<Choice>,
    can_log: bool,
    month_label: String,
    total: i64,
    met: i64,
    percent: i64,
    show: &'static str,
    lines: Vec<PortfolioLine>,
    page: i64,
    more: bool,
    planned: Vec<PlannedLine>,
    follow_ups: Vec<FollowUpView>,
    overdue_follow_ups: usize,
}

impl MonthPage {
    fn href(&self, show: &str, page: impl std::borrow::Borrow<i64>) -> String {
        let page = *page.borrow();
        let mut s = format!("/my-month?show={show}");
        if let Some(rm) = self.rm {
            s.push_str(&format!("&rm={rm}"));
        }
        if page > 1 {
            s.push_str(&format!("&page={page}"));
        }
        s
    }
}

const MONTH_PAGE: i64 = 50;
const PLANNED_DAYS: i64 = 14;

/// "My month" (SPEC §4 item 2): the RM's portfolio against the monthly BOD-1 cadence, the planned
/// meetings of the next two weeks and the follow-ups due. Supervisors and admins open any RM's month
/// with `?rm=`.
async fn my_month(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ViewMyMonth)?;
    let now = state.clock.now();
    let today = ctx.today(now);
    let month = Month::containing(now, ctx.tenant.tz);
    let chosen = q.rm.as_deref().and_then(|r| r.trim().parse::<Uuid>().ok());
    if chosen.is_some_and(|r| r != ctx.user_id.0) {
        ctx.require(Permission::EditAnyRecord)?;
    }
    let rm = chosen.unwrap_or(ctx.user_id.0);
    let show = Show::parse(q.show.as_deref());
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let mut tx = ctx.tx(&state).await?;
    let lists = state.directory.lists(&mut tx, ctx.tenant.id).await?;
    let month_page = month_repo::month_page(
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
    let (total, met, mut rows) = (month_page.total, month_page.met, month_page.rows);
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
    tx.commit().await?;
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
            met: met_in(&month, r.last_bod1_meeting_at),
            last_met: r.last_bod1_meeting_at.map(|at| l.day_of(&at)),
            next_planned: r.next_planned_meeting_at.map(|at| l.datetime(&at)),
            next_overdue: r.next_planned_meeting_at.is_some_and(|at| at < now),
            npp: npp_text(r.npp.as_deref(), &r.division_code),
            id: r.id,
            name: r.name,
            open_follow_ups: r.open_follow_ups,
            overdue_follow_ups: r.overdue_follow_ups,
        })
        .collect();
    let planned = planned
        .into_iter()
        .map(|p| PlannedLine {
            when: l.datetime(&p.starts_at),
            kind_key: Kind::from_db(&p.kind).label_key(),
            passed: p.starts_at < now,
            id: p.id,
            employer_id: p.employer_id,
            employer_name: p.employer_name,
        })
        .collect();
    let follow_ups = follow_up_views(&l, &ctx, &due, today);
    let overdue_follow_ups = follow_ups
        .iter()
        .filter(|f| f.due_key == "follow_up.overdue")
        .count();
    let can_pick = ctx.role.can(Permission::EditAnyRecord);
    render(&MonthPage {
        rms: if can_pick {
            lists
                .people
                .iter()
                .filter(|p| p.role == "rm")
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
        percent: if total > 0 { met * 100 / total } else { 0 },
        can_log: rm == ctx.user_id.0 || can_pick,
        rm: chosen.filter(|r| *r != ctx.user_id.0),
        l,
        total,
        met,
        show: show.as_str(),
        lines,
        page,
        more,
        planned,
        follow_ups,
        overdue_follow_ups,
    })
}

async fn dashboard(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::ViewDashboard)?;
    let l = ctx.layout("home.dashboard");
    render(&Placeholder {
        intro: l.t("home.dashboard_intro"),
        upcoming: l.t("home.dashboard_upcoming"),
        l,
    })
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "home/search.html")]
struct SearchPage {
    l: Layout,
    q: String,
    r: SearchResults,
}

/// Only the grouped results, for the search page's search-as-you-type.
#[derive(Template)]
#[template(path = "home/_search_results.html")]
struct SearchPartial {
    l: Layout,
    q: String,
    r: SearchResults,
}

struct SearchResults {
    employers: Vec<ListRow>,
    people: Vec<Found>,
}

const SEARCH_LIMIT: i64 = 10;

/// The header's search box: employers by name, NPP or NPWP, key persons by name, from the active
/// tenant only (every query runs in its tenant transaction).
async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let q = optional_text(&query.q, 200).unwrap_or_default();
    let term = SearchTerm::parse(&q);
    let mut filter = ListFilter::default();
    let mut words = Vec::new();
    match term {
        SearchTerm::Npp(n) => filter.npp = Some(n),
        SearchTerm::Npwp(n) => filter.npwp = Some(n),
        SearchTerm::Name(w) => {
            filter.words = w.clone();
            words = w;
        }
        SearchTerm::Nothing => {}
    }
    let searching = filter.npp.is_some() || filter.npwp.is_some() || !words.is_empty();
    let mut r = SearchResults {
        employers: Vec::new(),
        people: Vec::new(),
    };
    if searching {
        let mut tx = ctx.tx(&state).await?;
        r.employers =
            employer_repo::list(&mut tx, &filter, Sort::Name, SEARCH_LIMIT - 1, 0).await?;
        r.people = kp_repo::search(&mut tx, &words, SEARCH_LIMIT).await?;
        tx.commit().await?;
    }
    let l = ctx.layout("search.title");
    if headers.contains_key("hx-request") {
        return render(&SearchPartial { l, q, r });
    }
    render(&SearchPage { l, q, r })
}
