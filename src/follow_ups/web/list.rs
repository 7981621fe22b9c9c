//! The follow-up list: mine or the team's, open, due this week, overdue or done.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::error::AppResult;
use crate::follow_ups::domain::{Scope, Window, window_bounds};
use crate::follow_ups::policy;
use crate::follow_ups::repo::{self, ListFilter};
use crate::follow_ups::views::FollowUpView;
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, Choice, render};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    scope: Option<String>,
    when: Option<String>,
    person: Option<String>,
    page: Option<i64>,
}

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "follow_ups/index.html")]
struct ListPage {
    l: Layout,
    scope: Scope,
    when: Window,
    person: String,
    scopes: Vec<Choice>,
    windows: Vec<Choice>,
    people: Vec<Choice>,
    rows: Vec<FollowUpView>,
    page: i64,
    more: bool,
}

impl ListPage {
    fn href(&self, scope: &str, when: &str, page: impl std::borrow::Borrow<i64>) -> String {
        let page = *page.borrow();
        let mut s = format!("/follow-ups?scope={scope}&when={when}");
        if !self.person.is_empty() {
            s.push_str("&person=");
            s.push_str(&self.person);
        }
        if page > 1 {
            s.push_str(&format!("&page={page}"));
        }
        s
    }

    fn prev_href(&self) -> Option<String> {
        (self.page > 1).then(|| self.href(self.scope.as_str(), self.when.as_str(), self.page - 1))
    }

    fn next_href(&self) -> Option<String> {
        self.more
            .then(|| self.href(self.scope.as_str(), self.when.as_str(), self.page + 1))
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let today = ctx.today(state.clock.now());
    let team_allowed = policy::may_see_team(ctx.who());
    let scope = q
        .scope
        .as_deref()
        .and_then(|s| Scope::parse(s).ok())
        .filter(|s| *s == Scope::Mine || team_allowed)
        .unwrap_or(if ctx.role.can(Permission::LogMeetings) {
            Scope::Mine
        } else {
            Scope::Team
        });
    let when = q
        .when
        .as_deref()
        .and_then(|w| Window::parse(w).ok())
        .unwrap_or(Window::Open);
    let person = q
        .person
        .as_deref()
        .and_then(|p| p.trim().parse::<Uuid>().ok())
        .filter(|_| scope == Scope::Team);
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let (due_until, done) = window_bounds(when, today);
    let filter = ListFilter {
        assignee: match scope {
            Scope::Mine => Some(ctx.user_id.0),
            Scope::Team => person,
        },
        due_until,
        done,
    };
    let mut tx = ctx.tx(&state).await?;
    let mut rows = repo::list(&mut tx, &filter, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE).await?;
    let lists = state.directory.lists(&mut tx, ctx.tenant.id).await?;
    tx.commit().await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let l = ctx.layout("nav.follow_ups");
    render(&ListPage {
        scopes: Choice::all(l.lang, |s: Scope| s == scope)
            .into_iter()
            .filter(|c| c.value == Scope::Mine.as_str() || team_allowed)
            .collect(),
        windows: Choice::all(l.lang, |w: Window| w == when),
        people: lists.people_choices(|id| Some(id) == person),
        rows: FollowUpView::all(&l, ctx.who(), &rows, today),
        l,
        scope,
        when,
        person: person.map(|p| p.to_string()).unwrap_or_default(),
        page,
        more,
    })
}
