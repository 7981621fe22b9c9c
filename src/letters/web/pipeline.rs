//! The letters pipeline: a column per open state with its count and longest-waiting letters, what
//! closed this month, one state's full list, filters by kind, reason, RM, branch and overdue, and
//! the cycle times supervisors read to see where letters wait.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::error::AppResult;
use crate::letters::domain::{Kind, Reason, State as LetterState};
use crate::letters::policy;
use crate::letters::repo::list::{self as repo, CycleRow, Filter, ListRow};
use crate::letters::views::{LetterItem, days};
use crate::meetings::domain::Month;
use crate::tenancy::domain::{Permission, TenantId};
use crate::web::cache::TenantCache;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, Choice, render};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PipelineQuery {
    kind: String,
    reason: String,
    rm: String,
    branch: String,
    overdue: String,
    state: String,
    page: Option<i64>,
}

/// The cycle times of a tenant for the month that began at `month`: a monthly figure, read at most
/// once a minute per tenant (it reads two months of letters).
pub struct Cycles {
    month: chrono::DateTime<chrono::Utc>,
    rows: Vec<CycleRow>,
}

/// The pipeline's columns for one choice of filters: how many letters each open state holds, each
/// column's longest-waiting letters and what closed in the month that began at `month`. Counting
/// every open letter of a tenant through row-level security costs more than the rest of the page, and
/// supervisors open this page all day: each choice of filters is read at most every ten seconds per
/// tenant, and a letter drafted or moved through this server forgets them all at once
/// (`PipelineCache::changed`). Waiting times and overdue marks are worked out when the page is shown.
pub struct Overview {
    month: chrono::DateTime<chrono::Utc>,
    counts: Vec<(LetterState, i64)>,
    oldest: Vec<ListRow>,
    closed: Vec<(LetterState, i64)>,
}

#[derive(Clone)]
pub struct PipelineCache {
    cycles: TenantCache<Cycles>,
    overview: TenantCache<Overview, String>,
}

impl Default for PipelineCache {
    fn default() -> Self {
        PipelineCache {
            cycles: TenantCache::new(std::time::Duration::from_secs(60)),
            overview: TenantCache::new(std::time::Duration::from_secs(10)),
        }
    }
}

impl PipelineCache {
    /// Called after a letter of the tenant was drafted or took a step.
    pub fn changed(&self, tenant: TenantId) {
        self.overview.forget(tenant);
        self.cycles.forget(tenant);
    }
}

/// What tells one choice of filters from another; "overdue" depends on the day.
fn cache_key(f: &Filter) -> String {
    format!(
        "{}|{}|{}|{}|{}",
        f.kind.map(Kind::as_str).unwrap_or_default(),
        f.reason.map(Reason::as_str).unwrap_or_default(),
        f.rm.map(|u| u.to_string()).unwrap_or_default(),
        f.branch.map(|u| u.to_string()).unwrap_or_default(),
        f.today
            .filter(|_| f.overdue)
            .map(|d| d.to_string())
            .unwrap_or_default(),
    )
}

