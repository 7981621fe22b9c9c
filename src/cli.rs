//! The `relasi` command line: serve, migrate, tenants, users, demo data.

use std::io::Read;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::audit::Actor;
use crate::auth::domain::{Email, NewPassword, one_time_password};
use crate::auth::operator;
use crate::clock::Clock;
use crate::config::Config;
use crate::db;
use crate::invitations::service::{Added, NewPerson, add_person};
use crate::tenancy::domain::Role;
use crate::tenancy::service::{TenantSpec, create_tenant, tenant_by_slug};
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
        /// Build a benchmark data set: `large` has 100,000 employers per tenant (docs/benchmarks.md).
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
        /// Who must answer a second factor (a code from an authenticator app) at sign-in:
        /// admins, everyone or off.
        #[arg(long, default_value = "admins")]
        second_factor: String,
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
    /// Give an account a one-time password and end its sessions (an operator's reset: for any
    /// account, also one that belongs to several tenants or that someone else registered first).
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// Remove an account's second factor and recovery codes (a lost phone); the person sets up a new
    /// one at their next sign-in where their tenant asks for it.
    ClearSecondFactor {
        #[arg(long)]
        email: String,
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
            let owner = config.owner_database_url.as_deref().context(
                "RELASI_OWNER_DATABASE_URL is not set: migrations run as the owner's login, not as \
                 the server's (see README.md, Configuration)",
            )?;
            db::migrate(owner).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Tenant(TenantCommand::Create {
            slug,
            name,
            timezone,
            language,
            second_factor,
        }) => {
            let pool = ready_pool(&config).await?;
            let spec = TenantSpec {
                slug: &slug,
                name: &name,
                timezone: &timezone,
                language: &language,
                second_factor: &second_factor,
            };
            let id = create_tenant(&pool, &spec).await?;
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
        Command::User(UserCommand::ResetPassword { email }) => {
            let pool = ready_pool(&config).await?;
            let email = parse_email(&email)?;
            let password = one_time_password();
            let hash = crate::auth::hash_password(&password).await?;
            if !operator::reset_password(&pool, &email, &hash, chrono::Utc::now()).await? {
                bail!("no account with the email {}", email.as_str());
            }
            println!(
                "password of {} reset; its sessions are ended",
                email.as_str()
            );
            println!(
                "one-time password (shown once; must be changed at first sign-in): {password}"
            );
            Ok(())
        }
        Command::User(UserCommand::ClearSecondFactor { email }) => {
            let pool = ready_pool(&config).await?;
            let email = parse_email(&email)?;
            if !operator::clear_second_factor(&pool, &email, chrono::Utc::now()).await? {
                bail!("no account with the email {}", email.as_str());
            }
            println!(
                "second factor of {} removed; its sessions are ended",
                email.as_str()
            );
            Ok(())
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
                let owner = config.owner_database_url.as_deref().context(
                    "RELASI_OWNER_DATABASE_URL is not set: the benchmark seed analyzes its tables as \
                     the owner",
                )?;
                crate::seed::large::build(&pool, owner, &Clock::System, tenants.clamp(1, 20))
                    .await?;
            }
            Ok(())
        }
    }
}

/// Commands that change data migrate first when they can (the owner's login is configured), so they
/// work on a fresh database, and then act as the runtime role like the server.
async fn ready_pool(config: &Config) -> anyhow::Result<sqlx::PgPool> {
    let pool = db::app_pool(config.runtime_url()?, 2)?;
    match &config.owner_database_url {
        Some(owner) => db::migrate(owner).await?,
        None => db::check_schema_current(&pool).await?,
    }
    db::check_runtime_role(&pool).await?;
    Ok(pool)
}

fn parse_email(raw: &str) -> anyhow::Result<Email> {
    Email::parse(raw).map_err(|_| anyhow::anyhow!("invalid email address {raw:?}"))
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
    let email = parse_email(email)?;
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
