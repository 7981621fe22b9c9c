//! Employer pages: the filtered list with export and bulk reassignment, the employer page, and the
//! create/edit/archive/restore forms.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::Form;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::domain::{
    CountryCode, DivisionCode, Engagement, InstitutionType, Nib, Npp, Npwp, Ownership, PhoneNumber,
    Program, RiskBand, Scale, SearchTerm, Segment, Stage, Status, Tag, optional_count,
    optional_date,
};
use super::repo::{self, Employer, EmployerFields, ListFilter, ListRow, SaveOutcome, Sort};
use super::{may_edit, may_read_history};
use crate::audit::domain::{FieldChange, action_label_key};
use crate::audit::views::{field_changes, label};
use crate::audit::{self, Changes, Event};
use crate::error::{AppError, AppResult};
use crate::follow_ups::repo as follow_up_repo;
use crate::follow_ups::web::{FollowUpView, views as follow_up_views};
use crate::key_persons::domain::Level;
use crate::key_persons::repo::{self as kp_repo, KeyPersonRow};
use crate::meetings::domain::{Month, met_in};
use crate::meetings::repo::{self as meeting_repo, Pick};
use crate::meetings::web::{MeetingView, may_log_for, views as meeting_views};
use crate::supply_chain::domain::{Coverage, Relation};
use crate::supply_chain::repo::{self as link_repo, LinkRow};
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::forms::{FieldErrors, VersionForm, multiline_text, optional_text, required_text};
use crate::web::layout::Layout;
use crate::web::stale::StaleEdit;
use crate::web::{AppState, LocalPath, download, redirect_with_flash, render, render_status};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/employers", get(index).post(create))
        .route("/employers/new", get(new))
        .route("/employers/export.csv", get(export_csv))
        .route("/employers/export.xlsx", get(export_xlsx))
        .route("/employers/reassign", post(reassign))
        .route("/employers/{id}", get(show).post(update))
        .route("/employers/{id}/edit", get(edit))
        .route("/employers/{id}/archive", post(archive))
        .route("/employers/{id}/restore", post(restore))
}

pub const PAGE_SIZE: i64 = 50;

// The list ------------------------------------------------------------------------------------------

/// The list's state, all of it in the URL.
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub segment: String,
    #[serde(default)]
    pub institution_type: String,
    #[serde(default)]
    pub ownership: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub branch: String,
    #[serde(default)]
    pub rm: String,
    #[serde(default)]
    pub tag: String,
    #[serde(default)]
    pub archived: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: Option<i64>,
}

impl ListQuery {
    /// The filters as repository values. A value that names nothing known filters nothing rather
    /// than failing: the URL may be old or hand-edited.
    pub fn filter(&self) -> ListFilter {
        let code =
            |raw: &str, parse: fn(&str) -> Option<&'static str>| parse(raw).map(str::to_owned);
        let mut f = ListFilter {
            segment: code(&self.segment, |s| {
                Segment::parse(s).ok().map(Segment::as_str)
            }),
            institution_type: code(&self.institution_type, |s| {
                InstitutionType::parse(s).ok().map(InstitutionType::as_str)
            }),
            ownership: code(&self.ownership, |s| {
                Ownership::parse(s).ok().map(Ownership::as_str)
            }),
            status: code(&self.status, |s| Status::parse(s).ok().map(Status::as_str)),
            stage: code(&self.stage, |s| Stage::parse(s).ok().map(Stage::as_str)),
            branch_id: self.branch.parse().ok(),
            rm_id: self.rm.parse().ok(),
            tag: Tag::parse(&self.tag).ok().map(|t| t.as_str().to_owned()),
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
        Sort::parse(&self.sort)
    }

    fn page(&self) -> i64 {
        self.page.unwrap_or(1).clamp(1, 100_000)
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
            ("rm", &self.rm),
            ("tag", &self.tag),
            ("archived", &self.archived),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect();
        if sort != Sort::Name {
            pairs.push(("sort", sort.as_str().to_owned()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    pub fn filters_only(&self) -> String {
        self.with(self.sort(), 1)
    }
}

/// A value offered in a filter or form select.
pub use crate::web::forms::Choice;

fn enum_choices<T: Copy>(
    l: &Layout,
    all: &[T],
    code: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
    selected: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code(*v).to_owned(),
            label: l.t(key(*v)).to_owned(),
            selected: code(*v) == selected,
        })
        .collect()
}

/// Labels for a list row's coded columns.
impl ListRow {
    pub fn status_key(&self) -> &'static str {
        Status::from_db(&self.status).label_key()
    }
    pub fn stage_key(&self) -> &'static str {
        Stage::from_db(&self.stage).label_key()
    }
    pub fn segment_key(&self) -> &'static str {
        Segment::from_db(&self.segment).label_key()
    }
    pub fn ownership_key(&self) -> &'static str {
        Ownership::from_db(&self.ownership).label_key()
    }
    pub fn npp_text(&self) -> String {
        npp_text(self.npp.as_deref(), &self.division_code)
    }
}

pub fn npp_text(npp: Option<&str>, division: &str) -> String {
    match (npp, division) {
        (None, _) => String::new(),
        (Some(n), "") => n.to_owned(),
        (Some(n), d) => format!("{n}-{d}"),
    }
}

pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    pub active: bool,
}

struct Results {
    rows: Vec<ListRow>,
    page: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    sorts: Vec<SortLink>,
    can_reassign: bool,
    back: String,
    rms: Vec<Choice>,
    branches: Vec<Choice>,
    searched: bool,
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
    branch_filter: Vec<Choice>,
    rm_filter: Vec<Choice>,
    export_query: String,
    r: Results,
}

/// Only the results, for htmx's search-as-you-type swap.
#[derive(Template)]
#[template(path = "employers/_results.html")]
struct ResultsPartial {
    l: Layout,
    r: Results,
}

async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let page = q.page();
    let sort = q.sort();
    let mut tx = ctx.tx(&state).await?;
    let mut rows = repo::list(
        &mut tx,
        &q.filter(),
        sort,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await?;
    let lists = state.directory.lists(&mut tx, ctx.tenant.id).await?;
    let (assignees, branches) = (&lists.people, &lists.branches);
    tx.commit().await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);

    let l = ctx.layout("employer.title");
    let people = |selected: &str| -> Vec<Choice> {
        assignees
            .iter()
            .map(|a| Choice {
                value: a.id.to_string(),
                label: a.name.clone(),
                selected: a.id.to_string() == selected,
            })
            .collect()
    };
    let branch_choices = |selected: &str| -> Vec<Choice> {
        branches
            .iter()
            .map(|b| Choice {
                value: b.id.to_string(),
                label: format!("{} · {}", b.code, b.name),
                selected: b.id.to_string() == selected,
            })
            .collect()
    };
    let sorts = [
        (Sort::Name, "employer.name"),
        (Sort::Npp, "employer.npp"),
        (Sort::Rm, "employer.rm"),
        (Sort::Updated, "employer.updated"),
    ]
    .into_iter()
    .map(|(s, key)| SortLink {
        label: l.t(key),
        href: format!("/employers?{}", q.with(s, 1)),
        active: s == sort,
    })
    .collect();
    let r = Results {
        rows,
        page,
        prev_href: (page > 1).then(|| format!("/employers?{}", q.with(sort, page - 1))),
        next_href: has_next.then(|| format!("/employers?{}", q.with(sort, page + 1))),
        sorts,
        can_reassign: ctx.role.can(Permission::ReassignPortfolio),
        back: format!("/employers?{}", q.with(sort, page)),
        rms: people(""),
        branches: branch_choices(""),
        searched: !q.q.trim().is_empty(),
    };
    if headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request") {
        let mut response = render(&ResultsPartial { l, r })?;
        response
            .headers_mut()
            .insert(header::VARY, "HX-Request".parse().expect("a valid header"));
        return Ok(response);
    }
    let mut response = render(&IndexPage {
        segments: enum_choices(
            &l,
            Segment::ALL,
            Segment::as_str,
            Segment::label_key,
            &q.segment,
        ),
        institution_types: enum_choices(
            &l,
            InstitutionType::ALL,
            InstitutionType::as_str,
            InstitutionType::label_key,
            &q.institution_type,
        ),
        ownerships: enum_choices(
            &l,
            Ownership::ALL,
            Ownership::as_str,
            Ownership::label_key,
            &q.ownership,
        ),
        statuses: enum_choices(
            &l,
            Status::ALL,
            Status::as_str,
            Status::label_key,
            &q.status,
        ),
        stages: enum_choices(&l, Stage::ALL, Stage::as_str, Stage::label_key, &q.stage),
        branch_filter: branch_choices(&q.branch),
        rm_filter: people(&q.rm),
        export_query: q.filters_only(),
        l,
        q,
        r,
    })?;
    response
        .headers_mut()
        .insert(header::VARY, "HX-Request".parse().expect("a valid header"));
    Ok(response)
}

// Export --------------------------------------------------------------------------------------------

/// An export holds at most this many rows: enough for a branch's whole portfolio, and bounded so one
/// download cannot take the server's memory. A longer list says so in its last row.
pub const EXPORT_CAP: i64 = 20_000;

async fn export_rows(
    state: &AppState,
    ctx: &Ctx,
    q: &ListQuery,
    format: &str,
) -> AppResult<(Vec<repo::ExportRow>, bool)> {
    ctx.require(Permission::ExportLists)?;
    let now = state.clock.now();
    let mut tx = ctx.tx(state).await?;
    let mut rows = repo::export(&mut tx, &q.filter(), q.sort(), EXPORT_CAP + 1).await?;
    let truncated = rows.len() as i64 > EXPORT_CAP;
    rows.truncate(EXPORT_CAP as usize);
    let changes = Changes::new()
        .created("format", format)
        .created("rows", rows.len())
        .created("filters", q.filters_only());
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new("employer.exported", "employer_list", None).with(changes),
    )
    .await?;
    tx.commit().await?;
    Ok((rows, truncated))
}

async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let (rows, truncated) = export_rows(&state, &ctx, &q, "csv").await?;
    let table = super::export::table(ctx.lang, &rows, truncated);
    let body =
        super::export::csv(&table).map_err(|e| AppError::Internal(e.context("CSV export")))?;
    let stamp = state.clock.now().format("%Y%m%d");
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("employers-{stamp}.csv"),
        body,
    ))
}

