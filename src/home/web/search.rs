//! The search page behind the header's search box: employers by name, short name, initials, NPP
//! (whole or three digits or more of it) or NPWP, and key persons by name; with one-letter
//! corrections when the words find nothing, and how many employers there are beyond those shown.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use crate::employers::domain::SearchTerm;
use crate::employers::repo::list::{self as employer_list, ListFilter, ListRow, Sort};
use crate::employers::repo::search;
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
    /// How many more employers match than are shown, said in the link to the employer list.
    more: Option<String>,
    /// Said above the results when they are for corrected search words.
    corrected: Option<String>,
}

/// Employers and key persons shown at most.
const SEARCH_LIMIT: i64 = 10;
/// Index entries read at most to count the employers beyond those shown; past it the page says "at
/// least".
const COUNT_CAP: i64 = 1_000;

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
    let l = ctx.layout("search.title");
    let mut r = SearchResults {
        employers: Vec::new(),
        people: Vec::new(),
        more: None,
        corrected: None,
    };
    if searching {
        let mut tx = ctx.tx(&state).await?;
        let checked = if words.is_empty() {
            search::Checked::Matched
        } else {
            let known = state.vocabulary.words(&mut tx, ctx.tenant.id).await?;
            search::check_words(&mut tx, &known, &words, true).await?
        };
        match checked {
            search::Checked::Matched => {
                // One row more than shown tells whether counting the rest is needed at all.
                r.employers =
                    employer_list::list(&mut tx, &filter, Sort::Name, SEARCH_LIMIT, 0).await?;
                r.people = kp_repo::search(&mut tx, &words, SEARCH_LIMIT).await?;
            }
            // A word matches nothing: as typed, the search would find nothing.
            search::Checked::Unmatched(None) => {}
            search::Checked::Unmatched(Some(c)) => {
                let corrected = ListFilter {
                    words: c.words.clone(),
                    ..filter.clone()
                };
                r.employers =
                    employer_list::list(&mut tx, &corrected, Sort::Name, SEARCH_LIMIT, 0).await?;
                r.people = kp_repo::search(&mut tx, &c.words, SEARCH_LIMIT).await?;
                if !r.employers.is_empty() || !r.people.is_empty() {
                    filter = corrected;
                    let (typed, shown) = search::typed_and_shown(&c.corrections);
                    r.corrected = Some(l.tf(
                        "search.corrected",
                        &[("typed", typed.as_str()), ("shown", shown.as_str())],
                    ));
                }
            }
        }
        if r.employers.len() as i64 > SEARCH_LIMIT {
            r.employers.truncate(SEARCH_LIMIT as usize);
            let found = search::count(&mut tx, &filter, COUNT_CAP).await?;
            let more = l.integer((found.n - SEARCH_LIMIT).max(1));
            let key = if found.at_least {
                "search.at_least_more_employers"
            } else {
                "search.more_employers"
            };
            r.more = Some(l.tf(key, &[("n", more.as_str())]));
        }
        tx.commit().await?;
    }
    if htmx.partial {
        return htmx.vary(render(&SearchPartial { l, q, r }));
    }
    htmx.vary(render(&SearchPage { l, q, r }))
}
