//! Test harness: a fresh database per test, a real server on port 0, HTTP clients with cookie jars.

use std::sync::Arc;

use chrono::TimeZone;
use relasi::audit::Actor;
use relasi::auth::domain::{Email, UserId, hex};
use relasi::auth::second_factor::TotpSecret;
use relasi::clock::Clock;
use relasi::config::Config;
use relasi::db;
use relasi::invitations::service::{Added, NewPerson, add_person};
use relasi::startup::Application;
use relasi::tenancy::domain::{Role, TenantId};
use reqwest::cookie::CookieStore;
use reqwest::header::HeaderMap;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// Every test user's password.
pub const PASSWORD: &str = "kopi-tubruk-di-menteng-42";
const OWNER: &str = "relasi_test_owner";
const OWNER_PASSWORD: &str = "relasi-test-owner";
/// The runtime login's password in the test cluster (the server never logs in as the owner).
const APP_PASSWORD: &str = "relasi-test-app";

fn superuser_url() -> String {
    std::env::var("RELASI_TEST_DATABASE_URL").expect(
        "RELASI_TEST_DATABASE_URL is not set: run the tests with scripts/test, which starts a private PostgreSQL",
    )
}

fn options(url: &str) -> PgConnectOptions {
    url.parse().expect("a valid PostgreSQL URL")
}

async fn connect(options: PgConnectOptions, max: u32) -> PgPool {
    PgPoolOptions::new()
        .max_connections(max)
        .connect_with(options)
        .await
        .expect("connect to the test cluster")
}

/// The template database: migrated once per version of the migrations, then cloned by every test.
async fn template_database() -> String {
    let mut hasher = Sha256::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        hasher.update(std::fs::read(f).unwrap());
    }
    let name = format!("relasi_tpl_{}", &hex(&hasher.finalize())[..12]);

    let admin = connect(options(&superuser_url()), 1).await;
    let mut conn = admin.acquire().await.unwrap();
    // Test processes start in parallel; one creates the template while the others wait.
    sqlx::query("select pg_advisory_lock(724101)")
        .execute(&mut *conn)
        .await
        .unwrap();
    let exists: bool =
        sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(&name)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    if !exists {
        let create_owner = format!(
            "do $$ begin if not exists (select from pg_roles where rolname = '{OWNER}') then \
             create role {OWNER} login createrole password '{OWNER_PASSWORD}'; end if; end $$"
        );
        sqlx::query(sqlx::AssertSqlSafe(create_owner))
            .execute(&mut *conn)
            .await
            .unwrap();
        let building = format!("{name}_building");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "drop database if exists {building}"
        )))
        .execute(&mut *conn)
        .await
        .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "create database {building} owner {OWNER}"
        )))
        .execute(&mut *conn)
        .await
        .unwrap();
        db::migrate(&owner_url(&building))
            .await
            .expect("migrations apply to a fresh database");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "alter database {building} rename to {name}"
        )))
        .execute(&mut *conn)
        .await
        .unwrap();
    }
    // The first migration creates the runtime role; the server logs in as it.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "alter role relasi_app login password '{APP_PASSWORD}'"
    )))
    .execute(&mut *conn)
    .await
    .unwrap();
    sqlx::query("select pg_advisory_unlock(724101)")
        .execute(&mut *conn)
        .await
        .unwrap();
    name
}

/// The runtime login's URL for a test database: what the server connects with.
pub fn app_url(database: &str) -> String {
    let su = options(&superuser_url());
    format!(
        "postgres://relasi_app:{APP_PASSWORD}@{}:{}/{database}",
        su.get_host(),
        su.get_port()
    )
}

fn owner_url(database: &str) -> String {
    let su = options(&superuser_url());
    format!(
        "postgres://{OWNER}:{OWNER_PASSWORD}@{}:{}/{database}",
        su.get_host(),
        su.get_port()
    )
}

pub struct TestApp {
    pub base: String,
    /// The application's own pool: the runtime role, row-level security on.
    pub pool: PgPool,
    /// A superuser connection to this test's database, for setting up and inspecting, RLS off.
    pub admin: PgPool,
    pub clock: Clock,
    pub database: String,
    /// The server's job wake-up, for a test that runs a job worker beside it.
    pub jobs: relasi::jobs::Wake,
}

