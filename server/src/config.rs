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
}

impl Config {
    pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
    pub const DEFAULT_DATABASE: &str = "nimo.sqlite3";
    pub const DEFAULT_ASSETS: &str = "dist";
}
