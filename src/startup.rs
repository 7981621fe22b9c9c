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
        let app = web::router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("the server stopped with an error")
    }
}

/// `relasi serve`: migrate, check the runtime role, serve.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    db::migrate(&config.migrate_database_url).await?;
    let pool = db::app_pool(
        &config.database_url,
        config.db_role.as_deref(),
        config.db_max_connections,
    )?;
    let app = Application::build(config, pool, Clock::System).await?;
    tracing::info!(address = %app.local_addr(), "serving Relasi on http://{}", app.local_addr());
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
