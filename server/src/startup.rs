//! Building and running the server, shared by `main` and the tests.
//!
//! The accept loop is ours rather than `axum::serve` so that a client cannot
//! hold the server: a connection waits for a slot before it is accepted
//! (`Limits::max_connections`, below the open-file limit), must finish its
//! TLS handshake and send its request headers within `header_timeout`, and
//! a request must be answered within `request_timeout`. With TLS, a second
//! listener (`http_listen`) answers ACME's HTTP-01 challenges and sends
//! everything else to https.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::clock::now_ms;
use crate::config::{Config, Limits};
use crate::error::StartupError;
use crate::passphrase::Hasher;
use crate::routes;
use crate::state::AppState;
use crate::storage::{BackupPolicy, Database, attempts, backups_scheduled, records};
use crate::{assets, headers};

/// How often old tombstones and attempts are purged.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(6 * 3600);
/// After a stop, requests in flight get this long to finish.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(10);

pub struct Application {
    listener: TcpListener,
    /// HTTPS: the acceptor, and what keeps its certificate current.
    tls: Option<(tokio_rustls::TlsAcceptor, Renewal)>,
    /// Plain HTTP beside HTTPS.
    http: Option<(TcpListener, crate::tls::acme::Challenges)>,
    addr: SocketAddr,
    router: Router,
    state: AppState,
    /// The first run's setup token, while the server has no group.
    setup_token: Option<String>,
    tombstone_days: u32,
    backups: BackupPolicy,
    limits: Limits,
}

impl Application {
    /// Checks the app directory, binds the address and opens the database,
    /// failing with a message that says what to do.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        if let Some(source) = &config.assets
            && !source.has_app()
        {
            let dir = match source {
                assets::Source::Dir(dir) => dir.clone(),
                assets::Source::Embedded => "(embedded)".into(),
            };
            return Err(StartupError::AssetsMissing(dir));
        }
        let listener = TcpListener::bind(config.listen).await.map_err(|source| {
            if source.kind() == std::io::ErrorKind::AddrInUse {
                StartupError::AddressInUse(config.listen)
            } else {
                StartupError::Bind { addr: config.listen, source }
            }
        })?;
        let addr = listener.local_addr().map_err(|source| StartupError::Bind { addr: config.listen, source })?;
        let (path, journal) = (config.database.clone(), config.backups.dir.clone());
        let db = tokio::task::spawn_blocking(move || Database::open_with(&path, crate::storage::Durability::Full, Some(&journal)))
            .await
            .map_err(|e| StartupError::Serve(std::io::Error::other(e)))?
            .map_err(|source| StartupError::Database { path: config.database.clone(), source })?;
        let state = state(&config, db);
        let (tls, http) = tls(&config, &state, addr).await?;
        // First run: a one-time link to make the first group.
        let empty = state.db.read(crate::storage::accounts::group_count).await.map_err(|e| StartupError::Serve(std::io::Error::other(e.to_string())))? == 0;
        let setup_token = empty.then(|| state.setup.issue());
        let router = build_router(&config, state.clone());
        Ok(Self { listener, tls, http, addr, router, state, setup_token, tombstone_days: config.tombstone_days, backups: config.backups, limits: config.limits })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether the main listener speaks HTTPS.
    pub fn serves_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// The first run's one-time setup token (printed as a link), if the
    /// server has no group yet.
    pub fn setup_token(&self) -> Option<&str> {
        self.setup_token.as_deref()
    }

    pub fn database(&self) -> &Database {
        &self.state.db
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run_until_stopped(self) -> Result<(), StartupError> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then finishes the requests in flight.
    pub async fn run_until(self, stop: impl Future<Output = ()> + Send + 'static) -> Result<(), StartupError> {
        let purger = tokio::spawn(purge_periodically(self.state.db.clone(), self.tombstone_days));
        let backups = self.backups.every.map(|_| tokio::spawn(backups_scheduled(self.state.db.clone(), self.backups.clone(), self.state.ops.clone())));
        let renewal = self.tls.as_ref().map(|(_, renewal)| match renewal.clone() {
            Renewal::Files { cert, key, certs } => tokio::spawn(crate::tls::files::watch(cert, key, certs, self.state.ops.clone())),
            Renewal::Acme { settings, certs, challenges } => tokio::spawn(crate::tls::acme::run(settings, certs, challenges, self.state.ops.clone())),
        });
        let plain = self.http.map(|(listener, challenges)| {
            let https_port = self.addr.port();
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, to_https(challenges, https_port)).await {
                    tracing::error!(error = %e, "the plain HTTP listener stopped");
                }
            })
        });
        let acceptor = self.tls.map(|(acceptor, _)| acceptor);
        let handshake_timeout = self.limits.header_timeout;
        let slots = Arc::new(Semaphore::new(self.limits.max_connections));
        let graceful = GracefulShutdown::new();
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new()).header_read_timeout(self.limits.header_timeout).keep_alive(true);
        tokio::pin!(stop);
        loop {
            // A slot first: past the cap, connections wait in the kernel's
            // queue instead of taking this process's file descriptors.
            let slot = tokio::select! {
                slot = Arc::clone(&slots).acquire_owned() => slot.map_err(|e| StartupError::Serve(std::io::Error::other(e)))?,
                () = &mut stop => break,
            };
            let (stream, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of descriptors or a reset before accept: wait a
                        // moment rather than spin.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut stop => break,
            };
            let over_tls = acceptor.is_some();
            let service = self.router.clone().map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                if over_tls {
                    request.extensions_mut().insert(crate::client::OverTls);
                }
                request
            });
            match &acceptor {
                None => {
                    let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
                    tokio::spawn(async move {
                        // Errors here are clients going away or timing out.
                        let _ = connection.await;
                        drop(slot);
                    });
                }
                Some(acceptor) => {
                    // The handshake in the connection's own task, so that a
                    // slow one holds nobody else up; in the header time.
                    let (acceptor, http, watcher) = (acceptor.clone(), http.clone(), graceful.watcher());
                    tokio::spawn(async move {
                        if let Ok(Ok(stream)) = tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await {
                            let _ = watcher.watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))).await;
                        }
                        drop(slot);
                    });
                }
            }
        }
        purger.abort();
        for task in [backups, renewal, plain].into_iter().flatten() {
            task.abort();
        }
        let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
        Ok(())
    }
}

