//! The tenant's settings: name, time zone, language, who needs a second factor, and the letterhead.

use crate::web::Form;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::audit::{self, Action, Changes, Entity, Event};
use crate::auth::domain::Email;
use crate::error::AppResult;
use crate::tenancy::domain::{Permission, SecondFactorRule, TimeZone};
use crate::tenancy::repo;
use crate::web::extract::Ctx;
use crate::web::forms::{Choice, FieldErrors, multiline_text, optional_text, required_text};
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::stale::StaleEdit;
use crate::web::{AppState, redirect_with_flash, render, render_status};

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    l: Layout,
    s: repo::Settings,
    second_factor_rules: Vec<Choice>,
    /// Indonesia's three zones first, with their names; then every other IANA zone.
    indonesian_zones: Vec<Choice>,
    other_zones: Vec<Choice>,
    errors: FieldErrors,
    stale: Option<StaleEdit>,
}

/// Zones offered first: Indonesia's three; any IANA zone typed is accepted.
/// Indonesia's zones and the names people know them by.
const INDONESIAN_ZONES: [(&str, &str); 3] = [
    ("Asia/Jakarta", "WIB — Asia/Jakarta (UTC+7)"),
    ("Asia/Makassar", "WITA — Asia/Makassar (UTC+8)"),
    ("Asia/Jayapura", "WIT — Asia/Jayapura (UTC+9)"),
];

fn zone_choices(current: &str) -> (Vec<Choice>, Vec<Choice>) {
    let choice = |value: &str, label: &str| Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        selected: value == current,
    };
    let mut indonesian: Vec<Choice> = INDONESIAN_ZONES
        .iter()
        .map(|(zone, label)| choice(zone, label))
        .collect();
    // A value sent that names no zone comes back as sent, beside its message.
    if current.parse::<chrono_tz::Tz>().is_err() && !current.is_empty() {
        indonesian.insert(0, choice(current, current));
    }
    let mut others: Vec<&str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| INDONESIAN_ZONES.iter().all(|(z, _)| z != name))
        .collect();
    others.sort_unstable();
    (
        indonesian,
        others.into_iter().map(|z| choice(z, z)).collect(),
    )
}

pub(super) async fn edit(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Permission::ManageSettings)?;
    let mut tx = ctx.tx(&state).await?;
    let s = repo::settings(&mut tx).await?;
    tx.commit().await?;
    render(&SettingsPage::new(&ctx, s, FieldErrors::default(), None))
}

