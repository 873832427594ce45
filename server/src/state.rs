//! What every handler can reach.

use std::sync::{Arc, Mutex};

use crate::passphrase::Hasher;
use crate::storage::Database;

/// The first run's one-time setup token (its SHA-256), while the server has
/// no group: whoever opens the printed link makes the first group. Gone
/// once a group exists.
#[derive(Clone, Default)]
pub struct SetupToken(Arc<Mutex<Option<Vec<u8>>>>);

impl SetupToken {
    /// A new token; returns it (to print) and keeps only its hash.
    pub fn issue(&self) -> String {
        let bytes: [u8; 18] = crate::clock::random_bytes();
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(crate::auth::sha256(token.as_bytes()));
        }
        token
    }

    /// Whether `token` is the one issued (in constant time).
    pub fn matches(&self, token: &str) -> bool {
        let given = crate::auth::sha256(token.as_bytes());
        self.0.lock().ok().and_then(|s| s.clone()).is_some_and(|kept| crate::auth::constant_time_eq(&kept, &given))
    }

    pub fn retire(&self) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = None;
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    /// Argon2id on its own thread; `computed()` counts its work.
    pub hasher: Hasher,
    /// The public URL is https: cookies are `Secure`, responses carry HSTS.
    pub secure: bool,
    pub setup: SetupToken,
    /// Proxies whose `X-Forwarded-*` headers are believed (`--trust-proxy`).
    pub proxies: Arc<Vec<crate::client::Cidr>>,
    /// Backups and certificates, as the health page tells them.
    pub ops: crate::ops::Ops,
}