/// The shared state of the handlers.
pub fn state(config: &Config, db: Database) -> AppState {
    AppState {
        db,
        hasher: Hasher::start(),
        secure: config.https(),
        setup: crate::state::SetupToken::default(),
        proxies: Arc::new(config.trust_proxy.clone()),
        ops: crate::ops::Ops::beside(&config.database),
    }
}

/// What keeps the certificate in use current.
#[derive(Clone)]
enum Renewal {
    Files { cert: std::path::PathBuf, key: std::path::PathBuf, certs: Arc<crate::tls::Certs> },
    Acme { settings: crate::tls::acme::Settings, certs: Arc<crate::tls::Certs>, challenges: crate::tls::acme::Challenges },
}

type TlsParts = (Option<(tokio_rustls::TlsAcceptor, Renewal)>, Option<(TcpListener, crate::tls::acme::Challenges)>);

/// The TLS acceptor (a certificate from files is read now, so that a bad
/// one stops the start with its reason) and the plain HTTP listener.
async fn tls(config: &Config, state: &AppState, https_addr: SocketAddr) -> Result<TlsParts, StartupError> {
    use crate::config::Tls;
    let certs = Arc::new(crate::tls::Certs::default());
    let challenges = crate::tls::acme::Challenges::default();
    let renewal = match &config.tls {
        None => return Ok((None, None)),
        Some(Tls::Files { cert, key }) => {
            let loaded = crate::tls::files::load(cert, key).map_err(StartupError::Tls)?;
            state.ops.certificate(crate::tls::not_after_ms(&loaded).ok(), None);
            certs.set(loaded);
            Renewal::Files { cert: cert.clone(), key: key.clone(), certs: Arc::clone(&certs) }
        }
        Some(Tls::Acme(settings)) => Renewal::Acme { settings: settings.clone(), certs: Arc::clone(&certs), challenges: challenges.clone() },
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(crate::tls::server_config(Arc::clone(&certs)).map_err(StartupError::Tls)?);
    let http = match config.http_listen {
        None => None,
        Some(addr) if addr == https_addr => None,
        Some(addr) => Some((
            TcpListener::bind(addr).await.map_err(|source| if source.kind() == std::io::ErrorKind::AddrInUse { StartupError::AddressInUse(addr) } else { StartupError::Bind { addr, source } })?,
            challenges,
        )),
    };
    Ok((Some((acceptor, renewal)), http))
}

/// The plain HTTP side: ACME's HTTP-01 challenges, and a permanent
/// redirect to https for everything else.
fn to_https(challenges: crate::tls::acme::Challenges, https_port: u16) -> Router {
    use axum::extract::Path;
    use axum::http::{HeaderMap, Uri, header};
    use axum::response::{IntoResponse, Redirect};
    use axum::routing::get;
    Router::new()
        .route(
            "/.well-known/acme-challenge/{token}",
            get(move |Path(token): Path<String>| {
                let challenges = challenges.clone();
                async move { challenges.answer(&token).map(IntoResponse::into_response).unwrap_or_else(|| StatusCode::NOT_FOUND.into_response()) }
            }),
        )
        .fallback(move |uri: Uri, headers: HeaderMap| async move {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            // The name without its port (an IPv6 literal keeps its brackets).
            let name = match host.rsplit_once(':') {
                Some((n, p)) if p.bytes().all(|b| b.is_ascii_digit()) && !n.ends_with(':') => n,
                _ => host,
            };
            let port = if https_port == 443 { String::new() } else { format!(":{https_port}") };
            let path = uri.path_and_query().map_or("/", |p| p.as_str());
            Redirect::permanent(&format!("https://{name}{port}{path}"))
        })
}

async fn purge_periodically(db: Database, days: u32) {
    let mut every = tokio::time::interval(PURGE_EVERY);
    loop {
        every.tick().await;
        let now = now_ms();
        let before = now.saturating_sub(u64::from(days) * 24 * 3600 * 1000);
        match db.write(move |tx| Ok::<_, crate::storage::StorageError>(records::purge(tx, before)? + attempts::purge(tx, now)?)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "purged old tombstones and attempts"),
            Err(e) => tracing::warn!(error = %e, "purging failed"),
        }
    }
}

fn build_router(config: &Config, state: AppState) -> Router {
    let api = routes::api(state);
    let router = Router::new().nest("/api", api);
    let router = match &config.assets {
        Some(source) => router.merge(assets::router(source)),
        None => router,
    };
    router
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, config.limits.request_timeout))
        .layer(axum::middleware::from_fn_with_state(config.https(), headers::security_headers))
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
