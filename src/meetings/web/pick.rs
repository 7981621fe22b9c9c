//! Step one of a new meeting when no employer was given: search by name, NPP or NPWP as you type. An
//! RM sees only the portfolio they may log meetings for, and before typing, the employers still to
//! meet this month.

use askama::Template;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::employers::domain::SearchTerm;
use crate::employers::repo::list::{self as employer_list, ListFilter, Sort};
use crate::error::AppResult;
use crate::meetings::domain::{Month, Status};
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::forms::optional_text;
use crate::web::layout::Layout;
use crate::web::{AppState, Htmx, LocalPath, render};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    pub employer: Option<String>,
    pub status: Option<String>,
    pub q: Option<String>,
    pub back: Option<String>,
}

/// An employer offered for a new meeting, with a hint to tell it apart.
pub struct PickRow {
    pub id: Uuid,
    pub name: String,
    pub hint: String,
}

#[derive(Template)]
#[template(path = "meetings/pick.html")]
struct PickPage {
    l: Layout,
    q: String,
    status: Status,
    back: String,
    employers: Vec<PickRow>,
    /// Whether the list is the RM's own portfolio still to meet (no search typed).
    suggested: bool,
}

/// Only the employers, for htmx's search-as-you-type swap.
#[derive(Template)]
#[template(path = "meetings/_employer_choices.html")]
struct EmployerChoices {
    l: Layout,
    status: Status,
    back: String,
    employers: Vec<PickRow>,
    q: String,
    suggested: bool,
}

const PICK_LIMIT: i64 = 20;

pub async fn pick_employer(
    state: &AppState,
    ctx: &Ctx,
    htmx: Htmx,
    query: NewQuery,
    status: Status,
) -> AppResult<Response> {
    let q = optional_text(query.q.as_deref().unwrap_or(""), 200).unwrap_or_default();
    let own_only = !ctx.role.can(Permission::EditAnyRecord);
    let mut filter = ListFilter {
        rm_id: own_only.then_some(ctx.user_id.0),
        ..ListFilter::default()
    };
    let searching = match SearchTerm::parse(&q) {
        SearchTerm::Npp(n) => {
            filter.npp = Some(n);
            true
        }
        SearchTerm::Npwp(n) => {
            filter.npwp = Some(n);
            true
        }
        SearchTerm::Name(w) => {
            filter.words = w;
            true
        }
        SearchTerm::Nothing => false,
    };
    let now = state.clock.now();
    let l = ctx.layout("meeting.pick_employer");
    let mut tx = ctx.tx(state).await?;
    let (employers, suggested) = if searching {
        let rows = employer_list::list(&mut tx, &filter, Sort::Name, PICK_LIMIT, 0).await?;
        let rows = rows
            .into_iter()
            .map(|r| PickRow {
                id: r.id,
                hint: r.hint(),
                name: r.name,
            })
            .collect();
        (rows, false)
    } else if own_only {
        let month = Month::containing(now, ctx.tenant.tz);
        let today = ctx.today(now);
        let rows =
            crate::home::repo::still_to_meet(&mut tx, ctx.user_id.0, &month, today, PICK_LIMIT)
                .await?;
        let rows = rows
            .into_iter()
            .map(|r| PickRow {
                id: r.id,
                hint: match r.last_bod1_meeting_at {
                    Some(at) => l.tf("month.last_met_on", &[("date", l.day_of(&at).as_str())]),
                    None => l.t("month.never_met").to_owned(),
                },
                name: r.name,
            })
            .collect();
        (rows, true)
    } else {
        (Vec::new(), false)
    };
    tx.commit().await?;
    let back = LocalPath::carried(query.back.as_deref());
    if htmx.partial {
        return htmx.vary(render(&EmployerChoices {
            l,
            status,
            back,
            employers,
            q,
            suggested,
        }));
    }
    htmx.vary(render(&PickPage {
        l,
        q,
        status,
        back,
        employers,
        suggested,
    }))
}
