//! Operations on tenants that the command line, the demo data and the tests call: creating a tenant,
//! finding one by its slug, adding a person from the command line. They check what an operator typed,
//! write this module's tables (and, for a person, the accounts' through `invitations::service`) and
//! audit what they do. The caller says what time it is.

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::domain::{Role, SecondFactorRule, Slug, TenantId, TimeZone};
use super::repo::{self, NewTenant};
use crate::audit::{self, Action, Actor, Changes, Entity, Event};
use crate::auth::domain::{Email, NewPassword, one_time_password};
use crate::db;
use crate::invitations::service::{Added, NewPerson, add_person};
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

pub async fn create_tenant(
    pool: &PgPool,
    spec: &TenantSpec<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<TenantId> {
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
        Event::new(Action::TenantCreated, Entity::Tenant, Some(id.0)).with(changes),
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

/// A person an operator adds to a tenant from the command line.
pub struct PersonSpec<'a> {
    pub tenant_slug: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    /// admin, supervisor, rm or viewer.
    pub role: &'a str,
    /// None: a one-time password is generated, to be changed at the first sign-in.
    pub password: Option<String>,
}

/// What adding a person did.
pub struct PersonAdded {
    pub email: Email,
    pub role: Role,
    pub added: Added,
    /// The generated one-time password, to show once.
    pub one_time_password: Option<String>,
}

/// Creates an account in a tenant, or gives an existing account a membership there (its password
/// stays as it is). Refuses a person who already belongs to the tenant.
pub async fn add_person_to(
    pool: &PgPool,
    spec: PersonSpec<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<PersonAdded> {
    let tenant = tenant_by_slug(pool, spec.tenant_slug).await?;
    let email = Email::parse(spec.email)
        .map_err(|_| anyhow::anyhow!("invalid email address {:?}", spec.email))?;
    let role: Role = spec.role.parse().map_err(|_| {
        anyhow::anyhow!(
            "unknown role {:?}: admin, supervisor, rm or viewer",
            spec.role
        )
    })?;
    let name = spec.name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        bail!("the name must have 1 to 200 characters and no control characters");
    }
    let (password, generated) = match spec.password {
        Some(p) => {
            NewPassword::parse(&p, &[email.as_str(), name])
                .map_err(|key| anyhow::anyhow!("{}", Lang::En.t(key)))?;
            (p, false)
        }
        None => (one_time_password(), true),
    };
    let hash = crate::auth::hash_password(&password).await?;
    let mut tx = db::tenant_tx(pool, tenant, None).await?;
    let person = NewPerson {
        email: &email,
        name,
        role,
        password_hash: &hash,
        must_change_password: generated,
    };
    let added = add_person(&mut tx, person, &Actor::cli(), now).await?;
    if let Added::AlreadyMember(_) = added {
        bail!(
            "{} is already a member of {}",
            email.as_str(),
            spec.tenant_slug
        );
    }
    tx.commit().await?;
    let one_time_password = (generated && matches!(added, Added::NewUser(_))).then_some(password);
    Ok(PersonAdded {
        email,
        role,
        added,
        one_time_password,
    })
}