async fn export_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let (rows, truncated) = export_rows(&state, &ctx, &q, "xlsx").await?;
    let table = super::export::table(ctx.lang, &rows, truncated);
    let body = tokio::task::spawn_blocking(move || super::export::xlsx(&table))
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("XLSX export task")))?
        .map_err(|e| AppError::Internal(e.context("XLSX export")))?;
    let stamp = state.clock.now().format("%Y%m%d");
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("employers-{stamp}.xlsx"),
        body,
    ))
}

// Bulk reassignment ------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct ReassignForm {
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    rm_id: String,
    #[serde(default)]
    branch_id: String,
    #[serde(default)]
    back: String,
}

async fn reassign(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<ReassignForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ReassignPortfolio)?;
    // Back to the list as it was filtered; only the employer list itself.
    let back = LocalPath::parse(&form.back)
        .filter(|p| p.as_str() == "/employers" || p.as_str().starts_with("/employers?"))
        .map_or_else(|| "/employers".to_owned(), |p| p.to_string());
    let mut ids: Vec<Uuid> = form.ids.iter().filter_map(|s| s.parse().ok()).collect();
    if ids.is_empty() || ids.len() != form.ids.len() {
        return Ok(redirect_with_flash(&back, false, "employer.reassign_none"));
    }
    ids.sort();
    ids.dedup();
    let rm: Option<Uuid> = form.rm_id.parse().ok();
    let branch: Option<Uuid> = form.branch_id.parse().ok();
    if rm.is_none() && branch.is_none() {
        return Ok(redirect_with_flash(
            &back,
            false,
            "employer.reassign_no_target",
        ));
    }
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    if let Some(rm) = rm
        && !repo::is_assignable(&mut tx, rm).await?
    {
        return Ok(redirect_with_flash(&back, false, "employer.rm_invalid"));
    }
    if let Some(b) = branch
        && !repo::branch_is_open(&mut tx, b).await?
    {
        return Ok(redirect_with_flash(&back, false, "employer.branch_invalid"));
    }
    // All of them or none: an id that is not an open employer of this tenant (archived meanwhile, or
    // another tenant's) refuses the whole move rather than reporting a move that did not happen.
    if repo::count_open(&mut tx, &ids).await? != ids.len() as i64 {
        return Ok(redirect_with_flash(
            &back,
            false,
            "employer.reassign_missing",
        ));
    }
    let moved = repo::reassign(&mut tx, &ids, rm, branch, now).await?;
    if moved.is_empty() {
        return Ok(redirect_with_flash(
            &back,
            true,
            "employer.reassign_unchanged",
        ));
    }
    let names = assignment_names(&mut tx).await?;
    for m in &moved {
        let mut changes = Changes::new();
        if rm.is_some() {
            changes = changes.field("rm", names.person(m.old_rm), names.person(rm));
        }
        if branch.is_some() {
            changes = changes.field("branch", names.branch(m.old_branch), names.branch(branch));
        }
        audit::repo::record(
            &mut tx,
            now,
            &ctx.actor(),
            Event::new("employer.reassigned", "employer", Some(m.id))
                .with(changes)
                .of_employer(m.id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(redirect_with_flash(&back, true, "employer.reassigned"))
}

/// Names of the tenant's people and branches, so the history says "Dewi Lestari", not an id.
struct AssignmentNames {
    people: HashMap<Uuid, String>,
    branches: HashMap<Uuid, String>,
}

impl AssignmentNames {
    fn person(&self, id: Option<Uuid>) -> Option<String> {
        id.map(|i| {
            self.people
                .get(&i)
                .cloned()
                .unwrap_or_else(|| i.to_string())
        })
    }
    fn branch(&self, id: Option<Uuid>) -> Option<String> {
        id.map(|i| {
            self.branches
                .get(&i)
                .cloned()
                .unwrap_or_else(|| i.to_string())
        })
    }
}

async fn assignment_names(conn: &mut sqlx::PgConnection) -> AppResult<AssignmentNames> {
    let people = crate::tenancy::repo::members(&mut *conn)
        .await?
        .into_iter()
        .map(|m| (m.user_id.0, m.name))
        .collect();
    let branches = crate::branches::repo::list(conn)
        .await?
        .into_iter()
        .map(|b| (b.id, b.code))
        .collect();
    Ok(AssignmentNames { people, branches })
}

// The employer page ------------------------------------------------------------------------------------

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
    status_key: &'static str,
    stage_key: &'static str,
    segment_key: &'static str,
    ownership_key: &'static str,
    institution_type_key: Option<&'static str>,
    scale_key: Option<&'static str>,
    risk_band_key: Option<&'static str>,
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
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    /// The page of the meetings timeline.
    #[serde(default)]
    mp: Option<i64>,
}

/// Meetings on one page of the employer's timeline.
const TIMELINE_PAGE: i64 = 10;
/// Done follow-ups the employer page shows after the open ones.
const DONE_FOLLOW_UPS: i64 = 10;

impl KeyPersonRow {
    pub fn level_key(&self) -> &'static str {
        Level::from_db(&self.level).label_key()
    }
}

