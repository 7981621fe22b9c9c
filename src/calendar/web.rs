//! The calendar page (make or remake the secret link) and the feed itself, which calendar apps fetch
//! without a session: the tenant id and the secret in the URL are the only credentials.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};

use super::domain::{self, FeedFollowUp, FeedMeeting, FeedText};
use super::repo;
use crate::audit::{self, Action, Entity, Event};
use crate::auth::domain::{random_token, token_hash};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::tenancy::domain::{Permission, TenantId};
use crate::web::extract::Ctx;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::{AppState, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(page))
        .route("/calendar/regenerate", post(regenerate))
        .route("/calendar/{tenant}/{file}", get(feed))
}

/// How far back the feed keeps planned meetings that were never completed.
const FEED_PAST_DAYS: i64 = 30;
const FEED_LIMIT: i64 = 500;

#[derive(Template)]
#[template(path = "calendar/show.html")]
struct CalendarPage {
    l: Layout,
    /// Shown once, right after it was made: only its hash is kept.
    url: Option<String>,
    since: Option<String>,
}

impl CalendarPage {
    /// The same link for calendar apps that subscribe on a tap (`webcal://`).
    fn webcal(&self) -> Option<String> {
        let url = self.url.as_deref()?;
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        Some(format!("webcal://{rest}"))
    }

    /// The link as a QR code, to subscribe from the phone while the page is open on a desktop.
    fn qr_svg(&self) -> Option<String> {
        crate::web::qr::svg(self.url.as_deref()?)
    }
}

async fn page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let mut tx = ctx.tx(&state).await?;
    let since = repo::created_at(&mut tx, ctx.user_id.0).await?;
    tx.commit().await?;
    render(&CalendarPage {
        since: since.map(|t| ctx.datetime(t)),
        url: None,
        l: ctx.layout("calendar.title"),
    })
}

/// Makes a new secret; the old link stops working in the same transaction.
async fn regenerate(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
) -> AppResult<Response> {
    ctx.require(Permission::ReadRecords)?;
    let now = state.clock.now();
    let secret = random_token();
    let mut tx = ctx.tx(&state).await?;
    repo::replace_secret(&mut tx, ctx.user_id.0, &token_hash(&secret), now).await?;
    audit::repo::record(
        &mut tx,
        now,
        &ctx.actor(),
        Event::new(
            Action::CalendarRegenerated,
            Entity::CalendarFeed,
            Some(ctx.user_id.0),
        ),
    )
    .await?;
    tx.commit().await?;
    let url = format!(
        "{}/calendar/{}/{secret}.ics",
        crate::web::public_base(&state, &headers),
        ctx.tenant.id
    );
    render(&CalendarPage {
        since: Some(ctx.datetime(now)),
        url: Some(url),
        l: ctx.layout("calendar.title"),
    })
}

/// The secret from `<64 hex>.ics`; anything else names no feed.
fn secret_of(file: &str) -> Option<&str> {
    let secret = file.strip_suffix(".ics")?;
    (secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit())).then_some(secret)
}

/// Every failure is the same 404, so the URL reveals nothing about which part was wrong.
async fn feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((tenant, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let tenant = tenant
        .parse()
        .map(TenantId)
        .map_err(|_| AppError::NotFound)?;
    let secret = secret_of(&file).ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let mut tx = db::tenant_tx(&state.db, tenant, None).await?;
    let user = repo::owner_of(&mut tx, &token_hash(secret))
        .await?
        .ok_or(AppError::NotFound)?;
    let settings = crate::tenancy::repo::settings(&mut tx).await?;
    let lang = Lang::parse(&settings.default_language).unwrap_or(Lang::Id);
    let tz: chrono_tz::Tz = settings
        .timezone
        .parse()
        .unwrap_or(chrono_tz::Asia::Jakarta);
    let since = now - chrono::Duration::days(FEED_PAST_DAYS);
    let meetings = repo::planned_meetings(&mut tx, user, since, FEED_LIMIT).await?;
    let follow_ups = repo::open_follow_ups(&mut tx, user, FEED_LIMIT).await?;
    tx.commit().await?;
    let body = render_feed(
        &crate::web::public_base(&state, &headers),
        lang,
        tz,
        meetings,
        follow_ups,
        now,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}

fn render_feed(
    base: &str,
    lang: Lang,
    tz: chrono_tz::Tz,
    meetings: Vec<repo::PlannedMeeting>,
    follow_ups: Vec<repo::OpenFollowUp>,
    now: DateTime<Utc>,
) -> String {
    let meetings: Vec<FeedMeeting> = meetings
        .into_iter()
        .map(|m| FeedMeeting {
            kind: lang.t(m.kind.label_key()).to_owned(),
            id: m.id,
            employer_id: m.employer_id,
            employer_name: m.employer_name,
            attendees: m.attendees,
            starts_at: m.starts_at,
            duration_minutes: m.duration_minutes,
            location: m.location,
            updated_at: m.updated_at,
        })
        .collect();
    let follow_ups: Vec<FeedFollowUp> = follow_ups
        .into_iter()
        .map(|f| FeedFollowUp {
            id: f.id,
            employer_id: f.employer_id,
            employer_name: f.employer_name,
            title: f.title,
            notes: f.notes,
            meeting: f
                .meeting_id
                .zip(f.meeting_starts_at)
                .map(|(id, at)| (id, lang.datetime(at, tz))),
            due_on: f.due_on,
            updated_at: f.updated_at,
        })
        .collect();
    domain::render(
        &FeedText {
            calendar_name: lang.t("calendar.feed_name"),
            follow_up_prefix: lang.t("calendar.follow_up_prefix"),
            brief: lang.t("calendar.brief"),
            attendees: lang.t("meeting.attendees"),
            from_meeting: lang.t("calendar.from_meeting"),
            employer: lang.t("calendar.employer"),
            base_url: base,
        },
        &meetings,
        &follow_ups,
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::secret_of;

    #[test]
    fn only_a_64_hex_secret_with_ics_names_a_feed() {
        let s = "a".repeat(64);
        assert_eq!(secret_of(&format!("{s}.ics")), Some(s.as_str()));
        assert_eq!(secret_of(&s), None);
        assert_eq!(secret_of(&format!("{}.ics", "a".repeat(63))), None);
        assert_eq!(secret_of(&format!("{}.ics", "g".repeat(64))), None);
    }
}
