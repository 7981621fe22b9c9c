//! The audit log's pages: the log, filtered by actor, action, record kind and dates and paginated,
//! and the same filtered log as an XLSX download.

mod export;
mod log;

use axum::Router;
use axum::routing::get;
use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::{Action, Entity};
use super::repo::{self, Filter, Row};
use super::views::{EventView, Names, Records, Words};
use crate::auth::domain::UserId;
use crate::web::AppState;
use crate::web::layers::percent_encode;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(log::index))
        .route("/admin/audit/export.xlsx", get(export::xlsx))
}

/// The log's filters, all of them in the URL.
#[derive(Deserialize, Default)]
#[serde(default)]
struct AuditQuery {
    actor: String,
    action: String,
    entity: String,
    from: String,
    to: String,
    page: Option<i64>,
}

impl AuditQuery {
    /// The filters as a query string without the page, for the pagination links, the export link and
    /// the export's own event.
    fn query_string(&self) -> String {
        [
            ("actor", &self.actor),
            ("action", &self.action),
            ("entity", &self.entity),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }

    /// The filters as repository values, and whether a date was not understood (it then filters
    /// nothing). Dates are days in the tenant's zone; "to" includes the whole day. A value that names
    /// nothing known filters nothing: the URL may be old or hand-edited.
    fn filter(&self, tz: Tz) -> (Filter, bool) {
        let day_start = |s: &str| -> Option<Option<DateTime<Utc>>> {
            if s.is_empty() {
                return Some(None);
            }
            let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
            let d = crate::web::forms::plausible(d).ok()?;
            tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
                .earliest()
                .map(|t| Some(t.with_timezone(&Utc)))
        };
        let from = day_start(&self.from);
        let until = if self.to.is_empty() {
            Some(None)
        } else {
            self.to
                .parse::<NaiveDate>()
                .ok()
                .and_then(|d| d.succ_opt())
                .and_then(|d| day_start(&d.to_string()))
        };
        let bad_dates = from.is_none() || until.is_none();
        let filter = Filter {
            actor: self.actor.parse::<Uuid>().ok().map(UserId),
            action: Action::parse(&self.action).ok(),
            entity: Entity::parse(&self.entity).ok(),
            from: from.flatten(),
            until: until.flatten(),
        };
        (filter, bad_dates)
    }
}

/// The tenant's people (disabled ones too) and branch offices (archived ones too) by id.
async fn names(conn: &mut PgConnection) -> sqlx::Result<Names> {
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
    Ok(Names { people, branches })
}

/// Events in words, with the records they are about named: one read for all of them.
async fn in_words(
    conn: &mut PgConnection,
    rows: Vec<Row>,
    words: &Words<'_>,
    tz: Tz,
) -> sqlx::Result<Vec<EventView>> {
    let ids = Records::ids(rows.iter().map(|r| (r.entity_type.as_str(), r.entity_id)));
    let records = Records::new(repo::records(conn, &ids).await?);
    Ok(rows
        .into_iter()
        .map(|r| EventView::of(r, &records, words, tz))
        .collect())
}
