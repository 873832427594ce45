//! Runtime configuration, filled from flags and environment variables by
//! [`crate::cli`] and built directly by tests.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen. Port 0 picks a free port (tests use it).
    pub listen: SocketAddr,
    /// The SQLite file; created with its directory when absent.
    pub database: PathBuf,
    /// The built client (`dist/` from `cargo xtask build`). `None` serves the
    /// API only, which is what the API tests want.
    pub assets: Option<PathBuf>,
    /// The address people use to reach nimo (for invite links); `https`
    /// marks session cookies `Secure`.
    pub public_url: String,
    /// Deleted records are kept this long so every device sees the delete.
    pub tombstone_days: u32,
}

impl Config {
    pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
    pub const DEFAULT_DATABASE: &str = "nimo.sqlite3";
    pub const DEFAULT_ASSETS: &str = "dist";
    pub const DEFAULT_TOMBSTONE_DAYS: u32 = 90;

    /// A configuration for tests and tools: API only, port 0.
    pub fn for_database(database: PathBuf) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database,
            assets: None,
            public_url: "http://127.0.0.1:8080".into(),
            tombstone_days: Self::DEFAULT_TOMBSTONE_DAYS,
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}
