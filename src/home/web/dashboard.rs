//! The supervisor's home: every RM's BOD-1 cadence this month, least covered first, with the
//! follow-ups they let slip. Contributions, letters and flags join it as those modules arrive.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use crate::error::AppResult;
use crate::home::repo::{self as month_repo, TeamLine};
use crate::meetings::domain::Month;
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::layout::Layout;
use crate::web::{AppState, render};

#[derive(Template)]
#[template(path = "home/dashboard.html")]
struct DashboardPage {
    l: Layout,
    month_label: String,
    lines: Vec<TeamLine>,
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
    let month = Month::containing(now, ctx.tenant.tz);
    let mut tx = ctx.tx(&state).await?;
    let lines = month_repo::team_month(&mut tx, month.starts, month.ends, ctx.today(now)).await?;
    tx.commit().await?;
    render(&DashboardPage {
        l: ctx.layout("home.dashboard"),
        month_label: ctx.lang.month_year(month.first_day),
        active: lines.iter().map(|t| t.active).sum(),
        met: lines.iter().map(|t| t.met).sum(),
        lines,
    })
}