impl LinkRow {
    pub fn relation_key(&self) -> &'static str {
        Relation::from_db(&self.relation).label_key()
    }
    pub fn status_key(&self) -> &'static str {
        Status::from_db(&self.other_status).label_key()
    }
}

fn optional_key<T>(
    code: Option<&str>,
    parse: fn(&str) -> Result<T, &'static str>,
    key: fn(T) -> &'static str,
) -> Option<&'static str> {
    code.and_then(|c| parse(c).ok()).map(key)
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let now = state.clock.now();
    let today = ctx.today(now);
    let meeting_page = q.mp.unwrap_or(1).clamp(1, 10_000);
    let mut tx = ctx.tx(&state).await?;
    let e = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let people = kp_repo::for_employer(&mut tx, id).await?;
    // One more than a page says whether there are older meetings, without counting them.
    let mut meetings = meeting_repo::for_employer(
        &mut tx,
        id,
        Pick::Timeline {
            limit: TIMELINE_PAGE + 1,
            offset: (meeting_page - 1) * TIMELINE_PAGE,
        },
    )
    .await?;
    let more_meetings = meetings.len() as i64 > TIMELINE_PAGE;
    meetings.truncate(TIMELINE_PAGE as usize);
    let follow_ups = follow_up_repo::for_employer(&mut tx, id, DONE_FOLLOW_UPS).await?;
    let (parents, members) = link_repo::both_sides(&mut tx, id).await?;
    let show_history = may_read_history(&ctx, e.rm_id);
    let history = if show_history {
        repo::history(&mut tx, id, 200).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;

    let (former, current): (Vec<_>, Vec<_>) = people
        .into_iter()
        .filter(|p| p.archived_at.is_none())
        .partition(|p| p.left_on.is_some());
    let no_decision_contact = !crate::key_persons::domain::has_decision_level_contact(
        current.iter().map(|p| Level::from_db(&p.level)),
    );
    let coverage = (!members.is_empty()).then(|| Coverage {
        covered: members.iter().filter(|m| m.covered()).count() as i64,
        members: members.len() as i64,
    });
    let history = history
        .into_iter()
        .map(|h| HistoryItem {
            at: ctx.datetime(h.occurred_at),
            actor: h.actor,
            action: label(ctx.lang, action_label_key(&h.action), h.action),
            changes: field_changes(ctx.lang, &h.changes),
        })
        .collect();
    let can_edit = may_edit(&ctx, e.rm_id);
    let l = ctx.layout_titled(e.name.clone());
    let month = Month::containing(now, ctx.tenant.tz);
    render(&ShowPage {
        meetings: meeting_views(&l, &meetings),
        more_meetings,
        meeting_page,
        met_this_month: met_in(&month, e.last_bod1_meeting_at),
        last_bod1: e.last_bod1_meeting_at.map(|at| l.day_of(&at)),
        follow_ups: follow_up_views(&l, &ctx, &follow_ups, today),
        can_log: may_log_for(&ctx, e.rm_id) && e.archived_at.is_none(),
        l,
        npp: npp_text(e.npp.as_deref(), &e.division_code),
        npwp: e.npwp.as_deref().map(Npwp::display).unwrap_or_default(),
        status_key: Status::from_db(&e.status).label_key(),
        stage_key: Stage::from_db(&e.stage).label_key(),
        segment_key: Segment::from_db(&e.segment).label_key(),
        ownership_key: Ownership::from_db(&e.ownership).label_key(),
        institution_type_key: optional_key(
            e.institution_type.as_deref(),
            InstitutionType::parse,
            InstitutionType::label_key,
        ),
        scale_key: optional_key(e.scale.as_deref(), Scale::parse, Scale::label_key),
        risk_band_key: optional_key(e.risk_band.as_deref(), RiskBand::parse, RiskBand::label_key),
        stage_since: ctx.lang.date(e.stage_entered_on),
        days_in_stage: (today - e.stage_entered_on).num_days().max(0),
        revisit: e.revisit_on.map(|d| ctx.lang.date(d)),
        briefing: e.regulation_briefing_on.map(|d| ctx.lang.date(d)),
        website_href: website_href(&e.website),
        current,
        former,
        no_decision_contact,
        parents,
        members,
        coverage,
        history,
        show_history,
        can_edit: can_edit && e.archived_at.is_none(),
        can_restore: ctx.role.can(Permission::EditAnyRecord),
        can_manage_data: ctx.role.can(Permission::ManageUsers),
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

// The form --------------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct EmployerForm {
    #[serde(default)]
    npp: String,
    #[serde(default)]
    division_code: String,
    #[serde(default)]
    npwp: String,
    #[serde(default)]
    nib: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    legal_name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    segment: String,
    #[serde(default)]
    institution_type: String,
    #[serde(default)]
    ownership: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    scale: String,
    #[serde(default)]
    industry: String,
    #[serde(default)]
    risk_band: String,
    #[serde(default)]
    programs: Vec<String>,
    #[serde(default)]
    workers_reported: String,
    #[serde(default)]
    workforce_estimate: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    stage_reason: String,
    #[serde(default)]
    revisit_on: String,
    #[serde(default)]
    rm_id: String,
    #[serde(default)]
    branch_id: String,
    #[serde(default)]
    approach_notes: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    version: i32,
}

/// Optional value parsed when present.
fn optional<T>(
    raw: &str,
    parse: fn(&str) -> Result<T, &'static str>,
) -> Result<Option<T>, &'static str> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse(raw).map(Some)
    }
}

