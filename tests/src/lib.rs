//! Helpers shared by nimo's integration tests.
//!
//! `spawn_app` starts the real server (the same `Application` that `main`
//! runs) on 127.0.0.1 with an ephemeral port and a fresh SQLite file in a
//! temporary directory, and stops it when the returned handle is dropped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use nimo_server::config::Config;
use nimo_server::startup::Application;
use tokio::sync::oneshot;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn database_path(&self) -> PathBuf {
        self.dir.path().join("nimo.sqlite3")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A second, independent HTTP client (another device: its own cookies).
    pub fn new_client(&self) -> reqwest::Client {
        new_client()
    }

    /// Stops the server and waits until it has finished.
    pub async fn stop(mut self) -> tempfile::TempDir {
        self.shutdown().await;
        let dir = tempfile::tempdir().expect("tempdir");
        std::mem::replace(&mut self.dir, dir)
    }

    async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .no_proxy()
        .build()
        .expect("http client")
}

/// Starts a server with a fresh database and no app assets (API only).
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    spawn_app_in(dir, None).await
}

/// Starts a server on the database in `dir` (reused across restarts).
pub async fn spawn_app_in(dir: tempfile::TempDir, assets: Option<PathBuf>) -> TestApp {
    let config = Config {
        listen: "127.0.0.1:0".parse().expect("address"),
        database: dir.path().join("nimo.sqlite3"),
        assets,
    };
    let app = Application::build(config).await.expect("the server starts");
    let addr = app.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = app
            .run_until(async {
                let _ = stopped.await;
            })
            .await;
    });
    TestApp { addr, client: new_client(), dir, stop: Some(stop), task: Some(task) }
}
