//! Runtime configuration, filled from flags and environment variables by
//! [`crate::cli`] and built directly by tests.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::storage::BackupPolicy;

#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen. Port 0 picks a free port (tests use it).
    pub listen: SocketAddr,
    /// The SQLite file; created with its directory when absent.
    pub database: PathBuf,
    /// The built client: `dist/` from `cargo xtask build`, or the copy a
    /// `cargo xtask dist` binary carries. `None` serves the API only, which
    /// is what the API tests want.
    pub assets: Option<crate::assets::Source>,
    /// The address people use to reach nimo (for invite links); `https`
    /// marks session cookies `Secure` and sends HSTS.
    pub public_url: String,
    /// Deleted records are kept this long so every device sees the delete.
    pub tombstone_days: u32,
    /// Where backups and the journal go, and how often the server backs
    /// itself up.
    pub backups: BackupPolicy,
    pub limits: Limits,
    /// HTTPS by the server itself: given files, or ACME.
    pub tls: Option<Tls>,
    /// Plain HTTP beside HTTPS: answers ACME's HTTP-01 challenges and sends
    /// everything else to https.
    pub http_listen: Option<SocketAddr>,
    /// Proxies whose `X-Forwarded-For` and `-Proto` are believed.
    pub trust_proxy: Vec<crate::client::Cidr>,
}

/// Where the server's certificate comes from.
#[derive(Debug, Clone)]
pub enum Tls {
    /// PEM files, read again when they change or on SIGHUP.
    Files { cert: PathBuf, key: PathBuf },
    /// An ACME CA, renewed while running.
    Acme(crate::tls::acme::Settings),
}

/// What one client may hold of the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// A client that has not sent a request's headers within this is cut
    /// off (slow-header attacks; idle keep-alive connections).
    pub header_timeout: Duration,
    /// A request (body included) must be answered within this.
    pub request_timeout: Duration,
    /// Connections served at once; more wait in the kernel's queue. Kept
    /// below the process's open-file limit so the database and a health
    /// check always find a file descriptor.
    pub max_connections: usize,
}

impl Limits {
    pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
    pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
    pub const MAX_CONNECTIONS: usize = 1024;

    /// The defaults, with the connection cap fitted to this process's
    /// open-file limit (64 descriptors left for the database and the rest).
    pub fn for_this_process() -> Self {
        let files = open_file_limit().unwrap_or(1024);
        Self {
            header_timeout: Self::HEADER_TIMEOUT,
            request_timeout: Self::REQUEST_TIMEOUT,
            max_connections: (files.saturating_sub(64) as usize).clamp(16, Self::MAX_CONNECTIONS),
        }
    }
}

/// The soft limit on open files (RLIMIT_NOFILE).
fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

impl Config {
    pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
    pub const DEFAULT_DATABASE: &str = "nimo.sqlite3";
    pub const DEFAULT_ASSETS: &str = "dist";
    pub const DEFAULT_TOMBSTONE_DAYS: u32 = 90;

    /// A configuration for tests and tools: API only, port 0, the journal
    /// beside the database, no scheduled backups.
    pub fn for_database(database: PathBuf) -> Self {
        let mut backups = BackupPolicy::beside(&database);
        backups.every = None;
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database,
            assets: None,
            public_url: "http://127.0.0.1:8080".into(),
            tombstone_days: Self::DEFAULT_TOMBSTONE_DAYS,
            backups,
            limits: Limits::for_this_process(),
            tls: None,
            http_listen: None,
            trust_proxy: Vec::new(),
        }
    }

    /// Whether the public URL is https (the scheme in any case).
    pub fn https(&self) -> bool {
        self.public_url.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    }
}
