//! The search page behind the header's search box: employers by name, NPP or NPWP, and key persons
//! by name.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use crate::employers::domain::SearchTerm;
use crate::employers::repo::list::{self as employer_list, ListFilter, ListRow, Sort};
use crate::error::AppResult;
use crate::key_persons::repo::{self as kp_repo, Found};
use crate::tenancy::domain::Permission;
use crate::web::extract::Ctx;
use crate::web::forms::optional_text;
use crate::web::layout::Layout;
use crate::web::{AppState, Htmx, render};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
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
pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    htmx: Htmx,
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
            employer_list::list(&mut tx, &filter, Sort::Name, SEARCH_LIMIT - 1, 0).await?;
        r.people = kp_repo::search(&mut tx, &words, SEARCH_LIMIT).await?;
        tx.commit().await?;
    }
    let l = ctx.layout("search.title");
    if htmx.partial {
        return htmx.vary(render(&SearchPartial { l, q, r }));
    }
    htmx.vary(render(&SearchPage { l, q, r }))
}
