//! The `relasi` command line: serve, migrate, tenants, users, demo data. It parses what an operator
//! typed, calls the modules' services with the system clock, and prints what they did.

use std::io::Read;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::auth::domain::{Email, one_time_password};
use crate::auth::operator;
use crate::clock::Clock;
use crate::config::Config;
use crate::db;
use crate::invitations::service::Added;
use crate::tenancy::service::{PersonSpec, TenantSpec, add_person_to, create_tenant};

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
    /// Import a CSV or XLSX file into a tenant (docs/imports.md): every row is checked, then the
    /// valid rows are written in one transaction. Exits non-zero when the file is refused, or when
    /// rows were rejected and --skip-invalid was not given.
    Import {
        /// employers, key_persons, contributions, branch_offices, supply_chain_links or holidays.
        kind: String,
        /// The CSV or XLSX file.
        file: std::path::PathBuf,
        /// The tenant's short name.
        #[arg(long)]
        tenant: String,
        /// A workbook's sheet, by name or 1-based number (default: the first).
        #[arg(long)]
        sheet: Option<String>,
        /// Check every row and report, writing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the valid rows even when others were rejected.
        #[arg(long)]
        skip_invalid: bool,
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
            let id = create_tenant(&pool, &spec, Clock::System.now()).await?;
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
            let spec = PersonSpec {
                tenant_slug: &tenant,
                email: &email,
                name: &name,
                role: &role,
                password,
            };
            create_user(&pool, spec).await
        }
        Command::User(UserCommand::ResetPassword { email }) => {
            let pool = ready_pool(&config).await?;
            let email = parse_email(&email)?;
            let password = one_time_password();
            let hash = crate::auth::hash_password(&password).await?;
            if !operator::reset_password(&pool, &email, &hash, Clock::System.now()).await? {
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
            if !operator::clear_second_factor(&pool, &email, Clock::System.now()).await? {
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
        Command::Import {
            kind,
            file,
            tenant,
            sheet,
            dry_run,
            skip_invalid,
        } => import(&config, &kind, &file, &tenant, sheet, dry_run, skip_invalid).await,
    }
}

/// `relasi import`: prints the report in English and fails unless the import (or dry run) went
/// through.
async fn import(
    config: &Config,
    kind: &str,
    file: &std::path::Path,
    tenant: &str,
    sheet: Option<String>,
    dry_run: bool,
    skip_invalid: bool,
) -> anyhow::Result<()> {
    use crate::imports::read::{MAX_BYTES, SheetChoice};
    use crate::imports::service::{self, Inline};
    use crate::web::i18n::Lang;
    let Some(kind) = service::kind_of(kind) else {
        bail!(
            "unknown kind {kind:?}: employers, key_persons, contributions, branch_offices, \
             supply_chain_links or holidays"
        );
    };
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    if size > MAX_BYTES as u64 {
        bail!(
            "{}",
            Lang::En.tf("import.file_too_large", &[("max_mb", "50")])
        );
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let sheet = sheet.map(|s| match s.trim().parse::<usize>() {
        Ok(n) => SheetChoice::Index(n),
        Err(_) => SheetChoice::Name(s),
    });
    let pool = ready_pool(config).await?;
    let tenant_id = {
        let mut tx = db::begin(&pool).await?;
        let id = crate::tenancy::repo::tenant_id_by_slug(&mut tx, tenant).await?;
        tx.commit().await?;
        id.with_context(|| format!("no tenant {tenant:?}"))?
    };
    let done = service::import_inline(
        &pool,
        tenant_id,
        kind,
        &file_name,
        bytes,
        sheet,
        dry_run,
        skip_invalid,
        &Clock::System,
    )
    .await?;
    let (import, result) = match done {
        Inline::Refused { key, arg } => {
            let text = Lang::En.tf(
                key,
                &[
                    ("value", &arg),
                    ("columns", &arg),
                    ("max_rows", "1,000,000"),
                    ("max_mb", "50"),
                ],
            );
            bail!("{file_name} refused: {text}");
        }
        Inline::Ran { import, result } => (import, result),
    };
    for p in &result.problems {
        let message = crate::imports::report::problem_message(Lang::En, kind, p.message, &p.arg);
        let row = if p.row == 0 {
            "whole file".to_owned()
        } else {
            format!("row {}", p.row)
        };
        println!(
            "{row}, column {:?}, value {:?}: {message}",
            p.column, p.value
        );
    }
    let o = result.outcome;
    if o.renamed > 0 {
        println!(
            "Employers that {} another name: {}. When a company has not really changed its name, check its NPP:",
            if dry_run { "would get" } else { "got" },
            o.renamed,
        );
        let text = |v: Option<&serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        for c in result.changes.as_array().into_iter().flatten() {
            if c.get("entity").and_then(|e| e.as_str()) == Some("employer")
                && c.get("field").and_then(|f| f.as_str()) == Some("name")
            {
                println!(
                    "  NPP {}: {:?} → {:?}",
                    text(c.get("record")).split(' ').next().unwrap_or_default(),
                    text(c.get("before")),
                    text(c.get("after"))
                );
            }
        }
    }
    let (inserted, updated) = if dry_run {
        ("to insert", "to update")
    } else {
        ("inserted", "updated")
    };
    println!(
        "{file_name}: {} {inserted}, {} {updated}, {} unchanged, {} rejected (import {import})",
        o.inserted, o.updated, o.unchanged, o.rejected
    );
    if o.blocked || (o.rejected > 0 && !skip_invalid) {
        bail!(
            "{} rows rejected; nothing was written{}",
            o.rejected,
            if dry_run {
                " (dry run)"
            } else {
                ". Fix the file, or pass --skip-invalid to write the valid rows"
            }
        );
    }
    Ok(())
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

async fn create_user(pool: &sqlx::PgPool, spec: PersonSpec<'_>) -> anyhow::Result<()> {
    let tenant = spec.tenant_slug.to_owned();
    let done = add_person_to(pool, spec, Clock::System.now()).await?;
    let (email, role) = (done.email.as_str(), done.role.as_str());
    match (done.added, done.one_time_password) {
        (Added::NewUser(_), Some(password)) => {
            println!("user {email} created in {tenant} as {role}");
            println!(
                "one-time password (shown once; must be changed at first sign-in): {password}"
            );
        }
        (Added::NewUser(_), None) => println!("user {email} created in {tenant} as {role}"),
        _ => println!("existing user {email} added to {tenant} as {role} (password unchanged)"),
    }
    Ok(())
}
