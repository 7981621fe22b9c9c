//! The supervisor's home: every RM's BOD-1 cadence this month, least covered first, with the
//! follow-ups they let slip. Contributions, letters and flags join it as those modules arrive.
//!
//! The overview reads every active employer of the unit: about 50 ms at the large data set (85,000
//! active employers), too slow to repeat for every supervisor's visit under load. Each server keeps a
//! tenant's overview for a minute (`web::cache`), and the page says when its figures were read.

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};

use crate::error::AppResult;
use crate::home::repo::{self as month_repo, TeamLine};
use crate::meetings::domain::Month;
use crate::tenancy::domain::Permission;
use crate::web::cache::TenantCache;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, render};

/// A tenant's overview as read, for the day it was read on.
pub struct Overview {
    today: NaiveDate,
    read_at: DateTime<Utc>,
    lines: Vec<TeamLine>,
}

#[derive(Clone)]
pub struct OverviewCache(TenantCache<Overview>);

impl Default for OverviewCache {
    fn default() -> Self {
        OverviewCache(TenantCache::new(Duration::from_secs(60)))
    }
}

#[derive(Template)]
#[template(path = "home/dashboard.html")]
struct DashboardPage {
    l: Layout,
    month_label: String,
    read_at: String,
    /// Shared with the cache: rendering copies nothing.
    overview: Arc<Overview>,
    active: i64,
    met: i64,
}

impl DashboardPage {
    fn percent(met: &i64, of: &i64) -> i64 {
        if *of > 0 { met * 100 / of } else { 0 }
    }
}

pub async fn dashboard(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::ViewDashboard)?;
    let now = state.clock.now();
    let today = ctx.today(now);
    let month = Month::containing(now, ctx.tenant.tz);
    let tenant = ctx.tenant.id;
    let overview = match state.overview.0.fresh(tenant, |o| o.today == today) {
        Some(o) => o,
        None => {
            let mut tx = ctx.tx(&state).await?;
            let lines = month_repo::team_month(&mut tx, month.starts, month.ends, today).await?;
            tx.commit().await?;
            state.overview.0.put(
                tenant,
                Overview {
                    today,
                    read_at: now,
                    lines,
                },
            )
        }
    };
    render(&DashboardPage {
        l: ctx.layout("home.dashboard"),
        month_label: ctx.lang.month_year(month.first_day),
        read_at: ctx.datetime(overview.read_at),
        active: overview.lines.iter().map(|t| t.active).sum(),
        met: overview.lines.iter().map(|t| t.met).sum(),
        overview,
    })
}
