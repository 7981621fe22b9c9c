//! Operations on tenants that the command line and demo data call: creating a tenant, finding one by
//! its slug. They write this module's tables and audit what they do.

use anyhow::{Context, bail};
use sqlx::PgPool;

use super::domain::{SecondFactorRule, Slug, TenantId, TimeZone};
use super::repo::{self, NewTenant};
use crate::audit::{self, Actor, Changes, Event};
use crate::db;
use crate::web::i18n::Lang;

/// A tenant as an operator describes it; every value is checked by `create_tenant`.
pub struct TenantSpec<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub timezone: &'a str,
    pub language: &'a str,
    /// `off`, `admins` or `everyone`.
    pub second_factor: &'a str,
}

pub async fn create_tenant(pool: &PgPool, spec: &TenantSpec<'_>) -> anyhow::Result<TenantId> {
    let slug = Slug::parse(spec.slug).map_err(|_| {
        anyhow::anyhow!(
            "invalid slug {:?}: use lowercase letters, digits and inner hyphens (at most 40)",
            spec.slug
        )
    })?;
    let name = spec.name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        bail!("the tenant name must have 1 to 200 characters and no control characters");
    }
    let tz = TimeZone::parse(spec.timezone).map_err(|_| {
        anyhow::anyhow!("unknown time zone {:?} (e.g. Asia/Jakarta)", spec.timezone)
    })?;
    let lang = Lang::parse(spec.language).context("the language must be id or en")?;
    let second_factor = SecondFactorRule::parse(spec.second_factor)
        .map_err(|_| anyhow::anyhow!("--second-factor must be admins, everyone or off"))?;
    let id = TenantId(uuid::Uuid::new_v4());
    let now = chrono::Utc::now();
    let mut tx = db::tenant_tx(pool, id, None).await?;
    let row = NewTenant {
        id,
        slug: slug.as_str(),
        name,
        timezone: tz.name(),
        language: lang.code(),
        second_factor,
    };
    if let Err(e) = repo::insert_tenant(&mut tx, &row, now).await {
        if let sqlx::Error::Database(d) = &e
            && d.constraint() == Some("tenants_name_idx")
        {
            bail!("a tenant named {name:?} already exists");
        }
        if db::is_unique_violation(&e) {
            bail!("a tenant with the slug {:?} already exists", slug.as_str());
        }
        return Err(e.into());
    }
    let changes = Changes::new()
        .created("slug", slug.as_str())
        .created("name", name)
        .created("timezone", tz.name())
        .created("second_factor", second_factor.as_str());
    audit::repo::record(
        &mut tx,
        now,
        &Actor::cli(),
        Event::new("tenant.created", "tenant", Some(id.0)).with(changes),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn tenant_by_slug(pool: &PgPool, slug: &str) -> anyhow::Result<TenantId> {
    let mut tx = db::begin(pool).await?;
    let id = repo::tenant_id_by_slug(&mut tx, slug).await?;
    tx.commit().await?;
    id.with_context(|| format!("no tenant with the slug {slug:?}"))
}