impl SettingsPage {
    fn new(ctx: &Ctx, s: repo::Settings, errors: FieldErrors, stale: Option<StaleEdit>) -> Self {
        let (indonesian_zones, other_zones) = zone_choices(&s.timezone);
        SettingsPage {
            l: ctx.layout("admin.settings"),
            second_factor_rules: Choice::of::<SecondFactorRule>(ctx.lang, &s.second_factor),
            s,
            indonesian_zones,
            other_zones,
            errors,
            stale,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SettingsForm {
    name: String,
    second_factor: String,
    timezone: String,
    default_language: String,
    letterhead_office: String,
    letterhead_address: String,
    letterhead_city: String,
    letterhead_phone: String,
    letterhead_email: String,
    letterhead_signatory_name: String,
    letterhead_signatory_title: String,
    letterhead_signatory_title_en: String,
    version: i32,
}

impl SettingsForm {
    fn parse(&self, errors: &mut FieldErrors) -> Option<repo::Settings> {
        let name = errors.check("name", required_text(&self.name, 200));
        let second_factor = errors.check(
            "second_factor",
            SecondFactorRule::parse(&self.second_factor),
        );
        let timezone = errors.check("timezone", TimeZone::parse(&self.timezone));
        let language = errors.check(
            "default_language",
            Lang::parse(&self.default_language).ok_or("error.language_invalid"),
        );
        let address = errors.check(
            "letterhead_address",
            multiline_text(&self.letterhead_address, 500),
        );
        let mut text = |field: &'static str, raw: &str, max: usize| {
            errors.check(field, optional_text(raw, max))
        };
        let office = text("letterhead_office", &self.letterhead_office, 200);
        let city = text("letterhead_city", &self.letterhead_city, 100);
        let phone = text("letterhead_phone", &self.letterhead_phone, 50);
        let email = text("letterhead_email", &self.letterhead_email, 254);
        let signatory = text(
            "letterhead_signatory_name",
            &self.letterhead_signatory_name,
            200,
        );
        let title = text(
            "letterhead_signatory_title",
            &self.letterhead_signatory_title,
            200,
        );
        let title_en = text(
            "letterhead_signatory_title_en",
            &self.letterhead_signatory_title_en,
            200,
        );
        let email = match email {
            Some(e) if !e.is_empty() => errors.check(
                "letterhead_email",
                Email::parse(&e).map(|e| e.as_str().to_owned()),
            ),
            other => other,
        };
        Some(repo::Settings {
            name: name?,
            second_factor: second_factor?.as_str().to_owned(),
            timezone: timezone?.name().to_owned(),
            default_language: language?.code().to_owned(),
            letterhead_office: office?,
            letterhead_address: address?,
            letterhead_city: city?,
            letterhead_phone: phone?,
            letterhead_email: email?,
            letterhead_signatory_name: signatory?,
            letterhead_signatory_title: title?,
            letterhead_signatory_title_en: title_en?,
            version: self.version,
        })
    }

    /// What the admin typed, to show again beside the messages.
    fn as_typed(&self) -> repo::Settings {
        repo::Settings {
            name: self.name.clone(),
            second_factor: self.second_factor.clone(),
            timezone: self.timezone.clone(),
            default_language: self.default_language.clone(),
            letterhead_office: self.letterhead_office.clone(),
            letterhead_address: self.letterhead_address.clone(),
            letterhead_city: self.letterhead_city.clone(),
            letterhead_phone: self.letterhead_phone.clone(),
            letterhead_email: self.letterhead_email.clone(),
            letterhead_signatory_name: self.letterhead_signatory_name.clone(),
            letterhead_signatory_title: self.letterhead_signatory_title.clone(),
            letterhead_signatory_title_en: self.letterhead_signatory_title_en.clone(),
            version: self.version,
        }
    }
}

fn settings_changes(old: &repo::Settings, new: &repo::Settings) -> Changes {
    Changes::new()
        .field("name", &old.name, &new.name)
        .field("second_factor", &old.second_factor, &new.second_factor)
        .field("timezone", &old.timezone, &new.timezone)
        .field(
            "default_language",
            &old.default_language,
            &new.default_language,
        )
        .field(
            "letterhead_office",
            &old.letterhead_office,
            &new.letterhead_office,
        )
        .field(
            "letterhead_address",
            &old.letterhead_address,
            &new.letterhead_address,
        )
        .field(
            "letterhead_city",
            &old.letterhead_city,
            &new.letterhead_city,
        )
        .field(
            "letterhead_phone",
            &old.letterhead_phone,
            &new.letterhead_phone,
        )
        .field(
            "letterhead_email",
            &old.letterhead_email,
            &new.letterhead_email,
        )
        .field(
            "letterhead_signatory_name",
            &old.letterhead_signatory_name,
            &new.letterhead_signatory_name,
        )
        .field(
            "letterhead_signatory_title",
            &old.letterhead_signatory_title,
            &new.letterhead_signatory_title,
        )
        .field(
            "letterhead_signatory_title_en",
            &old.letterhead_signatory_title_en,
            &new.letterhead_signatory_title_en,
        )
}

pub(super) async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    ctx.require(Permission::ManageSettings)?;
    let now = state.clock.now();
    let mut errors = FieldErrors::default();
    let Some(new) = form.parse(&mut errors).filter(|_| errors.is_empty()) else {
        let page = SettingsPage::new(&ctx, form.as_typed(), errors, None);
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let mut tx = ctx.tx(&state).await?;
    let old = repo::settings(&mut tx).await?;
    let saved = if old.version == new.version {
        match repo::update_settings(&mut tx, &new, now).await {
            Ok(saved) => saved,
            // Another unit has the name (docs/security.md: names are how people recognise a unit).
            Err(e) if crate::db::is_unique_violation(&e) => {
                tx.rollback().await?;
                let mut errors = FieldErrors::default();
                errors.add("name", "settings.name_taken");
                let page = SettingsPage::new(&ctx, form.as_typed(), errors, None);
                return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        false
    };
    if !saved {
        // Someone saved in between: nothing of ours is written. The form as typed, on top of the
        // saved version, with the fields where the two differ.
        tx.rollback().await?;
        let mut tx = ctx.tx(&state).await?;
        let current = repo::settings(&mut tx).await?;
        tx.commit().await?;
        let stale = StaleEdit::new(ctx.lang, settings_changes(&current, &new));
        let yours = repo::Settings {
            version: current.version,
            ..new
        };
        let page = SettingsPage::new(&ctx, yours, errors, Some(stale));
        return render_status(StatusCode::CONFLICT, &page);
    }
    let changes = settings_changes(&old, &new);
    if !changes.is_empty() {
        audit::repo::record(
            &mut tx,
            now,
            &ctx.actor(),
            Event::new(Action::TenantUpdated, Entity::Tenant, Some(ctx.tenant.id.0)).with(changes),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(redirect_with_flash("/admin/settings", true, "admin.saved"))
}