fn optional_uuid(raw: &str, error: &'static str) -> Result<Option<Uuid>, &'static str> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        raw.trim().parse().map(Some).map_err(|_| error)
    }
}

impl EmployerForm {
    /// Converts every field, collecting every problem at once.
    fn parse(&self, errors: &mut FieldErrors, today: NaiveDate) -> Option<EmployerFields> {
        let npp = errors.check("npp", optional(&self.npp, Npp::parse));
        let division = errors.check("division_code", DivisionCode::parse(&self.division_code));
        let npwp = errors.check("npwp", optional(&self.npwp, Npwp::parse));
        let nib = errors.check("nib", optional(&self.nib, Nib::parse));
        let name = errors.check("name", required_text(&self.name, 200));
        let legal_name = errors.check("legal_name", optional_text(&self.legal_name, 200));
        let address = errors.check("address", multiline_text(&self.address, 500));
        let city = errors.check("city", optional_text(&self.city, 100));
        let province = errors.check("province", optional_text(&self.province, 100));
        let phone = errors.check("phone", optional(&self.phone, PhoneNumber::parse));
        let website = errors.check("website", optional_text(&self.website, 200));
        let segment = errors.check("segment", Segment::parse(&self.segment));
        let institution_type = match segment {
            Some(Segment::Institution) if self.institution_type.trim().is_empty() => {
                errors.add("institution_type", "employer.institution_type_required");
                None
            }
            Some(Segment::Institution) => errors
                .check(
                    "institution_type",
                    InstitutionType::parse(&self.institution_type),
                )
                .map(Some),
            _ => Some(None),
        };
        let ownership = errors.check("ownership", Ownership::parse(&self.ownership));
        let country = match ownership {
            Some(Ownership::Foreign) if self.country.trim().is_empty() => {
                errors.add("country", "employer.country_required");
                None
            }
            Some(Ownership::Foreign) => errors
                .check("country", CountryCode::parse(&self.country))
                .map(Some),
            _ => Some(None),
        };
        let scale = errors.check("scale", optional(&self.scale, Scale::parse));
        let industry = errors.check("industry", optional_text(&self.industry, 200));
        let risk_band = errors.check("risk_band", optional(&self.risk_band, RiskBand::parse));
        let programs = errors.check(
            "programs",
            self.programs
                .iter()
                .map(|p| Program::parse(p))
                .collect::<Result<Vec<_>, _>>(),
        );
        let workers = errors.check("workers_reported", optional_count(&self.workers_reported));
        let estimate = errors.check(
            "workforce_estimate",
            optional_count(&self.workforce_estimate),
        );
        let status = errors.check("status", Status::parse(&self.status));
        let stage = errors.check("stage", Stage::parse(&self.stage));
        let reason = errors.check("stage_reason", optional_text(&self.stage_reason, 500));
        let revisit = errors.check("revisit_on", optional_date(&self.revisit_on));
        let rm_id = errors.check("rm_id", optional_uuid(&self.rm_id, "employer.rm_invalid"));
        let branch_id = errors.check(
            "branch_id",
            optional_uuid(&self.branch_id, "employer.branch_invalid"),
        );
        let notes = errors.check("approach_notes", multiline_text(&self.approach_notes, 4000));
        let tags = errors.check("tags", Tag::parse_list(&self.tags));
        let engagement = match (stage, reason.clone(), revisit) {
            (Some(stage), Some(reason), Some(revisit)) => {
                match Engagement::parse(stage, reason, revisit, today) {
                    Ok(e) => Some(e),
                    Err(list) => {
                        for (field, key) in list {
                            errors.add(field, key);
                        }
                        None
                    }
                }
            }
            _ => None,
        };
        let division = division?;
        let npp = npp?;
        if npp.is_none() && !division.as_str().is_empty() {
            errors.add("division_code", "employer.division_without_npp");
            return None;
        }
        let mut programs: Vec<String> = programs?
            .into_iter()
            .map(|p| p.as_str().to_owned())
            .collect();
        programs.sort();
        programs.dedup();
        let engagement = engagement?;
        Some(EmployerFields {
            npp: npp.map(|n| n.as_str().to_owned()),
            division_code: division.as_str().to_owned(),
            npwp: npwp?.map(|n| n.as_str().to_owned()),
            nib: nib?.map(|n| n.as_str().to_owned()),
            name: name?,
            legal_name: legal_name?,
            address: address?,
            city: city?,
            province: province?,
            phone: phone?.map(|p| p.as_str().to_owned()),
            website: website?,
            segment: segment?.as_str().to_owned(),
            institution_type: institution_type?.map(|t| t.as_str().to_owned()),
            ownership: ownership?.as_str().to_owned(),
            country: country?.map(|c| c.as_str().to_owned()),
            scale: scale?.map(|s| s.as_str().to_owned()),
            industry: industry?,
            risk_band: risk_band?.map(|r| r.as_str().to_owned()),
            programs,
            workers_reported: workers?,
            workforce_estimate: estimate?,
            status: status?.as_str().to_owned(),
            stage: engagement.stage.as_str().to_owned(),
            stage_reason: engagement.reason,
            revisit_on: engagement.revisit_on,
            rm_id: rm_id?,
            branch_id: branch_id?,
            approach_notes: notes?,
            tags: tags?.into_iter().map(|t| t.as_str().to_owned()).collect(),
        })
    }
}

