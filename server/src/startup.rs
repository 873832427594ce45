//! Building and running the server, shared by `main` and the tests.

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::error::StartupError;
use crate::routes::{self, AppState};
use crate::storage::Database;
use crate::{assets, headers};

pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    router: Router,
    db: Database,
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
        let router = build_router(&config, db.clone());
        Ok(Self { listener, addr, router, db })
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
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(stop)
            .await
            .map_err(StartupError::Serve)
    }
}

fn build_router(config: &Config, db: Database) -> Router {
    let api = routes::api(AppState { db });
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
