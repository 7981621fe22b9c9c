//! The employer list: search, filters and sort in the URL, htmx search-as-you-type, and the rows a
//! supervisor ticks to reassign.

use std::collections::HashMap;
use std::time::Duration;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::branches::repo as branch_repo;
use crate::employers::domain::{
    InstitutionType, Ownership, SearchTerm, Segment, Stage, Status, Tag,
};
use crate::employers::policy;
use crate::employers::repo::list::{ListFilter, ListRow, Sort};
use crate::employers::repo::search;
use crate::error::AppResult;
use crate::tenancy::domain::{Permission, TenantId, Who};
use crate::tenancy::repo as tenancy_repo;
use crate::web::cache::TenantCache;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::pickers::Lists;
use crate::web::{AppState, Choice, Htmx, render};

pub const PAGE_SIZE: i64 = 50;

/// The `rm` filter value for employers without an RM.
const NO_RM: &str = "none";

/// The result count is exact up to this many and "1.000+" beyond: counting 10,000 rows costs about
/// 2.5 ms of CPU (measured at the large data set), which would halve the list's throughput; 1,000
/// cost 0.25 ms. A portfolio (about 740 employers at the large data set) is always counted exactly.
pub const COUNT_CAP: i64 = 1_000;

/// Filters that matched more than `COUNT_CAP` employers, per tenant, for `CAPPED_FOR`: the list shows
/// them as "1.000+" without counting again. Counting to the cap is a third of a page's cost (0.36 ms
/// of 1.6 ms for the arrears list at the large data set), and the answer only changes when the
/// matches fall below the cap, which a filter with thousands of matches does not do within seconds;
/// when one does, the list says "1.000+" for at most that long. Counts below the cap are never kept,
/// so a portfolio's exact count follows every change.
#[derive(Clone)]
pub struct CappedCounts(TenantCache<(), ListFilter>);

const CAPPED_FOR: Duration = Duration::from_secs(30);

impl Default for CappedCounts {
    fn default() -> Self {
        CappedCounts(TenantCache::new(CAPPED_FOR))
    }
}

impl CappedCounts {
    /// How many employers `f` matches, exact up to `COUNT_CAP` and `COUNT_CAP + 1` beyond.
    async fn count(
        &self,
        conn: &mut PgConnection,
        tenant: TenantId,
        f: &ListFilter,
    ) -> sqlx::Result<i64> {
        if self.0.fresh_for(tenant, f.clone(), |_| true).is_some() {
            return Ok(COUNT_CAP + 1);
        }
        // Counted with the words as corrected, like the rows; a search by words alone from the
        // token indexes.
        let found = search::count(conn, f, COUNT_CAP + 1).await?;
        if found.at_least {
            self.0.put_for(tenant, f.clone(), ());
            return Ok(COUNT_CAP + 1);
        }
        Ok(found.n)
    }
}

/// The list's state, all of it in the URL.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub segment: String,
    pub institution_type: String,
    pub ownership: String,
    pub status: String,
    pub stage: String,
    pub branch: String,
    /// Absent means the viewer's default: their own portfolio for an RM, everyone's otherwise. Present
    /// and empty means "any RM" (the whole unit), which an RM chooses with one tap.
    pub rm: Option<String>,
    pub tag: String,
    /// "1": only employers in arrears.
    pub arrears: String,
    /// At least this many months in arrears.
    pub arrears_months: String,
    pub archived: String,
    pub sort: String,
    pub page: Option<i64>,
}

impl ListQuery {
    /// The query with the viewer's default applied, so that the page, its links and its exports all
    /// name the same rows: an RM who has not chosen otherwise sees their own portfolio.
    pub fn for_viewer(mut self, who: Who) -> ListQuery {
        if self.rm.is_none() && policy::holds_portfolio(who) {
            self.rm = Some(who.user.to_string());
        }
        self
    }

    fn rm(&self) -> &str {
        self.rm.as_deref().unwrap_or("")
    }

    /// The filters as repository values. A value that names nothing known filters nothing rather
    /// than failing: the URL may be old or hand-edited.
    pub fn filter(&self) -> ListFilter {
        let mut f = ListFilter {
            segment: Segment::parse(&self.segment).ok(),
            institution_type: InstitutionType::parse(&self.institution_type).ok(),
            ownership: Ownership::parse(&self.ownership).ok(),
            status: Status::parse(&self.status).ok(),
            stage: Stage::parse(&self.stage).ok(),
            branch_id: self.branch.parse().ok(),
            rm_id: self.rm().parse().ok(),
            unassigned: self.rm() == NO_RM,
            tag: Tag::parse(&self.tag).ok().map(|t| t.as_str().to_owned()),
            in_arrears: self.arrears == "1",
            min_arrears_months: self
                .arrears_months
                .trim()
                .parse::<i16>()
                .ok()
                .filter(|n| (1..=240).contains(n)),
            archived: self.archived == "1",
            ..ListFilter::default()
        };
        match SearchTerm::parse(&self.q) {
            SearchTerm::Npp(npp) => f.npp = Some(npp),
            SearchTerm::Npwp(npwp) => f.npwp = Some(npwp),
            SearchTerm::Name(words) => f.words = words,
            SearchTerm::Nothing => {}
        }
        f
    }