fn form_of(e: &Employer) -> EmployerForm {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let count = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
    EmployerForm {
        npp: text(&e.npp),
        division_code: e.division_code.clone(),
        npwp: e.npwp.as_deref().map(Npwp::display).unwrap_or_default(),
        nib: text(&e.nib),
        name: e.name.clone(),
        legal_name: e.legal_name.clone(),
        address: e.address.clone(),
        city: e.city.clone(),
        province: e.province.clone(),
        phone: text(&e.phone),
        website: e.website.clone(),
        segment: e.segment.clone(),
        institution_type: text(&e.institution_type),
        ownership: e.ownership.clone(),
        country: text(&e.country),
        scale: text(&e.scale),
        industry: e.industry.clone(),
        risk_band: text(&e.risk_band),
        programs: e.programs.clone(),
        workers_reported: count(e.workers_reported),
        workforce_estimate: count(e.workforce_estimate),
        status: e.status.clone(),
        stage: e.stage.clone(),
        stage_reason: e.stage_reason.clone(),
        revisit_on: e.revisit_on.map(|d| d.to_string()).unwrap_or_default(),
        rm_id: e.rm_id.map(|u| u.to_string()).unwrap_or_default(),
        branch_id: e.branch_id.map(|u| u.to_string()).unwrap_or_default(),
        approach_notes: e.approach_notes.clone(),
        tags: e.tags.join(", "),
        version: e.version,
    }
}

#[derive(Template)]
#[template(path = "employers/form.html")]
struct FormPage {
    l: Layout,
    /// None for a new employer.
    id: Option<Uuid>,
    f: EmployerForm,
    errors: FieldErrors,
    stale: Option<StaleEdit>,
    segments: Vec<Choice>,
    institution_types: Vec<Choice>,
    ownerships: Vec<Choice>,
    scales: Vec<Choice>,
    risk_bands: Vec<Choice>,
    programs: Vec<Choice>,
    statuses: Vec<Choice>,
    stages: Vec<Choice>,
    rms: Vec<Choice>,
    branches: Vec<Choice>,
    can_reassign: bool,
}

impl FormPage {
    async fn build(
        conn: &mut sqlx::PgConnection,
        ctx: &Ctx,
        l: Layout,
        id: Option<Uuid>,
        f: EmployerForm,
        errors: FieldErrors,
        stale: Option<StaleEdit>,
    ) -> AppResult<FormPage> {
        let assignees = repo::assignees(&mut *conn).await?;
        let branches = repo::branch_choices(conn).await?;
        let programs = Program::ALL
            .iter()
            .map(|p| Choice {
                value: p.as_str().to_owned(),
                label: l.t(p.label_key()).to_owned(),
                selected: f.programs.iter().any(|x| x == p.as_str()),
            })
            .collect();
        Ok(FormPage {
            segments: enum_choices(
                &l,
                Segment::ALL,
                Segment::as_str,
                Segment::label_key,
                &f.segment,
            ),
            institution_types: enum_choices(
                &l,
                InstitutionType::ALL,
                InstitutionType::as_str,
                InstitutionType::label_key,
                &f.institution_type,
            ),
            ownerships: enum_choices(
                &l,
                Ownership::ALL,
                Ownership::as_str,
                Ownership::label_key,
                &f.ownership,
            ),
            scales: enum_choices(&l, Scale::ALL, Scale::as_str, Scale::label_key, &f.scale),
            risk_bands: enum_choices(
                &l,
                RiskBand::ALL,
                RiskBand::as_str,
                RiskBand::label_key,
                &f.risk_band,
            ),
            programs,
            statuses: enum_choices(
                &l,
                Status::ALL,
                Status::as_str,
                Status::label_key,
                &f.status,
            ),
            stages: enum_choices(&l, Stage::ALL, Stage::as_str, Stage::label_key, &f.stage),
            rms: assignees
                .iter()
                .map(|a| Choice {
                    value: a.id.to_string(),
                    label: a.name.clone(),
                    selected: a.id.to_string() == f.rm_id,
                })
                .collect(),
            branches: branches
                .iter()
                .map(|b| Choice {
                    value: b.id.to_string(),
                    label: format!("{} · {}", b.code, b.name),
                    selected: b.id.to_string() == f.branch_id,
                })
                .collect(),
            can_reassign: ctx.role.can(Permission::ReassignPortfolio),
            l,
            id,
            f,
            errors,
            stale,
        })
    }
}

