//! What every handler can reach.

use crate::passphrase::Hasher;
use crate::storage::Database;

#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    /// Argon2id on its own thread; `computed()` counts its work.
    pub hasher: Hasher,
    /// The public URL is https: cookies are `Secure`, responses carry HSTS.
    pub secure: bool,
}
