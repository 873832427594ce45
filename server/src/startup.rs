//! Building and running the server, shared by `main` and the tests.

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::error::StartupError;
use crate::routes::{self, AppState};
use crate::storage::{Database, records};
use crate::{assets, auth, headers};

/// How often old tombstones are purged.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    router: Router,
    db: Database,
    tombstone_days: u32,
}

impl Application {
    /// Checks the app directory, binds the address and opens the database,
    /// failing with a message that says what to do.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        if let Some(dir) = &config.assets {
            if !dir.join("index.html").is_file() {
                return Err(StartupError::AssetsMissing(dir.clone()));
            }
        }
        let listener = TcpListener::bind(config.listen).await.map_err(|source| {
            if source.kind() == std::io::ErrorKind::AddrInUse {
                StartupError::AddressInUse(config.listen)
            } else {
                StartupError::Bind { addr: config.listen, source }
            }
        })?;
        let addr = listener.local_addr().map_err(|source| StartupError::Bind { addr: config.listen, source })?;
        let path = config.database.clone();
        let db = tokio::task::spawn_blocking(move || Database::open(&path))
            .await
            .map_err(|e| StartupError::Serve(std::io::Error::other(e)))?
            .map_err(|source| StartupError::Database { path: config.database.clone(), source })?;
        let router = build_router(&config, state(&config, db.clone()));
        Ok(Self { listener, addr, router, db, tombstone_days: config.tombstone_days })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run_until_stopped(self) -> Result<(), StartupError> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then finishes the requests in flight.
    pub async fn run_until(self, stop: impl Future<Output = ()> + Send + 'static) -> Result<(), StartupError> {
        let purger = tokio::spawn(purge_periodically(self.db.clone(), self.tombstone_days));
        let served = axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(stop)
            .await
            .map_err(StartupError::Serve);
        purger.abort();
        served
    }
}

/// The shared state of the handlers.
pub fn state(config: &Config, db: Database) -> AppState {
    AppState { db, throttle: Default::default(), secure_cookies: config.secure_cookies() }
}

async fn purge_periodically(db: Database, days: u32) {
    let mut every = tokio::time::interval(PURGE_EVERY);
    loop {
        every.tick().await;
        let before = auth::now_ms().saturating_sub(u64::from(days) * 24 * 3600 * 1000);
        match db.write(move |tx| records::purge(tx, before)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "purged old tombstones"),
            Err(e) => tracing::warn!(error = %e, "purging tombstones failed"),
        }
    }
}

fn build_router(config: &Config, state: AppState) -> Router {
    let api = routes::api(state);
    let router = Router::new().nest("/api", api);
    let router = match &config.assets {
        Some(dir) => router.merge(assets::router(dir)),
        None => router,
    };
    router.layer(axum::middleware::from_fn(headers::security_headers))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