async fn new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::CreateEmployers)?;
    let f = EmployerForm {
        segment: Segment::Corporate.as_str().into(),
        ownership: Ownership::PrivateDomestic.as_str().into(),
        status: Status::Prospect.as_str().into(),
        stage: Stage::Approach.as_str().into(),
        rm_id: ctx.user_id.0.to_string(),
        ..EmployerForm::default()
    };
    let mut tx = ctx.tx(&state).await?;
    let page = FormPage::build(
        &mut tx,
        &ctx,
        ctx.layout("employer.new"),
        None,
        f,
        FieldErrors::default(),
        None,
    )
    .await?;
    tx.commit().await?;
    render(&page)
}

/// Checks the assignment against the tenant: the RM must be an enabled member who can hold a
/// portfolio, the branch an open one.
async fn check_assignment(
    conn: &mut sqlx::PgConnection,
    fields: &EmployerFields,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    if let Some(rm) = fields.rm_id
        && !repo::is_assignable(&mut *conn, rm).await?
    {
        errors.add("rm_id", "employer.rm_invalid");
    }
    if let Some(b) = fields.branch_id
        && !repo::branch_is_open(conn, b).await?
    {
        errors.add("branch_id", "employer.branch_invalid");
    }
    Ok(())
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<EmployerForm>,
) -> AppResult<Response> {
    ctx.require(Permission::CreateEmployers)?;
    let now = state.clock.now();
    let today = ctx.today(now);
    let mut errors = FieldErrors::default();
    let mut fields = form.parse(&mut errors, today);
    if let Some(f) = fields.as_mut()
        && !ctx.role.can(Permission::ReassignPortfolio)
    {
        // An RM's new employer is theirs (SPEC §2), whatever the form says.
        f.rm_id = Some(ctx.user_id.0);
    }
    let mut tx = ctx.tx(&state).await?;
    if let Some(f) = &fields {
        check_assignment(&mut tx, f, &mut errors).await?;
    }
    let id = Uuid::new_v4();
    let saved = match fields.as_ref().filter(|_| errors.is_empty()) {
        Some(f) => match repo::insert(&mut tx, id, f, today, now).await? {
            SaveOutcome::Saved => true,
            SaveOutcome::NppTaken => {
                errors.add("npp", "employer.npp_taken");
                false
            }
            SaveOutcome::Stale => false,
        },
        None => false,
    };
    let Some(fields) = fields.filter(|_| saved) else {
        let page = FormPage::build(
            &mut tx,
            &ctx,
            ctx.layout("employer.new"),
            None,
            form,
            errors,
            None,
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let names = assignment_names(&mut tx).await?;
    let changes = changes_between(None, &fields, &names);
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new("employer.created", "employer", Some(id))
            .with(changes)
            .of_employer(id),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{id}"),
        true,
        "employer.created",
    ))
}

/// Field values as the audit trail records them; the RM and branch by name.
fn recorded_values(f: &EmployerFields, names: &AssignmentNames) -> Vec<(&'static str, Value)> {
    vec![
        ("npp", json!(f.npp)),
        ("division_code", json!(f.division_code)),
        ("npwp", json!(f.npwp)),
        ("nib", json!(f.nib)),
        ("name", json!(f.name)),
        ("legal_name", json!(f.legal_name)),
        ("address", json!(f.address)),
        ("city", json!(f.city)),
        ("province", json!(f.province)),
        ("phone", json!(f.phone)),
        ("website", json!(f.website)),
        ("segment", json!(f.segment)),
        ("institution_type", json!(f.institution_type)),
        ("ownership", json!(f.ownership)),
        ("country", json!(f.country)),
        ("scale", json!(f.scale)),
        ("industry", json!(f.industry)),
        ("risk_band", json!(f.risk_band)),
        ("programs", json!(f.programs.join(", "))),
        ("workers_reported", json!(f.workers_reported)),
        ("workforce_estimate", json!(f.workforce_estimate)),
        ("status", json!(f.status)),
        ("stage", json!(f.stage)),
        ("stage_reason", json!(f.stage_reason)),
        ("revisit_on", json!(f.revisit_on)),
        ("rm", json!(names.person(f.rm_id))),
        ("branch", json!(names.branch(f.branch_id))),
        ("approach_notes", json!(f.approach_notes)),
        ("tags", json!(f.tags.join(", "))),
    ]
}

fn fields_of(e: &Employer) -> EmployerFields {
    EmployerFields {
        npp: e.npp.clone(),
        division_code: e.division_code.clone(),
        npwp: e.npwp.clone(),
        nib: e.nib.clone(),
        name: e.name.clone(),
        legal_name: e.legal_name.clone(),
        address: e.address.clone(),
        city: e.city.clone(),
        province: e.province.clone(),
        phone: e.phone.clone(),
        website: e.website.clone(),
        segment: e.segment.clone(),
        institution_type: e.institution_type.clone(),
        ownership: e.ownership.clone(),
        country: e.country.clone(),
        scale: e.scale.clone(),
        industry: e.industry.clone(),
        risk_band: e.risk_band.clone(),
        programs: e.programs.clone(),
        workers_reported: e.workers_reported,
        workforce_estimate: e.workforce_estimate,
        status: e.status.clone(),
        stage: e.stage.clone(),
        stage_reason: e.stage_reason.clone(),
        revisit_on: e.revisit_on,
        rm_id: e.rm_id,
        branch_id: e.branch_id,
        approach_notes: e.approach_notes.clone(),
        tags: e.tags.clone(),
    }
}

