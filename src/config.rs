//! Configuration from environment variables (a `.env` file is read first when present). Every variable
//! is documented in the README with its default.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use chrono::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    /// The database the server works in, as its unprivileged login (`relasi_app`): row-level security
    /// binds it, and it cannot switch to another role.
    /// Optional here so that `relasi migrate` needs only the owner's login; `runtime_url` insists.
    pub database_url: Option<String>,
    /// The owner's login: migrations, and the benchmark seed's vacuum. Without it the server does not
    /// migrate; it checks that the schema is current and refuses to serve otherwise.
    pub owner_database_url: Option<String>,
    pub db_max_connections: u32,
    pub listen: SocketAddr,
    pub public_url: Option<String>,
    pub secure_cookies: bool,
    pub log_json: bool,
    pub session_idle_timeout: Duration,
    pub session_absolute_timeout: Duration,
    pub request_timeout_secs: u64,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_bool(name: &str, default: bool) -> anyhow::Result<bool> {
    match var(name).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => bail!("{name} must be true or false, not {other:?}"),
    }
}

fn parse_number<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .ok()
            .with_context(|| format!("{name} must be a whole number, not {v:?}")),
    }
}

impl Config {
    /// The runtime login's URL, which every command but `migrate` needs.
    pub fn runtime_url(&self) -> anyhow::Result<&str> {
        self.database_url.as_deref().context(
            "DATABASE_URL is not set; scripts/run sets it up for you, or see README.md for configuration",
        )
    }

    pub fn from_env() -> anyhow::Result<Self> {
        let _ = dotenvy::dotenv();
        let database_url = var("DATABASE_URL");
        let owner_database_url = var("RELASI_OWNER_DATABASE_URL");
        let listen = var("RELASI_LISTEN")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .context("RELASI_LISTEN must be an address such as 127.0.0.1:8080")?;
        let log_json = match var("RELASI_LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => bail!("RELASI_LOG_FORMAT must be text or json, not {other:?}"),
        };
        let idle_minutes: i64 = parse_number("RELASI_SESSION_IDLE_MINUTES", 8 * 60)?;
        let absolute_hours: i64 = parse_number("RELASI_SESSION_ABSOLUTE_HOURS", 7 * 24)?;
        Ok(Config {
            database_url,
            owner_database_url,
            db_max_connections: parse_number("RELASI_DB_MAX_CONNECTIONS", 8)?,
            listen,
            public_url: var("RELASI_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_owned()),
            secure_cookies: parse_bool("RELASI_SECURE_COOKIES", false)?,
            log_json,
            session_idle_timeout: Duration::minutes(idle_minutes),
            session_absolute_timeout: Duration::hours(absolute_hours),
            request_timeout_secs: parse_number("RELASI_REQUEST_TIMEOUT_SECS", 30)?,
        })
    }
}