    pub fn sort(&self) -> Sort {
        Sort::parse(&self.sort).unwrap_or(Sort::Name)
    }

    fn page(&self) -> i64 {
        self.page.unwrap_or(1).clamp(1, 100_000)
    }

    /// How many filters beyond the search box are set, the viewer's own portfolio not counted: the
    /// folded panel says so, and stays folded, so on a phone the results come first.
    fn active_filters(&self, mine: Option<&str>) -> usize {
        [
            &self.segment,
            &self.institution_type,
            &self.ownership,
            &self.status,
            &self.stage,
            &self.branch,
            &self.tag,
            &self.arrears_months,
        ]
        .iter()
        .filter(|v| !v.is_empty())
        .count()
            + usize::from(self.archived == "1")
            + usize::from(self.arrears == "1")
            + usize::from(!self.rm().is_empty() && Some(self.rm()) != mine)
    }

    /// The query string of this state with another sort and page, for links.
    fn with(&self, sort: Sort, page: i64) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("q", &self.q),
            ("segment", &self.segment),
            ("institution_type", &self.institution_type),
            ("ownership", &self.ownership),
            ("status", &self.status),
            ("stage", &self.stage),
            ("branch", &self.branch),
            ("tag", &self.tag),
            ("arrears", &self.arrears),
            ("arrears_months", &self.arrears_months),
            ("archived", &self.archived),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect();
        // Kept even when empty: an empty `rm` is the RM's explicit "whole unit".
        if let Some(rm) = &self.rm {
            pairs.push(("rm", rm.clone()));
        }
        if sort != Sort::Name {
            pairs.push(("sort", sort.as_str().to_owned()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    /// The filters and sort without the page: what an export of this list asks for.
    pub fn filters_only(&self) -> String {
        self.with(self.sort(), 1)
    }
}

/// Each row's RM name and branch code, from the tenant's cached pickers rather than joined (reading
/// `users` through its row policy cost more than the page itself: 0.45 ms against 0.04 ms for a page
/// of the arrears list at the large data set); the few the pickers do not hold — a disabled person
/// still named on an employer, a closed office — are read in one statement each.
async fn name_rows(conn: &mut PgConnection, lists: &Lists, rows: &mut [ListRow]) -> AppResult<()> {
    let people = missing(rows.iter().filter_map(|r| r.rm_id), |id| {
        lists.person_name(id).is_some()
    });
    let offices = missing(rows.iter().filter_map(|r| r.branch_id), |id| {
        lists.branch_code(id).is_some()
    });
    let other_people: HashMap<Uuid, String> = tenancy_repo::names(&mut *conn, &people)
        .await?
        .into_iter()
        .map(|p| (p.user_id, p.name))
        .collect();
    let other_offices: HashMap<Uuid, String> = branch_repo::codes(conn, &offices)
        .await?
        .into_iter()
        .collect();
    for r in rows {
        r.rm_name = r
            .rm_id
            .and_then(|id| cached_or(lists.person_name(id), &other_people, id));
        r.branch_code = r
            .branch_id
            .and_then(|id| cached_or(lists.branch_code(id), &other_offices, id));
    }
    Ok(())
}

fn cached_or(cached: Option<&str>, read: &HashMap<Uuid, String>, id: Uuid) -> Option<String> {
    cached.map(str::to_owned).or_else(|| read.get(&id).cloned())
}

/// The distinct ids `known` does not hold, sorted.
fn missing(ids: impl Iterator<Item = Uuid>, known: impl Fn(Uuid) -> bool) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = ids.filter(|&id| !known(id)).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A column header that sorts the list.
pub struct SortLink {
    pub sort: Sort,
    pub href: String,
    pub active: bool,
}

struct Results {
    rows: Vec<ListRow>,
    /// Matching employers, exact up to `COUNT_CAP`; `count_more` when there are more.
    count: i64,
    count_more: bool,
    /// The scope tabs, shown to people who hold a portfolio: (href, label key, current).
    scopes: Vec<(String, &'static str, bool)>,
    /// The filters and sort as a query string, for the exports: inside the results, so a live
    /// filter swaps them together and the file always holds what the screen shows.
    export_query: String,
    can_export: bool,
    /// The count of set filters, for an htmx swap to update beside the folded panel.
    active_filters_swap: Option<usize>,
    page: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    sorts: Vec<SortLink>,
    can_reassign: bool,
    back: String,
    rms: Vec<Choice>,
    branches: Vec<Choice>,
    searched: bool,
    /// Said above the rows when they are for corrected search words.
    corrected: Option<String>,
}

impl Results {
    /// The header link of a sortable column.
    fn sort_link(&self, sort: Sort) -> Option<&SortLink> {
        self.sorts.iter().find(|s| s.sort == sort)
    }
}

#[derive(Template)]
#[template(path = "employers/index.html")]
struct IndexPage {
    l: Layout,
    q: ListQuery,
    segments: Vec<Choice>,
    institution_types: Vec<Choice>,
    ownerships: Vec<Choice>,
    statuses: Vec<Choice>,
    stages: Vec<Choice>,
    arrears_months: Vec<Choice>,
    branch_filter: Vec<Choice>,
    rm_filter: Vec<Choice>,
    /// The orders as a menu too: on a phone the sortable columns are hidden.
    sort_choices: Vec<Choice>,
    active_filters: usize,
    r: Results,
}

/// Only the results, for htmx's search-as-you-type swap.
#[derive(Template)]
#[template(path = "employers/_results.html")]
struct ResultsPartial {
    l: Layout,
    r: Results,
}

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    htmx: Htmx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let who = ctx.who();
    let q = q.for_viewer(who);
    let page = q.page();
    let sort = q.sort();
    let mut filter = q.filter();
    let mut tx = ctx.tx(&state).await?;
    let offset = (page - 1) * PAGE_SIZE;
    let known = state.vocabulary.words(&mut tx, ctx.tenant.id).await?;
    let (mut rows, corrections) =
        search::list_correcting(&mut tx, &known, &mut filter, sort, PAGE_SIZE, offset).await?;
    let count = if page == 1 && (rows.len() as i64) <= PAGE_SIZE {
        // The first page holds them all: no second query.
        rows.len() as i64
    } else {
        // Counted with the words as corrected, like the rows; a search by words alone from the
        // token indexes.
        state
            .employer_counts
            .count(&mut tx, ctx.tenant.id, &filter)
            .await?
    };
    let lists = state.directory.lists(&mut tx, ctx.tenant.id).await?;
    name_rows(&mut tx, &lists, &mut rows).await?;
    tx.commit().await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);

    let l = ctx.layout("employer.title");
    let corrected = (!corrections.is_empty()).then(|| {
        let (typed, shown) = search::typed_and_shown(&corrections);
        l.tf(
            "search.corrected",
            &[("typed", typed.as_str()), ("shown", shown.as_str())],
        )
    });
    let href = |sort: Sort, page: i64| format!("/employers?{}", q.with(sort, page));
    let mine = policy::holds_portfolio(who).then(|| who.user.to_string());
    let scopes = match &mine {
        Some(me) => vec![
            (
                format!("/employers?rm={me}"),
                "employer.scope_mine",
                q.rm() == me,
            ),
            (
                "/employers?rm=".to_owned(),
                "employer.scope_all",
                q.rm().is_empty(),
            ),
        ],
        None => Vec::new(),
    };
    let r = Results {
        rows,
        count: count.min(COUNT_CAP),
        count_more: count > COUNT_CAP,
        scopes,
        export_query: q.filters_only(),
        can_export: who.can(Permission::ExportLists),
        active_filters_swap: htmx.partial.then(|| q.active_filters(mine.as_deref())),
        page,
        prev_href: (page > 1).then(|| href(sort, page - 1)),
        next_href: has_next.then(|| href(sort, page + 1)),
        sorts: Sort::ALL
            .iter()
            .map(|&s| SortLink {
                sort: s,
                href: href(s, 1),
                active: s == sort,
            })
            .collect(),
        can_reassign: policy::may_assign(ctx.who()),
        back: href(sort, page),
        rms: lists.people_choices(|_| false),
        branches: lists.branch_choices(None),
        // A list narrowed by a search or a filter that finds nothing says so, not "no employers yet".
        searched: !q.q.trim().is_empty() || q.active_filters(mine.as_deref()) > 0,
        corrected,
    };
    if htmx.partial {
        return htmx.vary(render(&ResultsPartial { l, r }));
    }
    htmx.vary(render(&IndexPage {
        segments: Choice::of::<Segment>(l.lang, &q.segment),
        institution_types: Choice::of::<InstitutionType>(l.lang, &q.institution_type),
        ownerships: Choice::of::<Ownership>(l.lang, &q.ownership),
        statuses: Choice::of::<Status>(l.lang, &q.status),
        stages: Choice::of::<Stage>(l.lang, &q.stage),
        arrears_months: [1, 2, 3, 6, 12]
            .into_iter()
            .map(|n| Choice {
                value: n.to_string(),
                label: l.tf("contribution.at_least_months", &[("n", &n.to_string())]),
                selected: q.arrears_months.trim() == n.to_string(),
            })
            .collect(),
        branch_filter: lists.branch_choices(q.branch.parse().ok()),
        rm_filter: {
            // Employers nobody looks after (a person disabled with "nobody for now") are findable.
            let mut choices = vec![Choice {
                value: NO_RM.to_owned(),
                label: l.t("employer.no_rm").to_owned(),
                selected: q.rm() == NO_RM,
            }];
            choices.extend(lists.people_choices(|id| id.to_string() == q.rm()));
            choices
        },
        active_filters: q.active_filters(mine.as_deref()),
        sort_choices: Sort::ALL
            .iter()
            .map(|&s| Choice {
                value: s.as_str().to_owned(),
                label: l.t(s.label_key()).to_owned(),
                selected: s == sort,
            })
            .collect(),
        l,
        q,
        r,
    }))
}