/// The pipeline's columns and closed counts as the filters select them.
async fn read_overview(
    tx: &mut sqlx::PgConnection,
    filter: &Filter,
    month: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<Overview> {
    Ok(Overview {
        month,
        counts: repo::open_counts(&mut *tx, filter).await?,
        oldest: repo::oldest_open(&mut *tx, filter, PER_COLUMN).await?,
        closed: repo::closed_counts(&mut *tx, filter, month).await?,
    })
}

/// Letters a column shows; the state's own list shows them all, a page at a time.
const PER_COLUMN: i64 = 10;
const PAGE_SIZE: i64 = 50;

pub struct Column {
    pub state: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub letters: Vec<LetterItem>,
}

pub struct Closed {
    pub state: &'static str,
    pub label: &'static str,
    pub count: i64,
}

/// One line of the cycle-time table: a cycle and a kind, this month and last.
pub struct CycleLine {
    pub cycle: &'static str,
    pub kind: &'static str,
    pub this_month: Option<(String, String, i64)>,
    pub last_month: Option<(String, String, i64)>,
}

#[derive(Template)]
#[template(path = "letters/pipeline.html")]
struct PipelinePage {
    l: Layout,
    kinds: Vec<Choice>,
    reasons: Vec<Choice>,
    people: Vec<Choice>,
    branches: Vec<Choice>,
    overdue: bool,
    /// The filters as a query string, for links that keep them.
    filters: String,
    columns: Vec<Column>,
    closed: Vec<Closed>,
    /// One state's list, when a state was chosen.
    state: Option<(&'static str, &'static str)>,
    rows: Vec<LetterItem>,
    page: i64,
    more: bool,
    cycles: Vec<CycleLine>,
    can_approve: bool,
}

impl PipelinePage {
    fn page_href(&self, page: i64) -> Option<String> {
        let (state, _) = self.state?;
        Some(format!(
            "/letters?state={state}{}&page={page}",
            self.filters
        ))
    }
    fn prev_href(&self) -> Option<String> {
        if self.page > 1 {
            self.page_href(self.page - 1)
        } else {
            None
        }
    }
    fn next_href(&self) -> Option<String> {
        if self.more {
            self.page_href(self.page + 1)
        } else {
            None
        }
    }
}

pub async fn pipeline(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PipelineQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let now = state.clock.now();
    let today = ctx.today(now);
    let kind = Kind::parse(&q.kind).ok();
    let reason = Reason::parse(&q.reason).ok();
    let rm = q.rm.trim().parse::<Uuid>().ok();
    let branch = q.branch.trim().parse::<Uuid>().ok();
    let overdue = q.overdue == "1";
    let chosen = LetterState::parse(&q.state).ok();
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let filter = Filter {
        kind,
        reason,
        rm,
        branch,
        overdue,
        today: Some(today),
    };
    let this_month = Month::containing(now, ctx.tenant.tz);
    let last_month = this_month.previous(ctx.tenant.tz);
    let mut tx = ctx.tx(&state).await?;
    let lists = state.directory.lists(&mut tx, ctx.tenant.id).await?;
    let (overview, mut rows) = match chosen {
        Some(s) => {
            let rows =
                repo::in_state(&mut tx, s, &filter, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE).await?;
            (None, rows)
        }
        None => {
            let cache = &state.letter_pipeline.overview;
            let key = cache_key(&filter);
            let still = |o: &Overview| o.month == this_month.starts;
            let overview = match cache.fresh_for(ctx.tenant.id, key.clone(), still) {
                Some(o) => o,
                None => {
                    let read = cache.before_reading(ctx.tenant.id);
                    let o = read_overview(&mut tx, &filter, this_month.starts).await?;
                    cache.put_read_for(ctx.tenant.id, key, read, o)
                }
            };
            (Some(overview), Vec::new())
        }
    };
    let cycles = match chosen {
        Some(_) => None,
        None => {
            let cache = &state.letter_pipeline.cycles;
            Some(
                match cache.fresh(ctx.tenant.id, |c| c.month == this_month.starts) {
                    Some(c) => c,
                    None => {
                        let read = cache.before_reading(ctx.tenant.id);
                        let rows = repo::cycle_times(&mut tx, last_month.starts, this_month.starts)
                            .await?;
                        let cycles = Cycles {
                            month: this_month.starts,
                            rows,
                        };
                        cache.put_read_for(ctx.tenant.id, (), read, cycles)
                    }
                },
            )
        }
    };
    tx.commit().await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let l = ctx.layout("letter.title");
    let no_letters = Vec::new();
    let (counts, oldest, closed) = match &overview {
        Some(o) => (&o.counts[..], &o.oldest, &o.closed[..]),
        None => (&[][..], &no_letters, &[][..]),
    };
    let oldest = LetterItem::all(&l, oldest, now, today);
    let columns = LetterState::OPEN
        .iter()
        .map(|s| Column {
            state: s.as_str(),
            label: l.t(s.label_key()),
            count: counts
                .iter()
                .find(|(c, _)| c == s)
                .map(|(_, n)| *n)
                .unwrap_or(0),
            letters: Vec::new(),
        })
        .collect::<Vec<_>>();
    let columns = oldest.into_iter().fold(columns, |mut cols, item| {
        if let Some(c) = cols.iter_mut().find(|c| c.state == item.state.as_str()) {
            c.letters.push(item);
        }
        cols
    });
    let closed = LetterState::FINAL
        .iter()
        .map(|s| Closed {
            state: s.as_str(),
            label: l.t(s.label_key()),
            count: closed
                .iter()
                .find(|(c, _)| c == s)
                .map(|(_, n)| *n)
                .unwrap_or(0),
        })
        .collect();
    let mut filters = String::new();
    for (name, value) in [
        ("kind", kind.map(|k| k.as_str().to_owned())),
        ("reason", reason.map(|r| r.as_str().to_owned())),
        ("rm", rm.map(|u| u.to_string())),
        ("branch", branch.map(|u| u.to_string())),
        ("overdue", overdue.then(|| "1".to_owned())),
    ] {
        if let Some(v) = value {
            filters.push_str(&format!("&{name}={v}"));
        }
    }
    render(&PipelinePage {
        kinds: Choice::all(l.lang, |k: Kind| Some(k) == kind),
        reasons: Choice::all(l.lang, |r: Reason| Some(r) == reason),
        people: lists.people_choices(|id| Some(id) == rm),
        branches: lists.branch_choices(branch),
        overdue,
        filters,
        columns,
        closed,
        state: chosen.map(|s| (s.as_str(), l.t(s.label_key()))),
        rows: LetterItem::all(&l, &rows, now, today),
        page,
        more,
        cycles: cycles.map(|c| cycle_lines(&l, &c.rows)).unwrap_or_default(),
        can_approve: policy::may_see_queue(ctx.who()),
        l,
    })
}

/// The table's lines: every cycle and kind that has letters in either month.
fn cycle_lines(l: &Layout, rows: &[CycleRow]) -> Vec<CycleLine> {
    let mut out = Vec::new();
    for (cycle, label) in [
        ("draft_to_sent", "letter.cycle.draft_to_sent"),
        ("sent_to_resolved", "letter.cycle.sent_to_resolved"),
    ] {
        for kind in Kind::ALL {
            let cell = |month: i32| {
                rows.iter()
                    .find(|r| r.cycle == cycle && r.kind == *kind && r.month == month)
                    .map(|r| (days(l, r.median_days), days(l, r.p90_days), r.letters))
            };
            let (this_month, last_month) = (cell(0), cell(1));
            if this_month.is_some() || last_month.is_some() {
                out.push(CycleLine {
                    cycle: l.t(label),
                    kind: l.t(kind.label_key()),
                    this_month,
                    last_month,
                });
            }
        }
    }
    out
}