/// A server with one tenant ("Unit Satu") and its admin (admin@x.example), signed in.
pub async fn signed_in_admin() -> (TestApp, TenantId, Client) {
    let app = spawn_app().await;
    let t = app.tenant("t1", "Unit Satu").await;
    app.user(t, "admin@x.example", "Admin", Role::Admin).await;
    let c = app.signed_in("admin@x.example").await;
    (app, t, c)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let template = template_database().await;
    let database = format!("relasi_t_{}", uuid::Uuid::new_v4().simple());
    {
        let admin = connect(options(&superuser_url()), 1).await;
        let sql = format!("create database {database} template {template} owner {OWNER}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&admin)
            .await
            .expect("clone the template database");
        admin.close().await;
    }
    let mut config = Config {
        database_url: Some(app_url(&database)),
        owner_database_url: Some(owner_url(&database)),
        db_max_connections: 4,
        listen: "127.0.0.1:0".parse().unwrap(),
        public_url: None,
        secure_cookies: false,
        log_json: false,
        session_idle_timeout: chrono::Duration::hours(8),
        session_absolute_timeout: chrono::Duration::days(7),
        request_timeout_secs: 30,
    };
    adjust(&mut config);
    let pool = db::app_pool(config.runtime_url().unwrap(), config.db_max_connections).unwrap();
    let clock = Clock::manual(chrono::Utc.with_ymd_and_hms(2026, 11, 16, 2, 0, 0).unwrap());
    let app = Application::build(config, pool.clone(), clock.clone())
        .await
        .expect("the application starts");
    let base = format!("http://{}", app.local_addr());
    let jobs = app.state().jobs;
    tokio::spawn(app.run_until_stopped());
    let admin = connect(options(&superuser_url()).database(&database), 2).await;
    TestApp {
        base,
        pool,
        admin,
        clock,
        database,
        jobs,
    }
}

impl TestApp {
    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    pub async fn tenant(&self, slug: &str, name: &str) -> TenantId {
        self.tenant_with(slug, name, "off").await
    }

    /// A tenant that asks `second_factor` (off, admins, everyone) of its people.
    pub async fn tenant_with(&self, slug: &str, name: &str, second_factor: &str) -> TenantId {
        let spec = relasi::tenancy::service::TenantSpec {
            slug,
            name,
            timezone: "Asia/Jakarta",
            language: "id",
            second_factor,
        };
        relasi::tenancy::service::create_tenant(&self.pool, &spec, self.clock.now())
            .await
            .expect("create tenant")
    }

    /// A person in `tenant` with `role` and the test password (no change required).
    pub async fn user(&self, tenant: TenantId, email: &str, name: &str, role: Role) -> UserId {
        self.user_with(tenant, email, name, role, false).await
    }

    pub async fn user_with(
        &self,
        tenant: TenantId,
        email: &str,
        name: &str,
        role: Role,
        must_change: bool,
    ) -> UserId {
        let hash = relasi::auth::hash_password(PASSWORD).await.unwrap();
        let mut tx = db::tenant_tx(&self.pool, tenant, None).await.unwrap();
        let email = Email::parse(email).unwrap();
        let person = NewPerson {
            email: &email,
            name,
            role,
            password_hash: &hash,
            must_change_password: must_change,
        };
        let added = add_person(&mut tx, person, &Actor::cli(), self.clock.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        match added {
            Added::NewUser(id) | Added::ExistingUser(id) | Added::AlreadyMember(id) => id,
        }
    }

    /// Turns on a second factor for the account (as its person would), and returns its key.
    pub async fn enrol_second_factor(&self, email: &str) -> TotpSecret {
        let secret = TotpSecret::generate();
        sqlx::query(
            "update users set totp_secret = $2, totp_enabled_at = $3, totp_last_step = 0 where email = $1",
        )
        .bind(email)
        .bind(secret.as_bytes())
        .bind(self.clock.now())
        .execute(&self.admin)
        .await
        .unwrap();
        secret
    }

    /// Signs a new client in; panics unless sign-in succeeds.
    pub async fn signed_in(&self, email: &str) -> Client {
        let client = self.client();
        let r = client.sign_in(email, PASSWORD).await;
        assert_eq!(r.status, 303, "sign-in of {email} failed: {}", r.body);
        client
    }

    /// Audit actions recorded in a tenant, oldest first (read as superuser).
    pub async fn audit_actions(&self, tenant: TenantId) -> Vec<String> {
        sqlx::query_scalar(
            "select action from audit_events where tenant_id = $1 order by occurred_at, action",
        )
        .bind(tenant.0)
        .fetch_all(&self.admin)
        .await
        .unwrap()
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    pub base: String,
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Every cookie the response sets, each as its `Set-Cookie` line.
    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }
}

impl Client {
    pub fn new(base: &str) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Client {
            http,
            jar,
            base: base.to_owned(),
        }
    }

    async fn into_resp(r: reqwest::Response) -> Resp {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().await.unwrap_or_default();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        Self::into_resp(
            self.http
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// A download: status, content type and the raw bytes.
    pub async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let kind = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        (status, kind, r.bytes().await.unwrap().to_vec())
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut req = self.http.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::into_resp(req.send().await.unwrap()).await
    }

    /// A form post from one of our own pages (same Origin).
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.post_with(path, form, &[("origin", &self.base.clone())])
            .await
    }

    pub async fn post_with(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self.http.post(format!("{}{path}", self.base)).form(form);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::into_resp(req.send().await.unwrap()).await
    }

    /// A form post with a body of raw bytes (not necessarily UTF-8), from one of our pages.
    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> Resp {
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("origin", self.base.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        Self::into_resp(req.send().await.unwrap()).await
    }

    /// A post from one of our pages whose body is not a form (`content_type`).
    pub async fn post_typed(&self, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("origin", self.base.clone())
            .header("content-type", content_type)
            .body(body);
        Self::into_resp(req.send().await.unwrap()).await
    }

    /// A file upload (`multipart/form-data`) of `bytes` as the form field `field`, from one of our
    /// pages.
    pub async fn post_file(&self, path: &str, field: &str, bytes: &[u8]) -> Resp {
        self.post_multipart(path, &[], field, "upload.csv", bytes)
            .await
    }

    /// A form with text `fields` and one file (`file` field), as the import page sends it.
    pub async fn post_upload(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: &[u8],
    ) -> Resp {
        self.post_multipart(path, fields, "file", file_name, bytes)
            .await
    }

    async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file_field: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Resp {
        let boundary = "relasi-test-boundary-9b2c";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"{file_field}\"; filename=\"{file_name}\"\r\ncontent-type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("origin", self.base.clone())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        Self::into_resp(req.send().await.unwrap()).await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Resp {
        self.post("/login", &[("email", email), ("password", password)])
            .await
    }

    /// The session cookie's value, if the jar holds one.
    pub fn session(&self) -> Option<String> {
        let url = self.base.parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|c| c.strip_prefix("relasi_session="))
            .map(str::to_owned)
    }

    /// Puts a session cookie into the jar, as a browser holding an old cookie would.
    pub fn set_session(&self, value: &str) {
        let url = self.base.parse().unwrap();
        self.jar
            .add_cookie_str(&format!("relasi_session={value}; Path=/"), &url);
    }
}

/// The key an authenticator app is given by hand, as the set-up page shows it ("ABCD EFGH …").
pub fn secret_from_typed(typed: &str) -> TotpSecret {
    let compact: String = typed.split_whitespace().collect();
    let bytes = totp_rs::Secret::try_from_base32(&compact)
        .expect("a base32 key")
        .as_ref()
        .to_vec();
    TotpSecret::from_stored(bytes).expect("a 160-bit key")
}

/// The text between `<code>` tags after a marker: the one-time password on its page.
pub fn one_time_password(body: &str) -> String {
    let after = body
        .split("id=\"one-time-password\"")
        .nth(1)
        .expect("one-time password shown");
    after
        .split("<code>")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap()
        .to_owned()
}

pub fn owner_url_for(database: &str) -> String {
    owner_url(database)
}

/// A TCP proxy to the test cluster that can be cut (every connection dropped, new ones refused) and
/// restored, to play a database outage.
pub struct Proxy {
    pub port: u16,
    up: Arc<std::sync::atomic::AtomicBool>,
    generation: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Proxy {
    pub async fn start() -> Proxy {
        use std::sync::atomic::Ordering;
        let su = options(&superuser_url());
        let target = format!("{}:{}", su.get_host(), su.get_port());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let (tx, _) = tokio::sync::watch::channel(0u64);
        let generation = Arc::new(tx);
        let (up2, gen2) = (up.clone(), generation.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                if !up2.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                let mut cut = gen2.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Proxy {
            port,
            up,
            generation,
        }
    }

    pub async fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
        tokio::task::yield_now().await;
    }

    pub fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}