/// Field-level changes; on creation, every field that holds something.
fn changes_between(
    old: Option<&Employer>,
    new: &EmployerFields,
    names: &AssignmentNames,
) -> Changes {
    let empty = |v: &Value| v.is_null() || v.as_str() == Some("");
    let new_values = recorded_values(new, names);
    match old {
        None => new_values
            .into_iter()
            .filter(|(_, v)| !empty(v))
            .fold(Changes::new(), |c, (k, v)| c.created(k, v)),
        Some(old) => recorded_values(&fields_of(old), names)
            .into_iter()
            .zip(new_values)
            .fold(Changes::new(), |c, ((k, o), (_, n))| c.field(k, o, n)),
    }
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut tx = ctx.tx(&state).await?;
    let e = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if !may_edit(&ctx, e.rm_id) || e.archived_at.is_some() {
        return Err(AppError::Forbidden);
    }
    let page = FormPage::build(
        &mut tx,
        &ctx,
        ctx.layout_titled(e.name.clone()),
        Some(id),
        form_of(&e),
        FieldErrors::default(),
        None,
    )
    .await?;
    tx.commit().await?;
    render(&page)
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<EmployerForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let today = ctx.today(now);
    let mut tx = ctx.tx(&state).await?;
    let old = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if !may_edit(&ctx, old.rm_id) || old.archived_at.is_some() {
        return Err(AppError::Forbidden);
    }
    let mut errors = FieldErrors::default();
    let mut fields = form.parse(&mut errors, today);
    if let Some(f) = fields.as_mut()
        && !ctx.role.can(Permission::ReassignPortfolio)
    {
        // Only supervisors and admins move employers between RMs and branches.
        f.rm_id = old.rm_id;
        f.branch_id = old.branch_id;
    }
    if let Some(f) = &fields
        && (f.rm_id != old.rm_id || f.branch_id != old.branch_id)
    {
        check_assignment(&mut tx, f, &mut errors).await?;
    }
    let title = old.name.clone();
    let outcome = match fields.as_ref().filter(|_| errors.is_empty()) {
        Some(f) => Some(repo::update(&mut tx, id, f, form.version, today, now).await?),
        None => None,
    };
    match outcome {
        Some(SaveOutcome::Saved) => {}
        Some(SaveOutcome::Stale) => {
            // Someone saved first: nothing of this edit is written. The form comes back as typed, on
            // top of the saved version, with the fields where the two differ.
            let current = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
            let yours = fields.as_ref().expect("a stale save had parsed fields");
            let names = assignment_names(&mut tx).await?;
            let stale = StaleEdit::new(ctx.lang, changes_between(Some(&current), yours, &names));
            let form = EmployerForm {
                version: current.version,
                ..form
            };
            let page = FormPage::build(
                &mut tx,
                &ctx,
                ctx.layout_titled(title),
                Some(id),
                form,
                errors,
                Some(stale),
            )
            .await?;
            return render_status(StatusCode::CONFLICT, &page);
        }
        Some(SaveOutcome::NppTaken) | None => {
            if matches!(outcome, Some(SaveOutcome::NppTaken)) {
                errors.add("npp", "employer.npp_taken");
            }
            let page = FormPage::build(
                &mut tx,
                &ctx,
                ctx.layout_titled(title),
                Some(id),
                form,
                errors,
                None,
            )
            .await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    }
    let fields = fields.expect("saved fields exist");
    let names = assignment_names(&mut tx).await?;
    let mut changes = changes_between(Some(&old), &fields, &names);
    if fields.stage != old.stage {
        changes = changes.field(
            "stage_entered_on",
            json!(old.stage_entered_on),
            json!(today),
        );
    }
    if !changes.is_empty() {
        audit::repo::record(
            &mut tx,
            now,
            &ctx.actor(),
            Event::new("employer.updated", "employer", Some(id))
                .with(changes)
                .of_employer(id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{id}"),
        true,
        "employer.saved",
    ))
}

async fn archive(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    set_archived(state, ctx, id, form.version, true).await
}

async fn restore(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    set_archived(state, ctx, id, form.version, false).await
}

/// Archiving is open to whoever may edit the employer; restoring to supervisors and admins (SPEC §3).
async fn set_archived(
    state: AppState,
    ctx: Ctx,
    id: Uuid,
    version: i32,
    archive: bool,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = ctx.tx(&state).await?;
    let e = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let allowed = if archive {
        may_edit(&ctx, e.rm_id)
    } else {
        ctx.role.can(Permission::EditAnyRecord)
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if !repo::set_archived(&mut tx, id, archive.then_some(now), version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    let (action, old, new, flash) = if archive {
        (
            "employer.archived",
            "active",
            "archived",
            "employer.archived",
        )
    } else {
        (
            "employer.restored",
            "archived",
            "active",
            "employer.restored",
        )
    };
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(action, "employer", Some(id))
            .with(Changes::new().field("archived", old, new))
            .of_employer(id),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/employers/{id}"),
        true,
        flash,
    ))
}
