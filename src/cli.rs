//! The `relasi` command line: serve, migrate, tenants, users, demo data.

use std::io::Read;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::audit::{self, Actor, Changes, Event};
use crate::auth::domain::{Email, NewPassword, one_time_password};
use crate::clock::Clock;
use crate::config::Config;
use crate::db;
use crate::tenancy::domain::{Role, Slug, TenantId, TimeZone};
use crate::tenancy::{Added, NewPerson, add_person, repo as tenancy_repo};
use crate::web::i18n::Lang;

#[derive(Parser)]
#[command(
    name = "relasi",
    version,
    about = "Relasi: relationship management for BPJS Ketenagakerjaan's corporate & institutional participants"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve on RELASI_LISTEN (default 127.0.0.1:8080).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Load data: the demo tenant with realistic people and offices.
    Seed {
        /// Create (or complete) the demo tenant `demo` and print its logins.
        #[arg(long)]
        demo: bool,
        /// Build a benchmark data set: `large` is SPEC §8's (100,000 employers per tenant).
        #[arg(long, value_parser = ["large"])]
        scale: Option<String>,
        /// How many benchmark tenants (`bench-1` …) to build.
        #[arg(long, default_value_t = 2)]
        tenants: usize,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant.
    Create {
        /// Short name: lowercase letters, digits and hyphens, e.g. kanwil-dki.
        #[arg(long)]
        slug: String,
        /// Display name, e.g. "Kanwil DKI Jakarta — Korporasi".
        #[arg(long)]
        name: String,
        /// IANA time zone the tenant's dates are shown in.
        #[arg(long, default_value = "Asia/Jakarta")]
        timezone: String,
        /// Default language of the tenant's pages: id or en.
        #[arg(long, default_value = "id")]
        language: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user in a tenant, or give an existing user a membership there.
    Create {
        /// Slug of the tenant.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// admin, supervisor, rm or viewer.
        #[arg(long)]
        role: String,
        /// Read the password from standard input instead of generating a one-time password.
        #[arg(long)]
        password_stdin: bool,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    crate::telemetry::init(config.log_json);
    match cli.command {
        Command::Serve => crate::startup::serve(config).await,
        Command::Migrate => {
            db::migrate(&config.migrate_database_url).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Tenant(TenantCommand::Create {
            slug,
            name,
            timezone,
            language,
        }) => {
            let pool = ready_pool(&config).await?;
            let id = create_tenant(&pool, &slug, &name, &timezone, &language).await?;
            println!("tenant {slug} created ({id})");
            Ok(())
        }
        Command::User(UserCommand::Create {
            tenant,
            email,
            name,
            role,
            password_stdin,
        }) => {
            let pool = ready_pool(&config).await?;
            let password = if password_stdin {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("reading the password from standard input")?;
                Some(s.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            create_user(&pool, &tenant, &email, &name, &role, password).await
        }
        Command::Seed {
            demo,
            scale,
            tenants,
        } => {
            if !demo && scale.is_none() {
                bail!(
                    "say what to seed: relasi seed --demo, or relasi seed --scale large --tenants 2"
                );
            }
            let pool = ready_pool(&config).await?;
            if demo {
                crate::seed::demo(&pool, &Clock::System).await?;
            }
            if scale.is_some() {
                crate::seed::large::build(
                    &pool,
                    &config.migrate_database_url,
                    &Clock::System,
                    tenants.clamp(1, 20),
                )
                .await?;
            }
            Ok(())
        }
    }
}

/// Commands that change data migrate first, so they work on a fresh database.
async fn ready_pool(config: &Config) -> anyhow::Result<sqlx::PgPool> {
    db::migrate(&config.migrate_database_url).await?;
    let pool = db::app_pool(&config.database_url, config.db_role.as_deref(), 2)?;
    db::check_runtime_role(&pool).await?;
    Ok(pool)
}

pub async fn create_tenant(
    pool: &sqlx::PgPool,
    slug: &str,
    name: &str,
    timezone: &str,
    language: &str,
) -> anyhow::Result<TenantId> {
    let slug = Slug::parse(slug).map_err(|_| {
        anyhow::anyhow!(
            "invalid slug {slug:?}: use lowercase letters, digits and inner hyphens (at most 40)"
        )
    })?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        bail!("the tenant name must have 1 to 200 characters");
    }
    let tz = TimeZone::parse(timezone)
        .map_err(|_| anyhow::anyhow!("unknown time zone {timezone:?} (e.g. Asia/Jakarta)"))?;
    let lang = Lang::parse(language).context("the language must be id or en")?;
    let id = TenantId(uuid::Uuid::new_v4());
    let now = chrono::Utc::now();
    let mut tx = db::tenant_tx(pool, id, None).await?;
    if let Err(e) = tenancy_repo::insert_tenant(
        &mut tx,
        id,
        slug.as_str(),
        name,
        tz.name(),
        lang.code(),
        now,
    )
    .await
    {
        if db::is_unique_violation(&e) {
            bail!("a tenant with the slug {:?} already exists", slug.as_str());
        }
        return Err(e.into());
    }
    let changes = Changes::new()
        .created("slug", slug.as_str())
        .created("name", name)
        .created("timezone", tz.name());
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

pub async fn tenant_by_slug(pool: &sqlx::PgPool, slug: &str) -> anyhow::Result<TenantId> {
    let mut tx = pool.begin().await?;
    let id = tenancy_repo::tenant_id_by_slug(&mut tx, slug).await?;
    tx.commit().await?;
    id.with_context(|| format!("no tenant with the slug {slug:?}"))
}

async fn create_user(
    pool: &sqlx::PgPool,
    tenant: &str,
    email: &str,
    name: &str,
    role: &str,
    password: Option<String>,
) -> anyhow::Result<()> {
    let tenant_id = tenant_by_slug(pool, tenant).await?;
    let email =
        Email::parse(email).map_err(|_| anyhow::anyhow!("invalid email address {email:?}"))?;
    let role: Role = role
        .parse()
        .map_err(|_| anyhow::anyhow!("unknown role {role:?}: admin, supervisor, rm or viewer"))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        bail!("the name must have 1 to 200 characters");
    }
    let (password, generated) = match password {
        Some(p) => {
            NewPassword::parse(&p, &[email.as_str(), name])
                .map_err(|key| anyhow::anyhow!("{}", Lang::En.t(key)))?;
            (p, false)
        }
        None => (one_time_password(), true),
    };
    let hash = crate::auth::hash_password(&password).await?;
    let now = chrono::Utc::now();
    let mut tx = db::tenant_tx(pool, tenant_id, None).await?;
    let person = NewPerson {
        email: &email,
        name,
        role,
        password_hash: &hash,
        must_change_password: generated,
    };
    let added = add_person(&mut tx, person, &Actor::cli(), now).await?;
    if let Added::AlreadyMember(_) = added {
        bail!("{} is already a member of {tenant}", email.as_str());
    }
    tx.commit().await?;
    match added {
        Added::NewUser(_) if generated => {
            println!(
                "user {} created in {tenant} as {}",
                email.as_str(),
                role.as_str()
            );
            println!(
                "one-time password (shown once; must be changed at first sign-in): {password}"
            );
        }
        Added::NewUser(_) => println!(
            "user {} created in {tenant} as {}",
            email.as_str(),
            role.as_str()
        ),
        _ => println!(
            "existing user {} added to {tenant} as {} (password unchanged)",
            email.as_str(),
            role.as_str()
        ),
    }
    Ok(())
}
