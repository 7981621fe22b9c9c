//! Building the application and serving it until SIGTERM or Ctrl-C, finishing requests in flight.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use sqlx::PgPool;
use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::config::Config;
use crate::db;
use crate::web::{self, AppState};

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Binds the listener and checks the database role; does not migrate (see `serve`).
    pub async fn build(config: Config, pool: PgPool, clock: Clock) -> anyhow::Result<Self> {
        db::check_runtime_role(&pool).await?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let state = AppState {
            db: pool,
            config: Arc::new(config),
            clock,
            directory: Default::default(),
            overview: Default::default(),
            vocabulary: Default::default(),
            letter_pipeline: Default::default(),
            employer_counts: Default::default(),
            jobs: Default::default(),
        };
        Ok(Application { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        // The signal handlers are installed before the server says it is serving, so a SIGTERM that
        // follows that line always gets the graceful path, never the default "terminate at once".
        let shutdown = shutdown_signal()?;
        let address = self.local_addr();
        let app = web::router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        tracing::info!(%address, "serving Relasi on http://{address}");
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .context("the server stopped with an error")
    }
}

/// `relasi serve`: migrate (when the owner's login is configured) or check that the schema is
/// current, check the runtime role, serve.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let pool = db::app_pool(config.runtime_url()?, config.db_max_connections)?;
    match &config.owner_database_url {
        Some(owner) => db::migrate(owner).await?,
        None => db::check_schema_current(&pool).await?,
    }
    let app = Application::build(config, pool, Clock::System).await?;
    // Arrears grow when a due date passes, with no request to notice it.
    crate::contributions::service::spawn_daily_refresh(app.state().db, Clock::System);
    // Imports are validated and committed in the background, by whichever server claims them.
    let state = app.state();
    crate::jobs::spawn_worker(
        state.db.clone(),
        Clock::System,
        std::sync::Arc::new(crate::imports::service::ImportJobs {
            clock: Clock::System,
        }),
        state.jobs.clone(),
    );
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves at SIGTERM or Ctrl-C (SIGINT). The handlers are registered when this is called.
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
        tracing::info!("shutting down: finishing requests in flight");
    })
}
